"""The search log: ``<INSTANCE_DIR>/search-log.db``, a SQLite file of its own.

One row per search, and only these fields: the day (UTC, no time), the normalised query, the
filters chosen, the language of the search and how many results it found. No IP address, cookie,
user agent, session, time of day or page number is ever stored; queries that look like personal
data are dropped before anything is kept (:mod:`.privacy`).

Searches must not wait for the disk: :meth:`SearchLog.record` only appends to a list in memory.
A background thread writes the list in one transaction every few seconds (or sooner when it grows
long), shuffling each batch so that the order of rows says nothing about the order of visitors.
The file is separate from ``editorial.db`` so that these frequent writes never hold the editorial
database's write lock.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import random
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

from ..content.model import add_months
from .privacy import looks_personal, normalise_query

DATABASE_NAME = "search-log.db"
RETENTION_MONTHS = 13  # a year, plus a month so that a year can be compared with the one before
FLUSH_SECONDS = 5.0
BATCH_SIZE = 500
MAX_PENDING = 20_000  # if the disk stalls, forget searches rather than grow without bound
FIELDS = ("day", "query", "filters", "language", "results")

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS searches (
        day TEXT NOT NULL,
        query TEXT NOT NULL,
        filters TEXT NOT NULL,
        language TEXT NOT NULL,
        results INTEGER NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS searches_day ON searches (day)",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoggedSearch:
    """One row of the log."""

    day: str  # 2026-09-01
    query: str  # normalised; "" when only filters were chosen
    filters: str  # "hub=west&need=parenting": sorted, URL-encoded
    language: str
    results: int


class SearchCount(NamedTuple):
    """How many searches in a period shared a query, filters, language and kind of result."""

    query: str
    filters: str
    language: str
    results: str  # "zero", "few" (1 to ``few``) or "more"
    searches: int


def database_path(instance_dir: str | Path) -> Path:
    return Path(instance_dir) / DATABASE_NAME


def encode_filters(filters: Mapping[str, Sequence[str]]) -> str:
    """``{"need": ["parenting"], "hub": ["west"]}`` -> ``hub=west&need=parenting`` (one spelling)."""
    return urlencode(sorted((group, value) for group, values in filters.items() for value in values))


def entry_for(text: str, filters: Mapping[str, Sequence[str]], language: str, results: int, page: int,
              day: dt.date) -> LoggedSearch | None:
    """The row to keep for a search, or None when nothing may or need be kept.

    Only the first page of a search is counted (paging on is the same search). A search with
    neither words nor filters (the bare results page) says nothing about demand. A query that
    looks personal drops the whole search.
    """
    if page != 1:
        return None
    query = normalise_query(text)
    encoded = encode_filters(filters)
    if not query and not encoded:
        return None
    if query and looks_personal(text):
        return None
    return LoggedSearch(day.isoformat(), query, encoded, language, results)


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the log (created with its table when new), in WAL mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")  # losing the last batch to a power cut is acceptable
    for statement in SCHEMA:
        db.execute(statement)
    return db


class SearchLog:
    """The log of one instance folder: buffered writes, reading, purging."""

    def __init__(self, instance_dir: str | Path, *, enabled: bool = True,
                 flush_seconds: float = FLUSH_SECONDS, batch_size: int = BATCH_SIZE):
        self.path = database_path(instance_dir)
        self.enabled = enabled
        self.flush_seconds = flush_seconds
        self.batch_size = batch_size
        self._pending: list[LoggedSearch] = []
        self._lock = threading.Lock()  # guards _pending and starting the writer
        self._write_lock = threading.Lock()  # one batch on its way to disk at a time
        self._wake = threading.Event()
        self._writer: threading.Thread | None = None
        self._flush_at_exit = False

    # -- writing ----------------------------------------------------------------------------------
    def record(self, entry: LoggedSearch | None) -> None:
        """Keep ``entry`` for the next batch (costs an append; never touches the disk)."""
        if entry is None or not self.enabled:
            return
        with self._lock:
            if len(self._pending) >= MAX_PENDING:
                return
            self._pending.append(entry)
            if self._writer is None:
                self._start_writer()
            if len(self._pending) >= self.batch_size:
                self._wake.set()

    def _start_writer(self) -> None:
        self._writer = threading.Thread(target=self._run, name="search-log-writer", daemon=True)
        self._writer.start()
        if not self._flush_at_exit:
            atexit.register(self._last_flush)
            self._flush_at_exit = True

    def _run(self) -> None:
        # The writer ends after a quiet interval (the next search starts another), so an idle
        # site, or a test suite making many apps, keeps no thread waiting.
        while True:
            self._wake.wait(self.flush_seconds)
            self._wake.clear()
            written = self.flush()
            with self._lock:
                if not written and not self._pending:
                    self._writer = None
                    return

    def flush(self) -> int:
        """Write what is waiting now; returns how many rows were written."""
        with self._write_lock:
            with self._lock:
                batch, self._pending = self._pending, []
            if not batch:
                return 0
            random.shuffle(batch)
            try:
                with closing(connect(self.path)) as db:
                    db.execute("BEGIN IMMEDIATE")
                    db.executemany(f"INSERT INTO searches ({', '.join(FIELDS)}) VALUES (?, ?, ?, ?, ?)",
                                   [(row.day, row.query, row.filters, row.language, row.results)
                                    for row in batch])
                    db.execute("COMMIT")
            except sqlite3.Error:
                # The log is not worth failing anything for: say so, and let those searches go.
                log.exception("could not write %d searches to %s", len(batch), self.path)
                return 0
            return len(batch)

    def _last_flush(self) -> None:
        # At exit, the searches still in memory; unless the instance folder has gone (a test's).
        if self.path.parent.is_dir():
            self.flush()

    def add(self, rows: Iterable[LoggedSearch]) -> None:
        """Write ``rows`` at once (imports and tests; searches go through :meth:`record`)."""
        with closing(connect(self.path)) as db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(f"INSERT INTO searches ({', '.join(FIELDS)}) VALUES (?, ?, ?, ?, ?)",
                           [(row.day, row.query, row.filters, row.language, row.results) for row in rows])
            db.execute("COMMIT")

    # -- reading and forgetting ---------------------------------------------------------------------
    def rows(self, since: dt.date, until: dt.date) -> Iterator[LoggedSearch]:
        """The logged searches from ``since`` to ``until`` (both included)."""
        if not self.path.exists():
            return
        with closing(connect(self.path)) as db:
            for row in db.execute(f"SELECT {', '.join(FIELDS)} FROM searches WHERE day BETWEEN ? AND ?",
                                  [since.isoformat(), until.isoformat()]):
                yield LoggedSearch(*row)

    def counts(self, since: dt.date, until: dt.date, few: int) -> list[SearchCount]:
        """The searches from ``since`` to ``until`` (both included), counted in SQLite by query,
        filters, language and kind of result (none, 1 to ``few``, more)."""
        if not self.path.exists():
            return []
        with closing(connect(self.path)) as db:
            return [SearchCount(*row) for row in db.execute(
                "SELECT query, filters, language, CASE WHEN results = 0 THEN 'zero' WHEN results <= ? "
                "THEN 'few' ELSE 'more' END AS kind, COUNT(*) FROM searches WHERE day BETWEEN ? AND ? "
                "GROUP BY query, filters, language, kind", [few, since.isoformat(), until.isoformat()])]

    def purge(self, today: dt.date, months: int = RETENTION_MONTHS) -> int:
        """Delete the searches of days more than ``months`` before ``today``; returns how many."""
        if not self.path.exists():
            return 0
        cutoff = add_months(today, -months)
        with closing(connect(self.path)) as db:
            deleted = db.execute("DELETE FROM searches WHERE day < ?", [cutoff.isoformat()]).rowcount
            if deleted:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                db.execute("VACUUM")  # deleted rows must not linger in free pages
        return deleted
