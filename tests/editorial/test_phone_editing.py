"""Editing on a phone, without a browser: the diff of one venue's hours, the service form's sections and
what it changes, ``/editor/<kind>/<id>``, and the Edit link on public service pages, which must never
reach the public through the page cache or any HTTP cache."""

from __future__ import annotations

from bs4 import BeautifulSoup

from app import create_app
from app.config import TestingConfig
from app.content.writing import SERVICE_ORDER
from app.editorial import diffs
from app.editorial.service_form import section_of, section_of_field_id

from ..factories import _front_matter_file, service
from .changes_helpers import OTHER, OWN, form_data, publish_folder
from .helpers import EMAILS, get_editor_page, post_form, sign_in

BROOK = {"name": "Brook Children's Centre", "address": "3 Brook Street", "postcode": "N17 6BB", "hub": "west",
         "hours": ["Mon-Fri 09:00-17:00"]}
LIBRARY = {"name": "Central Library", "address": "1 High Road", "postcode": "N17 6AA",
           "hours": ["Sat 10:00-12:00"]}


def signed_in(app, who: str):
    client = app.test_client()
    email = EMAILS.get(who) or {"other_provider": "other-provider@example.org"}[who]
    assert sign_in(client, email).status_code == 303
    return client


def with_venues(workflow_site) -> None:
    """OWN, live and published, with two venues."""
    content, index = workflow_site
    _front_matter_file(content / "services" / f"{OWN}.md",
                       service(OWN, title="Parenting group", venues=[BROOK, LIBRARY]), "What happens.")
    publish_folder(content, index)


def live_form(client, service_id: str = OWN, **overrides) -> dict:
    """The edit form's fields as a browser posts them unchanged, then ``overrides``."""
    form = BeautifulSoup(client.get(f"/editor/services/{service_id}/edit").get_data(as_text=True),
                         "html.parser").find("form", id="entry")
    data: dict[str, list[str]] = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or name == "csrf_token" or (field.get("type") in ("checkbox", "radio")
                                                 and not field.has_attr("checked")):
            continue
        if field.name == "textarea":
            value = field.get_text().removeprefix("\n")
        elif field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            value = chosen.get("value", "") if chosen else ""
        else:
            value = field.get("value", "")
        data.setdefault(name, []).append(value)
    data.update({name: value if isinstance(value, list) else [value] for name, value in overrides.items()})
    return data


def venue_rows(venues: list[dict]) -> dict:
    data = {}
    for row, venue in enumerate(venues):
        for key in ("name", "address", "postcode", "hub", "schedule", "accessibility"):
            data[f"venue-{row}-{key}"] = venue.get(key, "")
        data[f"venue-{row}-hours"] = "\n".join(venue.get("hours", []))
    return data


# -- the diff, item by item -----------------------------------------------------------------------------

def test_one_venues_new_hours_are_one_row_not_the_whole_list_struck_out():
    old = {"id": "x", "venues": [BROOK, LIBRARY], "contact": {"phone": "020 7946 0210"}}
    new = {"id": "x", "venues": [{**BROOK, "hours": ["Mon-Fri 09:00-16:00"]}, LIBRARY],
           "contact": {"phone": "020 7946 0210", "email": "a@example.org"}}
    rows = diffs.diff(old, "", new, "").fields
    assert [(row.field, row.index, row.item, row.key, row.old, row.new) for row in rows] == [
        ("contact", None, "", "email", None, "a@example.org"),  # in the order of the format
        ("venues", 1, "Brook Children's Centre", "hours", ["Mon-Fri 09:00-17:00"], ["Mon-Fri 09:00-16:00"]),
    ]


def test_venues_added_removed_and_renamed_are_told_apart():
    hall = {"name": "Village Hall", "postcode": "N22 1AA"}
    old = {"venues": [BROOK, LIBRARY]}
    # Brook renamed where it was: one row, its name.
    renamed = diffs.diff(old, "", {"venues": [{**BROOK, "name": "Brook Family Hub"}, LIBRARY]}, "").fields
    assert [(row.index, row.item, row.key, row.old, row.new) for row in renamed] == [
        (1, "Brook Family Hub", "name", "Brook Children's Centre", "Brook Family Hub")]
    removed = diffs.diff({"venues": [BROOK, LIBRARY]}, "", {"venues": [LIBRARY]}, "").fields
    assert [(row.index, row.item, row.key, row.new) for row in removed] == [(1, BROOK["name"], None, None)]
    added = diffs.diff({"venues": [BROOK]}, "", {"venues": [BROOK, hall]}, "").fields
    assert [(row.index, row.item, row.key, row.old) for row in added] == [(2, "Village Hall", None, None)]


