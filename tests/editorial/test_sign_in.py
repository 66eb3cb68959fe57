"""Signing in and out through the forms, with CSRF protection on, and what the session promises."""

from __future__ import annotations

import pytest

from app import create_app
from app.config import Config, TestingConfig
from app.editorial import accounts, audit
from app.editorial.accounts import EMAIL_LIMIT, LOCKOUT_THRESHOLD

from .helpers import EMAILS, PASSWORD, csrf_token, get_editor_page, post_form, session_cookie, sign_in

EDITOR = EMAILS["editor"]


def test_csrf_protection_is_on_in_tests(editor_app):
    assert editor_app.config["WTF_CSRF_ENABLED"] is True


def test_the_sign_in_page_keeps_the_page_rules_and_is_private(editor_client):
    soup = get_editor_page(editor_client, "/editor/sign-in")
    form = soup.find("form", action="/editor/sign-in")
    assert form["method"] == "post"
    assert form.find("input", attrs={"name": "csrf_token", "type": "hidden"})
    assert soup.find("label", attrs={"for": "email"}) and soup.find("label", attrs={"for": "password"})
    assert soup.find("input", id="password")["autocomplete"] == "current-password"
    assert not soup.find(class_="error-summary")


def test_signing_in_lands_on_the_dashboard(editor_client):
    response = sign_in(editor_client, EDITOR)
    assert response.status_code == 303 and response.headers["Location"] == "/editor/"
    soup = get_editor_page(editor_client, "/editor/")
    assert "Editor Person" in soup.find("main").get_text()
    assert soup.find("nav", attrs={"aria-label": "Editor menu"})


def test_a_wrong_password_shows_the_error_summary_linking_to_the_field(editor_client):
    response = sign_in(editor_client, EDITOR, "not the password")
    assert response.status_code == 400
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    summary = soup.find("div", class_="error-summary")
    assert summary["role"] == "alert"
    link = summary.find("a")
    assert link["href"] == "#email" and "correct email address and password" in link.get_text()
    assert "correct email address and password" in soup.find(id="email-error").get_text()
    assert soup.find("input", id="email")["value"] == EDITOR
    assert not soup.find("input", id="password").get("value")  # a password is never sent back
    assert soup.title.get_text().startswith("Error: ")


def test_empty_fields_each_get_a_message(editor_client):
    response = post_form(editor_client, "/editor/sign-in", {"email": "", "password": ""})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert 'href="#email">Enter your email address' in text and 'href="#password">Enter your password' in text


def test_an_unknown_email_reads_exactly_like_a_wrong_password(editor_client):
    unknown = sign_in(editor_client, "nobody@example.org", "not the password")
    wrong = sign_in(editor_client, EDITOR, "not the password")
    assert unknown.status_code == wrong.status_code == 400
    assert unknown.get_data(as_text=True).replace("nobody@example.org", EDITOR).split("csrf_token")[0] == \
        wrong.get_data(as_text=True).split("csrf_token")[0]


def test_lockout_and_unknown_email_limits_read_the_same(editor_client):
    for _ in range(LOCKOUT_THRESHOLD):
        sign_in(editor_client, EDITOR, "not the password")
    locked = sign_in(editor_client, EDITOR)
    for _ in range(EMAIL_LIMIT):
        sign_in(editor_client, "nobody@example.org", "not the password")
    limited = sign_in(editor_client, "nobody@example.org")
    assert locked.status_code == limited.status_code == 429
    for response in (locked, limited):
        assert "too many attempts to sign in. Wait 15 minutes" in response.get_data(as_text=True)


def test_the_sign_in_address_is_recorded_from_the_request(editor_client, db):
    sign_in(editor_client, EDITOR, environ_base={"REMOTE_ADDR": "192.0.2.44"})
    entry = audit.entries(db, action="sign_in.succeeded")[0]
    assert entry.ip == "192.0.2.44"


