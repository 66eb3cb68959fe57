"""Editor accounts: roles, passwords (argon2id), signing in with lockout and rate limits.

Numbers that matter (see README "Editor accounts"):

- an account is locked for 15 minutes after 5 wrong passwords in a row;
- 5 failed sign-ins for one email address in 15 minutes (since its last
  success), from any addresses, refuse that email, known or not, so an unknown
  email behaves like a locked account and does not give itself away;
- an IP address with 20 failed sign-ins in 10 minutes (spraying guesses across
  accounts) gets one try per account for the rest of the window: it cannot
  guess again at an account it has got wrong, but it never stops anyone else
  behind the same address (a council's proxy, a library's wifi) from signing in
  to an account it has not been guessing at. Throttling the whole address would
  hand any attacker a way to lock a whole office out;
- passwords are at least 12 characters and not the email address.

Every change and every sign-in outcome is written to the audit log in the
same transaction as the change itself.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from . import audit, instance
from .instance import transaction

# From least to most trusted. An analyst changes nothing: it reads the insight reports for
# commissioners (/editor/insight) and nothing else. A provider suggests changes to its own
# organisation's services; an editor edits entries; a publisher reviews and publishes; an admin
# also manages accounts and reads the audit log.
ROLES = ("analyst", "provider", "editor", "publisher", "admin")

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # hashing is deliberately slow; do not let anyone make it slower
MAX_EMAIL_LENGTH = 254

LOCKOUT_THRESHOLD = 5
LOCKOUT_PERIOD = dt.timedelta(minutes=15)
IP_LIMIT = 20
IP_WINDOW = dt.timedelta(minutes=10)
EMAIL_LIMIT = 5
EMAIL_WINDOW = dt.timedelta(minutes=15)
ATTEMPTS_KEPT = dt.timedelta(days=1)  # the limits look back minutes; older attempts only take space

# argon2id with the RFC 9106 "low memory" parameters (argon2-cffi's defaults:
# 3 passes over 64 MiB, 4 lanes). When these change, sign-in rehashes.
PASSWORD_HASHER = PasswordHasher()

# Passwords long enough to pass the length rule that every guessing list starts with.
COMMON_PASSWORDS = frozenset({
    "123456789012", "1234567890123", "12345678901234", "password1234", "password12345", "password123!",
    "passwordpassword", "qwertyuiop12", "qwertyuiopasdf", "iloveyou1234", "welcome12345", "changeme1234",
    "letmein12345", "administrator", "abcdefghijkl", "earlyhelp123", "earlyhelp1234",
})

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class AccountError(ValueError):
    """A change refused for a reason the person can fix; ``code`` names it for translation."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params


class Refusal(StrEnum):
    """Why :func:`authenticate` did not sign someone in."""

    INVALID = "invalid"  # unknown email or wrong password: never say which
    LOCKED = "locked"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    DISABLED = "disabled"  # only said to someone who gave the right password
    WRONG_CODE = "wrong_code"  # two-factor sign-in: the code (or recovery code) is not right
    CODE_REUSED = "code_reused"  # two-factor sign-in: that code has already been used


@dataclass(frozen=True)
class User:
    """An account, without its password hash (which stays in the database)."""

    id: int
    email: str
    name: str
    role: str
    organisation: str | None
    disabled: bool
    failed_sign_ins: int
    locked_until: str | None
    session_version: int
    created_at: str
    last_sign_in_at: str | None
    language: str = "en"  # the language of the emails this account is sent (migration 7)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> User:
        """A user from a row of the users table."""
        return cls(row["id"], row["email"], row["name"], row["role"], row["organisation"],
                   bool(row["disabled"]), row["failed_sign_ins"], row["locked_until"], row["session_version"],
                   row["created_at"], row["last_sign_in_at"], language=row["language"])

    def is_locked(self, now: dt.datetime | None = None) -> bool:
        """True while a lockout after failed sign-ins lasts."""
        return bool(self.locked_until) and instance.parse_iso(self.locked_until) > (now or instance.utc_now())

    @property
    def status(self) -> str:
        """``disabled``, ``locked`` or ``active``."""
        return "disabled" if self.disabled else "locked" if self.is_locked() else "active"

    @property
    def display_name(self) -> str:
        """The name to show: the person's name, else their email."""
        return self.name or self.email


