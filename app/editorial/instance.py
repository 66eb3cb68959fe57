"""The instance database, ``<INSTANCE_DIR>/editorial.db``: opening it, migrating it, backing it up.

Connections run in autocommit mode (``isolation_level=None``): every write
that must be atomic says so with :func:`transaction`, which takes SQLite's
write lock up front (``BEGIN IMMEDIATE``) so that two web workers updating
the same row queue up instead of failing half way.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DATABASE_NAME = "editorial.db"
BUSY_TIMEOUT_MS = 10_000  # a backup or a long migration may hold the write lock for a moment

# Each migration is a list of single statements, applied in one transaction
# together with its schema_version row. Append new migrations; never edit one
# that has shipped (instances out there have already run it).
MIGRATIONS: list[tuple[int, list[str]]] = [
    (1, [
        """CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL CHECK (role IN ('provider', 'editor', 'publisher', 'admin')),
            organisation TEXT,
            password_hash TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
            failed_sign_ins INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            session_version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            last_sign_in_at TEXT
        )""",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL DEFAULT '',
            details TEXT NOT NULL DEFAULT '{}',
            ip TEXT
        )""",
        "CREATE INDEX audit_log_at ON audit_log (at)",
        "CREATE INDEX audit_log_actor ON audit_log (actor COLLATE NOCASE)",
        "CREATE INDEX audit_log_action ON audit_log (action)",
        # The log is evidence: nothing, not even a bug of ours, may rewrite or remove it.
        """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
        """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
        """CREATE TABLE sign_in_attempts (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            ip TEXT,
            email TEXT NOT NULL COLLATE NOCASE,
            succeeded INTEGER NOT NULL CHECK (succeeded IN (0, 1))
        )""",
        "CREATE INDEX sign_in_attempts_ip ON sign_in_attempts (ip, at)",
        "CREATE INDEX sign_in_attempts_email ON sign_in_attempts (email, at)",
        "CREATE INDEX sign_in_attempts_at ON sign_in_attempts (at)",
    ]),
    # 2: changes to entries on their way through review (app/editorial/changes.py), and every
    # published version of every entry, which nothing may rewrite or remove.
    (2, [
        """CREATE TABLE changes (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('service', 'organisation', 'hub', 'page')),
            entry_id TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('create', 'edit', 'archive', 'restore')),
            organisation TEXT,
            base_sha256 TEXT,
            base_text TEXT,
            fields TEXT NOT NULL DEFAULT '{}',
            body TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'in_review', 'returned', 'published', 'withdrawn')),
            author_id INTEGER NOT NULL REFERENCES users (id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            submitted_at TEXT,
            reviewer_id INTEGER REFERENCES users (id),
            reviewed_at TEXT,
            comment TEXT NOT NULL DEFAULT '',
            publish_error TEXT,
            release_id TEXT,
            git_commit TEXT,
            restored_from INTEGER
        )""",
        "CREATE INDEX changes_status ON changes (status, updated_at)",
        "CREATE INDEX changes_entry ON changes (kind, entry_id, status)",
        "CREATE INDEX changes_author ON changes (author_id, status)",
        """CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            entry_id TEXT NOT NULL,
            text TEXT,
            sha256 TEXT,
            author TEXT NOT NULL DEFAULT '',
            approver TEXT NOT NULL DEFAULT '',
            published_at TEXT NOT NULL,
            release_id TEXT,
            git_commit TEXT,
            change_id INTEGER REFERENCES changes (id)
        )""",
        "CREATE INDEX history_entry ON history (kind, entry_id, id)",
        """CREATE TRIGGER history_no_update BEFORE UPDATE ON history
           BEGIN SELECT RAISE(ABORT, 'history is append-only'); END""",
        """CREATE TRIGGER history_no_delete BEFORE DELETE ON history
           BEGIN SELECT RAISE(ABORT, 'history is append-only'); END""",
    ]),
    # 3: suggestions from the public (app/editorial/suggestions.py) and their per-IP rate limit.
    (3, [
        """CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            service_id TEXT NOT NULL,
            service_title TEXT NOT NULL DEFAULT '',
            organisation TEXT,
            message TEXT NOT NULL,
            email TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dealt_with')),
            dealt_with_at TEXT,
            dealt_with_by TEXT
        )""",
        "CREATE INDEX suggestions_status ON suggestions (status, created_at)",
        "CREATE INDEX suggestions_organisation ON suggestions (organisation, status, created_at)",
        """CREATE TABLE suggestion_attempts (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            ip TEXT NOT NULL
        )""",
        "CREATE INDEX suggestion_attempts_ip ON suggestion_attempts (ip, at)",
        "CREATE INDEX suggestion_attempts_at ON suggestion_attempts (at)",
    ]),
    # 4: the read-only role `analyst` (the insight reports, app/insight/). SQLite cannot change a
    # CHECK constraint in place, so the users table is rebuilt with the same columns. changes and
    # history point at users(id): with the foreign key checks deferred to COMMIT, the rows are put
    # back under their own ids before anything is checked, so no reference is ever broken.
    (4, [
        "PRAGMA defer_foreign_keys = ON",
        "CREATE TEMP TABLE users_before_analyst AS SELECT * FROM users",
        """CREATE TABLE users_with_analyst (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL CHECK (role IN ('analyst', 'provider', 'editor', 'publisher', 'admin')),
            organisation TEXT,
            password_hash TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
            failed_sign_ins INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            session_version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            last_sign_in_at TEXT
        )""",
        "DROP TABLE users",
        "ALTER TABLE users_with_analyst RENAME TO users",
        """INSERT INTO users (id, email, name, role, organisation, password_hash, disabled, failed_sign_ins,
                              locked_until, session_version, created_at, last_sign_in_at)
           SELECT id, email, name, role, organisation, password_hash, disabled, failed_sign_ins,
                  locked_until, session_version, created_at, last_sign_in_at FROM users_before_analyst""",
        "DROP TABLE temp.users_before_analyst",
    ]),
    # 5: settings of this installation that are not content (who must use two-factor sign-in,
    # whether an admin may approve their own change): kept here, not in content/site.yml, so that
    # they are never published and cannot be changed by editing a content file. Read and written
    # only through app/editorial/instance_settings.py.
    (5, [
        """CREATE TABLE instance_settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by INTEGER REFERENCES users(id)
        )""",
    ]),
    # 6: two-factor sign-in (app/editorial/two_factor.py). One row per account that has begun setting
    # it up; it is on once confirmed_at is set. The secret is sealed with a key kept outside this
    # database; last_used_step stops a code being used twice. Recovery codes are kept as hashes.
    (6, [
        """CREATE TABLE two_factor (
            user_id INTEGER PRIMARY KEY REFERENCES users (id),
            secret TEXT NOT NULL,
            created_at TEXT NOT NULL,
            confirmed_at TEXT,
            last_used_step INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE recovery_codes (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id),
            code_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            used_at TEXT
        )""",
        "CREATE INDEX recovery_codes_user ON recovery_codes (user_id, used_at)",
    ]),
    # 7: email (app/editorial/mail.py, notifications.py) and scheduled jobs (jobs.py): the language
    # each account's emails are written in; what was emailed to whom and when, so that nothing is
    # sent twice; and the last run of each job, so that `earlyhelp jobs run` does each once per period.
    (7, [
        "ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'en'",
        """CREATE TABLE mail_sent (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id),
            item TEXT NOT NULL,
            sent_on TEXT NOT NULL,
            sent_at TEXT NOT NULL,
            message_id TEXT NOT NULL
        )""",
        "CREATE INDEX mail_sent_user_item ON mail_sent (user_id, item, sent_on)",
        "CREATE INDEX mail_sent_on ON mail_sent (sent_on)",
        """CREATE TABLE job_runs (
            job TEXT PRIMARY KEY,
            done_period TEXT,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,
            message TEXT NOT NULL DEFAULT ''
        )""",
    ]),
    # 8: changes to the taxonomy and to translations: changes.kind's CHECK is widened, the table rebuilt
    # as in 4 (history points at changes(id); the rows are put back under their own ids). And the review
    # dates of the entries without a last_reviewed field of their own (organisations, hubs, pages, the
    # taxonomy, translations): each "confirmed still correct", when and by whom (a change published
    # through the editor counts as a check too, from history). Read and written only through
    # app/editorial/entry_reviews.py.
    (8, [
        "PRAGMA defer_foreign_keys = ON",
        "CREATE TEMP TABLE changes_before_8 AS SELECT * FROM changes",
        """CREATE TABLE changes_8 (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('service', 'organisation', 'hub', 'page', 'taxonomy',
                                               'service_translation', 'hub_translation', 'page_translation',
                                               'taxonomy_translation')),
            entry_id TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('create', 'edit', 'archive', 'restore')),
            organisation TEXT,
            base_sha256 TEXT,
            base_text TEXT,
            fields TEXT NOT NULL DEFAULT '{}',
            body TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'in_review', 'returned', 'published', 'withdrawn')),
            author_id INTEGER NOT NULL REFERENCES users (id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            submitted_at TEXT,
            reviewer_id INTEGER REFERENCES users (id),
            reviewed_at TEXT,
            comment TEXT NOT NULL DEFAULT '',
            publish_error TEXT,
            release_id TEXT,
            git_commit TEXT,
            restored_from INTEGER
        )""",
        "DROP TABLE changes",
        "ALTER TABLE changes_8 RENAME TO changes",
        "INSERT INTO changes SELECT * FROM temp.changes_before_8",
        "DROP TABLE temp.changes_before_8",
        "CREATE INDEX changes_status ON changes (status, updated_at)",
        "CREATE INDEX changes_entry ON changes (kind, entry_id, status)",
        "CREATE INDEX changes_author ON changes (author_id, status)",
        """CREATE TABLE entry_reviews (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            entry_id TEXT NOT NULL,
            reviewed_on TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        )""",
        "CREATE INDEX entry_reviews_entry ON entry_reviews (kind, entry_id, reviewed_on)",
    ]),
]

