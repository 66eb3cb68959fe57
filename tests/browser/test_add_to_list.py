"""Building a list without leaving the results, in Chromium (issue 16): three services from one search in
three clicks, with and without JavaScript; Back keeps the list; the family's view of the short link;
English fragments in a right-to-left list."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from app.practitioner.shortlist import short_code

from .axe import axe_violations, describe_violations
from .conftest import DESKTOP, PHONE
from .site_content import LONG_ID

pytestmark = pytest.mark.browser

SEARCH = "/search?q=parenting"


def query(tab) -> dict[str, list[str]]:
    return parse_qs(urlsplit(tab.page.url).query)


def add_buttons(tab):
    return tab.page.locator("#results a.add-to-list__link:not(.add-to-list__link--added)")


def test_three_services_from_one_search_in_three_clicks_with_javascript(new_tab, screenshot_dir):
    tab = new_tab(PHONE)
    tab.open(SEARCH)
    tab.page.evaluate("window.notReloaded = true")
    clicks = 0
    for _ in range(3):
        add_buttons(tab).first.click()
        clicks += 1
        tab.page.wait_for_function("n => document.querySelectorAll('#results .add-to-list__link--added')"
                                   ".length === n", arg=clicks)
        # Focus stays on the card just added, now offering its way to the list.
        assert tab.page.evaluate("document.activeElement.classList.contains('add-to-list__link--added')")
    assert clicks == 3
    assert tab.page.evaluate("window.notReloaded === true"), "adding reloaded the page"
    added = query(tab)["s"][0].split(",")
    assert len(added) == 3 and query(tab)["q"] == ["parenting"] and "added" not in query(tab)
    assert tab.page.locator("#shortlist-bar").inner_text().strip() == "Your list: 3 services"
    tab.page.screenshot(path=screenshot_dir / "add-to-list-js-375.png")
    # Every link of the page now carries the list: a card, the next search, the language switcher.
    assert parse_qs(urlsplit(tab.page.locator("#results h2 a").first.get_attribute("href")).query)["s"] == [
        ",".join(added)]
    assert tab.page.locator("#search-filters input[name=s]").input_value() == ",".join(added)
    # Back from a service page finds the results with the whole list.
    tab.page.locator("#results h2 a").first.click()
    tab.page.wait_for_url(re.compile(r"/services/"))
    tab.page.go_back()
    tab.page.wait_for_url(re.compile(r"/search\?"))
    assert query(tab)["s"] == [",".join(added)]
    assert tab.page.locator("#shortlist-bar").inner_text().strip() == "Your list: 3 services"
    # The list, and back to the same search with "Add more services".
    tab.page.locator(".shortlist-bar a").click()
    tab.page.wait_for_url(re.compile(r"/shortlist\?"))
    assert [item.get_attribute("id") for item in tab.page.locator("#shortlist > li").element_handles()] == [
        f"item-{service_id}" for service_id in added]
    tab.page.get_by_role("link", name="Add more services").click()
    tab.page.wait_for_url(re.compile(r"/search\?"))
    assert query(tab) == {"q": ["parenting"], "s": [",".join(added)]}
    assert tab.page.locator("#q").input_value() == "parenting"
    assert not tab.console_errors and not tab.page_errors and not tab.external_requests()


def test_three_services_from_one_search_in_three_clicks_without_javascript(new_tab, screenshot_dir):
    tab = new_tab(PHONE, javascript=False)
    tab.open(SEARCH + "&per_page=3")
    for clicks in range(1, 4):
        button = add_buttons(tab).first
        anchor = button.locator("xpath=..").get_attribute("id")
        button.click()
        tab.page.wait_for_url(re.compile(rf"added=.*#{anchor}$"))
        # The same results, query and page, with the list and a notice on the card, scrolled to it.
        assert query(tab)["q"] == ["parenting"] and query(tab)["per_page"] == ["3"]
        assert len(query(tab)["s"][0].split(",")) == clicks
        notice = tab.page.locator(f"#{anchor} .add-to-list__added")
        assert notice.inner_text() == f"Added. Your list has {clicks} service{'s' if clicks > 1 else ''}."
        assert notice.is_visible() and notice.bounding_box()["y"] < PHONE["height"]
    tab.page.screenshot(path=screenshot_dir / "add-to-list-no-js-375.png")
    assert tab.page.locator(".shortlist-bar").inner_text() == "Your list: 3 services"


def test_the_short_link_opens_a_family_view_with_call_buttons(new_tab, screenshot_dir):
    ids = ["idva-outreach", "incredible-years", LONG_ID]
    tab = new_tab(PHONE, bypass_csp=True)  # to run axe
    tab.open("/pl/l/" + short_code(ids))
    assert tab.page.locator("html").get_attribute("lang") == "pl"
    assert tab.page.locator("#family-list > li").count() == 3
    call = tab.page.locator("a.family-service__call").first
    box = call.bounding_box()
    assert call.get_attribute("href") == "tel:02079460210"
    # The first call button comes straight after the first service's name, below the site's header.
    header = tab.page.locator("header.site-header").bounding_box()
    assert box["height"] >= 44 and box["y"] + box["height"] <= header["y"] + header["height"] + 350, box
    assert re.fullmatch(r"Zadzwoń 020 7946 0210", call.inner_text().split(":")[0].strip()), call.inner_text()
    assert tab.page.locator(".family-safeguarding a[href='tel:999']").is_visible()
    for absent in ("#note-form", "#short-link", ".shortlist-item__actions", "a.add-to-list__link"):
        assert not tab.page.locator(absent).count(), absent
    tab.page.screenshot(path=screenshot_dir / "family-view-pl-375.png", full_page=True)
    violations = axe_violations(tab.page)
    assert not violations, describe_violations("family view", violations)


@pytest.mark.parametrize("path", ["/ar/shortlist?s=incredible-years,idva-outreach",
                                  "/ar/l/" + short_code(["incredible-years", "idva-outreach"])])
def test_english_entries_run_left_to_right_in_an_arabic_list(new_tab, screenshot_dir, path):
    tab = new_tab(DESKTOP)  # wide enough for a title to sit clearly at one end of its line
    tab.open(path)
    assert tab.page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    titles = tab.page.locator("main li h2")
    assert titles.count() == 2
    for index in range(2):
        title = titles.nth(index)
        assert title.evaluate("element => getComputedStyle(element).direction") == "ltr"
    # "Domestic abuse outreach" sits at the left of its line, as English does (on the right, it
    # would be laid out right to left, its punctuation on the wrong side).
    text_box = titles.nth(1).locator("a").bounding_box()
    line_box = titles.nth(1).bounding_box()
    left_gap = text_box["x"] - line_box["x"]
    right_gap = line_box["x"] + line_box["width"] - text_box["x"] - text_box["width"]
    assert left_gap < right_gap, (text_box, line_box)
    tab.page.screenshot(path=screenshot_dir / f"rtl-{path.split('/')[2].split('?')[0]}-desktop.png")
