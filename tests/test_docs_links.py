"""The project documents itself: its Markdown links stay inside the repository and lead somewhere.

A fresh clone holds nothing but the repository, so the README, CONTRIBUTING.md and docs/ may
link only to files in it (and to headings that exist), never to folders beside the checkout.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT

DOCUMENTS = [PROJECT_ROOT / "README.md", PROJECT_ROOT / "CONTRIBUTING.md",
             *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE_BLOCK = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def heading_anchors(text: str) -> set[str]:
    """The anchors a Markdown renderer gives the headings: lower case, punctuation dropped."""
    anchors = set()
    for heading in re.findall(r"^#{1,6}\s+(.+)$", CODE_BLOCK.sub("", text), flags=re.MULTILINE):
        anchor = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(anchor)
    return anchors


def local_links(document: Path) -> list[str]:
    text = CODE_BLOCK.sub("", document.read_text(encoding="utf-8"))
    return [target for target in LINK.findall(text) if not re.match(r"^[a-z]+:", target)]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.relative_to(PROJECT_ROOT).as_posix())
def test_links_lead_to_files_and_headings_in_the_repository(document):
    problems = []
    for target in local_links(document):
        path_part, _, anchor = target.partition("#")
        linked = (document.parent / path_part).resolve() if path_part else document
        if not linked.is_relative_to(PROJECT_ROOT):
            problems.append(f"{target}: outside the repository")
        elif not linked.exists():
            problems.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in heading_anchors(linked.read_text("utf-8")):
            problems.append(f"{target}: no heading '#{anchor}' in {linked.relative_to(PROJECT_ROOT)}")
    assert not problems, f"{document.relative_to(PROJECT_ROOT)}: " + "; ".join(problems)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.relative_to(PROJECT_ROOT).as_posix())
def test_nothing_points_outside_the_checkout(document):
    text = document.read_text(encoding="utf-8")
    assert "../shared" not in text and "DESIGN.md" not in text, (
        f"{document.relative_to(PROJECT_ROOT)} points at a file that a clone does not have")


def test_the_readme_links_to_the_documentation():
    links = local_links(PROJECT_ROOT / "README.md")
    for needed in ("docs/content-format.md", "docs/architecture.md", "CONTRIBUTING.md"):
        assert needed in links
