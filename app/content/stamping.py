"""Write the English fingerprint into translation files (`earlyhelp translations stamp`).

Only the ``source_fingerprint`` value changes (or one line is added for it):
every other byte of the file, comments and layout included, stays as the
translator wrote it. Taxonomy files get one fingerprint per term.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from .fingerprint import fingerprint
from .loader import ContentSet, load_content
from .translations import (
    SITE_TRANSLATION_FILE,
    TAXONOMY_FILES,
    TAXONOMY_TRANSLATION_FILE,
    TRANSLATION_FILE,
)
from .yamlfile import EntryFileError, read_entry_bytes

KEY = "source_fingerprint"


class StampError(Exception):
    """A file that cannot be stamped, with the reason for the translator."""


@dataclass
class StampResult:
    path: Path
    changed: bool
    fingerprints: list[str]


def content_root_of(path: Path) -> Path:
    """The content folder a translation file belongs to, from where it sits."""
    if SITE_TRANSLATION_FILE.match(path.name):
        return path.parent
    if TRANSLATION_FILE.match(path.name) and path.parent.name in ("services", "hubs", "pages"):
        return path.parent.parent
    match = TAXONOMY_TRANSLATION_FILE.match(path.name)
    if match and path.parent.name == "taxonomy" and match["name"] in TAXONOMY_FILES:
        return path.parent.parent
    raise StampError("is not a translation: expected services/, hubs/ or pages/<id>.<lang>.md, "
                     "taxonomy/<needs|age-bands|levels>.<lang>.yml or site.<lang>.yml")


def _yaml_value(value: str) -> str:
    """``value`` as YAML reads it back as text (quoted when it would read as a number)."""
    return value if yaml.safe_load(value) == value else f'"{value}"'


def _edits_for_mapping(text: str, node, value: str, newline: str) -> list[tuple[int, int, str]]:
    """Edits (start, end, replacement) that set KEY to ``value`` in one mapping node."""
    for key_node, value_node in node.value:
        if key_node.value == KEY:
            start = key_node.end_mark.index
            end = value_node.end_mark.index
            if value_node.start_mark.index == end:  # "source_fingerprint:" with no value
                line_end = text.find("\n", start)
                end = len(text) if line_end < 0 else line_end
                if text[end - 1:end] == "\r":
                    end -= 1
            return [(start, end, f": {_yaml_value(value)}")]
    if not node.value:
        return []
    first_key = node.value[0][0]
    index = first_key.start_mark.index
    if node.flow_style:
        return [(index, index, f"{KEY}: {_yaml_value(value)}, ")]
    indent = " " * first_key.start_mark.column
    return [(index, index, f"{KEY}: {_yaml_value(value)}{newline}{indent}")]


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _compose(text: str, path: Path):
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise StampError(f"is not valid YAML ({error}); fix it, then stamp it") from None


def stamped_text(text: str, path: Path, content: ContentSet) -> tuple[str, list[str]]:
    """The file's text with its fingerprint(s) set, and the fingerprints written."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    text = text[len(bom):]
    newline = "\r\n" if "\r\n" in text else "\n"
    if path.suffix == ".md":
        match = TRANSLATION_FILE.match(path.name)
        kind = path.parent.name
        english = getattr(content, kind).get(match["id"])
        if english is None:
            raise StampError(f"there is no English entry {kind}/{match['id']}.md to take the fingerprint of")
        lines = text.splitlines(keepends=True)
        if not lines or lines[0].rstrip() != "---":
            raise StampError("must start with a line '---' opening the front matter")
        closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
        if closing is None:
            raise StampError("the front matter is not closed by a line '---'")
        offset = len(lines[0])
        front = "".join(lines[1:closing])
        value = fingerprint(kind, english)
        node = _compose(front, path)
        if node is None:
            edits = [(0, 0, f"{KEY}: {_yaml_value(value)}{newline}")]
        elif isinstance(node, yaml.MappingNode):
            edits = _edits_for_mapping(front, node, value, newline)
        else:
            raise StampError("the front matter must be a mapping of fields")
        edits = [(start + offset, end + offset, replacement) for start, end, replacement in edits]
        return bom + _apply(text, edits), [value]

    node = _compose(text, path)
    if SITE_TRANSLATION_FILE.match(path.name):
        if not isinstance(node, yaml.MappingNode):
            raise StampError("must be a mapping of fields like site.yml")
        value = fingerprint("site", content.site)
        return bom + _apply(text, _edits_for_mapping(text, node, value, newline)), [value]

    kind = TAXONOMY_FILES[TAXONOMY_TRANSLATION_FILE.match(path.name)["name"]]
    if not isinstance(node, yaml.SequenceNode):
        raise StampError("must be a list of terms like the English file")
    terms = {str(term_id): term for term_id, term in getattr(content, kind).items()}
    edits, values = [], []
    for item in node.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        term_id = next((value_node.value for key_node, value_node in item.value
                        if key_node.value == "id" and isinstance(value_node, yaml.ScalarNode)), None)
        if term_id is None or term_id not in terms:
            continue  # `earlyhelp check` reports it
        value = fingerprint(kind, terms[term_id])
        edits.extend(_edits_for_mapping(text, item, value, newline))
        values.append(value)
    return bom + _apply(text, edits), values


def stamp_files(paths: list[Path], today=None) -> list[StampResult | StampError]:
    """Stamp each file; a :class:`StampError` in the list for each one that could not be."""
    contents: dict[Path, ContentSet] = {}
    results: list[StampResult | StampError] = []
    for path in paths:
        try:
            results.append(_stamp_one(path, contents, today))
        except StampError as error:
            error.path = path
            results.append(error)
    return results


def _stamp_one(path: Path, contents: dict[Path, ContentSet], today) -> StampResult:
    root = content_root_of(path).resolve()
    if root not in contents:
        contents[root] = load_content(root, today=today)
    try:
        raw = read_entry_bytes(path)
    except EntryFileError as error:
        raise StampError(str(error)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise StampError("is not UTF-8 text") from None
    new_text, values = stamped_text(text, path, contents[root])
    if new_text == text:
        return StampResult(path, False, values)
    _write_atomically(path, new_text.encode("utf-8"))
    return StampResult(path, True, values)


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
