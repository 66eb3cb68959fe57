"""Turn entries back into Markdown files, and check one entry as ``earlyhelp check`` would.

Used by the importers and the editor: front matter in the order of
docs/content-format.md, quoted only where YAML needs it, and always read back before it
is written, so nothing reaches ``content/`` that the loader would read
differently.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path

from . import entries as entry_rules
from .fields import EntryReader
from .loader import ContentSet
from .problems import Problem
from .yamlfile import YamlFileError, dump_yaml, parse_front_matter, parse_yaml

SERVICE_ORDER = ("id", "title", "summary", "organisation", "needs", "ages", "levels", "hubs", "access",
                 "how_to_access", "free", "cost", "delivery", "languages", "interpreters", "contact",
                 "venues", "evidence", "keywords", "status", "last_reviewed", "review_months")
ORGANISATION_ORDER = ("id", "name", "website", "phone", "email")
HUB_ORDER = ("id", "name", "address", "postcode", "phone", "email", "covers", "wards", "opening_hours")
PAGE_ORDER = ("title", "summary")
SITE_ORDER = ("name", "council", "default_language", "languages", "front_door", "emergency", "quick_exit_url",
              "review_months")
FRONT_DOOR_ORDER = ("name", "phone", "email", "website")
CONTACT_ORDER = ("phone", "email", "website", "referral_form")
VENUE_ORDER = ("name", "address", "postcode", "hub", "hours", "schedule", "accessibility")
AGES_ORDER = ("min", "max", "pregnancy")
EVIDENCE_ORDER = ("rating", "source", "url")
_FLOW = {"needs", "levels", "access", "delivery", "languages", "keywords"}


# -- rendering ---------------------------------------------------------------

def _empty(value) -> bool:
    if isinstance(value, dict):
        return all(_empty(item) for item in value.values())
    return value is None or value == "" or value == []


# Text that YAML reads back as the same string when written bare: it starts with a letter, holds
# no indicator (':', '#', quotes, brackets...), and is not a word YAML 1.1 reads as a boolean or null.
# Only a shortcut past PyYAML's slow emitter: render_entry checks every entry reads back as written.
_PLAIN_BLOCK = re.compile(r"[^\W\d_][\w .,'()/&£%+-]*[\w.)%]|[^\W\d_]")
_PLAIN_FLOW = re.compile(r"[^\W\d_][\w .'()/&£%+-]*[\w.)%]|[^\W\d_]")
_PLAIN_LINK = re.compile(r"[^\W\d_][\w.~:/?#\[\]@!$&()*+,;=%-]*[\w/=)%-]")  # links and emails
_PLAIN_PHONE = re.compile(r"\+?[0-9][0-9()-]* [0-9 ()-]*[0-9]")
_YAML_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}


def _plain(value: str, flow: bool = False) -> bool:
    if flow:
        return bool(_PLAIN_FLOW.fullmatch(value)) and value.lower() not in _YAML_WORDS and "  " not in value
    return ((bool(_PLAIN_BLOCK.fullmatch(value)) or bool(_PLAIN_LINK.fullmatch(value))
             or bool(_PLAIN_PHONE.fullmatch(value)))
            and value.lower() not in _YAML_WORDS and "  " not in value and " #" not in value)


def _dump(value, flow: bool = True, fast: bool = True) -> str:
    """One YAML value on one line, quoted only where YAML needs it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if fast and isinstance(value, str) and _plain(value):
        return value
    if fast and flow and isinstance(value, list) and all(
            isinstance(item, (bool, int)) or (isinstance(item, str) and _plain(item, flow=True))
            for item in value):
        return "[" + ", ".join(_dump(item) for item in value) + "]"
    style = None
    if isinstance(value, str) and any(char in value for char in "\n\r\t\x85\u2028\u2029"):
        style = '"'  # escapes keep the value on one line, so indentation cannot break
    text = dump_yaml(value, default_flow_style=flow, allow_unicode=True, width=1_000_000,
                          sort_keys=False, default_style=style)
    text = text.removesuffix("...\n").rstrip("\n")
    if "\n" in text:  # pragma: no cover - guarded by the round-trip check in render_entry
        raise ValueError(f"value does not fit on one line: {value!r}")
    return text


