"""Plain bodies skip Python-Markdown (app/content/markdown.py): what they become must be exactly
what Python-Markdown makes of them, and anything with Markdown in it must still go through it."""

from __future__ import annotations

import random
from pathlib import Path

import markdown
import pytest

from app.content.markdown import _PLAIN, markdown_to_html

ROOT = Path(__file__).resolve().parent.parent


def python_markdown(text: str) -> str:
    return markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html").convert(text)


def test_every_body_of_the_sample_content_renders_as_python_markdown_renders_it():
    bodies = [path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
              for path in sorted((ROOT / "content").rglob("*.md"))]
    assert sum(bool(_PLAIN.match(body)) for body in bodies) > len(bodies) / 2  # the shortcut is taken
    for body in bodies:
        assert markdown_to_html(body) == python_markdown(body), body[:80]


@pytest.mark.parametrize("text", [
    "One paragraph.", "Two\nlines.\n\nTwo paragraphs.", "\n\nBlank lines around\n\n\n\nand between\n",
    "Windows\r\nline ends\r\n\r\nhere", "Old Mac\rline ends",
    "বাংলায় কথা বলি। مرحبا", "", "Quotes \"and\" 'these'",
    "Tabs\tinside", "hard break  \nhere", "trailing space \nhere", "- a list", "text\n- list after text",
    "1. numbered", "2026 is a year", "> quoted", "# heading", "Setext\n======", "Setext\n------", "a * b",
    "snake_case", "a & b", "a < b", "<b>html</b>", "[link](https://example.org)",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "    code", " one space", "x\n \ny", "`code`", "back\\slash", "![image](x.png)", "a\x00b", "a\x02b",
    "https://example.org/bare-link", "email@example.org", "a\u2028b", "a\u00a0b",
])
def test_plain_and_marked_up_texts_render_as_python_markdown_renders_them(text):
    assert markdown_to_html(text) == python_markdown(text)


def test_random_texts_render_as_python_markdown_renders_them():
    rng = random.Random(15)
    pieces = ["word", "Word", " ", " ", "\n", "\n\n", ".", ",", "-", "+", "*", "_", "1", "2.", ")", "(",
              "#", ">", "<", "&", "|", "=", "!", "[", "]", "`", "\\", "\t", "  ",
              "\r\n", "é", "ক", "'", '"', ":", "~"]
    plain = 0
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        plain += bool(_PLAIN.match(text))
        assert markdown_to_html(text) == python_markdown(text), repr(text)
    assert plain > 100
