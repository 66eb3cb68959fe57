"""The whole editorial loop in a real browser, without JavaScript: a provider proposes a change to a
service of their organisation, an editor submits it, a publisher approves it, and the public page
shows the new text. The form and the change page pass axe-core and fit a phone."""

from __future__ import annotations

import pytest

from app.editorial import accounts, instance

from .axe import axe_violations, describe_violations
from .conftest import DESKTOP, SMALL_PHONE
from .editor_tabs import PASSWORD, click, signed_in
from .test_layout import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

PEOPLE = {"provider": "loop-provider@example.org", "editor": "loop-editor@example.org",
          "publisher": "loop-publisher@example.org"}
SERVICE = "teen-parenting"
NEW_TEXT = "Sessions now also run on Thursday evenings at the library."


@pytest.fixture(scope="module")
def people(site) -> dict[str, str]:
    db = instance.open_instance(site.content_dir.parent / "instance")
    try:
        for role, email in PEOPLE.items():
            if accounts.find_user(db, email) is None:
                accounts.create_user(db, email, PASSWORD, role, name=f"Loop {role}", actor="cli",
                                     organisation="test-org" if role == "provider" else None)
    finally:
        db.close()
    return PEOPLE




def test_provider_proposes_editor_submits_publisher_approves_and_the_public_page_shows_it(new_tab, people):
    provider = signed_in(new_tab, people["provider"], javascript=False)
    provider.open(f"/editor/services/{SERVICE}/edit")
    provider.page.locator("#section-about > summary").click()  # the form's sections start closed
    body = provider.page.locator("#body")
    body.fill(body.input_value() + "\n\n" + NEW_TEXT)
    click(provider, "Preview")
    assert NEW_TEXT in provider.page.locator(".preview__body").inner_text()
    click(provider, "Save draft")
    change_path = provider.path()
    assert change_path.startswith("/editor/changes/")
    assert provider.page.locator("#change-status").inner_text() == "Draft"

    editor = signed_in(new_tab, people["editor"], javascript=False)
    editor.open("/editor/changes")
    editor.page.locator(f"#other-drafts-heading ~ div a[href='{change_path}']").click()
    editor.page.wait_for_load_state()
    assert NEW_TEXT in editor.page.locator("pre.diff").inner_text()
    click(editor, "Submit for review")
    assert editor.page.locator("#change-status").inner_text() == "In review"

    publisher = signed_in(new_tab, people["publisher"], javascript=False)
    publisher.open(change_path)
    click(publisher, "Approve and publish")
    assert publisher.page.locator("#change-status").inner_text() == "Published"

    visitor = new_tab(DESKTOP, javascript=False)
    visitor.open(f"/services/{SERVICE}")
    assert NEW_TEXT in visitor.page.locator("main").inner_text()
    for tab in (provider, editor, publisher, visitor):
        assert not tab.csp_errors() and not tab.external_requests()


@pytest.mark.parametrize("viewport", [DESKTOP, SMALL_PHONE], ids=lambda viewport: f"{viewport['width']}px")
def test_the_service_form_and_a_change_page_pass_axe_and_fit_a_phone(new_tab, people, viewport,
                                                                     screenshot_dir):
    tab = signed_in(new_tab, people["editor"], viewport, javascript=True, bypass_csp=True)  # axe is inline

    def check(where: str) -> None:
        violations = axe_violations(tab.page)
        if violations:
            pytest.fail(describe_violations(f"{where} at {viewport['width']}px", violations), pytrace=False)
        assert_no_horizontal_scroll(tab, viewport["width"])
        tab.page.screenshot(path=screenshot_dir / f"editor-{where.replace(' ', '-')}-{viewport['width']}.png",
                            full_page=True)

    tab.open("/editor/services/debt-advice/edit")
    tab.page.locator("#section-about > summary").click()  # the form's sections start closed
    tab.page.locator("#section-venues > summary").click()
    tab.page.fill("#summary", "")
    tab.page.fill("#venue-0-name", "A hall without a postcode")
    click(tab, "Submit for review")
    assert tab.page.locator(".error-summary a[href='#summary']").count() == 1
    assert tab.page.locator("#venue-0-postcode-error").count() == 1
    check("service form with errors")
    tab.page.fill("#summary", "Free advice on debts.")
    tab.page.fill("#venue-0-name", "")
    click(tab, "Save draft")
    assert tab.page.get_by_role("link", name="Edit this change").is_visible()
    check("change page")
    click(tab, "Withdraw this change")  # leave the shared site's queue as it was
