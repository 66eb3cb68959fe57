"""The insight reports in a real browser: no serious axe-core problems, nothing wider than a 320 px phone
(tables scroll inside their box), SVG charts drawn without JavaScript, and the board summary printing on
one A4 sheet."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app.editorial import accounts, instance
from app.insight.searchlog import LoggedSearch, SearchLog

from .axe import axe_violations, describe_violations
from .conftest import DESKTOP, SMALL_PHONE
from .editor_tabs import submit_sign_in
from .test_layout import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

ANALYST = "browser-analyst@example.org"
PASSWORD = "a browser test passphrase"
PAGES = ["/editor/insight", "/editor/insight/coverage", "/editor/insight/demand", "/editor/insight/quality",
         "/editor/insight/summary"]


@pytest.fixture(scope="module")
def analyst(site) -> str:
    """An analyst account, and a few weeks of searches in the served site's log."""
    folder = site.content_dir.parent / "instance"
    db = instance.open_instance(folder)
    try:
        if accounts.find_user(db, ANALYST) is None:
            accounts.create_user(db, ANALYST, PASSWORD, "analyst", name="Browser Analyst", actor="cli")
    finally:
        db.close()
    today = dt.datetime.now(dt.UTC).date()
    rows = []
    for number, (query, results) in enumerate([("money worries", 4), ("food bank", 0), ("speech therapy", 2),
                                               ("parenting course", 9), ("autism", 0), ("housing", 1)]):
        for days_ago in range(5 + 3 * number):
            day = (today - dt.timedelta(days=days_ago)).isoformat()
            rows.append(LoggedSearch(day, query, "", "en", results))
    SearchLog(folder).add(rows)
    return ANALYST



@pytest.mark.parametrize("viewport", [DESKTOP, SMALL_PHONE], ids=lambda viewport: f"{viewport['width']}px")
def test_insight_pages_pass_axe_and_fit_a_phone(new_tab, analyst, screenshot_dir, viewport):
    tab = new_tab(viewport, bypass_csp=True)  # axe is added as an inline script
    submit_sign_in(tab, ANALYST, PASSWORD)
    for path in PAGES:
        tab.open(path)
        violations = axe_violations(tab.page)
        if violations:
            pytest.fail(describe_violations(f"{path} at {viewport['width']}px", violations), pytrace=False)
        assert_no_horizontal_scroll(tab, viewport["width"])
        name = path.removeprefix("/editor/").replace("/", "-")
        tab.page.screenshot(path=screenshot_dir / f"editor-{name}-{viewport['width']}.png", full_page=True)


def test_charts_are_drawn_without_javascript(new_tab, analyst):
    tab = new_tab(DESKTOP, javascript=False)
    submit_sign_in(tab, ANALYST, PASSWORD)
    tab.open("/editor/insight/demand")
    chart = tab.page.locator("figure.chart svg").first
    assert chart.is_visible()
    assert chart.bounding_box()["height"] > 100
    assert tab.page.locator("figure.chart svg rect").count() >= 5
    assert not tab.csp_errors() and not tab.external_requests()


def test_the_board_summary_prints_on_one_a4_sheet(new_tab, analyst, screenshot_dir):
    tab = new_tab(DESKTOP)
    submit_sign_in(tab, ANALYST, PASSWORD)
    tab.open("/editor/insight/summary")
    tab.page.emulate_media(media="print")
    for selector in (".editor-bar", ".insight-nav", "form.filters-form"):
        assert not tab.page.locator(selector).first.is_visible(), f"{selector} is printed"
    assert tab.page.locator("figure.chart svg").first.is_visible()
    pdf = tab.page.pdf(format="A4", prefer_css_page_size=True)
    (screenshot_dir / "insight-summary-print.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the board summary prints on {pages} A4 pages"
