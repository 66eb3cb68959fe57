"""Translations and the taxonomy in the editor: the side-by-side form, the same draft -> review -> publish
loop as entries (a second person approves), the stale flag cleared on publish, history and restore, the
taxonomy's rows with the rules of ``earlyhelp check`` (a need in use cannot be removed), and review dates
for the kinds that have none in their files."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from app.content.loader import load_content
from app.editorial import accounts, changes
from app.publishing.publish import publish

from ..translated_content import write_translated_content
from .helpers import EMAILS, PASSWORD, get_editor_page, post_form, sign_in

PL = "/editor/translations/services/debt-advice.pl/edit"
AR = "/editor/translations/services/debt-advice.ar/edit"


@pytest.fixture
def site(tmp_path, db, accounts_by_role):
    """The translated content folder, published once, with a second publisher."""
    from app import create_app
    from app.config import TestingConfig

    content = write_translated_content(tmp_path / "content")
    publish(content, tmp_path / "search_index", processes=1)
    accounts.create_user(db, "publisher2@example.org", PASSWORD, "publisher", actor="cli")
    app = create_app(TestingConfig(content, tmp_path / "search_index", tmp_path / "instance"))
    return app, content


def client(app, who: str):
    made = app.test_client()
    assert sign_in(made, EMAILS.get(who, who)).status_code == 303
    return made


def form_values(page: BeautifulSoup) -> dict:
    """The form #entry's fields as a browser would post them (ticked boxes only)."""
    form = page.find("form", id="entry")
    values = {}
    for field in form.find_all("input"):
        if (field.get("name") and field.get("type") != "checkbox") or field.has_attr("checked"):
            values[field["name"]] = field.get("value", "")
    for field in form.find_all("textarea"):
        values[field["name"]] = field.get_text().removeprefix("\n")
    values.pop("csrf_token", None)
    return values


def submit(made, url, data, status=303):
    response = post_form(made, url, {**data, "action": "submit"})
    assert response.status_code == status, response.get_data(as_text=True)[-2000:]
    if status == 303:
        return int(response.headers["Location"].rsplit("/", 1)[1])
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def approve(made, number):
    return post_form(made, f"/editor/changes/{number}/approve", page_url=f"/editor/changes/{number}")


def stale(content, kind, language, entry_id) -> bool:
    return load_content(content).translations[kind][language][entry_id].stale


def test_a_stale_translation_edited_beside_the_english_is_up_to_date_once_a_second_person_approves(site):
    app, content = site
    english = content / "services" / "debt-advice.md"
    english.write_text(english.read_text().replace("Debt and benefits advice",
                                                   "Money, debt and benefits advice"))
    assert stale(content, "services", "pl", "debt-advice")
    editor = client(app, "editor")
    entry_page = get_editor_page(editor, "/editor/services/debt-advice/edit")
    listed = {item.find("a").get_text(strip=True): item.get_text(" ", strip=True)
              for item in entry_page.find(id="translations-heading").find_next("ul").find_all("li")}
    assert "Out of date" in listed["Polish (pl)"] and "Not translated" in listed["Romanian (ro)"]
    assert "Out of date" in listed["Spanish (es)"]  # every translation of the old title

    page = get_editor_page(editor, PL)
    assert page.find("h2", string="The English has changed since this was translated")
    title = page.find("input", attrs={"name": "title"})
    assert title["lang"] == "pl" and title["dir"] == "ltr"
    sources = [text.get_text(strip=True) for text in page.select(".translation-source__text")]
    assert "Money, debt and benefits advice" in sources  # the English as it is now
    assert "Mondays 10am to 1pm" in sources
    assert page.find("input", attrs={"name": "venue-0-schedule"})["value"] == "Poniedziałki od 10 do 13"
    data = {**form_values(page), "title": "Porady: pieniądze, długi i zasiłki",
            "venue-0-accessibility": "Wejście bez schodów"}
    number = submit(editor, PL, data)
    assert changes.get_change(app.extensions["editorial"].connect(), number).status == changes.IN_REVIEW

    refused = client(app, "publisher")  # a publisher may not approve their own change: write one
    own = submit(refused, "/editor/translations/hubs/west.pl/edit",
                 {**form_values(get_editor_page(refused, "/editor/translations/hubs/west.pl/edit")),
                  "name": "Centrum Zachód"})
    assert approve(refused, own).status_code == 403
    assert "Centrum Zachód" not in (content / "hubs" / "west.pl.md").read_text()

    assert approve(client(app, "publisher2@example.org"), number).status_code == 303
    text = (content / "services" / "debt-advice.pl.md").read_text()
    assert "Porady: pieniądze, długi i zasiłki" in text
    assert "Poniedziałki od 10 do 13" in text and "Wejście bez schodów" in text  # venue by venue
    assert not stale(content, "services", "pl", "debt-advice")
    listed = get_editor_page(editor, "/editor/services/debt-advice/edit").find(id="translations-heading")
    assert "Up to date" in listed.find_next("a", string="Polish (pl)").find_parent("li").get_text()


