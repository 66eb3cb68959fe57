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

from ..release.schema import SERVICE_LISTS

# List fields the menu needs, read from the release's link tables.
_LISTS = {name: SERVICE_LISTS[name]
          for name in ("needs", "levels", "hubs", "access", "delivery", "languages")}
_COLUMNS = ", ".join([*(f"services.{name}" for name in (
    "id", "title", "summary", "age_min", "age_max", "pregnancy", "borough_wide", "free", "cost",
    "how_to_access",
    "phone", "email", "website", "referral_form", "interpreters", "evidence_rating", "evidence_source",
    "evidence_url", "last_reviewed", "review_due")), "organisations.name AS organisation_name"])


_FROM = "FROM services LEFT JOIN organisations ON organisations.id = services.organisation_id"


def _by_ids(db: sqlite_utils.Database, ids: list[str]) -> dict[str, dict]:
    """The menu's columns of the services ``ids`` (any order)."""
    if not ids:
        return {}
    rows = db.execute(f"SELECT {_COLUMNS} {_FROM} WHERE services.id IN ({','.join('?' * len(ids))})", ids)
    return {row["id"]: dict(row) for row in rows.fetchall()}


def _filters(hub: str | None, age_band: str | None) -> tuple[str, list]:
    """SQL conditions on ``services`` for a hub (its services and the borough-wide ones, as in
    search) and an age band."""
    where, params = ["1"], []
    if hub:
        where.append("(services.borough_wide OR services.id IN "
                     "(SELECT service_id FROM service_hubs WHERE hub_id = ?))")
        params.append(hub)
    if age_band:
        where.append("services.id IN (SELECT service_id FROM service_age_bands WHERE age_band_id = ?)")
        params.append(age_band)
    return " AND ".join(where), params


def _attach_lists(db: sqlite_utils.Database, services: dict[str, dict], names: Iterable[str]) -> None:
    """Read the list fields (and venues) of ``services`` from the link tables, for those ids only."""
    ids = list(services)
    marks = ",".join("?" * len(ids))
    for name in names:
        for service in services.values():
            service[name] = []
        if not ids:
            continue
        if name == "venues":
            for row in db.execute(f"SELECT * FROM venues WHERE service_id IN ({marks}) "
                                  "ORDER BY service_id, position", ids).fetchall():
                services[row["service_id"]]["venues"].append(dict(row))
            continue
        table, column = _LISTS[name]
        for service_id, value in db.execute(
                f"SELECT service_id, [{column}] FROM [{table}] WHERE service_id IN ({marks}) "
                "ORDER BY service_id, position", ids).fetchall():
            services[service_id][name].append(value)


def count_services(db: sqlite_utils.Database, hub: str | None = None, age_band: str | None = None) -> int:
    where, params = _filters(hub, age_band)
    return db.execute(f"SELECT count(*) FROM services WHERE {where}", params).fetchone()[0]


def menu_services(db: sqlite_utils.Database, hub: str | None = None,
                  age_band: str | None = None) -> list[dict]:
    """Every published service (by title) with every field the CSV needs, optionally for one hub
    and age band."""
    where, params = _filters(hub, age_band)
    services = {row["id"]: dict(row) for row in db.execute(
        f"SELECT {_COLUMNS} {_FROM} WHERE {where} ORDER BY services.title COLLATE NOCASE", params).fetchall()}
    _attach_lists(db, services, [*_LISTS, "venues"])
    return list(services.values())


@dataclass
class MenuCell:
    """The first services of a need at a level (by title), and how many there are in all."""

    services: list[dict]
    total: int


@dataclass
class MenuRow:
    """One need, and a cell for each level of need (in the order of the levels)."""

    need: dict
    cells: list[MenuCell]


def menu_grid(db: sqlite_utils.Database, needs: dict[str, dict], levels: Iterable[int],
              hub: str | None = None, age_band: str | None = None, per_cell: int = 12) -> list[MenuRow]:
    """Rows of needs (taxonomy order) by columns of levels; a service sits in every cell it matches.

    Each cell holds at most ``per_cell`` services (ranked in SQL, so a borough
    of 10,000 services reads a few hundred rows); needs without any service
    are left out, so a filtered menu stays short.
    """
    levels = list(levels)
    where, params = _filters(hub, age_band)
    found = db.execute(f"""
        SELECT need_id, level_id, id, total FROM (
            SELECT service_needs.need_id, service_levels.level_id, services.id,
                   row_number() OVER (PARTITION BY service_needs.need_id, service_levels.level_id
                                      ORDER BY services.title COLLATE NOCASE) AS place,
                   count(*) OVER (PARTITION BY service_needs.need_id, service_levels.level_id) AS total
            FROM services
            JOIN service_needs ON service_needs.service_id = services.id
            JOIN service_levels ON service_levels.service_id = services.id
            WHERE {where}
        ) WHERE place <= ? ORDER BY need_id, level_id, place""", [*params, per_cell]).fetchall()
    ids = list(dict.fromkeys(row["id"] for row in found))
    services = _by_ids(db, ids)
    _attach_lists(db, services, ["access"])
    rows = {need_id: MenuRow(need, [MenuCell([], 0) for _ in levels]) for need_id, need in needs.items()}
    for row in found:
        if row["need_id"] in rows and row["level_id"] in levels:
            cell = rows[row["need_id"]].cells[levels.index(row["level_id"])]
            cell.services.append(services[row["id"]])
            cell.total = row["total"]
    return [row for row in rows.values() if any(cell.total for cell in row.cells)]


def table_page(db: sqlite_utils.Database, hub: str | None, age_band: str | None, column: str,
               descending: bool, offset: int, limit: int) -> list[dict]:
    """One page of the table view, sorted by ``column``: every service is sorted on a few columns,
    and only the page's rows get their lists read."""
    where, params = _filters(hub, age_band)
    candidates = [dict(row) for row in db.execute(
        "SELECT services.id, services.title, services.age_min, services.age_max, services.pregnancy, "
        "services.free, services.evidence_rating, organisations.name AS organisation_name, "
        "(SELECT group_concat(level_id) FROM service_levels WHERE service_id = services.id) AS level_list "
        f"{_FROM} WHERE {where}", params).fetchall()]
    for candidate in candidates:
        candidate["levels"] = sorted(int(level) for level in (candidate.pop("level_list") or "").split(",")
                                     if level)
    ordered = sorted_services(candidates, column, descending)
    chosen = [service["id"] for service in ordered[offset:offset + limit]]
    services = _by_ids(db, chosen)
    _attach_lists(db, services, ["needs", "levels", "access"])
    return [services[service_id] for service_id in chosen]


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