def test_behind_a_trusted_proxy_the_visitor_address_is_recorded(editor_content, tmp_path, instance_dir,
                                                                accounts_by_role, db):
    config = TestingConfig(editor_content, tmp_path / "index", instance_dir)
    config.TRUSTED_PROXIES = 1
    client = create_app(config).test_client()
    sign_in(client, EDITOR, headers={"X-Forwarded-For": "203.0.113.8"})
    assert audit.entries(db, action="sign_in.succeeded")[0].ip == "203.0.113.8"


def test_one_visitor_spraying_guesses_does_not_lock_out_the_others_behind_the_proxy(
        editor_content, tmp_path, instance_dir, accounts_by_role, db):
    config = TestingConfig(editor_content, tmp_path / "index", instance_dir)
    config.TRUSTED_PROXIES = 1
    client = create_app(config).test_client()
    # Thirty wrong passwords at other accounts, all through the council's one proxy address.
    visitor = {"X-Forwarded-For": "198.51.100.7"}
    for number in range(30):
        response = sign_in(client, f"guess{number}@example.org", "not the password", headers=visitor)
        assert response.status_code == 400
    # The spraying visitor cannot guess again at an account it got wrong...
    assert sign_in(client, "guess0@example.org", "not the password", headers=visitor).status_code == 429
    # ...and a colleague behind the same address signs in with the right password.
    assert sign_in(client, EDITOR, headers=visitor).status_code == 303
    assert audit.entries(db, action="sign_in.succeeded")[0].ip == "198.51.100.7"


def test_a_disabled_account_is_told_so_only_with_the_right_password(editor_client, db):
    accounts.disable_user(db, EDITOR, actor="cli")
    assert "correct email address and password" in sign_in(editor_client, EDITOR, "wrong one!").get_data(
        as_text=True)
    response = sign_in(editor_client, EDITOR)
    assert response.status_code == 403 and "has been disabled" in response.get_data(as_text=True)


def test_the_session_is_renewed_at_sign_in(editor_client):
    before_token = csrf_token(editor_client, "/editor/sign-in")
    before = session_cookie(editor_client).value
    assert sign_in(editor_client, EDITOR).status_code == 303
    after = session_cookie(editor_client).value
    assert after != before
    # Nothing from before signing in survives: a token from the signed-out page no longer works.
    response = editor_client.post("/editor/sign-out", data={"csrf_token": before_token})
    assert response.status_code == 400


def test_the_session_cookie_is_httponly_lax_and_lasts_eight_hours(editor_client):
    sign_in(editor_client, EDITOR)
    cookie = session_cookie(editor_client)
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    assert cookie.key == "earlyhelp_editor" and cookie.path == "/"
    assert cookie.expires is not None


def test_over_https_the_cookie_is_secure_and_host_only(editor_content, tmp_path, instance_dir,
                                                       accounts_by_role):
    app = create_app(TestingConfig(editor_content, tmp_path / "index", instance_dir, https=True))
    client = app.test_client()
    response = client.get("/editor/sign-in", base_url="https://localhost")
    header = response.headers["Set-Cookie"]
    assert header.startswith("__Host-earlyhelp_editor=")
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header and "Path=/" in header


