"""The site settings for admins (/editor/settings): the form over content/site.yml, the rules of ``earlyhelp
check`` beside each field, saving that publishes at once, a failed publish and a concurrent change that leave
everything as it was, history and loading an earlier version, the audit log, the roles, hostile input."""

from __future__ import annotations

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.content.writing import render_site, site_problems
from app.editorial import audit
from app.editorial import settings as site_settings

from ..factories import service
from .changes_helpers import live_release
from .helpers import EMAILS, csrf_token, get_editor_page, post_form, sign_in
from .hostile import HOSTILE, assert_safe_html, hostile_site

# content/site.yml as the project writes it today: this is the layout and order saving must keep.
TODAY_FORMAT = """\
name: Testshire Early Help Directory
council: Testshire Council
default_language: en
languages: [en, pl]
front_door:
  name: Children's Front Door (MASH)
  phone: 020 7946 0100
  email: frontdoor@example.org
  website: https://example.org/worried-about-a-child
emergency: If a child is in immediate danger, call 999.
quick_exit_url: https://www.bbc.co.uk/weather
review_months: 12
"""
FORM = {"name": "Testshire Early Help Directory", "council": "Testshire Council",
        "front-door-name": "Children's Front Door (MASH)", "front-door-phone": "020 7946 0100",
        "front-door-email": "frontdoor@example.org",
        "front-door-website": "https://example.org/worried-about-a-child",
        "emergency": "If a child is in immediate danger, call 999.",
        "quick-exit-url": "https://www.bbc.co.uk/weather", "review-months": "12", "languages": ["en", "pl"],
        "default-language": "en"}


@pytest.fixture
def site(workflow_site):
    """(content, index) with site.yml in today's format, published."""
    content, index = workflow_site
    (content / "site.yml").write_text(TODAY_FORMAT, encoding="utf-8")
    from .changes_helpers import publish_folder
    publish_folder(content, index)
    return content, index


@pytest.fixture
def admin(workflow_app, site):
    client = workflow_app.test_client()
    assert sign_in(client, EMAILS["admin"]).status_code == 303
    return client


def save(client, action="save", **changes):
    return post_form(client, "/editor/settings", {**FORM, **changes, "action": action})


def errors_of(response) -> tuple[dict[str, str], dict[str, str]]:
    """(error summary: target -> text, messages beside fields: field id -> text)."""
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    summary = {a["href"].lstrip("#"): a.get_text(" ", strip=True) for a in soup.select(".error-summary a")}
    beside = {p["id"].removesuffix("-error"): p.get_text(" ", strip=True).removeprefix("Error: ")
              for p in soup.select("p.error-message[id]")}
    return summary, beside


def words(response) -> str:
    return " ".join(BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text(" ").split())


# -- writing the file ------------------------------------------------------------------------------------

def test_the_file_is_written_in_todays_order_and_layout_and_keeps_fields_it_does_not_know():
    data = yaml.safe_load(TODAY_FORMAT)
    assert render_site(data) == TODAY_FORMAT
    shuffled = dict(reversed(list(data.items())))
    assert render_site(shuffled) == TODAY_FORMAT
    newer = {**data, "analytics": {"enabled": False}, "front_door": {**data["front_door"], "text": "24h"}}
    form = {key: value for key, value in FORM.items() if key != "languages"}

    class Posted(dict):
        def getlist(self, name):
            return FORM["languages"] if name == "languages" else []

    written = render_site(site_settings.data_from_form(Posted(form, name="Renamed"), newer))
    assert yaml.safe_load(written)["analytics"] == {"enabled": False}
    assert yaml.safe_load(written)["front_door"]["text"] == "24h"
    assert written.startswith("name: Renamed\ncouncil:") and written.index("review_months") < written.index(
        "analytics")
    assert sorted(problem.field for problem in site_problems(written)) == ["analytics", "front_door.text"]


