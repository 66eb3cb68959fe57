"""`earlyhelp check` and `earlyhelp publish` say what their warnings are: by kind, counted, the first few."""

from __future__ import annotations

from click.testing import CliRunner

from app.cli import check_command, publish_command
from app.content.problems import WARNING, Problem, by_kind

from .factories import service, site, write_content, write_translation

OVERDUE = [f"stale-{number}" for number in range(1, 6)]


def _content_with_warnings(root):
    """Five services overdue for review and one translation without its fingerprint."""
    write_content(root, [service(name, last_reviewed="2020-01-10") for name in OVERDUE] + [service("fresh")],
                  site=site(["en", "pl"]))
    write_translation(root, "services", "fresh", "pl", {"title": "Świeży", "summary": "O usłudze."},
                      "Co się dzieje.")
    return root


def _warning_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": warning: " in line]


def test_check_lists_the_first_few_warnings_of_each_kind_with_counts(tmp_path):
    root = _content_with_warnings(tmp_path / "content")
    result = CliRunner().invoke(check_command, ["--content", str(root)])
    assert result.exit_code == 0, result.output
    report = result.stderr
    assert "6 warnings, by kind:" in report
    # The largest group first, with its count, its first three and how many more there are.
    assert report.index("review overdue: 5") < report.index("translation without a source fingerprint: 1")
    overdue = [line for line in _warning_lines(report) if "review overdue since" in line]
    assert [line.split("/")[-1].split(".md")[0] for line in overdue] == OVERDUE[:3]
    assert "... and 2 more ('earlyhelp check --all-warnings' lists every one)" in report
    assert "fresh.pl.md" in report and "source_fingerprint: warning: is missing" in report
    assert report.rstrip().endswith("0 errors, 6 warnings.")


def test_check_all_warnings_lists_every_one(tmp_path):
    root = _content_with_warnings(tmp_path / "content")
    result = CliRunner().invoke(check_command, ["--content", str(root), "--all-warnings"])
    assert len(_warning_lines(result.stderr)) == 6
    assert "more (" not in result.stderr


def test_publish_names_its_warnings_not_only_their_number(tmp_path):
    root = _content_with_warnings(tmp_path / "content")
    result = CliRunner().invoke(publish_command, ["--content", str(root), "--index", str(tmp_path / "index")],
                                env={"EARLYHELP_INSTANCE_DIR": str(tmp_path / "instance")})
    assert result.exit_code == 0, result.output
    assert "services in" in result.output and "(6 warnings)." in result.output
    assert "review overdue: 5" in result.stderr
    assert "translation without a source fingerprint: 1" in result.stderr
    assert len(_warning_lines(result.stderr)) == 4  # three overdue reviews, one translation


def test_check_without_warnings_prints_no_warning_heading(tmp_path):
    root = write_content(tmp_path / "content", [service("fresh")])
    result = CliRunner().invoke(check_command, ["--content", str(root)])
    assert result.exit_code == 0
    assert "by kind" not in result.output
    assert result.stderr.rstrip().endswith("0 errors, 0 warnings.")


def test_warnings_without_a_kind_are_grouped_by_their_field():
    problems = [Problem("a.md", 3, "venues[0].postcode", "first", WARNING),
                Problem("b.md", 4, "venues[2].postcode", "second", WARNING),
                Problem("c.md", 5, "last_reviewed", "overdue", WARNING, "review overdue")]
    assert [(kind, len(group)) for kind, group in by_kind(problems)] == [
        ("venues[].postcode", 2), ("review overdue", 1)]
