"""Recording, filtering and exporting the audit log."""

from __future__ import annotations

import csv
import datetime as dt
import io

from app.editorial import audit


def test_entries_are_newest_first_and_filter_by_actor_action_subject_and_days(db, clock):
    audit.record(db, "cli", "user.created", "ann@example.org", {"role": "editor"})
    clock.advance(days=1)
    audit.record(db, "Ann@Example.org", "sign_in.succeeded", "ann@example.org", ip="192.0.2.1")
    clock.advance(days=1)
    audit.record(db, "cli", "user.created", "bob@council.example", {"role": "admin"})

    assert [entry.subject for entry in audit.entries(db)] == [
        "bob@council.example", "ann@example.org", "ann@example.org"]
    assert len(audit.entries(db, actor="ann@example.org")) == 1  # any case
    assert [entry.subject for entry in audit.entries(db, action="user.created")] == [
        "bob@council.example", "ann@example.org"]
    assert len(audit.entries(db, subject="example.org")) == 2  # a part of the subject
    assert audit.entries(db, subject="%") == []  # wildcards are literal
    day_two = dt.date(2026, 9, 2)
    [entry] = audit.entries(db, since=day_two, until=day_two)
    assert (entry.action, entry.ip, entry.at) == ("sign_in.succeeded", "192.0.2.1", "2026-09-02T09:00:00Z")
    assert audit.count(db, since=day_two) == 2
    assert [entry.id for entry in audit.entries(db, limit=1, offset=1)] == [2]
    assert audit.actions(db) == ["sign_in.succeeded", "user.created"]


def test_csv_has_a_header_and_cannot_smuggle_spreadsheet_formulas(db):
    audit.record(db, "=HYPERLINK(\"http://evil.example\")", "sign_in.failed", "@SUM(A1)",
                 {"reason": "unknown_email"}, "192.0.2.9")
    text = audit.to_csv(audit.entries(db))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(audit.CSV_COLUMNS)
    assert rows[1][2].startswith("'=") and rows[1][4] == "'@SUM(A1)"
    assert rows[1][5] == '{"reason": "unknown_email"}' and rows[1][6] == "192.0.2.9"


def test_long_text_from_strangers_is_cut_short(db):
    audit.record(db, "x" * 5000, "sign_in.failed", "y" * 5000)
    [entry] = audit.entries(db)
    assert len(entry.actor) == len(entry.subject) == audit.MAX_TEXT
