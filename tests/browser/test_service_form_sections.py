"""The service form on a 375 px phone: sections that start closed (so the first screens show the list
of sections, not 80 fields), jump links that land on their section, an error summary whose section
is open, what the form changes in the live entry, and the change page's field column readable."""

from __future__ import annotations

import pytest

from app.editorial import accounts, instance

from .conftest import PHONE, SMALL_PHONE
from .editor_tabs import PASSWORD, click, signed_in
from .test_layout import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

SERVICE = "incredible-years"  # one venue, Brook Children's Centre, Mon-Fri 09:00-17:00
SECTIONS = ["about", "who", "access", "cost", "contact", "venues", "evidence", "review"]


@pytest.fixture(scope="module")
def editors(site) -> list[str]:
    """One editor per test, so one test's draft never redirects another's form to it."""
    emails = [f"sections-{number}@example.org" for number in range(6)]
    db = instance.open_instance(site.content_dir.parent / "instance")
    try:
        for email in emails:
            if accounts.find_user(db, email) is None:
                accounts.create_user(db, email, PASSWORD, "editor", name="Sections Editor", actor="cli")
    finally:
        db.close()
    return emails




def open_sections(tab) -> list[str]:
    return tab.page.eval_on_selector_all("details.form-section[open]", "all => all.map(d => d.id)")


def in_viewport(tab, selector: str) -> bool:
    """Whether the top of ``selector`` is on the screen (not above it, not below it), and it is shown."""
    box = tab.page.locator(selector).bounding_box()
    height = tab.page.viewport_size["height"]
    return box is not None and tab.page.locator(selector).is_visible() and -1 <= box["y"] < height


def withdraw_if_any(tab) -> None:
    """Leave the shared site's queue as it was."""
    if tab.page.get_by_role("button", name="Withdraw this change", exact=True).count():
        click(tab, "Withdraw this change")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_form_opens_on_its_list_of_sections_at_375px(new_tab, editors, javascript):
    tab = signed_in(new_tab, editors[0 if javascript else 1], PHONE, javascript=javascript)
    tab.open(f"/editor/services/{SERVICE}/edit")
    ids = tab.page.eval_on_selector_all("details.form-section", "all => all.map(d => d.id)")
    assert ids == [f"section-{section}" for section in SECTIONS]
    assert open_sections(tab) == []  # nothing changed, nothing wrong: every section closed
    links = tab.page.locator(".form-contents a")
    assert links.count() == len(SECTIONS) + 1  # and "What you changed"
    assert in_viewport(tab, ".form-contents a >> nth=0"), "the list of sections starts on the first screen"
    form_height = tab.page.evaluate("document.getElementById('entry').getBoundingClientRect().height")
    page_height = tab.page.evaluate("document.documentElement.scrollHeight")
    # Before the sections the form alone was 8,286 px tall here (9,409 px for a sample service).
    assert form_height < 1200, f"the form is {form_height}px tall at 375px"
    # Below the form: the list of its translations, a line for each of the nine languages.
    assert page_height < 4 * PHONE["height"], f"the page is {page_height}px tall at 375px"
    assert_no_horizontal_scroll(tab, PHONE["width"])
    assert not tab.csp_errors() and not tab.page_errors


def test_a_jump_link_opens_its_section_and_lands_on_it(new_tab, editors):
    tab = signed_in(new_tab, editors[2], PHONE)
    tab.open(f"/editor/services/{SERVICE}/edit")
    tab.page.locator(".form-contents").get_by_role("link", name="Venues and opening hours").click()
    assert open_sections(tab) == ["section-venues"]
    assert in_viewport(tab, "#section-venues > summary")
    assert tab.page.locator("#venue-0-hours").is_visible()
    assert tab.page.locator("#venue-0-hours").input_value() == "Mon-Fri 09:00-17:00"
    assert tab.page.evaluate("document.activeElement.closest('details') && "
                             "document.activeElement.closest('details').id") == "section-venues"


