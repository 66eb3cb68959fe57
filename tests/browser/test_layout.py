"""Layout at phone and desktop widths: no sideways scrolling, and full-page screenshots to look at.

Screenshots go to tests/output/screenshots/<page>-<width>.png (gitignored); they are taken
before any assertion, so a failing layout can be looked at.
"""

from __future__ import annotations

import pytest

from .conftest import DESKTOP, PHONE, SMALL_PHONE
from .site_content import URLS

pytestmark = pytest.mark.browser

# The elements sticking out past the right edge, innermost first, to say what overflows.
OVERFLOWING_ELEMENTS = """
width => {
  const path = element => {
    const parts = [];
    for (let node = element; node && node.nodeType === 1 && parts.length < 5; node = node.parentElement) {
      let part = node.localName;
      if (node.id) { parts.unshift(part + '#' + node.id); break; }
      const classes = [...node.classList].slice(0, 2);
      if (classes.length) part += '.' + classes.join('.');
      parts.unshift(part);
    }
    return parts.join(' > ');
  };
  const wide = [...document.body.querySelectorAll('*')].filter(element => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1;
  });
  return wide.filter(element => !wide.some(other => other !== element && element.contains(other)))
    .slice(0, 8)
    .map(element => `${path(element)} (right edge at `
                    + `${Math.round(element.getBoundingClientRect().right)}px): `
                    + JSON.stringify((element.textContent || '').trim().slice(0, 60)));
}
"""


def assert_no_horizontal_scroll(tab, width: int) -> None:
    scroll_width = tab.page.evaluate("() => document.documentElement.scrollWidth")
    inner_width = tab.page.evaluate("() => window.innerWidth")
    if scroll_width > width:
        culprits = "\n  ".join(tab.page.evaluate(OVERFLOWING_ELEMENTS, width))
        pytest.fail(f"{tab.path()} scrolls sideways at {width}px: the page is {scroll_width}px wide. "
                    f"Sticking out:\n  {culprits}", pytrace=False)
    assert inner_width == width, (
        f"{tab.path()}: window.innerWidth is {inner_width}, not {width}: the page lacks "
        "<meta name=viewport content='width=device-width, initial-scale=1'> or the phone zoomed out to fit")


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE], ids=lambda viewport: f"{viewport['width']}px")
@pytest.mark.parametrize("name", URLS)
def test_no_horizontal_scroll_on_a_phone(reused_tab, name, viewport):
    tab = reused_tab(viewport)
    tab.open(URLS[name])
    assert_no_horizontal_scroll(tab, viewport["width"])


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=lambda viewport: f"{viewport['width']}px")
@pytest.mark.parametrize("name", ["home", "results", "service", "service-long-title"])
def test_full_page_screenshot(reused_tab, screenshot_dir, name, viewport):
    tab = reused_tab(viewport)
    tab.open(URLS[name])
    path = screenshot_dir / f"{name}-{viewport['width']}.png"
    tab.page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 1000
    assert_no_horizontal_scroll(tab, viewport["width"])


def test_the_search_box_is_usable_on_a_phone(reused_tab):
    tab = reused_tab(SMALL_PHONE)
    tab.open("/")
    box = tab.page.locator("input[name=q]").first.bounding_box()
    assert box is not None, "the home page has no visible search box"
    assert box["x"] >= 0 and box["x"] + box["width"] <= SMALL_PHONE["width"], box
    assert box["height"] >= 24, f"the search box is only {box['height']}px tall: hard to tap"
