"""Write the SQLite database of a release with sqlite-utils.

One table per kind of entry, and link tables for every list field, so pages,
the practitioner tools and the Open Referral feed can query without parsing
Markdown again. Only published services are written.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from itertools import chain
from pathlib import Path

import sqlite_utils

from ..content.loader import ContentSet
from ..content.markdown import render_markdown
from ..content.model import stable_uuid
from ..release.schema import (
    CHANGED_TABLES,
    SERVICE_LINKS,
    SERVICE_TABLES,
    create_change_tables,
    create_tables,
)


def _service_rows(services, content: ContentSet):
    for service in services:
        due = service.review_due(content.site.review_months)
        evidence = service.evidence
        yield {
            "id": service.id,
            "uuid": stable_uuid("service", service.id),
            "title": service.title,
            "summary": service.summary,
            "organisation_id": service.organisation,
            "age_min": service.age_min,
            "age_max": service.age_max,
            "pregnancy": service.pregnancy,
            "borough_wide": service.borough_wide,
            "free": service.free,
            "cost": service.cost,
            "how_to_access": service.how_to_access,
            "phone": service.contact.phone,
            "email": service.contact.email,
            "website": service.contact.website,
            "referral_form": service.contact.referral_form,
            "interpreters": service.interpreters,
            "evidence_rating": evidence.rating if evidence else None,
            "evidence_source": evidence.source if evidence else None,
            "evidence_url": evidence.url if evidence else None,
            "last_reviewed": service.last_reviewed.isoformat() if service.last_reviewed else None,
            "review_due": due.isoformat() if due else None,
            "body_markdown": service.body,
            "body_html": render_markdown(service.body),
            "source": content.entry_fingerprints.get(f"services/{service.id}.md", ""),
        }


def _link_values(content: ContentSet):
    bands = list(content.age_bands.values())
    return {
        "service_needs": lambda s: s.needs,
        "service_levels": lambda s: s.levels,
        "service_hubs": lambda s: s.served_hubs(),
        "service_age_bands": lambda s: [b.id for b in bands if b.overlaps(s.age_min, s.age_max, s.pregnancy)],
        "service_access": lambda s: s.access,
        "service_delivery": lambda s: s.delivery,
        "service_languages": lambda s: s.languages,
        "service_keywords": lambda s: s.keywords,
    }


def _service_translations(services, content: ContentSet):
    for service in services:
        for language in content.translated_languages:
            translation = content.translation("services", service.id, language)
            if translation is not None:
                yield translation


def write_service_translations(db: sqlite_utils.Database, services, content: ContentSet) -> None:
    translations = list(_service_translations(services, content))
    _insert(db, "service_translations", (
        {"service_id": t.entry_id, "language": t.language, "title": t.text("title"),
         "summary": t.text("summary"), "how_to_access": t.text("how_to_access"), "cost": t.text("cost"),
         "keywords": json.dumps(t.fields.get("keywords", []), ensure_ascii=False),
         "body_markdown": t.body, "body_html": render_markdown(t.body), "stale": t.stale}
        for t in translations))
    _insert(db, "venue_translations", (
        {"service_id": t.entry_id, "language": t.language, "position": position,
         "schedule": venue.get("schedule", ""), "accessibility": venue.get("accessibility", "")}
        for t in translations for position, venue in enumerate(t.fields.get("venues", []))))


def _insert(db: sqlite_utils.Database, table: str, rows: Iterable[dict]) -> None:
    """Insert rows whose keys are columns of ``table`` (all rows the same keys, values stored as
    they are): one prepared statement, without sqlite-utils' per-value conversions, which cost
    more than the insert itself at 100,000 services."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    columns = list(first)
    db.conn.executemany(f"INSERT INTO [{table}] ({', '.join(f'[{column}]' for column in columns)}) "
                        f"VALUES ({', '.join('?' * len(columns))})",
                        (tuple(row.values()) for row in chain((first,), rows)))