@dataclass(frozen=True)
class CodeNeeded:
    """What :func:`authenticate` answers when the password is right and the account uses two-factor
    sign-in: not signed in yet, a code from the authenticator app comes next."""

    user: User


def roles_at_least(role: str) -> tuple[str, ...]:
    """``role`` and every more trusted one: ``roles_at_least("publisher") == ("publisher", "admin")``."""
    return ROLES[ROLES.index(role):]


# -- checks -------------------------------------------------------------------------------------

def normalise_email(email: str) -> str:
    """Emails compare without case or surrounding space."""
    return (email or "").strip().lower()


def check_email(email: str) -> str:
    """The normalised email, or :class:`AccountError` ``invalid_email``."""
    email = normalise_email(email)
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        raise AccountError("invalid_email", "Enter an email address like name@example.org")
    return email


def check_password(password: str, email: str) -> None:
    """Raise :class:`AccountError` unless ``password`` is acceptable for the account ``email``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password_too_short",
                           f"The password must be at least {MIN_PASSWORD_LENGTH} characters",
                           minimum=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError("password_too_long",
                           f"The password must be at most {MAX_PASSWORD_LENGTH} characters",
                           maximum=MAX_PASSWORD_LENGTH)
    folded = password.strip().casefold()
    email = normalise_email(email)
    if folded in (email, email.split("@")[0]):
        raise AccountError("password_is_email", "The password must not be the email address")
    if folded in COMMON_PASSWORDS or len(set(folded)) <= 2:
        raise AccountError("password_too_common",
                           "The password is too easy to guess: choose a less common one")


def check_role(role: str) -> str:
    """``role`` if it is one of :data:`ROLES`, else :class:`AccountError` ``unknown_role``."""
    if role not in ROLES:
        raise AccountError("unknown_role", f"The role must be one of: {', '.join(ROLES)}", roles=ROLES)
    return role


def _check_organisation(role: str, organisation: str | None,
                        organisations: Collection[str] | None) -> str | None:
    organisation = (organisation or "").strip() or None
    if role != "provider":
        if organisation:
            raise AccountError("organisation_for_providers_only",
                               "Only provider accounts belong to an organisation")
        return None
    if not organisation:
        raise AccountError("organisation_required", "A provider account needs the organisation it works for")
    if organisations is not None and organisation not in organisations:
        raise AccountError("unknown_organisation",
                           f"There is no organisation '{organisation}' in the content",
                           organisation=organisation)
    return organisation


def known_organisations(content_dir: str | Path) -> dict[str, str]:
    """``{id: name}`` of the organisations in ``content_dir``, sorted by name, read from their files."""
    from ..content.loader import ENTRY_FILE, TRANSLATION_FILE
    from ..content.yamlfile import EntryFileError, YamlFileError, parse_front_matter, read_entry_bytes

    found = {}
    folder = Path(content_dir) / "organisations"
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        match = ENTRY_FILE.match(path.name)
        if not match or TRANSLATION_FILE.match(path.name):
            continue
        try:
            data = parse_front_matter(read_entry_bytes(path).decode("utf-8")).data
        except (EntryFileError, UnicodeDecodeError, YamlFileError):  # a FIFO is skipped, never waited on
            data = None
        name = data.get("name") if isinstance(data, dict) else None
        found[match["stem"]] = str(name) if name else match["stem"]
    return dict(sorted(found.items(), key=lambda item: item[1].casefold()))


# -- passwords ----------------------------------------------------------------------------------

def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` with the current parameters."""
    return PASSWORD_HASHER.hash(password)


_dummy: tuple[PasswordHasher, str] | None = None


def _dummy_hash() -> str:
    # A hash made with the current parameters, so checking a password for an
    # unknown email takes as long as for a real account.
    global _dummy
    if _dummy is None or _dummy[0] is not PASSWORD_HASHER:
        _dummy = (PASSWORD_HASHER, PASSWORD_HASHER.hash("not a password of anyone's"))
    return _dummy[1]


