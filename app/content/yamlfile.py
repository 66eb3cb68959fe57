"""Read YAML documents and Markdown front matter, remembering source lines.

Editors fix problems faster when `earlyhelp check` points at the exact line,
so every value read from YAML keeps the line it came from, addressed by a
path such as ``contact.phone`` or ``venues[0].postcode``.

Content is plain data, and whatever else a file holds (aliases, unknown tags,
duplicate keys, dates and numbers that do not exist, odd characters, a FIFO in
place of a file) becomes one :class:`YamlFileError` or :class:`EntryFileError`
naming the line, never an exception from PyYAML, a hang or a memory blow-up.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# libyaml's parser when PyYAML was built with it: about ten times faster.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# What the safe loader resolves a plain scalar to, by its first character (no resolver matches any
# character: SafeLoader has none of those, nor path resolvers).
_IMPLICIT = {first: tuple(resolvers) for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()}
assert None not in _IMPLICIT and not _BaseLoader.yaml_path_resolvers
# The tag of each short plain scalar seen (value -> tag), emptied when it holds this many.
_RESOLVED: dict[str, str] = {}
_RESOLVED_LENGTH, _RESOLVED_LIMIT = 64, 50_000


class _Loader(_BaseLoader):
    """The safe loader with PyYAML's tag resolver pared down to what it does for a safe loader.

    libyaml composes the node tree in C but calls back into Python for each node's tag and, for
    path resolvers no safe loader has, on entering and leaving each node: with the generic code
    those calls were about a third of parsing an entry file. The tags are the same.
    """

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return _STR_TAG
            # Keys and most values (ids, needs, hubs, numbers) recur from file to file: each is
            # matched against the resolvers' patterns once.
            if (tag := _RESOLVED.get(value)) is None:
                tag = _STR_TAG
                for resolved, regexp in _IMPLICIT.get(value[:1], ()):
                    if regexp.match(value):
                        tag = resolved
                        break
                if len(value) <= _RESOLVED_LENGTH:
                    if len(_RESOLVED) >= _RESOLVED_LIMIT:
                        _RESOLVED.clear()
                    _RESOLVED[value] = tag
            return tag
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


class PlainDumper(yaml.SafeDumper):
    """Writes YAML that :func:`parse_yaml` reads back: a value used twice is written out twice,
    never as an anchor and alias (which content refuses)."""

    def ignore_aliases(self, data) -> bool:
        return True


def dump_yaml(data, **options) -> str:
    """``yaml.safe_dump`` without aliases; ``options`` as for ``yaml.dump``."""
    return yaml.dump(data, Dumper=PlainDumper, **options)


class YamlFileError(Exception):
    """A file that cannot be read as plain data; carries the 1-based line and the field it is in."""

    def __init__(self, line: int, message: str, field: str = "(file)"):
        super().__init__(message)
        self.line = line
        self.message = message
        self.field = field


# The longest real entries are a few kilobytes; a page of policy text perhaps 50 KB.
MAX_FILE_BYTES = 1024 * 1024
_READ_ON = 64 * 1024   # what each further read asks for, past the size a file had when opened


class EntryFileError(Exception):
    """A content file that cannot be read: not a regular file, too large, or an OS error."""


def read_entry_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a content file, refusing anything but a regular file of at most ``limit`` bytes.

    A FIFO, socket or device under ``content/`` would otherwise block a reader forever (or
    never end), so the file is opened without blocking and checked before it is read.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise EntryFileError(f"cannot be read: {error.strerror}") from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise EntryFileError("is not a regular file (a folder, pipe or device?): "
                                 "content must be plain files")
        # Plain `os.read`s, no buffered file object (a quarter of the time of reading an entry
        # file): the size it has, and one byte more to find its end, then on until the end in
        # case it grew meanwhile.
        parts = []
        total = 0
        wanted = min(status.st_size, limit) + 1
        while total <= limit and (part := os.read(descriptor, wanted)):
            parts.append(part)
            total += len(part)
            wanted = _READ_ON
        raw = b"".join(parts)
    except OSError as error:
        raise EntryFileError(f"cannot be read: {error.strerror}") from None
    finally:
        os.close(descriptor)
    if len(raw) > limit:
        raise EntryFileError(f"is larger than {limit / 1024 / 1024:g} MB: an entry should be far shorter")
    return raw


@dataclass
class Document:
    """Parsed YAML data plus a map from value path to 1-based line."""

    data: object
    lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 0
    first_line: int = 1

    def line_of(self, path: str) -> int:
        """Line of ``path``, else of its nearest parent, else the first line."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = _parent_path(path)
        return self.first_line

    def lines_only(self) -> Document:
        """The same lines without the data and body: what is kept once an entry is read."""
        return Document(None, self.lines, "", self.body_line, self.first_line)


