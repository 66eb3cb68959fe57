"""Setting up two-factor sign-in on a 375 px phone in a real browser: the QR code scans (decoded from
a screenshot, as a phone's camera would), the code from it switches it on, the recovery codes are
shown, and one of them signs in. No CSP errors, nothing wider than the phone, no serious axe problems."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import zxingcpp
from PIL import Image

from app.editorial import accounts, instance

from .axe import axe_violations, describe_violations
from .conftest import PHONE
from .editor_tabs import submit_sign_in
from .test_layout import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

EMAIL = "browser-two-factor@example.org"
PASSWORD = "a two factor browser passphrase"


@pytest.fixture(scope="module")
def account(site) -> str:
    db = instance.open_instance(site.content_dir.parent / "instance")
    try:
        if accounts.find_user(db, EMAIL) is None:
            accounts.create_user(db, EMAIL, PASSWORD, "publisher", name="Two Factor", actor="cli")
    finally:
        db.close()
    return EMAIL



def check(tab, where: str) -> None:
    violations = axe_violations(tab.page)
    if violations:
        pytest.fail(describe_violations(f"{where} at {PHONE['width']}px", violations), pytrace=False)
    assert_no_horizontal_scroll(tab, PHONE["width"])


def test_setting_up_two_factor_on_a_phone(new_tab, account, screenshot_dir):
    tab = new_tab(PHONE)
    submit_sign_in(tab, EMAIL, PASSWORD)
    tab.open("/editor/account")
    tab.page.get_by_role("link", name="Set up two-factor sign-in").click()
    tab.page.wait_for_load_state()
    assert tab.path() == "/editor/account/two-factor"
    assert_no_horizontal_scroll(tab, PHONE["width"])
    tab.page.screenshot(path=screenshot_dir / "editor-two-factor-set-up-375.png", full_page=True)

    qr = tab.page.locator("img.qr-code")
    qr.scroll_into_view_if_needed()
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["x"] + box["width"] <= PHONE["width"]
    decoded = [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))]
    assert len(decoded) == 1 and decoded[0].startswith("otpauth://totp/")
    secret = parse_qs(urlsplit(decoded[0]).query)["secret"][0]
    assert tab.page.inner_text("#secret-key").replace(" ", "") == secret
    assert EMAIL.replace("@", "%40") in decoded[0] or EMAIL in decoded[0]

    tab.page.fill("#code", pyotp.TOTP(secret).now())
    tab.page.get_by_role("button", name="Switch on two-factor sign-in").click()
    tab.page.wait_for_load_state()
    codes = tab.page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert_no_horizontal_scroll(tab, PHONE["width"])
    tab.page.screenshot(path=screenshot_dir / "editor-two-factor-recovery-codes-375.png", full_page=True)
    tab.page.get_by_role("link", name="I have kept my codes: continue").click()
    tab.page.wait_for_load_state()
    assert tab.path() == "/editor/account"
    assert "10 recovery codes left" in tab.page.inner_text("main")
    tab.page.get_by_role("button", name="Sign out").click()
    tab.page.wait_for_load_state()

    # Signing in again: the code step, here with a recovery code (the app's code was just used).
    submit_sign_in(tab, EMAIL, PASSWORD)
    assert tab.path() == "/editor/sign-in/code"
    assert tab.page.locator("#code").get_attribute("inputmode") == "numeric"
    assert_no_horizontal_scroll(tab, PHONE["width"])
    tab.page.get_by_text("I cannot use my app").click()
    tab.page.fill("#recovery-code", codes[0])
    tab.page.get_by_role("button", name="Use recovery code").click()
    tab.page.wait_for_load_state()
    assert tab.path() == "/editor/"
    assert "You have 9 left" in tab.page.inner_text("main")
    assert not tab.csp_errors() and not tab.external_requests() and not tab.page_errors


def test_the_two_factor_pages_pass_axe_on_a_phone(new_tab, site):
    email = "browser-two-factor-axe@example.org"
    db = instance.open_instance(site.content_dir.parent / "instance")
    try:
        if accounts.find_user(db, email) is None:
            accounts.create_user(db, email, PASSWORD, "editor", actor="cli")
    finally:
        db.close()
    tab = new_tab(PHONE, bypass_csp=True)  # axe is added as an inline script
    tab.open("/editor/sign-in")
    tab.page.fill("#email", email)
    tab.page.fill("#password", PASSWORD)
    tab.page.get_by_role("button", name="Sign in").click()
    tab.page.wait_for_load_state()
    tab.open("/editor/account/two-factor")
    check(tab, "two-factor set-up")
    tab.page.fill("#code", "000000")
    tab.page.get_by_role("button", name="Switch on two-factor sign-in").click()
    tab.page.wait_for_load_state()
    assert tab.page.locator(".error-summary a[href='#code']").count() == 1
    check(tab, "two-factor set-up with an error")
    tab.open("/editor/account")
    check(tab, "account page")