def _verify(password_hash: str, password: str) -> bool:
    try:
        return PASSWORD_HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# -- reading ------------------------------------------------------------------------------------

def get_user(db: sqlite3.Connection, user_id: int) -> User | None:
    """The account with id ``user_id``, or None."""
    row = db.execute("SELECT * FROM users WHERE id = ?", [user_id]).fetchone()
    return User.from_row(row) if row else None


def find_user(db: sqlite3.Connection, email: str) -> User | None:
    """The account with ``email`` (any case), or None."""
    row = db.execute("SELECT * FROM users WHERE email = ?", [normalise_email(email)]).fetchone()
    return User.from_row(row) if row else None


def list_users(db: sqlite3.Connection) -> list[User]:
    """Every account, most trusted role first, then by email."""
    order = " ".join(f"WHEN '{role}' THEN {index}" for index, role in enumerate(reversed(ROLES)))
    rows = db.execute(f"SELECT * FROM users ORDER BY CASE role {order} END, email")
    return [User.from_row(row) for row in rows]


def _existing(db: sqlite3.Connection, email: str) -> User:
    user = find_user(db, email)
    if user is None:
        raise AccountError("no_such_user", f"There is no account for {normalise_email(email)}")
    return user


def _refuse_if_last_admin(db: sqlite3.Connection, user: User) -> None:
    if user.role != "admin" or user.disabled:
        return
    others = db.execute("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?",
                        [user.id]).fetchone()[0]
    if not others:
        raise AccountError("last_admin", "This is the only active admin account: add another admin first")


def _refuse_own_account(user: User, actor: str) -> None:
    if normalise_email(actor) == user.email:
        raise AccountError("own_account", "Ask another admin to change your own account")


# -- changes ------------------------------------------------------------------------------------

def create_user(db: sqlite3.Connection, email: str, password: str, role: str, *, name: str = "",
                organisation: str | None = None, organisations: Collection[str] | None = None,
                actor: str, ip: str | None = None) -> User:
    """Add an account; ``organisations`` (known ids) checks a provider's organisation when given."""
    email = check_email(email)
    role = check_role(role)
    organisation = _check_organisation(role, organisation, organisations)
    check_password(password, email)
    password_hash = hash_password(password)  # slow: outside the write lock
    with transaction(db):
        if find_user(db, email):
            raise AccountError("email_taken", f"There is already an account for {email}")
        cursor = db.execute(
            "INSERT INTO users (email, name, role, organisation, password_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [email, (name or "").strip(), role, organisation, password_hash,
             instance.iso(instance.utc_now())])
        audit.record(db, actor, "user.created", email, {"role": role, "organisation": organisation}, ip)
    return get_user(db, cursor.lastrowid)


def disable_user(db: sqlite3.Connection, email: str, *, actor: str, ip: str | None = None) -> User:
    """Stop an account signing in; its open sessions end on their next request."""
    with transaction(db):
        user = _existing(db, email)
        if not user.disabled:
            _refuse_own_account(user, actor)
            _refuse_if_last_admin(db, user)
            db.execute("UPDATE users SET disabled = 1, session_version = session_version + 1 WHERE id = ?",
                       [user.id])
            audit.record(db, actor, "user.disabled", user.email, {}, ip)
    return get_user(db, user.id)


def enable_user(db: sqlite3.Connection, email: str, *, actor: str, ip: str | None = None) -> User:
    """Let a disabled or locked account sign in again."""
    with transaction(db):
        user = _existing(db, email)
        db.execute("UPDATE users SET disabled = 0, failed_sign_ins = 0, locked_until = NULL WHERE id = ?",
                   [user.id])
        audit.record(db, actor, "user.enabled", user.email, {"was": user.status}, ip)
    return get_user(db, user.id)


