"""Organisations, hubs and pages in the editor's pages: the forms, the roles, the warning about other changes
under way, approving to the public site, hostile input; and the review dashboard's links and its protection
against overwriting a concurrent edit."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.editorial import audit, changes, reviews

from ..pages import get_page
from .changes_helpers import OWN, form_data, live_release
from .helpers import EMAILS, csrf_token, get_editor_page, post_form, sign_in
from .hostile import HOSTILE, assert_safe_html, hostile_site


@pytest.fixture
def client_for(workflow_app):
    def make(who: str):
        client = workflow_app.test_client()
        email = EMAILS.get(who) or f"{who.replace('_', '-')}@example.org"
        assert sign_in(client, email).status_code == 303
        return client
    return make


HUB_FORM = {"name": "West Hub", "address": "1 High Road", "postcode": "N17 6AA", "phone": "020 7946 0200",
            "email": "", "covers": "N17, N15 3", "wards": "Central", "opening-hours": "",
            "body": "About the hub."}
ORG_FORM = {"name": "Test Organisation", "website": "https://example.org", "phone": "", "email": "",
            "body": "A test organisation."}


def submit_form(client, url, data, action="submit"):
    response = post_form(client, url, {**data, "action": action})
    assert response.status_code == 303, response.get_data(as_text=True)[-1500:]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def approve(client, number):
    return post_form(client, f"/editor/changes/{number}/approve", page_url=f"/editor/changes/{number}")


def test_an_editor_changes_a_hub_and_once_approved_the_public_hub_page_shows_it(workflow_app, client_for):
    editor = client_for("editor")
    form = get_editor_page(editor, "/editor/hubs/west/edit")
    assert form.find("input", attrs={"name": "covers"})["value"] == "N17, N15 3"
    assert form.find("textarea", attrs={"name": "body"}).get_text().strip() == "About the hub."
    number = submit_form(editor, "/editor/hubs/west/edit",
                         {**HUB_FORM, "name": "West Family Hub", "body": "Drop in on **Fridays**."})
    page = get_editor_page(editor, f"/editor/changes/{number}")
    assert page.find("dt", string="Entry").find_next("dd").get_text(" ", strip=True) == "Hub west"
    assert approve(client_for("publisher"), number).status_code == 303
    public = get_page(workflow_app.test_client(), "/hubs/west")
    assert public.find("h1").get_text(strip=True) == "West Family Hub"
    assert public.find("strong", string="Fridays")
    history = get_editor_page(editor, "/editor/hubs/west/history")
    assert len(history.select("#versions tbody tr")) == 2
    published = get_editor_page(editor, f"/editor/changes/{number}")
    assert published.find("a", href="/hubs/west", string="The public page")


def test_a_new_page_is_added_through_review(workflow_app, client_for):
    editor = client_for("editor")
    number = submit_form(editor, "/editor/pages/new",
                         {"id": "contact-us", "title": "Contact us", "summary": "",
                          "body": "Call 020 7946 0100."})
    assert get_page(workflow_app.test_client(), "/pages/contact-us", status=404)
    assert approve(client_for("publisher"), number).status_code == 303
    assert get_page(workflow_app.test_client(), "/pages/contact-us").find("h1").get_text(strip=True) == \
        "Contact us"


def test_a_new_entry_needs_a_free_valid_id(client_for):
    editor = client_for("editor")
    for entry_id, message in (("west", "There is already a hub with this id"),
                              ("Not An Id", "The id must use only a to z")):
        response = post_form(editor, "/editor/hubs/new", {**HUB_FORM, "id": entry_id, "action": "save"})
        assert response.status_code == 400
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        assert message in soup.find(class_="error-summary").get_text()


def test_problems_show_beside_the_plain_forms_fields(client_for):
    response = post_form(client_for("editor"), "/editor/hubs/west/edit",
                         {**HUB_FORM, "postcode": "nowhere", "covers": "N22", "action": "submit"})
    assert response.status_code == 400
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert "'N22' is also covered by hub 'east'" in soup.find(id="covers-error").get_text()
    assert soup.find(id="postcode-error")
    assert soup.select_one(".error-summary a[href='#covers']")


def test_a_provider_edits_its_own_organisation_entry_only(client_for):
    provider = client_for("provider")
    listing = get_editor_page(provider, "/editor/organisations")
    assert [link["href"] for link in listing.select("tbody td:first-child a")] == \
        ["/editor/organisations/test-org/edit"]
    assert not listing.find("a", string="Add an organisation")
    number = submit_form(provider, "/editor/organisations/test-org/edit",
                         {**ORG_FORM, "name": "Test Org CIC"})
    assert approve(client_for("publisher"), number).status_code == 303
    for url in ("/editor/organisations/other-org/edit", "/editor/organisations/other-org/history",
                "/editor/organisations/new", "/editor/hubs", "/editor/hubs/west/edit", "/editor/pages",
                "/editor/pages/about/edit"):
        assert provider.get(url).status_code == 403, url
    token = csrf_token(provider, "/editor/organisations")
    response = provider.post("/editor/organisations/test-org/archive", data={"csrf_token": token})
    assert response.status_code == 403


def test_archiving_a_hub_in_use_is_kept_as_a_draft_with_the_services_named(client_for):
    editor = client_for("editor")
    response = post_form(editor, "/editor/hubs/west/archive", page_url="/editor/hubs/west/history")
    assert response.status_code == 303
    page = get_editor_page(editor, response.headers["Location"])
    assert page.find(id="change-status").get_text() == "Draft"
    assert "still used by 2 service(s)" in page.find(id="problems").get_text()
    edit = editor.get(response.headers["Location"] + "/edit")
    assert edit.status_code == 303  # nothing to edit in a removal


def test_the_edit_form_warns_of_changes_already_under_way_and_links_to_them(client_for):
    first = client_for("editor")
    number = submit_form(first, "/editor/hubs/west/edit", {**HUB_FORM, "name": "First"}, action="save")
    second = client_for("editor2")
    form = get_editor_page(second, "/editor/hubs/west/edit")
    notice = form.find(id="other-changes")
    assert notice and "Editor Person" in notice.get_text() and "Draft" in notice.get_text()
    assert notice.find("a", href=f"/editor/changes/{number}")
    # and for services, and on the change page of the second change
    service_number = submit_form(first, f"/editor/services/{OWN}/edit", form_data(title="One"))
    assert get_editor_page(second, f"/editor/services/{OWN}/edit").find(
        id="other-changes").find("a", href=f"/editor/changes/{service_number}")
    other = submit_form(second, f"/editor/services/{OWN}/edit", form_data(title="Two"), action="save")
    assert get_editor_page(second, f"/editor/changes/{other}").find(id="other-changes").find(
        "a", href=f"/editor/changes/{service_number}")
    # nobody else at work: no warning
    assert not get_editor_page(second, "/editor/pages/about/edit").find(id="other-changes")


def test_a_provider_is_told_of_changes_to_its_own_organisation_entry(client_for):
    submit_form(client_for("editor"), "/editor/organisations/other-org/edit", ORG_FORM, action="save")
    other_provider = client_for("other_provider")
    assert get_editor_page(other_provider, "/editor/organisations/other-org/edit").find(id="other-changes")
    # the editor's draft of test-org's services is not shown to other-org's provider: it cannot open test-org
    assert other_provider.get(f"/editor/services/{OWN}/edit").status_code == 403


# -- hostile input to the plain forms ----------------------------------------------------------------------

PLAIN_FIELDS = ["id", "name", "address", "postcode", "phone", "email", "covers", "wards", "opening-hours",
                "website", "title", "summary", "body", "base_sha256"]


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    with hostile_site(tmp_path_factory, "hostile-kinds", "/editor/hubs/new") as found:
        yield found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({name: HOSTILE for name in PLAIN_FIELDS}),
       action=st.sampled_from(["preview", "save", "submit"]),
       where=st.sampled_from(["/editor/hubs/new", "/editor/hubs/west/edit", "/editor/organisations/new",
                              "/editor/organisations/test-org/edit", "/editor/pages/new",
                              "/editor/pages/about/edit"]))
def test_hostile_input_to_the_plain_forms_never_gives_a_5xx_or_unsafe_html(hostile_client, values, action,
                                                                            where):
    client, token = hostile_client
    response = client.post(where, data={**values, "action": action, "csrf_token": token})
    assert response.status_code < 500, response.get_data(as_text=True)[-2000:]
    assert_safe_html(BeautifulSoup(response.get_data(as_text=True), "html.parser"))
    if response.status_code == 303:
        change = client.get(response.headers["Location"])
        assert change.status_code == 200
        assert "<script>alert" not in change.get_data(as_text=True)


# -- the review dashboard -----------------------------------------------------------------------------

def test_the_review_dashboard_links_to_the_editors_page_and_separately_to_the_public_page(client_for):
    soup = get_editor_page(client_for("editor"), "/editor/reviews")
    row = soup.find(id=f"review-{OWN}")
    links = [link["href"] for link in row.find_all("a")]
    assert links == [f"/editor/services/{OWN}/edit", f"/services/{OWN}"]


def test_confirming_an_entry_that_changed_since_the_page_was_shown_overwrites_nothing(
        client_for, workflow_site, db):
    content, index = workflow_site
    editor = client_for("editor")
    soup = get_editor_page(editor, "/editor/reviews")
    form = soup.find(id=f"review-{OWN}").find("form")
    seen = form.find("input", attrs={"name": "seen"})["value"]
    path = content / "services" / f"{OWN}.md"
    path.write_text(path.read_text().replace("title: Parenting group", "title: Published meanwhile"))
    edited, release = path.read_bytes(), live_release(index)
    token = form.find(attrs={"name": "csrf_token"})["value"]
    response = editor.post(form["action"], data={"csrf_token": token, "seen": seen, "organisation": ""})
    assert response.status_code == 409
    assert "has changed since this page was shown" in " ".join(response.get_data(as_text=True).split())
    assert path.read_bytes() == edited and live_release(index) == release
    assert audit.entries(db, action="review.confirmed") == []


def test_a_change_published_between_reading_and_the_lock_is_not_overwritten(workflow_site, db, monkeypatch):
    from app.content import load_content
    from app.editorial.publishing import Author

    content, index = workflow_site
    path = content / "services" / f"{OWN}.md"
    real = reviews.write_and_publish

    def someone_publishes_first(*args, **kwargs):
        # Another editor's change lands after "confirm" read the file and before it holds the lock.
        path.write_text(path.read_text().replace("title: Parenting group", "title: Their change"))
        return real(*args, **kwargs)

    monkeypatch.setattr(reviews, "write_and_publish", someone_publishes_first)
    loaded = load_content(content, today=changes.today())
    with pytest.raises(reviews.ReviewError) as refused:
        reviews.confirm_still_correct(db, loaded, index, OWN, author=Author("Ed", "editor@example.org"))
    assert refused.value.code == "changed"
    assert "title: Their change" in path.read_text()
