"""A small index of the entry files, for the editor's lists and the review dashboard.

Showing a list of 10,000 services must not mean reading 10,000 files, nor even
looking at each of them: on a busy server one ``stat`` per file costs hundreds
of milliseconds. This index keeps, per entry file, what the lists and the
dashboard show, filter and sort on (id, title, organisation, status, last
reviewed, review months, due date, a fingerprint of the file) in a SQLite file
beside the releases (``<index folder>/.editor-index.sqlite``: derived data,
safe to delete, rebuilt from ``content/``).

Staying right when files change behind the editor's back (a ``git pull``, a
hand edit):

- every request compares each folder's own ``stat`` (modification and change
  time, inode) with the one recorded at the last look. Adding, removing or
  replacing a file changes it; every write the editor makes replaces the file,
  and so does git. Only when it moved is the folder listed, each file
  ``stat``'ed, and the files whose size, times or inode differ read again;
- a file edited in place does not move its folder's times, so a folder is
  also looked at again when its last look is more than :data:`SWEEP_SECONDS`
  old, and a file changed within two seconds of being read is read again at
  the next look (two writes within one tick of the file system's clock leave
  its times as they were);
- ``site.yml`` is watched the same way: its review interval is every
  service's default, so a change to it recomputes the due dates.

The editor's own publishes update the index as they write
(:func:`written`), so the next list does not pay for a look at the folder.
Several processes may share the file: changes are made in one transaction at
a time (``BEGIN IMMEDIATE``) and readers never wait for them (WAL).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..content.fields import EntryReader
from ..content.loader import ENTRY_FILE
from ..content.model import add_months
from ..content.yamlfile import (
    Document,
    EntryFileError,
    YamlFileError,
    parse_front_matter,
    parse_yaml,
    read_entry_bytes,
)
from . import kinds

INDEX_FILE = ".editor-index.sqlite"
VERSION = "3"  # of the schema and of what is read from a file: another version is rebuilt from scratch
SWEEP_SECONDS = 60.0
SETTLED_NS = 2_000_000_000
DEFAULT_REVIEW_MONTHS = 12  # as app.content.model.Site
SITE_FILE = "site.yml"
UNSETTLED = "unsettled"  # a file's key when it changed too recently to trust its times

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    kind TEXT NOT NULL, id TEXT NOT NULL, title TEXT NOT NULL, sort_title TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT '', last_reviewed TEXT,
    review_months INTEGER, due TEXT NOT NULL DEFAULT '', fingerprint TEXT NOT NULL DEFAULT '',
    file_key TEXT NOT NULL, PRIMARY KEY (kind, id));
CREATE INDEX IF NOT EXISTS entries_by_title ON entries (kind, sort_title, id);
CREATE INDEX IF NOT EXISTS entries_by_organisation ON entries (kind, organisation, sort_title, id);
CREATE INDEX IF NOT EXISTS entries_by_due ON entries (kind, status, due, sort_title, id);
CREATE INDEX IF NOT EXISTS entries_by_organisation_due
    ON entries (kind, organisation, status, due, sort_title, id);
CREATE TABLE IF NOT EXISTS looks (name TEXT PRIMARY KEY, state TEXT NOT NULL, looked_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class IndexedEntry:
    """One entry file as the lists show it."""

    kind: str
    id: str
    title: str
    organisation: str
    status: str
    last_reviewed: dt.date | None
    due: dt.date | None
    fingerprint: str


# The kinds kept one ``<id>.md`` file per entry in a folder of their own; the lists of any other kind
# read the content folder (see app/web/editor/entries.py).
INDEXED_KINDS = ("service", "organisation", "hub", "page")


def _folders() -> dict[str, str]:
    """Kind -> folder, for :data:`INDEXED_KINDS`."""
    return {name: kinds.kind_of(name).folder for name in INDEXED_KINDS}


def folder_state(path: Path) -> str:
    """What tells that a folder's list of files (or a file) changed: times and inode, from one ``stat``."""
    try:
        stat = os.stat(path)
    except OSError:
        return "missing"
    return f"{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}:{stat.st_size}"


def _file_key(stat: os.stat_result, now_ns: int) -> str:
    if max(stat.st_mtime_ns, stat.st_ctime_ns) > now_ns - SETTLED_NS:
        return UNSETTLED
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}"


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# -- reading one file -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Row:
    title: str
    organisation: str
    status: str
    last_reviewed: dt.date | None
    review_months: int | None
    fingerprint: str


