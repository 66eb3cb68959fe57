"""Driving the editor as a browser does, with CSRF protection on: fetch the form, read its token,
post it back."""

from __future__ import annotations

import datetime as dt

from argon2 import PasswordHasher
from bs4 import BeautifulSoup

from app.editorial import accounts

from ..pages import check_page_rules

PASSWORD = "correct horse battery staple"
# One account per role; the provider works for the factories' organisation.
EMAILS = {role: f"{role}@example.org" for role in accounts.ROLES}

# Still argon2id, but cheap: hashing at the real 64 MiB would make the suite slow. Tests of the
# real parameters ask for them (see test_accounts.py).
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


class Clock:
    """A clock the test moves: ``clock.advance(minutes=16)``."""

    def __init__(self):
        self.now = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


def csrf_token(client, page_url: str) -> str:
    """The CSRF token in the page at ``page_url`` (which must render a form)."""
    response = client.get(page_url)
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    field = soup.find("input", attrs={"name": "csrf_token"})
    assert field is not None and field.get("value"), f"{page_url}: no csrf_token field"
    return field["value"]


def post_form(client, action_url: str, data: dict | None = None, page_url: str | None = None, **options):
    """POST ``data`` to ``action_url`` with the token from ``page_url`` (default: the action's own page)."""
    token = csrf_token(client, page_url or action_url)
    return client.post(action_url, data={**(data or {}), "csrf_token": token}, **options)


def sign_in(client, email: str, password: str = PASSWORD, **options):
    """Sign in through the form; returns the POST's response (a 303 on success)."""
    return post_form(client, "/editor/sign-in", {"email": email, "password": password}, **options)


def session_cookie(client):
    """The editor session cookie in ``client``'s jar, or None."""
    return client.get_cookie("earlyhelp_editor")


def get_editor_page(client, url: str, status: int = 200) -> BeautifulSoup:
    """GET an editor page; check the page-wide rules and that it is private; return it parsed."""
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    assert response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-store", url
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow", url
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    check_page_rules(soup, url)
    robots = soup.find("meta", attrs={"name": "robots"})
    assert robots and "noindex" in robots["content"], f"{url}: no robots noindex meta"
    return soup
