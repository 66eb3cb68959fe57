"""Hostile content files: no value, tag, alias, byte or kind of file can crash, hang or slip past the check.

What an editor (or a careless copy) can put in ``content/`` meets PyYAML's constructors, which
raise ValueError, KeyError or RecursionError on values they cannot build, expand nested aliases
exponentially, and would block forever on a FIFO. Each such file must come out of
``earlyhelp check`` (and so ``publish``) as one ``path:line: field: message`` for that file, and
the editor's list pages that read the whole folder must keep working. The property test at the
end mutates real entries from the sample content.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.config import PROJECT_ROOT
from app.content import load_content
from app.content.yamlfile import MAX_FILE_BYTES, YamlFileError, dump_yaml, parse_front_matter, parse_yaml

from .editorial.hostile import hostile_site
from .factories import service, write_content

SAMPLE = PROJECT_ROOT / "content"
SAMPLE_SERVICES = ("benefits-check", "baby-massage", "antenatal-classes", "autism-advice-drop-in")
EDITOR_LISTS = ("/editor/services", "/editor/reviews", "/editor/organisations")


def copy_sample(root: Path) -> Path:
    """The real sample content cut down, to keep examples fast: four services, and translations into
    Polish only."""

    def left_out(folder: str, names: list[str]) -> list[str]:
        return [name for name in names if re.search(r"\.(?!pl\.)[a-z]{2}\.(md|yml)$", name)
                or (Path(folder).name == "services" and name.split(".")[0] not in SAMPLE_SERVICES)]

    shutil.copytree(SAMPLE, root, ignore=left_out)
    return root


def line_of(text: str, prefix: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if line.startswith(prefix))


def errors_for(content: Path, relative: str) -> list[str]:
    """The check's errors for one file, as printed: ``path:line: field: message``."""
    return [str(problem) for problem in load_content(content).errors
            if problem.path.endswith(relative)]


# -- values PyYAML cannot build -------------------------------------------------------------------

BAD_VALUES = [
    ("2026-13-45", "'2026-13-45' is not a real date"),
    ("2026-02-30", "'2026-02-30' is not a real date"),
    ("2026-01-01T25:99:99", "is not a real date"),
    ("2026-01-01 10:00:00 +99:00", "is not a real date"),
    ("!!timestamp yesterday", "'yesterday' is not a real date"),
    ("!!bool maybe", "'maybe' is not true or false"),
    ("!!int abc", "'abc' is not a whole number"),
    ("!!float abc", "'abc' is not a number"),
    ("9" * 5000, "a number with 5000 digits is too long"),
    ("-0x" + "f" * 40 + "1" * 40, "a number with"),
    ("!!python/object/apply:os.system [echo]", "the tag '!!python/object/apply:os.system' is not allowed"),
    ("!local thing", "the tag '!local' is not allowed"),
    ("!!binary aGVsbG8=", "the tag '!!binary' is not allowed"),
    ("!!set {a, b}", "the tag '!!set' is not allowed"),
    ("&loop [1, *loop]", "aliases (*name) are not allowed"),
    ("[" * 60 + "]" * 60, "nested more than 40 levels deep"),
]


@pytest.mark.parametrize(("value", "message"), BAD_VALUES)
def test_a_value_pyyaml_cannot_build_is_one_error_naming_file_line_and_field(folders, value, message):
    content = write_content(folders["content"], [service("family-group")])
    path = content / "services" / "family-group.md"
    text = path.read_text(encoding="utf-8")
    line = line_of(text, "last_reviewed:")
    path.write_text(re.sub(r"(?m)^last_reviewed: .*$", lambda _: f"last_reviewed: {value}", text),
                    encoding="utf-8")
    errors = errors_for(content, "services/family-group.md")
    assert len(errors) == 1, errors
    assert re.search(rf"family-group\.md:{line}: last_reviewed(\[\d+\])*: ", errors[0]), errors
    assert message in errors[0]


