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
import hashlib
import json
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path

import yaml

from ...content import Problem, load_content
from ...content import entries as entry_rules
from ...content.fields import EntryReader
from ...content.loader import display_path
from ...content.yamlfile import YamlFileError, parse_front_matter
from .report import CREATED, REVIEW, SKIPPED, UNCHANGED, UPDATED, ImportReport, Outcome
from .target import Target, TargetError, slugify

STATE_FILE = ".import-state.json"
REVIEW_FOLDER = "import-review"
STATE_VERSION = 1

SERVICE_ORDER = ("id", "title", "summary", "organisation", "needs", "ages", "levels", "hubs", "access",
                 "how_to_access", "free", "cost", "delivery", "languages", "interpreters", "contact",
                 "venues", "evidence", "keywords", "status", "last_reviewed", "review_months")
ORGANISATION_ORDER = ("id", "name", "website", "phone", "email")
CONTACT_ORDER = ("phone", "email", "website", "referral_form")
VENUE_ORDER = ("name", "address", "postcode", "hub", "schedule", "accessibility")
AGES_ORDER = ("min", "max", "pregnancy")
EVIDENCE_ORDER = ("rating", "source", "url")
_FLOW = {"needs", "levels", "access", "delivery", "languages", "keywords"}


# -- rendering ---------------------------------------------------------------

def _empty(value) -> bool:
    if isinstance(value, dict):
        return all(_empty(item) for item in value.values())
    return value is None or value == "" or value == []


# Text that YAML reads back as the same string when written bare: it starts with a letter, holds
# no indicator (':', '#', quotes, brackets...), and is not a word YAML 1.1 reads as a boolean or null.
# Only a shortcut past PyYAML's slow emitter: render_entry checks every entry reads back as written.
_PLAIN_BLOCK = re.compile(r"[^\W\d_][\w .,'()/&£%+-]*[\w.)%]|[^\W\d_]")
_PLAIN_FLOW = re.compile(r"[^\W\d_][\w .'()/&£%+-]*[\w.)%]|[^\W\d_]")
_PLAIN_LINK = re.compile(r"[^\W\d_][\w.~:/?#\[\]@!$&()*+,;=%-]*[\w/=)%-]")  # links and emails
_PLAIN_PHONE = re.compile(r"\+?[0-9][0-9()-]* [0-9 ()-]*[0-9]")
_YAML_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}


def _plain(value: str, flow: bool = False) -> bool:
    if flow:
        return bool(_PLAIN_FLOW.fullmatch(value)) and value.lower() not in _YAML_WORDS and "  " not in value
    return ((bool(_PLAIN_BLOCK.fullmatch(value)) or bool(_PLAIN_LINK.fullmatch(value))
             or bool(_PLAIN_PHONE.fullmatch(value)))
            and value.lower() not in _YAML_WORDS and "  " not in value and " #" not in value)