def test_the_change_page_shows_one_venues_hours_as_that_change(workflow_app, workflow_site):
    with_venues(workflow_site)
    editor = signed_in(workflow_app, "editor")
    new_hours = {**BROOK, "hours": ["Mon-Fri 09:00-16:00"]}
    data = live_form(editor, action="save", **venue_rows([new_hours, LIBRARY]))
    response = post_form(editor, f"/editor/services/{OWN}/edit", data)
    assert response.status_code == 303, response.get_data(as_text=True)[-1500:]
    page = get_editor_page(editor, response.headers["Location"])
    table = page.find("table", class_="diff-table")
    assert [group.find("tr").get_text(strip=True) for group in table.find_all("tbody")] == \
        ["Venues and opening hours"]  # grouped under the form's sections
    rows = table.select("tbody tr:not(.diff-table__section)")
    assert len(rows) == 1
    label = rows[0].find("th")
    assert " ".join(label.get_text().split()) == "Venue 1 (Brook Children's Centre) · Opening hours"
    assert "diff-table__field" in label["class"]
    assert rows[0].find("del").get_text() == "Mon-Fri 09:00-17:00"
    assert rows[0].find("ins").get_text() == "Mon-Fri 09:00-16:00"
    assert "Central Library" not in page.find("table", class_="diff-table").get_text()


# -- the form's sections and what it changes ------------------------------------------------------------

def test_the_form_starts_with_every_section_closed_and_a_list_of_them(workflow_app):
    editor = signed_in(workflow_app, "editor")
    page = get_editor_page(editor, f"/editor/services/{OWN}/edit")
    sections = page.find_all("details", class_="form-section")
    assert [section["id"] for section in sections] == [
        "section-about", "section-who", "section-access", "section-cost", "section-contact", "section-venues",
        "section-evidence", "section-review"]
    assert not any(section.has_attr("open") for section in sections)
    assert [link["href"] for link in page.select(".form-contents a")] == \
        [f"#{section['id']}" for section in sections] + ["#what-you-changed"]
    # Every field is still in the form (a closed section posts its fields), each in one section.
    assert page.find(id="venue-0-hours").find_parent("details")["id"] == "section-venues"
    assert page.find(id="contact-phone").find_parent("details")["id"] == "section-contact"
    assert "Nothing yet" in page.find(id="what-you-changed").get_text()


def test_every_field_is_in_the_section_that_counts_its_errors_and_changes(workflow_app):
    for name in SERVICE_ORDER:
        assert section_of(name), f"{name} is in no section of the service form (SECTIONS)"
    editor = signed_in(workflow_app, "editor")
    page = get_editor_page(editor, "/editor/services/new")
    controls = page.find("form", id="entry").find_all(["input", "textarea", "select"])
    checked = 0
    for control in controls:
        if control.get("type") == "hidden" or not control.get("id"):
            continue
        # Checkbox and radio groups: the first one's id is the field's; the others are name-something.
        field_id = control["id"] if control.get("type") not in ("checkbox", "radio") else control["name"]
        assert control.find_parent("details")["id"] == f"section-{section_of_field_id(field_id)}", field_id
        checked += 1
    assert checked > 40


def test_a_new_service_opens_every_section(workflow_app):
    editor = signed_in(workflow_app, "editor")
    page = get_editor_page(editor, "/editor/services/new")
    sections = page.find_all("details", class_="form-section")
    assert len(sections) == 8 and all(section.has_attr("open") for section in sections)
    assert page.find(id="what-you-changed") is None


def test_errors_open_their_sections_and_what_you_changed_lists_the_changes_by_section(workflow_app,
                                                                                      workflow_site):
    with_venues(workflow_site)
    editor = signed_in(workflow_app, "editor")
    data = form_data(action="submit", summary="", title="Parenting group on Tuesdays",
                     **venue_rows([{**BROOK, "hours": ["Mon-Fri 09:00-16:00"]}, LIBRARY]))
    response = post_form(editor, f"/editor/services/{OWN}/edit", data)
    assert response.status_code == 400
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.select_one(".error-summary a[href='#summary']")
    opened = [section["id"] for section in page.find_all("details", class_="form-section")
              if section.has_attr("open")]
    assert opened == ["section-about", "section-venues"]  # the error and the changes; nothing else
    about = page.find(id="section-about").find("summary").get_text(" ", strip=True)
    assert "1 problem" in about and "2 changes" in about
    changed = page.find(id="what-you-changed")
    assert [h3.get_text(strip=True) for h3 in changed.find_all("h3")] == ["About the service",
                                                                          "Venues and opening hours"]
    rows = [" ".join(row.get_text(" ", strip=True).split())
            for row in changed.select(".changes-summary__row")]
    assert rows == [
        "Title Parenting group → changed to Parenting group on Tuesdays",
        "Summary About parenting-group. → changed to (empty)",
        "Venue 1 (Brook Children's Centre) · Opening hours Mon-Fri 09:00-17:00 → changed to "
        "Mon-Fri 09:00-16:00",
    ]


def test_a_draft_opens_on_the_sections_it_changes(workflow_app):
    editor = signed_in(workflow_app, "editor")
    response = post_form(editor, f"/editor/services/{OWN}/edit",
                         live_form(editor, action="save", **{"contact-email": "group@example.org"}))
    page = get_editor_page(editor, response.headers["Location"] + "/edit")
    opened = [section["id"] for section in page.find_all("details", class_="form-section")
              if section.has_attr("open")]
    assert opened == ["section-contact"]
    assert "Contact · Email" in page.find(id="what-you-changed").get_text()