def test_without_javascript_a_jump_link_lands_on_its_section_and_a_tap_opens_it(new_tab, editors):
    tab = signed_in(new_tab, editors[3], PHONE, javascript=False)
    tab.open(f"/editor/services/{SERVICE}/edit")
    tab.page.locator(".form-contents").get_by_role("link", name="Contact").click()
    assert tab.path().endswith("#section-contact")
    assert in_viewport(tab, "#section-contact > summary")
    tab.page.locator("#section-contact > summary").click()
    assert tab.page.locator("#contact-phone").is_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_error_summary_links_into_the_open_section_with_the_error(new_tab, editors, javascript,
                                                                      screenshot_dir):
    tab = signed_in(new_tab, editors[4 if javascript else 5], PHONE, javascript=javascript)
    tab.open(f"/editor/services/{SERVICE}/edit")
    tab.page.locator("#section-venues > summary").click()
    tab.page.fill("#venue-0-postcode", "")
    click(tab, "Submit for review")
    link = tab.page.locator(".error-summary a[href='#venue-0-postcode']")
    assert link.count() == 1
    tab.page.screenshot(path=screenshot_dir / f"editor-service-form-sections-errors-{javascript}.png",
                        full_page=True)
    assert open_sections(tab) == ["section-venues"]  # the one with the error (and the change)
    summary_tags = tab.page.locator("#section-venues > summary").inner_text()
    assert "1 problem" in summary_tags and "1 change" in summary_tags
    link.click()
    assert in_viewport(tab, "#venue-0-postcode")
    assert tab.page.locator("#venue-0-postcode-error").is_visible()
    assert_no_horizontal_scroll(tab, PHONE["width"])


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE], ids=lambda viewport: f"{viewport['width']}px")
def test_what_you_changed_and_the_change_page_show_one_venues_new_hours(new_tab, editors, viewport,
                                                                        screenshot_dir):
    email = editors[0] if viewport == PHONE else editors[2]
    tab = signed_in(new_tab, email, viewport)
    tab.open(f"/editor/services/{SERVICE}/edit")
    tab.page.locator("#section-venues > summary").click()
    tab.page.fill("#venue-0-hours", "Mon-Fri 09:00-16:00")
    click(tab, "Preview")
    changed = tab.page.locator("#what-you-changed")
    text = " ".join(changed.inner_text().split())
    assert "Venues and opening hours" in text
    assert "Venue 1 (Brook Children's Centre) · Opening hours" in text
    assert changed.locator("del").inner_text() == "Mon-Fri 09:00-17:00"
    assert changed.locator("ins").inner_text() == "Mon-Fri 09:00-16:00"
    assert changed.locator(".changes-summary__row").count() == 1
    assert open_sections(tab) == ["section-venues"]
    changed.screenshot(path=screenshot_dir / f"editor-service-form-what-changed-{viewport['width']}.png")

    click(tab, "Save draft")
    assert tab.path().startswith("/editor/changes/")
    table = tab.page.locator("table.diff-table")
    rows = table.locator("tbody tr:not(.diff-table__section)")
    assert rows.count() == 1, table.inner_text()
    assert " ".join(rows.first.locator("th").inner_text().split()) == \
        "Venue 1 (Brook Children's Centre) · Opening hours"
    assert rows.first.locator("del").inner_text() == "Mon-Fri 09:00-17:00"
    # The field's name wraps between words, never letter by letter: each word fits on its line and
    # the label takes no more lines than it has words.
    label = tab.page.evaluate("""() => {
        const th = document.querySelector('.diff-table__field');
        const range = document.createRange(); range.selectNodeContents(th);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
        return {width: th.getBoundingClientRect().width, scroll: th.scrollWidth, client: th.clientWidth,
                lines: lines, words: th.textContent.trim().split(/\\s+/).length};
    }""")
    assert label["width"] >= 90, label
    assert label["scroll"] <= label["client"], label
    assert label["lines"] <= label["words"], label
    assert_no_horizontal_scroll(tab, viewport["width"])
    table.screenshot(path=screenshot_dir / f"editor-change-venue-hours-{viewport['width']}.png")
    withdraw_if_any(tab)
