"""Languages: ``/<lang>/`` URL prefixes, the locale of each request and the language switcher.

English is unprefixed; every other language the site offers (``languages`` in
``content/site.yml``) lives under ``/<lang>/``. :class:`LanguagePrefix` moves
the prefix into ``SCRIPT_NAME`` before Flask sees the request, so every route
exists in every language without knowing it, and ``url_for`` inside a Polish
page gives Polish URLs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection
from urllib.parse import quote

from babel import Locale, localedata
from flask import Flask, abort, current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _

from .request_overhead import vary_on

LANGUAGE_KEY = "earlyhelp.language"
SITE_ROOT_KEY = "earlyhelp.site_root"
DEFAULT_LANGUAGE = "en"
_PREFIX = re.compile(r"/([a-z]{2})(?=/|$)")

# What exists in English only: the editor (council staff), the open data APIs (the JSON is not
# translated), files and what crawlers read. Under a language prefix these are not found.
ENGLISH_ONLY_BLUEPRINTS = frozenset({"editor", "api", "oruk", "assets", "crawlers"})


class LanguagePrefix:
    """WSGI middleware: ``/pl/search`` reaches the app as ``SCRIPT_NAME=/pl``, ``PATH_INFO=/search``.

    ``offered`` is asked on each request, because a publish can change the site's languages.
    ``/pl`` redirects to ``/pl/``, and ``/en/...`` to the unprefixed English page.
    """

    def __init__(self, app, offered: Callable[[], Collection[str]]):
        self.app = app
        self.offered = offered

    def __call__(self, environ, start_response):
        script_name = environ.get("SCRIPT_NAME", "")
        path = environ.get("PATH_INFO", "")
        environ[SITE_ROOT_KEY] = script_name
        match = _PREFIX.match(path)
        if match:
            code, rest = match[1], path[match.end():]
            if code == DEFAULT_LANGUAGE:
                # One leading slash only: "/en//example.com" must not become a redirect off the site.
                return _redirect(environ, start_response, f"{script_name}/{rest.lstrip('/')}")
            if code in self.offered():
                if not rest:
                    return _redirect(environ, start_response, f"{script_name}/{code}/")
                environ["SCRIPT_NAME"] = f"{script_name}/{code}"
                environ["PATH_INFO"] = rest
                environ[LANGUAGE_KEY] = code
        return self.app(environ, start_response)


def _redirect(environ, start_response, location: str):
    query = environ.get("QUERY_STRING", "")
    # WSGI gives the path as bytes decoded as Latin-1: encode it back before quoting.
    target = quote(location.encode("latin-1"), safe="/%") + (f"?{query}" if query else "")
    start_response("301 Moved Permanently", [("Location", target), ("Content-Length", "0"),
                                             ("Cache-Control", "public, max-age=300")])
    return [b""]


def request_language() -> str:
    """The two-letter code of the page's language (``en`` unless under a language prefix)."""
    return request.environ.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)


def select_locale() -> str:
    """Flask-Babel's locale for the request: the prefix's language, else the default (en_GB)."""
    language = request.environ.get(LANGUAGE_KEY)
    return language or current_app.config["BABEL_DEFAULT_LOCALE"]


def languages_of(opened) -> list[str]:
    """The languages an open release offers, English first; just English before any publish."""
    listed = opened.directory.site.get("languages", "") if opened else ""
    codes = [code for code in listed.split(",") if code]
    return [DEFAULT_LANGUAGE] + [code for code in codes if code != DEFAULT_LANGUAGE]


def offered_languages() -> list[str]:
    return languages_of(current_app.extensions["live_release"].get())


def site_root() -> str:
    """Where the site is mounted (``request.script_root`` without the language prefix)."""
    return request.environ.get(SITE_ROOT_KEY, request.script_root)


def language_url(code: str) -> str:
    """The URL of the page being shown, with its query, in the language ``code``."""
    root = site_root()
    prefix = "" if code == DEFAULT_LANGUAGE else f"/{code}"
    query = request.query_string.decode("utf-8", "replace")
    return quote(f"{root}{prefix}{request.path}", safe="/%") + (f"?{query}" if query else "")


@functools.cache
def language_name(code: str) -> str:
    """The language's name in itself, as a reader of it looks for it: "Polski", "العربية"."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


@functools.cache
def text_direction(code: str) -> str:
    return "rtl" if Locale.parse(code).character_order == "right-to-left" else "ltr"


def english_only_page() -> bool:
    return (request.blueprint or "").split(".")[0] in ENGLISH_ONLY_BLUEPRINTS


def language_choices() -> list[dict]:
    """One item per offered language for the switcher and the ``hreflang`` links (none on the
    pages that exist in English only, such as the editor's)."""
    if english_only_page():
        return []
    current = request_language()
    return [{"code": code, "name": language_name(code), "dir": text_direction(code),
             "url": language_url(code), "current": code == current}
            for code in offered_languages()]


def languages_instead() -> list[dict]:
    """For an address in a language the site does not offer (``/fr/search``): the same page in each
    offered language, each named and invited to in that language; empty for any other address."""
    match = _PREFIX.match(request.path)
    if LANGUAGE_KEY in request.environ or not match or not localedata.exists(match[1]):
        return []
    rest = request.path[match.end():] or "/"
    query = request.query_string.decode("utf-8", "replace")
    choices = []
    for code in offered_languages():
        prefix = "" if code == DEFAULT_LANGUAGE else f"/{code}"
        with force_locale(code):
            link = _("Read it in %(language)s", language=language_name(code))
        url = quote(f"{site_root()}{prefix}{rest}", safe="/%") + (f"?{query}" if query else "")
        choices.append({"code": code, "dir": text_direction(code), "name": language_name(code), "link": link,
                        "url": url})
    return choices


def suggested_language() -> dict | None:
    """On an English page, the offered language the browser asks for first (by Accept-Language).

    We suggest rather than redirect: a redirect would need a cookie to remember a reader who
    chose English, and the public site sets no cookies.
    """
    if request_language() != DEFAULT_LANGUAGE or english_only_page():
        return None
    offered = offered_languages()
    best = request.accept_languages.best_match(offered)
    if not best or best == DEFAULT_LANGUAGE:
        return None
    with force_locale(best):
        prompt = _("This page is also in %(language)s.", language=language_name(best))
        link = _("Read it in %(language)s", language=language_name(best))
    return {"code": best, "dir": text_direction(best), "url": language_url(best), "prompt": prompt,
            "link": link}


def _refuse_english_only_pages():
    if LANGUAGE_KEY in request.environ and english_only_page():
        abort(404)


def _vary_on_accept_language(response):
    # Only the English pages change with Accept-Language (the suggestion banner).
    if request_language() == DEFAULT_LANGUAGE and response.mimetype == "text/html":
        vary_on(response, "Accept-Language")
    return response


def register(app: Flask) -> None:
    live = app.extensions["live_release"]
    app.wsgi_app = LanguagePrefix(app.wsgi_app, lambda: languages_of(live.get()))
    app.before_request(_refuse_english_only_pages)
    app.after_request(_vary_on_accept_language)
    for function in (language_choices, language_url, request_language, suggested_language, languages_instead):
        app.add_template_global(function)
