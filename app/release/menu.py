"""The Menu of Interventions' queries: a release's services by need and level, filtered by hub and age.

Domain code: ``app.practitioner.menu`` orders the table view and writes the
CSV; the release reader (``reader.py``) calls these on its connection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

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


def table_candidates(db: sqlite_utils.Database, hub: str | None, age_band: str | None) -> list[dict]:
    """Every service of the table view with the few columns it sorts on (levels as a sorted list)."""
    where, params = _filters(hub, age_band)
    candidates = [dict(row) for row in db.execute(
        "SELECT services.id, services.title, services.age_min, services.age_max, services.pregnancy, "
        "services.free, services.evidence_rating, organisations.name AS organisation_name, "
        "(SELECT group_concat(level_id) FROM service_levels WHERE service_id = services.id) AS level_list "
        f"{_FROM} WHERE {where}", params).fetchall()]
    for candidate in candidates:
        candidate["levels"] = sorted(int(level) for level in (candidate.pop("level_list") or "").split(",")
                                     if level)
    return candidates


def table_rows(db: sqlite_utils.Database, ids: list[str]) -> list[dict]:
    """The rows of a page of the table view, in the order of ``ids``, with their needs, levels and
    access routes."""
    services = _by_ids(db, ids)
    _attach_lists(db, services, ["needs", "levels", "access"])
    return [services[service_id] for service_id in ids]