def _parent_path(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rindex("[")]
    if "." in path:
        return path[: path.rindex(".")]
    return ""


# The only tags content may use: what plain YAML values resolve to, so an explicit ``!!int 5`` still
# works, while ``!!binary``, ``!!set``, ``!!python/...`` or a local ``!tag`` are refused.
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in
                        ("null", "bool", "int", "float", "str", "timestamp", "seq", "map"))
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_SCALAR_KINDS = {"tag:yaml.org,2002:null": "an empty value", "tag:yaml.org,2002:bool": "true or false",
                 "tag:yaml.org,2002:int": "a whole number", "tag:yaml.org,2002:float": "a number",
                 "tag:yaml.org,2002:timestamp": "a real date (YYYY-MM-DD) or date and time"}
MAX_DEPTH = 40  # entries nest three or four levels; far deeper is a mistake or an attack
MAX_NUMBER_DIGITS = 30  # enough for any real number; Python refuses ints past 4,300 digits anyway


class _Builder:
    """Builds Python values from a composed YAML node tree, recording each value's line.

    PyYAML's own constructor trusts its input: an invalid date or ``!!bool maybe``
    raises ValueError or KeyError, a self-referencing alias recurses forever, and
    nested aliases expand exponentially (an "alias bomb"). Every node here is
    visited once, so a repeated node (an alias) is refused in time linear in the
    file, as are unknown tags, duplicate keys and values that cannot be built.
    """

    def __init__(self, loader, offset: int, anchored: bool = True):
        self.loader = loader
        self.offset = offset
        self.lines: dict[str, int] = {}
        # An alias needs an anchor ('&name') to name: a text without '&' cannot repeat a node, so
        # its nodes need not be remembered (most entry files have none).
        self.seen: set[int] | None = set() if anchored else None

    def line(self, node) -> int:
        return node.start_mark.line + 1 + self.offset

    def fail(self, node, path: str, message: str):
        return YamlFileError(self.line(node), message, path or "(file)")

    def build(self, node, path: str = "", depth: int = 0):
        seen = self.seen
        if seen is not None:
            if id(node) in seen:
                raise YamlFileError(0, "aliases (*name) are not allowed: write the value out in full",
                                    path or "(file)")
            seen.add(id(node))
        if depth > MAX_DEPTH:
            raise self.fail(node, path, f"nested more than {MAX_DEPTH} levels deep")
        tag = node.tag
        kind = type(node)
        if tag == _STR_TAG and kind is yaml.ScalarNode:   # most values: text
            return node.value
        if tag not in _PLAIN_TAGS:
            tag = tag.replace("tag:yaml.org,2002:", "!!")
            raise self.fail(node, path, f"the tag '{tag}' is not allowed: use plain text, numbers, dates, "
                                        "true/false, lists and mappings")
        if kind is yaml.MappingNode:
            return self.mapping(node, path, depth)
        if kind is yaml.SequenceNode:
            items = []
            lines = self.lines
            offset = self.offset + 1
            for index, item in enumerate(node.value):
                item_path = f"{path}[{index}]"
                lines[item_path] = item.start_mark.line + offset
                items.append(self.build(item, item_path, depth + 1))
            return items
        return self.scalar(node, path)

    def mapping(self, node, path: str, depth: int) -> dict:
        result: dict = {}
        key_lines: dict = {}
        lines = self.lines
        offset = self.offset + 1
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                raise self.fail(key_node, path,
                                "merge keys ('<<') are not allowed: write the fields out in full")
            if type(key_node) is not yaml.ScalarNode:
                raise self.fail(key_node, path, "a key must be a plain name, not a list or mapping")
            key = self.build(key_node, path, depth + 1)
            key_path = f"{path}.{key_node.value}" if path else str(key_node.value)
            line = key_node.start_mark.line + offset
            if key in key_lines:
                raise self.fail(key_node, key_path, f"duplicate key '{key_node.value}' (lines "
                                                    f"{key_lines[key]} and {line}): keep one")
            key_lines[key] = lines[key_path] = line
            result[key] = self.build(value_node, key_path, depth + 1)
        return result

    def scalar(self, node, path: str):
        if node.tag == _STR_TAG:
            return node.value
        if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            digits = sum(character.isdigit() for character in node.value)
            if digits > MAX_NUMBER_DIGITS:
                raise self.fail(node, path, f"a number with {digits} digits is too long to be real")
        try:
            return self.loader.yaml_constructors[node.tag](self.loader, node)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, yaml.YAMLError):
            shown = node.value if len(node.value) <= 40 else node.value[:40] + "..."
            kind = _SCALAR_KINDS.get(node.tag, "a value")
            raise self.fail(node, path, f"'{shown}' is not {kind}") from None


