"""Review dates: the dashboard's buckets and scoping, and "Confirmed still correct" (written, published,
audited; a failed publish changes nothing)."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from app import create_app
from app.config import TestingConfig
from app.content import load_content
from app.content.yamlfile import parse_front_matter
from app.editorial import audit, reviews
from app.publishing.publish import publish
from app.publishing.releases import ReleaseStore

from ..factories import service, write_content, write_service
from ..pages import get_page
from .helpers import EMAILS, get_editor_page, post_form, sign_in

TODAY = dt.date.today()


def ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


SERVICES = [
    service("overdue-group", title="Overdue group", last_reviewed=ago(400)),
    service("soon-group", title="Soon group", last_reviewed=ago(355)),
    service("later-group", title="Later group", last_reviewed=ago(30)),
    service("other-overdue", title="Other overdue", organisation="other-org", last_reviewed=ago(500)),
    service("other-later", title="Other later", organisation="other-org", last_reviewed=ago(10)),
    service("draft-group", title="Draft group", status="draft", last_reviewed=ago(600)),
]


def write_organisation(content, organisation_id: str, name: str) -> None:
    text = yaml.safe_dump({"id": organisation_id, "name": name, "website": "https://example.org"})
    (content / "organisations" / f"{organisation_id}.md").write_text(f"---\n{text}---\nAbout.\n")


@pytest.fixture
def site(tmp_path, accounts_by_role, instance_dir):
    """Two organisations' services, published; the app over them; one account per role."""
    content = write_content(tmp_path / "content", SERVICES,
                            bodies={"overdue-group": "## What happens\n\nWe meet."})
    write_organisation(content, "other-org", "Other Organisation")
    publish(content, tmp_path / "search_index", processes=1)
    app = create_app(TestingConfig(content, tmp_path / "search_index", instance_dir))
    return {"app": app, "content": content, "index": tmp_path / "search_index"}


def signed_in(site, role):
    client = site["app"].test_client()
    assert sign_in(client, EMAILS[role]).status_code == 303
    return client


def rows(soup, bucket: str) -> list[str]:
    section = soup.find(id=f"{bucket}-heading").find_parent("section")
    return [row["id"].removeprefix("review-") for row in section.select("tbody tr")]


def test_buckets_follow_the_due_date():
    assert reviews.bucket_for(None, TODAY) == reviews.OVERDUE
    assert reviews.bucket_for(TODAY - dt.timedelta(days=1), TODAY) == reviews.OVERDUE
    assert reviews.bucket_for(TODAY, TODAY) == reviews.SOON
    assert reviews.bucket_for(TODAY + dt.timedelta(days=30), TODAY) == reviews.SOON
    assert reviews.bucket_for(TODAY + dt.timedelta(days=31), TODAY) == reviews.LATER
    assert reviews.bucket_for(TODAY + dt.timedelta(days=31), TODAY, soon_days=60) == reviews.SOON


def test_review_items_are_the_published_services_soonest_first(site):
    content = load_content(site["content"], today=TODAY)
    items = reviews.review_items(content, TODAY)
    assert [item.id for item in items] == ["other-overdue", "overdue-group", "soon-group", "later-group",
                                           "other-later"]
    assert [item.bucket for item in items] == ["overdue", "overdue", "soon", "later", "later"]
    assert [item.id for item in reviews.review_items(content, TODAY, organisation="other-org")] == [
        "other-overdue", "other-later"]
    assert [item.id for item in reviews.due_items(content, TODAY, 0)] == ["other-overdue", "overdue-group"]


def test_the_dashboard_shows_every_published_service_in_its_bucket(site):
    client = signed_in(site, "editor")
    soup = get_editor_page(client, "/editor/reviews")
    assert rows(soup, "overdue") == ["other-overdue", "overdue-group"]
    assert rows(soup, "soon") == ["soon-group"]
    assert rows(soup, "later") == ["later-group", "other-later"]
    assert "Draft group" not in soup.get_text()
    assert "days overdue" in soup.find(id="review-overdue-group").get_text()
    # The dashboard is one of the editor's tools.
    assert soup.find("nav", class_="editor-nav").find("a", href="/editor/reviews")


def test_the_dashboard_filters_by_organisation(site):
    client = signed_in(site, "publisher")
    soup = get_editor_page(client, "/editor/reviews?organisation=other-org")
    assert rows(soup, "overdue") == ["other-overdue"]
    assert rows(soup, "soon") == []
    assert rows(soup, "later") == ["other-later"]
    # An unknown organisation is no filter at all.
    soup = get_editor_page(client, "/editor/reviews?organisation=nope")
    assert len(rows(soup, "overdue")) == 2


def test_a_provider_sees_only_its_own_organisations_services(site):
    client = signed_in(site, "provider")  # works for test-org
    for url in ("/editor/reviews", "/editor/reviews?organisation=other-org"):
        soup = get_editor_page(client, url)
        assert rows(soup, "overdue") == ["overdue-group"]
        assert rows(soup, "soon") == ["soon-group"]
        assert rows(soup, "later") == ["later-group"]
        assert soup.find("select", attrs={"name": "organisation"}) is None


