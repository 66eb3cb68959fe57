"""Accounts: argon2id hashes, password rules, lockout, rate limits, rehashing, and the audit trail."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from app.editorial import accounts, audit
from app.editorial.accounts import AccountError, Refusal

from .helpers import EMAILS, PASSWORD

ALICE = "alice@example.org"


def add(db, email=ALICE, role="editor", **options):
    return accounts.create_user(db, email, PASSWORD, role, actor="cli", **options)


def actions(db) -> list[str]:
    return [entry.action for entry in reversed(audit.entries(db))]


def password_hash(db, email=ALICE) -> str:
    return db.execute("SELECT password_hash FROM users WHERE email = ?", [email]).fetchone()[0]


def test_passwords_are_hashed_with_argon2id_at_the_rfc_9106_parameters(db, monkeypatch):
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", PasswordHasher())
    add(db)
    stored = password_hash(db)
    parameters = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert parameters.type is Type.ID
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (3, 65536, 4)
    assert PASSWORD not in stored
    assert isinstance(accounts.authenticate(db, ALICE, PASSWORD), accounts.User)


def test_create_user_normalises_the_email_and_audits(db):
    user = add(db, "  Alice@Example.ORG ", name="Alice Smith")
    assert (user.email, user.name, user.role, user.disabled) == (ALICE, "Alice Smith", "editor", False)
    assert user.created_at and user.last_sign_in_at is None
    [entry] = audit.entries(db)
    assert (entry.actor, entry.action, entry.subject, entry.details) == (
        "cli", "user.created", ALICE, {"role": "editor", "organisation": None})
    assert accounts.find_user(db, "ALICE@example.org") == user


@pytest.mark.parametrize(("email", "password", "role", "organisation", "code"), [
    ("not-an-email", PASSWORD, "editor", None, "invalid_email"),
    ("a b@example.org", PASSWORD, "editor", None, "invalid_email"),
    (ALICE, "short pass", "editor", None, "password_too_short"),
    (ALICE, "x" * 2000, "editor", None, "password_too_long"),
    ("long.name.here@example.org", "LONG.NAME.HERE@example.org", "editor", None, "password_is_email"),
    ("verylongname@example.org", "VeryLongName", "editor", None, "password_is_email"),
    (ALICE, "password1234", "editor", None, "password_too_common"),
    (ALICE, "aaaaaaaaaaaaaaaa", "editor", None, "password_too_common"),
    (ALICE, PASSWORD, "superuser", None, "unknown_role"),
    (ALICE, PASSWORD, "provider", None, "organisation_required"),
    (ALICE, PASSWORD, "editor", "test-org", "organisation_for_providers_only"),
    (ALICE, PASSWORD, "provider", "no-such-org", "unknown_organisation"),
])
def test_create_user_refuses_what_it_cannot_accept(db, email, password, role, organisation, code):
    with pytest.raises(AccountError) as caught:
        accounts.create_user(db, email, password, role, organisation=organisation,
                             organisations={"test-org"}, actor="cli")
    assert caught.value.code == code
    assert accounts.list_users(db) == [] and audit.entries(db) == []


def test_an_email_has_one_account_whatever_its_case(db):
    add(db)
    with pytest.raises(AccountError) as caught:
        add(db, "ALICE@example.org")
    assert caught.value.code == "email_taken"


def test_providers_belong_to_an_organisation_from_the_content(db, editor_content):
    organisations = accounts.known_organisations(editor_content)
    assert organisations == {"test-org": "Test Organisation"}
    user = add(db, role="provider", organisation="test-org", organisations=organisations)
    assert user.organisation == "test-org"


def test_roles_are_ordered_from_least_to_most_trusted():
    assert accounts.ROLES == ("analyst", "provider", "editor", "publisher", "admin")
    assert accounts.roles_at_least("publisher") == ("publisher", "admin")
    assert accounts.roles_at_least("analyst") == accounts.ROLES


def test_sign_in_succeeds_and_is_audited(db, clock):
    add(db)
    user = accounts.authenticate(db, " ALICE@example.org", PASSWORD, ip="192.0.2.1")
    assert isinstance(user, accounts.User)
    assert user.last_sign_in_at == "2026-09-01T09:00:00Z"
    entry = audit.entries(db)[0]
    assert (entry.actor, entry.action, entry.ip) == (ALICE, "sign_in.succeeded", "192.0.2.1")


def test_five_wrong_passwords_in_a_row_lock_the_account_for_fifteen_minutes(db, clock):
    add(db)
    for _ in range(accounts.LOCKOUT_THRESHOLD):
        assert accounts.authenticate(db, ALICE, "wrong password!", ip="192.0.2.1") == Refusal.INVALID
    assert accounts.find_user(db, ALICE).is_locked()
    # Locked: even the right password is refused.
    assert accounts.authenticate(db, ALICE, PASSWORD, ip="192.0.2.1") == Refusal.LOCKED
    clock.advance(minutes=14)
    assert accounts.authenticate(db, ALICE, PASSWORD, ip="192.0.2.1") == Refusal.LOCKED
    clock.advance(minutes=2)
    assert isinstance(accounts.authenticate(db, ALICE, PASSWORD, ip="192.0.2.1"), accounts.User)
    assert accounts.find_user(db, ALICE).failed_sign_ins == 0
    assert actions(db) == ["user.created"] + ["sign_in.failed"] * 5 + ["user.locked", "sign_in.refused",
                                                                       "sign_in.refused", "sign_in.succeeded"]
    locked = next(entry for entry in audit.entries(db) if entry.action == "user.locked")
    assert locked.details == {"until": "2026-09-01T09:15:00Z", "failures": 5}


def test_a_success_starts_the_count_again(db, clock):
    add(db)
    for _ in range(4):
        accounts.authenticate(db, ALICE, "wrong password!")
    assert isinstance(accounts.authenticate(db, ALICE, PASSWORD), accounts.User)
    for _ in range(4):
        accounts.authenticate(db, ALICE, "wrong password!")
    assert isinstance(accounts.authenticate(db, ALICE, PASSWORD), accounts.User)


def test_an_unknown_email_is_checked_against_a_dummy_hash_and_answered_like_a_wrong_password(db, clock,
                                                                                           monkeypatch):
    add(db)
    checked = []
    real_verify = accounts.PASSWORD_HASHER.verify

    class Spy(PasswordHasher):
        def verify(self, hash, password):
            checked.append(hash)
            return real_verify(hash, password)

    spy = Spy(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", spy)
    assert accounts.authenticate(db, "nobody@example.org", PASSWORD) == Refusal.INVALID
    assert accounts.authenticate(db, ALICE, "wrong password!") == Refusal.INVALID
    assert len(checked) == 2 and all(hash.startswith("$argon2id$") for hash in checked)
    assert extract_parameters(checked[0]) == extract_parameters(checked[1])  # the same work for both
    assert audit.entries(db)[1].details == {"reason": "unknown_email"}


def test_an_unknown_email_is_refused_after_five_failures_like_a_locked_account(db, clock):
    for _ in range(accounts.EMAIL_LIMIT):
        assert accounts.authenticate(db, "nobody@example.org", PASSWORD) == Refusal.INVALID
    assert accounts.authenticate(db, "nobody@example.org", PASSWORD) == Refusal.TOO_MANY_ATTEMPTS
    clock.advance(minutes=16)
    assert accounts.authenticate(db, "nobody@example.org", PASSWORD) == Refusal.INVALID


def spray(db, ip: str, count: int = accounts.IP_LIMIT) -> None:
    """``count`` wrong passwords from ``ip``, each at a different email (guessing across accounts)."""
    for number in range(count):
        assert accounts.authenticate(db, f"guess{number}@example.org", PASSWORD, ip=ip) == Refusal.INVALID


def test_a_spraying_address_cannot_guess_again_at_an_account_it_got_wrong(db, clock):
    add(db)
    spray(db, "198.51.100.7")
    assert accounts.authenticate(db, "guess0@example.org", PASSWORD, ip="198.51.100.7") == \
        Refusal.TOO_MANY_ATTEMPTS
    refused = audit.entries(db, action="sign_in.refused")[0]
    assert refused.details == {"reason": "too_many_attempts"} and refused.ip == "198.51.100.7"
    # One wrong try at an account it had not touched, and that account is closed to it too.
    assert accounts.authenticate(db, ALICE, "wrong password!", ip="198.51.100.7") == Refusal.INVALID
    assert accounts.authenticate(db, ALICE, PASSWORD, ip="198.51.100.7") == Refusal.TOO_MANY_ATTEMPTS
    # Not from another address, and not after the window.
    assert isinstance(accounts.authenticate(db, ALICE, PASSWORD, ip="203.0.113.5"), accounts.User)
    clock.advance(minutes=11)
    assert isinstance(accounts.authenticate(db, ALICE, PASSWORD, ip="198.51.100.7"), accounts.User)


def test_lockout_is_not_a_weapon_a_spraying_address_cannot_lock_out_others_behind_it(db, clock):
    # Thirty wrong passwords sprayed at other accounts from a council's proxy address: a colleague
    # behind the same proxy still signs in with the right password.
    add(db)
    spray(db, "198.51.100.7", count=30)
    assert isinstance(accounts.authenticate(db, ALICE, PASSWORD, ip="198.51.100.7"), accounts.User)


def test_brute_force_of_one_account_stops_whatever_the_addresses(db, clock):
    add(db)
    for number in range(accounts.LOCKOUT_THRESHOLD):
        assert accounts.authenticate(db, ALICE, f"wrong password {number}", ip=f"192.0.2.{number}") == \
            Refusal.INVALID
    assert accounts.authenticate(db, ALICE, PASSWORD, ip="192.0.2.99") == Refusal.LOCKED


def test_guesses_at_one_unknown_email_stop_whatever_the_addresses(db, clock):
    for number in range(accounts.EMAIL_LIMIT):
        accounts.authenticate(db, "nobody@example.org", "wrong password!", ip=f"192.0.2.{number}")
    assert accounts.authenticate(db, "nobody@example.org", PASSWORD, ip="192.0.2.99") == \
        Refusal.TOO_MANY_ATTEMPTS


def test_refusals_for_locks_and_limits_do_not_hash_at_all(db, clock, monkeypatch):
    add(db)
    for _ in range(accounts.LOCKOUT_THRESHOLD):
        accounts.authenticate(db, ALICE, "wrong password!")
    for number in range(accounts.IP_LIMIT):
        accounts.authenticate(db, f"guess{number}@example.org", PASSWORD, ip="198.51.100.7")

    class NoHashing(PasswordHasher):
        def verify(self, hash, password):
            raise AssertionError("hashed while refusing")

    monkeypatch.setattr(accounts, "PASSWORD_HASHER", NoHashing(time_cost=1, memory_cost=64, parallelism=1))
    assert accounts.authenticate(db, ALICE, PASSWORD) == Refusal.LOCKED
    assert accounts.authenticate(db, "guess0@example.org", PASSWORD, ip="198.51.100.7") == \
        Refusal.TOO_MANY_ATTEMPTS


def test_old_attempts_are_forgotten_after_a_day(db, clock):
    accounts.authenticate(db, "nobody@example.org", PASSWORD, ip="192.0.2.1")
    clock.advance(days=2)
    accounts.authenticate(db, "nobody@example.org", PASSWORD, ip="192.0.2.1")
    assert db.execute("SELECT COUNT(*) FROM sign_in_attempts").fetchone()[0] == 1


def test_sign_in_rehashes_when_the_parameters_change(db, clock, monkeypatch):
    add(db)
    old = password_hash(db)
    stronger = PasswordHasher(time_cost=2, memory_cost=128, parallelism=1)
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", stronger)
    assert isinstance(accounts.authenticate(db, ALICE, PASSWORD), accounts.User)
    new = password_hash(db)
    assert new != old and not stronger.check_needs_rehash(new)
    assert (extract_parameters(new).time_cost, extract_parameters(new).memory_cost) == (2, 128)
    assert audit.entries(db)[0].details == {"rehashed": True}
    # Once is enough.
    accounts.authenticate(db, ALICE, PASSWORD)
    assert password_hash(db) == new and audit.entries(db)[0].details == {}


def test_a_disabled_account_cannot_sign_in(db, clock):
    add(db)
    add(db, "admin@example.org", role="admin")
    user = accounts.disable_user(db, ALICE, actor="admin@example.org", ip="192.0.2.1")
    assert user.disabled and user.session_version == 2 and user.status == "disabled"
    assert accounts.authenticate(db, ALICE, "wrong password!") == Refusal.INVALID  # says nothing more
    assert accounts.authenticate(db, ALICE, PASSWORD) == Refusal.DISABLED
    user = accounts.enable_user(db, ALICE, actor="admin@example.org")
    assert not user.disabled
    assert isinstance(accounts.authenticate(db, ALICE, PASSWORD), accounts.User)
    assert "user.disabled" in actions(db) and "user.enabled" in actions(db)


def test_enabling_lifts_a_lockout(db, clock):
    add(db)
    for _ in range(accounts.LOCKOUT_THRESHOLD):
        accounts.authenticate(db, ALICE, "wrong password!")
    assert accounts.find_user(db, ALICE).status == "locked"
    accounts.enable_user(db, ALICE, actor="cli")
    assert accounts.find_user(db, ALICE).status == "active"


def test_a_password_reset_unlocks_and_ends_sessions(db, clock):
    add(db)
    for _ in range(accounts.LOCKOUT_THRESHOLD):
        accounts.authenticate(db, ALICE, "wrong password!")
    user = accounts.set_password(db, ALICE, "a brand new passphrase", actor="cli")
    assert user.session_version == 2 and not user.is_locked()
    clock.advance(minutes=16)  # past the email window too
    assert accounts.authenticate(db, ALICE, PASSWORD) == Refusal.INVALID
    assert isinstance(accounts.authenticate(db, ALICE, "a brand new passphrase"), accounts.User)
    with pytest.raises(AccountError) as caught:
        accounts.set_password(db, ALICE, "short", actor="cli")
    assert caught.value.code == "password_too_short"
    assert "user.password_reset" in actions(db)


def test_roles_change_and_providers_keep_an_organisation(db):
    add(db, "admin@example.org", role="admin")
    add(db)
    user = accounts.set_role(db, ALICE, "publisher", actor="admin@example.org")
    assert user.role == "publisher"
    with pytest.raises(AccountError) as caught:
        accounts.set_role(db, ALICE, "provider", actor="admin@example.org")
    assert caught.value.code == "organisation_required"
    user = accounts.set_role(db, ALICE, "provider", organisation="test-org", organisations={"test-org"},
                             actor="admin@example.org")
    assert (user.role, user.organisation) == ("provider", "test-org")
    user = accounts.set_role(db, ALICE, "editor", actor="admin@example.org")
    assert (user.role, user.organisation) == ("editor", None)
    changes = [entry.details for entry in audit.entries(db, action="user.role_changed")]
    assert changes[-1] == {"from": "editor", "to": "publisher", "organisation": None}
    assert len(changes) == 3


def test_the_last_admin_cannot_be_disabled_or_demoted(db):
    add(db, "admin@example.org", role="admin")
    for change in (lambda: accounts.disable_user(db, "admin@example.org", actor="cli"),
                   lambda: accounts.set_role(db, "admin@example.org", "editor", actor="cli")):
        with pytest.raises(AccountError) as caught:
            change()
        assert caught.value.code == "last_admin"
    add(db, "second@example.org", role="admin")
    assert accounts.disable_user(db, "admin@example.org", actor="cli").disabled


def test_admins_cannot_disable_or_demote_themselves(db):
    add(db, "admin@example.org", role="admin")
    add(db, "second@example.org", role="admin")
    for change in (lambda: accounts.disable_user(db, "admin@example.org", actor="Admin@example.org"),
                   lambda: accounts.set_role(db, "admin@example.org", "editor", actor="admin@example.org")):
        with pytest.raises(AccountError) as caught:
            change()
        assert caught.value.code == "own_account"


def test_changing_an_unknown_account_says_so(db):
    with pytest.raises(AccountError) as caught:
        accounts.disable_user(db, "nobody@example.org", actor="cli")
    assert caught.value.code == "no_such_user"


def test_list_users_puts_the_most_trusted_first(db, accounts_by_role):
    expected = [EMAILS[role] for role in reversed(accounts.ROLES)]
    assert [user.email for user in accounts.list_users(db)] == expected


def test_signing_out_ends_every_session(db, accounts_by_role):
    user = accounts_by_role["editor"]
    accounts.sign_out(db, user, ip="192.0.2.1")
    assert accounts.get_user(db, user.id).session_version == user.session_version + 1
    assert audit.entries(db)[0].action == "sign_out"
