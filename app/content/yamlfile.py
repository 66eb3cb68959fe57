"""Read YAML documents and Markdown front matter, remembering source lines.

Editors fix problems faster when `earlyhelp check` points at the exact line,
so every value read from YAML keeps the line it came from, addressed by a
path such as ``contact.phone`` or ``venues[0].postcode``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

# libyaml's parser when PyYAML was built with it: about ten times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlFileError(Exception):
    """A file that cannot be parsed at all; carries the 1-based line."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


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


def _parent_path(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rindex("[")]
    if "." in path:
        return path[: path.rindex(".")]
    return ""


def _record_lines(node, prefix: str, offset: int, lines: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            path = f"{prefix}.{key}" if prefix else key
            lines[path] = key_node.start_mark.line + 1 + offset
            _record_lines(value_node, path, offset, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = f"{prefix}[{index}]"
            lines[path] = item.start_mark.line + 1 + offset
            _record_lines(item, path, offset, lines)


def parse_yaml(text: str, offset: int = 0) -> Document:
    """Parse one YAML document; ``offset`` is how many lines precede it."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + 1 + offset) if mark else offset + 1
        problem = error.problem or "malformed YAML"
        raise YamlFileError(line, f"malformed YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise YamlFileError(offset + 1, f"malformed YAML: {error}") from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if node is not None:
        _record_lines(node, "", offset, lines)
    return Document(data=data, lines=lines, first_line=offset + 1)


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
