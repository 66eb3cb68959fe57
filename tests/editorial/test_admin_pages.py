"""What an admin does in the browser: accounts and the audit log. Every change goes through a
form with its CSRF token and lands in the audit log under the admin's email."""

from __future__ import annotations

import csv
import io

import pytest

from app.editorial import accounts, audit

from .helpers import EMAILS, PASSWORD, get_editor_page, post_form, sign_in

ADMIN = EMAILS["admin"]


@pytest.fixture
def admin(editor_client):
    assert sign_in(editor_client, ADMIN).status_code == 303
    return editor_client


def user_url(user: accounts.User, action: str = "") -> str:
    return f"/editor/users/{user.id}{'/' + action if action else ''}"


def summary_links(response) -> dict[str, str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    summary = soup.find("div", class_="error-summary")
    assert summary is not None and summary["role"] == "alert"
    return {link["href"]: link.get_text(strip=True) for link in summary.find_all("a")}


def test_the_users_page_lists_every_account(admin, accounts_by_role):
    soup = get_editor_page(admin, "/editor/users")
    rows = soup.find("table").find("tbody").find_all("tr")
    assert [row.find("a").get_text() for row in rows] == [EMAILS[role] for role in reversed(accounts.ROLES)]
    provider_row = rows[list(reversed(accounts.ROLES)).index("provider")].get_text()
    assert "Provider" in provider_row and "Test Organisation" in provider_row
    assert soup.find("a", href="/editor/users/new")


def test_the_dashboard_offers_an_admin_the_admin_tools(admin):
    soup = get_editor_page(admin, "/editor/")
    links = {link["href"] for link in soup.find("main").find_all("a")}
    assert {"/editor/users", "/editor/audit"} <= links


def test_the_dashboard_offers_others_no_admin_tools(editor_client):
    sign_in(editor_client, EMAILS["publisher"])
    soup = get_editor_page(editor_client, "/editor/")
    hrefs = {link["href"] for link in soup.find_all("a")}
    assert "/editor/users" not in hrefs and "/editor/audit" not in hrefs
    assert "Reviews changes and publishes them" in soup.find("main").get_text()


def test_adding_a_user(admin, db):
    get_editor_page(admin, "/editor/users/new")
    response = post_form(admin, "/editor/users/new", {
        "email": "New.Person@example.org", "name": "New Person", "role": "provider",
        "organisation": "test-org", "password": "a long enough passphrase",
        "confirm-password": "a long enough passphrase"})
    assert response.status_code == 303
    user = accounts.find_user(db, "new.person@example.org")
    assert (user.name, user.role, user.organisation) == ("New Person", "provider", "test-org")
    assert response.headers["Location"] == user_url(user)
    page = get_editor_page(admin, user_url(user))
    assert "Added an account for new.person@example.org" in page.find(class_="notice").get_text()
    entry = audit.entries(db, action="user.created")[0]
    assert (entry.actor, entry.subject, entry.ip) == (ADMIN, "new.person@example.org", "127.0.0.1")


def test_adding_a_user_with_mistakes_shows_each_beside_its_field(admin, db):
    response = post_form(admin, "/editor/users/new", {
        "email": "", "role": "", "password": "one passphrase here", "confirm-password": "another one"})
    assert response.status_code == 400
    assert summary_links(response) == {"#email": "Enter the email address", "#role": "Choose a role",
                                       "#confirm-password": "The passwords do not match"}
    response = post_form(admin, "/editor/users/new", {
        "email": "x@example.org", "role": "editor", "password": "short", "confirm-password": "short"})
    assert summary_links(response) == {"#password": "The password must be at least 12 characters"}
    response = post_form(admin, "/editor/users/new", {
        "email": EMAILS["editor"].upper(), "role": "editor", "password": PASSWORD,
        "confirm-password": PASSWORD})
    assert summary_links(response) == {"#email": "There is already an account with this email address"}
    response = post_form(admin, "/editor/users/new", {
        "email": "p@example.org", "role": "provider", "password": PASSWORD, "confirm-password": PASSWORD})
    assert summary_links(response) == {"#organisation": "Choose the organisation this provider works for"}
    assert "value=\"p@example.org\"" in response.get_data(as_text=True)  # what was typed is kept
    assert audit.entries(db, action="user.created", actor=ADMIN) == []


def test_changing_a_role(admin, db, accounts_by_role):
    editor = accounts_by_role["editor"]
    response = post_form(admin, user_url(editor, "role"), {"role": "publisher"}, page_url=user_url(editor))
    assert response.status_code == 303
    assert accounts.get_user(db, editor.id).role == "publisher"
    assert "is now: Publisher" in admin.get(user_url(editor)).get_data(as_text=True)
    response = post_form(admin, user_url(editor, "role"), {"role": "provider"}, page_url=user_url(editor))
    assert response.status_code == 400
    assert summary_links(response) == {"#organisation": "Choose the organisation this provider works for"}
    [entry] = audit.entries(db, action="user.role_changed")
    assert entry.actor == ADMIN and entry.details["to"] == "publisher"


def test_a_provider_moved_to_another_role_leaves_its_organisation(admin, db, accounts_by_role):
    provider = accounts_by_role["provider"]
    page = get_editor_page(admin, user_url(provider))
    assert page.find("select", id="organisation").find("option", selected=True)["value"] == "test-org"
    # The form sends the organisation still selected; for an editor it does not count.
    response = post_form(admin, user_url(provider, "role"), {"role": "editor", "organisation": "test-org"},
                         page_url=user_url(provider))
    assert response.status_code == 303
    assert (accounts.get_user(db, provider.id).role, accounts.get_user(db, provider.id).organisation) == (
        "editor", None)


def test_resetting_a_password_signs_them_out(admin, editor_app, db, accounts_by_role):
    editor = accounts_by_role["editor"]
    their_browser = editor_app.test_client()
    sign_in(their_browser, editor.email)
    response = post_form(admin, user_url(editor, "password"),
                         {"new-password": "a fresh passphrase", "confirm-new-password": "a fresh passphrase"},
                         page_url=user_url(editor))
    assert response.status_code == 303
    assert their_browser.get("/editor/").status_code == 303
    assert isinstance(accounts.authenticate(db, editor.email, "a fresh passphrase"), accounts.User)
    assert audit.entries(db, action="user.password_reset")[0].actor == ADMIN

    response = post_form(admin, user_url(editor, "password"),
                         {"new-password": editor.email, "confirm-new-password": editor.email},
                         page_url=user_url(editor))
    assert summary_links(response) == {"#new-password": "The password must not be the email address"}


def test_resetting_your_own_password_keeps_you_signed_in_here(admin, accounts_by_role):
    me = accounts_by_role["admin"]
    new = "my own new passphrase"
    response = post_form(admin, user_url(me, "password"), {"new-password": new, "confirm-new-password": new},
                         page_url=user_url(me))
    assert response.status_code == 303
    assert admin.get("/editor/").status_code == 200


def test_disabling_and_enabling_an_account(admin, editor_app, db, accounts_by_role):
    publisher = accounts_by_role["publisher"]
    their_browser = editor_app.test_client()
    sign_in(their_browser, publisher.email)
    response = post_form(admin, user_url(publisher, "disable"), page_url=user_url(publisher))
    assert response.status_code == 303
    assert accounts.get_user(db, publisher.id).disabled
    assert their_browser.get("/editor/").status_code == 303
    page = get_editor_page(admin, user_url(publisher))
    assert "Disabled" in page.find("dl").get_text()
    assert post_form(admin, user_url(publisher, "enable"), page_url=user_url(publisher)).status_code == 303
    assert not accounts.get_user(db, publisher.id).disabled
    assert [entry.action for entry in audit.entries(db, actor=ADMIN, subject=publisher.email)] == [
        "user.enabled", "user.disabled"]


def test_an_admin_cannot_lock_themselves_out(admin, db, accounts_by_role):
    me = accounts_by_role["admin"]
    page = get_editor_page(admin, user_url(me))
    assert not page.find("form", action=user_url(me, "disable"))
    response = post_form(admin, user_url(me, "disable"), page_url=user_url(me))
    assert response.status_code == 400
    assert summary_links(response) == {
        "#disable": "You cannot change your own role or disable your own account. Ask another admin"}
    assert not accounts.get_user(db, me.id).disabled


def test_an_unknown_account_is_404(admin):
    assert admin.get("/editor/users/999").status_code == 404
    assert post_form(admin, "/editor/users/999/disable", page_url="/editor/").status_code == 404


def test_the_audit_log_page_filters_and_pages(admin, db):
    for number in range(60):
        audit.record(db, "cli", "test.event", f"subject-{number}@example.org")
    soup = get_editor_page(admin, "/editor/audit")
    assert "1 of 2" in soup.find(class_="result-count").get_text()
    assert len(soup.find("tbody").find_all("tr")) == 50
    older = soup.find("a", rel="next")["href"]
    soup = get_editor_page(admin, older)
    assert soup.find("a", rel="prev")

    soup = get_editor_page(admin, "/editor/audit?action=sign_in.succeeded")
    rows = soup.find("tbody").find_all("tr")
    assert len(rows) == 1 and ADMIN in rows[0].get_text()
    assert soup.find("option", value="sign_in.succeeded").has_attr("selected")

    soup = get_editor_page(admin, "/editor/audit?subject=subject-5")
    assert len(soup.find("tbody").find_all("tr")) == 11  # 5 and 50 to 59

    soup = get_editor_page(admin, "/editor/audit?from=yesterday&to=31/2/2026", status=400)
    assert {link["href"] for link in soup.find(class_="error-summary").find_all("a")} == {"#from", "#to"}


def test_the_audit_log_filters_by_british_or_iso_dates(admin, db, clock):
    audit.record(db, "cli", "test.event", "on the first")  # the clock says 1 September 2026
    def count(dates: str) -> str:
        return get_editor_page(admin, f"/editor/audit?action=test.event&{dates}").find(
            class_="result-count").get_text()

    assert "1 entry" in count("from=1/9/2026&to=1/9/2026")
    assert "1 entry" in count("from=2026-09-01")
    assert "0 entries" in count("from=02-09-2026")


def test_the_audit_log_downloads_as_csv_with_the_same_filters(admin, db):
    audit.record(db, "cli", "user.created", "=cmd|calc@example.org")
    response = admin.get("/editor/audit.csv?actor=cli")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-log-')
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == list(audit.CSV_COLUMNS)
    assert {row[2] for row in rows[1:]} == {"cli"}
    assert "'=cmd|calc@example.org" in {row[4] for row in rows[1:]}
    exported = audit.entries(db, action="audit.exported")[0]
    assert exported.actor == ADMIN and exported.details["actor"] == "cli"
