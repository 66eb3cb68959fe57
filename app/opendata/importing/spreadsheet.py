"""Services as a spreadsheet: ``earlyhelp import csv`` and ``earlyhelp export csv``.

One row per service, in the columns of :data:`COLUMNS` (documented in
docs/csv-import.md). A service with more than one venue takes one more row
per extra venue: the same id, the title left empty, only the venue columns
filled. Lists (needs, levels, hubs, ...) are separated by ``;``.

A row with a problem is reported as ``FILE:ROW: column: message`` (rows
numbered as a spreadsheet shows them, the header being row 1) and not
written; every good row is written through the same writer as the ORUK
import, so the same re-run rules apply.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ...content import ContentError, load_content
from ...content.fields import ID_PATTERN
from ...content.model import ACCESS_ROUTES, BOROUGH_WIDE, DELIVERY_MODES, NO_UPPER_AGE, Service
from ...content.writing import render_entry, service_problems
from .report import ImportReport
from .target import Target, language_code, normalise, slugify
from .writer import EntryWriter

COLUMNS = (
    "id", "title", "summary", "organisation", "needs", "age_min", "age_max", "pregnancy", "levels", "hubs",
    "access", "how_to_access", "free", "cost", "delivery", "languages", "interpreters",
    "phone", "email", "website", "referral_form",
    "venue_name", "venue_address", "venue_postcode", "venue_hub", "venue_schedule", "venue_accessibility",
    "evidence_rating", "evidence_source", "evidence_url",
    "keywords", "status", "last_reviewed", "review_months", "body",
)
VENUE_COLUMNS = ("venue_name", "venue_address", "venue_postcode", "venue_hub", "venue_schedule",
                 "venue_accessibility")
REQUIRED_COLUMNS = ("title", "summary", "organisation", "needs", "age_min", "levels", "hubs", "access",
                    "free", "delivery")
CONTACT_COLUMNS = ("phone", "email", "website", "referral_form")
# Headers other spreadsheets use for the same thing.
ALIASES = {"organization": "organisation", "name": "title", "service": "title", "minimum_age": "age_min",
           "maximum_age": "age_max", "min_age": "age_min", "max_age": "age_max", "telephone": "phone",
           "url": "website", "postcode": "venue_postcode", "description": "body", "level": "levels",
           "need": "needs", "hub": "hubs"}
TRUE_WORDS = {"yes", "y", "true", "1", "x"}
FALSE_WORDS = {"no", "n", "false", "0"}
SEPARATOR = ";"


class CsvFileError(Exception):
    """The file cannot be read as a spreadsheet of services at all."""


@dataclass
class Row:
    """One spreadsheet row: its number as a spreadsheet shows it, and its cells by column."""

    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        """The cell in ``column`` ("" when the column or the cell is empty)."""
        return self.cells.get(column, "")

    def has_venue(self) -> bool:
        """Whether any venue column is filled."""
        return any(self.get(column) for column in VENUE_COLUMNS)


@dataclass
class RowProblems:
    """Problems of one service's rows, each as (row, column, message)."""

    items: list[tuple[int, str, str]] = field(default_factory=list)

    def add(self, row: int, column: str, message: str) -> None:
        """Record a problem once."""
        if (row, column, message) not in self.items:
            self.items.append((row, column, message))


# -- reading the file -----------------------------------------------------------------

