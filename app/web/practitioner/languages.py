"""The languages a hand-over can be given in, and the current page in another language.

Interim: the integrator is adding ``/<lang>/`` prefixes through a middleware
that moves ``/<lang>`` into SCRIPT_NAME (so ``url_for`` keeps the language and
``flask_babel.get_locale()`` is the page's). Until ``app/web/i18n.py`` with
``language_url`` lands, these two helpers stand in for it.
"""

from __future__ import annotations

from pathlib import Path

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, request
from flask_babel import get_locale

DEFAULT_LANGUAGE = "en"


def offered_languages() -> list[str]:
    """English, then every language with an interface catalogue."""
    folder = Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
    found = sorted(path.name for path in folder.iterdir()
                   if (path / "LC_MESSAGES" / "messages.po").is_file()) if folder.is_dir() else []
    return [DEFAULT_LANGUAGE, *(code for code in found if code != DEFAULT_LANGUAGE)]


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def language_url(language: str) -> str:
    """This page (path and query) in ``language``: unprefixed for English, else under ``/<language>``."""
    root = request.script_root
    current = current_language()
    if current != DEFAULT_LANGUAGE and root.endswith(f"/{current}"):
        root = root[: -len(current) - 1]
    prefix = "" if language == DEFAULT_LANGUAGE else f"/{language}"
    query = request.query_string.decode("latin-1")
    return f"{root}{prefix}{request.path}" + (f"?{query}" if query else "")


def own_name(language: str) -> str:
    """A language's name in itself ("polski", "Türkçe"), so a family can find its own."""
    try:
        name = Locale.parse(language).get_display_name(language) or language
    except (ValueError, UnknownLocaleError):
        name = language
    return name[:1].upper() + name[1:]


def register_template_helpers(app: Flask) -> None:
    for helper in (offered_languages, current_language, language_url, own_name):
        app.add_template_global(helper)
