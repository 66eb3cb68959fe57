"""Printing a service page for a family: one clean A4 sheet, without the site's navigation."""

from __future__ import annotations

import re

import pytest

from .site_content import URLS

pytestmark = pytest.mark.browser


def test_service_page_prints_on_one_a4_sheet(new_tab, screenshot_dir):
    tab = new_tab()
    tab.open(URLS["service"])
    pdf = tab.page.pdf(format="A4", prefer_css_page_size=True)
    (screenshot_dir / "service-print.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the service page prints on {pages} A4 pages"


def test_print_hides_navigation_but_keeps_the_safeguarding_line(new_tab):
    tab = new_tab()
    tab.open(URLS["service"])
    tab.page.emulate_media(media="print")
    for selector in ("#quick-exit", ".site-nav", ".site-footer"):
        assert not tab.page.locator(selector).is_visible(), f"{selector} is printed"
    assert tab.page.locator(".safeguarding").is_visible()
    assert tab.page.locator("h1").is_visible()
