"""Hostile form input for the editor's property tests: the values, one published site with a signed-in
account shared by every example (hypothesis runs many), and the checks that a page shows no unsafe HTML."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bs4 import BeautifulSoup
from hypothesis import strategies as st

from app import create_app
from app.config import TestingConfig
from app.editorial import accounts, instance

from .changes_helpers import publish_folder, write_two_organisations
from .helpers import EMAILS, FAST_HASHER, PASSWORD, csrf_token, sign_in

HOSTILE = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["<script>alert(1)</script>", "javascript:alert(1)", "[x](javascript:alert(1))",
                     "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>", "{{ 7*7 }}", "---",
                     "- a\n- b",
                     "key: value", "[a, b", "&#106;avascript:alert(1)", "[x](java&#09;script:alert(1))",
                     "\x00\x01\x7f", "\u202e\u2028", "99999999999999999999999", "-1", "x" * 5000]),
)
UNSAFE_TAGS = {"script", "img", "svg", "iframe", "object", "embed", "style", "form", "input", "math"}
SAFE_HREF = re.compile(r"^(https?:|mailto:|tel:|#|/|[^:]*$)", re.IGNORECASE)


@contextmanager
def hostile_site(tmp_path_factory, name: str, token_page: str, role: str = "editor",
                 write_content: Callable[[Path], Path] = write_two_organisations) -> Iterator[tuple]:
    """(client signed in as ``role``, a CSRF token from ``token_page``) over the two-organisation site
    (or what ``write_content`` writes into the folder it is given), published once, in a folder of its own."""
    root = tmp_path_factory.mktemp(name)
    content = write_content(root / "content")
    publish_folder(content, root / "index")
    hasher, accounts.PASSWORD_HASHER = accounts.PASSWORD_HASHER, FAST_HASHER
    try:
        db = instance.open_instance(root / "instance")
        accounts.create_user(db, EMAILS[role], PASSWORD, role, actor="cli")
        db.close()
        client = create_app(TestingConfig(content, root / "index", root / "instance")).test_client()
        sign_in(client, EMAILS[role])
        yield client, csrf_token(client, token_page)
    finally:
        accounts.PASSWORD_HASHER = hasher


def assert_safe_html(soup: BeautifulSoup) -> None:
    """No markup from the input survives: the preview holds only safe tags and links, no element anywhere
    carries an event handler, and there is no inline script."""
    for tag in soup.select(".preview__body *"):
        assert tag.name not in UNSAFE_TAGS, str(tag)[:300]
        assert tag.get("href") is None or SAFE_HREF.match(tag["href"]), tag["href"]
    assert not soup.find("script", src=False, type=lambda value: value != "application/ld+json")
    assert not any(attribute.startswith("on") for tag in soup.find_all(True) for attribute in tag.attrs)