def _alias_line(text: str, offset: int) -> int:
    """The line of the first alias in ``text`` (read again only when the tree showed one)."""
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark.line + 1 + offset
    return offset + 1


def parse_yaml(text: str, offset: int = 0) -> Document:
    """Parse one YAML document; ``offset`` is how many lines precede it.

    Anything that is not plain data (aliases, unknown tags, duplicate keys, invalid
    dates or numbers) raises :class:`YamlFileError` naming the line and field.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        builder = _Builder(loader, offset, "&" in text)
        data = builder.build(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + 1 + offset) if mark else offset + 1
        problem = error.problem or "malformed YAML"
        raise YamlFileError(line, f"malformed YAML: {problem}") from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, max(error.position, 0)) + 1 + offset
        shown = f"U+{error.character:04X}" if isinstance(error.character, int) else repr(error.character)
        raise YamlFileError(line, f"holds a character YAML does not allow ({shown}): remove it") from None
    except yaml.YAMLError as error:
        raise YamlFileError(offset + 1, f"malformed YAML: {error}") from None
    except YamlFileError as error:
        if error.line == 0:  # an alias: the node tree no longer knows where it was written
            error.line = _alias_line(text, offset)
        raise
    finally:
        loader.dispose()
    return Document(data=data, lines=builder.lines, first_line=offset + 1)


def parse_front_matter(text: str) -> Document:
    """Split a Markdown file into YAML front matter and body.

    The file must start with a line ``---`` and the front matter ends at the
    next line that is exactly ``---``.
    """
    text = text.lstrip("\ufeff")
    all_lines = text.splitlines(keepends=True)
    if not all_lines or all_lines[0].rstrip() != "---":
        raise YamlFileError(1, "the file must start with a line '---' opening the front matter")
    for index in range(1, len(all_lines)):
        if all_lines[index].rstrip() == "---":
            front = "".join(all_lines[1:index])
            document = parse_yaml(front, offset=1)
            document.first_line = 1
            document.body = "".join(all_lines[index + 1 :]).strip("\n")
            document.body_line = index + 2
            return document
    raise YamlFileError(1, "the front matter is not closed by a line '---'")


class FileLines:
    """The lines of an entry file's fields, read again from the file only if a check asks for one.

    What a load keeps of each entry file once its entry is read: checks across
    entries report a line only for the few files they find fault with, and
    keeping every file's lines would cost hundreds of MB at 100,000 files.
    """

    __slots__ = ("_document", "_path")

    def __init__(self, path: str | Path):
        self._path = path
        self._document: Document | None = None

    def line_of(self, path: str) -> int:
        if self._document is None:
            try:
                text = read_entry_bytes(Path(self._path)).decode("utf-8")
                self._document = parse_front_matter(text).lines_only()
            except (EntryFileError, UnicodeDecodeError, YamlFileError):
                self._document = Document(None)   # changed since into a broken file: its first line
        return self._document.line_of(path)
