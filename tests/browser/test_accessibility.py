"""axe-core finds no serious or critical problems on any public page, on a desktop or a phone."""

from __future__ import annotations

import pytest

from .axe import axe_version, axe_violations, describe_violations
from .conftest import DESKTOP, PHONE
from .site_content import URLS

pytestmark = pytest.mark.browser

# Every page on a desktop; on a phone the pages whose layout changes most (to keep the suite fast).
CASES = [(name, DESKTOP) for name in URLS] + [
    (name, PHONE) for name in ("home", "results", "service-long-title")]


def assert_no_serious_violations(tab, where: str) -> None:
    violations = axe_violations(tab.page)
    assert axe_version(tab.page).startswith("4."), axe_version(tab.page)
    if violations:
        pytest.fail(describe_violations(where, violations), pytrace=False)


@pytest.mark.parametrize(("name", "viewport"), CASES,
                         ids=[f"{name}-{viewport['width']}px" for name, viewport in CASES])
def test_no_serious_accessibility_violations(reused_tab, name, viewport):
    tab = reused_tab(viewport, bypass_csp=True)  # axe is added as an inline script
    tab.open(URLS[name])
    assert_no_serious_violations(tab, f"{URLS[name]} at {viewport['width']}px")


def test_no_serious_accessibility_violations_with_filters_applied(reused_tab):
    tab = reused_tab(DESKTOP, bypass_csp=True)
    tab.open("/search?q=parenting&delivery=phone&hub=west&free=1")
    assert_no_serious_violations(tab, tab.path())


def test_the_skip_link_moves_focus_to_the_main_content(tab):
    tab.open(URLS["service"])
    skip_link = tab.page.locator("a.skip-link[href='#main-content']")
    assert skip_link.count() == 1, "no skip link to #main-content"
    tab.page.keyboard.press("Tab")
    if not tab.page.evaluate("() => document.activeElement.classList.contains('skip-link')"):
        tab.page.keyboard.press("Tab")  # the quick exit may come first in the tab order
    assert tab.page.evaluate("() => document.activeElement.classList.contains('skip-link')"), (
        "the skip link is not among the first two things Tab reaches")
    box = skip_link.bounding_box()
    assert box and box["width"] > 1 and box["height"] > 1 and box["y"] >= 0, (
        f"the focused skip link is not visible: {box}")
    tab.page.keyboard.press("Enter")
    assert tab.page.url.endswith("#main-content")


# How the focused element looks: if nothing changes when it loses focus, a keyboard user cannot see it.
FOCUS_LOOK = """element => {
  const style = getComputedStyle(element);
  return ['outlineStyle', 'outlineWidth', 'outlineColor', 'boxShadow', 'backgroundColor', 'color',
          'textDecorationLine', 'textDecorationThickness', 'borderBottomColor', 'borderBottomWidth']
    .map(property => style[property]).join(' | ');
}"""


DESCRIBE = """e => e.localName + (e.id ? '#' + e.id : '') + ' '
                   + JSON.stringify((e.textContent || e.name || '').trim().slice(0, 30))"""


@pytest.mark.parametrize("name", ["home", "results", "service"])
def test_keyboard_focus_is_visible(tab, name):
    tab.open(URLS[name])
    invisible, seen = [], []
    for _ in range(12):
        tab.page.keyboard.press("Tab")
        focused = tab.page.evaluate_handle("() => document.activeElement")
        description = focused.evaluate(DESCRIBE)
        if description.startswith("body"):
            break
        seen.append(description)
        with_focus = focused.evaluate(FOCUS_LOOK)
        focused.evaluate("e => e.blur()")
        if focused.evaluate(FOCUS_LOOK) == with_focus:
            invisible.append(description)
    assert seen, f"{URLS[name]}: Tab reaches nothing"
    assert not invisible, f"{URLS[name]}: no visible focus indicator on {invisible}"
