"""docs/content-format.md documents exactly the fields the loader accepts, and its examples are valid.

The accepted fields are found by asking the loader itself, not by reading a list kept for the
test: each kind of file is written into a small content folder with every field the loader
names as allowed (``EntryReader.unknown_keys`` for entries, ``fields_allowed`` for
translations), once as a mapping and once as a list of mappings, to find the nested ones
(``contact.phone``, ``venues[].postcode``) however deep they go. So a field added to the code
without a row in the documentation fails here, and so does a documented field the code no
longer reads. A field the loader reports as "is required" must be documented as required
("yes" in the Required column), and only those.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from app.config import PROJECT_ROOT
from app.content import fields as content_fields
from app.content import load_content
from app.content import translations as content_translations

from .factories import service, site, write_content

DOC = PROJECT_ROOT / "docs" / "content-format.md"
DOC_NAME = "docs/content-format.md"


@dataclass(frozen=True)
class Kind:
    """One kind of file: the pattern its heading in the documentation names, and a file to probe."""

    pattern: str  # as written in the heading, e.g. content/services/<id>.md
    path: str  # the file written into the probe folder
    front_matter: bool = True
    is_list: bool = False  # a YAML list of mappings (the taxonomies)
    keep: dict = field(default_factory=dict)  # fields the file needs to be read at all

    def matches(self, path: str) -> bool:
        """Whether ``path`` (``content/...``) is a file of this kind."""
        pattern = (re.escape(self.pattern).replace("<id>", "[a-z0-9-]+").replace("<slug>", "[a-z0-9-]+")
                   .replace("<lang>", "[a-z]{2}"))
        return re.fullmatch(pattern, path) is not None


KINDS = [
    Kind("content/site.yml", "site.yml", front_matter=False),
    Kind("content/taxonomy/needs.yml", "taxonomy/needs.yml", front_matter=False, is_list=True),
    Kind("content/taxonomy/age-bands.yml", "taxonomy/age-bands.yml", front_matter=False, is_list=True),
    Kind("content/taxonomy/levels.yml", "taxonomy/levels.yml", front_matter=False, is_list=True),
    Kind("content/hubs/<id>.md", "hubs/probe.md"),
    Kind("content/organisations/<id>.md", "organisations/probe.md"),
    Kind("content/services/<id>.md", "services/probe.md"),
    Kind("content/pages/<slug>.md", "pages/probe.md"),
    Kind("content/services/<id>.<lang>.md", "services/probe-english.pl.md"),
    Kind("content/hubs/<id>.<lang>.md", "hubs/west.pl.md"),
    Kind("content/pages/<slug>.<lang>.md", "pages/about.pl.md"),
    Kind("content/taxonomy/needs.<lang>.yml", "taxonomy/needs.pl.yml", front_matter=False, is_list=True,
         keep={"id": "parenting"}),
    Kind("content/taxonomy/age-bands.<lang>.yml", "taxonomy/age-bands.pl.yml", front_matter=False,
         is_list=True, keep={"id": "0-2"}),
    Kind("content/taxonomy/levels.<lang>.yml", "taxonomy/levels.pl.yml", front_matter=False, is_list=True,
         keep={"id": "2"}),
    Kind("content/site.<lang>.yml", "site.pl.yml", front_matter=False),
]

# Where in the code each accepted field was declared, for the failure message.
Declared = dict[str, str]
Steps = tuple[tuple[str, bool], ...]  # (field, is a list of mappings) from the top of the entry


def _normalise(prefix: str, is_list: bool) -> str:
    """``[0].venues[1]`` -> ``venues[]``: a path in the entry, without item numbers."""
    if is_list:
        prefix = re.sub(r"^\[\d+\]\.?", "", prefix)
    return re.sub(r"\[\d+\]", "[]", prefix)


def _name(steps: Steps) -> str:
    return ".".join(key + ("[]" if is_list else "") for key, is_list in steps)


def _wrap(steps: Steps, inner: dict) -> dict:
    """Data holding the containers along ``steps``, the innermost one being ``inner``."""
    value: object = inner
    for key, is_list in reversed(steps):
        value = {key: [value] if is_list else value}
    return value


class Probe:
    """Loads a small content folder with one file replaced, recording what the loader allows."""

    def __init__(self, root: Path, monkeypatch):
        self.root = root
        self.calls: list[tuple[str, str, set[str], str]] = []
        write_content(root, [service("probe-english", venues=[
            {"name": "Hall", "address": "1 Road", "postcode": "N17 6BB", "hub": "west",
             "schedule": "Mondays", "accessibility": "Step-free"}])], site=site(["en", "pl"]))
        self.original = {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}
        record = self.calls.append

        def unknown_keys(reader, allowed):
            record((reader.source, reader.prefix, set(allowed), _caller()))
            return original_unknown_keys(reader, allowed)

        def fields_allowed(checker, reader, translated, english_fields):
            record((reader.source, reader.prefix, set(translated), _caller()))
            return original_fields_allowed(checker, reader, translated, english_fields)

        original_unknown_keys = content_fields.EntryReader.unknown_keys
        original_fields_allowed = content_translations._Checker.fields_allowed
        monkeypatch.setattr(content_fields.EntryReader, "unknown_keys", unknown_keys)
        monkeypatch.setattr(content_translations._Checker, "fields_allowed", fields_allowed)

    def load(self, kind: Kind, data: dict, keep: bool = True):
        """Load the folder with ``kind``'s file holding ``data`` (and ``kind.keep`` unless not ``keep``);
        return (allowed fields by path, problems in that file)."""
        for path in self.root.rglob("*"):  # every other file as the factory wrote it
            if path.is_file() and path not in self.original:
                path.unlink()
        for path, raw in self.original.items():
            path.write_bytes(raw)
        entry = {**(kind.keep if keep else {}), **data}
        text = yaml.safe_dump([entry] if kind.is_list else entry, sort_keys=False)
        target = self.root / kind.path
        target.write_text(f"---\n{text}---\nText.\n" if kind.front_matter else text, encoding="utf-8")
        self.calls.clear()
        content = load_content(self.root)
        allowed: dict[str, tuple[set[str], str]] = {}
        for source, prefix, keys, where in self.calls:
            if Path(source).resolve() == target.resolve():
                allowed[_normalise(prefix, kind.is_list)] = (keys, where)
        problems = [problem for problem in content.problems
                    if Path(problem.path).resolve() == target.resolve()]
        return allowed, problems

    def accepted(self, kind: Kind) -> tuple[Declared, set[str]]:
        """Every field path the loader accepts in ``kind`` (with where it is declared), and the
        paths it reports as required when their container is there but they are not."""
        allowed, _ = self.load(kind, {})
        assert "" in allowed, f"the loader did not read {kind.path}"
        containers: dict[Steps, set[str]] = {(): allowed[""][0]}
        declared: Declared = {key: allowed[""][1] for key in allowed[""][0]}
        pending: list[Steps] = [()]
        while pending:
            steps = pending.pop()
            for as_list in (False, True):
                keys = [key for key in containers[steps] if key not in kind.keep]
                found, _ = self.load(kind, _wrap(steps, {key: [{}] if as_list else {} for key in keys}))
                for key in keys:
                    child = (*steps, (key, as_list))
                    name = _name(child)
                    if name in found and child not in containers:
                        containers[child] = found[name][0]
                        declared.update({f"{name}.{inner}": found[name][1] for inner in found[name][0]})
                        pending.append(child)
        required = set()
        for steps in containers:
            # An empty container, with the fields the file needs to be read at all, and at the top
            # also without them, since leaving one out is reported too.
            problems = [problem for keep in ((True, False) if not steps else (True,))
                        for problem in self.load(kind, _wrap(steps, {}), keep=keep)[1]]
            for problem in problems:
                path = _normalise(problem.field, kind.is_list)
                parent = path.rsplit(".", 1)[0] if "." in path else ""
                if problem.message.startswith("is required") and parent == _name(steps):
                    required.add(path)
        return declared, required


def _caller() -> str:
    """Where the allowed fields were given: the first frame in app/ outside the reader itself."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = Path(frame.f_code.co_filename)
        if filename.is_relative_to(PROJECT_ROOT / "app") and frame.f_code.co_name not in {
                "unknown_keys", "fields_allowed"}:
            where = filename.relative_to(PROJECT_ROOT).as_posix()
            return f"{where}:{frame.f_lineno} ({frame.f_code.co_name})"
        frame = frame.f_back
    return "the loader"