def test_https_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("EARLYHELP_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("EARLYHELP_SECRET_KEY", "x" * 32)
    assert Config().SESSION_COOKIE_SECURE is False
    monkeypatch.setenv("EARLYHELP_HTTPS", "1")
    config = Config()
    assert config.SESSION_COOKIE_SECURE is True and config.SESSION_COOKIE_NAME == "__Host-earlyhelp_editor"


def test_signing_out_ends_the_session_everywhere(editor_app, accounts_by_role):
    laptop, phone = editor_app.test_client(), editor_app.test_client()
    sign_in(laptop, EDITOR)
    sign_in(phone, EDITOR)
    response = post_form(laptop, "/editor/sign-out", page_url="/editor/")
    assert response.status_code == 303 and response.headers["Location"] == "/editor/sign-in"
    assert "You have signed out" in laptop.get("/editor/sign-in").get_data(as_text=True)
    assert laptop.get("/editor/").status_code == 303
    assert phone.get("/editor/").status_code == 303


def test_a_disabled_account_is_signed_out_on_its_next_request(editor_client, db):
    sign_in(editor_client, EDITOR)
    assert editor_client.get("/editor/").status_code == 200
    accounts.disable_user(db, EDITOR, actor="cli")
    response = editor_client.get("/editor/")
    assert response.status_code == 303 and response.headers["Location"].startswith("/editor/sign-in")
    assert "You have been signed out" in editor_client.get("/editor/sign-in").get_data(as_text=True)
    accounts.enable_user(db, EDITOR, actor="cli")
    assert editor_client.get("/editor/").status_code == 303  # the old session stays ended


def test_a_password_reset_elsewhere_ends_the_session(editor_client, db):
    sign_in(editor_client, EDITOR)
    accounts.set_password(db, EDITOR, "another long passphrase", actor="cli")
    assert editor_client.get("/editor/").status_code == 303


def test_the_session_ends_eight_hours_after_sign_in(editor_client, clock):
    sign_in(editor_client, EDITOR)
    clock.advance(hours=7, minutes=59)
    assert editor_client.get("/editor/").status_code == 200
    clock.advance(minutes=2)
    assert editor_client.get("/editor/").status_code == 303


def test_after_sign_in_you_return_to_the_page_you_asked_for(editor_client):
    response = editor_client.get("/editor/users?x=1")
    assert response.status_code == 303
    assert response.headers["Location"] == "/editor/sign-in?next=/editor/users?x%3D1"
    token = csrf_token(editor_client, response.headers["Location"])
    response = editor_client.post("/editor/sign-in", data={
        "csrf_token": token, "email": EMAILS["admin"], "password": PASSWORD, "next": "/editor/users?x=1"})
    assert response.headers["Location"] == "/editor/users?x=1"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/search", "/editor\\..\\x"])
def test_the_return_address_must_be_an_editor_page(editor_client, target):
    response = post_form(editor_client, "/editor/sign-in",
                         {"email": EDITOR, "password": PASSWORD, "next": target})
    assert response.headers["Location"] == "/editor/"


def test_a_signed_in_visit_to_the_sign_in_page_goes_to_the_dashboard(editor_client):
    sign_in(editor_client, EDITOR)
    assert editor_client.get("/editor/sign-in").headers["Location"] == "/editor/"


@pytest.mark.parametrize("token", [None, "", "forged-token", "IjAwMDAi.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb"])
def test_a_missing_or_forged_token_gets_the_friendly_page(editor_client, db, token):
    data = {"email": EDITOR, "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    editor_client.get("/editor/sign-in")  # a session with a real token exists
    response = editor_client.post("/editor/sign-in", data=data)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Your session expired" in text and "Go back, reload the page and try again." in text
    assert "Traceback" not in text and "CSRF" not in text
    assert response.headers["Cache-Control"] == "no-store"
    assert audit.entries(db, action="sign_in.succeeded") == []


def test_a_token_from_another_browser_is_refused(editor_app, accounts_by_role):
    mine, theirs = editor_app.test_client(), editor_app.test_client()
    token = csrf_token(theirs, "/editor/sign-in")
    mine.get("/editor/sign-in")
    response = mine.post("/editor/sign-in", data={"csrf_token": token, "email": EDITOR, "password": PASSWORD})
    assert response.status_code == 400 and "Your session expired" in response.get_data(as_text=True)


def test_an_expired_token_gets_the_friendly_page(editor_app, accounts_by_role):
    editor_app.config["WTF_CSRF_TIME_LIMIT"] = -1  # every token is already too old
    client = editor_app.test_client()
    response = sign_in(client, EDITOR)
    assert response.status_code == 400 and "Your session expired" in response.get_data(as_text=True)


def test_posts_outside_the_editor_are_protected_too(editor_app):
    @editor_app.post("/test-only-form")
    def test_only_form():
        return "accepted"

    client = editor_app.test_client()
    response = client.post("/test-only-form", data={"anything": "x"})
    assert response.status_code == 400 and "Your session expired" in response.get_data(as_text=True)