def _dump(value, flow: bool = True, fast: bool = True) -> str:
    """One YAML value on one line, quoted only where YAML needs it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if fast and isinstance(value, str) and _plain(value):
        return value
    if fast and flow and isinstance(value, list) and all(
            isinstance(item, (bool, int)) or (isinstance(item, str) and _plain(item, flow=True))
            for item in value):
        return "[" + ", ".join(_dump(item) for item in value) + "]"
    style = None
    if isinstance(value, str) and any(char in value for char in "\n\r\t\x85\u2028\u2029"):
        style = '"'  # escapes keep the value on one line, so indentation cannot break
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True, width=1_000_000,
                          sort_keys=False, default_style=style)
    text = text.removesuffix("...\n").rstrip("\n")
    if "\n" in text:  # pragma: no cover - guarded by the round-trip check in render_entry
        raise ValueError(f"value does not fit on one line: {value!r}")
    return text


def _ordered(mapping: dict, order) -> dict:
    ordered = {key: mapping[key] for key in order if key in mapping and not _empty(mapping[key])}
    ordered.update({key: value for key, value in mapping.items() if key not in ordered and not _empty(value)})
    return ordered


def _block(mapping: dict, order, indent: str, first_prefix: str | None = None,
           fast: bool = True) -> list[str]:
    lines = []
    for index, (key, value) in enumerate(_ordered(mapping, order).items()):
        prefix = first_prefix if (first_prefix is not None and index == 0) else indent
        lines.append(f"{prefix}{key}: {_dump(value, fast=fast)}")
    return lines


def render_entry(fields: dict, body: str = "", *, order=SERVICE_ORDER,
                 comments: list[str] | None = None) -> str:
    """A Markdown entry: front matter in the order of DESIGN.md, then the body.

    Empty values are left out. The front matter is parsed back and compared
    with ``fields``, so nothing is ever written that YAML would read differently.
    """
    data = _ordered(fields, order)
    body = body.strip("\n")
    for fast in (True, False):  # the shortcut past PyYAML's emitter, then PyYAML alone
        lines = ["---"]
        lines += [f"# {' '.join(comment.split())}".rstrip() for comment in comments or []]
        for key, value in data.items():
            if key == "ages" and isinstance(value, dict):
                lines.append(f"ages: {_dump(_ordered(value, AGES_ORDER), fast=fast)}")
            elif key == "evidence" and isinstance(value, dict):
                lines.append(f"evidence: {_dump(_ordered(value, EVIDENCE_ORDER), fast=fast)}")
            elif key == "contact" and isinstance(value, dict):
                lines.append("contact:")
                lines += _block(value, CONTACT_ORDER, "  ", fast=fast)
            elif key == "venues" and isinstance(value, list):
                lines.append("venues:")
                for venue in value:
                    lines += _block(venue, VENUE_ORDER, "    ", first_prefix="  - ", fast=fast)
            else:
                flow = key in _FLOW or isinstance(value, (list, dict))
                lines.append(f"{key}: {_dump(value, flow=flow, fast=fast)}")
        lines.append("---")
        text = "\n".join(lines) + "\n" + (body + "\n" if body else "")
        try:
            parsed = _parse(text)
        except YamlFileError:
            continue
        if _comparable(parsed.data) == _comparable(data) and parsed.body == body:
            return text
    raise ValueError(f"entry {fields.get('id')!r} would not read back as written")


@lru_cache(maxsize=8)
def _parse(text: str):
    # render_entry parses each entry to check it, and the rules read the same text straight after.
    return parse_front_matter(text)


def _comparable(value):
    if isinstance(value, dict):
        return {key: _comparable(item) for key, item in value.items() if not _empty(item)}
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# -- checking with the loader's rules -------------------------------------------------

def service_problems(text: str, service_id: str, target: Target, organisations: set[str],
                     today: dt.date) -> list[Problem]:
    """The errors ``earlyhelp check`` would report for this service file in ``target``."""
    source = f"services/{service_id}.md"
    try:
        document = _parse(text)
    except YamlFileError as error:  # pragma: no cover - render_entry always writes valid YAML
        return [Problem(source, error.line, "(file)", error.message)]
    problems: list[Problem] = []
    reader = EntryReader(source, document, document.data, problems=problems)
    service = entry_rules.read_service(reader, service_id, today)
    entry_rules.check_body_links(source, document, problems)
    content = target.content

    def report(field_name: str, message: str) -> None:
        problems.append(Problem(source, document.line_of(field_name), field_name, message))

    if service.organisation and service.organisation not in organisations:
        report("organisation", f"unknown organisation '{service.organisation}'")
    for index, need in enumerate(service.needs):
        if need not in content.needs:
            report(f"needs[{index}]", f"unknown need '{need}'")
    for index, hub in enumerate(service.hubs):
        if hub not in content.hubs:
            report(f"hubs[{index}]", f"unknown hub '{hub}'")
    for index, venue in enumerate(service.venues):
        if venue.hub and venue.hub not in content.hubs:
            report(f"venues[{index}].hub", f"unknown hub '{venue.hub}'")
    return [problem for problem in problems if problem.is_error]


def organisation_problems(text: str, organisation_id: str) -> list[Problem]:
    """The errors ``earlyhelp check`` would report for this organisation file."""
    source = f"organisations/{organisation_id}.md"
    document = parse_front_matter(text)
    problems: list[Problem] = []
    entry_rules.read_organisation(EntryReader(source, document, document.data, problems=problems),
                                  organisation_id)
    entry_rules.check_body_links(source, document, problems)
    return [problem for problem in problems if problem.is_error]


def describe(problem: Problem) -> str:
    """A problem as a review note: ``field: message``."""
    return f"{problem.field}: {problem.message}"


# -- the state file ----------------------------------------------------------

def sha256_of(data: bytes) -> str:
    """Hex sha256 of a file's bytes, as recorded in the state file."""
    return hashlib.sha256(data).hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
            _atomic_write(self.path, encoded)


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
        problems = service_problems(text, service_id, self.target, self.organisations, self.today)
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

        _atomic_write(self.root / destination, data)
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
        _atomic_write(self.root / destination, text.encode("utf-8"))
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