def write_services(db: sqlite_utils.Database, services, content: ContentSet) -> None:
    """Insert services with their link rows and venues."""
    _insert(db, "services", _service_rows(services, content))
    for table, values_of in _link_values(content).items():
        column = SERVICE_LINKS[table][0]
        _insert(db, table, ({"service_id": service.id, column: value, "position": position}
                            for service in services for position, value in enumerate(values_of(service))))
    _insert(db, "venues",
        ({"service_id": service.id, "position": position, "name": venue.name,
          "address": venue.address, "postcode": venue.postcode, "hub_id": venue.hub or None,
          "schedule": venue.schedule, "accessibility": venue.accessibility,
          "hours": "\n".join(venue.hours)}
         for service in services for position, venue in enumerate(service.venues)))
    write_service_translations(db, services, content)


def replace_services(path: Path, service_ids: list[str], content: ContentSet) -> None:
    """Rewrite the rows of ``service_ids`` in an existing release database.

    Ids no longer published are only removed. Used by a publish that changes
    a few services and nothing else.
    """
    db = _open_for_writing(path, recreate=False)
    with db.conn:
        _rewrite_services(db, service_ids, content)
    db.close()


def _rewrite_services(db: sqlite_utils.Database, service_ids: list[str], content: ContentSet) -> None:
    published = [content.services[i] for i in service_ids
                 if i in content.services and content.services[i].status == "published"]
    placeholders = ",".join("?" * len(service_ids))
    for table in SERVICE_TABLES:
        db.execute(f"DELETE FROM [{table}] WHERE service_id IN ({placeholders})", service_ids)
    db.execute(f"DELETE FROM services WHERE id IN ({placeholders})", service_ids)
    write_services(db, published, content)


def record_changes(path: Path, service_ids: list[str], content: ContentSet) -> None:
    """Write the rows of ``service_ids`` into the ``changes.db`` at ``path`` (made if missing) and
    mark them replaced, so readers take them instead of the shared directory.db's."""
    db = _open_for_writing(path, recreate=False)
    with db.conn:
        if "replaced" not in db.table_names():
            create_change_tables(db)
        db["replaced"].insert_all(({"service_id": i} for i in service_ids), ignore=True)
        _rewrite_services(db, service_ids, content)
    db.close()


def changed_count(path: Path) -> int:
    """How many services the ``changes.db`` at ``path`` replaces (0 when there is none)."""
    if not path.is_file():
        return 0
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return connection.execute("SELECT count(*) FROM replaced").fetchone()[0]


def merge_changes(path: Path, changes: Path) -> None:
    """Apply a ``changes.db`` to the release database at ``path`` (a private copy being built)."""
    db = _open_for_writing(path, recreate=False)
    db.execute("ATTACH DATABASE ? AS changes", [f"file:{changes}?mode=ro"])
    with db.conn:
        for table in CHANGED_TABLES:
            key = "id" if table == "services" else "service_id"
            db.execute(f"DELETE FROM main.[{table}] WHERE [{key}] IN "
                       "(SELECT service_id FROM changes.replaced)")
            db.execute(f"INSERT INTO main.[{table}] SELECT * FROM changes.[{table}]")
    db.execute("DETACH DATABASE changes")
    db.close()


def _open_for_writing(path: Path, recreate: bool) -> sqlite_utils.Database:
    # A release is built in a private folder and only read once complete,
    # so neither a journal nor syncing each write is needed.
    db = sqlite_utils.Database(path, recreate=recreate)
    db.conn.execute("PRAGMA journal_mode = OFF")
    db.conn.execute("PRAGMA synchronous = OFF")
    return db


