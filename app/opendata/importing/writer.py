"""Write imported entries into a content folder, safely and repeatably.

Three promises, kept here for every importer:

- An import never makes ``earlyhelp check`` fail. Each entry is checked with
  the loader's own rules before it is written; one that cannot pass goes to
  ``import-review/services/<id>.md`` (a folder the loader ignores) with the
  problems written at the top, for an editor to finish and move.
- Re-running an import updates what it wrote before, in place, and nothing
  else. ``.import-state.json`` remembers each source key's id and the sha256
  of the file as the import wrote it; a file whose hash has changed since was
  edited by someone, and is left alone unless ``force`` is given.
- Unchanged data rewrites nothing (same bytes, no write, same mtime).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from ...content import Problem, load_content
from ...content.fields import ID_PATTERN
from ...content.loader import display_path
from ...content.writing import (
    ORGANISATION_ORDER,
    atomic_write,
    organisation_problems,
    render_entry,
    service_problems,
    sha256_of,
)
from ...content.yamlfile import parse_front_matter
from .report import CREATED, REVIEW, SKIPPED, UNCHANGED, UPDATED, ImportReport, Outcome
from .target import Target, TargetError, slugify

STATE_FILE = ".import-state.json"
REVIEW_FOLDER = "import-review"
STATE_VERSION = 1

def describe(problem: Problem) -> str:
    """A problem as a review note: ``field: message``."""
    return f"{problem.field}: {problem.message}"


# -- the state file ----------------------------------------------------------

class ImportState:
    """``<folder>/.import-state.json``: source key -> id, path, sha256 as written, origin."""

    def __init__(self, path: Path):
        self.path = path
        self.entries: dict[str, dict] = {}
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise TargetError(f"{path} cannot be read ({error}); move it away to start afresh") from None
            self.entries = dict(data.get("entries", {}))

    def ids(self, kind: str) -> set[str]:
        """Every id earlier imports gave to entries of ``kind``."""
        return {record["id"] for record in self.entries.values() if record.get("kind") == kind}

    def save(self) -> None:
        """Write the state file (atomically, and only when it changed)."""
        data = {"version": STATE_VERSION,
                "note": "Written by earlyhelp import: which imported record became which entry, and the "
                        "sha256 of each file as the import wrote it (to notice editors' changes).",
                "entries": dict(sorted(self.entries.items()))}
        encoded = (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
        # A re-run that changed nothing writes nothing, this file included.
        if not self.path.exists() or self.path.read_bytes() != encoded:
            atomic_write(self.path, encoded)


# -- the writer -------------------------------------------------------------------

class EntryWriter:
    """Decides where each imported entry goes and writes it; collects the report.

    Use: ``organisation_id``/``service_id`` to get stable ids, ``write_organisation``
    then ``write_service`` for each entry, and ``finish()`` once at the end.
    """

    def __init__(self, target: Target, report: ImportReport, *, origin: str, force: bool = False,
                 today: dt.date | None = None):
        self.target = target
        self.root = target.root
        self.report = report
        self.origin = origin
        self.force = force
        self.today = today or dt.date.today()
        self.state = ImportState(self.root / STATE_FILE)
        self.organisations: set[str] = set(target.content.organisations)
        self.seen: set[str] = set()
        self.reserved: dict[str, set[str]] = {"services": set(), "organisations": set()}
        self.written: dict[str, str] = {}  # relative path -> key, for the final check
        self._on_disk: dict[str, set[str]] = {}

    # -- ids -----------------------------------------------------------------------
    def _taken(self, kind: str) -> set[str]:
        # Read once: everything this run writes is in ``reserved`` as well.
        if kind not in self._on_disk:
            taken = set(self.state.ids(kind))
            for folder in (self.root / kind, self.root / REVIEW_FOLDER / kind):
                if folder.is_dir():
                    taken |= {path.stem for path in folder.glob("*.md")}
            self._on_disk[kind] = taken
        return self._on_disk[kind] | self.reserved[kind]

    def entry_id(self, kind: str, key: str, name: str, exact: str | None = None) -> str:
        """The id for the source record ``key``: the one it had before, else ``exact``, else a new slug.

        ``exact`` is an id the source names itself (a CSV id column, or one of our
        own ids recognised from its UUID); a new slug is made unique in the folder.
        """
        record = self.state.entries.get(key)
        entry_id = record["id"] if record and record.get("kind") == kind else exact or self.new_id(kind, name)
        self.reserved[kind].add(entry_id)
        return entry_id

    def own_id(self, kind: str, key: str, wanted: str, same_entry: bool = False) -> tuple[str | None, str]:
        """``(wanted, "")`` when the source record ``key`` may keep the id it carries, else ``(None, why)``.

        ``same_entry``: the folder's entry with that id is this very record (its UUID says so),
        so the id is not taken by another entry.
        """
        singular = kind[:-1]
        if len(wanted) > 100 or not ID_PATTERN.match(wanted):
            return None, f"'{wanted[:100]}' is not an id (a-z, 0-9 and single hyphens)"
        record = self.state.entries.get(key)
        if record and record.get("kind") == kind and record.get("id") == wanted:
            return wanted, ""
        if wanted in self.reserved[kind]:
            return None, f"'{wanted}' is the id of another {singular} in the same import"
        if wanted in self._taken(kind) and not same_entry:
            return None, f"'{wanted}' is already the id of another {singular} in {self.root}"
        return wanted, ""

    def new_id(self, kind: str, name: str) -> str:
        """A slug of ``name`` that no entry, review entry or earlier import uses yet (not reserved)."""
        base = slugify(name, fallback="service" if kind == "services" else "organisation")
        taken = self._taken(kind)
        entry_id, number = base, 1
        while entry_id in taken:
            number += 1
            entry_id = f"{base}-{number}"
        return entry_id

    def remembered(self, key: str, name: str, default):
        """A value the import filled in before (e.g. today's date), so a re-run keeps it."""
        record = self.state.entries.get(key) or {}
        return record.get("filled", {}).get(name, default)

    def keep(self, key: str) -> None:
        """Count ``key`` as still in the source although nothing is written for it."""
        self.seen.add(key)

    def already_seen(self, key: str) -> bool:
        """Whether ``key`` was written in this run already (a duplicate in the source)."""
        return key in self.seen

    # -- writing -------------------------------------------------------------------
    def write_organisation(self, key: str, organisation_id: str, fields: dict, body: str = "") -> Outcome:
        """Write an organisation entry (always valid: bad optional fields are left out first)."""
        fields = {"id": organisation_id, **{k: v for k, v in fields.items() if k != "id"}}
        text = render_entry(fields, body, order=ORGANISATION_ORDER)
        for problem in organisation_problems(text, organisation_id):
            if problem.field in fields and problem.field not in ("id", "name"):
                self.report.missed(f"organisation {problem.field}: {problem.message}; left out",
                                   fields.get("name") or organisation_id)
                fields.pop(problem.field)
        text = render_entry(fields, body, order=ORGANISATION_ORDER)
        remaining = organisation_problems(text, organisation_id)
        if remaining:
            outcome = Outcome("organisations", organisation_id, fields.get("name") or organisation_id,
                              SKIPPED, f"organisations/{organisation_id}.md",
                              ["cannot be written: " + "; ".join(map(describe, remaining))])
            self.report.add(outcome)
            return outcome
        outcome = self._place("organisations", key, organisation_id, fields.get("name", ""), text,
                              review=False)
        if outcome.action != SKIPPED or (self.root / outcome.path).exists():
            self.organisations.add(organisation_id)
        return outcome

    def write_service(self, key: str, service_id: str, fields: dict, body: str = "",
                      notes: list[str] | None = None, filled: dict | None = None) -> Outcome:
        """Write a service to services/, or to import-review/ with its problems when it would not pass.

        ``notes`` are problems the importer already knows about (e.g. a need that
        did not map); ``filled`` are values it made up and wants kept on re-runs.
        """
        fields = {"id": service_id, **{k: v for k, v in fields.items() if k != "id"}}
        name = str(fields.get("title") or service_id)
        text = render_entry(fields, body)
        problems = service_problems(text, service_id, self.target.content, self.organisations, self.today)
        # The importer's own note on a field says more than the loader's "is required" for it.
        noted = {note.split(":", 1)[0] for note in notes or []}
        reasons = _merge_reasons(notes or [], [describe(problem) for problem in problems
                                               if re.split(r"[.\[]", problem.field)[0] not in noted])
        review = bool(problems)
        if review:
            text = render_entry(fields, body, comments=_review_comments(reasons))
        outcome = self._place("services", key, service_id, name, text, review=review, reasons=reasons,
                              filled=filled)
        return outcome

    def _place(self, kind: str, key: str, entry_id: str, name: str, text: str, *, review: bool,
               reasons: list[str] | None = None, filled: dict | None = None) -> Outcome:
        self.seen.add(key)
        self.reserved[kind].add(entry_id)
        main = Path(kind) / f"{entry_id}.md"
        in_review = Path(REVIEW_FOLDER) / kind / f"{entry_id}.md"
        destination = in_review if review else main
        data = text.encode("utf-8")
        record = self.state.entries.get(key)
        recorded = Path(record["path"]) if record else None

        def outcome(action: str, path: Path, why: list[str]) -> Outcome:
            result = Outcome(kind, entry_id, name, REVIEW if (review and action != SKIPPED) else action,
                             path.as_posix(), why)
            self.report.add(result)
            return result

        others = [path for path in (main, in_review) if path != recorded and (self.root / path).exists()]
        if others and not self.force:
            why = ("not written by an import" if recorded is None else
                   f"an editor has it at {others[0].as_posix()} since the last import")
            return outcome(SKIPPED, others[0], [why])
        if recorded is not None and (self.root / recorded).exists():
            on_disk = (self.root / recorded).read_bytes()
            edited = sha256_of(on_disk) != record.get("sha256")
            if edited and on_disk != data and not self.force:
                return outcome(SKIPPED, recorded, ["changed since the last import"])
            if recorded == destination and on_disk == data:
                self._record(key, kind, entry_id, destination, data, filled)
                return outcome(UNCHANGED, destination, reasons or [])
        elif recorded is not None and not self.force:
            return outcome(SKIPPED, recorded, ["deleted since the last import; not brought back"])

        atomic_write(self.root / destination, data)
        # Only files this import wrote (or --force) are removed when an entry moves in or out of review.
        for stale in [*([recorded] if recorded else []), *others]:
            if stale != destination and (self.root / stale).exists():
                (self.root / stale).unlink()
        self._record(key, kind, entry_id, destination, data, filled)
        self.written[destination.as_posix()] = key
        action = UPDATED if (recorded is not None or others) else CREATED
        return outcome(action, destination, reasons or [])

    def _record(self, key: str, kind: str, entry_id: str, path: Path, data: bytes,
                filled: dict | None) -> None:
        record = {"kind": kind, "id": entry_id, "path": path.as_posix(), "sha256": sha256_of(data),
                  "origin": self.origin}
        if filled:
            record["filled"] = {name: str(value) for name, value in filled.items()}
        self.state.entries[key] = record

    # -- the end of a run ------------------------------------------------------------
    def finish(self, errors_before: set[str] | None = None) -> ImportReport:
        """Check the whole folder as ``earlyhelp check`` does, save the state, list what is gone.

        Any service written by this run that the full check still rejects (a rule
        that only shows across entries) is moved to import-review, so the folder
        stays publishable whatever happened.
        """
        content = load_content(self.root, today=self.today)
        written = {display_path(self.root / path): path for path in self.written}
        moved: dict[str, list[str]] = {}
        for problem in content.errors:
            path = written.get(problem.path)
            if path and path.startswith("services/"):
                moved.setdefault(path, []).append(describe(problem))
        for path, reasons in moved.items():
            self._move_to_review(path, reasons)
        if moved:
            content = load_content(self.root, today=self.today)
        before = errors_before or set()
        self.report.check_errors = [str(problem) for problem in content.errors if str(problem) in before]
        new_errors = [str(problem) for problem in content.errors if str(problem) not in before]
        if new_errors:  # pragma: no cover - would be a bug in the rules above; say so loudly
            self.report.notes.append("earlyhelp check now fails: " + "; ".join(new_errors[:5]))

        for key, record in sorted(self.state.entries.items(), key=lambda item: item[1]["path"]):
            if record.get("origin") == self.origin and key not in self.seen \
                    and (self.root / record["path"]).exists():
                self.report.gone.append(record["path"])
        self.state.save()
        return self.report

    def _move_to_review(self, path: str, reasons: list[str]) -> None:
        key = self.written[path]
        source = self.root / path
        document = parse_front_matter(source.read_text(encoding="utf-8"))
        entry_id = Path(path).stem
        text = render_entry(document.data, document.body, comments=_review_comments(reasons))
        destination = Path(REVIEW_FOLDER) / "services" / f"{entry_id}.md"
        atomic_write(self.root / destination, text.encode("utf-8"))
        source.unlink()
        record = self.state.entries[key]
        self._record(key, "services", entry_id, destination, text.encode("utf-8"), record.get("filled"))
        for outcome in self.report.outcomes:
            if outcome.kind == "services" and outcome.id == entry_id:
                outcome.action, outcome.path = REVIEW, destination.as_posix()
                outcome.reasons = _merge_reasons(outcome.reasons, reasons)


def _merge_reasons(first: list[str], second: list[str]) -> list[str]:
    merged = []
    for reason in [*first, *second]:
        if reason not in merged:
            merged.append(reason)
    return merged


def _review_comments(reasons: list[str]) -> list[str]:
    return (["Imported, but not ready to publish yet:"]
            + [f"  - {reason}" for reason in reasons]
            + ["Fix these, delete these comment lines, then move this file to services/."])
