"""Suggestions from the public: "Report a problem with this page", and the editors' queue.

The form on a service page is open to anyone and sets no cookie, so it
cannot carry a session's CSRF token. It resists spam without a third-party
captcha instead:

- a honeypot field, hidden with CSS, that people leave empty and form-filling bots do not;
- a timestamp signed with the app's secret key (itsdangerous) and bound to the service,
  so a form sent under :data:`MIN_SECONDS` after it was shown (a bot), more than
  :data:`MAX_AGE` later (a stale or harvested form), or with a forged token is refused;
- at most :data:`RATE_LIMIT` submissions from one IP address an hour, counted in the instance
  database (attempts are kept for a day, then deleted).

A suggestion changes nothing on the site: it waits in the queue at
``/editor/suggestions`` until an editor (or a provider, for its own
organisation's services) marks it as dealt with, which is audited.

Suggestions may hold personal data (an email address, and whatever someone
wrote), so they are not kept for ever (:func:`purge`, ``earlyhelp suggestions
purge``, run daily): a suggestion is deleted :data:`RETENTION_DAYS` after it was
dealt with, and an open one has its email address erased :data:`OPEN_EMAIL_DAYS`
after it arrived. The privacy notice (``content/pages/privacy.md``) says the same.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from . import audit, instance
from .instance import transaction

MAX_MESSAGE_LENGTH = 2000
MAX_EMAIL_LENGTH = 254
MIN_SECONDS = 3
MAX_AGE = dt.timedelta(hours=2)
RATE_LIMIT = 5
RATE_WINDOW = dt.timedelta(hours=1)
ATTEMPTS_KEPT = dt.timedelta(days=1)

RETENTION_DAYS = 180  # a suggestion dealt with is deleted this long after
OPEN_EMAIL_DAYS = 365  # an open suggestion loses its email address this long after it arrived

OPEN = "open"
DEALT_WITH = "dealt_with"
STATUSES = (OPEN, DEALT_WITH)

TOKEN_SALT = "earlyhelp.suggestion-form"
HONEYPOT_FIELD = "comment_check"  # not a name browsers autofill; robots fill in every box

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class Refusal(StrEnum):
    """Why a submission was not accepted (the form says so kindly, whatever the reason)."""

    RATE_LIMITED = "rate_limited"
    HONEYPOT = "honeypot"
    TOO_FAST = "too_fast"
    EXPIRED = "expired"
    FORGED = "forged"


class SuggestionRefused(Exception):
    def __init__(self, refusal: Refusal):
        super().__init__(refusal.value)
        self.refusal = refusal


class SuggestionInvalid(Exception):
    """The form needs fixing; ``errors`` maps a field name to a code."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{field}: {code}" for field, code in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Suggestion:
    id: int
    service_id: str
    service_title: str
    organisation: str | None
    message: str
    email: str
    created_at: str
    status: str
    dealt_with_at: str | None
    dealt_with_by: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Suggestion:
        return cls(row["id"], row["service_id"], row["service_title"], row["organisation"], row["message"],
                   row["email"], row["created_at"], row["status"], row["dealt_with_at"], row["dealt_with_by"])


# -- the signed timestamp ---------------------------------------------------------------------

class _ClockSigner(TimestampSigner):
    # Follows instance.utc_now, so tests move the form's clock with everything else's.
    def get_timestamp(self) -> int:
        return int(instance.utc_now().timestamp())


def _serializer(secret_key: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT, signer=_ClockSigner)


def form_token(secret_key: str | bytes, service_id: str) -> str:
    """The token the form carries: the service id and the time it was shown, signed."""
    return _serializer(secret_key).dumps(service_id)


def check_token(secret_key: str | bytes, token: str, service_id: str) -> Refusal | None:
    """None when ``token`` was issued for ``service_id`` between 3 seconds and 2 hours ago."""
    try:
        value, signed_at = _serializer(secret_key).loads(
            token or "", max_age=int(MAX_AGE.total_seconds()), return_timestamp=True)
    except SignatureExpired:
        return Refusal.EXPIRED
    except BadData:
        return Refusal.FORGED
    if value != service_id:
        return Refusal.FORGED
    if instance.utc_now() - signed_at < dt.timedelta(seconds=MIN_SECONDS):
        return Refusal.TOO_FAST
    return None


# -- submitting ----------------------------------------------------------------------------------

def clean_message(text: str) -> str:
    """The message as stored: line endings made plain, surrounding space trimmed."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def validate(message: str, email: str) -> dict[str, str]:
    """Problems with the form's fields, as ``{field: code}`` (empty when it may be sent)."""
    errors = {}
    if not message:
        errors["message"] = "message_missing"
    elif len(message) > MAX_MESSAGE_LENGTH:
        errors["message"] = "message_too_long"
    if email and (len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email)):
        errors["email"] = "email_invalid"
    return errors


def rate_limited(db: sqlite3.Connection, ip: str | None, now: dt.datetime | None = None) -> bool:
    """True once ``ip`` has made :data:`RATE_LIMIT` submissions within the last hour."""
    now = now or instance.utc_now()
    count = db.execute("SELECT COUNT(*) FROM suggestion_attempts WHERE ip = ? AND at > ?",
                       [ip or "", instance.iso(now - RATE_WINDOW)]).fetchone()[0]
    return count >= RATE_LIMIT


