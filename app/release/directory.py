"""Read what a release publishes: the site settings, taxonomy, hubs, services and pages.

Queries a release's SQLite database (tables in ``schema.py``) through a
connection whose rows are ``sqlite3.Row`` (as ``reader.open_database`` makes
them) and returns plain dictionaries ready for pages and feeds. Pages and feeds
call these through :class:`app.release.reader.ReleaseReader`. No Flask here.

Every reader takes the reader's ``language``. Entries come back with their
translated text where there is a translation, and say what was shown:
``translation`` is "original" (English asked for), "translated", "stale"
(translated from an older English text) or "missing" (English shown), and
``lang`` is the language of the text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlite_utils

from ..content.model import NO_UPPER_AGE
from ..opening_hours import parse_hours
from .schema import SERVICE_LISTS as _SERVICE_LISTS

ORIGINAL, TRANSLATED, STALE, MISSING = "original", "translated", "stale", "missing"
ENGLISH = "en"


def translation_status(row: dict | None, language: str) -> tuple[str, str]:
    """(status, language of the text shown) for an entry whose translation row is ``row``."""
    if language == ENGLISH:
        return ORIGINAL, ENGLISH
    if row is None:
        return MISSING, ENGLISH
    return (STALE if row["stale"] else TRANSLATED), language


@dataclass
class Directory:
    """What every page of a release needs: settings, taxonomy, hubs and pages (loaded once).

    Holds the English text; :meth:`for_language` gives the same in another
    language, each entry marked with its ``translation`` status and ``lang``.
    """

    site: dict[str, str]
    needs: dict[str, dict]
    age_bands: dict[str, dict]
    levels: dict[int, dict]
    hubs: dict[str, dict]
    pages: dict[str, dict] = field(default_factory=dict)
    language: str = ENGLISH
    # language -> table ("needs", "hubs", "site"...) -> id -> translation row
    translations: dict[str, dict[str, dict]] = field(default_factory=dict, repr=False)
    _localised: dict[str, Directory] = field(default_factory=dict, repr=False)

    @property
    def languages(self) -> list[str]:
        """The offered languages, default first (from site.yml)."""
        return [code for code in self.site.get("languages", ENGLISH).split(",") if code]

    def synonyms_by_language(self) -> dict[str, dict[str, list[str]]]:
        """For each translated language, need id -> its label and synonyms in that language."""
        found: dict[str, dict[str, list[str]]] = {}
        for language, tables in self.translations.items():
            for need_id, row in tables.get("needs", {}).items():
                found.setdefault(language, {})[need_id] = [row["label"], *row.get("synonyms", [])]
        return found

    def for_language(self, language: str) -> Directory:
        """This directory with its texts in ``language`` where translated (English where not)."""
        if language == self.language or language not in self.languages:
            return self
        localised = self._localised.get(language)
        if localised is None:
            localised = self._localised[language] = _localise(self, language)
        return localised


def _localise(english: Directory, language: str) -> Directory:
    tables = english.translations.get(language, {})

    def entries(items: dict, table: str, fields: tuple[str, ...]) -> dict:
        result = {}
        for key, entry in items.items():
            row = tables.get(table, {}).get(str(key))
            status, lang = translation_status(row, language)
            localised = {**entry, "translation": status, "lang": lang}
            if row is not None:
                localised.update({name: row[name] for name in fields if row.get(name)})
            result[key] = localised
        return result

    site = dict(english.site)
    site_row = tables.get("site")
    if site_row:
        site.update({key: value for key, value in site_row.items() if key != "stale" and value})
    status, lang = translation_status(site_row, language)
    site.update({"translation": status, "lang": lang})
    return Directory(
        site=site,
        needs=entries(english.needs, "needs", ("label", "description")),
        age_bands=entries(english.age_bands, "age_bands", ("label",)),
        levels=entries(english.levels, "levels", ("label", "description")),
        hubs=entries(english.hubs, "hubs", ("name", "opening_hours", "body_html", "body_markdown")),
        pages=entries(english.pages, "pages", ("title", "summary")),
        language=language,
    )


def _load_translations(db: sqlite_utils.Database) -> dict[str, dict[str, dict]]:
    """language -> table -> id -> row, for everything but services (read per page)."""
    found: dict[str, dict[str, dict]] = {}

    def put(language: str, table: str, key: str, row: dict) -> None:
        found.setdefault(language, {}).setdefault(table, {})[key] = row

    for row in db["term_translations"].rows:
        put(row["language"], row["taxonomy"], row["term_id"], {**dict(row), "synonyms": []})
    for row in db["need_synonym_translations"].rows:
        need = found.get(row["language"], {}).get("needs", {}).get(row["need_id"])
        if need is not None:
            need["synonyms"].append(row["synonym"])
    for row in db["hub_translations"].rows:
        put(row["language"], "hubs", row["hub_id"], dict(row))
    for row in db["page_translations"].rows:
        put(row["language"], "pages", row["slug"], dict(row))
    for row in db["site_translations"].rows:
        site = found.setdefault(row["language"], {}).setdefault("site", {"stale": False})
        site[row["key"]] = row["value"]
        site["stale"] = site["stale"] or bool(row["stale"])
    return found


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
        translations=_load_translations(db),
    )


def is_overdue(service: dict, today: dt.date | None = None) -> bool:
    """Whether the entry's review date has passed (computed when read, so it never goes stale)."""
    due = service.get("review_due")
    return bool(due) and dt.date.fromisoformat(due) < (today or dt.date.today())


