"""Two-factor sign-in through the forms, with CSRF protection on: setting it up, the code step of
signing in, recovery codes, the lockout, the per-role requirement, and what admins can do.

Codes are worked out from the secret the set-up page shows, at the test's clock, as the person's
authenticator app would.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup

from app.editorial import accounts, audit, two_factor
from app.editorial.accounts import LOCKOUT_THRESHOLD

from .helpers import EMAILS, PASSWORD, get_editor_page, post_form, sign_in

EDITOR = EMAILS["editor"]
ADMIN = EMAILS["admin"]
CODE_PAGE = "/editor/sign-in/code"
SET_UP = "/editor/account/two-factor"


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def error_text(response, field: str) -> str:
    found = soup_of(response).find(id=f"{field}-error")
    return found.get_text(" ", strip=True) if found else ""


def set_up(client, clock) -> tuple[str, list[str]]:
    """Set up two-factor sign-in for the signed-in account: (its secret, its recovery codes)."""
    soup = get_editor_page(client, SET_UP)
    secret = soup.find(id="secret-key").get_text().replace(" ", "")
    response = post_form(client, SET_UP, {"code": two_factor.code_at(secret, clock())})
    assert response.status_code == 200, response.status_code
    codes = [item.get_text() for item in soup_of(response).find(id="recovery-codes").find_all("code")]
    clock.advance(seconds=30)  # the next code the app shows is a new one
    return secret, codes


@pytest.fixture
def enrolled(editor_client, clock) -> tuple[str, list[str]]:
    """The editor with two-factor sign-in on, signed out again: (secret, recovery codes)."""
    assert sign_in(editor_client, EDITOR).status_code == 303
    secret, codes = set_up(editor_client, clock)
    post_form(editor_client, "/editor/sign-out", page_url="/editor/")
    return secret, codes


def enter_code(client, code: str, field: str = "code", token_page: str = CODE_PAGE):
    """Post a code to the second step (the CSRF token from ``token_page``, which must show a form)."""
    return post_form(client, CODE_PAGE, {field: code}, page_url=token_page)


def audit_actions(db, email: str) -> list[str]:
    return [entry.action for entry in reversed(audit.entries(db)) if entry.subject == email]


# -- setting it up ----------------------------------------------------------------------------------

def test_the_set_up_page_shows_a_qr_code_the_csp_allows_and_the_key(editor_client, clock, db):
    sign_in(editor_client, EDITOR)
    response = editor_client.get(SET_UP)
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "img-src 'self' data:" in response.headers["Content-Security-Policy"]
    soup = get_editor_page(editor_client, SET_UP)
    image = soup.find("img", class_="qr-code")
    assert image["src"].startswith("data:image/svg+xml") and image["alt"]
    assert not soup.find("script") or all(script.get("src") for script in soup.find_all("script"))
    secret = soup.find(id="secret-key").get_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    # Reloading shows the same key (the app may already have it); the database holds it sealed.
    assert get_editor_page(editor_client, SET_UP).find(id="secret-key").get_text().replace(" ", "") == secret
    stored = db.execute("SELECT secret, confirmed_at FROM two_factor").fetchone()
    assert secret not in stored["secret"] and stored["confirmed_at"] is None
    assert not two_factor.is_enabled(db, accounts.find_user(db, EDITOR).id)


def test_setting_up_needs_a_right_code_then_shows_ten_recovery_codes_once(editor_client, clock, db):
    sign_in(editor_client, EDITOR)
    secret = get_editor_page(editor_client, SET_UP).find(id="secret-key").get_text().replace(" ", "")
    wrong = post_form(editor_client, SET_UP, {"code": "000000"})
    assert wrong.status_code == 400 and "not right" in error_text(wrong, "code")
    empty = post_form(editor_client, SET_UP, {"code": ""})
    assert empty.status_code == 400 and "6-digit code" in error_text(empty, "code")
    user = accounts.find_user(db, EDITOR)
    assert not two_factor.is_enabled(db, user.id)

    response = post_form(editor_client, SET_UP, {"code": two_factor.code_at(secret, clock())})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    codes = [item.get_text() for item in soup_of(response).find(id="recovery-codes").find_all("code")]
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    state = two_factor.status(db, user.id)
    assert state.enabled and state.recovery_codes_left == 10
    stored = " ".join(row[0] for row in db.execute("SELECT code_hash FROM recovery_codes"))
    assert not any(code.replace("-", "") in stored for code in codes)
    # Still signed in here (a fresh session); the key is never shown again.
    assert editor_client.get(SET_UP).headers["Location"] == "/editor/account"
    account = get_editor_page(editor_client, "/editor/account").get_text()
    assert secret not in account and "10 recovery codes left" in account
    assert "two_factor.enabled" in audit_actions(db, EDITOR)


def test_switching_it_on_ends_the_other_sessions(editor_app, editor_client, clock):
    other = editor_app.test_client()
    sign_in(other, EDITOR)
    sign_in(editor_client, EDITOR)
    set_up(editor_client, clock)
    assert other.get("/editor/").headers["Location"].startswith("/editor/sign-in")
    assert editor_client.get("/editor/").status_code == 200


# -- signing in -----------------------------------------------------------------------------------

def test_a_right_code_after_the_password_signs_in(editor_client, enrolled, clock, db):
    secret, _ = enrolled
    response = sign_in(editor_client, EDITOR)
    assert response.status_code == 303 and response.headers["Location"] == CODE_PAGE
    soup = get_editor_page(editor_client, CODE_PAGE)
    field = soup.find("input", id="code")
    assert field["autocomplete"] == "one-time-code" and field["inputmode"] == "numeric"
    # Half signed in: no editor page opens.
    assert editor_client.get("/editor/").headers["Location"].startswith("/editor/sign-in")
    assert editor_client.get("/editor/account").headers["Location"].startswith("/editor/sign-in")

    response = enter_code(editor_client, two_factor.code_at(secret, clock()))
    assert response.status_code == 303 and response.headers["Location"] == "/editor/"
    assert editor_client.get("/editor/").status_code == 200
    actions = audit_actions(db, EDITOR)
    assert actions[-2:] == ["sign_in.password_accepted", "sign_in.succeeded"]
    assert audit.entries(db)[0].details == {"two_factor": "code"}


def test_the_code_step_keeps_where_the_editor_was_going(editor_client, enrolled, clock):
    secret, _ = enrolled
    editor_client.get("/editor/account")
    post_form(editor_client, "/editor/sign-in",
              {"email": EDITOR, "password": PASSWORD, "next": "/editor/account"})
    response = enter_code(editor_client, two_factor.code_at(secret, clock()))
    assert response.headers["Location"] == "/editor/account"


def test_a_wrong_code_is_refused_and_audited(editor_client, enrolled, clock, db):
    sign_in(editor_client, EDITOR)
    response = enter_code(editor_client, "123456")
    assert response.status_code == 400
    assert "not right" in error_text(response, "code")
    assert soup_of(response).find("div", class_="error-summary").find("a")["href"] == "#code"
    assert editor_client.get("/editor/").status_code == 303
    entry = audit.entries(db)[0]
    assert entry.action == "sign_in.two_factor_failed"
    assert entry.details == {"reason": "wrong_code", "failures": 1}


def test_a_code_from_the_step_before_is_accepted_but_not_two_steps_away(editor_client, enrolled, clock):
    secret, _ = enrolled
    clock.advance(seconds=30)  # the step before is then not the one set-up used
    sign_in(editor_client, EDITOR)
    assert enter_code(editor_client, two_factor.code_at(secret, clock() - dt.timedelta(seconds=60))
                      ).status_code == 400
    response = enter_code(editor_client, two_factor.code_at(secret, clock() - dt.timedelta(seconds=30)))
    assert response.status_code == 303


def test_a_code_cannot_be_used_twice(editor_app, editor_client, enrolled, clock, db):
    secret, _ = enrolled
    code = two_factor.code_at(secret, clock())
    sign_in(editor_client, EDITOR)
    assert enter_code(editor_client, code).status_code == 303
    # Someone who saw it typed tries it a few seconds later, in its own 30 seconds.
    clock.advance(seconds=10)
    onlooker = editor_app.test_client()
    sign_in(onlooker, EDITOR)
    response = enter_code(onlooker, code)
    assert response.status_code == 400 and "already been used" in error_text(response, "code")
    assert audit.entries(db)[0].details["reason"] == "code_reused"
    # The next code the app shows is fine.
    clock.advance(seconds=30)
    assert enter_code(onlooker, two_factor.code_at(secret, clock())).status_code == 303


def test_the_half_sign_in_runs_out_after_five_minutes(editor_client, enrolled, clock, db):
    secret, _ = enrolled
    sign_in(editor_client, EDITOR)
    clock.advance(minutes=5, seconds=1)
    response = enter_code(editor_client, two_factor.code_at(secret, clock()), token_page="/editor/sign-in")
    assert response.status_code == 303 and response.headers["Location"] == "/editor/sign-in"
    assert "took too long" in get_editor_page(editor_client, "/editor/sign-in").get_text()
    assert editor_client.get("/editor/").status_code == 303
    assert editor_client.get(CODE_PAGE).headers["Location"] == "/editor/sign-in"
    assert "sign_in.succeeded" not in audit_actions(db, EDITOR)[-1:]


def test_the_code_page_without_a_password_first_sends_you_to_sign_in(editor_client):
    assert editor_client.get(CODE_PAGE).headers["Location"] == "/editor/sign-in"
    response = enter_code(editor_client, "123456", token_page="/editor/sign-in")
    assert response.headers["Location"] == "/editor/sign-in"
    assert editor_client.get("/editor/").status_code == 303


def test_a_recovery_code_works_once(editor_app, editor_client, enrolled, clock, db):
    _, codes = enrolled
    sign_in(editor_client, EDITOR)
    response = enter_code(editor_client, codes[3].upper().replace("-", " "), field="recovery-code")
    assert response.status_code == 303 and response.headers["Location"] == "/editor/"
    dashboard = get_editor_page(editor_client, "/editor/").get_text()
    assert "You used a recovery code. You have 9 left" in dashboard
    assert audit.entries(db)[0].details == {"two_factor": "recovery_code", "recovery_codes_left": 9}

    again = editor_app.test_client()
    sign_in(again, EDITOR)
    response = enter_code(again, codes[3], field="recovery-code")
    assert response.status_code == 400 and "not right" in error_text(response, "recovery-code")
    assert soup_of(response).find("details")["open"] is not None
    assert enter_code(again, codes[4], field="recovery-code").status_code == 303


def test_wrong_codes_lock_the_account_like_wrong_passwords(editor_client, enrolled, clock, db):
    secret, _ = enrolled
    sign_in(editor_client, EDITOR)
    for _attempt in range(LOCKOUT_THRESHOLD - 1):
        assert enter_code(editor_client, "000000").status_code == 400
    response = enter_code(editor_client, "000000")  # the failure that locks still just says "not right"
    assert response.status_code == 400
    assert accounts.find_user(db, EDITOR).is_locked()
    assert "user.locked" in [entry.action for entry in audit.entries(db)]
    # Locked: the right code, a recovery code and the password are all refused.
    response = enter_code(editor_client, two_factor.code_at(secret, clock()))
    assert response.status_code == 429 and "too many attempts" in error_text(response, "email")
    assert sign_in(editor_client, EDITOR).status_code == 429
    clock.advance(minutes=16)
    assert sign_in(editor_client, EDITOR).status_code == 303
    assert enter_code(editor_client, two_factor.code_at(secret, clock())).status_code == 303


def test_a_right_password_does_not_wipe_the_count_of_wrong_codes(editor_app, enrolled, clock, db):
    client = editor_app.test_client()
    for round_ in range(LOCKOUT_THRESHOLD):
        assert sign_in(client, EDITOR).status_code == 303  # the password is known
        assert enter_code(client, "999999").status_code == 400, round_
    assert accounts.find_user(db, EDITOR).is_locked()


def test_the_email_limit_counts_wrong_codes(editor_app, enrolled, clock, db):
    # From several addresses, each under the lockout: the email's own limit still stops the guessing.
    client = editor_app.test_client()
    for attempt in range(accounts.EMAIL_LIMIT):
        sign_in(client, EDITOR, environ_base={"REMOTE_ADDR": f"10.0.0.{attempt}"})
        post_form(client, CODE_PAGE, {"code": "999999"}, environ_base={"REMOTE_ADDR": f"10.0.0.{attempt}"})
        db.execute("UPDATE users SET failed_sign_ins = 0, locked_until = NULL")
    assert sign_in(client, EDITOR).status_code == 429


# -- the requirement per role -------------------------------------------------------------------------

def require(client, roles: list[str]):
    return post_form(client, "/editor/users/two-factor", {"roles": roles})


def test_admins_choose_the_roles_that_must_use_it(editor_client, accounts_by_role, db):
    sign_in(editor_client, ADMIN)
    soup = get_editor_page(editor_client, "/editor/users/two-factor")
    assert {box["value"] for box in soup.find_all("input", attrs={"name": "roles"})} == set(accounts.ROLES)
    response = require(editor_client, ["publisher", "editor", "nonsense"])
    assert response.status_code == 303
    assert two_factor.required_roles(db) == ["editor", "publisher"]
    entry = audit.entries(db)[0]
    assert (entry.action, entry.subject, entry.details) == (
        "setting.changed", "two_factor_roles", {"before": [], "after": ["editor", "publisher"]})
    soup = get_editor_page(editor_client, "/editor/users/two-factor")
    assert {box["value"] for box in soup.find_all("input", checked=True)} == {"editor", "publisher"}
    assert "Publisher Person" in soup.find(id="without-heading").find_parent("section").get_text()


def test_a_required_role_is_sent_to_set_up_and_reaches_nothing_else(editor_app, editor_client,
                                                                    accounts_by_role, clock, db):
    two_factor.set_required_roles(db, ["editor"], actor=accounts_by_role["admin"])
    response = sign_in(editor_client, EDITOR)
    assert response.status_code == 303
    for url in ("/editor/", "/editor/account", "/editor/services", "/editor/changes"):
        response = editor_client.get(url)
        assert response.status_code == 303 and response.headers["Location"].startswith(SET_UP), url
    response = post_form(editor_client, "/editor/account/password",
                         {"current-password": PASSWORD, "new-password": "a brand new passphrase",
                          "confirm-new-password": "a brand new passphrase"}, page_url=SET_UP)
    assert response.status_code == 303 and response.headers["Location"].startswith(SET_UP)
    assert "user.password_changed" not in audit_actions(db, EDITOR)
    soup = get_editor_page(editor_client, SET_UP)
    assert "Your role must use two-factor sign-in" in soup.get_text()

    secret, _ = set_up(editor_client, clock)
    assert editor_client.get("/editor/").status_code == 200
    # From now on the code is asked for, and it cannot be switched off.
    other = editor_app.test_client()
    assert sign_in(other, EDITOR).headers["Location"] == CODE_PAGE
    assert enter_code(other, two_factor.code_at(secret, clock())).status_code == 303
    account = get_editor_page(other, "/editor/account")
    assert not account.find("form", action="/editor/account/two-factor/off")
    response = post_form(other, "/editor/account/two-factor/off", {"off-proof": PASSWORD},
                         page_url="/editor/account")
    assert response.status_code == 400 and "cannot be switched off" in error_text(response, "off-proof")


def test_the_requirement_reaches_someone_already_signed_in(editor_client, accounts_by_role, db):
    sign_in(editor_client, EDITOR)
    assert editor_client.get("/editor/").status_code == 200
    two_factor.set_required_roles(db, ["editor"], actor=accounts_by_role["admin"])
    assert editor_client.get("/editor/").headers["Location"].startswith(SET_UP)
    # Signing out stays possible.
    response = post_form(editor_client, "/editor/sign-out", page_url=SET_UP)
    assert response.headers["Location"] == "/editor/sign-in"


def test_roles_not_required_sign_in_with_the_password_alone(editor_client, accounts_by_role, db):
    two_factor.set_required_roles(db, ["admin"], actor=accounts_by_role["admin"])
    sign_in(editor_client, EDITOR)
    assert editor_client.get("/editor/").status_code == 200


# -- switching off, new recovery codes, resets ---------------------------------------------------------

def signed_in_with_code(client, secret, clock):
    clock.advance(seconds=30)
    sign_in(client, EDITOR)
    assert enter_code(client, two_factor.code_at(secret, clock())).status_code == 303


def test_switching_off_needs_a_code_or_the_password(editor_client, enrolled, clock, db):
    secret, _ = enrolled
    signed_in_with_code(editor_client, secret, clock)
    def switch_off(proof: str):
        return post_form(editor_client, "/editor/account/two-factor/off", {"off-proof": proof},
                         page_url="/editor/account")

    response = switch_off("")
    assert response.status_code == 400
    assert "code from your app, or your password" in error_text(response, "off-proof")
    response = switch_off("not my password at all")
    assert response.status_code == 400 and "password is not right" in error_text(response, "off-proof")
    response = switch_off("000000")
    assert response.status_code == 400
    assert "code or password is not right" in error_text(response, "off-proof")
    assert two_factor.is_enabled(db, accounts.find_user(db, EDITOR).id)
    clock.advance(seconds=30)
    response = switch_off(two_factor.code_at(secret, clock()))
    assert response.status_code == 303
    assert not two_factor.is_enabled(db, accounts.find_user(db, EDITOR).id)
    assert db.execute("SELECT COUNT(*) FROM recovery_codes").fetchone()[0] == 0
    assert "two_factor.disabled" in audit_actions(db, EDITOR)
    post_form(editor_client, "/editor/sign-out", page_url="/editor/")
    assert sign_in(editor_client, EDITOR).headers["Location"] == "/editor/"


def test_new_recovery_codes_void_the_old_ones(editor_app, editor_client, enrolled, clock, db):
    secret, old_codes = enrolled
    signed_in_with_code(editor_client, secret, clock)
    response = post_form(editor_client, "/editor/account/two-factor/recovery-codes",
                         {"codes-proof": PASSWORD}, page_url="/editor/account")
    assert response.status_code == 200
    new_codes = [item.get_text() for item in soup_of(response).find(id="recovery-codes").find_all("code")]
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    client = editor_app.test_client()
    sign_in(client, EDITOR)
    assert enter_code(client, old_codes[0], field="recovery-code").status_code == 400
    assert enter_code(client, new_codes[0], field="recovery-code").status_code == 303


def test_an_admin_resets_two_factor_and_the_sessions_end(editor_app, editor_client, enrolled, clock, db):
    secret, _ = enrolled
    signed_in_with_code(editor_client, secret, clock)
    editor = accounts.find_user(db, EDITOR)
    admin = editor_app.test_client()
    sign_in(admin, ADMIN)
    rows = {row.find("a").get_text(): [cell.get_text() for cell in row.find_all("td")]
            for row in get_editor_page(admin, "/editor/users").find("tbody").find_all("tr")}
    assert rows[EDITOR][4] == "On" and rows[ADMIN][4] == "Off"
    page = get_editor_page(admin, f"/editor/users/{editor.id}")
    assert "On since" in page.get_text() and page.find("button", id="reset-two-factor")
    response = post_form(admin, f"/editor/users/{editor.id}/two-factor/reset",
                         page_url=f"/editor/users/{editor.id}")
    assert response.status_code == 303
    assert not two_factor.is_enabled(db, editor.id)
    entry = audit.entries(db)[0]
    assert (entry.actor, entry.action, entry.subject, entry.details) == (ADMIN, "two_factor.reset", EDITOR,
                                                                         {"was_on": True})
    assert editor_client.get("/editor/").headers["Location"].startswith("/editor/sign-in")
    assert sign_in(editor_client, EDITOR).headers["Location"] == "/editor/"


def test_an_admin_cannot_reset_their_own_on_the_web(editor_client, accounts_by_role, clock, db):
    sign_in(editor_client, ADMIN)
    set_up(editor_client, clock)
    admin = accounts_by_role["admin"]
    page = get_editor_page(editor_client, f"/editor/users/{admin.id}")
    assert not page.find("button", id="reset-two-factor")
    response = post_form(editor_client, f"/editor/users/{admin.id}/two-factor/reset",
                         page_url=f"/editor/users/{admin.id}")
    assert response.status_code == 400 and "Ask another admin" in error_text(response, "reset-two-factor")
    assert two_factor.is_enabled(db, admin.id)


def test_a_reset_during_the_code_step_sends_the_person_back_to_sign_in(editor_client, enrolled, clock, db):
    secret, _ = enrolled
    sign_in(editor_client, EDITOR)
    two_factor.reset(db, EDITOR, actor="cli")
    response = enter_code(editor_client, two_factor.code_at(secret, clock()), token_page="/editor/sign-in")
    assert response.headers["Location"] == "/editor/sign-in"
    assert editor_client.get("/editor/").status_code == 303


# -- the domain: sealing the secret ---------------------------------------------------------------------

def test_the_secret_is_sealed_with_a_key_outside_the_database(instance_dir):
    key = two_factor.load_key(instance_dir)
    assert len(key) == 32 and two_factor.load_key(instance_dir) == key
    assert oct((instance_dir / two_factor.KEY_FILE).stat().st_mode & 0o777) == "0o600"
    sealed = two_factor.seal(key, "JBSWY3DPEHPK3PXP")
    assert "JBSWY3DPEHPK3PXP" not in sealed and two_factor.seal(key, "JBSWY3DPEHPK3PXP") != sealed
    assert two_factor.unseal(key, sealed) == "JBSWY3DPEHPK3PXP"
    with pytest.raises(two_factor.UnreadableSecret):
        two_factor.unseal(bytes(32), sealed)
    tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    with pytest.raises(two_factor.UnreadableSecret):
        two_factor.unseal(key, tampered)
    with pytest.raises(two_factor.UnreadableSecret):
        two_factor.unseal(key, "not sealed")


def test_the_key_can_come_from_the_environment(instance_dir, monkeypatch):
    monkeypatch.setenv(two_factor.KEY_VARIABLE, "ab" * 32)
    assert two_factor.load_key(instance_dir) == bytes.fromhex("ab" * 32)
    assert not (instance_dir / two_factor.KEY_FILE).exists()


@pytest.mark.parametrize("value", ["not hex", "ab" * 16, "ab" * 33])
def test_a_malformed_key_in_the_environment_is_refused_with_its_name(instance_dir, monkeypatch, value):
    monkeypatch.setenv(two_factor.KEY_VARIABLE, value)
    with pytest.raises(ValueError, match=two_factor.KEY_VARIABLE):
        two_factor.load_key(instance_dir)
