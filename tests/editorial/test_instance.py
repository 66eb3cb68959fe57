"""The instance database: where it lives, how it is opened, migrations, the append-only audit log."""

from __future__ import annotations

import sqlite3
import stat
import threading

import pytest

from app.editorial import audit, instance


def test_opens_with_wal_and_foreign_keys_in_the_instance_folder(instance_dir):
    db = instance.open_instance(instance_dir)
    assert (instance_dir / "editorial.db").is_file()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"schema_version", "users", "audit_log", "sign_in_attempts"} <= tables
    db.close()


def test_only_its_owner_may_read_the_database(instance_dir):
    instance.open_instance(instance_dir).close()
    mode = stat.S_IMODE((instance_dir / "editorial.db").stat().st_mode)
    assert mode & 0o077 == 0, oct(mode)


def test_migrate_is_idempotent(db):
    assert instance.schema_version(db) == instance.LATEST_VERSION
    assert instance.migrate(db) == instance.LATEST_VERSION
    assert instance.migrate(db) == instance.LATEST_VERSION
    versions = [row[0] for row in db.execute("SELECT version FROM schema_version")]
    assert versions == [version for version, _ in instance.MIGRATIONS]


def test_several_processes_may_migrate_at_once(instance_dir):
    instance_dir.mkdir()
    path = instance.database_path(instance_dir)
    failures = []

    def migrate_one():
        try:
            db = instance.connect(path)
            instance.migrate(db)
            db.close()
        except Exception as error:  # collected: the assertion below names it
            failures.append(error)

    threads = [threading.Thread(target=migrate_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    db = instance.connect(path)
    assert instance.schema_version(db) == instance.LATEST_VERSION


def test_emails_are_unique_whatever_their_case(db):
    db.execute("INSERT INTO users (email, role, password_hash, created_at) "
               "VALUES ('a@example.org', 'editor', 'x', '2026-01-01T00:00:00Z')")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO users (email, role, password_hash, created_at) VALUES ('A@Example.org', "
                   "'editor', 'x', '2026-01-01T00:00:00Z')")


def test_the_audit_log_refuses_updates_and_deletes(db):
    entry_id = audit.record(db, "cli", "user.created", "a@example.org", {"role": "editor"})
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit_log SET actor = 'someone-else' WHERE id = ?", [entry_id])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit_log WHERE id = ?", [entry_id])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit_log")
    [entry] = audit.entries(db)
    assert (entry.actor, entry.action, entry.details) == ("cli", "user.created", {"role": "editor"})


def test_a_failed_transaction_leaves_nothing_behind(db):
    with pytest.raises(RuntimeError), instance.transaction(db):
        audit.record(db, "cli", "first", "")
        raise RuntimeError("half way")
    assert audit.entries(db) == []


def test_backup_is_a_standalone_consistent_copy(db, tmp_path):
    audit.record(db, "cli", "something", "x")
    copy = instance.backup(db, tmp_path / "copy.db")
    audit.record(db, "cli", "after the backup", "x")
    restored = sqlite3.connect(copy)
    assert [row[0] for row in restored.execute("SELECT action FROM audit_log")] == ["something"]
    assert restored.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert not (tmp_path / "copy.db-wal").exists()


def test_migration_4_admits_analysts_and_keeps_every_account_and_reference(instance_dir):
    # An instance made before the role existed: migrations 1 to 3, an account with a change.
    instance_dir.mkdir()
    db = instance.connect(instance.database_path(instance_dir))
    db.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for version, statements in instance.MIGRATIONS[:3]:
        for statement in statements:
            db.execute(statement)
        db.execute("INSERT INTO schema_version VALUES (?, '2026-01-01T00:00:00Z')", [version])
    db.execute("INSERT INTO users (id, email, role, password_hash, created_at, session_version) "
               "VALUES (7, 'ed@example.org', 'editor', 'hash', '2026-01-01T00:00:00Z', 3)")
    db.execute("INSERT INTO changes (kind, entry_id, action, author_id, created_at, updated_at) "
               "VALUES ('service', 'a', 'edit', 7, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO users (email, role, password_hash, created_at) "
                   "VALUES ('an@example.org', 'analyst', 'x', '2026-01-01T00:00:00Z')")

    assert instance.migrate(db) == instance.LATEST_VERSION
    row = db.execute("SELECT * FROM users WHERE id = 7").fetchone()
    assert (row["email"], row["role"], row["session_version"]) == ("ed@example.org", "editor", 3)
    db.execute("INSERT INTO users (email, role, password_hash, created_at) "
               "VALUES ('an@example.org', 'analyst', 'x', '2026-01-01T00:00:00Z')")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    with pytest.raises(sqlite3.IntegrityError):  # references to users are still enforced
        db.execute("INSERT INTO changes (kind, entry_id, action, author_id, created_at, updated_at) "
                   "VALUES ('service', 'b', 'edit', 99, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO users (email, role, password_hash, created_at) "
                   "VALUES ('x@example.org', 'boss', 'x', '2026-01-01T00:00:00Z')")
    db.close()