def test_site_problems_are_those_of_earlyhelp_check(tmp_path):
    from app.content import load_content

    from ..factories import write_content

    root = write_content(tmp_path / "content")
    bad = TODAY_FORMAT.replace("phone: 020 7946 0100", "phone: call us").replace("[en, pl]", "[en, english]")
    (root / "site.yml").write_text(bad, encoding="utf-8")
    checked = {(problem.field, problem.message) for problem in load_content(root).problems
               if problem.path.endswith("site.yml") and problem.is_error}
    assert checked == {(problem.field, problem.message) for problem in site_problems(bad)}
    assert {field for field, _ in checked} == {"front_door.phone", "languages[1]"}


# -- the page and saving ----------------------------------------------------------------------------------

def test_the_form_is_filled_from_site_yml_and_names_the_languages_with_a_catalogue(admin):
    soup = get_editor_page(admin, "/editor/settings")
    form = soup.find("form", id="site-settings")
    assert form.find("input", attrs={"name": "csrf_token"})["value"]
    for name, value in FORM.items():
        if name == "languages":
            assert [box["value"] for box in form.select("input[name=languages][checked]")] == value
        elif name == "default-language":
            assert form.find("select", id=name).find("option", selected=True)["value"] == value
        else:
            assert form.find(id=name)["value"] == value, name
    offered = [box["value"] for box in form.select("input[name=languages]")]
    assert offered[:2] == ["en", "pl"] and {"ar", "bn", "so", "ur"} <= set(offered)
    assert "Languages with an interface: ar, bn, en, es, pl, pt, ro, so, tr, ur." in soup.get_text()
    assert soup.find("label", attrs={"for": "languages-2"}).get_text() == "Polish (polski), pl"


def test_posting_the_form_unchanged_writes_nothing(admin, site):
    content, index = site
    release = live_release(index)
    response = save(admin)
    assert response.status_code == 303
    assert "Nothing has changed" in words(admin.get("/editor/settings"))
    assert (content / "site.yml").read_text() == TODAY_FORMAT and live_release(index) == release


def test_an_admin_saves_the_settings_and_the_public_site_shows_them_at_once(admin, site, db):
    content, index = site
    release = live_release(index)
    response = save(admin, **{"front-door-name": "Family Front Door", "front-door-phone": "020 7946 0999",
                              "languages": ["en", "pl", "so"], "review-months": "6"})
    assert response.status_code == 303 and response.headers["Location"] == "/editor/settings"
    assert "Saved the site settings" in words(admin.get("/editor/settings"))
    assert (content / "site.yml").read_text() == (
        TODAY_FORMAT.replace("[en, pl]", "[en, pl, so]").replace("(MASH)", "").replace(
            "Children's Front Door ", "Family Front Door").replace("0100", "0999").replace(": 12", ": 6"))
    assert live_release(index) != release
    home = words(admin.get("/"))
    assert "Family Front Door" in home and "020 7946 0999" in home
    logged = audit.entries(db, action="settings.changed")
    assert len(logged) == 1 and logged[0].actor == EMAILS["admin"] and logged[0].subject == "site.yml"
    assert logged[0].details["fields"] == ["languages", "front_door.name", "front_door.phone",
                                           "review_months"]
    assert logged[0].details["release"] == live_release(index)


def test_preview_shows_the_changes_to_the_file_without_saving(admin, site):
    content, _ = site
    response = save(admin, "preview", council="Testshire County Council")
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert [line.get_text() for line in soup.select("#preview del, #preview ins")] == [
        "-council: Testshire Council", "+council: Testshire County Council"]
    assert soup.find(id="council")["value"] == "Testshire County Council"
    assert (content / "site.yml").read_text() == TODAY_FORMAT


