"""The audit log: who did what to what, and when. Append-only (the database refuses changes).

Actions are dotted names such as ``user.created`` or ``sign_in.failed``;
``actor`` is the email of the person, or ``cli`` / ``system``; ``subject`` is
what was acted on (an email, an entry id, a folder); ``details`` is a small
JSON object with whatever else explains the event.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from . import instance

MAX_TEXT = 320  # actor and subject may come from a stranger (a sign-in email): keep them short

CSV_COLUMNS = ("id", "at", "actor", "action", "subject", "details", "ip")


@dataclass(frozen=True)
class Entry:
    """One line of the audit log."""

    id: int
    at: str
    actor: str
    action: str
    subject: str
    details: dict
    ip: str | None


def record(db: sqlite3.Connection, actor: str, action: str, subject: str = "", details: dict | None = None,
           ip: str | None = None) -> int:
    """Append one event to the log and return its id."""
    cursor = db.execute(
        "INSERT INTO audit_log (at, actor, action, subject, details, ip) VALUES (?, ?, ?, ?, ?, ?)",
        [instance.iso(instance.utc_now()), (actor or "system")[:MAX_TEXT], action, (subject or "")[:MAX_TEXT],
         json.dumps(details or {}, sort_keys=True, ensure_ascii=False), ip])
    return cursor.lastrowid


def _where(actor: str | None, action: str | None, subject: str | None, since: dt.date | None,
           until: dt.date | None) -> tuple[str, list]:
    clauses, parameters = [], []
    if actor:
        clauses.append("actor = ? COLLATE NOCASE")
        parameters.append(actor.strip())
    if action:
        clauses.append("action = ?")
        parameters.append(action.strip())
    if subject:
        # A part of the subject is enough: "@example.org" finds a whole organisation's accounts.
        escaped = subject.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append("subject LIKE ? ESCAPE '\\'")
        parameters.append(f"%{escaped}%")
    if since:
        clauses.append("at >= ?")
        parameters.append(f"{since.isoformat()}T00:00:00Z")
    if until:
        clauses.append("at < ?")  # until is a whole day, inclusive
        parameters.append(f"{(until + dt.timedelta(days=1)).isoformat()}T00:00:00Z")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", parameters


def entries(db: sqlite3.Connection, *, actor: str | None = None, action: str | None = None,
            subject: str | None = None, since: dt.date | None = None, until: dt.date | None = None,
            limit: int | None = None, offset: int = 0) -> list[Entry]:
    """Log entries, newest first, filtered by exact actor (any case), exact action, part of the
    subject, and UTC days ``since`` to ``until`` inclusive."""
    where, parameters = _where(actor, action, subject, since, until)
    sql = f"SELECT * FROM audit_log{where} ORDER BY id DESC"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        parameters += [limit, offset]
    return [Entry(row["id"], row["at"], row["actor"], row["action"], row["subject"],
                  json.loads(row["details"]), row["ip"]) for row in db.execute(sql, parameters)]


def count(db: sqlite3.Connection, *, actor: str | None = None, action: str | None = None,
          subject: str | None = None, since: dt.date | None = None, until: dt.date | None = None) -> int:
    """How many entries :func:`entries` would return without a limit."""
    where, parameters = _where(actor, action, subject, since, until)
    return db.execute(f"SELECT COUNT(*) FROM audit_log{where}", parameters).fetchone()[0]


def actions(db: sqlite3.Connection) -> list[str]:
    """Every action that has been logged, for a filter's choices."""
    return [row[0] for row in db.execute("SELECT DISTINCT action FROM audit_log ORDER BY action")]


def _safe_cell(value: object) -> str:
    # A cell starting with = + - @ (or a tab or carriage return) is a formula to a spreadsheet:
    # a sign-in email like "=HYPERLINK(...)" must reach the log reader as text.
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def to_csv(rows: Iterable[Entry]) -> str:
    """The entries as CSV with a header row, safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in rows:
        details = json.dumps(entry.details, sort_keys=True, ensure_ascii=False)
        writer.writerow([_safe_cell(value) for value in (entry.id, entry.at, entry.actor, entry.action,
                                                          entry.subject, details, entry.ip)])
    return buffer.getvalue()
