"""The Menu of Interventions' queries: a release's services by need and level, filtered by hub and age.

Domain code: ``app.practitioner.menu`` orders the table view and writes the
CSV; the release reader (``reader.py``) calls these on its connection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from .directory import attach_lists, rows_for_ids
from .schema import SERVICE_LISTS

# List fields the menu needs, read from the release's link tables.
_LISTS = {name: SERVICE_LISTS[name]
          for name in ("needs", "levels", "hubs", "access", "delivery", "languages")}
_COLUMNS = ", ".join([*(f"services.{name}" for name in (
    "id", "title", "summary", "age_min", "age_max", "pregnancy", "borough_wide", "free", "cost",
    "how_to_access",
    "phone", "email", "website", "referral_form", "interpreters", "evidence_rating", "evidence_source",
    "evidence_url", "last_reviewed", "review_due")), "organisations.name AS organisation_name"])


_FROM = "FROM services LEFT JOIN organisations ON organisations.id = services.organisation_id"

# SQLite's NOCASE folds only A to Z; the menu sorts titles the same way in Python.
_NOCASE = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _title_order(service: dict) -> tuple[str, str]:
    return service["title"].translate(_NOCASE), service["id"]


def _by_ids(db: sqlite_utils.Database, ids: Iterable[str]) -> dict[str, dict]:
    """The menu's columns of the services ``ids`` (any order)."""
    return {row["id"]: dict(row) for row in rows_for_ids(
        db, f"SELECT {_COLUMNS} {_FROM} WHERE services.id IN ({{ids}})", ids)}


def _selected_ids(db: sqlite_utils.Database, hub: str | None, age_band: str | None) -> set[str] | None:
    """The services of a hub (its own and the borough-wide ones, as in search) and an age band, or
    None when neither is given (every service). Found from the link tables, so the services
    themselves are then read by id (``rows_for_ids``)."""
    selected = None
    if hub:
        selected = {row[0] for row in db.execute(
            "SELECT service_id FROM service_hubs WHERE hub_id = ?", [hub])}
        selected.update(row[0] for row in db.execute("SELECT id FROM services WHERE borough_wide"))
    if age_band:
        in_band = {row[0] for row in db.execute(
            "SELECT service_id FROM service_age_bands WHERE age_band_id = ?", [age_band])}
        selected = in_band if selected is None else selected & in_band
    return selected


def _select(db: sqlite_utils.Database, columns: str, selected: set[str] | None) -> list:
    """``columns`` of the selected services (every service when ``selected`` is None)."""
    if selected is None:
        return db.execute(f"SELECT {columns} {_FROM}").fetchall()
    return rows_for_ids(db, f"SELECT {columns} {_FROM} WHERE services.id IN ({{ids}})", selected)


def _links(db: sqlite_utils.Database, name: str, selected: set[str] | None) -> list[tuple]:
    """(service id, value) of a list field, for the selected services (in no particular order)."""
    table, column = SERVICE_LISTS[name]
    sql = f"SELECT service_id, [{column}] FROM [{table}]"
    if selected is None:
        return db.execute(sql).fetchall()
    return rows_for_ids(db, f"{sql} WHERE service_id IN ({{ids}})", selected)


def count_services(db: sqlite_utils.Database, hub: str | None = None, age_band: str | None = None) -> int:
    selected = _selected_ids(db, hub, age_band)
    if selected is None:
        return db.execute("SELECT count(*) FROM services").fetchone()[0]
    return len(selected)


def menu_services(db: sqlite_utils.Database, hub: str | None = None,
                  age_band: str | None = None) -> list[dict]:
    """Every published service (by title) with every field the CSV needs, optionally for one hub
    and age band."""
    services = {row["id"]: dict(row) for row in _select(db, _COLUMNS, _selected_ids(db, hub, age_band))}
    attach_lists(db, services, [*_LISTS, "venues"])
    return sorted(services.values(), key=_title_order)


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

    Each cell holds at most ``per_cell`` services (by title; only those are
    read in full, so a borough of 10,000 services reads a few hundred); needs
    without any service are left out, so a filtered menu stays short.
    """
    levels = list(levels)
    selected = _selected_ids(db, hub, age_band)
    titles = {row["id"]: row for row in _select(db, "services.id, services.title", selected)}
    levels_of: dict[str, list[int]] = {}
    for service_id, level in _links(db, "levels", selected):
        levels_of.setdefault(service_id, []).append(level)
    cells: dict[tuple[str, int], list[dict]] = {}
    for service_id, need_id in _links(db, "needs", selected):
        for level in levels_of.get(service_id, ()):
            cells.setdefault((need_id, level), []).append(titles[service_id])
    for key, found in cells.items():
        cells[key] = sorted(found, key=_title_order)
    shown = _by_ids(db, {row["id"] for found in cells.values() for row in found[:per_cell]})
    attach_lists(db, shown, ["access"])
    rows = []
    for need_id, need in needs.items():
        row = MenuRow(need, [])
        for level in levels:
            found = cells.get((need_id, level), [])
            row.cells.append(MenuCell([shown[service["id"]] for service in found[:per_cell]], len(found)))
        if any(cell.total for cell in row.cells):
            rows.append(row)
    return rows


def table_candidates(db: sqlite_utils.Database, hub: str | None, age_band: str | None) -> list[dict]:
    """Every service of the table view with the few columns it sorts on (levels as a sorted list)."""
    selected = _selected_ids(db, hub, age_band)
    candidates = {row["id"]: {**dict(row), "levels": []} for row in _select(
        db, "services.id, services.title, services.age_min, services.age_max, services.pregnancy, "
        "services.free, services.evidence_rating, organisations.name AS organisation_name", selected)}
    for service_id, level in _links(db, "levels", selected):
        candidates[service_id]["levels"].append(level)
    for candidate in candidates.values():
        candidate["levels"].sort()
    return list(candidates.values())


def table_rows(db: sqlite_utils.Database, ids: list[str]) -> list[dict]:
    """The rows of a page of the table view, in the order of ``ids``, with their needs, levels and
    access routes."""
    services = _by_ids(db, ids)
    attach_lists(db, services, ["needs", "levels", "access"])
    return [services[service_id] for service_id in ids]