@dataclass
class Section:
    heading: str
    fields: dict[str, str]  # documented field -> its Required cell


def documented_sections(text: str) -> dict[str, Section]:
    """Pattern -> the fields in the tables under the heading that names it (and its subheadings)."""
    sections: dict[str, Section] = {}
    current: tuple[int, str] | None = None
    for line in text.splitlines():
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            level = len(heading.group(1))
            named = re.search(r"`(content/[^`]+)`", heading.group(2))
            if named:
                current = (level, named.group(1))
                sections.setdefault(named.group(1), Section(line.strip(), {}))
            elif current and level <= current[0]:
                current = None
            continue
        if current is None or not line.startswith("|") or re.match(r"^\|\s*:?-", line):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        names = re.findall(r"`([^`]+)`", cells[0])
        if cells[0].lower() == "field" or not names:
            continue
        for name in names:
            sections[current[1]].fields[name] = cells[1] if len(cells) > 1 else ""
    return sections


@pytest.fixture(scope="module")
def sections() -> dict[str, Section]:
    return documented_sections(DOC.read_text(encoding="utf-8"))


def test_every_kind_of_file_has_its_section(sections):
    missing = [kind.pattern for kind in KINDS if kind.pattern not in sections]
    assert not missing, (f"{DOC_NAME} needs a heading naming each of {missing} in backticks, "
                         "with a table of its fields under it")