def test_duplicate_keys_are_errors_naming_both_lines(folders):
    content = write_content(folders["content"], [service("family-group")])
    path = content / "services" / "family-group.md"
    text = path.read_text(encoding="utf-8")
    first = line_of(text, "title:")
    path.write_text(text.replace("\n---\n", "\ntitle: A second title\n---\n", 1), encoding="utf-8")
    second = text[:text.index("\n---\n") + 1].count("\n") + 1
    errors = errors_for(content, "services/family-group.md")
    expected = f"family-group.md:{second}: title: duplicate key 'title' (lines {first} and {second})"
    assert len(errors) == 1 and expected in errors[0], errors


def test_duplicate_keys_are_found_in_nested_mappings_and_yaml_files():
    with pytest.raises(YamlFileError) as error:
        parse_yaml("- id: a\n  contact:\n    phone: 1\n    phone: 2\n")
    assert (error.value.line, error.value.field) == (4, "[0].contact.phone")
    assert "lines 3 and 4" in error.value.message


# -- aliases --------------------------------------------------------------------------------------

def alias_bomb(levels: int = 9) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]" for level in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_in_front_matter_is_refused_at_once(folders):
    content = write_content(folders["content"], [service("family-group")])
    path = content / "services" / "family-group.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n---\n", "\n" + alias_bomb() + "---\n", 1), encoding="utf-8")
    started = time.monotonic()
    errors = errors_for(content, "services/family-group.md")
    assert time.monotonic() - started < 2
    first_alias_line = text[:text.index("\n---\n") + 1].count("\n") + 2  # a1, after a0
    assert len(errors) == 1, errors
    assert f":{first_alias_line}: a1[0]: aliases (*name) are not allowed" in errors[0], errors


def test_an_alias_bomb_in_site_yml_is_refused_at_once(folders):
    content = write_content(folders["content"], [service("family-group")])
    with open(content / "site.yml", "a", encoding="utf-8") as handle:
        handle.write(alias_bomb())
    started = time.monotonic()
    errors = errors_for(content, "site.yml")
    assert time.monotonic() - started < 2
    assert len(errors) == 1 and "aliases (*name) are not allowed" in errors[0], errors


def test_a_plain_alias_and_a_merge_key_are_refused_too():
    with pytest.raises(YamlFileError, match="aliases"):
        parse_yaml("a: &x 1\nb: *x\n")
    with pytest.raises(YamlFileError, match="merge keys"):
        parse_yaml("<<: {a: 1}\nb: 2\n")


def test_what_we_write_never_holds_an_alias():
    shared = ["en", "pl"]
    text = dump_yaml({"languages": shared, "offered": shared})
    assert "&" not in text and parse_yaml(text).data == {"languages": shared, "offered": shared}


def test_valid_yaml_reads_as_before_with_its_lines():
    text = ("---\nid: x\nlast_reviewed: 2026-09-01\nages: {min: 0, max: 5}\nhubs:\n- west\n- 'all'\n"
            "---\nBody\n")
    document = parse_front_matter(text)
    assert document.data == {"id": "x", "last_reviewed": dt.date(2026, 9, 1), "ages": {"min": 0, "max": 5},
                             "hubs": ["west", "all"]}
    assert document.lines == {"id": 2, "last_reviewed": 3, "ages": 4, "ages.min": 4, "ages.max": 4, "hubs": 5,
                              "hubs[0]": 6, "hubs[1]": 7}


# -- odd kinds of file ----------------------------------------------------------------------------

