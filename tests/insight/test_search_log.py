"""The search log on disk: its own file, only five fields, batched writes, every search view, retention."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time

from click.testing import CliRunner

from app import create_app
from app.cli import main
from app.config import TestingConfig
from app.insight.searchlog import FIELDS, LoggedSearch, SearchLog
from app.publishing.publish import publish

from ..factories import service, site, write_content

TODAY = dt.datetime.now(dt.UTC).date()


def _bilingual_app(tmp_path):
    """English and Polish, one service for money and one for parenting."""
    content = write_content(tmp_path / "content", [
        service("debt-advice", title="Debt advice", needs=["money-debt"]),
        service("parenting-group", title="Parenting group", needs=["parenting"])], site=site(["en", "pl"]))
    publish(content, tmp_path / "index", processes=1)
    return create_app(TestingConfig(content, tmp_path / "index", tmp_path / "instance"))


def _table(path):
    db = sqlite3.connect(path)
    try:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        columns = [row[1] for row in db.execute("PRAGMA table_info(searches)")]
        rows = db.execute("SELECT * FROM searches ORDER BY query, language, filters").fetchall()
    finally:
        db.close()
    return tables, columns, rows


def _file_bytes(path) -> bytes:
    return b"".join(candidate.read_bytes() for candidate in path.parent.glob(path.name + "*"))


def test_searches_on_every_view_and_language_are_logged_with_nothing_else(tmp_path):
    app = _bilingual_app(tmp_path)
    client = app.test_client()
    client.get("/search?q=Debt+advice", headers={"User-Agent": "Secret/1.0", "Cookie": "track=me"},
               environ_base={"REMOTE_ADDR": "203.0.113.9"})
    client.get("/pl/search?q=debt&need=money-debt")
    client.get("/api/search?q=parenting&lang=pl")
    client.get("/api/search?q=parenting")
    client.get("/search?q=debt&page=2")  # the same search, paged on: not counted again
    client.get("/search")  # nothing searched
    client.get("/search?q=020+7946+0210")  # personal-looking: never stored
    client.get("/api/search?q=food+N17+6AA")
    log = app.extensions["search_log"]
    assert log.path == tmp_path / "instance" / "search-log.db"
    assert not log.path.exists()  # nothing written yet: searches only append in memory
    assert log.flush() == 4

    tables, columns, rows = _table(log.path)
    assert tables == ["searches"]
    assert tuple(columns) == FIELDS == ("day", "query", "filters", "language", "results")
    today = TODAY.isoformat()
    assert rows == [(today, "debt", "need=money-debt", "pl", 1), (today, "debt advice", "", "en", 1),
                    (today, "parenting", "", "en", 1), (today, "parenting", "", "pl", 1)]
    stored = _file_bytes(log.path)
    for secret in (b"203.0.113.9", b"Secret/1.0", b"track", b"7946", b"N17 6AA", b"n17 6aa"):
        assert secret not in stored
    # The editorial database is not where searches go.
    editorial = tmp_path / "instance" / "editorial.db"
    assert not editorial.exists() or b"parenting" not in _file_bytes(editorial)


def test_the_writer_thread_writes_in_batches(tmp_path):
    log = SearchLog(tmp_path, flush_seconds=0.05, batch_size=1000)
    for number in range(3):
        log.record(LoggedSearch(TODAY.isoformat(), f"query {number}", "", "en", number))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not log.path.exists():
        time.sleep(0.02)
    time.sleep(0.1)
    assert len(list(log.rows(TODAY, TODAY))) == 3
    assert log.flush() == 0  # nothing left waiting


def test_a_disabled_log_keeps_nothing(folders, published):
    config = TestingConfig(folders["content"], folders["index"], folders["instance"])
    config.SEARCH_LOG = False
    app = create_app(config)
    app.test_client().get("/search?q=debt")
    assert app.extensions["search_log"].flush() == 0
    assert not (folders["instance"] / "search-log.db").exists()


def test_purge_forgets_searches_older_than_the_retention_period(tmp_path, monkeypatch):
    log = SearchLog(tmp_path)
    days = {"today": TODAY, "a year ago": TODAY - dt.timedelta(days=365),
            "14 months ago": TODAY - dt.timedelta(days=14 * 31),
            "3 years ago": TODAY - dt.timedelta(days=1100)}
    log.add(LoggedSearch(day.isoformat(), name, "", "en", 1) for name, day in days.items())
    monkeypatch.setenv("EARLYHELP_INSTANCE_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["search-log", "purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 2 search(es) older than 13 months." in result.output
    kept = {row.query for row in log.rows(dt.date(2000, 1, 1), TODAY)}
    assert kept == {"today", "a year ago"}
    assert b"3 years ago" not in _file_bytes(log.path)  # gone from the file, not only from the table
    assert log.purge(TODAY, months=1) == 1