def _note_attempt(db: sqlite3.Connection, ip: str | None, now: dt.datetime) -> None:
    db.execute("INSERT INTO suggestion_attempts (at, ip) VALUES (?, ?)", [instance.iso(now), ip or ""])
    db.execute("DELETE FROM suggestion_attempts WHERE at < ?", [instance.iso(now - ATTEMPTS_KEPT)])


def submit(db: sqlite3.Connection, secret_key: str | bytes, *, service_id: str, service_title: str,
           organisation: str | None, message: str, email: str = "", token: str = "", honeypot: str = "",
           ip: str | None = None) -> Suggestion:
    """Check a submission of the public form and add it to the queue.

    Raises :class:`SuggestionRefused` (rate limit, honeypot, token) or
    :class:`SuggestionInvalid` (fields to fix). Every submission that gets past
    the rate limit and the fields counts towards the limit, refused or not.
    """
    now = instance.utc_now()
    message, email = clean_message(message), (email or "").strip()
    with transaction(db):
        if rate_limited(db, ip, now):
            raise SuggestionRefused(Refusal.RATE_LIMITED)
        refusal = Refusal.HONEYPOT if honeypot else check_token(secret_key, token, service_id)
        errors = validate(message, email) if refusal is None else {}
        if errors:
            raise SuggestionInvalid(errors)
        _note_attempt(db, ip, now)
        if refusal is None:
            cursor = db.execute(
                "INSERT INTO suggestions (service_id, service_title, organisation, message, email,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [service_id, service_title, organisation, message, email, instance.iso(now)])
            suggestion_id = cursor.lastrowid
    if refusal is not None:  # raised after the commit, so the refused attempt still counts
        raise SuggestionRefused(refusal)
    return get_suggestion(db, suggestion_id)


# -- the queue -------------------------------------------------------------------------------------

def get_suggestion(db: sqlite3.Connection, suggestion_id: int) -> Suggestion | None:
    row = db.execute("SELECT * FROM suggestions WHERE id = ?", [suggestion_id]).fetchone()
    return Suggestion.from_row(row) if row else None


def list_suggestions(db: sqlite3.Connection, *, status: str = OPEN, organisation: str | None = None,
                     limit: int = 200) -> list[Suggestion]:
    """Suggestions with ``status`` (of ``organisation``'s services when given): open ones oldest
    first (the queue's order), dealt-with ones newest first."""
    order = "created_at, id" if status == OPEN else "dealt_with_at DESC, id DESC"
    sql, parameters = "SELECT * FROM suggestions WHERE status = ?", [status]
    if organisation is not None:
        sql += " AND organisation = ?"
        parameters.append(organisation)
    rows = db.execute(f"{sql} ORDER BY {order} LIMIT ?", [*parameters, limit])
    return [Suggestion.from_row(row) for row in rows]


def count(db: sqlite3.Connection, *, status: str = OPEN, organisation: str | None = None) -> int:
    sql, parameters = "SELECT COUNT(*) FROM suggestions WHERE status = ?", [status]
    if organisation is not None:
        sql += " AND organisation = ?"
        parameters.append(organisation)
    return db.execute(sql, parameters).fetchone()[0]


def mark_dealt_with(db: sqlite3.Connection, suggestion_id: int, *, actor: str,
                    ip: str | None = None) -> Suggestion | None:
    """Close a suggestion (audited); None when there is no such suggestion. Closing twice is harmless."""
    with transaction(db):
        suggestion = get_suggestion(db, suggestion_id)
        if suggestion is None or suggestion.status == DEALT_WITH:
            return suggestion
        db.execute("UPDATE suggestions SET status = ?, dealt_with_at = ?, dealt_with_by = ? WHERE id = ?",
                   [DEALT_WITH, instance.iso(instance.utc_now()), actor, suggestion_id])
        audit.record(db, actor, "suggestion.dealt_with", suggestion.service_id,
                     {"suggestion": suggestion_id}, ip)
    return get_suggestion(db, suggestion_id)


@dataclass(frozen=True)
class Purged:
    deleted: int  # suggestions dealt with before the cut-off, deleted
    emails_erased: int  # open suggestions older than the email cut-off, email erased


def purge(db: sqlite3.Connection, *, older_than_days: int = RETENTION_DAYS,
          open_email_days: int = OPEN_EMAIL_DAYS, actor: str = "cli") -> Purged:
    """Delete suggestions dealt with more than ``older_than_days`` ago, and erase the email address of
    open ones received more than ``open_email_days`` ago (audited with the counts, never the data)."""
    now = instance.utc_now()
    deleted_before = instance.iso(now - dt.timedelta(days=older_than_days))
    erase_before = instance.iso(now - dt.timedelta(days=open_email_days))
    with transaction(db):
        deleted = db.execute("DELETE FROM suggestions WHERE status = ? AND dealt_with_at < ?",
                             [DEALT_WITH, deleted_before]).rowcount
        erased = db.execute("UPDATE suggestions SET email = '' WHERE status = ? AND email != '' AND "
                            "created_at < ?", [OPEN, erase_before]).rowcount
        audit.record(db, actor, "suggestions.purged", "suggestions",
                     {"deleted": deleted, "emails_erased": erased, "older_than_days": older_than_days,
                      "open_email_days": open_email_days})
    return Purged(deleted, erased)


def counts_by_service(db: sqlite3.Connection) -> list[tuple[str, str, int]]:
    """(service id, status, how many) over every suggestion, for the data-quality report; nothing the
    public wrote is read."""
    return [tuple(row) for row in db.execute(
        "SELECT service_id, status, COUNT(*) FROM suggestions GROUP BY service_id, status "
        "ORDER BY service_id, status")]
