"""Read what a release publishes: the site settings, taxonomy, hubs, services and pages.

Queries a release's SQLite database (see ``publishing/database.py``) through a
connection whose rows are ``sqlite3.Row`` (as ``live.open_database`` makes them)
and returns plain dictionaries ready for pages and feeds. No Flask here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlite_utils

from .content.model import NO_UPPER_AGE

# Link tables holding the list fields of a service, and the key each is read into.
_SERVICE_LISTS = {
    "needs": ("service_needs", "need_id"),
    "levels": ("service_levels", "level_id"),
    "hubs": ("service_hubs", "hub_id"),
    "age_bands": ("service_age_bands", "age_band_id"),
    "access": ("service_access", "access_route"),
    "delivery": ("service_delivery", "delivery"),
    "languages": ("service_languages", "language"),
    "keywords": ("service_keywords", "keyword"),
}


@dataclass
class Directory:
    """What every page of a release needs: settings, taxonomy, hubs and pages (loaded once)."""

    site: dict[str, str]
    needs: dict[str, dict]
    age_bands: dict[str, dict]
    levels: dict[int, dict]
    hubs: dict[str, dict]
    pages: dict[str, dict] = field(default_factory=dict)


def load_directory(db: sqlite_utils.Database) -> Directory:
    """The settings and taxonomy of a release, in the order the content gives them."""
    synonyms: dict[str, list[str]] = {}
    for row in db["need_synonyms"].rows:
        synonyms.setdefault(row["need_id"], []).append(row["synonym"])
    needs = {row["id"]: {**dict(row), "synonyms": synonyms.get(row["id"], [])}
             for row in db["needs"].rows_where(order_by="position")}
    hubs = {row["id"]: {**dict(row), "areas": [], "wards": []}
            for row in db["hubs"].rows_where(order_by="name")}
    for row in db["hub_areas"].rows:
        hubs[row["hub_id"]]["areas"].append(row["area"])
    for row in db["hub_wards"].rows:
        hubs[row["hub_id"]]["wards"].append(row["ward"])
    return Directory(
        site={row["key"]: row["value"] or "" for row in db["site"].rows},
        needs=needs,
        age_bands={row["id"]: dict(row) for row in db["age_bands"].rows_where(order_by="position")},
        levels={row["id"]: dict(row) for row in db["levels"].rows_where(order_by="id")},
        hubs=hubs,
        pages={row["slug"]: {"slug": row["slug"], "title": row["title"], "summary": row["summary"]}
               for row in db["pages"].rows_where(order_by="title")},
    )


def is_overdue(service: dict, today: dt.date | None = None) -> bool:
    """Whether the entry's review date has passed (computed when read, so it never goes stale)."""
    due = service.get("review_due")
    return bool(due) and dt.date.fromisoformat(due) < (today or dt.date.today())


def _placeholders(values: list) -> str:
    return ",".join("?" * len(values))


def _attach_lists(db: sqlite_utils.Database, services: dict[str, dict], names: Iterable[str]) -> None:
    ids = list(services)
    for name in names:
        table, column = _SERVICE_LISTS[name]
        for service in services.values():
            service[name] = []
        if not ids:
            continue
        rows = db.execute(
            f"SELECT service_id, [{column}] FROM [{table}] WHERE service_id IN ({_placeholders(ids)}) "
            "ORDER BY service_id, position", ids)
        for service_id, value in rows.fetchall():
            services[service_id][name].append(value)


def _services_by_id(db: sqlite_utils.Database, ids: list[str], columns: str) -> dict[str, dict]:
    if not ids:
        return {}
    rows = db.execute(
        f"SELECT {columns}, organisations.name AS organisation_name FROM services "
        "LEFT JOIN organisations ON organisations.id = services.organisation_id "
        f"WHERE services.id IN ({_placeholders(ids)})", ids)
    found = {row["id"]: dict(row) for row in rows.fetchall()}
    return {service_id: found[service_id] for service_id in ids if service_id in found}


_CARD_COLUMNS = ("services.id, services.title, services.summary, services.age_min, services.age_max, "
                 "services.pregnancy, services.borough_wide, services.free, services.cost, "
                 "services.review_due, services.last_reviewed")


def service_cards(db: sqlite_utils.Database, ids: list[str]) -> list[dict]:
    """What a result card shows for each service, in the order of ``ids``."""
    services = _services_by_id(db, ids, _CARD_COLUMNS)
    _attach_lists(db, services, ("hubs", "access", "needs"))
    return list(services.values())


def service_details(db: sqlite_utils.Database, service_id: str) -> dict | None:
    """Everything a service page shows, or None when the id is not published."""
    services = _services_by_id(db, [service_id], "services.*")
    if not services:
        return None
    _attach_lists(db, services, _SERVICE_LISTS)
    service = services[service_id]
    organisation = db.execute("SELECT * FROM organisations WHERE id = ?", [service["organisation_id"]])
    service["organisation"] = dict(organisation.fetchone() or {}) or None
    service["venues"] = [dict(row) for row in db.execute(
        "SELECT * FROM venues WHERE service_id = ? ORDER BY position", [service_id]).fetchall()]
    return service


@dataclass
class NeedGroup:
    need: dict
    services: list[dict]
    total: int


def hub_services_by_need(db: sqlite_utils.Database, hub_id: str, needs: dict[str, dict],
                         limit: int = 5) -> list[NeedGroup]:
    """For each need, in taxonomy order, the first ``limit`` services based in a hub (by title)
    and how many there are. Borough-wide services are left out; needs with none too.

    A hub of a large borough holds thousands of services; the page shows a
    few per need and links to the full search.
    """
    rows = db.execute("""
        SELECT need_id, id, title, summary, total FROM (
            SELECT service_needs.need_id, services.id, services.title, services.summary,
                   row_number() OVER (PARTITION BY service_needs.need_id ORDER BY services.title) AS place,
                   count(*) OVER (PARTITION BY service_needs.need_id) AS total
            FROM services
            JOIN service_hubs ON service_hubs.service_id = services.id AND service_hubs.hub_id = ?
            JOIN service_needs ON service_needs.service_id = services.id
        ) WHERE place <= ? ORDER BY need_id, place""", [hub_id, limit]).fetchall()
    groups: dict[str, NeedGroup] = {}
    for need_id, service_id, title, summary, total in rows:
        if need_id in needs:
            group = groups.setdefault(need_id, NeedGroup(needs[need_id], [], total))
            group.services.append({"id": service_id, "title": title, "summary": summary})
    return [groups[need_id] for need_id in needs if need_id in groups]


def borough_wide_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM services WHERE borough_wide").fetchone()[0]


def page(db: sqlite_utils.Database, slug: str) -> dict | None:
    row = db.execute("SELECT * FROM pages WHERE slug = ?", [slug]).fetchone()
    return dict(row) if row else None


def service_index(db: sqlite_utils.Database) -> list[tuple[str, str | None]]:
    """Every published service id with its last review date, for the sitemap."""
    return [(row[0], row[1]) for row in db.execute(
        "SELECT id, last_reviewed FROM services ORDER BY id").fetchall()]


def has_no_upper_age(service: dict) -> bool:
    return service["age_max"] >= NO_UPPER_AGE