# SQLite caps the number of parameters of one statement (32,766 by default), so long lists of
# ids are sent a chunk at a time.
_CHUNK = 10_000


def rows_for_ids(db: sqlite_utils.Database, sql: str, ids: Iterable[str], params: Iterable = ()) -> list:
    """The rows of ``sql`` run over ``ids``, where ``{ids}`` in ``sql`` stands for their placeholders
    (``params`` are bound before them).

    Services are always looked up by a literal list of ids, never by ``IN (SELECT ...)`` or a join of
    two service tables: a release built incrementally reads its service tables through views
    (``schema.overlay_views``), and SQLite uses the indexes under such a view for ``id IN (?, ?)``
    but reads the whole view for a subquery or a join.
    """
    ids, params, rows = list(ids), list(params), []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        statement = sql.replace("{ids}", ",".join("?" * len(chunk)))
        rows.extend(db.execute(statement, [*params, *chunk]).fetchall())
    return rows


def attach_lists(db: sqlite_utils.Database, services: dict[str, dict], names: Iterable[str]) -> None:
    """Read the list fields ``names`` (needs, levels, hubs...) of ``services`` from the link tables,
    in the entry's order; "venues" reads the venues."""
    ids = list(services)
    for name in names:
        for service in services.values():
            service[name] = []
        if name == "venues":
            for row in rows_for_ids(db, "SELECT * FROM venues WHERE service_id IN ({ids}) "
                                    "ORDER BY service_id, position", ids):
                services[row["service_id"]]["venues"].append(dict(row))
            continue
        table, column = _SERVICE_LISTS[name]
        for service_id, value in rows_for_ids(
                db, f"SELECT service_id, [{column}] FROM [{table}] WHERE service_id IN ({{ids}}) "
                "ORDER BY service_id, position", ids):
            services[service_id][name].append(value)


def _services_by_id(db: sqlite_utils.Database, ids: list[str], columns: str) -> dict[str, dict]:
    found = {row["id"]: dict(row) for row in rows_for_ids(
        db, f"SELECT {columns}, organisations.name AS organisation_name FROM services "
        "LEFT JOIN organisations ON organisations.id = services.organisation_id "
        "WHERE services.id IN ({ids})", ids)}
    return {service_id: found[service_id] for service_id in ids if service_id in found}


_CARD_COLUMNS = ("services.id, services.title, services.summary, services.age_min, services.age_max, "
                 "services.pregnancy, services.borough_wide, services.free, services.cost, "
                 "services.review_due, services.last_reviewed")


