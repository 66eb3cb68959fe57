"""The service form: every field of the format, the loader's rules shown beside each field and in the error
summary, the sanitised preview, and hostile input that never gives a 5xx or unsafe HTML."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.editorial import changes
from app.editorial.service_form import field_id_for, fields_from_form, form_from_fields
from app.publishing.releases import ReleaseStore

from .changes_helpers import OWN, form_data
from .helpers import EMAILS, get_editor_page, post_form, sign_in
from .hostile import HOSTILE, assert_safe_html, hostile_site

FULL = form_data(
    title="Incredible Years (3 to 6)", summary="A 14-week group for parents.", organisation="test-org",
    needs=["parenting", "money-debt"], **{"ages-min": "3", "ages-max": "6", "ages-pregnancy": "1"},
    levels=["2", "3"], hubs=["west", "east"], access=["self-referral", "drop-in"],
    **{"how-to-access": "Call the hub.", "contact-phone": "020 7946 0210", "contact-email": "iy@example.org",
       "contact-website": "https://example.org/iy", "contact-referral-form": "https://example.org/refer",
       "venue-0-name": "Brook Centre", "venue-0-address": "3 Brook Street", "venue-0-postcode": "n17 6bb",
       "venue-0-hub": "west", "venue-0-schedule": "Tuesdays 9:30", "venue-0-accessibility": "Step-free",
       "venue-0-hours": "Mon-Fri 09:00-17:00\r\n\r\n  Sat 10:00-12:00 ",
       "venue-2-name": "Library", "venue-2-address": "1 Library Way", "venue-2-postcode": "N22 1AA",
       "evidence-rating": "4+", "evidence-source": "Foundations Guidebook",
       "evidence-url": "https://example.org/evidence", "last-reviewed": "2026-08-01", "review-months": "6"},
    free="no", cost="£5 a session", delivery=["in-person", "online"], languages="EN, tr", interpreters="1",
    keywords="tantrums, behaviour course", status="published", body="## What happens\n\nWe meet weekly.")


@pytest.fixture
def editor(workflow_app):
    client = workflow_app.test_client()
    sign_in(client, EMAILS["editor"])
    return client


def errors_of(response) -> tuple[dict[str, str], dict[str, str]]:
    """(error summary: target -> text, messages beside fields: field id -> text)."""
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    summary = {a["href"].lstrip("#"): a.get_text(" ", strip=True) for a in soup.select(".error-summary a")}
    beside = {p["id"].removesuffix("-error"): p.get_text(" ", strip=True).removeprefix("Error: ")
              for p in soup.select("p.error-message[id]")}
    return summary, beside


def test_the_form_covers_every_field_of_the_format_and_round_trips(editor, workflow_app, workflow_site):
    content, index = workflow_site
    response = post_form(editor, f"/editor/services/{OWN}/edit", {**FULL, "action": "submit"})
    assert response.status_code == 303, errors_of(response)
    number = int(response.headers["Location"].rsplit("/", 1)[1])
    publisher = workflow_app.test_client()
    sign_in(publisher, EMAILS["publisher"])
    assert post_form(publisher, f"/editor/changes/{number}/approve",
                     page_url=f"/editor/changes/{number}").status_code == 303
    fields = changes.read_live(content, "service", OWN).fields
    assert fields == {
        "id": OWN, "title": "Incredible Years (3 to 6)", "summary": "A 14-week group for parents.",
        "organisation": "test-org", "needs": ["parenting", "money-debt"],
        "ages": {"min": 3, "max": 6, "pregnancy": True}, "levels": [2, 3], "hubs": ["west", "east"],
        "access": ["self-referral", "drop-in"], "how_to_access": "Call the hub.", "free": False,
        "cost": "£5 a session", "delivery": ["in-person", "online"], "languages": ["en", "tr"],
        "interpreters": True,
        "contact": {"phone": "020 7946 0210", "email": "iy@example.org", "website": "https://example.org/iy",
                    "referral_form": "https://example.org/refer"},
        "venues": [{"name": "Brook Centre", "address": "3 Brook Street", "postcode": "n17 6bb", "hub": "west",
                    "hours": ["Mon-Fri 09:00-17:00", "Sat 10:00-12:00"],
                    "schedule": "Tuesdays 9:30", "accessibility": "Step-free"},
                   {"name": "Library", "address": "1 Library Way", "postcode": "N22 1AA"}],
        "evidence": {"rating": "4+", "source": "Foundations Guidebook", "url": "https://example.org/evidence"},
        "keywords": ["tantrums", "behaviour course"], "status": "published", "last_reviewed": "2026-08-01",
        "review_months": 6}
    assert ReleaseStore(index).current_id()
    # And the form shows the live entry again, field by field.
    page = get_editor_page(editor, f"/editor/services/{OWN}/edit")
    assert page.find(id="title")["value"] == "Incredible Years (3 to 6)"
    assert page.find(id="ages-pregnancy").has_attr("checked")
    assert {box["value"] for box in page.select("input[name=needs][checked]")} == {"parenting", "money-debt"}
    assert {box["value"] for box in page.select("input[name=levels][checked]")} == {"2", "3"}
    assert page.find(id="free-no").has_attr("checked")
    assert page.find(id="languages")["value"] == "en, tr"
    assert page.find(id="venue-1-name")["value"] == "Library"
    assert page.find(id="venue-0-hours").get_text() == "Mon-Fri 09:00-17:00\nSat 10:00-12:00"
    assert page.find(id="venue-2-name")["value"] == ""  # always a spare row
    assert page.find(id="evidence-rating").find("option", selected=True)["value"] == "4+"
    assert page.find(id="body").get_text() == "## What happens\n\nWe meet weekly."


def test_problems_are_shown_beside_each_field_and_in_the_error_summary(editor, db):
    bad = {**form_data(), "action": "submit", "summary": "x" * 201, "needs": [], "ages-min": "six",
           "contact-phone": "", "contact-email": "not an email", "venue-1-name": "Hall",
           "venue-1-postcode": "NOPE", "venue-1-hours": "Mon-Fri 09:00-17:00\nMon 9-5",
           "languages": "english", "last-reviewed": "2026-13-45", "free": ""}
    response = post_form(editor, f"/editor/services/{OWN}/edit", bad)
    assert response.status_code == 400
    summary, beside = errors_of(response)
    expected = {
        "summary": "Summary: is 201 characters long; the limit is 200",
        "needs": "Needs is required",
        "ages-min": "Youngest age: must be a whole number from 0 to 99",
        "contact-email": "Email: 'not an email' is not an email address",
        "venue-1-postcode": "Venue 2: Postcode: 'NOPE' is not a UK postcode (e.g. N17 6BB)",
        "venue-1-hours": "Venue 2: Opening hours: 'Mon 9-5' is not days and times; write it like "
                         "'Mon-Fri 09:00-17:00' or 'Tue, Thu 15:00-20:00'",
        "languages": "Languages: 'english' is not a two-letter ISO 639-1 code",
        "last-reviewed": "Last reviewed: '2026-13-45' is not a date; write it as YYYY-MM-DD",
        "free": "Free is required",
    }
    for field, message in expected.items():
        assert summary.get(field) == message, (field, summary)
        assert beside.get(field) == message, (field, beside)
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.title.get_text().startswith("Error:")
    assert soup.find(id="summary").get_text() == "x" * 201  # what was typed is kept
    assert soup.find(id="venue-1-name")["value"] == "Hall"
    assert db.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == 0  # nothing saved


def test_a_draft_with_problems_is_saved_and_its_page_lists_them(editor):
    response = post_form(editor, f"/editor/services/{OWN}/edit",
                         {**form_data(), "action": "save", "contact-phone": "", "summary": ""})
    assert response.status_code == 303
    page = get_editor_page(editor, response.headers["Location"])
    problems = page.find(id="problems").get_text(" ", strip=True)
    assert "Summary is required" in problems
    assert "Contact: is required: give a phone, email, website or referral form" in problems
    edit = editor.get(response.headers["Location"] + "/edit")
    summary, _ = errors_of(edit)
    assert summary["summary"] == "Summary is required"


def test_a_new_service_needs_a_free_unused_id(editor):
    for value, message in (("", "Enter an id"), ("Bad Id!", "The id must use only"),
                           (OWN, "There is already a service with this id")):
        response = post_form(editor, "/editor/services/new", {**form_data(), "id": value, "action": "save"})
        assert response.status_code == 400
        summary, beside = errors_of(response)
        assert summary["id"].startswith(message) and beside["id"].startswith(message)
    response = post_form(editor, "/editor/services/new",
                         {**form_data(), "id": "brand-new", "action": "submit"})
    assert response.status_code == 303


def test_preview_shows_the_body_rendered_and_sanitised_without_saving(editor, db):
    body = ("## Heading\n\n**bold** [safe](https://example.org) [bad](javascript:alert(1))\n\n"
            "<script>alert(1)</script><img src=x onerror=alert(1)>")
    response = post_form(editor, f"/editor/services/{OWN}/edit", {**form_data(), "body": body,
                                                                  "action": "preview"})
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    preview = soup.find(class_="preview__body")
    assert preview.find("h2").get_text() == "Heading" and preview.find("strong").get_text() == "bold"
    assert [a.get("href") for a in preview.find_all("a")] == ["https://example.org", None]
    assert not preview.find("script") and not preview.find("img")
    assert soup.find(id="body").get_text() == body  # the text stays in the box, escaped
    assert db.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == 0
    summary, _ = errors_of(response)
    assert "unsafe link" in summary["body"]


def test_problem_fields_map_to_form_fields():
    assert field_id_for("contact.referral_form") == "contact-referral-form"
    assert field_id_for("venues[1].postcode", [0, 2]) == "venue-2-postcode"
    assert field_id_for("venues[0]", [1]) == "venue-1-name"
    assert field_id_for("needs[3]") == "needs"
    assert field_id_for("ages") == "ages-min"
    assert field_id_for("(file)") == "entry"
    assert field_id_for("how_to_access") == "how-to-access"


def test_borough_wide_and_blank_rows():
    class Form(dict):
        def getlist(self, name):
            value = self.get(name)
            return value if isinstance(value, list) else [value] if value else []
    parsed = fields_from_form(Form({**FULL, "hubs": [], "hubs-all": "1"}), OWN)
    assert parsed.fields["hubs"] == "all" and parsed.venue_rows == [0, 2]
    assert form_from_fields(parsed.fields, parsed.body)["hubs-all"] is True


# -- hostile input -------------------------------------------------------------------------------------

TEXT_FIELDS = ["id", "title", "summary", "organisation", "ages-min", "ages-max", "how-to-access", "free",
               "cost", "languages", "contact-phone", "contact-email", "contact-website",
               "contact-referral-form",
               "evidence-rating", "evidence-source", "evidence-url", "keywords", "status", "last-reviewed",
               "review-months", "body", "venue-0-name", "venue-0-postcode", "venue-0-hub", "venue-1-schedule",
               "venue-49-name", "hubs-all", "ages-pregnancy", "interpreters", "base_sha256"]
LIST_FIELDS = ["needs", "levels", "hubs", "access", "delivery"]


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    with hostile_site(tmp_path_factory, "hostile", "/editor/services/new") as found:
        yield found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({name: HOSTILE for name in TEXT_FIELDS}),
       lists=st.fixed_dictionaries({name: st.lists(HOSTILE, max_size=3) for name in LIST_FIELDS}),
       action=st.sampled_from(["preview", "save", "submit", "anything"]),
       where=st.sampled_from(["/editor/services/new", f"/editor/services/{OWN}/edit"]))
def test_hostile_form_input_never_gives_a_5xx_or_unsafe_html_in_the_preview(hostile_client, values, lists,
                                                                             action, where):
    client, token = hostile_client
    response = client.post(where, data={**values, **lists, "action": action, "csrf_token": token})
    assert response.status_code < 500, response.get_data(as_text=True)[-2000:]
    if response.status_code == 200 and action == "preview":
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        preview = soup.find(class_="preview__body")
        assert preview is not None
        # The preview is sanitised, and everything the visitor typed is escaped everywhere else on the page.
        assert_safe_html(soup)
    if response.status_code == 303:  # a saved change shows on its page without a 5xx either
        assert client.get(response.headers["Location"]).status_code == 200
