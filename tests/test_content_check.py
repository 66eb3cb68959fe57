"""`earlyhelp check`: every problem reported at once as path:line: field: message."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import pytest

from app.content import load_content

from .factories import service, write_content, write_service

TODAY = dt.date(2026, 11, 22)


def problems_of(root, **kwargs):
    return [str(problem) for problem in load_content(root, today=TODAY, **kwargs).problems]


def line_of(path, text: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def test_valid_content_has_no_problems(content_dir):
    content = load_content(content_dir, today=TODAY)
    assert content.problems == []
    assert len(content.published_services()) == 5
    assert content.services["old-draft"].status == "draft"
    assert content.services["debt-advice"].borough_wide


def test_each_problem_names_file_line_and_field(tmp_path):
    root = write_content(tmp_path / "content", [service(
        "bad-entry",
        summary="x" * 201,
        organisation="nobody",
        needs=["parenting", "unicorns"],
        hubs=["west", "atlantis"],
        ages={"min": 7, "max": 3},
        last_reviewed="2026-02-30",
        contact={"phone": "call us", "website": "javascript:alert(1)"},
        venues=[{"name": "Hall", "postcode": "NOT A CODE", "hub": "west"}],
        access=["teleport"],
        colour="blue",
    )])
    path = root / "services" / "bad-entry.md"
    problems = problems_of(root)
    expected = [
        ("summary", "is 201 characters long; the limit is 200"),
        ("organisation", "unknown organisation 'nobody'"),
        ("needs[1]", "unknown need 'unicorns'"),
        ("hubs[1]", "unknown hub 'atlantis'"),
        ("ages.max", "must not be less than min"),
        ("last_reviewed", "'2026-02-30' is not a date"),
        ("contact.phone", "'call us' is not a phone number"),
        ("contact.website", "is not a safe link"),
        ("venues[0].postcode", "'NOT A CODE' is not a UK postcode"),
        ("access[0]", "'teleport' is not one of"),
        ("colour", "unknown field"),
    ]
    for field, message in expected:
        pattern = re.compile(rf"services/bad-entry\.md:\d+: {re.escape(field)}: .*{re.escape(message)}")
        assert any(pattern.search(p) for p in problems), f"no problem for {field}: {problems}"
    # Line numbers point at the field itself.
    summary = next(p for p in problems if ": summary: " in p)
    assert summary.split(": summary: ")[0].endswith(f":{line_of(path, 'summary:')}")
    postcode = next(p for p in problems if "venues[0].postcode" in p)
    assert postcode.split(": venues[0].postcode: ")[0].endswith(f":{line_of(path, 'postcode: NOT A CODE')}")


def test_missing_required_fields_are_each_reported(tmp_path):
    root = write_content(tmp_path / "content", [])
    path = root / "services" / "empty.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\nid: empty\n---\nBody\n", encoding="utf-8")
    problems = problems_of(root)
    for field in ("title", "summary", "organisation", "needs", "ages", "levels", "hubs", "access",
                  "free", "delivery", "contact", "status", "last_reviewed"):
        assert any(f"empty.md:2: {field}: is required" in p or f": {field}: " in p for p in problems), field


def test_malformed_yaml_names_the_line(tmp_path):
    root = write_content(tmp_path / "content", [])
    path = root / "services" / "broken.md"
    path.write_text("---\nid: broken\ntitle: [unclosed\nsummary: x\n---\nBody\n", encoding="utf-8")
    problems = problems_of(root)
    assert any("broken.md:" in p and "(file): malformed YAML" in p for p in problems), problems


def test_front_matter_must_be_opened_and_closed(tmp_path):
    root = write_content(tmp_path / "content", [])
    (root / "services" / "no-open.md").write_text("id: no-open\n", encoding="utf-8")
    (root / "services" / "no-close.md").write_text("---\nid: no-close\n", encoding="utf-8")
    problems = problems_of(root)
    assert any("no-open.md:1: (file): the file must start with a line '---'" in p for p in problems)
    assert any("no-close.md:1: (file): the front matter is not closed" in p for p in problems)


def test_id_must_match_file_name_and_file_names_are_ids(tmp_path):
    root = write_content(tmp_path / "content", [service("right-name")])
    write_service(root, service("other-name") | {"id": "right-name"}).rename(
        root / "services" / "other-name.md")
    (root / "services" / "Bad Name.md").write_text("---\n---\n", encoding="utf-8")
    problems = problems_of(root)
    assert any("other-name.md:2: id: 'right-name' does not match the file name 'other-name.md'" in p
               for p in problems), problems
    assert any("Bad Name.md:1: (file): file names must be" in p for p in problems)


def test_duplicate_taxonomy_ids(tmp_path):
    from .factories import NEEDS
    root = write_content(tmp_path / "content", needs=[*NEEDS, dict(NEEDS[0])])
    problems = problems_of(root)
    assert any("needs.yml:" in p and "id: duplicate id 'parenting'" in p for p in problems), problems


def test_unsafe_links_in_body(tmp_path):
    root = write_content(tmp_path / "content", [service("linky")],
                         bodies={"linky": "Fine [site](https://example.org).\n\nBad [click]"
                                          "(javascript:alert(1)) and <a href=\"data:text/html,x\">x</a>"})
    path = root / "services" / "linky.md"
    problems = [p for p in problems_of(root) if ": body: " in p]
    assert len(problems) == 2, problems
    assert all(f"linky.md:{line_of(path, 'Bad [click]')}: body: unsafe link" in p for p in problems)


def test_a_sector_carved_out_of_another_hubs_district_is_allowed(tmp_path):
    # West covers N15 3; East covering all of N15 is fine: the most specific area wins.
    # (The same area in two hubs is a warning: tests/practitioner/test_check_warnings.py.)
    root = write_content(tmp_path / "content")
    hub = root / "hubs" / "east.md"
    hub.write_text(hub.read_text().replace("- N22", "- N15"), encoding="utf-8")
    assert problems_of(root) == []


def test_review_overdue_is_a_warning_not_an_error(tmp_path):
    root = write_content(tmp_path / "content", [service("stale", last_reviewed="2025-01-10")])
    content = load_content(root, today=TODAY)
    assert not content.errors
    assert [p.field for p in content.warnings] == ["last_reviewed"]
    assert "review overdue since 2026-01-10" in str(content.warnings[0])


def test_future_review_date_and_bad_postcode_in_hub(tmp_path):
    root = write_content(tmp_path / "content", [service("future", last_reviewed="2027-01-01")])
    hub = root / "hubs" / "west.md"
    hub.write_text(hub.read_text().replace("N17 6AA", "ZZ"), encoding="utf-8")
    problems = problems_of(root)
    assert any("future.md" in p and "last_reviewed: 2027-01-01 is in the future" in p for p in problems)
    assert any("west.md" in p and "postcode: 'ZZ' is not a UK postcode" in p for p in problems)


@pytest.mark.parametrize("postcode", ["N17 6BB", "n176bb", "SW1A 1AA", "EC1A 1BB", "W1A 0AX"])
def test_valid_postcodes_are_accepted(tmp_path, postcode):
    root = write_content(tmp_path / "content", [service(
        "venue", venues=[{"name": "Hall", "address": "1 Road", "postcode": postcode, "hub": "west"}])])
    # Errors only: a venue outside its hub's area is a warning (tests/practitioner/test_check_warnings.py).
    assert load_content(root, today=TODAY).errors == []


def test_check_command_exit_codes(tmp_path, content_dir):
    command = [sys.executable, "-m", "app", "check", "--content"]
    ok = subprocess.run([*command, str(content_dir)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "0 errors" in ok.stderr
    write_service(content_dir, service("broken", needs=["nope"]))
    bad = subprocess.run([*command, str(content_dir)], capture_output=True, text=True)
    assert bad.returncode == 1
    assert "broken.md:" in bad.stdout and "needs[0]: unknown need 'nope'" in bad.stdout
    assert "1 error" in bad.stderr


def test_same_commands_under_flask(content_dir, tmp_path):
    environment = dict(os.environ, EARLYHELP_CONTENT_DIR=str(content_dir),
                       EARLYHELP_INDEX_DIR=str(tmp_path / "index"),
                       EARLYHELP_INSTANCE_DIR=str(tmp_path / "instance"))
    environment.pop("EARLYHELP_SECRET_KEY", None)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    checked = subprocess.run([*flask, "check"], capture_output=True, text=True, env=environment)
    assert checked.returncode == 0 and "0 errors" in checked.stderr
    published = subprocess.run([*flask, "publish"], capture_output=True, text=True, env=environment)
    assert published.returncode == 0 and "Published release" in published.stdout
    # The secret key was generated once into the instance folder, readable only by its owner.
    key = tmp_path / "instance" / "secret_key"
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_text()) == 64