# Translated text of a service, and the English column each replaces.
_TRANSLATED_SERVICE_FIELDS = ("title", "summary", "how_to_access", "cost", "body_markdown", "body_html")


def _translate_services(db: sqlite_utils.Database, services: dict[str, dict], language: str) -> None:
    """Put each service's text in ``language`` where translated; mark every service's status.

    ``english_fields`` lists the texts still shown in English on a translated
    service (an optional field the translation left out), so pages can mark
    their language.
    """
    rows = {}
    if language != ENGLISH:
        rows = {row["service_id"]: dict(row) for row in rows_for_ids(
            db, "SELECT * FROM service_translations WHERE language = ? AND service_id IN ({ids})",
            services, [language])}
    for service_id, service in services.items():
        row = rows.get(service_id)
        service["translation"], service["lang"] = translation_status(row, language)
        service["english_fields"] = []
        if row is None:
            continue
        for name in _TRANSLATED_SERVICE_FIELDS:
            if name not in service:
                continue
            if row[name]:
                service[name] = row[name]
            elif service[name]:
                service["english_fields"].append(name)


def service_cards(db: sqlite_utils.Database, ids: list[str], language: str = ENGLISH) -> list[dict]:
    """What a result card shows for each service, in the order of ``ids``."""
    services = _services_by_id(db, ids, _CARD_COLUMNS)
    attach_lists(db, services, ("hubs", "access", "needs"))
    _translate_services(db, services, language)
    return list(services.values())


def service_details(db: sqlite_utils.Database, service_id: str, language: str = ENGLISH) -> dict | None:
    """Everything a service page shows, or None when the id is not published."""
    services = _services_by_id(db, [service_id], "services.*")
    if not services:
        return None
    attach_lists(db, services, _SERVICE_LISTS)
    _translate_services(db, services, language)
    service = services[service_id]
    organisation = db.execute("SELECT * FROM organisations WHERE id = ?", [service["organisation_id"]])
    service["organisation"] = dict(organisation.fetchone() or {}) or None
    service["venues"] = [{**dict(row), "lang": service["lang"], "english_fields": [],
                          "periods": parse_hours((dict(row).get("hours") or "").splitlines())}
                         for row in db.execute("SELECT * FROM venues WHERE service_id = ? ORDER BY position",
                                               [service_id]).fetchall()]
    if service["translation"] in (TRANSLATED, STALE):
        translated = {row["position"]: row for row in db.execute(
            "SELECT * FROM venue_translations WHERE service_id = ? AND language = ?",
            [service_id, language]).fetchall()}
        for venue in service["venues"]:
            row = translated.get(venue["position"])
            for name in ("schedule", "accessibility"):
                if row is not None and row[name]:
                    venue[name] = row[name]
                elif venue[name]:
                    venue["english_fields"].append(name)
    return service


@dataclass
class NeedGroup:
    need: dict
    services: list[dict]
    total: int


def hub_services_by_need(db: sqlite_utils.Database, hub_id: str, needs: dict[str, dict],
                         limit: int = 5, language: str = ENGLISH) -> list[NeedGroup]:
    """For each need, in taxonomy order, the first ``limit`` services based in a hub (by title)
    and how many there are. Borough-wide services are left out; needs with none too.

    A hub of a large borough holds thousands of services; the page shows a
    few per need and links to the full search. Grouped here rather than in SQL,
    so that every lookup is by id (see ``rows_for_ids``).
    """
    ids = list(dict.fromkeys(row[0] for row in db.execute(
        "SELECT service_id FROM service_hubs WHERE hub_id = ?", [hub_id])))
    titles = {row[0]: row[1] for row in rows_for_ids(
        db, "SELECT id, title FROM services WHERE id IN ({ids})", ids)}
    if language != ENGLISH:  # sorted by the title the page shows
        titles.update((row[0], row[1]) for row in rows_for_ids(
            db, "SELECT service_id, title FROM service_translations "
            "WHERE language = ? AND title != '' AND service_id IN ({ids})", titles, [language]))
    by_need: dict[str, dict[str, None]] = {}
    for service_id, need_id in rows_for_ids(
            db, "SELECT service_id, need_id FROM service_needs WHERE service_id IN ({ids})", titles):
        by_need.setdefault(need_id, {})[service_id] = None
    found = {need_id: sorted(by_need.get(need_id, ()), key=lambda key: (titles[key], key))
             for need_id in needs}
    shown = {row["id"]: dict(row) for row in rows_for_ids(
        db, "SELECT id, title, summary FROM services WHERE id IN ({ids})",
        {service_id for ids_of_need in found.values() for service_id in ids_of_need[:limit]})}
    _translate_services(db, shown, language)
    return [NeedGroup(needs[need_id], [{name: shown[service_id][name] for name in _HUB_PAGE_FIELDS}
                                       for service_id in ids_of_need[:limit]], len(ids_of_need))
            for need_id, ids_of_need in found.items() if ids_of_need]