def test_a_missing_translation_is_started_from_the_english_entry_and_an_arabic_one_is_right_to_left(site):
    app, content = site
    editor = client(app, "editor")
    page = get_editor_page(editor, "/editor/translations/services/debt-advice.ro/edit")
    assert page.find("input", attrs={"name": "title"})["value"] == ""
    assert not page.find("h2", string="The English has changed since this was translated")
    number = submit(editor, "/editor/translations/services/debt-advice.ro/edit",
                    {**form_values(page), "title": "Consiliere pentru datorii",
                     "summary": "Consiliere gratuită.", "body": "Ajutăm familiile."})
    assert approve(client(app, "publisher"), number).status_code == 303
    assert not stale(content, "services", "ro", "debt-advice")

    arabic = get_editor_page(editor, AR)
    for name in ("title", "summary", "body"):
        field = arabic.find(attrs={"name": name})
        assert (field["lang"], field["dir"]) == ("ar", "rtl"), name
    assert arabic.find(class_="translation-source")["dir"] == "ltr"
    # A language site.yml does not offer, and an English entry that is not there: not found.
    assert editor.get("/editor/translations/services/debt-advice.ur/edit").status_code == 404
    assert editor.get("/editor/translations/services/no-such.pl/edit").status_code == 404
    assert editor.get("/editor/translations/services/debt-advice/edit").status_code == 404


def test_a_translation_has_a_history_and_an_earlier_version_is_restored_through_review(site):
    app, content = site
    editor, publisher = client(app, "editor"), client(app, "publisher")
    path = content / "pages" / "about.pl.md"
    before = path.read_text()
    url = "/editor/translations/pages/about.pl/edit"
    number = submit(editor, url, {**form_values(get_editor_page(editor, url)), "title": "O katalogu"})
    assert approve(publisher, number).status_code == 303
    assert "O katalogu" in path.read_text()
    history = get_editor_page(editor, "/editor/translations/pages/about.pl/history")
    versions = [link["href"] for link in history.find_all("a")
                if link.get_text().startswith("See what changed")]
    assert len(versions) == 2  # the version found on file, then the approved one
    restore = post_form(editor, versions[-1] + "/restore", page_url=versions[-1])
    assert restore.status_code == 303
    restored = int(restore.headers["Location"].rsplit("/", 1)[1])
    assert approve(publisher, restored).status_code == 303
    assert path.read_text() == before


def test_the_taxonomy_is_edited_in_rows_and_a_need_in_use_cannot_be_removed(site):
    app, content = site
    editor, publisher = client(app, "editor"), client(app, "publisher")
    url = "/editor/taxonomy/needs/edit"
    values = form_values(get_editor_page(editor, url))
    rows = {value: key.split("-")[1] for key, value in values.items() if key.endswith("-id")}
    money = rows["money-debt"]

    removed = {key: ("" if key.startswith(f"term-{money}-") else value) for key, value in values.items()}
    refused = submit(editor, url, removed, status=400)
    summary = refused.find(class_="error-summary").get_text(" ", strip=True)
    assert "'money-debt' cannot be removed: it is still used by 2 service(s): benefits-check, debt-advice" \
        in summary

    blank = min(int(key.split("-")[1]) for key, value in values.items() if key.endswith("-id") and not value)
    added = {**values, f"term-{money}-synonyms": "money worries, skint",
             f"term-{blank}-id": "young-carers", f"term-{blank}-label": "Young carers",
             f"term-{blank}-description": "Support for children who look after someone."}
    number = submit(editor, url, added)
    assert approve(publisher, number).status_code == 303
    loaded = load_content(content)
    assert loaded.needs["money-debt"].synonyms[:2] == ["money worries", "skint"]
    assert loaded.needs["young-carers"].label == "Young carers"
    assert not [problem for problem in loaded.problems if problem.is_error]

    bad = {**form_values(get_editor_page(editor, url)), f"term-{blank + 1}-id": "Not An Id",
           f"term-{blank + 1}-label": "Bad id"}
    page = submit(editor, url, bad, status=400)
    assert page.find(id=f"term-{blank + 1}-id").find_parent(class_="form-group--error")
    assert "'Not An Id' is not a valid id" in page.find(class_="error-summary").get_text()


