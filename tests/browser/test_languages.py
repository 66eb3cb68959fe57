"""Languages in a real browser: the switcher, right-to-left layout, and axe-core in other languages.

Screenshots of the Arabic and Urdu pages go to tests/output/screenshots/<lang>-<page>-<width>.png.
"""

from __future__ import annotations

import pytest

from .conftest import DESKTOP, PHONE, SMALL_PHONE
from .site_content import URLS
from .test_accessibility import assert_no_serious_violations
from .test_layout import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

RTL_PAGES = ("home", "results", "service", "service-long-title", "hub", "page-about", "report")


def test_the_switcher_keeps_the_page_and_the_query_without_javascript(new_tab):
    tab = new_tab(PHONE, javascript=False)
    tab.open("/search?q=parenting&hub=west")
    tab.page.locator(".language-switcher summary").click()
    tab.page.locator(".language-switcher a[lang=pl]").click()
    assert tab.path() == "/pl/search?q=parenting&hub=west"
    assert tab.page.locator("html").get_attribute("lang") == "pl"
    assert tab.page.locator("#q").input_value() == "parenting"
    assert tab.page.locator("input[name=hub][value=west]").is_checked()
    tab.page.locator(".language-switcher summary").click()
    tab.page.locator(".language-switcher a[lang=ar]").click()
    assert tab.path() == "/ar/search?q=parenting&hub=west"
    tab.page.locator(".language-switcher summary").click()
    tab.page.locator(".language-switcher a[lang=en]").click()
    assert tab.path() == "/search?q=parenting&hub=west"


def test_a_search_from_a_language_page_stays_in_that_language(new_tab):
    tab = new_tab(PHONE)
    tab.open("/es/")
    tab.page.locator("#q").fill("parenting")
    tab.page.locator("#q").press("Enter")
    tab.page.wait_for_url("**/es/search?q=parenting")
    tab.page.locator("#results a[href*='/services/']").first.click()
    assert tab.path().startswith("/es/services/")


@pytest.mark.parametrize("language", ["ar", "ur"])
@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE], ids=lambda viewport: f"{viewport['width']}px")
@pytest.mark.parametrize("name", RTL_PAGES)
def test_right_to_left_pages_fit_a_phone(reused_tab, screenshot_dir, language, name, viewport):
    tab = reused_tab(viewport)
    tab.open(f"/{language}{URLS[name]}")
    tab.page.screenshot(path=screenshot_dir / f"{language}-{name}-{viewport['width']}.png", full_page=True)
    assert tab.page.locator("html").get_attribute("dir") == "rtl"
    assert_no_horizontal_scroll(tab, viewport["width"])


def test_the_layout_is_mirrored_in_arabic(new_tab, screenshot_dir):
    tab = new_tab(DESKTOP)
    positions = {}
    for path in ("/", "/ar/"):
        tab.open(path)
        name = tab.page.locator(".site-header__name").bounding_box()
        field = tab.page.locator("#q").bounding_box()
        button = tab.page.locator(".search-box__button").bounding_box()
        positions[path] = (name, field, button)
    tab.page.screenshot(path=screenshot_dir / "ar-home-1280.png", full_page=True)
    (name_en, field_en, button_en), (name_ar, field_ar, button_ar) = positions["/"], positions["/ar/"]
    assert name_en["x"] < DESKTOP["width"] / 2 < name_ar["x"] + name_ar["width"], "the name starts the line"
    assert button_en["x"] > field_en["x"], "in English the search button follows the box on the right"
    assert button_ar["x"] < field_ar["x"], "in Arabic the search button follows the box on the left"


def test_phone_numbers_read_left_to_right_inside_arabic(new_tab):
    tab = new_tab(PHONE)
    tab.open(f"/ar{URLS['service']}")
    phone = tab.page.locator("main a.phone").first
    assert phone.evaluate("element => getComputedStyle(element).direction") == "ltr"
    # The digit groups must appear in their written order: each group sits right of the one before.
    boxes = phone.evaluate("""element => {
      const range = document.createRange(), text = element.firstChild, boxes = [];
      let start = 0;
      for (const group of text.textContent.split(' ')) {
        range.setStart(text, start); range.setEnd(text, start + group.length);
        boxes.push(range.getBoundingClientRect().left); start += group.length + 1;
      }
      return boxes;
    }""")
    assert boxes == sorted(boxes), f"the phone number's digit groups are out of order: {boxes}"


@pytest.mark.parametrize("path", ["/ar/", "/ar/search?q=parenting", f"/ar{URLS['service']}", "/pl/",
                                  "/pl/search?q=parenting", f"/pl{URLS['service']}", f"/ur{URLS['hub']}"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda viewport: f"{viewport['width']}px")
def test_axe_finds_no_serious_problems_in_other_languages(reused_tab, path, viewport):
    tab = reused_tab(viewport, bypass_csp=True)
    tab.open(path)
    assert_no_serious_violations(tab, f"{path} at {viewport['width']}px")
