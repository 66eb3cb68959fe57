"""Every editor route is guarded: a matrix over ``app.url_map``, so routes added later are covered.

Signed out, every rule under /editor/ but the sign-in page sends you to sign in. Signed in, each
role gets the 403 page from every route its role may not use, and a real answer from the others.
Which roles a route admits is read from its guard (``role_required``), and a route without a
guard is refused outright.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from werkzeug.routing import IntegerConverter

from app.editorial import accounts, instance, two_factor
from app.web.editor import is_editor_path

from ..pages import check_page_rules
from ..test_headers_and_assets import PUBLIC_URLS
from .helpers import EMAILS, PASSWORD, csrf_token, sign_in

# The sign-in page, and its second step (the two-factor code), which reads the half-signed-in state.
OPEN_ENDPOINTS = {"editor.sign_in", "editor.sign_in_code"}
LAST = {"editor.sign_out"}  # ends the session, so it goes after the others
# The insight reports (/editor/insight): for analysts, who change nothing, and admins.
INSIGHT_ENDPOINTS = {"editor.insight", "editor.insight_coverage", "editor.insight_coverage_csv",
                     "editor.insight_coverage_json", "editor.insight_demand", "editor.insight_demand_csv",
                     "editor.insight_quality", "editor.insight_quality_csv", "editor.insight_summary"}
TWO_FACTOR_OWN = {"editor.two_factor_set_up", "editor.two_factor_confirm", "editor.two_factor_recovery_codes",
                  "editor.two_factor_off"}
EVERY_ACCOUNT = ({"editor.dashboard", "editor.account", "editor.change_password", "editor.change_language",
                  "editor.sign_out"}
                 | TWO_FACTOR_OWN)
# Reachable by an account whose role must use two-factor sign-in before it has set it up.
BEFORE_TWO_FACTOR = {"editor.two_factor_set_up", "editor.two_factor_confirm", "editor.sign_out"}


@pytest.fixture
def target(db, accounts_by_role) -> accounts.User:
    """An account for routes about one account to act on, so no one changes their own."""
    return accounts.create_user(db, "target@example.org", PASSWORD, "editor", actor="cli")


def editor_requests(app, target) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every rule under /editor/, with sample values for its arguments."""
    found = []
    for rule in app.url_map.iter_rules():
        if not is_editor_path(rule.rule):
            continue
        values = {name: target.id if isinstance(converter, IntegerConverter) else "sample"
                  for name, converter in rule._converters.items()}
        url = rule.build(values)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    return sorted(found, key=lambda item: (item[0] in LAST, item))


def send(client, method: str, url: str, token_page: str):
    """The request, with a valid CSRF token on anything but a GET: the guard, not the CSRF check, answers."""
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": csrf_token(client, token_page)})


def test_the_matrix_sees_the_routes_we_know(editor_app, target):
    endpoints = {endpoint for endpoint, _, _ in editor_requests(editor_app, target)}
    assert {"editor.sign_in", "editor.sign_out", "editor.dashboard", "editor.users", "editor.new_user",
            "editor.user", "editor.change_role", "editor.reset_password", "editor.disable_user",
            "editor.enable_user", "editor.audit", "editor.audit_csv", "editor.settings_form",
            "editor.settings_history", "editor.sign_in_code", "editor.two_factor_settings",
            "editor.reset_two_factor"} | TWO_FACTOR_OWN <= endpoints


def test_every_editor_view_wears_a_guard(editor_app):
    for rule in editor_app.url_map.iter_rules():
        if is_editor_path(rule.rule):
            view = editor_app.view_functions[rule.endpoint]
            assert hasattr(view, "editor_roles"), f"{rule.rule} has no role_required guard"
            if rule.endpoint not in OPEN_ENDPOINTS:
                assert view.editor_roles, f"{rule.rule} is open to everyone"


def test_signed_out_every_route_but_sign_in_redirects_to_sign_in(editor_app, target):
    client = editor_app.test_client()
    checked = 0
    for endpoint, method, url in editor_requests(editor_app, target):
        if endpoint in OPEN_ENDPOINTS:
            continue
        response = send(client, method, url, "/editor/sign-in")
        assert response.status_code == 303, f"{method} {url}: {response.status_code}"
        assert response.headers["Location"].startswith("/editor/sign-in"), f"{method} {url}"
        assert response.headers["Cache-Control"] == "no-store"
        checked += 1
    assert checked >= 11


