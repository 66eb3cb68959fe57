"""Two-factor sign-in: a code from an authenticator app (TOTP, RFC 6238) after the password, and
one-time recovery codes for when the phone is lost.

Numbers that matter (see docs/operations.md "Two-factor sign-in"):

- the secret is 160 random bits, shown once while it is set up and then never again. It is stored
  sealed (encrypted and authenticated) with a key kept outside the database, in
  ``<instance>/two_factor_key`` or ``EARLYHELP_TWO_FACTOR_KEY``, so a copy of the database alone
  (a backup) does not give anyone the codes;
- a code is accepted in its 30-second step and the one either side (phone clocks drift). The step of
  the last accepted code is stored, and no code from that step or an earlier one is accepted again;
- 10 recovery codes, each used once, stored as SHA-256 hashes (they are random, about 49 bits each,
  so a slow hash would add nothing); making new ones voids the old ones;
- a wrong code counts towards the account's lockout and the sign-in limits exactly as a wrong
  password does (app/editorial/accounts.py);
- which roles must use it is an installation setting (:data:`SETTING`), off for everyone by default.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import accounts, audit, instance, instance_settings
from .accounts import AccountError, Refusal, User
from .instance import transaction

SETTING = "two_factor_roles"  # a list of roles; its default is in instance_settings.DEFAULTS

KEY_FILE = "two_factor_key"
KEY_VARIABLE = "EARLYHELP_TWO_FACTOR_KEY"
ISSUER = "Early Help Directory"
SECRET_LENGTH = 32  # base32 characters: 160 bits, as RFC 4226 recommends
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/i/l: read off paper without doubt
RECOVERY_CODE_LENGTH = 10
STEPS_EITHER_SIDE = 1
NONCE_LENGTH = 12  # bytes, as AES-GCM expects
SEAL_CONTEXT = b"earlyhelp two-factor secret"  # bound into the tag: a value sealed for another use fails

_CODE = re.compile(r"^[0-9]{6}$")
_SEPARATORS = re.compile(r"[\s-]+")


class UnreadableSecret(ValueError):
    """A sealed secret that this key did not seal, or that has been altered."""


# -- the key and the sealed secret ------------------------------------------------------------

def load_key(instance_dir: str | Path) -> bytes:
    """The key that seals secrets: ``EARLYHELP_TWO_FACTOR_KEY`` (64 hex digits), else a key made once
    into ``<instance_dir>/two_factor_key`` (readable by the service's own user only)."""
    if os.environ.get(KEY_VARIABLE):
        return _key_from_hex(os.environ[KEY_VARIABLE], KEY_VARIABLE)
    path = Path(instance_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it first
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32))
    return _key_from_hex(path.read_text(), str(path))


