"""Differences between two versions of an entry: field by field in the order of the format, and
the body as a unified diff. Shown to a publisher before approving, and in an entry's history."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field

from ..content.writing import SERVICE_ORDER
from ..content.yamlfile import YamlFileError, parse_front_matter, parse_yaml
from . import kinds


@dataclass(frozen=True)
class FieldDiff:
    field: str
    old: object
    new: object


@dataclass
class Diff:
    """A proposed version against another: changed front matter fields, and the body's unified diff."""

    fields: list[FieldDiff] = field(default_factory=list)
    body: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.fields and not self.body


def jsonable(value):
    """Front matter values as JSON keeps them: dates as ISO text, everything else as it is."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def parse_entry(text: str) -> tuple[dict, str]:
    """(front matter as JSON-safe fields, body) of an entry file's text."""
    document = parse_front_matter(text)
    data = document.data if isinstance(document.data, dict) else {}
    return jsonable(data), document.body


def parse_terms(text: str) -> dict:
    """A taxonomy file's terms as ``{id: the term's other fields}``, in the file's order."""
    data = parse_yaml(text).data
    if not isinstance(data, list):
        raise YamlFileError(1, "must be a list of terms")
    terms = {}
    for item in data:
        if isinstance(item, dict) and item.get("id") not in (None, ""):
            terms[str(item["id"])] = jsonable({key: value for key, value in item.items() if key != "id"})
    return terms


def parse_text(kind: str, text: str) -> tuple[dict, str]:
    """(fields, body) of a file of ``kind``: an entry's front matter and body, or a taxonomy's terms."""
    if kinds.kind_of(kind).terms:
        return parse_terms(text), ""
    return parse_entry(text)


# Lists in which order means nothing.
UNORDERED = {"needs", "levels", "hubs", "access", "delivery", "languages", "keywords", "covers", "synonyms"}


def _normalised(value):
    if isinstance(value, dict):
        items = {key: _normalised(item) for key, item in value.items()}
        return {key: item for key, item in items.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [_normalised(item) for item in value]
    return value


def _same(name: str, old, new) -> bool:
    if name in UNORDERED and isinstance(old, list) and isinstance(new, list):
        return sorted(map(str, old)) == sorted(map(str, new))
    return old == new


def diff(old_fields: dict | None, old_body: str | None, new_fields: dict, new_body: str,
         order: tuple[str, ...] = SERVICE_ORDER) -> Diff:
    """Field by field (in the order of the format) and the body as a unified diff."""
    old_fields = _normalised(jsonable(old_fields or {}))
    new_fields = _normalised(jsonable(new_fields))
    names = [name for name in order if name in old_fields or name in new_fields]
    names += sorted(name for name in {*old_fields, *new_fields} if name not in order)
    changed = [FieldDiff(name, old_fields.get(name), new_fields.get(name)) for name in names
               if not _same(name, old_fields.get(name), new_fields.get(name))]
    return Diff(changed, line_diff(old_body, new_body))


def line_diff(old_text: str | None, new_text: str | None,
              names: tuple[str, str] = ("live", "proposed")) -> list[str]:
    """A unified diff of two texts, line by line, with two lines of context."""
    return list(difflib.unified_diff((old_text or "").splitlines(), (new_text or "").splitlines(),
                                     *names, lineterm="", n=2))


def text_diff(old_text: str | None, new_text: str | None, kind: str = "service") -> Diff:
    """:func:`diff` between two entry files' texts (either may be missing)."""
    def split(text):
        if text is None:
            return None, None
        try:
            return parse_text(kind, text)
        except YamlFileError:
            return {}, text
    old_fields, old_body = split(old_text)
    new_fields, new_body = split(new_text)
    return diff(old_fields, old_body, new_fields or {}, new_body or "", kinds.kind_of(kind).order)


def display(value) -> str:
    """A front matter value as one readable line (lists joined, mappings as ``key: value``)."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(display(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {display(item)}" for key, item in value.items() if display(item))
    return str(value)
