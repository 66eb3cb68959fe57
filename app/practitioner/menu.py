"""The Menu of Interventions: the whole offer as needs x levels of need, a sortable table and a CSV.

The release reader (``app.release.reader``) reads the services; this module
orders them for the table view and writes the CSV. No Flask. Words for codes
and column headings come from the web layer, in the reader's language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..release.reader import ReleaseReader

_EVIDENCE_BASE = {"4": 0, "3": 1, "2": 2, "NL2": 3, "NE": 4}
_EVIDENCE_QUALIFIER = {"+": 0, "": 1, "*": 2}


def evidence_strength(rating: str | None) -> tuple[int, int]:
    """A sort key putting the strongest evidence first: 4+, 4, 4*, 3+ ... 2*, NL2, NE, then none."""
    rating = rating or ""
    base, qualifier = (rating[:-1], rating[-1]) if rating[-1:] in "+*" and rating else (rating, "")
    return _EVIDENCE_BASE.get(base, len(_EVIDENCE_BASE)), _EVIDENCE_QUALIFIER.get(qualifier, 1)


SORTS = {
    "title": lambda service: service["title"].casefold(),
    "organisation": lambda service: (service["organisation_name"] or "").casefold(),
    "ages": lambda service: (not service["pregnancy"], service["age_min"], service["age_max"]),
    "levels": lambda service: (min(service["levels"] or [9]), max(service["levels"] or [9])),
    "evidence": lambda service: evidence_strength(service["evidence_rating"]),
    "cost": lambda service: not service["free"],
}


def read_sort(value: str | None) -> tuple[str, bool]:
    """(column, descending) from ``sort=title`` or ``sort=-title``; unknown values sort by title."""
    value = (value or "").strip()
    descending = value.startswith("-")
    column = value.lstrip("-")
    return (column, descending) if column in SORTS else ("title", False)


def sorted_services(services: Sequence[dict], column: str, descending: bool = False) -> list[dict]:
    """Services sorted by a column of the table view; ties stay in title order."""
    by_title = sorted(services, key=SORTS["title"])
    return sorted(by_title, key=SORTS[column], reverse=descending)


def table_page(reader: ReleaseReader, hub: str | None, age_band: str | None, column: str,
               descending: bool, offset: int, limit: int) -> list[dict]:
    """One page of the table view, sorted by ``column``: every service is sorted on a few columns,
    and only the page's rows get their lists read."""
    ordered = sorted_services(reader.menu_table_candidates(hub, age_band), column, descending)
    return reader.menu_table_rows([service["id"] for service in ordered[offset:offset + limit]])


# Characters that make a spreadsheet read a cell as a formula (or, for tab and carriage return,
# let one slip past a check on the first character).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_safe(value: object) -> str:
    """A cell's text that Excel, LibreOffice and Google Sheets show as text, never run as a formula.

    Text starting with ``= + - @`` (or tab, CR, LF) gets a leading apostrophe,
    which spreadsheets hide and treat as "this is text"; numbers are written
    as they are.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document (RFC 4180, CRLF line ends) with every cell made spreadsheet-safe.

    Starts with a byte order mark so that Excel opens it as UTF-8 (names and
    places in Turkish, Polish or Bengali stay readable).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return "\ufeff" + out.getvalue()