_HUB_PAGE_FIELDS = ("id", "title", "summary", "translation", "lang")


def borough_wide_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM services WHERE borough_wide").fetchone()[0]


def page(db: sqlite_utils.Database, slug: str, language: str = ENGLISH) -> dict | None:
    row = db.execute("SELECT * FROM pages WHERE slug = ?", [slug]).fetchone()
    if row is None:
        return None
    found = dict(row)
    translated = None
    if language != ENGLISH:
        translated = db.execute("SELECT * FROM page_translations WHERE slug = ? AND language = ?",
                                [slug, language]).fetchone()
    found["translation"], found["lang"] = translation_status(translated, language)
    if translated is not None:
        found.update({name: translated[name] for name in ("title", "summary", "body_markdown", "body_html")
                      if translated[name]})
    return found


def service_index(db: sqlite_utils.Database) -> list[tuple[str, str | None]]:
    """Every published service id with its last review date, for the sitemap."""
    return [(row[0], row[1]) for row in db.execute(
        "SELECT id, last_reviewed FROM services ORDER BY id").fetchall()]


def has_no_upper_age(service: dict) -> bool:
    return service["age_max"] >= NO_UPPER_AGE


# What reports over the whole directory read of each service (not the long texts).
_REPORT_COLUMNS = ", ".join(f"services.{name}" for name in (
    "id", "title", "organisation_id", "age_min", "age_max", "pregnancy", "borough_wide", "free", "cost",
    "how_to_access", "phone", "email", "website", "referral_form", "evidence_rating", "last_reviewed",
    "review_due"))
_REPORT_LISTS = ("needs", "levels", "hubs", "age_bands", "access", "delivery", "languages")


def all_services(db: sqlite_utils.Database) -> list[dict]:
    """Every published service (by id) with its facts, its organisation's name, its list fields (needs,
    levels, hubs, age bands, access, delivery, languages) and its venues, but not its long texts: for
    reports over the whole directory (app/insight). Reads each table once, without a list of ids, so it
    holds for any size."""
    services = {row["id"]: {**dict(row), **{name: [] for name in _REPORT_LISTS}, "venues": []}
                for row in db.execute(
                    f"SELECT {_REPORT_COLUMNS}, organisations.name AS organisation_name FROM services "
                    "LEFT JOIN organisations ON organisations.id = services.organisation_id "
                    "ORDER BY services.id").fetchall()}
    for name in _REPORT_LISTS:
        table, column = _SERVICE_LISTS[name]
        for service_id, value in db.execute(
                f"SELECT service_id, [{column}] FROM [{table}] ORDER BY service_id, position").fetchall():
            if service_id in services:
                services[service_id][name].append(value)
    for row in db.execute("SELECT service_id, name, postcode, hub_id, schedule FROM venues "
                          "ORDER BY service_id, position").fetchall():
        if row["service_id"] in services:
            services[row["service_id"]]["venues"].append(dict(row))
    return list(services.values())


def organisations(db: sqlite_utils.Database) -> dict[str, dict]:
    """Every published organisation by id (ordered by name), whether or not it runs a service."""
    return {row["id"]: dict(row) for row in db.execute(
        "SELECT id, name, website, phone, email FROM organisations ORDER BY name COLLATE NOCASE").fetchall()}
