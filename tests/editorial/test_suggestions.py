"""Suggestions from the public: the report form (no cookie, honeypot, signed timestamp, rate limit) and
the editors' queue (scoped for providers, escaped, "mark as dealt with" audited)."""

from __future__ import annotations

import pytest
import yaml
from bs4 import BeautifulSoup
from itsdangerous import URLSafeTimedSerializer

from app import create_app
from app.config import TestingConfig
from app.editorial import audit, suggestions
from app.publishing.publish import publish

from ..factories import service, write_content
from ..pages import check_page_rules, get_page
from .helpers import EMAILS, get_editor_page, post_form, sign_in

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'


@pytest.fixture
def site(tmp_path, instance_dir, clock, accounts_by_role):
    content = write_content(tmp_path / "content", [
        service("parenting-group", title="Parenting group"),
        service("other-service", title="Other service", organisation="other-org"),
    ])
    text = yaml.safe_dump({"id": "other-org", "name": "Other Organisation", "website": "https://example.org"})
    (content / "organisations" / "other-org.md").write_text(f"---\n{text}---\nAbout.\n")
    publish(content, tmp_path / "search_index", processes=1)
    return create_app(TestingConfig(content, tmp_path / "search_index", instance_dir))


@pytest.fixture
def client(site):
    return site.test_client()


def form_token(client, service_id: str = "parenting-group") -> str:
    soup = get_page(client, f"/services/{service_id}/report")
    return soup.find("input", attrs={"name": "token"})["value"]


def report(client, clock, service_id: str = "parenting-group", wait: float = 5, token: str | None = None,
           **fields):
    """Fill in the form as a person does: open it, take a few seconds, send it."""
    token = form_token(client, service_id) if token is None else token
    clock.advance(seconds=wait)
    data = {"token": token, "message": "The phone number is wrong.", "email": "",
            suggestions.HONEYPOT_FIELD: ""} | fields
    return client.post(f"/services/{service_id}/report", data=data)


def error_text(response) -> str:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    check_page_rules(soup, "report")
    return soup.find(class_="error-summary").get_text(" ", strip=True)


def returned_token(response) -> str:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return soup.find("input", attrs={"name": "token"})["value"]


def stored(db) -> list[suggestions.Suggestion]:
    return suggestions.list_suggestions(db) + suggestions.list_suggestions(db, status=suggestions.DEALT_WITH)


def test_every_service_page_links_to_its_report_form(client):
    soup = get_page(client, "/services/parenting-group")
    link = soup.find("a", string="Report a problem with this page")
    assert link["href"] == "/services/parenting-group/report"


def test_the_report_form_works_without_cookies_or_script(client):
    response = client.get("/services/parenting-group/report")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    soup = get_page(client, "/services/parenting-group/report")
    form = soup.find("form", class_="report-form")
    assert form["method"] == "post" and form["action"] == "/services/parenting-group/report"
    assert form.find("textarea", attrs={"name": "message"})
    assert form.find("input", attrs={"name": "csrf_token"}) is None  # it would need a session
    trap = form.find("input", attrs={"name": suggestions.HONEYPOT_FIELD})
    assert "report-trap" in trap.find_parent("div")["class"]
    assert client.get("/services/nope/report").status_code == 404


def test_the_honeypot_is_hidden_by_the_stylesheet(client):
    soup = get_page(client, "/services/parenting-group/report")
    css = "".join(client.get(link["href"]).get_data(as_text=True)
                  for link in soup.find_all("link", rel="stylesheet"))
    assert ".report-trap { display: none; }" in css


def test_a_report_lands_in_the_queue_and_thanks_the_sender(client, clock, db):
    response = report(client, clock, message="  The phone number is wrong.\r\nIt rings out.  ",
                      email="parent@example.org")
    assert response.status_code == 303
    assert response.headers["Location"] == "/services/parenting-group/report/thanks"
    assert "Set-Cookie" not in response.headers
    thanks = client.get(response.headers["Location"])
    assert "Set-Cookie" not in thanks.headers
    soup = get_page(client, "/services/parenting-group/report/thanks")
    assert soup.find("h1").get_text() == "Thank you for your report"
    [suggestion] = stored(db)
    assert (suggestion.service_id, suggestion.service_title, suggestion.organisation) == (
        "parenting-group", "Parenting group", "test-org")
    assert suggestion.message == "The phone number is wrong.\nIt rings out."
    assert suggestion.email == "parent@example.org" and suggestion.status == "open"


@pytest.mark.parametrize("fields, message", [
    ({"message": "   "}, "Enter what is wrong with the page"),
    ({"message": "x" * 2001}, "What is wrong must be 2,000 characters or fewer"),
    ({"email": "not an email"}, "Enter an email address in the correct format"),
])
def test_the_fields_are_checked_and_what_was_typed_is_kept(client, clock, db, fields, message):
    response = report(client, clock, **fields)
    assert response.status_code == 400 and message in error_text(response)
    assert "Set-Cookie" not in response.headers
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.title.get_text().startswith("Error:")
    if "email" in fields:
        assert soup.find("input", attrs={"name": "email"})["value"] == "not an email"
        assert soup.find("textarea").get_text() == "The phone number is wrong."
    assert stored(db) == []


def test_a_filled_in_honeypot_is_refused_kindly(client, clock, db):
    response = report(client, clock, **{suggestions.HONEYPOT_FIELD: "http://spam.example"})
    assert response.status_code == 400
    assert "Sorry, we could not send your report" in error_text(response)
    assert stored(db) == []


