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
from .directory import Directory, load_directory
from .publishing.releases import Release, ReleaseStore
from .release.schema import DATABASE_FILE, WHOOSH_FOLDER
from .search.engine import SearchEngine


@dataclass
class OpenRelease:
    """A release opened for reading: its manifest, database, search engine and taxonomy."""

    release: Release
    engine: SearchEngine
    directory: Directory
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
        directory = load_directory(db)
    finally:
        db.conn.close()
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
    engine = SearchEngine(release.path / WHOOSH_FOLDER, synonyms, known_values,
                          translated_synonyms=directory.synonyms_by_language())
    return OpenRelease(release=release, engine=engine, directory=directory)


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