def test_confirmed_still_correct_writes_todays_date_publishes_and_audits(site, db):
    client = signed_in(site, "editor")
    path = site["content"] / "services" / "overdue-group.md"
    before = parse_front_matter(path.read_text())
    release = ReleaseStore(site["index"]).current_id()

    response = post_form(client, "/editor/reviews/overdue-group/confirm", {"organisation": ""},
                         page_url="/editor/reviews")
    assert response.status_code == 303 and response.headers["Location"] == "/editor/reviews"

    after = parse_front_matter(path.read_text())
    assert after.data["last_reviewed"] == TODAY
    assert {key: value for key, value in after.data.items() if key != "last_reviewed"} == {
        key: value for key, value in before.data.items() if key != "last_reviewed"}
    assert after.body == before.body == "## What happens\n\nWe meet."
    assert ReleaseStore(site["index"]).current_id() != release

    due = reviews.next_due(load_content(site["content"]).services["overdue-group"], TODAY, 12)
    soup = get_editor_page(client, "/editor/reviews")
    notice = soup.find(class_="notice--success").get_text()
    assert "Overdue group" in notice and long_date(due) in notice
    assert "overdue-group" in rows(soup, "later")

    public = get_page(site["app"].test_client(), "/services/overdue-group")
    assert f"Last checked on {long_date(TODAY)}." in public.find(class_="service__checked").get_text()

    [entry] = audit.entries(db, action="review.confirmed")
    assert (entry.actor, entry.subject) == (EMAILS["editor"], "overdue-group")
    assert entry.details["last_reviewed"] == TODAY.isoformat() and entry.details["previous"] == ago(400)
    assert entry.details["due"] == due.isoformat()


def test_a_provider_may_confirm_its_own_services_only(site):
    client = signed_in(site, "provider")
    other = (site["content"] / "services" / "other-overdue.md").read_bytes()
    response = post_form(client, "/editor/reviews/other-overdue/confirm", page_url="/editor/reviews")
    assert response.status_code == 403
    assert (site["content"] / "services" / "other-overdue.md").read_bytes() == other
    response = post_form(client, "/editor/reviews/soon-group/confirm", page_url="/editor/reviews")
    assert response.status_code == 303
    assert load_content(site["content"]).services["soon-group"].last_reviewed == TODAY


def test_a_failed_publish_shows_the_errors_and_changes_nothing(site, db):
    client = signed_in(site, "editor")
    # Someone broke another entry on disk since the last publish: no publish can pass now.
    write_service(site["content"], service("broken", needs=["no-such-need"]))
    path = site["content"] / "services" / "overdue-group.md"
    original = path.read_bytes()
    release = ReleaseStore(site["index"]).current_id()

    response = post_form(client, "/editor/reviews/overdue-group/confirm", page_url="/editor/reviews")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "was not confirmed" in page and "unknown need &#39;no-such-need&#39;" in page
    assert path.read_bytes() == original
    assert ReleaseStore(site["index"]).current_id() == release
    assert audit.entries(db, action="review.confirmed") == []
    public = get_page(site["app"].test_client(), "/services/overdue-group")
    assert long_date(TODAY - dt.timedelta(days=400)) in public.find(class_="service__checked").get_text()


def test_confirming_needs_a_published_service_and_a_csrf_token(site):
    client = signed_in(site, "admin")
    assert post_form(client, "/editor/reviews/nope/confirm", page_url="/editor/reviews").status_code == 404
    assert post_form(client, "/editor/reviews/draft-group/confirm",
                     page_url="/editor/reviews").status_code == 404
    assert client.post("/editor/reviews/overdue-group/confirm").status_code == 400
    assert load_content(site["content"]).services["overdue-group"].last_reviewed.isoformat() == ago(400)


def test_confirmed_entry_keeps_every_field_and_the_body():
    text = ("---\nid: a\ntitle: 'Yes: a title'\nsummary: S.\nlast_reviewed: 2025-01-02\nreview_months: 6\n"
            "---\nBody line one.\n\nBody line two.\n")
    result = parse_front_matter(reviews.confirmed_entry(text, dt.date(2026, 3, 4)))
    assert result.data["title"] == "Yes: a title" and result.data["review_months"] == 6
    assert result.data["last_reviewed"] == dt.date(2026, 3, 4)
    assert result.body == "Body line one.\n\nBody line two."


def test_each_group_shows_its_count_and_pages_on_its_own(site):
    for number in range(57):
        write_service(site["content"], service(f"extra-{number:02d}", title=f"Extra {number:02d}",
                                               last_reviewed=ago(40 + number % 5)))
    client = signed_in(site, "editor")
    soup = get_editor_page(client, "/editor/reviews")
    assert soup.find(id="later-heading").get_text() == "Due later (59)"
    first = rows(soup, "later")
    assert len(first) == 50 and rows(soup, "overdue") == ["other-overdue", "overdue-group"]
    nav = soup.find(id="later-heading").find_parent("section").find("nav")
    assert "Page 1 of 2" in nav.get_text()
    following = nav.find("a", string="Next page")["href"]
    assert "later-page=2" in following
    soup = get_editor_page(client, following)
    second = rows(soup, "later")
    assert len(second) == 9 and not set(first) & set(second)
    assert rows(soup, "overdue") == ["other-overdue", "overdue-group"]  # the other groups stay on page 1
    # Together the pages are the dashboard's order, soonest due first.
    loaded = reviews.review_items(load_content(site["content"], today=TODAY), TODAY)
    assert first + second == [item.id for item in loaded if item.bucket == reviews.LATER]
    assert rows(get_editor_page(client, "/editor/reviews?later-page=99"), "later") == second
    assert rows(get_editor_page(client, "/editor/reviews?later-page=x"), "later") == first


def test_a_service_changed_behind_the_editors_back_shows_at_the_next_request(site):
    client = signed_in(site, "editor")
    assert rows(get_editor_page(client, "/editor/reviews"), "soon") == ["soon-group"]
    write_service(site["content"], service("pulled-in", title="Pulled in by git", last_reviewed=ago(350)))
    soup = get_editor_page(client, "/editor/reviews")
    assert rows(soup, "soon") == ["soon-group", "pulled-in"]
    listed = get_editor_page(client, "/editor/services?q=pulled")
    assert listed.find("a", string="Pulled in by git")
