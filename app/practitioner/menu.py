"""The Menu of Interventions: the whole offer as needs x levels of need, a sortable table and a CSV.

Reads a release's database (rows as ``sqlite3.Row``, as ``live.open_database``
makes them); no Flask. Words for codes and column headings come from the web
layer, in the reader's language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlite_utils

# List fields the menu needs, read from the release's link tables.
_LISTS = {
    "needs": ("service_needs", "need_id"),
    "levels": ("service_levels", "level_id"),
    "hubs": ("service_hubs", "hub_id"),
    "access": ("service_access", "access_route"),
    "delivery": ("service_delivery", "delivery"),
    "languages": ("service_languages", "language"),
}
_COLUMNS = ", ".join([*(f"services.{name}" for name in (
    "id", "title", "summary", "age_min", "age_max", "pregnancy", "borough_wide", "free", "cost",
    "how_to_access",
    "phone", "email", "website", "referral_form", "interpreters", "evidence_rating", "evidence_source",
    "evidence_url", "last_reviewed", "review_due")), "organisations.name AS organisation_name"])


def menu_services(db: sqlite_utils.Database, hub: str | None = None,
                  age_band: str | None = None) -> list[dict]:
    """Every published service (by title) with what the menu shows, optionally for one hub and age band.

    A hub's services include the borough-wide ones, as in search.
    """
    where, params = [], []
    if hub:
        where.append("(services.borough_wide OR services.id IN "
                     "(SELECT service_id FROM service_hubs WHERE hub_id = ?))")
        params.append(hub)
    if age_band:
        where.append("services.id IN (SELECT service_id FROM service_age_bands WHERE age_band_id = ?)")
        params.append(age_band)
    sql = (f"SELECT {_COLUMNS} FROM services "
           "LEFT JOIN organisations ON organisations.id = services.organisation_id"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY services.title COLLATE NOCASE")
    services = {row["id"]: {**dict(row), **{name: [] for name in _LISTS}, "venues": []}
                for row in db.execute(sql, params).fetchall()}
    for name, (table, column) in _LISTS.items():
        for service_id, value in db.execute(
                f"SELECT service_id, [{column}] FROM [{table}] ORDER BY service_id, position").fetchall():
            if service_id in services:
                services[service_id][name].append(value)
    for row in db.execute("SELECT * FROM venues ORDER BY service_id, position").fetchall():
        if row["service_id"] in services:
            services[row["service_id"]]["venues"].append(dict(row))
    return list(services.values())


@dataclass
class MenuRow:
    """One need, and the services at each level of need (in the order of ``levels``)."""

    need: dict
    cells: list[list[dict]]

    @property
    def total(self) -> int:
        return len({service["id"] for cell in self.cells for service in cell})


def menu_grid(services: Iterable[dict], needs: dict[str, dict], levels: Iterable[int]) -> list[MenuRow]:
    """Rows of needs (taxonomy order) by columns of levels; a service sits in every cell it matches.

    Needs without any service are left out, so a filtered menu stays short.
    """
    levels = list(levels)
    rows = {need_id: MenuRow(need, [[] for _ in levels]) for need_id, need in needs.items()}
    for service in services:
        for need_id in service["needs"]:
            if need_id in rows:
                for level in service["levels"]:
                    if level in levels:
                        rows[need_id].cells[levels.index(level)].append(service)
    return [row for row in rows.values() if any(row.cells)]


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
