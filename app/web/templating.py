"""Helpers the templates use: labels for codes, dates, phone links."""

from __future__ import annotations

import datetime as dt
import functools
import re

from babel import numbers
from flask import Flask
from flask_babel import format_date, get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup

from ..release.directory import is_overdue
from . import labels
from .i18n import request_language, text_direction


def long_date(value: str | dt.date | None) -> str:
    """An ISO date written out for the reader's language ("1 September 2026")."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, "long")


_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)


def nest_headings(html: str, under: int) -> Markup:
    """Renumber the headings of rendered Markdown to sit under an ``h<under>``.

    An entry's body may start at ``##`` or ``###``; on the page it sits below
    a heading of ours, and headings must not skip a level.
    """
    levels = [int(level) for _, level in _HEADING_TAG.findall(html)]
    if not levels:
        return Markup(html)
    shift = under + 1 - min(levels)
    return Markup(_HEADING_TAG.sub(lambda match: f"<{match[1]}h{min(6, int(match[2]) + shift)}", html))


def page_language() -> dict[str, str]:
    """``lang`` and ``dir`` for the ``<html>`` element."""
    locale = get_locale()
    direction = "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"
    return {"lang": str(locale or "en").replace("_", "-"), "dir": direction}


def text_lang(entry: dict, field: str | None = None) -> Markup:
    """``lang``/``dir`` attributes for an entry's text when it is not in the page's language.

    Entries from :mod:`app.release.directory` carry the language their text is in
    (``lang``) and the fields left in English by a translation
    (``english_fields``); an untranslated entry on a Polish page is English.
    """
    page = request_language()
    language = entry.get("lang", page)
    if field and field in entry.get("english_fields", ()):
        language = "en"
    if language == page:
        return Markup("")
    return Markup(' lang="{}" dir="{}"').format(language, text_direction(language))


def _gettext(translations):
    # As Jinja's "newstyle" gettext (which Flask-Babel installs): escaped, always %-formatted.
    @pass_context
    def gettext(context, string: str, **variables) -> str:
        text = translations.ugettext(string)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    @pass_context
    def ngettext(context, singular: str, plural: str, number: int, **variables) -> str:
        variables.setdefault("num", number)
        text = translations.ungettext(singular, plural, number)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    return gettext, ngettext


def render_translations() -> dict:
    """``gettext``/``ngettext`` (and so ``_``) bound to this request's catalogue for one render.

    Flask-Babel's template callables look the request's locale and catalogue up again for every
    string (about ten context-local lookups each), a good part of a results page's time. A template
    keeps one locale from start to end, so it is looked up once here; variables of the render
    context come before the environment's globals, in the templates and in the macros they import
    with context.
    """
    locale = get_locale()
    gettext, ngettext = _gettext(get_translations())
    return {"gettext": gettext, "ngettext": ngettext, "render_locale": str(locale) if locale else None}


@functools.lru_cache(maxsize=4096)
def formatted_number(number, locale: str) -> str:
    """``number`` written for ``locale`` (as ``numberformat``), each once per locale."""
    return numbers.format_decimal(number, locale=locale)


@pass_context
def numberformat(context, number) -> str:
    """Flask-Babel's ``numberformat`` with the locale of the render, and each count formatted once per
    locale (a results page formats a hundred counts, most of them the same from one page to the next)."""
    locale = context.get("render_locale") or str(get_locale() or "en")
    if isinstance(number, int):
        return formatted_number(number, locale)
    return numbers.format_decimal(number, locale=locale)


def register(app: Flask) -> None:
    app.context_processor(render_translations)
    app.jinja_env.filters["numberformat"] = numberformat
    app.add_template_global(page_language)
    app.add_template_global(text_lang)
    app.add_template_filter(nest_headings)
    app.add_template_global(is_overdue)
    app.add_template_global(long_date)
    for name in ("access_label", "delivery_label", "evidence_explanation", "language_name", "age_range",
                 "cost_text", "tel_href"):
        app.add_template_global(getattr(labels, name))