def set_password(db: sqlite3.Connection, email: str, password: str, *, actor: str,
                 ip: str | None = None) -> User:
    """Reset an account's password; unlocks it and ends its open sessions."""
    user = _existing(db, email)
    check_password(password, user.email)
    password_hash = hash_password(password)
    with transaction(db):
        db.execute("UPDATE users SET password_hash = ?, failed_sign_ins = 0, locked_until = NULL, "
                   "session_version = session_version + 1 WHERE id = ?", [password_hash, user.id])
        audit.record(db, actor, "user.password_reset", user.email, {}, ip)
    return get_user(db, user.id)


def change_own_password(db: sqlite3.Connection, user: User, current: str, new: str, *,
                        ip: str | None = None) -> User:
    """A signed-in person sets a new password, giving their current one first; their other sessions end.

    A wrong current password counts as a failed sign-in for the email (so a borrowed session cannot be
    used to guess it for long): ``AccountError`` ``wrong_password``, then ``too_many_attempts``.
    """
    verify_own_password(db, user, current, refused_action="user.password_change_refused", ip=ip)
    if new == current:
        raise AccountError("password_unchanged", "the new password is the same as the current one")
    check_password(new, user.email)
    password_hash = hash_password(new)
    with transaction(db):
        db.execute("UPDATE users SET password_hash = ?, session_version = session_version + 1 WHERE id = ?",
                   [password_hash, user.id])
        audit.record(db, user.email, "user.password_changed", user.email, {}, ip)
    return get_user(db, user.id)


def refuse_if_guessing(db: sqlite3.Connection, user: User, now: dt.datetime) -> None:
    """``AccountError`` ``too_many_attempts`` once the email has had too many failures lately: a signed-in
    person confirming it is them (password, two-factor code) gets no more guesses than a sign-in."""
    if _email_limited(db, user.email, now):
        raise AccountError("too_many_attempts", "too many wrong attempts; wait 15 minutes")


def note_wrong_confirmation(db: sqlite3.Connection, user: User, now: dt.datetime, action: str, reason: str,
                            ip: str | None) -> None:
    """Count a wrong password or code given by a signed-in person towards their email's limit; audit it."""
    with transaction(db):
        _note_attempt(db, now, ip, user.email, succeeded=False)
        audit.record(db, user.email, action, user.email, {"reason": reason}, ip)


def verify_own_password(db: sqlite3.Connection, user: User, password: str, *, refused_action: str,
                        ip: str | None = None) -> None:
    """Check the password of a signed-in person confirming it is them, or raise ``AccountError``.

    A wrong one counts as a failed sign-in for the email (so a borrowed session cannot be used to
    guess it for long): ``wrong_password``, then ``too_many_attempts``; ``refused_action`` is audited.
    """
    now = instance.utc_now()
    refuse_if_guessing(db, user, now)
    row = db.execute("SELECT password_hash FROM users WHERE id = ?", [user.id]).fetchone()
    if row is None or not _verify(row["password_hash"], password[:MAX_PASSWORD_LENGTH + 1]):
        note_wrong_confirmation(db, user, now, refused_action, "wrong_password", ip)
        raise AccountError("wrong_password", "the current password is not right")


def set_role(db: sqlite3.Connection, email: str, role: str, *, organisation: str | None = None,
             organisations: Collection[str] | None = None, actor: str, ip: str | None = None) -> User:
    """Change an account's role (a provider keeps or is given its organisation; others have none)."""
    role = check_role(role)
    with transaction(db):
        user = _existing(db, email)
        if role == "provider" and not organisation:
            organisation = user.organisation
        organisation = _check_organisation(role, organisation, organisations)
        if (role, organisation) == (user.role, user.organisation):
            return user
        if role != user.role:
            _refuse_own_account(user, actor)
            if role != "admin":
                _refuse_if_last_admin(db, user)
        db.execute("UPDATE users SET role = ?, organisation = ? WHERE id = ?", [role, organisation, user.id])
        audit.record(db, actor, "user.role_changed", user.email,
                     {"from": user.role, "to": role, "organisation": organisation}, ip)
    return get_user(db, user.id)


