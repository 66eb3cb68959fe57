"""The SQLite schema of a release: every table and column, written by publishing and read by readers.

``app/publishing/database.py`` creates these tables and fills them; the
readers in this package query them. One table per kind of entry, and a link
table for every list field of a service (one row per value, in the entry's
order), so pages, practitioner tools and the Open Referral feed query without
parsing Markdown again. Changing a table here changes both sides at once.
"""

from __future__ import annotations

import sqlite_utils

# The files of a release folder.
DATABASE_FILE = "directory.db"
# Beside it in a release built incrementally: the rows of the services changed since
# directory.db was written (which is then shared with earlier releases, never written again).
CHANGES_FILE = "changes.db"
# Every entry file's fingerprint (path -> 16 hex digits), as JSON, of the release that wrote it; the
# incremental releases built on it share it (hard link) and list their differences in the manifest.
ENTRIES_FILE = "entries.json"
WHOOSH_FOLDER = "whoosh"
# Bump when the database or index layout changes: a release of another
# version is never updated in place, only rebuilt.
# 4: venues.hours; 5: changes.db; 6: entries.json, word postings without positions, pair fields
SCHEMA_VERSION = 6

# name -> (columns, primary key, foreign keys)
TABLES = {
    "site": ({"key": str, "value": str}, "key", []),
    "needs": ({"id": str, "label": str, "description": str, "position": int}, "id", []),
    "need_synonyms": ({"need_id": str, "synonym": str}, None, [("need_id", "needs", "id")]),
    "age_bands": ({"id": str, "label": str, "min": int, "max": int, "pregnancy": bool, "position": int},
                  "id", []),
    "levels": ({"id": int, "label": str, "description": str}, "id", []),
    "hubs": ({"id": str, "uuid": str, "name": str, "address": str, "postcode": str, "phone": str,
              "email": str, "opening_hours": str, "body_markdown": str, "body_html": str}, "id", []),
    "hub_areas": ({"hub_id": str, "area": str}, None, [("hub_id", "hubs", "id")]),
    "hub_wards": ({"hub_id": str, "ward": str}, None, [("hub_id", "hubs", "id")]),
    "organisations": ({"id": str, "uuid": str, "name": str, "website": str, "phone": str, "email": str,
                       "body_markdown": str, "body_html": str}, "id", []),
    "services": ({"id": str, "uuid": str, "title": str, "summary": str, "organisation_id": str,
                  "age_min": int, "age_max": int, "pregnancy": bool, "borough_wide": bool, "free": bool,
                  "cost": str, "how_to_access": str, "phone": str, "email": str, "website": str,
                  "referral_form": str, "interpreters": bool, "evidence_rating": str,
                  "evidence_source": str, "evidence_url": str, "last_reviewed": str, "review_due": str,
                  "body_markdown": str, "body_html": str, "source": str},
                 "id", [("organisation_id", "organisations", "id")]),
    "venues": ({"service_id": str, "position": int, "name": str, "address": str, "postcode": str,
                "hub_id": str, "schedule": str, "accessibility": str, "hours": str}, None,
               [("service_id", "services", "id"), ("hub_id", "hubs", "id")]),
    "pages": ({"slug": str, "title": str, "summary": str, "body_markdown": str, "body_html": str},
              "slug", []),
    # Translations: only translated text; everything else is read from the English row.
    # `stale` is set when the English changed after the translation was made.
    "service_translations": ({"service_id": str, "language": str, "title": str, "summary": str,
                              "how_to_access": str, "cost": str, "keywords": str, "body_markdown": str,
                              "body_html": str, "stale": bool},
                             ("service_id", "language"), [("service_id", "services", "id")]),
    "venue_translations": ({"service_id": str, "language": str, "position": int, "schedule": str,
                            "accessibility": str}, ("service_id", "language", "position"),
                           [("service_id", "services", "id")]),
    "hub_translations": ({"hub_id": str, "language": str, "name": str, "opening_hours": str,
                          "body_markdown": str, "body_html": str, "stale": bool},
                         ("hub_id", "language"), [("hub_id", "hubs", "id")]),
    "page_translations": ({"slug": str, "language": str, "title": str, "summary": str,
                           "body_markdown": str, "body_html": str, "stale": bool},
                          ("slug", "language"), [("slug", "pages", "slug")]),
    # taxonomy: "needs", "age_bands" or "levels"; term_id as text (level ids too).
    "term_translations": ({"taxonomy": str, "term_id": str, "language": str, "label": str,
                           "description": str, "stale": bool}, ("taxonomy", "term_id", "language"), []),
    "need_synonym_translations": ({"need_id": str, "language": str, "synonym": str}, None,
                                  [("need_id", "needs", "id")]),
    "site_translations": ({"language": str, "key": str, "value": str, "stale": bool},
                          ("language", "key"), []),
}

