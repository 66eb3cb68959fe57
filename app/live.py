"""The release a web worker serves, reopened when a publish switches ``current``.

Each request asks :meth:`LiveRelease.get`, which reads the ``current`` link
(one ``readlink``) and, only when it points somewhere new, opens the new
release. Workers therefore pick up a publish on their next request without a
restart, and a request that started on the old release finishes on it.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from .content.model import ACCESS_ROUTES, DELIVERY_MODES
from .publishing.publish import DATABASE_FILE, WHOOSH_FOLDER
from .publishing.releases import Release, ReleaseStore
from .search.engine import SearchEngine


@dataclass
class OpenRelease:
    """A release opened for reading: its manifest, database and search engine."""

    release: Release
    engine: SearchEngine
    _local: threading.local = field(default_factory=threading.local, repr=False)

    @property
    def id(self) -> str:
        return self.release.id

    @property
    def manifest(self) -> dict:
        return self.release.manifest

    def db(self) -> sqlite_utils.Database:
        """This thread's read-only connection to the release database."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = open_database(self.release.path / DATABASE_FILE)
        return db


def open_database(path: Path) -> sqlite_utils.Database:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    return sqlite_utils.Database(connection)


def open_release(release: Release) -> OpenRelease:
    db = open_database(release.path / DATABASE_FILE)
    try:
        synonyms: dict[str, list[str]] = {}
        for need in db["needs"].rows:
            synonyms.setdefault(need["id"], []).append(need["label"])
        for row in db["need_synonyms"].rows:
            synonyms.setdefault(row["need_id"], []).append(row["synonym"])
        known_values = {
            "need": [row["id"] for row in db["needs"].rows],
            "age": [row["id"] for row in db["age_bands"].rows],
            "hub": [row["id"] for row in db["hubs"].rows],
            "level": [str(row["id"]) for row in db["levels"].rows],
            "free": ["1"],
            "delivery": DELIVERY_MODES,
            "access": ACCESS_ROUTES,
        }
    finally:
        db.conn.close()
    engine = SearchEngine(release.path / WHOOSH_FOLDER, synonyms, known_values)
    return OpenRelease(release=release, engine=engine)


class LiveRelease:
    """Holds the open current release of an index folder for a process."""

    def __init__(self, index_dir: str | Path):
        self.store = ReleaseStore(index_dir)
        self._lock = threading.Lock()
        self._open: OpenRelease | None = None

    def get(self) -> OpenRelease | None:
        """The live release, or None when nothing has been published yet."""
        current_id = self.store.current_id()
        opened = self._open
        if opened is not None and opened.id == current_id:
            return opened
        with self._lock:
            if self._open is None or self._open.id != current_id:
                release = self.store.get(current_id) if current_id else None
                self._open = open_release(release) if release else None
            return self._open
