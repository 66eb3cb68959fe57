"""Rendered public pages kept per release, and ETags so browsers and caches can ask "still the same?".

A public page depends only on the release, the address asked for (host,
language prefix, path and query), the day (review dates shown as overdue), the
language an English page suggests from ``Accept-Language``, and the code and
catalogues that render it. The views keep what is costly to build (a search and
its rendered page, a rendered service page) in :class:`RenderedPages` under a
key of exactly those, so a page asked for again is not built again; the view
itself still runs on every request (a search is still logged, the release is
still checked). A new release needs no invalidation: its id is part of every
key, and the entries of an older release are dropped when a newer one is seen.

Every public GET answered 200 carries a weak ETag of the same things (the URL
is the cache's own key), and an ``If-None-Match`` that matches gets 304.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, request
from markupsafe import Markup
from werkzeug.http import http_date

from .compression import MINIMUM_SIZE
from .i18n import DEFAULT_LANGUAGE, english_only_page, offered_languages, request_language
from .request_overhead import vary_on

PACKAGE = Path(__file__).resolve().parent.parent
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
# Parts of pages (a result card) kept apart from whole pages, so that every new search reuses the
# cards other searches rendered, even when no whole page is kept (EARLYHELP_RENDERED_PAGES_MB=0).
# A result card costs about 1.3 KB: some 12,000 a process (10,000 services in one language).
FRAGMENTS_MAX_BYTES = 16 * 1024 * 1024
# Where ETags apply: public pages, the practitioner tools and the search API (not the editor,
# not the health check; the ORUK feed sets its own from the release).
ETAG_BLUEPRINTS = frozenset({"public", "practitioner"})
ETAG_ENDPOINTS = frozenset({"api.search"})
# What make_conditional reads from a request (a 304, 412 or 206 answer).
CONDITIONAL_HEADERS = frozenset({"HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH",
                                 "HTTP_IF_UNMODIFIED_SINCE", "HTTP_RANGE", "HTTP_IF_RANGE"})


def code_fingerprint(*translation_dirs: Path) -> str:
    """A hash of the code, templates and compiled catalogues that render pages: a deployment of
    other code gives other ETags, and read nodes running the same code agree."""
    digest = hashlib.sha256()
    files = [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.html"), *PACKAGE.rglob("*.xml")]
    for folder in translation_dirs:
        files += folder.rglob("*.mo")
    for path in sorted(files):
        digest.update(path.relative_to(path.anchor).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class RenderedPage:
    """A page's text (HTML, or JSON for the search API), what the view needs again when it is
    served from the store (a search's number of results, for the search log), and its gzipped bytes
    once asked for.

    Only the number is kept, not the search's result: thousands of kept pages each holding a
    result's hits and facet counts were objects every garbage collection had to walk."""

    text: str
    total: int | None = None
    mimetype: str = "text/html"
    _gzipped: bytes | None = None

    def size(self) -> int:
        # the text and its gzipped copy (about a fifth)
        return len(self.text) * 6 // 5 + 200

    def response(self) -> Response:
        """The page as a response, gzipped when the client accepts it (compressed once, then kept)."""
        body = self.text.encode()
        if len(body) < MINIMUM_SIZE or "gzip" not in request.accept_encodings:
            response = Response(body, mimetype=self.mimetype)
        else:
            if self._gzipped is None:
                self._gzipped = gzip.compress(body, 6, mtime=0)
            response = Response(self._gzipped, mimetype=self.mimetype)
            response.headers["Content-Encoding"] = "gzip"
        vary_on(response, "Accept-Encoding")  # as the compression step does for other responses
        return response


class RenderedPages:
    """A bounded, thread-safe least-recently-used store of rendered pages of one release at a time."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._release: str | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """The bytes the kept pages hold (as measured by the ``size`` given when keeping them)."""
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def get_or_build(self, release_id: str, key: tuple, build: Callable[[], Any],
                     size: Callable[[Any], int]) -> Any:
        """The value kept for ``(release_id, key)``, else ``build()`` kept and returned.

        Two threads asking for the same new page may both build it; the result is the same.
        """
        found = self.get(release_id, key)
        if found is not None:
            return found
        value = build()
        self.keep(release_id, key, value, size(value))
        return value

    def get(self, release_id: str, key: tuple) -> Any | None:
        """The value kept for ``(release_id, key)``, or None."""
        full_key = (release_id, *key)
        with self._lock:
            if release_id != self._release:
                self._entries.clear()  # a new release (or a rollback): nothing kept still applies
                self._bytes, self._release = 0, release_id
            found = self._entries.get(full_key)
            if found is None:
                return None
            self._entries.move_to_end(full_key)
            return found[0]

    def keep(self, release_id: str, key: tuple, value: Any, cost: int) -> None:
        """Keep ``value`` for ``(release_id, key)`` (``cost`` bytes), unless a newer release was seen
        meanwhile or it is larger than the store; the least recently used go to make room."""
        full_key = (release_id, *key)
        with self._lock:
            if release_id == self._release and cost <= self.max_bytes and full_key not in self._entries:
                self._entries[full_key] = (value, cost)
                self._bytes += cost
                while self._bytes > self.max_bytes:
                    _, (_, dropped) = self._entries.popitem(last=False)
                    self._bytes -= dropped


def suggested_language_code() -> str | None:
    """The offered language an English page suggests from ``Accept-Language``, if any."""
    if request_language() != DEFAULT_LANGUAGE or english_only_page():
        return None
    best = request.accept_languages.best_match(offered_languages())
    return best if best and best != DEFAULT_LANGUAGE else None


def variant() -> tuple:
    """What a page's text depends on besides the release and its URL (worked out once a request)."""
    found = g.get("page_variant")
    if found is None:
        found = g.page_variant = (current_app.extensions["code_fingerprint"], dt.date.today().isoformat(),
                                  request_language(), suggested_language_code())
    return found


def page_key() -> tuple:
    """The key of the page this request asks for (the release id is added by the store): the
    address as asked, read from the WSGI environment (cheaper than building ``request.url``)."""
    environ = request.environ
    return (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"), environ.get("SCRIPT_NAME"),
            environ.get("PATH_INFO"), environ.get("QUERY_STRING"), *variant())


def rendered(release_id: str, build: Callable[[], str | RenderedPage], extra: tuple = ()) -> RenderedPage:
    """This request's page as ``build`` renders it (HTML, or a :class:`RenderedPage`), built once
    per release and variant and kept. ``extra``: what else the page shows that changes without a
    new release or address (a service's "open now"); it is part of the key and of the ETag."""
    def page() -> RenderedPage:
        built = build()
        return built if isinstance(built, RenderedPage) else RenderedPage(built)

    # The ETag names the release the page came from, even when another is published meanwhile.
    g.page_release = release_id
    g.page_extra = extra
    return current_app.extensions["rendered_pages"].get_or_build(release_id, (*page_key(), *extra), page,
                                                                 RenderedPage.size)


def kept(release_id: str, key: tuple, build: Callable[[], Any], cost: int = 8192) -> Any:
    """What ``build`` reads from ``release_id`` for ``key``, read once per release and kept beside
    the pages (for a view that needs it on every request, before its page). None is not kept."""
    return current_app.extensions["rendered_pages"].get_or_build(release_id, ("kept", *key), build,
                                                                 lambda _value: cost)


def fragment_page_part() -> tuple:
    """What a kept part of a page (a result card) depends on from the page it is on: the address
    root (language prefix), the language and the day (worked out once a request)."""
    found = g.get("fragment_key")
    if found is None:
        found = g.fragment_key = (request.environ.get("SCRIPT_NAME"), request_language(),
                                  dt.date.today().isoformat())
    return found


def kept_fragments(release_id: str, keys: list[tuple]) -> dict[tuple, str]:
    """The parts of pages kept for ``keys`` in ``release_id`` (each key with the page's own part,
    :func:`fragment_page_part`, added), by key; the keys not found are left out."""
    store, page_part = current_app.extensions["rendered_fragments"], fragment_page_part()
    return {key: found for key in keys if (found := store.get(release_id, (*key, *page_part))) is not None}


def keep_fragment(release_id: str, key: tuple, html: str) -> None:
    """Keep a part of a page for ``key`` (see :func:`kept_fragments`), in a store of its own beside the
    pages (``FRAGMENTS_MAX_BYTES``), kept even when no whole page is."""
    current_app.extensions["rendered_fragments"].keep(release_id, (*key, *fragment_page_part()), html,
                                                      len(html) + 200)


def kept_layout(name: str, caller: Callable[[], str]) -> Markup:
    """A part of the layout the same on every page of a release in one language and address root (the
    site's menu, the safeguarding line, the footer), for ``{% call kept_layout("footer") %}...{%
    endcall %}``: rendered once per release, address root, language and day, and kept beside the result
    cards. Outside a page kept per release (see :func:`rendered`) it is rendered every time."""
    release_id = g.get("page_release")
    if release_id is None:
        return caller()
    store, key = current_app.extensions["rendered_fragments"], ("layout", name, *fragment_page_part())
    found = store.get(release_id, key)
    if found is None:
        found = Markup(caller())
        store.keep(release_id, key, found, len(found) + 200)
    return found


def kept_part(release_id: str, key: tuple, build: Callable[[], Any], cost: int = 8192) -> Any:
    """As :func:`kept`, beside the page fragments: what parts of pages are built from (the names of
    the filters), kept even when no whole page is."""
    return current_app.extensions["rendered_fragments"].get_or_build(release_id, ("part", *key), build,
                                                                     lambda _value: cost)


def etag(release_id: str) -> str:
    """The ETag of any page of ``release_id`` in this request's variant (caches key it by URL)."""
    text = "|".join(map(str, (release_id, *variant(), *g.get("page_extra", ()))))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _conditional(response: Response) -> Response:
    if (request.method not in ("GET", "HEAD") or response.status_code != 200 or response.is_streamed
            or "no-store" in response.headers.get("Cache-Control", "")
            or not (request.blueprint in ETAG_BLUEPRINTS or request.endpoint in ETAG_ENDPOINTS)):
        return response
    release_id = g.get("page_release")
    if release_id is None:
        opened = current_app.extensions["live_release"].get()
        if opened is None:
            return response
        release_id = opened.id
    response.set_etag(etag(release_id), weak=True)  # weak: the same page gzipped or not
    if not CONDITIONAL_HEADERS.intersection(request.environ):
        # Nothing to compare with (most requests): what make_conditional would add, without its parsing.
        if "Date" not in response.headers:
            response.headers["Date"] = http_date()
        return response
    return response.make_conditional(request)


def register(app: Flask) -> None:
    app.extensions["rendered_pages"] = RenderedPages(app.config.get("RENDERED_PAGES_MAX_BYTES",
                                                                    DEFAULT_MAX_BYTES))
    app.extensions["rendered_fragments"] = RenderedPages(FRAGMENTS_MAX_BYTES)
    app.add_template_global(kept_layout)
    folders = app.config.get("BABEL_TRANSLATION_DIRECTORIES", "")
    app.extensions["code_fingerprint"] = code_fingerprint(*(Path(folder) for folder in folders.split(";")
                                                            if folder))
    app.after_request(_conditional)