def _ordered(mapping: dict, order) -> dict:
    ordered = {key: mapping[key] for key in order if key in mapping and not _empty(mapping[key])}
    ordered.update({key: value for key, value in mapping.items() if key not in ordered and not _empty(value)})
    return ordered


def _block(mapping: dict, order, indent: str, first_prefix: str | None = None,
           fast: bool = True) -> list[str]:
    lines = []
    for index, (key, value) in enumerate(_ordered(mapping, order).items()):
        prefix = first_prefix if (first_prefix is not None and index == 0) else indent
        lines.append(f"{prefix}{key}: {_dump(value, fast=fast)}")
    return lines


def render_entry(fields: dict, body: str = "", *, order=SERVICE_ORDER,
                 comments: list[str] | None = None) -> str:
    """A Markdown entry: front matter in the order of docs/content-format.md, then the body.

    Empty values are left out. The front matter is parsed back and compared
    with ``fields``, so nothing is ever written that YAML would read differently.
    """
    data = _ordered(fields, order)
    body = body.strip("\n")
    for fast in (True, False):  # the shortcut past PyYAML's emitter, then PyYAML alone
        lines = ["---"]
        lines += [f"# {' '.join(comment.split())}".rstrip() for comment in comments or []]
        for key, value in data.items():
            if key == "ages" and isinstance(value, dict):
                lines.append(f"ages: {_dump(_ordered(value, AGES_ORDER), fast=fast)}")
            elif key == "evidence" and isinstance(value, dict):
                lines.append(f"evidence: {_dump(_ordered(value, EVIDENCE_ORDER), fast=fast)}")
            elif key == "contact" and isinstance(value, dict):
                lines.append("contact:")
                lines += _block(value, CONTACT_ORDER, "  ", fast=fast)
            elif key == "venues" and isinstance(value, list):
                lines.append("venues:")
                for venue in value:
                    lines += _block(venue, VENUE_ORDER, "    ", first_prefix="  - ", fast=fast)
            else:
                flow = key in _FLOW or isinstance(value, (list, dict))
                lines.append(f"{key}: {_dump(value, flow=flow, fast=fast)}")
        lines.append("---")
        text = "\n".join(lines) + "\n" + (body + "\n" if body else "")
        try:
            parsed = _parse(text)
        except YamlFileError:
            continue
        # An entry whose every field is empty has empty front matter, which YAML reads as nothing.
        if _comparable(parsed.data if parsed.data is not None else {}) == _comparable(data) \
                and parsed.body == body:
            return text
    raise ValueError(f"entry {fields.get('id')!r} would not read back as written")


def render_site(data: dict) -> str:
    """``content/site.yml``: the fields in the order of docs/content-format.md, then any field the
    format does not name (kept, never dropped), the front door as an indented block, lists on one line.

    Empty values are left out. The text is parsed back and compared with ``data``; should the readable
    form not read back the same (an odd field name, say), PyYAML's own block style is used instead.
    """
    data = _ordered(data, SITE_ORDER)
    for fast in (True, False):
        lines = []
        for key, value in data.items():
            if isinstance(value, dict):
                lines.append(f"{_dump(key)}:")
                lines += _block(value, FRONT_DOOR_ORDER if key == "front_door" else (), "  ", fast=fast)
            else:
                lines.append(f"{_dump(key)}: {_dump(value, flow=True, fast=fast)}")
        text = "\n".join(lines) + "\n"
        if _reads_back(text, data):
            return text
    text = dump_yaml(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1_000_000)
    if _reads_back(text, data):
        return text
    raise ValueError("the site settings would not read back as written")  # pragma: no cover - safe_dump's own