@pytest.mark.parametrize("role", accounts.ROLES)
def test_each_role_is_refused_exactly_the_routes_it_may_not_use(editor_app, target, role):
    client = editor_app.test_client()
    assert sign_in(client, EMAILS[role]).status_code == 303
    refused, allowed = [], []
    for endpoint, method, url in editor_requests(editor_app, target):
        if endpoint in OPEN_ENDPOINTS:
            continue
        roles = editor_app.view_functions[endpoint].editor_roles
        response = send(client, method, url, "/editor/")
        assert response.headers["Cache-Control"] == "no-store", f"{method} {url}"
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow", f"{method} {url}"
        if role in roles:
            assert response.status_code != 403 and response.status_code < 500, \
                f"{role}: {method} {url}: {response.status_code}"
            allowed.append(endpoint)
            if method == "GET" and response.status_code == 200 and response.mimetype == "text/html":
                soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
                check_page_rules(soup, url)
                assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex", url
        else:
            assert response.status_code == 403, f"{role}: {method} {url}: {response.status_code}"
            soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
            check_page_rules(soup, url)
            assert "You do not have permission" in soup.find("h1").get_text()
            refused.append(endpoint)
    assert "editor.dashboard" in allowed
    if role == "admin":
        assert not refused
    else:
        assert {"editor.users", "editor.audit", "editor.audit_csv", "editor.settings_form",
                "editor.settings_history", "editor.two_factor_settings",
                "editor.reset_two_factor"} <= set(refused)
    if role == "analyst":  # reads the reports, and may change nothing but its own password
        assert set(allowed) == INSIGHT_ENDPOINTS | EVERY_ACCOUNT
    elif role != "admin":
        assert set(refused) >= INSIGHT_ENDPOINTS


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_a_role_that_must_use_two_factor_reaches_only_its_set_up_until_done(editor_app, target, db,
                                                                          accounts_by_role, role):
    two_factor.set_required_roles(db, list(accounts.ROLES), actor=accounts_by_role["admin"])
    client = editor_app.test_client()
    assert sign_in(client, EMAILS[role]).status_code == 303
    for endpoint, method, url in editor_requests(editor_app, target):
        if endpoint in OPEN_ENDPOINTS or endpoint in BEFORE_TWO_FACTOR:
            continue
        response = send(client, method, url, "/editor/account/two-factor")
        assert response.status_code == 303, f"{role}: {method} {url}: {response.status_code}"
        assert response.headers["Location"].startswith("/editor/account/two-factor"), f"{method} {url}"
    assert client.get("/editor/account/two-factor").status_code == 200
    assert not two_factor.is_enabled(db, accounts.find_user(db, EMAILS[role]).id)


def test_every_insight_route_is_guarded_for_analysts_and_admins(editor_app):
    found = {rule.endpoint for rule in editor_app.url_map.iter_rules()
             if rule.rule.startswith("/editor/insight")}
    assert found == INSIGHT_ENDPOINTS
    for endpoint in found:
        assert editor_app.view_functions[endpoint].editor_roles == ("analyst", "admin"), endpoint


def test_a_route_without_a_guard_is_refused(editor_app, accounts_by_role):
    # Registered by hand under the editor's name, as a forgetful developer might.
    editor_app.add_url_rule("/editor/forgotten", "editor.forgotten", lambda: "secret")
    client = editor_app.test_client()
    assert client.get("/editor/forgotten").status_code == 403
    sign_in(client, EMAILS["admin"])
    response = client.get("/editor/forgotten")
    assert response.status_code == 403 and "secret" not in response.get_data(as_text=True)


def test_unknown_editor_addresses_are_private_too(editor_app):
    response = editor_app.test_client().get("/editor/no-such-page")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"


def test_public_pages_set_no_cookie_even_for_a_signed_in_editor(app, folders):
    db = instance.open_instance(folders["instance"])
    accounts.create_user(db, EMAILS["editor"], PASSWORD, "editor", actor="cli")
    db.close()
    client = app.test_client()
    sign_in(client, EMAILS["editor"])
    client.get("/editor/")
    for url in PUBLIC_URLS:
        response = client.get(url)
        assert "Set-Cookie" not in response.headers, url
        assert "Cookie" not in response.vary, url


TRANSLATION_AND_TAXONOMY_ENDPOINTS = {
    "editor.taxonomy", "editor.edit_taxonomy", "editor.taxonomy_history", "editor.taxonomy_version",
    "editor.restore_taxonomy_version", "editor.confirm_entry_review",
    *{f"editor.{view}" for kind in ("service", "hub", "page", "taxonomy")
      for view in (f"edit_{kind}_translation", f"archive_{kind}_translation", f"{kind}_translation_history",
                   f"{kind}_translation_version", f"restore_{kind}_translation_version")},
    *{f"editor.translations_{folder}" for folder in ("services", "hubs", "pages", "taxonomy")},
}


def test_translation_and_taxonomy_routes_are_for_editors_publishers_and_admins(editor_app):
    found = {rule.endpoint for rule in editor_app.url_map.iter_rules()
             if rule.rule.startswith(("/editor/translations/", "/editor/taxonomy"))
             or rule.endpoint == "editor.confirm_entry_review"}
    assert found == TRANSLATION_AND_TAXONOMY_ENDPOINTS
    for endpoint in found:
        assert editor_app.view_functions[endpoint].editor_roles == ("editor", "publisher", "admin"), endpoint