def field_problems(kind: Kind, section: Section, declared: Declared, required: set[str]) -> list[str]:
    """What differs between the documented fields of ``kind`` and the loader's, as instructions."""
    problems = []
    for name in sorted(set(declared) - set(section.fields)):
        problems.append(
            f"`{name}` in {kind.pattern} is accepted by the loader ({declared[name]}) but not documented: "
            f"add a row for `{name}` (Required: yes/no, what it holds, an example) to the table under "
            f"'{section.heading}' in {DOC_NAME}")
    for name in sorted(set(section.fields) - set(declared)):
        problems.append(
            f"`{name}` is documented under '{section.heading}' in {DOC_NAME}, but the loader does not "
            f"accept it in {kind.pattern} (it would be reported as an unknown field): correct or remove "
            "the row")
    for name in sorted(set(declared) & set(section.fields)):
        says_required = section.fields[name].lower().startswith("yes")
        if name in required and not says_required:
            problems.append(f"`{name}` in {kind.pattern} is required by the loader: its Required cell under "
                            f"'{section.heading}' in {DOC_NAME} must start with 'yes'")
        elif says_required and name not in required:
            problems.append(f"`{name}` in {kind.pattern} is optional for the loader, but {DOC_NAME} says "
                            f"'{section.fields[name]}' under '{section.heading}'")
    return problems


@pytest.mark.parametrize("kind", KINDS, ids=[kind.pattern for kind in KINDS])
def test_documented_fields_are_the_fields_the_loader_accepts(kind, sections, tmp_path, monkeypatch):
    section = sections.get(kind.pattern)
    assert section is not None, f"{DOC_NAME} has no heading naming `{kind.pattern}`"
    declared, required = Probe(tmp_path / "content", monkeypatch).accepted(kind)
    problems = field_problems(kind, section, declared, required)
    assert not problems, "\n".join(problems)


def test_the_probe_finds_nested_fields_and_declarations(tmp_path, monkeypatch):
    """The probe itself: it finds mappings and lists of mappings, and where they are declared."""
    kind = next(kind for kind in KINDS if kind.pattern == "content/services/<id>.md")
    declared, required = Probe(tmp_path / "content", monkeypatch).accepted(kind)
    assert {"contact.phone", "ages.pregnancy", "venues[].postcode", "evidence.rating"} <= set(declared)
    assert "venues.postcode" not in declared and "contact[].phone" not in declared
    assert declared["venues[].postcode"].startswith("app/content/entries.py:")
    assert {"id", "title", "ages", "ages.min", "venues[].name", "evidence.rating"} <= required
    assert not {"keywords", "venues", "venues[].hub", "contact.phone"} & required


