"""Render entry bodies from Markdown to HTML that is safe to show."""

from __future__ import annotations

import threading

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h2", "h3", "h4",
                "blockquote", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Building a Markdown converter loads its extensions each time, which costs more
# than converting a short body; one converter per thread is reused and reset.
_local = threading.local()


def _converter() -> markdown_lib.Markdown:
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = markdown_lib.Markdown(extensions=["tables", "sane_lists"],
                                                             output_format="html")
    return converter


def render_markdown(text: str) -> str:
    """Markdown to HTML, then sanitised to an allow-list of tags and link schemes."""
    html = _converter().reset().convert(text or "")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer")