def set_language(db: sqlite3.Connection, email: str, language: str, *, languages: Collection[str],
                 actor: str, ip: str | None = None) -> User:
    """Choose the language of an account's emails, one of ``languages`` (audited when it changes)."""
    if language not in languages:
        raise AccountError("unknown_language", f"The language must be one of: {', '.join(languages)}",
                           languages=tuple(languages))
    with transaction(db):
        user = _existing(db, email)
        if language != user.language:
            db.execute("UPDATE users SET language = ? WHERE id = ?", [language, user.id])
            audit.record(db, actor, "user.language_changed", user.email,
                         {"from": user.language, "to": language}, ip)
    return get_user(db, user.id)


# -- signing in and out -------------------------------------------------------------------------

def _note_attempt(db: sqlite3.Connection, now: dt.datetime, ip: str | None, email: str,
                  succeeded: bool) -> None:
    db.execute("INSERT INTO sign_in_attempts (at, ip, email, succeeded) VALUES (?, ?, ?, ?)",
               [instance.iso(now), ip, email, int(succeeded)])


def _ip_limited(db: sqlite3.Connection, ip: str | None, email: str, now: dt.datetime) -> bool:
    """True when ``ip`` has failed IP_LIMIT times in the window and ``email`` is one of the accounts it
    got wrong: a spraying address gets one guess per account, and other accounts stay open to it."""
    if not ip:
        return False
    since = instance.iso(now - IP_WINDOW)
    failures = db.execute("SELECT COUNT(*) FROM sign_in_attempts WHERE ip = ? AND succeeded = 0 AND at > ?",
                          [ip, since]).fetchone()[0]
    if failures < IP_LIMIT:
        return False
    return db.execute("SELECT EXISTS (SELECT 1 FROM sign_in_attempts WHERE ip = ? AND email = ? "
                      "AND succeeded = 0 AND at > ?)", [ip, email, since]).fetchone()[0] == 1


def _email_limited(db: sqlite3.Connection, email: str, now: dt.datetime) -> bool:
    # Failures since the later of the window's start and the last success: signing in
    # correctly wipes the slate, as it does for an account's lockout count.
    failures = db.execute(
        "SELECT COUNT(*) FROM sign_in_attempts WHERE email = ? AND succeeded = 0 AND at > MAX(?, "
        "COALESCE((SELECT MAX(at) FROM sign_in_attempts WHERE email = ? AND succeeded = 1), ''))",
        [email, instance.iso(now - EMAIL_WINDOW), email]).fetchone()[0]
    return failures >= EMAIL_LIMIT


def _refuse(db: sqlite3.Connection, now: dt.datetime, email: str, ip: str | None, reason: Refusal) -> Refusal:
    with transaction(db):
        _note_attempt(db, now, ip, email, succeeded=False)
        audit.record(db, email, "sign_in.refused", email, {"reason": str(reason)}, ip)
    return reason


def refuse_if_limited(db: sqlite3.Connection, email: str, ip: str | None, now: dt.datetime) -> Refusal | None:
    """The refusal (recorded and audited) when a sign-in attempt for ``email`` from ``ip`` is over a limit or
    the account is locked; None when it may go ahead. Used for the password and for the two-factor code."""
    db.execute("DELETE FROM sign_in_attempts WHERE at < ?", [instance.iso(now - ATTEMPTS_KEPT)])
    if _ip_limited(db, ip, email, now):
        return _refuse(db, now, email, ip, Refusal.TOO_MANY_ATTEMPTS)
    user = find_user(db, email)
    if user is not None and user.is_locked(now):
        return _refuse(db, now, email, ip, Refusal.LOCKED)
    if _email_limited(db, email, now):
        return _refuse(db, now, email, ip, Refusal.TOO_MANY_ATTEMPTS)
    return None


