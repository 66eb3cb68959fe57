"""What every public page has (the markup contract), hostile text, and what a page load may ask for.

Each page is loaded once (``loads``) and the tests read what was recorded: requests (every one must
stay on 127.0.0.1), console errors (none about the Content Security Policy) and the page's structure.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pytest

from .conftest import DESKTOP, open_tab
from .site_content import LONG_TITLE, QUICK_EXIT_URL, URLS

pytestmark = pytest.mark.browser

STRUCTURE = """() => ({
  lang: document.documentElement.getAttribute('lang'),
  dir: document.documentElement.getAttribute('dir'),
  skipLinks: document.querySelectorAll('a.skip-link[href="#main-content"]').length,
  mains: document.querySelectorAll('main#main-content').length,
  headers: document.querySelectorAll('header').length,
  footers: document.querySelectorAll('footer').length,
  h1s: [...document.querySelectorAll('h1')].map(h => h.textContent.trim()),
  title: document.title,
  text: document.body.innerText,
})"""


@dataclass
class Load:
    path: str
    status: int | None
    requests: list[str]
    external: list[str]
    console_errors: list[str]
    csp_errors: list[str]
    page_errors: list[str]
    dialogs: list[str]
    structure: dict


@pytest.fixture(scope="module")
def loads(browser, site) -> dict[str, Load]:
    """Every public page loaded once with JavaScript on, then scrolled, then given a moment."""
    recorded = {}
    tab = open_tab(browser, site, DESKTOP)
    for name, path in URLS.items():
        for records in (tab.requests, tab.blocked, tab.console_errors, tab.page_errors, tab.dialogs):
            records.clear()
        response = tab.page.goto(site.url(path))
        tab.page.mouse.wheel(0, 5000)  # anything loaded on scroll
        tab.page.wait_for_timeout(150)  # and anything a script asks for once the page has loaded
        recorded[name] = Load(path, response.status if response else None, list(tab.requests),
                              tab.external_requests(), list(tab.console_errors), tab.csp_errors(),
                              list(tab.page_errors), list(tab.dialogs), tab.page.evaluate(STRUCTURE))
    tab.context.close()
    return recorded


def loaded(loads, name) -> Load:
    load = loads[name]
    if load.status != 200:
        pytest.fail(f"GET {load.path} answered {load.status}, not 200", pytrace=False)
    return load


@pytest.mark.parametrize("name", URLS)
def test_no_request_leaves_this_machine(loads, name):
    load = loaded(loads, name)
    assert load.external == [], f"{load.path} asked for things off 127.0.0.1: {load.external}"


@pytest.mark.parametrize("name", URLS)
def test_no_content_security_policy_errors(loads, name):
    load = loaded(loads, name)
    assert load.csp_errors == [], f"{load.path}: the CSP blocked something:\n" + "\n".join(load.csp_errors)


@pytest.mark.parametrize("name", URLS)
def test_no_javascript_errors(loads, name):
    load = loaded(loads, name)
    assert load.page_errors == [], f"{load.path}: uncaught JavaScript errors: {load.page_errors}"
    assert load.dialogs == [], f"{load.path}: a dialog opened: {load.dialogs}"


@pytest.mark.parametrize("name", URLS)
def test_every_page_has_the_common_structure(loads, name):
    load = loaded(loads, name)
    page = load.structure
    problems = []
    if (page["lang"] or "").split("-")[0] != "en" or page["dir"] != "ltr":  # "en" or "en-GB"
        problems.append(f'<html lang="{page["lang"]}" dir="{page["dir"]}">, not lang="en" dir="ltr"')
    if page["skipLinks"] != 1:
        problems.append(f'{page["skipLinks"]} skip links to #main-content, not 1')
    if page["mains"] != 1:
        problems.append(f'{page["mains"]} <main id="main-content">, not 1')
    if not page["headers"] or not page["footers"]:
        problems.append(f'{page["headers"]} <header>, {page["footers"]} <footer>')
    if len(page["h1s"]) != 1:
        problems.append(f'{len(page["h1s"])} <h1>, not 1: {page["h1s"]}')
    if not page["title"].strip():
        problems.append("an empty <title>")
    assert not problems, f"{load.path}: " + "; ".join(problems)


@pytest.mark.parametrize("name", URLS)
def test_every_page_has_the_safeguarding_line(loads, name):
    text = loaded(loads, name).structure["text"]
    assert "999" in text and "Children's Front Door" in text.replace("\u2019", "'"), (
        f"{URLS[name]}: no 'call 999' / front door safeguarding line")


def test_service_page_heading_is_the_title_as_written(loads):
    assert loaded(loads, "service-long-title").structure["h1s"] == [LONG_TITLE]
    assert loaded(loads, "service").structure["h1s"] == ["Incredible Years parenting group"]


def test_hostile_text_in_an_entry_is_shown_not_run(tab):
    tab.open(URLS["service-long-title"])
    main = tab.page.locator("main")
    assert main.locator("script, img[onerror], [onclick]").count() == 0, main.inner_html()[:2000]
    assert tab.page.get_by_text("Rare Together").count() >= 1
    tab.page.wait_for_timeout(200)
    assert tab.dialogs == []


@pytest.mark.parametrize("words", ['<script>alert("q")</script>', '"><img src=x onerror=alert(1)>'])
def test_hostile_search_words_are_shown_not_run(tab, words):
    tab.page.goto(tab.site.url("/search?" + urlencode({"q": words})))
    tab.page.wait_for_timeout(200)
    assert tab.dialogs == []
    assert tab.page.locator("form#search-filters input[name=q]").input_value() == words
    assert tab.page.locator("h1").count() == 1


def test_the_empty_results_state(tab):
    tab.open(URLS["no-results"])
    assert tab.page.locator("#no-results").is_visible()
    assert tab.page.locator("#results li.result-card").count() == 0
    assert tab.page.locator("#quick-exit").get_attribute("href") == QUICK_EXIT_URL
