"""Render entry bodies from Markdown to HTML that is safe to show."""

from __future__ import annotations

import re
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

# Most bodies are plain paragraphs, and Python-Markdown spends about 3 ms on each looking for
# syntax that is not there (80% of writing a release's database). Text with none of Markdown's
# marks (below), no line starting with a space, list or block marker or digit, and no line
# ending in a space, becomes exactly what Python-Markdown makes of it: its paragraphs, split at
# blank lines, each in <p>. tests/test_markdown.py checks the two agree.
_PLAIN = re.compile(r"(?!.*[\\`*_\[\]<>&|#=~!{}\x00-\x09\x0b-\x1f\x7f\u2028\u2029])"
                    r"(?!(?:.*\n)?[ \-+>\d])(?!.* (?:\n|$))", re.DOTALL)
_BLANK_LINES = re.compile(r"\n{2,}")


def _converter() -> markdown_lib.Markdown:
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = markdown_lib.Markdown(extensions=["tables", "sane_lists"],
                                                             output_format="html")
    return converter


def markdown_to_html(text: str) -> str:
    """Markdown to HTML as Python-Markdown makes it, before sanitising."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if _PLAIN.match(text):
        paragraphs = _BLANK_LINES.split(text.strip("\n"))
        return "\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs if paragraph)
    return _converter().reset().convert(text)


def render_markdown(text: str) -> str:
    """Markdown to HTML, then sanitised to an allow-list of tags and link schemes."""
    return nh3.clean(markdown_to_html(text), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer")
