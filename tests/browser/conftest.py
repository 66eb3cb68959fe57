"""Browser fixtures: the test directory published and served by waitress, and Debian's Chromium.

One server and one browser for the whole session; every test gets fresh browser contexts
(``new_tab``), which record each request, console error and dialog. Nothing reaches the
network: requests to anywhere but the test server are aborted, except the quick-exit
destination, which is answered with a tiny local page so leaving can be asserted offline.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from waitress import create_server, wasyncore

from app import create_app
from app.config import PROJECT_ROOT, TestingConfig
from app.content import ContentError
from app.publishing.publish import publish

from .site_content import QUICK_EXIT_URL, write_site_content

CHROMIUM = Path(os.environ.get("EARLYHELP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
OUTPUT_DIR = PROJECT_ROOT / "tests" / "output"

PHONE = {"width": 375, "height": 812}
SMALL_PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}

EXIT_PAGE_HTML = ('<!doctype html><html lang="en"><head><title>Weather</title></head><body>'
                  '<h1 id="exit-destination">Weather (stand-in for the quick-exit site)</h1></body></html>')


def _origin(url: str) -> tuple:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


@dataclass
class Site:
    """The running test server."""

    base_url: str
    content_dir: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def is_local(self, url: str) -> bool:
        parts, base = urlsplit(url), urlsplit(self.base_url)
        return parts.scheme in ("data", "blob", "about") or (
            parts.hostname == base.hostname and parts.port == base.port)


@contextmanager
def serving(content: Path, root: Path) -> Iterator[Site]:
    """``content`` published into ``root`` and served by waitress on a free port of 127.0.0.1."""
    index, instance = root / "search_index", root / "instance"
    try:
        publish(content, index, processes=1)
    except ContentError as error:
        pytest.fail("The browser tests' content does not publish:\n" + "\n".join(map(str, error.problems)),
                    pytrace=False)
    app = create_app(TestingConfig(content, index, instance))
    server = create_server(app, host="127.0.0.1", port=0, threads=4, ident="earlyhelp-test")
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.effective_port}", content)
    finally:
        # Close the listening socket and any keep-alive connections in the server's own thread,
        # which then finds nothing left to serve and returns.
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map, ignore_all=True))
        thread.join(timeout=5)
        server.task_dispatcher.shutdown()


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[Site]:
    """The browser tests' directory, published and served by waitress on a free port of 127.0.0.1."""
    root = tmp_path_factory.mktemp("browser-site")
    with serving(write_site_content(root / "content"), root) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """Debian's Chromium, headless, launched once. Fails (never skips) when it is not installed."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: the browser tests need Debian's chromium "
                    "package. Run `make browser-deps` (`make test` does) or "
                    "`apt-get install chromium chromium-driver`.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Tab:
    """One browser context with one page, and what happened in it."""

    site: Site
    context: object
    page: object
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def open(self, path: str, **goto_options):
        """Go to ``path`` on the test server; fail clearly unless it answers 200."""
        response = self.page.goto(self.site.url(path), **goto_options)
        status = response.status if response else None
        if status != 200:
            pytest.fail(f"GET {path} answered {status}, not 200: is the page there yet? "
                        f"Page text: {self.page.inner_text('body')[:300]!r}", pytrace=False)
        return response

    def path(self) -> str:
        """The current location, without the server's address (or the full URL off the server)."""
        url = self.page.url
        return url[len(self.site.base_url):] if url.startswith(self.site.base_url + "/") else url

    def external_requests(self) -> list[str]:
        return [url for url in self.requests if not self.site.is_local(url)]

    def csp_errors(self) -> list[str]:
        return [text for text in self.console_errors if "Content Security Policy" in text]


def open_tab(browser, site: Site, viewport: dict | None = None, *, javascript: bool = True,
             mobile: bool | None = None, bypass_csp: bool = False) -> Tab:
    """A new context and page that record what happens and keep every request on this machine.

    ``mobile`` (default: narrower than 768px) turns on the meta viewport and touch, as on a phone.
    """
    viewport = viewport or DESKTOP
    mobile = viewport["width"] < 768 if mobile is None else mobile
    context = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile,
                                  java_script_enabled=javascript, bypass_csp=bypass_csp,
                                  service_workers="block", locale="en-GB")
    context.set_default_timeout(10_000)
    tab = Tab(site, context, None)

    def route(route):
        url = route.request.url
        if site.is_local(url):
            route.continue_()
        elif _origin(url) == _origin(QUICK_EXIT_URL) and route.request.resource_type == "document":
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=EXIT_PAGE_HTML)
        else:
            tab.blocked.append(url)
            route.abort("blockedbyclient")

    def on_dialog(dialog):
        tab.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    context.route("**/*", route)
    context.on("request", lambda request: tab.requests.append(request.url))
    context.on("console", lambda message: message.type == "error" and tab.console_errors.append(
        f"{message.text} ({message.location.get('url', '')})"))
    context.on("weberror", lambda error: tab.page_errors.append(str(error.error)))
    context.on("dialog", on_dialog)
    tab.page = context.new_page()
    return tab


@pytest.fixture
def new_tab(browser, site) -> Iterator:
    """``new_tab(viewport=DESKTOP, javascript=True, mobile=None, bypass_csp=False)`` -> :class:`Tab`."""
    tabs = []

    def make(viewport: dict | None = None, **options) -> Tab:
        tabs.append(open_tab(browser, site, viewport, **options))
        return tabs[-1]

    yield make
    for tab in tabs:
        tab.context.close()


@pytest.fixture(scope="session")
def _reusable_tabs(browser, site) -> Iterator[dict]:
    tabs: dict = {}
    yield tabs
    for tab in tabs.values():
        tab.context.close()


@pytest.fixture
def reused_tab(browser, site, _reusable_tabs) -> Callable[..., Tab]:
    """Like ``new_tab``, but one tab per set of options for the whole session, its records cleared.

    Creating a context costs about 0.2 s; tests that only load a page and look at it share them.
    Tests that depend on history, focus or typing (quick exit, filters) use ``new_tab``.
    """

    def get(viewport: dict | None = None, **options) -> Tab:
        viewport = viewport or DESKTOP
        key = (tuple(sorted(viewport.items())), tuple(sorted(options.items())))
        tab = _reusable_tabs.get(key)
        if tab is None or tab.page.is_closed():
            tab = _reusable_tabs[key] = open_tab(browser, site, viewport, **options)
        for records in (tab.requests, tab.blocked, tab.console_errors, tab.page_errors, tab.dialogs):
            records.clear()
        return tab

    return get


@pytest.fixture
def tab(new_tab) -> Tab:
    """A desktop-sized tab with JavaScript on."""
    return new_tab(DESKTOP)


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = OUTPUT_DIR / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
