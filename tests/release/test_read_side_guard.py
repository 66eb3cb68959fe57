"""Guard: a release is read only through ``app/release/`` (and searched through ``app/search/``).

The release's SQLite database and Whoosh index are written by
``app/publishing/`` and read by ``app/release/`` and ``app/search/``; every
other module asks a :class:`app.release.reader.ReleaseReader`. The instance
database (accounts, changes, the audit log) is a different database: its code
lives in ``app/editorial/``, which may use SQL, and the editor's request helper
holds its connection. So is the search log (``app/insight/searchlog.py``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
RELEASE_READERS_AND_WRITERS = ("release", "search", "publishing")
INSTANCE_DATABASE = ("editorial",)
# The search log is a database of its own in the instance folder (instance/search-log.db), not the release.
OTHER_DATABASES = {"insight/searchlog.py"}
# Holds this request's instance-database connection (typed as sqlite3.Connection); no SQL.
INSTANCE_CONNECTION_HOLDERS = {"web/editor/__init__.py": {"sqlite3"}}

FORBIDDEN_IMPORTS = {"sqlite3", "sqlite_utils", "whoosh"}
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\[?\w+\]?\s+SET|"
                 r"CREATE\s+(TABLE|INDEX|VIEW)|PRAGMA\s+\w+|json_each\()", re.DOTALL)
DATABASE_CALLS = {"execute", "executemany", "executescript", "rows_where", "db"}


def _modules_outside_the_read_side():
    for path in sorted(APP.rglob("*.py")):
        relative = path.relative_to(APP).as_posix()
        first = relative.split("/")[0]
        if first in RELEASE_READERS_AND_WRITERS + INSTANCE_DATABASE or relative in OTHER_DATABASES:
            continue
        yield relative, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports(tree: ast.Module) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_checks_find_what_they_look_for():
    tree = ast.parse("import whoosh.index\nfrom sqlite_utils import Database\n"
                     "rows = db.execute('SELECT id FROM services WHERE borough_wide')\n")
    assert _imports(tree) >= {"whoosh", "sqlite_utils"}
    assert SQL.search("SELECT id FROM services WHERE borough_wide")
    assert SQL.search("DELETE FROM [service_needs] WHERE service_id = ?")
    assert not SQL.search("Select the services you need from the list.")


def test_no_module_outside_the_read_side_imports_a_database_or_search_library():
    offending = {}
    for relative, tree in _modules_outside_the_read_side():
        allowed = INSTANCE_CONNECTION_HOLDERS.get(relative, set())
        found = (_imports(tree) & FORBIDDEN_IMPORTS) - allowed
        if found:
            offending[relative] = sorted(found)
    assert offending == {}, "read the release through app.release.reader.ReleaseReader"


def test_no_module_outside_the_read_side_holds_sql_or_queries_a_database():
    offending = []
    for relative, tree in _modules_outside_the_read_side():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                offending.append(f"{relative}:{node.lineno}: SQL {node.value[:40]!r}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in DATABASE_CALLS):
                offending.append(f"{relative}:{node.lineno}: .{node.func.attr}()")
    assert offending == [], "read the release through app.release.reader.ReleaseReader"