def test_problems_are_shown_beside_each_field_and_in_the_summary_and_nothing_is_written(admin, site, db):
    content, index = site
    release = live_release(index)
    response = save(admin, name="", **{"front-door-phone": "ring us", "quick-exit-url": "http://example.org",
                                       "review-months": "100", "languages": ["en", "de"],
                                       "default-language": "fr", "emergency": "<b>Call 999</b>"})
    assert response.status_code == 400
    summary, beside = errors_of(response)
    assert list(summary) == ["name", "front-door-phone", "emergency", "quick-exit-url", "review-months",
                             "languages", "default-language"]
    assert summary == beside
    assert beside["name"] == "Name of the directory is required"
    assert beside["front-door-phone"].startswith("Front door: phone: 'ring us' is not a phone number")
    assert beside["quick-exit-url"] == "Quick exit address: must start with https://"
    assert beside["review-months"] == "Review entries every (months): 100 is out of range; use 1 to 60"
    assert "'de' has no interface catalogue in translations/ (there are: ar, bn, en" in beside["languages"]
    assert beside["default-language"] == "Default language: must be one of the offered languages"
    assert "without HTML tags" in beside["emergency"]
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.title.get_text().startswith("Error: ")
    assert soup.find(id="front-door-phone")["value"] == "ring us"  # what was typed stays in the form
    assert (content / "site.yml").read_text() == TODAY_FORMAT and live_release(index) == release
    assert audit.entries(db, action="settings.changed") == []


def test_a_field_the_form_does_not_show_is_reported_not_dropped(admin, site):
    content, _ = site
    (content / "site.yml").write_text(TODAY_FORMAT + "colour: teal\n", encoding="utf-8")
    response = save(admin, council="Renamed Council")
    assert response.status_code == 400
    summary, _ = errors_of(response)
    assert summary == {"settings": "colour: unknown field (check the spelling)"}
    assert (content / "site.yml").read_text().endswith("colour: teal\n")


def test_a_failed_publish_leaves_the_file_and_the_live_release_as_they_were(admin, site, db):
    content, index = site
    token = csrf_token(admin, "/editor/settings")
    # A broken service lands in the folder by hand: the publish that saving runs must fail on it.
    bad = service("broken-service", needs=["no-such-need"])
    from ..factories import _front_matter_file
    _front_matter_file(content / "services" / "broken-service.md", bad, "Broken.")
    before, release = (content / "site.yml").read_bytes(), live_release(index)
    response = admin.post("/editor/settings", data={**FORM, "council": "Renamed Council", "action": "save",
                                                    "csrf_token": token})
    assert response.status_code == 409
    page = words(response)
    assert "Publishing failed, so nothing has changed" in page and "no-such-need" in page
    assert (content / "site.yml").read_bytes() == before and live_release(index) == release
    assert BeautifulSoup(response.get_data(as_text=True), "html.parser").find(id="council")["value"] == \
        "Renamed Council"
    failed = audit.entries(db, action="settings.publish_failed")
    assert len(failed) == 1 and failed[0].details["fields"] == ["council"]
    assert audit.entries(db, action="settings.changed") == []
    assert site_settings.read_live(content).text == TODAY_FORMAT
    from app.editorial import changes
    assert changes.versions(db, site_settings.HISTORY_KIND, site_settings.HISTORY_ID) == []


def test_a_change_made_since_the_form_was_shown_is_not_overwritten(admin, site, db):
    content, index = site
    soup = get_editor_page(admin, "/editor/settings")
    base = soup.find("input", attrs={"name": "base_sha256"})["value"]
    token = soup.find("input", attrs={"name": "csrf_token"})["value"]
    theirs = TODAY_FORMAT.replace("Testshire Council", "Their Council")
    (content / "site.yml").write_text(theirs, encoding="utf-8")  # someone else, meanwhile
    release = live_release(index)
    response = admin.post("/editor/settings", data={**FORM, "name": "My name", "action": "save",
                                                    "base_sha256": base, "csrf_token": token})
    assert response.status_code == 409
    assert (content / "site.yml").read_text() == theirs and live_release(index) == release
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    conflict = page.find(id="conflict")
    assert "Someone else changed the settings since you opened this page" in conflict.get_text()
    assert [line.get_text() for line in conflict.select("del, ins")] == [
        "-name: Testshire Early Help Directory", "-council: Their Council", "+name: My name",
        "+council: Testshire Council"]
    assert len(audit.entries(db, action="settings.conflict")) == 1
    # Saving again, having seen their change, is deliberate: the form now starts from the live file.
    new_base = page.find("input", attrs={"name": "base_sha256"})["value"]
    assert new_base == site_settings.read_live(content).sha256 != base
    again = admin.post("/editor/settings", data={**FORM, "name": "My name", "council": "Their Council",
                                                 "action": "save", "base_sha256": new_base,
                                                 "csrf_token": token})
    assert again.status_code == 303
    assert yaml.safe_load((content / "site.yml").read_text())["council"] == "Their Council"


