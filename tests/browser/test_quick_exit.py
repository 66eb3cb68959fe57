"""Quick exit (the GOV.UK "Exit this page" pattern): the button, Shift three times, history replaced.

The destination (site.yml ``quick_exit_url``) is answered by a local stand-in page, see conftest.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .conftest import PHONE
from .site_content import QUICK_EXIT_URL, URLS

pytestmark = pytest.mark.browser

FIRST, EXITED = "/", "/search?q=parenting"


def visit_two_pages(tab) -> None:
    """History: the home page, then the page the visitor will leave in a hurry."""
    tab.open(FIRST)
    tab.open(EXITED)
    tab.page.wait_for_load_state("load")  # the deferred quick-exit script has run


def assert_exited_without_trace(tab) -> None:
    tab.page.wait_for_url(QUICK_EXIT_URL, timeout=5000)
    assert tab.page.locator("#exit-destination").is_visible()
    tab.page.go_back(wait_until="load")
    assert tab.path() != EXITED, (
        f"Back after the quick exit returned to {EXITED}: the exited page must be replaced in history "
        "(location.replace), not left behind it")
    assert tab.path() in (FIRST, QUICK_EXIT_URL), tab.page.url


def test_the_exit_button_is_at_the_top_of_every_page(new_tab):
    tab = new_tab(PHONE)
    for name, path in URLS.items():
        tab.open(path)
        button = tab.page.locator("#quick-exit")
        assert button.count() == 1, f"{name}: no #quick-exit"
        assert button.get_attribute("href") == QUICK_EXIT_URL, f"{name}: #quick-exit goes elsewhere"
        assert button.inner_text().strip() == "Exit this page", name
        box = button.bounding_box()
        assert box and button.is_visible(), f"{name}: the exit button is not visible"
        assert box["y"] + box["height"] <= PHONE["height"] / 2, (
            f"{name}: the exit button is at y={box['y']:.0f}px, not near the top of a phone screen")


def test_the_exit_button_leaves_and_replaces_the_page_in_history(tab):
    visit_two_pages(tab)
    tab.page.click("#quick-exit")
    assert_exited_without_trace(tab)
    elsewhere = [url for url in tab.blocked if urlsplit(url).hostname != urlsplit(QUICK_EXIT_URL).hostname]
    assert elsewhere == [], f"leaving also sent requests elsewhere: {elsewhere}"


def test_tapping_the_exit_button_on_a_phone_leaves(new_tab):
    tab = new_tab(PHONE)
    visit_two_pages(tab)
    tab.page.tap("#quick-exit")
    assert_exited_without_trace(tab)


def test_pressing_shift_three_times_leaves_and_replaces_the_page_in_history(tab):
    visit_two_pages(tab)
    for _ in range(3):
        tab.page.keyboard.press("Shift")
    assert_exited_without_trace(tab)


def test_pressing_shift_three_times_in_the_search_box_leaves(tab):
    visit_two_pages(tab)
    tab.page.locator("input[name=q]").first.focus()
    for _ in range(3):
        tab.page.keyboard.press("Shift")
    assert_exited_without_trace(tab)


def test_pressing_shift_twice_stays(tab):
    visit_two_pages(tab)
    tab.page.keyboard.press("Shift")
    tab.page.keyboard.press("Shift")
    tab.page.wait_for_timeout(300)
    assert tab.path() == EXITED


def test_typing_capital_letters_in_the_search_box_stays(tab):
    """Shift held for capitals is not the exit gesture: "Help For Dad" must not leave the page."""
    visit_two_pages(tab)
    search_box = tab.page.locator("input[name=q]").first
    search_box.click()
    for character in "Help For Dad":  # as a person types: Shift down, the letter, Shift up
        key = "Space" if character == " " else character
        tab.page.keyboard.press(f"Shift+{key}" if character.isupper() else key)
    tab.page.wait_for_timeout(300)
    assert tab.path() == EXITED, "typing three capital letters triggered the quick exit"
    assert search_box.input_value().endswith("Help For Dad")


def test_the_exit_button_leaves_without_javascript(new_tab):
    """Without JavaScript the button is a plain link; it cannot rewrite history, but it still leaves."""
    tab = new_tab(javascript=False)
    visit_two_pages(tab)
    tab.page.click("#quick-exit")
    tab.page.wait_for_url(QUICK_EXIT_URL, timeout=5000)
    assert tab.page.locator("#exit-destination").is_visible()
