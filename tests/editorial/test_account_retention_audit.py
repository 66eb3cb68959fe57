"""Changing your own password at /editor/account; how long suggestions are kept (earlyhelp suggestions purge);
command-line publish and rollback in the audit log; editor responses private whatever their status."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from app.cli import main
from app.editorial import audit, instance, suggestions

from .helpers import EMAILS, PASSWORD, get_editor_page, post_form, session_cookie, sign_in

NEW_PASSWORD = "a brand new passphrase for me"


def change_password(client, current, new, confirm=None):
    return post_form(client, "/editor/account/password",
                     {"current-password": current, "new-password": new,
                      "confirm-new-password": new if confirm is None else confirm},
                     page_url="/editor/account")


def test_every_role_changes_its_own_password_and_other_sessions_end(editor_app, accounts_by_role, db):
    for role in accounts_by_role:
        here, elsewhere = editor_app.test_client(), editor_app.test_client()
        sign_in(here, EMAILS[role])
        sign_in(elsewhere, EMAILS[role])
        before = session_cookie(here).value
        response = change_password(here, PASSWORD, NEW_PASSWORD)
        assert response.status_code == 303 and response.headers["Location"] == "/editor/account"
        assert session_cookie(here).value != before  # a renewed session
        assert get_editor_page(here, "/editor/account").find(class_="notice--success")
        assert elsewhere.get("/editor/account").status_code == 303  # signed out there
        fresh = editor_app.test_client()
        assert sign_in(fresh, EMAILS[role], NEW_PASSWORD).status_code == 303
        assert sign_in(editor_app.test_client(), EMAILS[role], PASSWORD).status_code == 400
        [entry] = audit.entries(db, action="user.password_changed", subject=EMAILS[role])
        assert entry.actor == EMAILS[role]


@pytest.mark.parametrize("current, new, confirm, field, message", [
    ("", NEW_PASSWORD, None, "current-password", "Enter your current password"),
    ("not my password at all", NEW_PASSWORD, None, "current-password", "Your current password is not right"),
    (PASSWORD, "short", None, "new-password", "at least 12 characters"),
    (PASSWORD, NEW_PASSWORD, "something else entirely", "confirm-new-password", "do not match"),
    (PASSWORD, PASSWORD, None, "new-password", "different from your current one"),
    (PASSWORD, EMAILS["editor"], None, "new-password", "must not be the email address"),
])
def test_a_refused_password_change_says_why_beside_the_field(editor_client, current, new, confirm, field,
                                                              message):
    sign_in(editor_client, EMAILS["editor"])
    response = change_password(editor_client, current, new, confirm)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert f'id="{field}-error"' in text and message in text
    assert sign_in(editor_client.application.test_client(), EMAILS["editor"]).status_code == 303


def test_wrong_current_passwords_are_limited_like_sign_ins(editor_client, db, clock):
    sign_in(editor_client, EMAILS["editor"])
    for _ in range(5):
        clock.advance(seconds=1)
        assert change_password(editor_client, "a wrong password!", NEW_PASSWORD).status_code == 400
    response = change_password(editor_client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 429 and "too many wrong passwords" in response.get_data(as_text=True)
    assert len(audit.entries(db, action="user.password_change_refused")) == 5
    clock.advance(minutes=16)
    assert change_password(editor_client, PASSWORD, NEW_PASSWORD).status_code == 303


# -- suggestions are not kept for ever -----------------------------------------------------------------

def add_suggestion(db, email="someone@example.org", status=suggestions.OPEN):
    now = instance.iso(instance.utc_now())
    with instance.transaction(db):
        suggestion_id = db.execute(
            "INSERT INTO suggestions (service_id, message, email, created_at, status, dealt_with_at) "
            "VALUES ('parenting-group', 'The phone number is wrong', ?, ?, ?, ?)",
            [email, now, status, now if status == suggestions.DEALT_WITH else None]).lastrowid
    return suggestion_id


def test_purge_deletes_old_closed_suggestions_and_erases_old_open_ones_emails(db, clock):
    old_closed = add_suggestion(db, status=suggestions.DEALT_WITH)
    old_open = add_suggestion(db)
    clock.advance(days=170)
    recent_closed = add_suggestion(db, status=suggestions.DEALT_WITH)
    clock.advance(days=11)  # the first ones are 181 days old
    assert suggestions.purge(db) == suggestions.Purged(deleted=1, emails_erased=0)
    assert suggestions.get_suggestion(db, old_closed) is None
    assert suggestions.get_suggestion(db, recent_closed) is not None
    clock.advance(days=185)  # 366 days since the open one arrived
    assert suggestions.purge(db) == suggestions.Purged(deleted=1, emails_erased=1)
    kept = suggestions.get_suggestion(db, old_open)
    assert kept.email == "" and kept.message == "The phone number is wrong"
    entries = audit.entries(db, action="suggestions.purged")
    assert entries[0].details["deleted"] == 1 and "someone@example.org" not in str(entries[0].details)


def test_the_purge_command_and_the_queue_state_the_retention(editor_app, accounts_by_role, db, clock,
                                                             instance_dir, editor_content, monkeypatch):
    add_suggestion(db, status=suggestions.DEALT_WITH)
    clock.advance(days=31)
    monkeypatch.setenv("EARLYHELP_INSTANCE_DIR", str(instance_dir))
    monkeypatch.setenv("EARLYHELP_CONTENT_DIR", str(editor_content))
    result = CliRunner().invoke(main, ["suggestions", "purge", "--older-than", "30"], catch_exceptions=False)
    assert result.exit_code == 0 and "Deleted 1 suggestion(s)" in result.output
    client = editor_app.test_client()
    sign_in(client, EMAILS["editor"])
    retention = get_editor_page(client, "/editor/suggestions").find(id="retention").get_text()
    assert f"deleted {suggestions.RETENTION_DAYS} days after it is dealt with" in retention


def test_the_privacy_notice_says_the_same_retention():
    from pathlib import Path
    text = (Path(__file__).parents[2] / "content" / "pages" / "privacy.md").read_text()
    assert f"({suggestions.RETENTION_DAYS} days) after we have dealt with it" in text
    assert suggestions.OPEN_EMAIL_DAYS == 365 and "still open after 12 months" in text


# -- the command line's publish and rollback are audited --------------------------------------------

def test_publish_and_rollback_at_the_command_line_are_audited_when_there_is_an_instance(
        tmp_path, editor_content, instance_dir, db, monkeypatch):
    monkeypatch.setenv("EARLYHELP_INSTANCE_DIR", str(instance_dir))
    runner = CliRunner()
    index = tmp_path / "index"
    for _ in range(2):
        assert runner.invoke(main, ["publish", "--content", str(editor_content), "--index", str(index)]
                             ).exit_code == 0
    published = audit.entries(db, action="release.published")
    assert len(published) == 2 and published[0].actor == "cli" and published[0].details["login"]
    result = runner.invoke(main, ["rollback", "--index", str(index)])
    assert result.exit_code == 0, result.output
    [rolled_back] = audit.entries(db, action="release.rolled_back")
    assert rolled_back.subject == published[1].subject and rolled_back.details["from"] == published[0].subject


def test_without_an_instance_the_command_line_publishes_without_one(tmp_path, editor_content, monkeypatch):
    monkeypatch.setenv("EARLYHELP_INSTANCE_DIR", str(tmp_path / "no-instance"))
    result = CliRunner().invoke(main, ["publish", "--content", str(editor_content), "--index",
                                       str(tmp_path / "index")])
    assert result.exit_code == 0 and not (tmp_path / "no-instance").exists()


# -- private whatever the answer --------------------------------------------------------------------------

def test_redirects_refusals_and_csrf_failures_under_editor_are_private_too(editor_app, accounts_by_role):
    client = editor_app.test_client()
    answers = [client.get("/editor/account"),  # 303 to sign in
               client.post("/editor/sign-in", data={"email": "x", "password": "y"})]  # 400: no CSRF token
    sign_in(client, EMAILS["provider"])
    answers += [client.get("/editor/users"), client.get("/editor/hubs"),  # 403
                client.get("/editor/services/no-such-service/edit")]  # 404
    assert [answer.status_code for answer in answers] == [303, 400, 403, 403, 404]
    for answer in answers:
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["X-Robots-Tag"] == "noindex, nofollow"


def test_the_session_cookie_is_httponly_and_samesite_lax(editor_client):
    response = sign_in(editor_client, EMAILS["editor"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # (the Secure flag and the __Host- name over HTTPS are tested in test_sign_in.py)
