"""The editor's pages in a real browser: signing in and out without JavaScript, no serious axe-core
problems, no CSP errors, and nothing wider than a 320 px phone (tables scroll inside their box)."""

from __future__ import annotations

import pytest

from app.editorial import accounts, instance

from .axe import axe_violations, describe_violations
from .conftest import DESKTOP, SMALL_PHONE
from .editor_tabs import submit_sign_in
from .test_layout import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

ADMIN = "browser-admin@example.org"
PASSWORD = "a browser test passphrase"


@pytest.fixture(scope="module")
def target_id(site) -> int:
    """An admin to sign in as and an account to look at, in the served site's instance folder."""
    db = instance.open_instance(site.content_dir.parent / "instance")
    try:
        if accounts.find_user(db, ADMIN) is None:
            accounts.create_user(db, ADMIN, PASSWORD, "admin", name="Browser Admin", actor="cli")
        target = accounts.find_user(db, "browser-editor@example.org") or accounts.create_user(
            db, "browser-editor@example.org", PASSWORD, "editor", name="Browser Editor", actor="cli")
        return target.id
    finally:
        db.close()



def test_sign_in_and_out_without_javascript(new_tab, target_id):
    tab = new_tab(DESKTOP, javascript=False)
    submit_sign_in(tab, ADMIN, PASSWORD)
    assert tab.path() == "/editor/"
    assert tab.page.locator("h1").inner_text() == "Dashboard"
    tab.page.get_by_role("button", name="Sign out").click()
    tab.page.wait_for_load_state()
    assert tab.path() == "/editor/sign-in"
    assert "You have signed out." in tab.page.inner_text("main")
    assert not tab.csp_errors() and not tab.external_requests()


EDITOR_PAGES = ["/editor/", "/editor/users", "/editor/users/new", "/editor/users/{target}", "/editor/audit",
                "/editor/reviews", "/editor/suggestions", "/editor/account",
                "/editor/settings"]


@pytest.mark.parametrize("viewport", [DESKTOP, SMALL_PHONE], ids=lambda viewport: f"{viewport['width']}px")
def test_editor_pages_pass_axe_and_fit_a_phone(new_tab, target_id, screenshot_dir, viewport):
    tab = new_tab(viewport, bypass_csp=True)  # axe is added as an inline script

    def check(where: str) -> None:
        violations = axe_violations(tab.page)
        if violations:
            pytest.fail(describe_violations(f"{where} at {viewport['width']}px", violations), pytrace=False)
        assert_no_horizontal_scroll(tab, viewport["width"])

    def screenshot(name: str) -> None:
        tab.page.screenshot(path=screenshot_dir / f"editor-{name}-{viewport['width']}.png", full_page=True)

    # The sign-in page showing its errors.
    tab.open("/editor/sign-in")
    tab.page.get_by_role("button", name="Sign in").click()
    tab.page.wait_for_load_state()
    assert tab.page.locator(".error-summary a[href='#email']").count() == 1
    check("sign-in with errors")
    screenshot("sign-in-errors")

    submit_sign_in(tab, ADMIN, PASSWORD)
    for path in EDITOR_PAGES:
        tab.open(path.format(target=target_id))
        check(path)
        if path == "/editor/reviews":
            screenshot("reviews")
    screenshot("audit")

    tab.open("/editor/users/new")
    tab.page.get_by_role("button", name="Add user").click()
    tab.page.wait_for_load_state()
    assert tab.page.locator(".error-summary li").count() >= 2
    check("add user with errors")
    screenshot("add-user-errors")