# -- /editor/<kind>/<id> ----------------------------------------------------------------------------------

def test_editor_services_id_opens_the_entrys_form(workflow_app):
    editor = signed_in(workflow_app, "editor")
    response = editor.get(f"/editor/services/{OWN}")
    assert response.status_code == 303 and response.headers["Location"] == f"/editor/services/{OWN}/edit"
    assert response.headers["Cache-Control"] == "no-store"
    assert editor.get("/editor/services/no-such-service").status_code == 404
    assert editor.get("/editor/services/Not%20an%20id").status_code == 404
    assert editor.get("/editor/hubs/west").headers["Location"] == "/editor/hubs/west/edit"
    assert editor.get("/editor/organisations/test-org").headers["Location"] == \
        "/editor/organisations/test-org/edit"
    assert editor.get("/editor/services/new").status_code == 200  # still the new-service form


def test_editor_services_id_is_guarded(workflow_app):
    signed_out = workflow_app.test_client().get(f"/editor/services/{OWN}")
    assert signed_out.status_code == 303 and signed_out.headers["Location"].startswith("/editor/sign-in")
    provider = signed_in(workflow_app, "provider")  # of test-org
    assert provider.get(f"/editor/services/{OWN}").status_code == 303
    assert provider.get(f"/editor/services/{OTHER}").status_code == 403
    assert provider.get("/editor/hubs/west").status_code == 403
    assert signed_in(workflow_app, "analyst").get(f"/editor/services/{OWN}").status_code == 403


# -- the Edit link on public service pages, and caching ---------------------------------------------------

EDIT = "Edit this service"


def test_the_edit_link_is_for_editors_only_and_never_cached_for_the_public(workflow_app):
    public = workflow_app.test_client()
    editor = signed_in(workflow_app, "editor")
    url = f"/services/{OWN}"

    first = public.get(url)
    assert EDIT not in first.get_data(as_text=True)
    assert first.headers["Cache-Control"].startswith("public")
    public_etag = first.headers["ETag"]

    mine = editor.get(url)
    html = mine.get_data(as_text=True)
    assert EDIT in html and f'href="/editor/services/{OWN}"' in html
    assert mine.headers["Cache-Control"] == "private, no-store"
    assert mine.headers.get("ETag") != public_etag and "ETag" not in mine.headers
    assert "Set-Cookie" not in mine.headers and "Cookie" not in mine.vary
    # The editor's browser still holds the public copy's ETag: it gets its own page, not a 304.
    again = editor.get(url, headers={"If-None-Match": public_etag})
    assert again.status_code == 200 and EDIT in again.get_data(as_text=True)

    after = public.get(url)
    assert EDIT not in after.get_data(as_text=True)
    assert after.headers["ETag"] == public_etag and after.headers["Cache-Control"].startswith("public")
    assert public.get(url, headers={"If-None-Match": public_etag}).status_code == 304


def test_an_editors_page_first_is_not_kept_for_the_public(workflow_site, instance_dir, workflow_users):
    content, index = workflow_site
    app = create_app(TestingConfig(content, index, instance_dir))  # nothing kept yet
    editor = signed_in(app, "editor")
    assert EDIT in editor.get(f"/services/{OWN}").get_data(as_text=True)
    kept = app.extensions["rendered_pages"]._entries.values()
    assert not any(EDIT in getattr(value, "text", "") for value, _cost in kept)
    public = app.test_client().get(f"/services/{OWN}")
    assert EDIT not in public.get_data(as_text=True) and public.headers["Cache-Control"].startswith("public")
    assert public.headers["ETag"]


def test_the_edit_link_follows_who_may_change_the_service(workflow_app):
    provider = signed_in(workflow_app, "provider")  # of test-org: OWN is theirs, OTHER is not
    assert EDIT in provider.get(f"/services/{OWN}").get_data(as_text=True)
    other = provider.get(f"/services/{OTHER}")
    assert EDIT not in other.get_data(as_text=True) and other.headers["Cache-Control"].startswith("public")
    analyst = signed_in(workflow_app, "analyst")
    assert EDIT not in analyst.get(f"/services/{OWN}").get_data(as_text=True)
    stranger = workflow_app.test_client()
    stranger.set_cookie("earlyhelp_editor", "not-a-signed-session")
    response = stranger.get(f"/services/{OWN}")
    assert response.status_code == 200 and EDIT not in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers


def test_after_signing_out_the_public_page_again(workflow_app):
    editor = signed_in(workflow_app, "editor")
    assert EDIT in editor.get(f"/services/{OWN}").get_data(as_text=True)
    post_form(editor, "/editor/sign-out", page_url="/editor/")
    response = editor.get(f"/services/{OWN}")
    assert EDIT not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"].startswith("public")
