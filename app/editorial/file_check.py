"""Check a proposed taxonomy or translation file with the rules of ``earlyhelp check``.

These files are read beside others: a translation beside its English entry and
the languages site.yml offers, a taxonomy beside the services that use its
terms and the translations of it. So rather than a rule of its own for one
file, the loader reads the folder again with the proposed file in place, in a
scratch folder of symbolic links to the real files (nothing is copied; only the
proposed file is written). The services are left out (a service translation
gets its English entry alone), so a check stays quick at 10,000 services: what
a taxonomy change does to them (a removed need or level still in use) is found
in the content as already loaded, ``live``.

What is reported: the errors in the proposed file, and the errors it causes in
other files that ``content/`` does not have now (a service naming a removed
need, a translation of a removed term). A term still used by services gets one
clear message naming them, rather than an error per service.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from ..content import ContentSet, load_content
from ..content.loader import display_path
from ..content.problems import Problem
from ..content.yamlfile import YamlFileError
from . import kinds
from .diffs import parse_text


def _relative(problem: Problem, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if problem.path.startswith(prefix):
            return problem.path[len(prefix):]
    return problem.path


def _scratch_load(root: Path, relative: str, text: str, on: dt.date, services: tuple[str, ...]
                  ) -> tuple[ContentSet, str]:
    """The content folder loaded with ``relative`` replaced by ``text`` and only the service files
    ``services``, and the scratch folder's prefix."""
    folder, name = relative.split("/", 1)
    with tempfile.TemporaryDirectory(prefix="earlyhelp-check-") as scratch_name:
        scratch = Path(scratch_name)
        for item in root.iterdir():
            if item.name.startswith(".") or item.name in (folder, "services"):
                continue
            (scratch / item.name).symlink_to(item)
        (scratch / "services").mkdir()
        for service in services:
            if (root / "services" / service).is_file():
                (scratch / "services" / service).symlink_to(root / "services" / service)
        if folder != "services":
            (scratch / folder).mkdir()
            with os.scandir(root / folder) as found:
                for item in found:
                    if item.name != name and not item.name.startswith("."):
                        (scratch / folder / item.name).symlink_to(Path(item.path))
        (scratch / relative).write_text(text, encoding="utf-8")
        content = load_content(scratch, today=on)
        return content, display_path(scratch) + os.sep


def _terms_in_use(kind_entry: str, removed: set[str], content: ContentSet, relative: str) -> list[Problem]:
    """Why terms cannot be removed: the services that still name them."""
    problems = []
    for term in sorted(removed):
        if kind_entry == "needs":
            users = sorted(service.id for service in content.services.values() if term in service.needs)
        elif kind_entry == "levels":
            users = sorted(service.id for service in content.services.values()
                           if term in {str(level) for level in service.levels})
        else:
            users = []
        if users:
            shown = ", ".join(users[:10]) + (f" and {len(users) - 10} more" if len(users) > 10 else "")
            problems.append(Problem(relative, 1, term,
                                    f"'{term}' cannot be removed: it is still used by {len(users)} "
                                    f"service(s): {shown}; change those first"))
    return problems


def file_problems(content_dir: Path, live: ContentSet | None, kind: str, entry_id: str, text: str,
                  on: dt.date) -> list[Problem]:
    """The errors ``earlyhelp check`` would report with ``text`` as the file of ``entry_id`` of ``kind``
    (a taxonomy or a translation); ``live``, for a taxonomy, is the folder as loaded now (services
    included), to tell the errors the change would cause from those already there."""
    spec = kinds.kind_of(kind)
    relative = spec.path(entry_id)
    root = Path(content_dir).resolve()
    services: tuple[str, ...] = ()
    if spec.name == "service_translation":
        services = (f"{kinds.split_translation_id(entry_id)[0]}.md",)
    in_use: list[Problem] = []
    before: set[tuple[str, str, str]] = set()
    if spec.name == "taxonomy" and live is not None:
        try:
            proposed = set(parse_text(kind, text)[0])
        except YamlFileError:  # pragma: no cover - the text was just rendered, and read back
            proposed = set()
        existing = {str(term) for term in getattr(live, entry_id.replace("-", "_"))}
        in_use = _terms_in_use(entry_id, existing - proposed, live, relative)
        prefixes = (display_path(root) + os.sep, display_path(Path(content_dir)) + os.sep)
        before = {(_relative(problem, prefixes), problem.field,
                   problem.message.replace(prefixes[0], "").replace(prefixes[1], ""))
                  for problem in live.problems if problem.is_error}
    content, prefix = _scratch_load(root, relative, text, on, services)
    found = []
    for problem in content.problems:
        if not problem.is_error:
            continue
        path = _relative(problem, (prefix,))
        # The scratch folder is nobody's business: messages name files as content/ has them.
        message = problem.message.replace(prefix, "")
        if path == relative:
            if "'-row-" in message:  # a row of the form with text but no id (kinds.fields_from_form)
                message = "is required: give the term an id"
            found.append(Problem(path, problem.line, problem.field, message))
        elif (spec.name == "taxonomy" and not in_use and not path.startswith("services/")
              and (path, problem.field, message) not in before):
            # Caused in another file (a translation of a removed term): named, not put on a field here.
            found.append(Problem(path, problem.line, "(file)", f"{path}: {problem.field}: {message}"))
    return in_use + found