def count_failure(db: sqlite3.Connection, user: User, now: dt.datetime, ip: str | None, action: str,
                  details: dict) -> None:
    """A wrong password or two-factor code for ``user``: towards the lockout and the limits, audited as
    ``action``; the account locks at :data:`LOCKOUT_THRESHOLD` failures in a row."""
    with transaction(db):
        failures = db.execute("UPDATE users SET failed_sign_ins = failed_sign_ins + 1 WHERE id = ? "
                              "RETURNING failed_sign_ins", [user.id]).fetchone()[0]
        _note_attempt(db, now, ip, user.email, succeeded=False)
        audit.record(db, user.email, action, user.email, {**details, "failures": failures}, ip)
        if failures >= LOCKOUT_THRESHOLD:
            until = instance.iso(now + LOCKOUT_PERIOD)
            db.execute("UPDATE users SET failed_sign_ins = 0, locked_until = ? WHERE id = ?",
                       [until, user.id])
            audit.record(db, "system", "user.locked", user.email, {"until": until, "failures": failures}, ip)


def complete_sign_in(db: sqlite3.Connection, user: User, now: dt.datetime, ip: str | None,
                     details: dict | None = None) -> User:
    """Record a finished sign-in (the slate of failures wiped, the time noted, audited); the account."""
    with transaction(db):
        db.execute("UPDATE users SET failed_sign_ins = 0, locked_until = NULL, last_sign_in_at = ? "
                   "WHERE id = ?", [instance.iso(now), user.id])
        _note_attempt(db, now, ip, user.email, succeeded=True)
        audit.record(db, user.email, "sign_in.succeeded", user.email, details or {}, ip)
    return get_user(db, user.id)


def has_two_factor(db: sqlite3.Connection, user_id: int) -> bool:
    """True when the account has two-factor sign-in on (two_factor.py, which builds on this module,
    does the rest)."""
    return db.execute("SELECT EXISTS (SELECT 1 FROM two_factor WHERE user_id = ? "
                      "AND confirmed_at IS NOT NULL)", [user_id]).fetchone()[0] == 1


def authenticate(db: sqlite3.Connection, email: str, password: str,
                 ip: str | None = None) -> User | CodeNeeded | Refusal:
    """Check a sign-in: the :class:`User` when it succeeds, else the :class:`Refusal`.

    For an account with two-factor sign-in, a right password gives :class:`CodeNeeded` instead, and
    nothing is wiped or noted as a success until the code is right (two_factor.verify_sign_in): knowing
    the password buys no extra guesses at the code.

    An unknown email and a wrong password give the same answer in the same time.
    Refusals for limits and locks are answered without hashing, so a flood of
    guesses cannot keep the server busy.
    """
    now = instance.utc_now()
    email = normalise_email(email)[:MAX_EMAIL_LENGTH]
    password = password[:MAX_PASSWORD_LENGTH + 1]  # one too many fails; no need to hash a megabyte
    refusal = refuse_if_limited(db, email, ip, now)
    if refusal is not None:
        return refusal
    row = db.execute("SELECT * FROM users WHERE email = ?", [email]).fetchone()

    if row is None:
        _verify(_dummy_hash(), password)
        with transaction(db):
            _note_attempt(db, now, ip, email, succeeded=False)
            audit.record(db, email, "sign_in.failed", email, {"reason": "unknown_email"}, ip)
        return Refusal.INVALID

    user = User.from_row(row)
    if not _verify(row["password_hash"], password):
        count_failure(db, user, now, ip, "sign_in.failed", {"reason": "wrong_password"})
        # The same answer as for an unknown email, even on the failure that locks.
        return Refusal.INVALID

    if user.disabled:
        return _refuse(db, now, email, ip, Refusal.DISABLED)

    rehashed = PASSWORD_HASHER.check_needs_rehash(row["password_hash"])
    if rehashed:
        new_hash = hash_password(password)  # slow: outside the write lock
        with transaction(db):
            db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [new_hash, user.id])
    details = {"rehashed": True} if rehashed else {}
    if has_two_factor(db, user.id):
        with transaction(db):
            audit.record(db, email, "sign_in.password_accepted", email, details, ip)
        return CodeNeeded(user)
    return complete_sign_in(db, user, now, ip, details)


def sign_out(db: sqlite3.Connection, user: User, ip: str | None = None) -> None:
    """End every session of ``user`` (sessions are signed cookies: a new version voids the old ones)."""
    with transaction(db):
        db.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ?", [user.id])
        audit.record(db, user.email, "sign_out", user.email, {}, ip)
