"""The harness itself: the server serves the published test directory and nothing leaves this machine."""

from __future__ import annotations

import json

import pytest

from .site_content import QUICK_EXIT_URL, SERVICES

pytestmark = pytest.mark.browser


def test_the_server_serves_the_published_test_directory(tab):
    response = tab.page.goto(tab.site.url("/healthz"))
    assert response.status == 200
    health = json.loads(tab.page.inner_text("body"))
    published = sum(1 for entry in SERVICES if entry["status"] == "published")
    assert health["status"] == "ok"
    assert published in health["counts"].values(), health["counts"]


def test_requests_off_this_machine_are_blocked_and_recorded(new_tab):
    tab = new_tab(bypass_csp=True)  # else the site's own CSP stops the request before the route does
    tab.page.goto(tab.site.url("/healthz"))
    outcome = tab.page.evaluate(
        "() => fetch('https://example.org/tracker.js').then(() => 'loaded', () => 'blocked')")
    assert outcome == "blocked"
    assert tab.blocked == ["https://example.org/tracker.js"]
    assert tab.external_requests() == ["https://example.org/tracker.js"]


def test_the_quick_exit_destination_is_answered_locally(tab):
    tab.page.goto(QUICK_EXIT_URL)
    assert tab.page.url == QUICK_EXIT_URL
    assert tab.page.locator("#exit-destination").is_visible()
    assert tab.blocked == []


def test_content_security_policy_violations_are_recorded(tab):
    """So that test_no_content_security_policy_errors cannot pass for want of seeing them."""
    tab.page.goto(tab.site.url("/healthz"))
    tab.page.evaluate("""() => {
        const script = document.createElement('script');
        script.textContent = 'window.inlineRan = true';
        document.head.appendChild(script);
    }""")
    tab.page.wait_for_timeout(100)
    assert tab.page.evaluate("() => window.inlineRan") is None
    assert tab.csp_errors(), tab.console_errors