_TOP_LEVEL = re.compile(r"^([A-Za-z_]+):(?:[ \t]+(.*?))?[ \t]*$")
SERVICE_KEYS = ("organisation", "status", "last_reviewed", "review_months")


def _top_level_values(text: str, wanted: tuple[str, ...]) -> dict | None:
    """The front matter's values of the top-level keys ``wanted``, read from their own lines when each is
    a one-line value (as the editor writes them); None when the file needs the whole parse.

    Parsing a whole entry costs about a millisecond, nearly all of it the venues, contact and lists
    the index does not keep; the lines of these few keys are parsed as YAML by the project's loader.
    """
    lines = text.lstrip("\ufeff").split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    found: dict[str, str] = {}
    for number in range(1, len(lines)):
        line = lines[number]
        if line.rstrip() == "---":
            break
        match = _TOP_LEVEL.match(line)
        if match is None or match.group(1) not in wanted:
            continue
        key, value = match.group(1), match.group(2) or ""
        following = next((later for later in lines[number + 1:] if later.strip()), "")
        if key in found or not value or value[0] in "|>&*!{[" or following[:1] in (" ", "\t"):
            return None  # a block, an anchor, a flow collection, a value over several lines, twice
        found[key] = line
    else:
        return None  # the front matter is not closed
    try:
        data = parse_yaml("\n".join(found.values()) + "\n").data if found else {}
    except YamlFileError:
        return None
    return data if isinstance(data, dict) else None


def _read_file(kind: str, path: Path, entry_id: str) -> _Row | None:
    """What the lists need from one entry file, read as the loader reads it; None when it cannot be
    read at all (``earlyhelp check`` reports it; the lists leave it out, as loading the folder does)."""
    spec = kinds.kind_of(kind)
    wanted = (spec.title_field, *SERVICE_KEYS) if kind == "service" else (spec.title_field,)
    try:
        raw = read_entry_bytes(path)
        text = raw.decode("utf-8")
        data = _top_level_values(text, wanted)
        if data is None:
            data = parse_front_matter(text).data
    except (EntryFileError, UnicodeDecodeError, YamlFileError):
        return None
    if not isinstance(data, dict):
        return None
    reader = EntryReader(str(path), Document(data), data, problems=[])  # problems are check's to report
    title = data.get(spec.title_field)
    title = str(title).strip() if isinstance(title, (str, int, float)) and str(title).strip() else entry_id
    organisation = reader.text("organisation", required=False) if kind == "service" else (
        entry_id if kind == "organisation" else "")
    status = reader.text("status", required=False) if spec.archived_by_status else ""
    last_reviewed = reader.date("last_reviewed", required=False) if kind == "service" else None
    months = reader.integer("review_months", required=False, low=1, high=60) if kind == "service" else None
    return _Row(title, organisation or "", status or "", last_reviewed, months,
                hashlib.sha256(raw).hexdigest()[:16])


def _site_review_months(content_dir: Path) -> int:
    try:
        document = parse_yaml(read_entry_bytes(content_dir / SITE_FILE).decode("utf-8"))
    except (EntryFileError, UnicodeDecodeError, YamlFileError):
        return DEFAULT_REVIEW_MONTHS
    if not isinstance(document.data, dict):
        return DEFAULT_REVIEW_MONTHS
    reader = EntryReader(SITE_FILE, document, document.data, problems=[])
    return reader.integer("review_months", required=False, low=1, high=60) or DEFAULT_REVIEW_MONTHS


def _due(last_reviewed: dt.date | None, months: int | None, default_months: int) -> str:
    # Never checked: "", which sorts before every date, so it is overdue and first, as on the dashboard.
    return add_months(last_reviewed, months or default_months).isoformat() if last_reviewed else ""


# -- the index --------------------------------------------------------------------------------------