# Link tables: one row per value of a list field of a service.
SERVICE_LINKS = {
    "service_needs": ("need_id", str, ("needs", "id")),
    "service_levels": ("level_id", int, ("levels", "id")),
    "service_hubs": ("hub_id", str, ("hubs", "id")),
    "service_age_bands": ("age_band_id", str, ("age_bands", "id")),
    "service_access": ("access_route", str, None),
    "service_delivery": ("delivery", str, None),
    "service_languages": ("language", str, None),
    "service_keywords": ("keyword", str, None),
}


def create_tables(db: sqlite_utils.Database) -> None:
    """Create every table, so an empty list still leaves its table to query."""
    for name, (columns, pk, foreign_keys) in TABLES.items():
        db[name].create(columns, pk=pk, foreign_keys=foreign_keys)
    _create_links(db, with_foreign_keys=True)
    db["venues"].create_index(["service_id"])
    for table in ("services", "organisations", "hubs"):  # the Open Referral feed looks entries up by UUID
        db[table].create_index(["uuid"], unique=True)
    db["hub_areas"].create_index(["area"])


# Tables holding rows of one service, rewritten when only that service changes.
SERVICE_TABLES = (*SERVICE_LINKS, "venues", "service_translations", "venue_translations")

# A service's list fields (as pages and feeds name them) -> (link table, value column).
SERVICE_LISTS = {field: (table, SERVICE_LINKS[table][0]) for field, table in (
    ("needs", "service_needs"), ("levels", "service_levels"), ("hubs", "service_hubs"),
    ("age_bands", "service_age_bands"), ("access", "service_access"), ("delivery", "service_delivery"),
    ("languages", "service_languages"), ("keywords", "service_keywords"))}


def _create_links(db: sqlite_utils.Database, with_foreign_keys: bool) -> None:
    for name, (column, kind, reference) in SERVICE_LINKS.items():
        foreign_keys = [("service_id", "services", "id")]
        if reference:
            foreign_keys.append((column, *reference))
        db[name].create({"service_id": str, column: kind, "position": int},
                        foreign_keys=foreign_keys if with_foreign_keys else [])
        db[name].create_index(["service_id"])
        db[name].create_index([column])


# The tables of changes.db: the service tables, and `replaced`, every service whose rows in
# directory.db no longer count (changed, or no longer published).
CHANGED_TABLES = ("services", *SERVICE_TABLES)


def create_change_tables(db: sqlite_utils.Database) -> None:
    """The tables of a ``changes.db``: the service tables as in directory.db (same columns, same
    order, so a view can put the two together), without foreign keys (their targets are not there)."""
    for name in ("services", "venues", "service_translations", "venue_translations"):
        columns, pk, _ = TABLES[name]
        db[name].create(columns, pk=pk)
    _create_links(db, with_foreign_keys=False)
    db["venues"].create_index(["service_id"])
    db["services"].create_index(["uuid"], unique=True)
    db["replaced"].create({"service_id": str}, pk="service_id")


def overlay_views() -> list[str]:
    """Statements that make a connection to directory.db with changes.db attached as ``changes``
    read the two as one: a temporary view per service table (temporary names come first) holding
    directory.db's rows of services not replaced, and the rows in changes.db."""
    return [f"CREATE TEMP VIEW [{table}] AS "
            f"SELECT * FROM main.[{table}] WHERE [{'id' if table == 'services' else 'service_id'}] "
            "NOT IN (SELECT service_id FROM changes.replaced) "
            f"UNION ALL SELECT * FROM changes.[{table}]"
            for table in CHANGED_TABLES]
