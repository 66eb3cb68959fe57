"""Differences between two versions of an entry: field by field in the order of the format, and
the body as a unified diff. Shown to a publisher before approving, and in an entry's history.

Mappings (contact, ages, evidence) are compared key by key and lists of mappings (venues) item
by item, so changing one venue's hours reads as that one change, not as the whole list of venues
struck out and written again."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field

from ..content.writing import SERVICE_ORDER
from ..content.yamlfile import YamlFileError, parse_front_matter, parse_yaml
from . import kinds


@dataclass(frozen=True)
class FieldDiff:
    """One changed value. ``field`` is the front matter field; inside a mapping, ``key`` is the key
    that changed; inside a list of mappings, ``index`` is the item's place (1-based, in the new
    version, or in the old one for an item removed), ``item`` its name, and ``key`` (None when the
    whole item was added or removed) the key that changed in it."""

    field: str
    old: object
    new: object
    key: str | None = None
    index: int | None = None
    item: str = ""

    @property
    def nested(self) -> bool:
        return self.key is not None or self.index is not None


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
    changed = []
    for name in names:
        changed += field_diffs(name, old_fields.get(name), new_fields.get(name))
    return Diff(changed, line_diff(old_body, new_body))


def _mapping_diffs(name: str, old: dict, new: dict, **where) -> list[FieldDiff]:
    keys = [*old, *(key for key in new if key not in old)]
    return [FieldDiff(name, old.get(key), new.get(key), key=key, **where) for key in keys
            if not _same(key, old.get(key), new.get(key))]


def _item_name(item: dict) -> str:
    return str(item.get("name") or item.get("title") or item.get("postcode") or "")


def _item_key(item) -> str:
    """What tells an item apart when items are added or removed (a venue: its name, else its address)."""
    if not isinstance(item, dict):
        return repr(item)
    return (_item_name(item) or str(item.get("address") or "")).casefold()


def _items_diffs(name: str, old: list, new: list) -> list[FieldDiff]:
    """Items paired by name where the list grew or shrank, else by place; then key by key."""
    found: list[FieldDiff] = []

    def pair(i: int, j: int) -> None:
        before, after = old[i], new[j]
        if before == after:
            return
        if isinstance(before, dict) and isinstance(after, dict):
            found.extend(_mapping_diffs(name, before, after, index=j + 1, item=_item_name(after)))
        else:
            found.append(FieldDiff(name, before, after, index=j + 1,
                                   item=_item_name(after) if isinstance(after, dict) else ""))

    def removed(i: int) -> None:
        found.append(FieldDiff(name, old[i], None, index=i + 1,
                               item=_item_name(old[i]) if isinstance(old[i], dict) else ""))

    def added(j: int) -> None:
        found.append(FieldDiff(name, None, new[j], index=j + 1,
                               item=_item_name(new[j]) if isinstance(new[j], dict) else ""))

    matcher = difflib.SequenceMatcher(None, [_item_key(item) for item in old],
                                      [_item_key(item) for item in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                pair(i1 + offset, j1 + offset)
            continue
        # Renamed items keep their places: pair what can be paired, the rest was added or removed.
        common = min(i2 - i1, j2 - j1)
        for offset in range(common):
            pair(i1 + offset, j1 + offset)
        for i in range(i1 + common, i2):
            removed(i)
        for j in range(j1 + common, j2):
            added(j)
    return found


def field_diffs(name: str, old, new) -> list[FieldDiff]:
    """What changed in one front matter field: the whole value, or key by key and item by item."""
    if _same(name, old, new):
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        return _mapping_diffs(name, old, new)
    if isinstance(old, dict) and new is None:
        return _mapping_diffs(name, old, {})
    if old is None and isinstance(new, dict):
        return _mapping_diffs(name, {}, new)
    if (isinstance(old, list) or old is None) and (isinstance(new, list) or new is None) \
            and any(isinstance(item, dict) for item in [*(old or []), *(new or [])]):
        return _items_diffs(name, old or [], new or [])
    return [FieldDiff(name, old, new)]


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