def write_database(content: ContentSet, path: Path) -> None:
    """Create ``path`` holding everything a release serves."""
    db = _open_for_writing(path, recreate=True)
    site = content.site
    services = content.published_services()
    with db.conn:
        create_tables(db)
        db["site"].insert_all(
            {"key": key, "value": value} for key, value in (
                ("name", site.name), ("council", site.council),
                ("default_language", site.default_language), ("languages", ",".join(site.languages)),
                ("front_door_name", site.front_door.name), ("front_door_phone", site.front_door.phone),
                ("front_door_email", site.front_door.email),
                ("front_door_website", site.front_door.website), ("emergency", site.emergency),
                ("quick_exit_url", site.quick_exit_url), ("review_months", str(site.review_months)),
                ("base_url", site.base_url)))
        db["needs"].insert_all(
            {"id": need.id, "label": need.label, "description": need.description, "position": position}
            for position, need in enumerate(content.needs.values()))
        db["need_synonyms"].insert_all(
            {"need_id": need.id, "synonym": synonym}
            for need in content.needs.values() for synonym in need.synonyms)
        db["age_bands"].insert_all(
            {"id": band.id, "label": band.label, "min": band.min, "max": band.max,
             "pregnancy": band.pregnancy, "position": position}
            for position, band in enumerate(content.age_bands.values()))
        db["levels"].insert_all(
            {"id": level.id, "label": level.label, "description": level.description}
            for level in content.levels.values())
        db["hubs"].insert_all(
            {"id": hub.id, "uuid": stable_uuid("hub", hub.id), "name": hub.name, "address": hub.address,
             "postcode": hub.postcode, "phone": hub.phone, "email": hub.email,
             "opening_hours": hub.opening_hours, "body_markdown": hub.body,
             "body_html": render_markdown(hub.body)} for hub in content.hubs.values())
        db["hub_areas"].insert_all(
            {"hub_id": hub.id, "area": area} for hub in content.hubs.values() for area in hub.covers)
        db["hub_wards"].insert_all(
            {"hub_id": hub.id, "ward": ward} for hub in content.hubs.values() for ward in hub.wards)
        db["organisations"].insert_all(
            {"id": org.id, "uuid": stable_uuid("organisation", org.id), "name": org.name,
             "website": org.website, "phone": org.phone, "email": org.email,
             "body_markdown": org.body, "body_html": render_markdown(org.body)}
            for org in content.organisations.values())
        write_services(db, services, content)
        db["pages"].insert_all(
            {"slug": page.slug, "title": page.title, "summary": page.summary,
             "body_markdown": page.body, "body_html": render_markdown(page.body)}
            for page in content.pages.values())
        write_translations(db, content)
    db.close()


def _offered(content: ContentSet, kind: str):
    """Translations of ``kind`` into the offered languages, whose English entry is published."""
    for language in content.translated_languages:
        yield from content.translations[kind].get(language, {}).values()


def write_translations(db: sqlite_utils.Database, content: ContentSet) -> None:
    """Translations of everything but services (written with their services)."""
    db["hub_translations"].insert_all(
        {"hub_id": t.entry_id, "language": t.language, "name": t.text("name"),
         "opening_hours": t.text("opening_hours"), "body_markdown": t.body,
         "body_html": render_markdown(t.body), "stale": t.stale} for t in _offered(content, "hubs"))
    db["page_translations"].insert_all(
        {"slug": t.entry_id, "language": t.language, "title": t.text("title"), "summary": t.text("summary"),
         "body_markdown": t.body, "body_html": render_markdown(t.body), "stale": t.stale}
        for t in _offered(content, "pages"))
    for taxonomy in ("needs", "age_bands", "levels"):
        db["term_translations"].insert_all(
            {"taxonomy": taxonomy, "term_id": t.entry_id, "language": t.language, "label": t.text("label"),
             "description": t.text("description"), "stale": t.stale} for t in _offered(content, taxonomy))
    db["need_synonym_translations"].insert_all(
        {"need_id": t.entry_id, "language": t.language, "synonym": synonym}
        for t in _offered(content, "needs") for synonym in t.fields.get("synonyms", []))
    db["site_translations"].insert_all(
        {"language": t.language, "key": key, "value": t.text(key), "stale": t.stale}
        for t in _offered(content, "site")
        for key in ("name", "council", "emergency", "front_door_name") if t.text(key))