def test_every_kind_of_file_the_loader_reads_is_probed(monkeypatch):
    """A new kind of file (a new folder or taxonomy) must be added to KINDS and documented too."""
    read: dict[str, str] = {}

    def unknown_keys(reader, allowed):
        read.setdefault(reader.source, _caller())
        return original_unknown_keys(reader, allowed)

    def fields_allowed(checker, reader, translated, english_fields):
        read.setdefault(reader.source, _caller())
        return original_fields_allowed(checker, reader, translated, english_fields)

    original_unknown_keys = content_fields.EntryReader.unknown_keys
    original_fields_allowed = content_translations._Checker.fields_allowed
    monkeypatch.setattr(content_fields.EntryReader, "unknown_keys", unknown_keys)
    monkeypatch.setattr(content_translations._Checker, "fields_allowed", fields_allowed)
    sample = (PROJECT_ROOT / "content").resolve()
    load_content(sample)
    assert any(".pl." in source for source in read), "the sample content's translations were not read"
    unknown = {}
    for source, where in read.items():
        path = "content/" + Path(source).resolve().relative_to(sample).as_posix()
        if not any(kind.matches(path) for kind in KINDS):
            unknown[path] = where
    assert not unknown, "\n".join(
        f"{path} is read by the loader ({where}) but is no kind of file that {DOC_NAME} documents: add "
        f"its pattern to KINDS in tests/test_content_format_docs.py and a section with its fields to "
        f"{DOC_NAME}" for path, where in unknown.items())


def _examples(text: str) -> list[tuple[str, str]]:
    """(path, text) of each fenced example whose first line names its file under content/."""
    found = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL):
        first, _, rest = block.partition("\n")
        named = re.match(r"^(?:#|<!--)\s*(content/[^\s]+)\s*(?:-->)?\s*$", first)
        if named:
            found.append((named.group(1), rest))
    return found


def test_the_examples_make_a_valid_content_folder(tmp_path):
    """Every example file in the documentation, written out together, passes `earlyhelp check`."""
    examples = _examples(DOC.read_text(encoding="utf-8"))
    written = {path for path, _ in examples}
    for kind in KINDS:
        assert any(kind.matches(path) for path in written), f"{DOC_NAME} has no example of {kind.pattern}"
    root = tmp_path
    for path, body in examples:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    content = load_content(root / "content")
    assert [str(problem) for problem in content.errors] == []
    # Translations stamped from the examples' English text (`earlyhelp translations stamp`).
    assert [str(problem) for problem in content.warnings if problem.kind != "review overdue"] == []
    assert content.services and content.hubs and content.pages and content.organisations
    assert all(content.translations[kind] for kind in ("services", "hubs", "pages", "needs", "site"))


def test_a_new_field_is_named_with_where_to_document_it(tmp_path, monkeypatch):
    """What an engineer adding a field sees: the field, where the code accepts it, where to write."""
    probe = Probe(tmp_path / "content", monkeypatch)
    recording = content_fields.EntryReader.unknown_keys

    def with_a_new_venue_field(reader, allowed):  # as if read_service allowed one more venue field
        if reader.prefix.startswith("venues["):
            allowed = {*allowed, "opening_times"}
        return recording(reader, allowed)

    monkeypatch.setattr(content_fields.EntryReader, "unknown_keys", with_a_new_venue_field)
    kind = next(kind for kind in KINDS if kind.pattern == "content/services/<id>.md")
    section = documented_sections(DOC.read_text(encoding="utf-8"))[kind.pattern]
    declared, required = probe.accepted(kind)
    [problem] = field_problems(kind, section, declared, required)
    assert problem.startswith("`venues[].opening_times` in content/services/<id>.md is accepted by the "
                              "loader (app/content/entries.py:")
    assert "add a row for `venues[].opening_times`" in problem
    assert f"to the table under '{section.heading}' in {DOC_NAME}" in problem
