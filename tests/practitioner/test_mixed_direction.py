"""English left in a right-to-left page (issue 16): every fallback-English fragment of the shortlist,
its text version, the family view, result cards and the menu carries lang="en" dir="ltr"."""

from __future__ import annotations

import pytest

from app.content.fingerprint import fingerprint
from app.content.loader import load_content
from app.practitioner import shortlist as lists

from ..factories import SITE, service, write_content, write_translation
from ..pages import get_page

LTR = {"lang": "en", "dir": "ltr"}
LIST = "debt-advice,idva-outreach"


@pytest.fixture(scope="module")
def arabic(tmp_path_factory):
    from app import create_app
    from app.config import TestingConfig
    from app.publishing.publish import publish

    root = tmp_path_factory.mktemp("rtl") / "content"
    write_content(root, [
        service("debt-advice", title="Debt advice", summary="Help with debts.", needs=["money-debt"],
                contact={"phone": "020 7946 0300", "website": "https://example.org/debt"}),
        service("idva-outreach", title="Domestic abuse outreach (IDVA)",
                summary="Advisers help you stay safe.", needs=["domestic-abuse"], how_to_access="Call us.",
                cost="Free.", free=False,
                venues=[{"name": "Central Library", "address": "1 High Road", "postcode": "N17 6BB",
                         "schedule": "Mondays 10am to 1pm"}]),
    ], site={**SITE, "languages": ["en", "ar"]})
    content = load_content(root)
    write_translation(root, "services", "debt-advice", "ar",
                      {"source_fingerprint": fingerprint("services", content.services["debt-advice"]),
                       "title": "نصائح بشأن الديون", "summary": "مساعدة في الديون."}, "نساعد العائلات.")
    index = tmp_path_factory.mktemp("rtl-index")
    publish(root, index, processes=1)
    return create_app(TestingConfig(root, index, tmp_path_factory.mktemp("rtl-instance"))).test_client()


def attributes(tag) -> dict:
    return {"lang": tag.get("lang"), "dir": tag.get("dir")}


def test_shortlist_marks_english_entries_and_leaves_arabic_ones(arabic):
    soup = get_page(arabic, f"/ar/shortlist?s={LIST}")
    assert attributes(soup.find("html")) == {"lang": "ar", "dir": "rtl"}
    translated, english = soup.select("#shortlist > li")
    assert translated.h2.get_text() == "نصائح بشأن الديون"
    assert attributes(translated.h2) == {"lang": None, "dir": None}
    assert english.h2.get_text() == "Domestic abuse outreach (IDVA)" and attributes(english.h2) == LTR
    assert attributes(english.find("p", string="Advisers help you stay safe.")) == LTR
    assert attributes(english.find("span", string="Call us.")) == LTR
    assert attributes(english.find("dd", string="Free.")) == LTR
    # The whole venue line is English, so its full stop sits between its English parts.
    venue = english.select_one(".shortlist-item__venue")
    assert venue.get_text() == "Central Library, 1 High Road, N17 6BB. Mondays 10am to 1pm"
    assert attributes(venue) == LTR
    # The organisation's name is English inside an Arabic sentence.
    for item in (translated, english):
        name = item.select_one(".shortlist-item__organisation span")
        assert name.get_text() == "Test Organisation" and attributes(name) == LTR
    assert translated.find("a", href="https://example.org/debt").parent["dir"] == "ltr"
    # The front door's name has no Arabic translation in this site (no site.ar.yml).
    door = soup.select_one(".handover-safeguarding span")
    assert door.get_text() == "Children's Front Door" and attributes(door) == LTR


def test_english_pages_get_no_extra_attributes(arabic):
    soup = get_page(arabic, f"/shortlist?s={LIST}")
    assert not soup.select("#shortlist [lang]")


def test_the_text_message_isolates_english_inside_arabic(arabic):
    text = arabic.get(f"/ar/shortlist.txt?s={LIST}").get_data(as_text=True)
    assert "1. نصائح بشأن الديون\n" in text
    assert "2. \u2066Domestic abuse outreach (IDVA)\u2069\n" in text
    code = lists.short_code(LIST.split(","))
    assert f"\u2066http://localhost/ar/l/{code}\u2069" in text
    assert "\u2066" not in arabic.get(f"/shortlist.txt?s={LIST}").get_data(as_text=True)


def test_the_family_view_in_arabic(arabic):
    soup = get_page(arabic, "/ar/l/" + lists.short_code(LIST.split(",")))
    translated, english = soup.select("#family-list > li")
    assert attributes(translated.h2) == {"lang": None, "dir": None}
    assert attributes(english.h2) == LTR
    assert attributes(english.find("p", string="Advisers help you stay safe.")) == LTR
    assert attributes(english.find("dd", string="Call us.")) == LTR
    assert english.select_one(".family-service__call span[dir=ltr]").get_text() == "020 7946 0210"
    door = soup.select_one(".family-safeguarding span[lang]")
    assert door.get_text() == "Children's Front Door" and attributes(door) == LTR


def test_result_cards_mark_the_organisation_and_untranslated_text(arabic):
    soup = get_page(arabic, "/ar/search?q=debt+abuse")
    cards = {card.h2.a["href"]: card for card in soup.select("#results > li")}
    english = cards["/ar/services/idva-outreach"]
    assert attributes(english.h2) == LTR
    assert attributes(english.select_one(".result-card__summary")) == LTR
    for card in cards.values():
        assert attributes(card.select_one(".result-card__organisation")) == LTR


@pytest.mark.parametrize("view", ["", "?view=table"])
def test_menu_service_titles_are_english(arabic, view):
    soup = get_page(arabic, f"/ar/menu{view}")
    titles = soup.select("#menu-grid li > a, #menu-table tbody th a")
    assert titles and all(attributes(a) == LTR for a in titles)