LATEST_VERSION = MIGRATIONS[-1][0]


def utc_now() -> dt.datetime:
    """The current time in UTC (tests replace this to move the clock)."""
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime) -> str:
    """``2026-09-01T10:15:00Z``: fixed width, so stored times sort and compare as text."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> dt.datetime:
    """The inverse of :func:`iso`."""
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def database_path(instance_dir: str | Path) -> Path:
    """Where the instance database of ``instance_dir`` lives."""
    return Path(instance_dir) / DATABASE_NAME


def connect(path: str | Path) -> sqlite3.Connection:
    """A connection with WAL, foreign keys, a busy timeout and rows addressable by name.

    Does not migrate: use :func:`open_instance` (or :class:`Instance`) for that.
    """
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    db.row_factory = sqlite3.Row
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    # WAL lets web workers read while another writes; the mode is stored in the file.
    _use_wal(db)
    return db


def _use_wal(db: sqlite3.Connection) -> None:
    # Switching a new file to WAL needs it to itself, and SQLite answers "database is locked" at once
    # (no busy wait) when another connection is switching it too: several workers starting together
    # on a new instance. So wait here, as the busy timeout would.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``with transaction(db):`` commits the block's writes together, or none of them."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def schema_version(db: sqlite3.Connection) -> int:
    """The newest migration applied to ``db`` (0 for a new database)."""
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
    if not exists:
        return 0
    return db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]


def _applied(db: sqlite3.Connection, version: int) -> bool:
    # By version, not by the newest: migrations written on two branches at once (2 and 3) may
    # reach a database in either order, and each must still run once.
    return db.execute("SELECT 1 FROM schema_version WHERE version = ?", [version]).fetchone() is not None


def migrate(db: sqlite3.Connection) -> int:
    """Apply the migrations ``db`` has not had yet; safe to call again, and from several processes.

    Returns the schema version reached.
    """
    db.execute("""CREATE TABLE IF NOT EXISTS schema_version (
        version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)""")
    for version, statements in MIGRATIONS:
        if _applied(db, version):
            continue
        with transaction(db):
            # Checked again under the write lock: another process may have just applied it.
            if _applied(db, version):
                continue
            for statement in statements:
                db.execute(statement)
            db.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                       [version, iso(utc_now())])
    return schema_version(db)


def _create_private_file(path: Path) -> None:
    # Password hashes live here: readable by the service's own user only. SQLite
    # gives the -wal and -shm files the same permissions as the database.
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(descriptor)


def open_instance(instance_dir: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the instance database of ``instance_dir``."""
    path = database_path(instance_dir)
    _create_private_file(path)
    db = connect(path)
    migrate(db)
    return db


class Instance:
    """The instance database of one folder, migrated once per process, connected on demand."""

    def __init__(self, instance_dir: str | Path):
        self.path = database_path(instance_dir)
        self._migrated = False
        self._lock = threading.Lock()

    def connect(self) -> sqlite3.Connection:
        """A new connection (the caller closes it); the first one also migrates."""
        if not self._migrated:
            with self._lock:
                if not self._migrated:
                    migrate_db = open_instance(self.path.parent)
                    migrate_db.close()
                    self._migrated = True
        return connect(self.path)


def backup(db: sqlite3.Connection, destination: str | Path) -> Path:
    """A consistent copy of ``db`` at ``destination``, made with SQLite's online backup API.

    Safe while web workers are writing: the copy is of one moment, including
    what is still in the WAL file.
    """
    destination = Path(destination)
    _create_private_file(destination)
    target = sqlite3.connect(destination)
    try:
        db.backup(target)
        # A copy that stands alone: one file, no -wal beside it.
        target.execute("PRAGMA journal_mode = DELETE")
    finally:
        target.close()
    return destination
