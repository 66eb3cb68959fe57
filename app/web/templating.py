"""Helpers the templates use: labels for codes, dates, phone links."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_babel import format_date, get_locale

from ..directory import is_overdue
from . import labels


def long_date(value: str | dt.date | None) -> str:
    """An ISO date written out for the reader's language ("1 September 2026")."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, "long")


def page_language() -> dict[str, str]:
    """``lang`` and ``dir`` for the ``<html>`` element."""
    locale = get_locale()
    direction = "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"
    return {"lang": str(locale or "en").replace("_", "-"), "dir": direction}


def register(app: Flask) -> None:
    app.add_template_global(page_language)
    app.add_template_global(is_overdue)
    app.add_template_global(long_date)
    for name in ("access_label", "delivery_label", "evidence_explanation", "language_name", "age_range",
                 "cost_text", "tel_href"):
        app.add_template_global(getattr(labels, name))