def test_history_keeps_every_version_and_an_earlier_one_can_be_loaded_and_saved_again(admin, site, db):
    content, _ = site
    assert save(admin, council="Second Council").status_code == 303
    assert save(admin, council="Third Council").status_code == 303
    soup = get_editor_page(admin, "/editor/settings/history")
    versions = soup.select("#versions > li")
    assert len(versions) == 3  # the hand-written file, then the two saves
    assert "(live)" in versions[0].find("h2").get_text()
    assert "written outside the editor" in versions[2].get_text()
    assert "Saved by admin@example.org" in versions[1].get_text()
    assert [line.get_text() for line in versions[0].select("del, ins")] == [
        "-council: Second Council", "+council: Third Council"]
    first = versions[2].select_one("a[href*='version=']")["href"]
    assert versions[0].select_one("a[href*='version=']") is None  # the live one has nothing to load
    form = get_editor_page(admin, first)
    assert form.find(id="restoring") and form.find(id="council")["value"] == "Testshire Council"
    assert (content / "site.yml").read_text().count("Third Council") == 1  # loading writes nothing
    assert save(admin).status_code == 303
    assert (content / "site.yml").read_text() == TODAY_FORMAT
    assert len(audit.entries(db, action="settings.changed")) == 3


def test_loading_a_version_that_is_not_of_the_settings_is_not_found(admin, site, db):
    entry_version = db.execute("INSERT INTO history (kind, entry_id, text, sha256, published_at) "
                               "VALUES ('hub', 'west', 'name: x', 'x', '2026-09-01T09:00:00Z')").lastrowid
    for version in (entry_version, 999, "abc"):
        assert admin.get(f"/editor/settings?version={version}").status_code == 404, version


def test_a_post_without_the_csrf_token_is_refused(admin, site):
    content, _ = site
    response = admin.post("/editor/settings", data={**FORM, "council": "Sneaky", "action": "save"})
    assert response.status_code == 400
    assert (content / "site.yml").read_text() == TODAY_FORMAT


@pytest.mark.parametrize("role", ["provider", "editor", "publisher"])
def test_only_admins_see_or_change_the_settings(workflow_app, site, role):
    content, _ = site
    client = workflow_app.test_client()
    sign_in(client, EMAILS[role])
    for url in ("/editor/settings", "/editor/settings/history", "/editor/settings?version=1"):
        assert client.get(url).status_code == 403, url
    token = csrf_token(client, "/editor/")
    response = client.post("/editor/settings", data={**FORM, "council": "Not mine", "csrf_token": token})
    assert response.status_code == 403
    assert (content / "site.yml").read_text() == TODAY_FORMAT
    assert "/editor/settings" not in client.get("/editor/").get_data(as_text=True)


def test_the_settings_are_offered_to_admins_on_the_dashboard(admin):
    assert get_editor_page(admin, "/editor/").find("a", href="/editor/settings")


def test_signed_out_the_settings_send_you_to_sign_in(workflow_app, site):
    response = workflow_app.test_client().get("/editor/settings")
    assert response.status_code == 303 and response.headers["Location"].startswith("/editor/sign-in")


# -- hostile input ---------------------------------------------------------------------------------------

FIELDS = [*FORM, "base_sha256"]


@pytest.fixture(scope="module")
def hostile_admin(tmp_path_factory):
    with hostile_site(tmp_path_factory, "hostile-settings", "/editor/settings", role="admin") as found:
        yield found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({name: HOSTILE for name in FIELDS}),
       languages=st.lists(st.one_of(HOSTILE, st.sampled_from(["en", "pl", "so", "xx"])), max_size=4),
       action=st.sampled_from(["preview", "save", "anything"]))
def test_hostile_settings_never_give_a_5xx_or_unsafe_html(hostile_admin, values, languages, action):
    client, token = hostile_admin
    response = client.post("/editor/settings", data={**values, "languages": languages, "action": action,
                                                     "csrf_token": token})
    assert response.status_code < 500, response.get_data(as_text=True)[-2000:]
    assert_safe_html(BeautifulSoup(response.get_data(as_text=True), "html.parser"))
    if response.status_code == 303:  # saved (the form was valid): the page and the public site still work
        assert client.get(response.headers["Location"]).status_code == 200
        assert client.get("/").status_code == 200