def decode(raw: bytes) -> tuple[str, str | None]:
    """Text of a CSV file: UTF-8 with or without a BOM, else Windows-1252 (Excel's "CSV")."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "the file is not UTF-8; it was read as Windows-1252 " \
                                                       "(Excel's 'CSV'). Save as 'CSV UTF-8' to be sure."


def _header_name(cell: str) -> str:
    name = re.sub(r"[\s-]+", "_", cell.strip().strip("\ufeff").lower())
    return ALIASES.get(name, name)


def read_rows(path: Path) -> tuple[list[Row], list[str], list[str]]:
    """(rows, header problems as "ROW: column: message", notes) of a CSV file."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise CsvFileError(f"{path}: cannot be read ({error.strerror})") from None
    text, note = decode(raw)
    notes = [note] if note else []
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not records or not any(cell.strip() for cell in records[0]):
        raise CsvFileError(f"{path}: empty; the first row must name the columns (see docs/csv-import.md)")
    header = [_header_name(cell) for cell in records[0]]
    problems = []
    for name in header:
        if name and name not in COLUMNS:
            notes.append(f"column '{name}' is not one we know; it was ignored")
    for name in REQUIRED_COLUMNS:
        if name not in header:
            problems.append(f"1: {name}: column is missing (see docs/csv-import.md)")
    if not any(name in header for name in CONTACT_COLUMNS):
        problems.append("1: phone: there must be at least one of the columns " + ", ".join(CONTACT_COLUMNS))
    rows = []
    for number, record in enumerate(records[1:], start=2):
        cells: dict[str, str] = {}
        for name, value in zip(header, record, strict=False):
            if name in COLUMNS and name not in cells:
                cells[name] = value.replace("\r\n", "\n").replace("\r", "\n")
        if any(value.strip() for value in cells.values()):
            rows.append(Row(number, cells))
    return rows, problems, notes


def group_rows(rows: list[Row]) -> list[list[Row]]:
    """Rows grouped per service: a titled row, then the venue rows that follow it."""
    groups: list[list[Row]] = []
    for row in rows:
        continues = not row.get("title").strip() and row.has_venue() and groups and \
            row.get("id").strip() in ("", groups[-1][0].get("id").strip())
        if continues:
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


# -- one service from its rows -----------------------------------------------------------

