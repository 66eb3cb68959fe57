"""One object that reads a release: its directory, services, hub pages, menu, feed lists and search.

Views, the practitioner tools and the Open Referral feed read a release only
through a :class:`ReleaseReader`; the SQL lives in this package (``directory.py``,
``menu.py`` and the feed's queries below) and the search in ``app/search``.
Each thread gets its own read-only connection. No Flask here.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import sqlite_utils

from ..content.model import ACCESS_ROUTES, DELIVERY_MODES
from ..publishing.releases import Release
from ..search.engine import SearchEngine
from . import directory as queries
from . import menu as menu_queries
from .directory import ENGLISH, Directory, NeedGroup, load_directory
from .schema import CHANGES_FILE, DATABASE_FILE, SERVICE_LISTS, WHOOSH_FOLDER, overlay_views


def open_database(path: Path) -> sqlite_utils.Database:
    """A read-only connection to a release database, rows as ``sqlite3.Row``.

    A release built incrementally shares ``directory.db`` with the release it
    was built from and holds the changed services in ``changes.db`` beside it:
    the connection then reads the two as one database (``schema.overlay_views``).
    """
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    changes = path.with_name(CHANGES_FILE)
    if changes.is_file():
        connection.execute("ATTACH DATABASE ? AS changes", [f"file:{changes}?mode=ro"])
        for statement in overlay_views():
            connection.execute(statement)
    return sqlite_utils.Database(connection)


# Columns of ``services`` a feed may filter on (names checked here, never taken from a request).
FILTER_COLUMNS = frozenset({"evidence_rating", "evidence_source", "evidence_url", "interpreters"})


def _filter_column(name: str) -> str:
    if name not in FILTER_COLUMNS:
        raise ValueError(f"services cannot be filtered on {name!r}")
    return name


@dataclass
class ServiceSelection:
    """Which services a feed lists; every condition given must hold."""

    ids: set[str] | None = None                        # e.g. the services some words matched
    list_value: tuple[str, str | int] | None = None    # (list field, value), e.g. ("needs", "parenting")
    has_list: str | None = None                        # a list field the service has any value in
    organisation_uuid: str | None = None
    modified_after: dt.date | None = None
    hub: str | None = None                             # its services and the borough-wide ones
    column_value: tuple[str, str | int] | None = None  # (column, value), e.g. ("evidence_rating", "4")
    column_filled: str | None = None                   # a column the service has a value in
    nothing: bool = False                              # a filter nothing can pass (an unknown term)

    def candidates(self, db: sqlite_utils.Database) -> set[str] | None:
        """The ids the id and list conditions allow, from the link tables; None when there are none.

        The services are then read by id (``directory.rows_for_ids`` says why not by subquery)."""
        found = None if self.ids is None else set(self.ids)
        lookups = []
        if self.list_value is not None:
            table, column = SERVICE_LISTS[self.list_value[0]]
            lookups.append((f"SELECT service_id FROM [{table}] WHERE [{column}] = ?", [self.list_value[1]]))
        if self.has_list is not None:
            lookups.append((f"SELECT service_id FROM [{SERVICE_LISTS[self.has_list][0]}]", []))
        for sql, params in lookups:
            linked = {row[0] for row in db.execute(sql, params)}
            found = linked if found is None else found & linked
        return found

    def where(self) -> tuple[str, list]:
        """SQL conditions on the columns of ``services`` and their parameters (the rest is in
        :meth:`candidates`)."""
        clauses, params = ["1"], []
        if self.column_value is not None:
            clauses.append(f"services.[{_filter_column(self.column_value[0])}] = ?")
            params.append(self.column_value[1])
        if self.column_filled is not None:
            clauses.append(f"coalesce(services.[{_filter_column(self.column_filled)}], '') != ''")
        if self.organisation_uuid:
            clauses.append("services.organisation_id IN (SELECT id FROM organisations WHERE uuid = ?)")
            params.append(self.organisation_uuid)
        if self.modified_after:
            clauses.append("services.last_reviewed >= ?")
            params.append(self.modified_after.isoformat())
        if self.hub:
            clauses.append("(services.borough_wide OR services.id IN "
                           "(SELECT service_id FROM service_hubs WHERE hub_id = ?))")
            params.append(self.hub)
        return " AND ".join(clauses), params


class ReleaseReader:
    """A release opened for reading: manifest, settings and taxonomy (``directory``), services,
    search engine. Safe to share between threads."""

    def __init__(self, release: Release):
        self.release = release
        self._path = release.path / DATABASE_FILE
        self._local = threading.local()
        db = open_database(self._path)
        try:
            self.directory: Directory = load_directory(db)
        finally:
            db.conn.close()

    @property
    def id(self) -> str:
        return self.release.id

    @property
    def manifest(self) -> dict:
        return self.release.manifest

    @cached_property
    def engine(self) -> SearchEngine:
        """The release's search engine, opened on first use (an export never needs it)."""
        directory = self.directory
        synonyms = {need_id: [need["label"], *need["synonyms"]] for need_id, need in directory.needs.items()}
        known_values = {
            "need": list(directory.needs),
            "age": list(directory.age_bands),
            "hub": list(directory.hubs),
            "level": [str(level) for level in directory.levels],
            "free": ["1"],
            "delivery": DELIVERY_MODES,
            "access": ACCESS_ROUTES,
        }
        return SearchEngine(self.release.path / WHOOSH_FOLDER, synonyms, known_values,
                            translated_synonyms=directory.synonyms_by_language())

    def _db(self) -> sqlite_utils.Database:
        """This thread's read-only connection to the release database."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = open_database(self._path)
        return db

    def close(self) -> None:
        """Close this thread's connection (others close when the reader is dropped)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            del self._local.db

    # -- public pages ------------------------------------------------------
    def service_cards(self, ids: list[str], language: str = ENGLISH) -> list[dict]:
        """What a result card shows for each service, in the order of ``ids``."""
        return queries.service_cards(self._db(), ids, language)

    def service_details(self, service_id: str, language: str = ENGLISH) -> dict | None:
        """Everything a service page shows, or None when the id is not published."""
        return queries.service_details(self._db(), service_id, language)

    def hub_services_by_need(self, hub_id: str, needs: dict[str, dict], limit: int = 5,
                             language: str = ENGLISH) -> list[NeedGroup]:
        """For each need, the first ``limit`` services based in a hub, and how many there are."""
        return queries.hub_services_by_need(self._db(), hub_id, needs, limit, language)

    def borough_wide_count(self) -> int:
        return queries.borough_wide_count(self._db())

    def page(self, slug: str, language: str = ENGLISH) -> dict | None:
        return queries.page(self._db(), slug, language)

    def all_services(self) -> list[dict]:
        """Every published service with the fields the insight reports read."""
        return queries.all_services(self._db())

    def organisations_by_id(self) -> dict[str, dict]:
        """Every organisation by id (the insight reports)."""
        return queries.organisations(self._db())

    def service_index(self) -> list[tuple[str, str | None]]:
        """Every published service id with its last review date."""
        return queries.service_index(self._db())

    # -- the Menu of Interventions -----------------------------------------
    def menu_count(self, hub: str | None = None, age_band: str | None = None) -> int:
        return menu_queries.count_services(self._db(), hub, age_band)

    def menu_services(self, hub: str | None = None, age_band: str | None = None) -> list[dict]:
        """Every service (by title) with every field the menu's CSV needs."""
        return menu_queries.menu_services(self._db(), hub, age_band)

    def menu_grid(self, needs: dict[str, dict], levels: Iterable[int], hub: str | None = None,
                  age_band: str | None = None, per_cell: int = 12) -> list[menu_queries.MenuRow]:
        """Rows of needs by columns of levels, at most ``per_cell`` services a cell."""
        return menu_queries.menu_grid(self._db(), needs, levels, hub, age_band, per_cell)

    def menu_table_candidates(self, hub: str | None, age_band: str | None) -> list[dict]:
        return menu_queries.table_candidates(self._db(), hub, age_band)

    def menu_table_rows(self, ids: list[str]) -> list[dict]:
        return menu_queries.table_rows(self._db(), ids)

    # -- feeds -------------------------------------------------------------
    def service_ids(self, selection: ServiceSelection) -> list[str]:
        """Ids of the selected services, in title order (stable paging)."""
        if selection.nothing:
            return []
        db = self._db()
        candidates = selection.candidates(db)
        where, params = selection.where()
        sql = f"SELECT services.title, services.id FROM services WHERE {where}"
        rows = (db.execute(sql, params).fetchall() if candidates is None
                else queries.rows_for_ids(db, sql + " AND services.id IN ({ids})", candidates, params))
        return [service_id for _, service_id in sorted(tuple(row) for row in rows)]

    def review_dates(self) -> list[tuple[str, str | None, str | None]]:
        """Every published service id with its last review date and its review-due date."""
        return [tuple(row) for row in self._db().execute(
            "SELECT id, last_reviewed, review_due FROM services ORDER BY id").fetchall()]

    def service_id_for_uuid(self, uuid: str) -> str | None:
        row = self._db().execute("SELECT id FROM services WHERE uuid = ?", [uuid]).fetchone()
        return row[0] if row else None

    def service_summaries(self, ids: list[str]) -> list[dict]:
        """id, uuid, title and last review date of each service, in the order of ``ids``."""
        placeholders = ",".join("?" * len(ids))
        rows = {row["id"]: dict(row) for row in self._db().execute(
            f"SELECT id, uuid, title, last_reviewed FROM services WHERE id IN ({placeholders})", ids)}
        return [rows[service_id] for service_id in ids if service_id in rows]

    def venue_keys(self) -> list[tuple[str, int]]:
        """(service id, position) of every venue."""
        return [(row[0], row[1]) for row in self._db().execute(
            "SELECT service_id, position FROM venues").fetchall()]

    def organisations(self) -> list[dict]:
        """Every organisation, by name."""
        return [dict(row) for row in self._db().execute("SELECT * FROM organisations ORDER BY name, id")]

    def organisation_by_uuid(self, uuid: str) -> dict | None:
        row = self._db().execute("SELECT * FROM organisations WHERE uuid = ?", [uuid]).fetchone()
        return dict(row) if row else None
