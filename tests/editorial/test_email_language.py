"""Choosing the language of an account's emails: on your own account page, and by an admin."""

from __future__ import annotations

from app.editorial import accounts, audit, mail

from .helpers import EMAILS, get_editor_page, post_form, sign_in


def test_every_catalogue_is_offered_with_english_first():
    assert mail.languages() == ("en", "ar", "bn", "es", "pl", "pt", "ro", "so", "tr", "ur")
    assert dict(mail.language_choices())["pl"] == "Polski (Polish)"


def test_you_choose_the_language_of_your_emails(editor_client, db):
    sign_in(editor_client, EMAILS["provider"])
    page = get_editor_page(editor_client, "/editor/account")
    select = page.find("select", id="language")
    options = select.find_all("option")
    assert options[0]["value"] == "en" and options[0].has_attr("selected")
    response = post_form(editor_client, "/editor/account/language", {"language": "pl"},
                         page_url="/editor/account")
    assert response.status_code == 303 and response.headers["Location"] == "/editor/account"
    page = get_editor_page(editor_client, "/editor/account")
    assert "Your emails will be in Polski." in page.find(class_="notice--success").get_text()
    assert page.find("option", value="pl").has_attr("selected")
    assert accounts.find_user(db, EMAILS["provider"]).language == "pl"
    [entry] = audit.entries(db, action="user.language_changed")
    assert (entry.actor, entry.details) == (EMAILS["provider"], {"from": "en", "to": "pl"})


def test_a_language_not_offered_is_refused_beside_the_field(editor_client, db):
    sign_in(editor_client, EMAILS["analyst"])
    response = post_form(editor_client, "/editor/account/language", {"language": "fr"},
                         page_url="/editor/account")
    assert response.status_code == 400
    assert "Choose a language from the list" in response.get_data(as_text=True)
    assert accounts.find_user(db, EMAILS["analyst"]).language == "en"
    assert audit.entries(db, action="user.language_changed") == []


def test_an_admin_chooses_the_language_of_someone_elses_emails(editor_client, db, accounts_by_role):
    sign_in(editor_client, EMAILS["admin"])
    editor = accounts_by_role["editor"]
    url = f"/editor/users/{editor.id}"
    response = post_form(editor_client, f"{url}/language", {"language": "ar"}, page_url=url)
    assert response.status_code == 303
    page = get_editor_page(editor_client, url)
    assert "العربية (Arabic)" in page.find("dl", class_="facts").get_text()
    assert accounts.get_user(db, editor.id).language == "ar"
    [entry] = audit.entries(db, action="user.language_changed")
    assert entry.actor == EMAILS["admin"] and entry.subject == editor.email


def test_an_admin_chooses_it_when_adding_an_account(editor_client, db):
    sign_in(editor_client, EMAILS["admin"])
    page = get_editor_page(editor_client, "/editor/users/new")
    assert page.find("select", id="language").find("option", selected=True)["value"] == "en"
    response = post_form(editor_client, "/editor/users/new", {
        "email": "nowa@example.org", "role": "editor", "language": "pl",
        "password": "a long enough passphrase", "confirm-password": "a long enough passphrase"})
    assert response.status_code == 303
    assert accounts.find_user(db, "nowa@example.org").language == "pl"
    response = post_form(editor_client, "/editor/users/new", {
        "email": "other@example.org", "role": "editor", "language": "xx",
        "password": "a long enough passphrase", "confirm-password": "a long enough passphrase"})
    assert response.status_code == 400
    assert "Choose a language from the list" in response.get_data(as_text=True)
    assert accounts.find_user(db, "other@example.org") is None