class RowMapper:
    """Turns the rows of one service into entry fields, collecting problems by row and column."""

    def __init__(self, target: Target, today: dt.date):
        self.target = target
        self.today = today

    def split(self, value: str) -> list[str]:
        """The items of a list cell ("a; b; c")."""
        return [part.strip() for part in value.split(SEPARATOR) if part.strip()]

    def _choices(self, row: Row, column: str, match, problems: RowProblems, what: str) -> list:
        found = []
        for part in self.split(row.get(column)):
            value = match(part)
            if value is None:
                problems.add(row.number, column, f"'{part}' is not {what}")
            elif value not in found:
                found.append(value)
        return found

    def boolean(self, row: Row, column: str, problems: RowProblems) -> bool | None:
        """A yes/no cell; None when empty or unreadable (then a problem is recorded)."""
        value = row.get(column).strip().lower()
        if not value:
            return None
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        problems.add(row.number, column, f"'{row.get(column).strip()}' is not yes or no")
        return None

    def integer(self, row: Row, column: str, problems: RowProblems, low: int, high: int) -> int | None:
        """A whole number from ``low`` to ``high``; None when empty or out of range."""
        value = row.get(column).strip()
        if not value:
            return None
        if re.fullmatch(r"\d+(\.0+)?", value) and low <= int(float(value)) <= high:
            return int(float(value))
        problems.add(row.number, column, f"'{value}' is not a whole number from {low} to {high}")
        return None

    def date(self, row: Row, column: str, problems: RowProblems) -> dt.date | None:
        """A date written YYYY-MM-DD or DD/MM/YYYY; None when empty or unreadable."""
        value = row.get(column).strip()
        if not value:
            return None
        uk = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
        try:
            if uk:  # what a UK spreadsheet shows once it has turned the cell into a date
                return dt.date(int(uk.group(3)), int(uk.group(2)), int(uk.group(1)))
            return dt.date.fromisoformat(value)
        except ValueError:
            problems.add(row.number, column, f"'{value}' is not a date; write it as YYYY-MM-DD")
            return None

    def phone(self, row: Row, problems: RowProblems) -> str:
        """The phone cell, with a problem when a spreadsheet has eaten its leading 0."""
        value = " ".join(row.get("phone").split())
        if re.fullmatch(r"[1-9]\d{8,9}", value):
            problems.add(row.number, "phone", f"'{value}' has lost its leading 0 (spreadsheets do this to "
                                              "numbers); format the column as text and type it again")
        return value

    def level(self, value: str) -> int | None:
        """A level of need from its number or label."""
        if value.isdigit() and int(value) in self.target.content.levels:
            return int(value)
        return self.target.level(value)

    def hubs(self, row: Row, problems: RowProblems):
        """'all' or the hub ids the hubs cell names."""
        value = row.get("hubs").strip()
        if normalise(value) in ("all", "borough wide", "boroughwide"):
            return BOROUGH_WIDE
        return self._choices(row, "hubs", self.target.hub, problems,
                             "a hub; use a hub id or name, or 'all' for borough-wide")

    def venue(self, row: Row, problems: RowProblems) -> dict:
        """The venue in a row's venue columns."""
        hub = ""
        if row.get("venue_hub").strip():
            hub = self.target.hub(row.get("venue_hub").strip()) or ""
            if not hub:
                problems.add(row.number, "venue_hub", f"'{row.get('venue_hub').strip()}' is not a hub")
        return {"name": row.get("venue_name").strip(), "address": row.get("venue_address").strip(),
                "postcode": row.get("venue_postcode").strip().upper(), "hub": hub,
                "schedule": row.get("venue_schedule").strip(),
                "accessibility": row.get("venue_accessibility").strip()}

    def fields(self, rows: list[Row], problems: RowProblems) -> tuple[dict, str]:
        """The entry's fields and body from the service's rows."""
        first = rows[0]
        text = {column: first.get(column).strip() for column in COLUMNS}
        ages: dict = {}
        low = self.integer(first, "age_min", problems, 0, NO_UPPER_AGE)
        high = self.integer(first, "age_max", problems, 0, NO_UPPER_AGE)
        if low is not None:
            ages["min"] = low
            ages["max"] = NO_UPPER_AGE if high is None else high
        if self.boolean(first, "pregnancy", problems):
            ages["pregnancy"] = True
        evidence = {"rating": text["evidence_rating"], "source": text["evidence_source"],
                    "url": text["evidence_url"]}
        fields = {
            "title": text["title"],
            "summary": text["summary"],
            "organisation": text["organisation"],
            "needs": self._choices(first, "needs", self.target.need, problems,
                                   "a need; use an id, label or synonym from taxonomy/needs.yml"),
            "ages": ages,
            "levels": self._choices(first, "levels", self.level, problems, "a level of need (1, 2, 3 or 4)"),
            "hubs": self.hubs(first, problems),
            "access": self._choices(first, "access", lambda value: value if value in ACCESS_ROUTES else
                                    self.target.access(value), problems,
                                    f"a way in; use {', '.join(ACCESS_ROUTES)}"),
            "how_to_access": text["how_to_access"],
            "free": self.boolean(first, "free", problems),
            "cost": text["cost"],
            "delivery": self._choices(first, "delivery", lambda value: value if value in DELIVERY_MODES else
                                      self.target.delivery(value), problems,
                                      f"a way of delivering it; use {', '.join(DELIVERY_MODES)}"),
            "languages": self._choices(first, "languages", language_code, problems,
                                       "a language; use two-letter codes such as en, pl, so"),
            "interpreters": True if self.boolean(first, "interpreters", problems) else None,
            "contact": {"phone": self.phone(first, problems), "email": text["email"],
                        "website": text["website"], "referral_form": text["referral_form"]},
            "venues": [self.venue(row, problems) for row in rows if row.has_venue()],
            "evidence": {key: value for key, value in evidence.items() if value},
            "keywords": self.split(first.get("keywords")),
            "status": text["status"].lower() or "published",
            "last_reviewed": self.date(first, "last_reviewed", problems),
            "review_months": self.integer(first, "review_months", problems, 1, 60),
        }
        if fields["free"] is None and not first.get("free").strip():
            problems.add(first.number, "free", "say yes or no")
        return fields, first.get("body").strip("\n")