def update_site_text(text: str, data: dict) -> str | None:
    """``text`` (a ``site.yml`` as written by hand) changed to hold ``data``, keeping its comments, key order,
    indentation, quoting and the layout of every value that did not change (ruamel.yaml's round-trip mode).

    Fields left empty in ``data`` are removed, new ones go where :data:`SITE_ORDER` puts them. None when
    ``text`` is not a mapping ruamel.yaml reads, or when the result would not read back as ``data`` with the
    project's own loader (an alias, a tag or a duplicate key it refuses, say): the caller then writes the
    file afresh with :func:`render_site`, so nothing reaches ``content/`` that ``check`` would read
    differently.
    """
    # Imported here: only the settings form needs it, and every publish imports this module.
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    yaml_rt = YAML()  # round-trip
    yaml_rt.preserve_quotes = True
    yaml_rt.width = 1_000_000  # never fold a long line the author wrote on one
    yaml_rt.indent(**_indentation(text))
    try:
        document = yaml_rt.load(text)
    except (YAMLError, ValueError, TypeError, RecursionError):
        return None
    if not isinstance(document, CommentedMap):
        return None
    _merge_keeping_layout(document, data, SITE_ORDER)
    buffer = io.StringIO()
    try:
        yaml_rt.dump(document, buffer)
    except (YAMLError, ValueError, TypeError, RecursionError):  # pragma: no cover - ruamel's own
        return None
    updated = buffer.getvalue()
    return updated if _reads_back(updated, data) else None


_KEY_ALONE = re.compile(r"^( *)[^\s#-][^#]*:\s*(#.*)?$")  # "front_door:", a block below it


def _indentation(text: str) -> dict[str, int]:
    """The indentation ``text`` uses (ruamel.yaml writes one for the whole file): of a mapping inside a
    mapping, and of a list's dashes (``offset``) and items (``sequence``); YAML's usual where none shows."""
    found = {"mapping": 2, "sequence": 2, "offset": 0}
    seen: set[str] = set()
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for line, following in itertools.pairwise(lines):
        match = _KEY_ALONE.match(line)
        if match is None:
            continue
        depth = len(following) - len(following.lstrip(" ")) - len(match.group(1))
        if depth <= 0 and not following.lstrip().startswith("- "):
            continue
        if following.lstrip().startswith("- ") and "sequence" not in seen:
            found["offset"], found["sequence"] = max(depth, 0), max(depth, 0) + 2
            seen.add("sequence")
        elif not following.lstrip().startswith("- ") and "mapping" not in seen:
            found["mapping"] = depth
            seen.add("mapping")
    return found