class EntryIndex:
    """The index of one content folder, kept in ``index_dir`` (see the module's docstring)."""

    def __init__(self, content_dir: str | Path, index_dir: str | Path):
        self.content_dir = Path(content_dir)
        self.path = Path(index_dir) / INDEX_FILE
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for attempt in (1, 2):
            db = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            db.row_factory = sqlite3.Row
            try:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")  # derived data: a lost write is read again
                db.executescript(_SCHEMA)
                row = db.execute("SELECT value FROM meta WHERE key = 'content'").fetchone()
                identity = f"{VERSION}:{self.content_dir.resolve()}"
                if row is None or row["value"] != identity:
                    with self._writing(db):
                        for table in ("entries", "looks", "meta"):
                            db.execute(f"DELETE FROM {table}")
                        db.execute("INSERT INTO meta (key, value) VALUES ('content', ?)", [identity])
                return db
            except sqlite3.DatabaseError:
                db.close()
                if attempt == 2:
                    raise
                # A damaged index is derived data: start again from the files.
                for suffix in ("", "-wal", "-shm"):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(f"{self.path}{suffix}")
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self.db.close()

    @staticmethod
    @contextlib.contextmanager
    def _writing(db: sqlite3.Connection):
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # -- keeping it up to date --------------------------------------------------------------------

    def refresh(self, *, force: bool = False) -> int:
        """Bring the index up to date with the files; how many files were read again.

        Cheap when nothing moved: one ``stat`` per folder and one query.
        """
        states = folder_states(self.content_dir)
        now = time.time()
        looks = {row["name"]: (row["state"], row["looked_at"])
                 for row in self.db.execute("SELECT * FROM looks")}

        def stale(name: str) -> bool:
            state, looked_at = looks.get(name, (None, 0.0))
            return force or state != states[name] or now - looked_at > SWEEP_SECONDS

        if not any(stale(name) for name in states):
            return 0
        read = 0
        with self._writing(self.db):
            # Another process may have looked while this one waited for the lock.
            looks = {row["name"]: (row["state"], row["looked_at"])
                     for row in self.db.execute("SELECT * FROM looks")}
            if stale(SITE_FILE):
                self._update_due_dates(states[SITE_FILE], now)
            for kind, folder in _folders().items():
                if stale(folder):
                    read += self._look(kind, folder, states[folder], now)
        return read

    def _default_months(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'review_months'").fetchone()
        return int(row["value"]) if row else DEFAULT_REVIEW_MONTHS

    def _update_due_dates(self, state: str, now: float) -> None:
        months = _site_review_months(self.content_dir)
        if months != self._default_months():
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('review_months', ?)",
                            [str(months)])
            rows = self.db.execute("SELECT kind, id, last_reviewed, review_months FROM entries "
                                   "WHERE last_reviewed IS NOT NULL").fetchall()
            self.db.executemany("UPDATE entries SET due = ? WHERE kind = ? AND id = ?",
                                [(_due(_date(row["last_reviewed"]), row["review_months"], months),
                                  row["kind"], row["id"]) for row in rows])
        self.db.execute("INSERT OR REPLACE INTO looks (name, state, looked_at) VALUES (?, ?, ?)",
                        [SITE_FILE, state, now])

    def _look(self, kind: str, folder: str, state: str, now: float) -> int:
        """List the folder, read the files whose ``stat`` differs from the one recorded; forget the gone."""
        directory = self.content_dir / folder
        now_ns = time.time_ns()
        found: dict[str, str] = {}
        with contextlib.suppress(FileNotFoundError, NotADirectoryError), os.scandir(directory) as scanned:
            for item in scanned:
                match = ENTRY_FILE.match(item.name)
                if match is None:  # hidden files, translations (<id>.<lang>.md), misnamed files
                    continue
                with contextlib.suppress(OSError):
                    if item.is_file():
                        found[match.group("stem")] = _file_key(item.stat(), now_ns)
        known = {row["id"]: row["file_key"]
                 for row in self.db.execute("SELECT id, file_key FROM entries WHERE kind = ?", [kind])}
        gone = [entry_id for entry_id in known if entry_id not in found]
        self.db.executemany("DELETE FROM entries WHERE kind = ? AND id = ?",
                            [(kind, entry_id) for entry_id in gone])
        changed = [entry_id for entry_id, key in found.items()
                   if key == UNSETTLED or known.get(entry_id) != key]
        self._store(kind, folder, {entry_id: found[entry_id] for entry_id in changed})
        self.db.execute("INSERT OR REPLACE INTO looks (name, state, looked_at) VALUES (?, ?, ?)",
                        [folder, state, now])
        return len(changed)

    def _store(self, kind: str, folder: str, files: Mapping[str, str]) -> None:
        months = self._default_months()
        rows, unreadable = [], []
        for entry_id, key in files.items():
            row = _read_file(kind, self.content_dir / folder / f"{entry_id}.md", entry_id)
            if row is None:
                unreadable.append((kind, entry_id))
                continue
            rows.append((kind, entry_id, row.title, row.title.casefold(), row.organisation, row.status,
                         row.last_reviewed.isoformat() if row.last_reviewed else None, row.review_months,
                         _due(row.last_reviewed, row.review_months, months), row.fingerprint, key))
        self.db.executemany("DELETE FROM entries WHERE kind = ? AND id = ?", unreadable)
        self.db.executemany(
            "INSERT OR REPLACE INTO entries (kind, id, title, sort_title, organisation, status, "
            "last_reviewed, review_months, due, fingerprint, file_key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def written(self, relatives: Iterable[str], states_before: Mapping[str, str]) -> None:
        """The editor wrote (or removed) ``relatives`` (paths under ``content/``), having seen the folders
        in ``states_before`` (:func:`folder_states` just before writing): read those files again, and, for a
        folder the index was up to date with before the write, record its new state, so the next list
        does not look at the folder again. A folder that had moved for another reason is looked at next
        time, as usual."""
        by_folder = {folder: kind for kind, folder in _folders().items()}
        with self._writing(self.db):
            looks = {row["name"]: row["state"] for row in self.db.execute("SELECT name, state FROM looks")}
            now, now_ns = time.time(), time.time_ns()
            for relative in relatives:
                folder, _, name = relative.rpartition("/")
                match = ENTRY_FILE.match(name)
                if folder not in by_folder or match is None:
                    continue
                kind, entry_id = by_folder[folder], match.group("stem")
                try:
                    key = _file_key(os.stat(self.content_dir / relative), now_ns)
                except OSError:
                    self.db.execute("DELETE FROM entries WHERE kind = ? AND id = ?", [kind, entry_id])
                else:
                    self._store(kind, folder, {entry_id: key})
                if looks.get(folder) is not None and looks[folder] == states_before.get(folder):
                    self.db.execute("UPDATE looks SET state = ?, looked_at = ? WHERE name = ?",
                                    [folder_state(self.content_dir / folder), now, folder])

    # -- reading ---------------------------------------------------------------------------------

    @staticmethod
    def _entry(row: sqlite3.Row) -> IndexedEntry:
        return IndexedEntry(row["kind"], row["id"], row["title"], row["organisation"], row["status"],
                            _date(row["last_reviewed"]), _date(row["due"]), row["fingerprint"])

    def entries(self, kind: str, *, query: str = "", organisation: str | None = None,
                offset: int = 0, limit: int = 50) -> tuple[list[IndexedEntry], int]:
        """A page of the entries of ``kind`` in title order, and how many there are in all: those whose
        title or id holds ``query`` (any case), of ``organisation`` when given."""
        clauses, parameters = ["kind = ?"], [kind]
        if query:
            clauses.append("(instr(sort_title, ?) > 0 OR instr(id, ?) > 0)")
            parameters += [query.casefold(), query.casefold()]
        if organisation is not None:
            clauses.append("organisation = ?")
            parameters.append(organisation)
        where = " AND ".join(clauses)
        total = self.db.execute(f"SELECT COUNT(*) FROM entries WHERE {where}", parameters).fetchone()[0]
        rows = self.db.execute(
            f"SELECT * FROM entries WHERE {where} ORDER BY sort_title, id LIMIT ? OFFSET ?",
            [*parameters, limit, offset])
        return [self._entry(row) for row in rows], total

    def get(self, kind: str, entry_id: str) -> IndexedEntry | None:
        row = self.db.execute("SELECT * FROM entries WHERE kind = ? AND id = ?", [kind, entry_id]).fetchone()
        return self._entry(row) if row else None

    def titles(self, kind: str, ids: Iterable[str] | None = None) -> dict[str, str]:
        """Id -> title of the entries of ``kind`` in title order (of those in ``ids`` when given)."""
        if ids is None:
            rows = self.db.execute("SELECT id, title FROM entries WHERE kind = ? ORDER BY sort_title, id",
                                   [kind])
        else:
            wanted = sorted(set(ids))
            marks = ", ".join("?" for _ in wanted)
            rows = self.db.execute(f"SELECT id, title FROM entries WHERE kind = ? AND id IN ({marks}) "
                                   "ORDER BY sort_title, id", [kind, *wanted])
        return {row["id"]: row["title"] for row in rows}

    # -- review dates ----------------------------------------------------------------------------

    @staticmethod
    def _bucket_clause(bucket: str) -> str:
        return {"overdue": "due < :today", "soon": "(due >= :today AND due <= :soon)",
                "later": "due > :soon"}[bucket]

    def review_counts(self, on: dt.date, soon_days: int, organisation: str | None = None) -> dict[str, int]:
        """How many published services are overdue, due soon and due later."""
        parameters = {"today": on.isoformat(), "soon": (on + dt.timedelta(days=soon_days)).isoformat(),
                      "organisation": organisation}
        mine = " AND organisation = :organisation" if organisation is not None else ""
        # One count per bucket: each is a range of the index on due dates, never a pass over the rows.
        return {bucket: self.db.execute(
            f"SELECT COUNT(*) FROM entries WHERE kind = 'service' AND status = 'published'{mine} "
            f"AND {self._bucket_clause(bucket)}", parameters).fetchone()[0]
            for bucket in ("overdue", "soon", "later")}

    def review_page(self, on: dt.date, soon_days: int, bucket: str, organisation: str | None = None, *,
                    offset: int = 0, limit: int = 50) -> list[IndexedEntry]:
        """Published services in ``bucket`` (overdue, soon, later), soonest due first (never checked
        first)."""
        parameters = {"today": on.isoformat(), "soon": (on + dt.timedelta(days=soon_days)).isoformat(),
                      "organisation": organisation, "limit": limit, "offset": offset}
        mine = " AND organisation = :organisation" if organisation is not None else ""
        rows = self.db.execute(
            f"""SELECT * FROM entries WHERE kind = 'service' AND status = 'published'{mine}
                AND {self._bucket_clause(bucket)}
                ORDER BY due, sort_title, id LIMIT :limit OFFSET :offset""", parameters)
        return [self._entry(row) for row in rows]


def folder_states(content_dir: str | Path) -> dict[str, str]:
    """The entry folders' states now: taken just before the editor writes, for :func:`note_written`."""
    states = {folder: folder_state(Path(content_dir) / folder) for folder in _folders().values()}
    states[SITE_FILE] = folder_state(Path(content_dir) / SITE_FILE)
    return states


def note_written(content_dir: str | Path, index_dir: str | Path, relatives: Iterable[str],
                 states_before: Mapping[str, str]) -> None:
    """Tell the index the editor wrote ``relatives`` (see :meth:`EntryIndex.written`). Never raises for
    the index's own troubles: it is derived data, and what was written is published already."""
    with contextlib.suppress(sqlite3.Error, OSError):
        index = EntryIndex(content_dir, index_dir)
        try:
            index.written(relatives, states_before)
        finally:
            index.close()


def open_index(content_dir: str | Path, index_dir: str | Path) -> EntryIndex:
    """The index of ``content_dir``, brought up to date with the files (close it when done)."""
    index = EntryIndex(content_dir, index_dir)
    try:
        index.refresh()
    except BaseException:
        index.close()
        raise
    return index


_per_thread = threading.local()
KEPT_PER_THREAD = 4  # indexes (content folders) a thread keeps open: one in production, more in tests


def current_index(content_dir: str | Path, index_dir: str | Path) -> EntryIndex:
    """The index of ``content_dir`` for this thread, brought up to date with the files.

    The connection stays open between requests (opening one and checking the schema costs more than
    the queries of a list); each thread has its own, as SQLite connections are not shared.
    """
    kept: dict[tuple[str, str], EntryIndex] = _per_thread.__dict__.setdefault("indexes", {})
    key = (str(content_dir), str(index_dir))
    index = kept.pop(key, None)
    if index is not None and not index.path.exists():  # the index folder was emptied: start again
        index.close()
        index = None
    if index is None:
        index = EntryIndex(content_dir, index_dir)
    kept[key] = index  # most recently used last
    while len(kept) > KEPT_PER_THREAD:
        kept.pop(next(iter(kept))).close()
    try:
        index.refresh()
    except sqlite3.Error:
        kept.pop(key, None)
        index.close()
        raise
    return index