def _column_of(field_path: str, rows: list[Row]) -> tuple[int, str]:
    """The (row, column) where a loader problem on ``field_path`` shows in the spreadsheet."""
    venue = re.match(r"venues\[(\d+)\](?:\.(\w+))?", field_path)
    if venue:
        venue_rows = [row for row in rows if row.has_venue()]
        index = int(venue.group(1))
        row = venue_rows[index] if index < len(venue_rows) else rows[0]
        return row.number, f"venue_{venue.group(2) or 'name'}"
    top, _, rest = field_path.partition(".")
    top = top.split("[")[0]
    column = {"ages": {"min": "age_min", "max": "age_max", "pregnancy": "pregnancy", "": "age_min"}.get(rest),
              "contact": rest or "phone", "evidence": f"evidence_{rest or 'rating'}",
              "(file)": "id", "(front matter)": "id", "": "id"}.get(top, top)
    return rows[0].number, column or top


# -- the import ---------------------------------------------------------------------------

def import_csv(path: str | Path, into: str | Path, *, force: bool = False,
               today: dt.date | None = None) -> ImportReport:
    """Import the services of a CSV file into the content folder ``into``.

    Bad rows are listed in ``report.bad_rows`` as ``FILE:ROW: column: message``
    and not written; good rows are written. Raises CsvFileError or TargetError
    when nothing can be imported at all.
    """
    target = Target.load(into, today)
    today = today or dt.date.today()
    all_rows, header_problems, notes = read_rows(Path(path))
    report = ImportReport(source=str(path), into=str(into))
    report.notes.extend(notes)
    if header_problems:
        report.bad_rows = [f"{path}:{problem}" for problem in header_problems]
        return report
    errors_before = {str(problem) for problem in target.content.errors}
    writer = EntryWriter(target, report, origin=f"csv:{Path(path).resolve()}", force=force, today=today)
    mapper = RowMapper(target, today)
    new_organisations: dict[str, str] = {}
    used_keys: dict[str, int] = {}

    for rows in group_rows(all_rows):
        first = rows[0]
        problems = RowProblems()
        title = first.get("title").strip()
        explicit = first.get("id").strip()
        if not title:
            problems.add(first.number, "title", "is required (a row without a title may only add a venue to "
                                                "the service above it)")
        if explicit and not ID_PATTERN.match(explicit):
            problems.add(first.number, "id",
                         f"'{explicit}' is not a valid id (use a-z, 0-9 and single hyphens)")
            explicit = ""
        key = f"csv:service:{explicit or slugify(title, fallback='service')}"
        if key in used_keys:
            column = "id" if explicit else "title"
            problems.add(first.number, column, f"the same service as row {used_keys[key]}"
                                               + ("" if explicit else "; give each row its own id"))
        else:
            used_keys[key] = first.number
        fields, body = mapper.fields(rows, problems)
        organisation_id, new_organisation = _organisation(fields["organisation"], target, writer,
                                                          new_organisations)
        fields["organisation"] = organisation_id
        filled = {}
        if fields["last_reviewed"] is None:
            fields["last_reviewed"] = dt.date.fromisoformat(writer.remembered(key, "last_reviewed",
                                                                              today.isoformat()))
            filled["last_reviewed"] = fields["last_reviewed"].isoformat()
        service_id = (explicit or writer.state.entries.get(key, {}).get("id")
                      or writer.new_id("services", title))
        # The loader's rules too, so a row's every problem is reported at once; a column that
        # already has a problem from reading the cell is not reported twice.
        known = writer.organisations | ({organisation_id} if new_organisation else set())
        text = render_entry({"id": service_id, **fields}, body)
        noted = {column for _row, column, _message in problems.items}
        if "free" in noted:  # "say what it costs" follows from a free cell that could not be read
            noted.add("cost")
        for problem in service_problems(text, service_id, target.content, known, writer.today):
            row_number, column = _column_of(problem.field, rows)
            if column not in noted:
                problems.add(row_number, column, problem.message)
        if problems.items:
            report.rows_not_imported += len(rows)
            report.bad_rows += [f"{path}:{number}: {column}: {message}"
                                for number, column, message in sorted(problems.items)]
            continue
        if new_organisation:
            writer.write_organisation(f"csv:organisation:{normalise(new_organisation)}", organisation_id,
                                      {"name": new_organisation})
            new_organisations[normalise(new_organisation)] = organisation_id
        elif organisation_id:
            writer.keep(f"csv:organisation:{normalise(first.get('organisation').strip())}")
        if filled:
            report.missed("last_reviewed: empty; set to the import date", title)
        writer.write_service(key, writer.entry_id("services", key, title, exact=service_id), fields, body,
                             filled=filled)
    return writer.finish(errors_before)