def _key_from_hex(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise ValueError(f"{where}: the two-factor key must be 64 hexadecimal digits (32 bytes)")
    return key


def seal(key: bytes, secret: str) -> str:
    """``secret`` encrypted and authenticated with ``key`` (AES-256-GCM, a fresh nonce each time)."""
    nonce = secrets.token_bytes(NONCE_LENGTH)
    sealed = AESGCM(key).encrypt(nonce, secret.encode("ascii"), SEAL_CONTEXT)
    return "v1:" + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(key: bytes, text: str) -> str:
    """The secret :func:`seal` sealed, or :class:`UnreadableSecret`."""
    try:
        version, encoded = text.split(":", 1)
        raw = base64.urlsafe_b64decode(encoded.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise UnreadableSecret("not a sealed secret") from None
    if version != "v1" or len(raw) <= NONCE_LENGTH:
        raise UnreadableSecret("not a sealed secret")
    try:
        return AESGCM(key).decrypt(raw[:NONCE_LENGTH], raw[NONCE_LENGTH:], SEAL_CONTEXT).decode("ascii")
    except InvalidTag:
        raise UnreadableSecret("sealed with another key, or altered") from None


# -- codes --------------------------------------------------------------------------------------

def normalise_code(code: str) -> str:
    """A code as typed ("123 456", "abcde-fghjk ") without spaces or hyphens, in lower case."""
    return _SEPARATORS.sub("", code or "").lower()[:64]


def looks_like_code(code: str) -> bool:
    """True for six digits (an authenticator app's code) once spaces are taken out."""
    return bool(_CODE.match(normalise_code(code)))


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The time step whose code ``code`` is (this one or a neighbour), or None."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    found = None
    for step in range(current - STEPS_EITHER_SIDE, current + STEPS_EITHER_SIDE + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def code_at(secret: str, moment: dt.datetime) -> str:
    """The code an authenticator app shows at ``moment`` (for tests and the command line)."""
    return pyotp.TOTP(secret).at(moment)


def provisioning_uri(secret: str, email: str, issuer: str = ISSUER) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def _hash_recovery_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("utf-8")).hexdigest()


def _new_recovery_codes(db: sqlite3.Connection, user_id: int, now: dt.datetime) -> list[str]:
    """Void the account's recovery codes and make :data:`RECOVERY_CODE_COUNT` new ones (in a transaction)."""
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
             for _ in range(RECOVERY_CODE_COUNT)]
    db.execute("DELETE FROM recovery_codes WHERE user_id = ?", [user_id])
    db.executemany("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)",
                   [(user_id, _hash_recovery_code(code), instance.iso(now)) for code in codes])
    return [f"{code[:5]}-{code[5:]}" for code in codes]


# -- reading ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Status:
    """Whether an account uses two-factor sign-in, since when, and how many recovery codes it has left."""

    enabled: bool
    enabled_at: str | None
    recovery_codes_left: int


def status(db: sqlite3.Connection, user_id: int) -> Status:
    """The two-factor :class:`Status` of the account ``user_id``."""
    row = db.execute("SELECT confirmed_at FROM two_factor WHERE user_id = ?", [user_id]).fetchone()
    left = db.execute("SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
                      [user_id]).fetchone()[0]
    confirmed = row["confirmed_at"] if row else None
    return Status(confirmed is not None, confirmed, left if confirmed else 0)


def is_enabled(db: sqlite3.Connection, user_id: int) -> bool:
    """True when the account has confirmed two-factor sign-in."""
    return accounts.has_two_factor(db, user_id)


def enabled_user_ids(db: sqlite3.Connection) -> set[int]:
    """The ids of every account with two-factor sign-in on."""
    return {row[0] for row in db.execute("SELECT user_id FROM two_factor WHERE confirmed_at IS NOT NULL")}


def required_roles(db: sqlite3.Connection) -> list[str]:
    """The roles that must use two-factor sign-in, least trusted first."""
    chosen = set(instance_settings.get(db, SETTING))
    return [role for role in accounts.ROLES if role in chosen]


def is_required(db: sqlite3.Connection, role: str) -> bool:
    """True when accounts with ``role`` must use two-factor sign-in."""
    return role in required_roles(db)


def set_required_roles(db: sqlite3.Connection, roles: list[str], *, actor: User,
                       ip: str | None = None) -> bool:
    """Require two-factor sign-in for exactly ``roles`` (audited); False when nothing changed."""
    for role in roles:
        accounts.check_role(role)
    chosen = [role for role in accounts.ROLES if role in set(roles)]
    return instance_settings.put(db, SETTING, chosen, actor=actor.email, actor_id=actor.id, ip=ip)


# -- setting it up ------------------------------------------------------------------------------

def enrolment_secret(db: sqlite3.Connection, user: User, key: bytes) -> str:
    """The secret of ``user``'s set-up in progress, starting one if there is none (or it is unreadable).

    ``AccountError`` ``two_factor_already_on`` when it is already on: the secret is never shown again.
    """
    with transaction(db):
        row = db.execute("SELECT secret, confirmed_at FROM two_factor WHERE user_id = ?",
                         [user.id]).fetchone()
        if row is not None and row["confirmed_at"]:
            raise AccountError("two_factor_already_on", "two-factor sign-in is already on")
        if row is not None:
            try:
                return unseal(key, row["secret"])
            except UnreadableSecret:
                pass  # the key changed since: start again
        secret = pyotp.random_base32(SECRET_LENGTH)
        db.execute("INSERT INTO two_factor (user_id, secret, created_at) VALUES (?, ?, ?) "
                   "ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, "
                   "created_at = excluded.created_at, last_used_step = 0",
                   [user.id, seal(key, secret), instance.iso(instance.utc_now())])
    return secret


def confirm_enrolment(db: sqlite3.Connection, user: User, code: str, key: bytes,
                      ip: str | None = None) -> tuple[User, list[str]]:
    """Switch two-factor sign-in on once ``code`` comes from the app; the account (its other sessions
    ended) and its new recovery codes, to show once.

    ``AccountError``: ``two_factor_already_on``, ``no_enrolment`` (start again), ``enter_code``,
    ``wrong_code``.
    """
    now = instance.utc_now()
    code = normalise_code(code)
    with transaction(db):
        row = db.execute("SELECT * FROM two_factor WHERE user_id = ?", [user.id]).fetchone()
        if row is not None and row["confirmed_at"]:
            raise AccountError("two_factor_already_on", "two-factor sign-in is already on")
        if row is None:
            raise AccountError("no_enrolment", "start setting up two-factor sign-in again")
        if not _CODE.match(code):
            raise AccountError("enter_code", "enter the 6-digit code from the app")
        try:
            step = _matching_step(unseal(key, row["secret"]), code, now)
        except UnreadableSecret:
            raise AccountError("no_enrolment", "start setting up two-factor sign-in again") from None
        if step is None:
            raise AccountError("wrong_code", "the code is not right")
        db.execute("UPDATE two_factor SET confirmed_at = ?, last_used_step = ? WHERE user_id = ?",
                   [instance.iso(now), step, user.id])
        codes = _new_recovery_codes(db, user.id, now)
        # Sessions that signed in with the password alone end; the caller starts a fresh one here.
        db.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ?", [user.id])
        audit.record(db, user.email, "two_factor.enabled", user.email, {}, ip)
    return accounts.get_user(db, user.id), codes


def _confirm_it_is_them(db: sqlite3.Connection, user: User, proof: str, key: bytes, action: str,
                        ip: str | None) -> None:
    """Check a signed-in person's current code or password before a change to their two-factor sign-in."""
    if not proof:
        raise AccountError("enter_code_or_password", "enter a code from the app or your password")
    if not looks_like_code(proof):
        accounts.verify_own_password(db, user, proof, refused_action=action, ip=ip)
        return
    now = instance.utc_now()
    accounts.refuse_if_guessing(db, user, now)
    row = db.execute("SELECT * FROM two_factor WHERE user_id = ? AND confirmed_at IS NOT NULL",
                     [user.id]).fetchone()
    step = None
    if row is not None:
        try:
            step = _matching_step(unseal(key, row["secret"]), normalise_code(proof), now)
        except UnreadableSecret:
            step = None
    if step is None or step <= row["last_used_step"]:
        accounts.note_wrong_confirmation(db, user, now, action, "wrong_code", ip)
        raise AccountError("wrong_code_or_password", "the code or password is not right")
    db.execute("UPDATE two_factor SET last_used_step = ? WHERE user_id = ?", [step, user.id])


def regenerate_recovery_codes(db: sqlite3.Connection, user: User, proof: str, key: bytes,
                              ip: str | None = None) -> list[str]:
    """New recovery codes for ``user`` (the old ones stop working), once they confirm with ``proof``
    (a current code or their password)."""
    if not is_enabled(db, user.id):
        raise AccountError("two_factor_off", "two-factor sign-in is not on")
    _confirm_it_is_them(db, user, proof, key, "two_factor.recovery_codes_refused", ip)
    with transaction(db):
        codes = _new_recovery_codes(db, user.id, instance.utc_now())
        audit.record(db, user.email, "two_factor.recovery_codes_renewed", user.email, {}, ip)
    return codes


def _remove(db: sqlite3.Connection, user_id: int) -> None:
    db.execute("DELETE FROM recovery_codes WHERE user_id = ?", [user_id])
    db.execute("DELETE FROM two_factor WHERE user_id = ?", [user_id])


def switch_off(db: sqlite3.Connection, user: User, proof: str, key: bytes, ip: str | None = None) -> None:
    """``user`` stops using two-factor sign-in, confirming with ``proof`` (a current code or their
    password); refused (``two_factor_required``) when their role must use it."""
    if not is_enabled(db, user.id):
        raise AccountError("two_factor_off", "two-factor sign-in is not on")
    if is_required(db, user.role):
        raise AccountError("two_factor_required", "your role must use two-factor sign-in")
    _confirm_it_is_them(db, user, proof, key, "two_factor.switch_off_refused", ip)
    with transaction(db):
        _remove(db, user.id)
        audit.record(db, user.email, "two_factor.disabled", user.email, {}, ip)


def reset(db: sqlite3.Connection, email: str, *, actor: str, ip: str | None = None) -> User:
    """An admin (or the command line) takes two-factor sign-in off an account whose phone is lost: its
    secret and recovery codes go, its sessions end, and it sets two-factor up again at its next sign-in
    if its role requires it."""
    with transaction(db):
        user = accounts.find_user(db, email)
        if user is None:
            raise AccountError("no_such_user", f"There is no account for {accounts.normalise_email(email)}")
        if accounts.normalise_email(actor) == user.email:
            raise AccountError("own_account", "Ask another admin to change your own account")
        was_on = status(db, user.id).enabled
        _remove(db, user.id)
        db.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ?", [user.id])
        audit.record(db, actor, "two_factor.reset", user.email, {"was_on": was_on}, ip)
    return accounts.get_user(db, user.id)


# -- signing in ---------------------------------------------------------------------------------

def verify_sign_in(db: sqlite3.Connection, user_id: int, code: str, key: bytes, *,
                   ip: str | None = None) -> User | Refusal:
    """The second step of signing in: ``code`` is a code from the app or a recovery code.

    The signed-in :class:`User` when it is right (a recovery code is used up), else the
    :class:`Refusal`. Limits and the lockout are checked first, as for the password, and a wrong or
    reused code counts as a failed sign-in (audited as ``sign_in.two_factor_failed``).
    """
    now = instance.utc_now()
    user = accounts.get_user(db, user_id)
    if user is None or user.disabled:
        return Refusal.DISABLED
    refusal = accounts.refuse_if_limited(db, user.email, ip, now)
    if refusal is not None:
        return refusal
    row = db.execute("SELECT * FROM two_factor WHERE user_id = ? AND confirmed_at IS NOT NULL",
                     [user.id]).fetchone()
    if row is None:  # reset by an admin since the password step
        return Refusal.INVALID
    code = normalise_code(code)

    if _CODE.match(code):
        try:
            step = _matching_step(unseal(key, row["secret"]), code, now)
        except UnreadableSecret:
            step = None
        if step is None:
            accounts.count_failure(db, user, now, ip, "sign_in.two_factor_failed", {"reason": "wrong_code"})
            return Refusal.WRONG_CODE
        if step <= row["last_used_step"]:
            accounts.count_failure(db, user, now, ip, "sign_in.two_factor_failed", {"reason": "code_reused"})
            return Refusal.CODE_REUSED
        with transaction(db):
            # Only the first of two racing requests with the same code moves the step on.
            moved = db.execute("UPDATE two_factor SET last_used_step = ? "
                               "WHERE user_id = ? AND last_used_step < ?", [step, user.id, step]).rowcount
        if not moved:
            accounts.count_failure(db, user, now, ip, "sign_in.two_factor_failed", {"reason": "code_reused"})
            return Refusal.CODE_REUSED
        return accounts.complete_sign_in(db, user, now, ip, {"two_factor": "code"})

    with transaction(db):
        used = db.execute("UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? "
                          "AND used_at IS NULL",
                          [instance.iso(now), user.id, _hash_recovery_code(code)]).rowcount
        left = db.execute("SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
                          [user.id]).fetchone()[0]
    if not used:
        accounts.count_failure(db, user, now, ip, "sign_in.two_factor_failed",
                               {"reason": "wrong_recovery_code"})
        return Refusal.WRONG_CODE
    return accounts.complete_sign_in(db, user, now, ip,
                                     {"two_factor": "recovery_code", "recovery_codes_left": left})