def test_a_form_sent_within_three_seconds_is_refused_then_accepted_a_moment_later(client, clock, db):
    token = form_token(client)
    response = report(client, clock, token=token, wait=1)
    assert response.status_code == 400 and "quicker than we expected" in error_text(response)
    assert stored(db) == []
    # The form comes back with the same token, which is good once a few seconds have passed.
    assert returned_token(response) == token
    assert report(client, clock, token=token, wait=3).status_code == 303
    assert len(stored(db)) == 1


def test_a_form_older_than_two_hours_is_refused(client, clock, db):
    response = report(client, clock, wait=2 * 3600 + 1)
    assert response.status_code == 400 and "open for a long time" in error_text(response)
    assert stored(db) == []
    assert report(client, clock, token=returned_token(response)).status_code == 303


@pytest.mark.parametrize("forge", [
    lambda token: "",
    lambda token: "not-a-token",
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
    lambda token: URLSafeTimedSerializer("another-key", salt=suggestions.TOKEN_SALT).dumps("parenting-group"),
    lambda token: suggestions.form_token("test-secret-key", "other-service"),  # for another page
])
def test_a_missing_or_forged_token_is_refused(client, clock, db, forge):
    response = report(client, clock, token=forge(form_token(client)))
    assert response.status_code == 400
    assert "Sorry, we could not send your report" in error_text(response)
    assert stored(db) == []


def test_one_address_may_send_five_reports_an_hour(client, clock, db):
    for number in range(suggestions.RATE_LIMIT):
        assert report(client, clock, message=f"Report {number}").status_code == 303
    response = report(client, clock, message="One too many")
    assert response.status_code == 429
    assert "several reports in a short time" in error_text(response)
    assert len(stored(db)) == suggestions.RATE_LIMIT
    # An hour later the address may send again.
    clock.advance(hours=1)
    assert report(client, clock, message="An hour later").status_code == 303
    assert len(stored(db)) == suggestions.RATE_LIMIT + 1


def test_refused_attempts_count_towards_the_limit(client, clock, db):
    for _ in range(suggestions.RATE_LIMIT):
        assert report(client, clock, **{suggestions.HONEYPOT_FIELD: "spam"}).status_code == 400
    assert report(client, clock).status_code == 429
    assert stored(db) == []


def test_rate_limit_is_per_address(db, clock):
    for _ in range(suggestions.RATE_LIMIT):
        suggestions._note_attempt(db, "192.0.2.1", clock())
    assert suggestions.rate_limited(db, "192.0.2.1")
    assert not suggestions.rate_limited(db, "192.0.2.2")
    clock.advance(hours=1, seconds=1)
    assert not suggestions.rate_limited(db, "192.0.2.1")


def test_the_queue_shows_reports_as_text_and_providers_only_their_own(site, client, clock, db):
    assert report(client, clock, message=HOSTILE, email="a@example.org").status_code == 303
    assert report(client, clock, service_id="other-service", message="Other org's problem").status_code == 303

    editor = site.test_client()
    sign_in(editor, EMAILS["editor"])
    soup = get_editor_page(editor, "/editor/suggestions")
    texts = [text.get_text() for text in soup.find_all(class_="suggestion-text")]
    assert texts == [HOSTILE, "Other org's problem"]
    assert [script.get("src", "")[:15] for script in soup.find_all("script")] == ["/static/js/site"]
    assert not soup.find("img", src="x")
    assert soup.find("a", href="/services/parenting-group").get_text() == "Parenting group"
    assert soup.find("nav", class_="editor-nav").find("a", href="/editor/suggestions")

    provider = site.test_client()
    sign_in(provider, EMAILS["provider"])  # works for test-org
    soup = get_editor_page(provider, "/editor/suggestions")
    assert [text.get_text() for text in soup.find_all(class_="suggestion-text")] == [HOSTILE]


def test_marking_a_suggestion_dealt_with_is_audited(site, client, clock, db):
    report(client, clock, message="Wrong address")
    report(client, clock, service_id="other-service", message="Closed down")
    ours, theirs = suggestions.list_suggestions(db)

    provider = site.test_client()
    sign_in(provider, EMAILS["provider"])
    assert post_form(provider, f"/editor/suggestions/{theirs.id}/done",
                     page_url="/editor/suggestions").status_code == 403
    assert post_form(provider, "/editor/suggestions/999/done",
                     page_url="/editor/suggestions").status_code == 404
    response = post_form(provider, f"/editor/suggestions/{ours.id}/done", page_url="/editor/suggestions")
    assert response.status_code == 303 and response.headers["Location"] == "/editor/suggestions"

    done = suggestions.get_suggestion(db, ours.id)
    assert done.status == "dealt_with" and done.dealt_with_by == EMAILS["provider"]
    assert suggestions.get_suggestion(db, theirs.id).status == "open"
    [entry] = audit.entries(db, action="suggestion.dealt_with")
    assert (entry.actor, entry.subject, entry.details) == (EMAILS["provider"], "parenting-group",
                                                           {"suggestion": ours.id})

    soup = get_editor_page(provider, "/editor/suggestions")
    assert "Marked the suggestion about Parenting group as dealt with." in soup.get_text()
    assert soup.find_all(class_="suggestion-text") == []
    soup = get_editor_page(provider, "/editor/suggestions?show=dealt-with")
    assert [text.get_text() for text in soup.find_all(class_="suggestion-text")] == ["Wrong address"]

    # Twice is harmless and logged once.
    editor = site.test_client()
    sign_in(editor, EMAILS["editor"])
    assert post_form(editor, f"/editor/suggestions/{ours.id}/done",
                     page_url="/editor/suggestions").status_code == 303
    assert len(audit.entries(db, action="suggestion.dealt_with")) == 1
