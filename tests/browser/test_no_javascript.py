"""The site works without JavaScript; JavaScript only enhances (the search filters apply themselves)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from .site_content import URLS

pytestmark = pytest.mark.browser

RESULTS = "/search?q=parenting"
# Of the parenting services only the helpline is delivered by phone, so this filter narrows.
FILTER_NAME, FILTER_VALUE, ONLY_MATCH = "delivery", "phone", "/services/parenting-helpline"


def result_count(tab) -> int:
    text = tab.page.locator("#result-count").inner_text()
    match = re.search(r"\d+", text.replace(",", ""))
    assert match, f"#result-count has no number: {text!r}"
    return int(match.group())


def result_links(tab) -> list[str]:
    return tab.page.locator("#results li.result-card h2 a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))")


def query(tab) -> dict[str, list[str]]:
    return parse_qs(urlsplit(tab.page.url).query)


def filter_checkbox(tab):
    checkbox = tab.page.locator(
        f"form#search-filters input[type=checkbox][name={FILTER_NAME}][value={FILTER_VALUE}]")
    assert checkbox.count() == 1, f"no {FILTER_NAME}={FILTER_VALUE} checkbox in form#search-filters"
    # A filter group may be folded away in a <details>: open it, as a person would.
    closed = tab.page.locator(
        f"details:not([open]):has(input[name={FILTER_NAME}][value={FILTER_VALUE}]) > summary")
    for index in range(closed.count()):
        if closed.nth(index).is_visible():  # the "Filter (n)" control on a phone; wide screens show them
            closed.nth(index).click()
    return checkbox


def assert_narrowed(tab, before: int) -> None:
    assert query(tab).get(FILTER_NAME) == [FILTER_VALUE], tab.page.url
    assert query(tab).get("q") == ["parenting"], f"the search words were lost: {tab.page.url}"
    after = result_count(tab)
    assert 0 < after < before, f"{FILTER_NAME}={FILTER_VALUE}: {before} results before, {after} after"
    assert ONLY_MATCH in result_links(tab)
    assert filter_checkbox(tab).is_checked(), "the applied filter is not shown ticked"


def test_filters_apply_with_the_button_without_javascript(new_tab):
    tab = new_tab(javascript=False)
    tab.open(RESULTS)
    before = result_count(tab)
    assert before >= 3, f"expected several parenting services, got {before}"
    assert len(result_links(tab)) == before
    filter_checkbox(tab).check()
    tab.page.wait_for_timeout(200)
    assert FILTER_NAME not in query(tab), "the page changed without JavaScript?"
    apply_button = tab.page.locator("form#search-filters button#apply-filters[type=submit]")
    assert apply_button.is_visible(), "without JavaScript the Apply filters button must be there to press"
    with tab.page.expect_navigation():
        apply_button.click()
    assert_narrowed(tab, before)


def test_ticking_a_filter_applies_it_with_javascript(tab):
    tab.open(RESULTS)
    before = result_count(tab)
    with tab.page.expect_navigation(url=re.compile(rf"[?&]{FILTER_NAME}={FILTER_VALUE}\b")):
        filter_checkbox(tab).check()
    tab.page.wait_for_load_state("load")
    assert_narrowed(tab, before)
    assert tab.page_errors == [], tab.page_errors


def test_unticking_a_filter_with_javascript_widens_again(tab):
    tab.open(f"{RESULTS}&{FILTER_NAME}={FILTER_VALUE}")
    narrowed = result_count(tab)
    checkbox = filter_checkbox(tab)
    assert checkbox.is_checked()
    with tab.page.expect_navigation():
        checkbox.uncheck()
    assert FILTER_NAME not in query(tab), tab.page.url
    assert result_count(tab) > narrowed


def test_searching_from_the_home_page_without_javascript(new_tab):
    tab = new_tab(javascript=False)
    tab.open(URLS["home"])
    tab.page.locator("input[name=q]").first.fill("parenting")
    with tab.page.expect_navigation():
        tab.page.locator("input[name=q]").first.press("Enter")
    assert urlsplit(tab.page.url).path == "/search"
    assert query(tab).get("q") == ["parenting"]
    assert "/services/incredible-years" in result_links(tab)


@pytest.mark.parametrize("name", URLS)
def test_every_page_shows_its_content_without_javascript(reused_tab, name):
    tab = reused_tab(javascript=False)
    tab.open(URLS[name])
    heading = tab.page.locator("h1")
    assert heading.count() == 1 and heading.is_visible(), f"{name}: no visible <h1> without JavaScript"
    assert tab.page.locator("main#main-content").inner_text().strip(), f"{name}: empty <main>"