def _merge_keeping_layout(target, data: dict, order) -> None:
    """Make the ruamel.yaml mapping ``target`` hold ``data``, changing only what differs."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    for key in [key for key in target if key not in data or _empty(data[key])]:
        del target[key]
    for key, value in data.items():
        if _empty(value):
            continue
        if key in target:
            current = target[key]
            if isinstance(value, dict) and isinstance(current, CommentedMap):
                _merge_keeping_layout(current, value, FRONT_DOOR_ORDER if key == "front_door" else ())
            elif isinstance(value, list) and isinstance(current, CommentedSeq):
                if _comparable(list(current)) != _comparable(value):
                    current[:] = value  # a flow list stays on one line, a block list stays a block
            elif (_comparable(current) != _comparable(value)
                  or isinstance(current, bool) != isinstance(value, bool)):  # 1 == True, yet not the same
                target[key] = value
            continue
        before = [name for name in order[:order.index(key)] if name in target] if key in order else []
        position = list(target).index(before[-1]) + 1 if before else len(target)
        if isinstance(value, list) and key in _FLOW:
            value = CommentedSeq(value)
            value.fa.set_flow_style()
        target.insert(position, key, value)


def render_terms(terms: list[dict], order) -> str:
    """A taxonomy file (or a translation of one): a list of terms, each a block mapping with its fields
    in ``order``, lists on one line. Parsed back and compared, like :func:`render_entry`."""
    for fast in (True, False):
        lines = []
        for term in terms:
            lines += _block(term, order, "  ", first_prefix="- ", fast=fast)
        text = "\n".join(lines) + "\n" if lines else "[]\n"
        try:
            parsed = parse_yaml(text).data
        except YamlFileError:
            continue
        if _comparable(parsed) == _comparable([_ordered(term, order) for term in terms]):
            return text
    raise ValueError("the terms would not read back as written")


def _reads_back(text: str, data: dict) -> bool:
    try:
        parsed = parse_yaml(text).data
    except YamlFileError:
        return False
    return isinstance(parsed, dict) and _comparable(parsed) == _comparable(data)


@lru_cache(maxsize=8)
def _parse(text: str):
    # render_entry parses each entry to check it, and the rules read the same text straight after.
    return parse_front_matter(text)


def _comparable(value):
    if isinstance(value, dict):
        return {key: _comparable(item) for key, item in value.items() if not _empty(item)}
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# -- checking with the loader's rules -------------------------------------------------

def service_problems(text: str, service_id: str, content: ContentSet, organisations: set[str],
                     today: dt.date) -> list[Problem]:
    """The errors ``earlyhelp check`` would report for this service file in the folder ``content``
    was loaded from (``organisations``: the organisation ids it will have)."""
    source = f"services/{service_id}.md"
    try:
        document = _parse(text)
    except YamlFileError as error:  # pragma: no cover - render_entry always writes valid YAML
        return [Problem(source, error.line, "(file)", error.message)]
    problems: list[Problem] = []
    reader = EntryReader(source, document, document.data, problems=problems)
    service = entry_rules.read_service(reader, service_id, today)
    entry_rules.check_body_links(source, document, problems)

    def report(field_name: str, message: str) -> None:
        problems.append(Problem(source, document.line_of(field_name), field_name, message))

    if service.organisation and service.organisation not in organisations:
        report("organisation", f"unknown organisation '{service.organisation}'")
    for index, need in enumerate(service.needs):
        if need not in content.needs:
            report(f"needs[{index}]", f"unknown need '{need}'")
    for index, hub in enumerate(service.hubs):
        if hub not in content.hubs:
            report(f"hubs[{index}]", f"unknown hub '{hub}'")
    for index, venue in enumerate(service.venues):
        if venue.hub and venue.hub not in content.hubs:
            report(f"venues[{index}].hub", f"unknown hub '{venue.hub}'")
    return [problem for problem in problems if problem.is_error]


def organisation_problems(text: str, organisation_id: str) -> list[Problem]:
    """The errors ``earlyhelp check`` would report for this organisation file."""
    source = f"organisations/{organisation_id}.md"
    document = parse_front_matter(text)
    problems: list[Problem] = []
    entry_rules.read_organisation(EntryReader(source, document, document.data, problems=problems),
                                  organisation_id)
    entry_rules.check_body_links(source, document, problems)
    return [problem for problem in problems if problem.is_error]


def hub_problems(text: str, hub_id: str, other_hubs) -> list[Problem]:
    """The errors ``earlyhelp check`` would report for this hub file, beside ``other_hubs`` (the
    folder's other hubs). An area another hub also covers is refused here, where check only warns:
    a postcode there could belong to either hub, and the form is where to stop it. A sector inside
    another hub's district is allowed, as in check (the most specific area wins)."""
    source = f"hubs/{hub_id}.md"
    document = parse_front_matter(text)
    problems: list[Problem] = []
    hub = entry_rules.read_hub(EntryReader(source, document, document.data, problems=problems), hub_id)
    entry_rules.check_body_links(source, document, problems)
    for index, area in enumerate(hub.covers):
        for other in other_hubs:
            if other.id != hub_id and area in other.covers:
                problems.append(Problem(source, document.line_of(f"covers[{index}]"), f"covers[{index}]",
                                        f"'{area}' is also covered by hub '{other.id}': a postcode there "
                                        "could belong to either hub"))
    return [problem for problem in problems if problem.is_error]


def page_problems(text: str, slug: str) -> list[Problem]:
    """The errors ``earlyhelp check`` would report for this content page file."""
    source = f"pages/{slug}.md"
    document = parse_front_matter(text)
    problems: list[Problem] = []
    entry_rules.read_page(EntryReader(source, document, document.data, problems=problems), slug)
    entry_rules.check_body_links(source, document, problems)
    return [problem for problem in problems if problem.is_error]


def site_problems(text: str) -> list[Problem]:
    """The errors ``earlyhelp check`` would report for this ``site.yml``."""
    source = "site.yml"
    try:
        document = parse_yaml(text)
    except YamlFileError as error:
        return [Problem(source, error.line, error.field, error.message)]
    if not isinstance(document.data, dict):
        return [Problem(source, 1, "(file)", "must be a mapping of fields")]
    problems: list[Problem] = []
    entry_rules.read_site(EntryReader(source, document, document.data, problems=problems))
    return [problem for problem in problems if problem.is_error]


# -- files -----------------------------------------------------------------------

def sha256_of(data: bytes) -> str:
    """Hex sha256 of a file's bytes: how an entry file is recognised as changed or not."""
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step: readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