def _organisation(value: str, target: Target, writer: EntryWriter,
                  created: dict[str, str]) -> tuple[str, str | None]:
    """(organisation id, name of a new organisation to write or None) for the organisation cell."""
    if not value:
        return "", None
    key = f"csv:organisation:{normalise(value)}"
    record = writer.state.entries.get(key)
    if record and (target.root / record["path"]).exists():
        # Created by an earlier import: only its name came from the spreadsheet, so editors own the rest.
        return record["id"], None
    existing = target.organisation(value) or created.get(normalise(value))
    if existing:
        return existing, None
    if record:
        return record["id"], value
    return writer.new_id("organisations", value), value


# -- the export ---------------------------------------------------------------------------

def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def service_rows(service: Service) -> list[dict[str, str]]:
    """The spreadsheet rows of one service: the service, then one more per extra venue."""
    evidence = service.evidence
    row = {
        "id": service.id, "title": service.title, "summary": service.summary,
        "organisation": service.organisation, "needs": "; ".join(service.needs),
        "age_min": str(service.age_min), "age_max": str(service.age_max),
        "pregnancy": _yes_no(service.pregnancy), "levels": "; ".join(map(str, service.levels)),
        "hubs": BOROUGH_WIDE if service.borough_wide else "; ".join(service.hubs),
        "access": "; ".join(service.access), "how_to_access": service.how_to_access,
        "free": _yes_no(service.free), "cost": service.cost, "delivery": "; ".join(service.delivery),
        "languages": "; ".join(service.languages), "interpreters": _yes_no(service.interpreters),
        "phone": service.contact.phone, "email": service.contact.email, "website": service.contact.website,
        "referral_form": service.contact.referral_form,
        "evidence_rating": evidence.rating if evidence else "",
        "evidence_source": evidence.source if evidence else "",
        "evidence_url": evidence.url if evidence else "",
        "keywords": "; ".join(service.keywords), "status": service.status,
        "last_reviewed": service.last_reviewed.isoformat() if service.last_reviewed else "",
        "review_months": str(service.review_months or ""), "body": service.body,
    }
    rows = [row]
    for index, venue in enumerate(service.venues):
        venue_cells = {"venue_name": venue.name, "venue_address": venue.address,
                       "venue_postcode": venue.postcode, "venue_hub": venue.hub,
                       "venue_schedule": venue.schedule, "venue_accessibility": venue.accessibility}
        if index == 0:
            row.update(venue_cells)
        else:
            rows.append({"id": service.id, **venue_cells})
    return rows


def write_csv(services: Iterable[Service], stream) -> int:
    """Write ``services`` as CSV to a text stream; returns the number of services."""
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for service in services:
        writer.writerows(service_rows(service))
        count += 1
    return count


def export_csv(content_dir: str | Path, stream) -> int:
    """Every service of a content folder (all statuses) as CSV; raises ContentError if it has errors."""
    content = load_content(content_dir)
    content.raise_for_errors()
    return write_csv(sorted(content.services.values(), key=lambda service: service.id), stream)


__all__ = ["COLUMNS", "ContentError", "CsvFileError", "export_csv", "import_csv", "service_rows", "write_csv"]