def test_a_fifo_is_reported_not_read_forever(folders):
    content = write_content(folders["content"], [service("family-group")])
    os.mkfifo(content / "services" / "waiting.md")
    run = subprocess.run([sys.executable, "-m", "app", "check", "--content", str(content)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "waiting.md:1: (file): is not a regular file" in run.stdout, run.stdout


@pytest.mark.parametrize("kind", ["device", "folder", "huge", "not-utf-8", "empty", "nul-bytes"])
def test_odd_files_are_reported_with_file_and_line(folders, kind):
    content = write_content(folders["content"], [service("family-group"), service("other-group")])
    path = content / "services" / "other-group.md"
    path.unlink()
    if kind == "device":
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    elif kind == "huge":
        path.write_bytes(b"---\nid: other-group\n---\n" + b"x" * MAX_FILE_BYTES)
    elif kind == "not-utf-8":
        path.write_bytes(b"---\nid: other-group\ntitle: \xff\xfe\n---\n")
    elif kind == "empty":
        path.write_bytes(b"")
    else:
        path.write_bytes(b"---\nid: other-group\ntitle: a\x00b\n---\n")
    errors = errors_for(content, "services/other-group.md")
    assert errors and all(re.search(r"other-group\.md:\d+: ", error) for error in errors), errors


# -- the property: mutated real entries -----------------------------------------------------------

MUTATED_FILES = ("services/benefits-check.md", "services/baby-massage.md", "site.yml", "taxonomy/needs.yml",
                 "taxonomy/levels.yml", "organisations/example-citizens-advice.md", "hubs/north.md",
                 "services/benefits-check.pl.md", "site.pl.yml")
INVALID = [value for value, _ in BAD_VALUES] + [
    "{a: 1, a: 2}", "[&x 1, *x]", "*undefined", "[a, b", "'unclosed", "\"\\xZZ\"", "@reserved", "`tick",
    "!!timestamp 2026-01-01T10:00:00+24:00", "!!int 1_2_3_abc",
]
ODD_VALUES = st.one_of(
    st.sampled_from([
        "null", "~", "''", "[]", "{}", "true", "12", "-1", "0", ".nan", ".inf", "-.inf", "1e308",
        "[1, 2, 3]", "{x: 1}", "[{a: [b]}]", "2026-09-01", "2026-09-01T10:00:00Z", "0o777", "0x1F",
        "'" + "x" * 100_000 + "'", "\"\\u202e\\u0000\"", "!!str 12", "!!int '7'", "- a\n- b",
        "!!float 1e99999", "!!null x",
    ]),
    st.text(max_size=60).map(lambda text: dump_yaml(text).removesuffix("\n...\n").strip()),
    st.integers().map(str),
)
FILE_KINDS = ("fifo", "folder", "device", "huge", "empty", "binary")


def mutable_lines(text: str) -> list[int]:
    """Indexes of the lines holding a ``key: value`` (or ``- value``) in the YAML part of a file."""
    lines = text.splitlines()
    end = len(lines)
    if lines and lines[0] == "---":
        end = next(index for index in range(1, len(lines)) if lines[index] == "---")
    return [index for index in range(end) if re.match(r"^\s*(- )?[A-Za-z_]+:\s*\S|^\s*- \S", lines[index])]


def replace_value(line: str, value: str) -> str:
    match = re.match(r"^(\s*(?:- )?[A-Za-z_]+:)\s*\S.*$|^(\s*- )\S.*$", line)
    head = match.group(1) + " " if match.group(1) else match.group(2)
    return head + value.replace("\n", "\n" + " " * (len(head) - len(head.lstrip()) + 2))


@st.composite
def mutations(draw):
    """(file, what to do to it, whether the result must be refused)."""
    relative = draw(st.sampled_from(MUTATED_FILES))
    how = draw(st.sampled_from(["invalid", "odd", "duplicate", "bomb", "bytes", "kind"]))
    if how in ("invalid", "odd"):
        value = draw(st.sampled_from(INVALID) if how == "invalid" else ODD_VALUES)
        return relative, ("value", draw(st.integers(min_value=0)), value), how == "invalid"
    if how == "duplicate":
        return relative, ("duplicate", draw(st.integers(min_value=0)), None), True
    if how == "bomb":
        return relative, ("bomb", draw(st.integers(min_value=4, max_value=12)), None), True
    if how == "bytes":
        noise = draw(st.binary(min_size=1, max_size=20))
        return relative, ("bytes", draw(st.integers(min_value=0)), noise), False
    kind = draw(st.sampled_from(FILE_KINDS))
    return relative, ("kind", 0, kind), True


def apply_mutation(path: Path, original: bytes, mutation) -> None:
    what, number, value = mutation
    text = original.decode("utf-8")
    lines = text.splitlines()
    candidates = mutable_lines(text)
    if what == "value":
        index = candidates[number % len(candidates)]
        lines[index] = replace_value(lines[index], value)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif what == "duplicate":
        # The first key of the document again, at the same indent, right after its first mapping.
        index = next(index for index in candidates if re.match(r"^[A-Za-z_]+:", lines[index]) or
                     re.match(r"^- [A-Za-z_]+:", lines[index]))
        key_line = lines[index].removeprefix("- ")
        indent = "  " if lines[index].startswith("- ") else ""
        lines.insert(index + 1, indent + key_line)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif what == "bomb":
        bomb = alias_bomb(number)
        if lines[0] == "---" or lines[0].startswith(("id:", "name:")) or not lines[0].startswith("-"):
            at = 1 if lines[0] == "---" else 0
            lines[at:at] = bomb.splitlines()
        else:
            lines.insert(0, "- " + bomb.splitlines()[0])
            lines[1:1] = ["  " + line for line in bomb.splitlines()[1:]]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif what == "bytes":
        at = number % len(original)
        path.write_bytes(original[:at] + value + original[at + len(value):])
    else:
        path.unlink()
        if value == "fifo":
            os.mkfifo(path)
        elif value == "folder":
            path.mkdir()
        elif value == "device":
            path.symlink_to("/dev/zero")
        elif value == "huge":
            path.write_bytes(original + b"#" * MAX_FILE_BYTES)
        elif value == "empty":
            path.write_bytes(b"")
        else:
            path.write_bytes(bytes(range(256)) * 4)


def restore(path: Path, original: bytes) -> None:
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    elif path.is_dir():
        path.rmdir()
    path.write_bytes(original)


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory):
    """A signed-in editor over a copy of the cut-down sample content, published once."""
    with hostile_site(tmp_path_factory, "hostile-files", "/editor/services",
                      write_content=copy_sample) as found:
        client, _ = found
        content = Path(client.application.config["CONTENT_DIR"])
        assert not load_content(content).errors, "the cut-down sample must pass the check"
        yield client, content


def test_the_sample_files_being_mutated_exist(sample_site):
    _, content = sample_site
    for relative in MUTATED_FILES:
        assert mutable_lines((content / relative).read_text(encoding="utf-8")), relative


@given(mutation=mutations())
@settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_mutated_file_crashes_hangs_or_goes_unnamed(sample_site, mutation):
    """``check`` and the editor's list pages never raise and never take over 2 s on a mutated file,
    and every problem with the file names it with a line; a file that must be refused is.

    The 2 s are CPU seconds: on a shared, busy machine wall time measures the neighbours. A read
    that blocks (the FIFO) spends none, so test_a_fifo_is_reported_not_read_forever times it out.
    """
    client, content = sample_site
    relative, change, must_fail = mutation
    path = content / relative
    original = path.read_bytes()
    try:
        apply_mutation(path, original, change)
        started = time.process_time()
        problems = load_content(content).problems
        assert time.process_time() - started < 2, "the check took over 2 s"
        mine = [problem for problem in problems if problem.path.endswith(relative)]
        for problem in mine:
            assert problem.line >= 1 and problem.field and problem.message, problem
            assert re.match(rf".*{re.escape(relative)}:\d+: \S.*: \S", str(problem)), str(problem)
        if must_fail:
            assert any(problem.is_error for problem in mine), (change, [str(problem) for problem in problems])
        for url in EDITOR_LISTS:
            started = time.process_time()
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert time.process_time() - started < 2, f"{url} took over 2 s"
    finally:
        restore(path, original)