def test_a_need_translation_is_edited_beside_the_english_terms_and_stamped_on_approval(site):
    app, content = site
    editor = client(app, "editor")
    url = "/editor/translations/taxonomy/needs.pl/edit"
    page = get_editor_page(editor, url)
    assert page.find(attrs={"name": "term-0-label"})["lang"] == "pl"
    values = form_values(page)
    row = next(key.split("-")[1] for key, value in values.items() if value == "speech-language")
    number = submit(editor, url, {**values, f"term-{row}-label": "Mowa i język",
                                  f"term-{row}-description": "Pomoc w mówieniu."})
    assert approve(client(app, "publisher"), number).status_code == 303
    loaded = load_content(content)
    assert loaded.translations["needs"]["pl"]["speech-language"].fields["label"] == "Mowa i język"
    assert not loaded.translations["needs"]["pl"]["speech-language"].stale
    assert not loaded.translations["needs"]["pl"]["money-debt"].stale


def test_review_dates_for_hubs_pages_taxonomy_and_translations(site):
    app, _content = site
    editor = client(app, "editor")
    page = get_editor_page(editor, "/editor/reviews?kind=hub")
    overdue = page.find(id="overdue-heading").find_parent("section")
    assert "West Hub" in overdue.get_text()
    response = post_form(editor, "/editor/reviews/hub/west/confirm", page_url="/editor/reviews?kind=hub")
    assert response.status_code == 303
    page = get_editor_page(editor, "/editor/reviews?kind=hub")
    assert "West Hub" not in page.find(id="overdue-heading").find_parent("section").get_text()
    assert "West Hub" in page.find(id="later-heading").find_parent("section").get_text()
    for kind, expected in (("page", "About"), ("taxonomy", "Needs"),
                           ("service_translation", "debt-advice.pl"), ("taxonomy_translation", "needs.pl"),
                           ("organisation", "Test Organisation")):
        assert expected in get_editor_page(editor, f"/editor/reviews?kind={kind}").get_text(), kind
    assert post_form(editor, "/editor/reviews/hub/nowhere/confirm",
                     page_url="/editor/reviews?kind=hub").status_code == 404
    provider = client(app, "provider")  # sees services only, and may not confirm another kind
    assert "West Hub" not in get_editor_page(provider, "/editor/reviews?kind=hub").get_text()
    assert post_form(provider, "/editor/reviews/hub/west/confirm",
                     page_url="/editor/reviews").status_code == 403


def test_the_translation_lists_put_out_of_date_translations_first(site):
    app, content = site
    english = content / "services" / "stay-and-chat.md"
    english.write_text(english.read_text().replace("Sessions are held", "Sessions are run"))
    editor = client(app, "editor")
    page = get_editor_page(editor, "/editor/translations/services")
    rows = [row.find("code").get_text() for row in page.find("tbody").find_all("tr")]
    assert rows[:2] == ["stay-and-chat.bn", "stay-and-chat.ro"]
    assert set(rows) == {"debt-advice.pl", "debt-advice.ar", "debt-advice.es", "stay-and-chat.bn",
                         "stay-and-chat.ro", "incredible-years.es", "incredible-years.ro",
                         "relaxation-class.es"}
    found = get_editor_page(editor, "/editor/translations/services?q=.ro")
    assert [row.find("code").get_text() for row in found.find("tbody").find_all("tr")] == [
        "stay-and-chat.ro", "incredible-years.ro"]
    taxonomy = get_editor_page(editor, "/editor/translations/taxonomy").find("tbody").get_text(" ")
    assert "needs.pl" in taxonomy and "needs.ar" in taxonomy and "levels.pl" not in taxonomy
    assert "Levels of need" in get_editor_page(editor, "/editor/taxonomy").find("tbody").get_text(" ")
    hubs = get_editor_page(editor, "/editor/translations/hubs").find("tbody").get_text(" ")
    assert "west.pl" in hubs and "Up to date" in hubs