def test_without_a_site_yml_the_form_starts_empty_and_saving_writes_one(admin, site):
    content, _ = site
    (content / "site.yml").unlink()
    soup = get_editor_page(admin, "/editor/settings")
    assert soup.find(id="name")["value"] == ""
    assert soup.find("input", attrs={"name": "base_sha256"})["value"] == ""
    response = save(admin)
    assert response.status_code == 303
    assert (content / "site.yml").read_text() == TODAY_FORMAT


# -- a hand-written site.yml keeps its comments (ruamel.yaml round trip) ---------------------------------

COMMENTED = """\
# Site settings for Testshire. Ask the web team before changing the front door.
name: Testshire Early Help Directory   # shown in every page title
council: Testshire Council

# Offered languages: each needs an interface catalogue.
default_language: en
languages:
  - en   # always
  - pl
front_door:
  # The MASH answers 24 hours a day.
  name: Children's Front Door (MASH)
  phone: "020 7946 0100"   # quoted on purpose
  email: frontdoor@example.org
  website: https://example.org/worried-about-a-child
emergency: If a child is in immediate danger, call 999.
quick_exit_url: https://www.bbc.co.uk/weather
review_months: 12  # the council's policy, agreed 2025
# end of file
"""


def _comments(text: str) -> list[str]:
    return [line[line.index("#"):] for line in text.splitlines() if "#" in line]


def test_saving_keeps_every_comment_and_the_layout_of_untouched_fields(admin, site, db):
    content, _ = site
    (content / "site.yml").write_text(COMMENTED, encoding="utf-8")
    response = save(admin, **{"review-months": "6"})
    assert response.status_code == 303
    written = (content / "site.yml").read_text(encoding="utf-8")
    assert _comments(written) == _comments(COMMENTED)
    assert yaml.safe_load(written)["review_months"] == 6
    # Everything else is as it was, line for line: key order, quoting, the block list's indentation, and
    # the comment after the changed value stays in its column.
    assert written == COMMENTED.replace("review_months: 12  #", "review_months: 6   #")
    assert audit.entries(db, action="settings.changed")[0].details["fields"] == ["review_months"]


def test_a_changed_value_inside_the_front_door_and_a_new_field_keep_the_comments_too(admin, site):
    content, _ = site
    (content / "site.yml").write_text(COMMENTED.replace("emergency: If a child is in immediate danger, "
                                                        "call 999.\n", ""), encoding="utf-8")
    assert save(admin, **{"front-door-phone": "020 7946 0999", "languages": ["en", "pl", "so"]}).status_code \
        == 303
    written = (content / "site.yml").read_text(encoding="utf-8")
    data = yaml.safe_load(written)
    assert data["front_door"]["phone"] == "020 7946 0999" and data["languages"] == ["en", "pl", "so"]
    assert data["emergency"] == FORM["emergency"]
    assert written.index("emergency:") < written.index("quick_exit_url:")  # in the format's order
    assert set(_comments(COMMENTED)) - {"# always"} <= set(_comments(written))


def test_what_the_loader_refuses_is_never_kept_the_file_is_written_afresh():
    data = yaml.safe_load(TODAY_FORMAT)
    aliased = TODAY_FORMAT.replace("council: Testshire Council", "council: &c Testshire Council") + "x: *c\n"
    duplicate = TODAY_FORMAT + "name: Again\n"
    # Kept as it is, the alias would reach the file, and content refuses aliases.
    with_alias = {**data, "x": "Testshire Council"}
    assert site_settings.render(with_alias, aliased) == render_site(with_alias)
    for text in (duplicate, "- a list\n- not a mapping\n", "key: [unclosed\n"):
        assert site_settings.render(data, text) == render_site(data)
    kept = site_settings.render(data, "# a comment\n" + TODAY_FORMAT)
    assert kept == "# a comment\n" + TODAY_FORMAT
