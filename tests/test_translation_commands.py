"""earlyhelp translations stamp / status."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from app.cli import main
from app.content import load_content
from app.content.fingerprint import fingerprint

from .factories import service, site, write_content, write_service
from .translated_content import write_translated_content


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return write_content(tmp_path / "content", [service("debt-advice", title="Debt advice")],
                         site=site(["en", "pl", "ar"]))


def invoke(*arguments):
    return CliRunner().invoke(main, ["translations", *map(str, arguments)], catch_exceptions=False)


def current(root, kind="services", entry_id="debt-advice"):
    return fingerprint(kind, getattr(load_content(root), kind)[entry_id])


def test_stamp_adds_the_fingerprint_and_keeps_every_other_byte(root):
    path = root / "services" / "debt-advice.pl.md"
    original = ("---\n# Translated by Ania, checked 2026-09\ntitle:   Porady   # keep the spacing\n"
                "summary: \"Pomoc z długami.\"\n---\nTreść z **pogrubieniem**.\n\n\n")
    path.write_text(original, encoding="utf-8")
    result = invoke("stamp", path)
    assert result.exit_code == 0 and "content/services/debt-advice.pl.md: stamped" in result.output
    expected = original.replace("title:", f"source_fingerprint: {current(root)}\ntitle:", 1)
    assert path.read_text(encoding="utf-8") == expected
    assert not load_content(root).translation("services", "debt-advice", "pl").stale

    again = invoke("stamp", path)
    assert "already up to date" in again.output and path.read_text(encoding="utf-8") == expected


def test_stamp_replaces_an_old_fingerprint_in_place_and_keeps_windows_line_endings(root):
    path = root / "services" / "debt-advice.pl.md"
    path.write_bytes(b"---\r\ntitle: Porady\r\nsource_fingerprint: 0123456789abcdef  # old\r\n"
                     b"summary: Pomoc.\r\n---\r\nTre\xc5\x9b\xc4\x87.\r\n")
    assert invoke("stamp", path).exit_code == 0
    value = current(root).encode()
    assert path.read_bytes() == (b"---\r\ntitle: Porady\r\nsource_fingerprint: " + value + b"  # old\r\n"
                                 b"summary: Pomoc.\r\n---\r\nTre\xc5\x9b\xc4\x87.\r\n")


def test_stamp_fills_an_empty_fingerprint_line(root):
    path = root / "services" / "debt-advice.pl.md"
    path.write_text("---\nsource_fingerprint:\ntitle: Porady\nsummary: Pomoc.\n---\nTreść.\n",
                    encoding="utf-8")
    invoke("stamp", path)
    assert path.read_text(encoding="utf-8") == (f"---\nsource_fingerprint: {current(root)}\ntitle: Porady\n"
                                                "summary: Pomoc.\n---\nTreść.\n")


def test_stamp_taxonomy_gives_each_term_its_fingerprint_block_and_flow_style(root):
    path = root / "taxonomy" / "needs.pl.yml"
    path.write_text("# Polish needs\n- id: money-debt\n  label: Pieniądze\n"
                    "- {id: parenting, label: Rodzicielstwo}\n- id: unknown-need\n  label: Nic\n",
                    encoding="utf-8")
    invoke("stamp", path)
    money, parenting = current(root, "needs", "money-debt"), current(root, "needs", "parenting")
    assert path.read_text(encoding="utf-8") == (
        f"# Polish needs\n- source_fingerprint: {money}\n  id: money-debt\n  label: Pieniądze\n"
        f"- {{source_fingerprint: {parenting}, id: parenting, label: Rodzicielstwo}}\n"
        "- id: unknown-need\n  label: Nic\n")


def test_stamp_site_translation(root):
    path = root / "site.pl.yml"
    path.write_text("name: Katalog\nfront_door:\n  name: Drzwi\n", encoding="utf-8")
    invoke("stamp", path)
    assert path.read_text(encoding="utf-8") == (f"source_fingerprint: {current_site(root)}\n"
                                                "name: Katalog\nfront_door:\n  name: Drzwi\n")


def current_site(root):
    return fingerprint("site", load_content(root).site)


def test_stamp_refuses_what_it_cannot_stamp_and_goes_on_with_the_rest(root):
    good = root / "pages" / "about.pl.md"
    good.write_text("---\ntitle: O nas\n---\nTreść.\n", encoding="utf-8")
    orphan = root / "services" / "gone.pl.md"
    orphan.write_text("---\ntitle: x\n---\ny\n", encoding="utf-8")
    english = root / "services" / "debt-advice.md"
    before = english.read_bytes()
    broken = root / "hubs" / "west.pl.md"
    broken.write_text("---\nname: [oops\n---\n", encoding="utf-8")
    result = invoke("stamp", orphan, english, broken, good)
    assert result.exit_code == 1
    assert ("content/services/gone.pl.md: there is no English entry services/gone.md to take the "
            "fingerprint of") in result.output
    assert "content/services/debt-advice.md: is not a translation" in result.output
    assert "content/hubs/west.pl.md: is not valid YAML" in result.output
    assert "content/pages/about.pl.md: stamped" in result.output
    assert english.read_bytes() == before
    assert "source_fingerprint" in good.read_text(encoding="utf-8")


def test_status_lists_missing_and_stale_per_language(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = write_translated_content(tmp_path / "content")
    from .translated_content import SERVICES

    debt = next(fields for fields in SERVICES if fields["id"] == "debt-advice")
    write_service(root, {**debt, "title": "Debt advice and more"}, "We help families who are struggling.")
    result = invoke("status", "--content", root)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    polish = next(line for line in lines if line.startswith("pl:"))
    assert polish.startswith("pl: ") and "1/6 services" in polish and "1/2 hubs" in polish
    assert "1 out of date" in polish
    assert "  missing     services/benefits-check.md" in lines
    assert ("  out of date content/services/debt-advice.pl.md (English changed: services/debt-advice.md)"
            in lines)
    assert any(line.startswith("bn: ") and "1/6 services" in line for line in lines)

    only = invoke("status", "--content", root, "--language", "ro")
    assert only.exit_code == 0
    assert [line for line in only.output.splitlines() if not line.startswith("  ")] == [
        next(line for line in lines if line.startswith("ro:"))]

    unknown = invoke("status", "--content", root, "--language", "de")
    assert unknown.exit_code == 2 and "de not offered" in unknown.output
