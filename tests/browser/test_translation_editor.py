"""The translation editor in a real browser: a Polish translation made on a phone (375 px, the English
above each field), reviewed by a second person and published to the Polish page; an Arabic one typed right
to left beside the English on a wide screen. The pages pass axe-core and do not scroll sideways.

The module serves a content folder of its own, so the translations published here change nothing the
other browser tests look at."""

from __future__ import annotations

import pytest

from app.editorial import accounts, instance

from .axe import axe_violations, describe_violations
from .conftest import DESKTOP, PHONE, serving
from .editor_tabs import PASSWORD, click, signed_in
from .site_content import write_site_content
from .test_layout import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

EDITOR, PUBLISHER = "translator@example.org", "translation-publisher@example.org"
POLISH_TITLE = "Porady dotyczące długów i zasiłków"
ARABIC_TITLE = "نصائح بشأن الديون والإعانات"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("translation-editor")
    content = write_site_content(root / "content")
    with serving(content, root) as running:
        db = instance.open_instance(root / "instance")
        try:
            accounts.create_user(db, EDITOR, PASSWORD, "editor", name="Translator", actor="cli")
            accounts.create_user(db, PUBLISHER, PASSWORD, "publisher", name="Publisher", actor="cli")
        finally:
            db.close()
        yield running




def check_page(tab, width: int, where: str, screenshot_dir) -> None:
    violations = axe_violations(tab.page)
    if violations:
        pytest.fail(describe_violations(f"{where} at {width}px", violations), pytrace=False)
    assert_no_horizontal_scroll(tab, width)
    tab.page.screenshot(path=screenshot_dir / f"editor-{where}-{width}.png", full_page=True)


def box(tab, selector: str) -> dict:
    return tab.page.locator(selector).first.bounding_box()


def test_a_polish_translation_is_made_on_a_phone_approved_by_a_second_person_and_published(
        new_tab, screenshot_dir):
    editor = signed_in(new_tab, EDITOR, PHONE, javascript=True, bypass_csp=True)  # axe is inline
    editor.open("/editor/services/debt-advice/edit")
    polish = editor.page.locator("#translations-heading ~ ul li", has_text="Polish (pl)")
    assert "Not translated" in polish.inner_text()
    polish.get_by_role("link", name="Polish (pl)").click()
    editor.page.wait_for_load_state()
    assert editor.path() == "/editor/translations/services/debt-advice.pl/edit"

    # On a phone the English comes above the field it is translated into.
    english, field = box(editor, ".translation-source"), box(editor, "#title")
    assert english["y"] + english["height"] <= field["y"]
    assert editor.page.locator("#title").get_attribute("lang") == "pl"
    assert editor.page.locator(".translation-source").first.inner_text().endswith("Debt and benefits advice")
    editor.page.fill("#title", POLISH_TITLE)
    editor.page.fill("#summary", "Bezpłatne, poufne porady w sprawie długów i rachunków.")
    editor.page.fill("#body", "Pomagamy rodzinom, które mają problemy z pieniędzmi.")
    check_page(editor, PHONE["width"], "translation-form", screenshot_dir)
    click(editor, "Submit for review")
    change_path = editor.path()
    assert editor.page.locator("#change-status").inner_text() == "In review"
    check_page(editor, PHONE["width"], "translation-change", screenshot_dir)

    publisher = signed_in(new_tab, PUBLISHER, PHONE)
    publisher.open(change_path)
    click(publisher, "Approve and publish")
    assert publisher.page.locator("#change-status").inner_text() == "Published"

    visitor = new_tab(PHONE, javascript=False)
    visitor.open("/pl/services/debt-advice")
    assert visitor.page.locator("h1").inner_text() == POLISH_TITLE
    editor.open("/editor/services/debt-advice/edit")
    listed = editor.page.locator("#translations-heading ~ ul li", has_text="Polish (pl)")
    assert "Up to date" in listed.inner_text()
    for tab in (editor, publisher, visitor):
        assert not tab.external_requests()
    assert not publisher.csp_errors() and not visitor.csp_errors()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda viewport: f"{viewport['width']}px")
def test_an_arabic_translation_is_typed_right_to_left_beside_the_english(new_tab, viewport, screenshot_dir):
    editor = signed_in(new_tab, EDITOR, viewport, javascript=True, bypass_csp=True)
    editor.open("/editor/translations/services/debt-advice.ar/edit")
    for selector in ("#title", "#summary", "#body"):
        assert editor.page.locator(selector).get_attribute("dir") == "rtl", selector
        assert editor.page.locator(selector).get_attribute("lang") == "ar", selector
    direction = editor.page.locator("#title").evaluate("element => getComputedStyle(element).direction")
    assert direction == "rtl"
    english, field = box(editor, ".translation-source"), box(editor, "#title")
    if viewport is DESKTOP:  # side by side: the English on the left, at the same height
        assert english["x"] + english["width"] <= field["x"] and abs(english["y"] - field["y"]) < 60
    else:
        assert english["y"] + english["height"] <= field["y"]
    editor.page.fill("#title", ARABIC_TITLE)
    editor.page.fill("#summary", "نصائح مجانية وسرية بشأن الديون والفواتير.")
    editor.page.fill("#body", "نساعد العائلات التي تواجه مشاكل مالية.")
    check_page(editor, viewport["width"], "arabic-translation-form", screenshot_dir)
    click(editor, "Save draft")
    assert editor.page.locator("#change-status").inner_text() == "Draft"
    assert ARABIC_TITLE in editor.page.locator("main").inner_text()
    click(editor, "Withdraw this change")  # the next run starts from no translation again


@pytest.mark.parametrize("path", ["/editor/taxonomy/needs/edit", "/editor/taxonomy/age-bands/edit",
                                  "/editor/translations/taxonomy/needs.ar/edit",
                                  "/editor/reviews?kind=service_translation"])
def test_the_taxonomy_forms_and_review_dates_pass_axe_and_fit_a_phone(new_tab, path, screenshot_dir):
    editor = signed_in(new_tab, EDITOR, PHONE, javascript=True, bypass_csp=True)
    editor.open(path)
    if "needs.ar" in path:
        assert editor.page.locator("#term-0-label").get_attribute("dir") == "rtl"
    name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-")
    check_page(editor, PHONE["width"], name, screenshot_dir)
