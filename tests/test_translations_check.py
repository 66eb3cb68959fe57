"""Loading and checking entry translations: every problem as path:line: field: message."""

from __future__ import annotations

import os

import pytest

from app.content import load_content
from app.content.fingerprint import fingerprint

from .factories import service, site, write_content, write_service, write_translation, write_yaml
from .translated_content import write_translated_content

# The English service every case translates: it has a venue and how_to_access, and no cost.
ENGLISH = service("debt-advice", how_to_access="Call us.",
                  venues=[{"name": "Library", "address": "1 High Road", "postcode": "N17 6BB",
                           "schedule": "Mondays"}])


@pytest.fixture
def content_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # problems name paths relative to the working folder
    return write_content(tmp_path / "content", [ENGLISH], site=site(["en", "pl", "ar"]))


def stamp_of(root, kind="services", entry_id="debt-advice"):
    return fingerprint(kind, getattr(load_content(root), kind)[entry_id])


def problems_of(root) -> list[str]:
    return [str(problem) for problem in load_content(root).problems]


def service_translation(root, fields: dict, body: str = "Treść.", language: str = "pl",
                        entry_id: str = "debt-advice"):
    base = {"source_fingerprint": stamp_of(root), "title": "Porady", "summary": "Pomoc z długami."}
    base.update(fields)
    return write_translation(root, "services", entry_id, language,
                             {key: value for key, value in base.items() if value is not None}, body)


def test_valid_translations_load_without_problems(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    content = load_content(write_translated_content(tmp_path / "content"))
    assert content.problems == []
    translation = content.translation("services", "debt-advice", "pl")
    assert translation.text("title") == "Porady dotyczące długów i zasiłków"
    assert translation.fields["venues"] == [{"schedule": "Poniedziałki od 10 do 13",
                                             "accessibility": "Dostęp bez schodów"}]
    assert not translation.stale
    assert content.translation("needs", "money-debt", "pl").fields["synonyms"][0] == "pieniądze"
    assert content.translation("site", "site", "pl").text("front_door_name") == "Punkt zgłoszeń dla dzieci"
    # Translation files are never read as entries of their own.
    assert set(content.services) == {"debt-advice", "benefits-check", "stay-and-chat", "incredible-years",
                                     "yoga-for-parents", "relaxation-class"}
    assert set(content.hubs) == {"west", "east"} and set(content.pages) == {"about"}


# (front matter changes, body, expected problem) for content/services/debt-advice.pl.md
SERVICE_CASES = [
    ({"phone": "020 7946 0000"}, "Treść.",
     "content/services/debt-advice.pl.md:5: phone: is not translated: it always comes from the English "
     "entry (content/services/debt-advice.md); delete it here"),
    ({"needs": ["parenting"]}, "Treść.",
     "content/services/debt-advice.pl.md:5: needs: is not translated"),
    ({"ages": {"min": 0, "max": 5}}, "Treść.",
     "content/services/debt-advice.pl.md:5: ages: is not translated"),
    ({"contact": {"phone": "020 7946 0000"}}, "Treść.",
     "content/services/debt-advice.pl.md:5: contact: is not translated"),
    ({"colour": "red"}, "Treść.",
     "content/services/debt-advice.pl.md:5: colour: unknown field (check the spelling)"),
    ({"title": None}, "Treść.", "content/services/debt-advice.pl.md:1: title: is required"),
    ({"summary": "Bardzo długi opis. " * 12}, "Treść.",
     "content/services/debt-advice.pl.md:4: summary: is 227 characters long; the limit is 200"),
    ({"summary": "Zobacz <b>to</b>"}, "Treść.",
     "content/services/debt-advice.pl.md:4: summary: must be plain text, without HTML tags"),
    ({}, "",
     "content/services/debt-advice.pl.md:6: body: is required: translate the text below the front matter"),
    ({}, "Zobacz [tutaj](javascript:alert(1)).",
     "content/services/debt-advice.pl.md:6: body: unsafe link 'javascript:alert(1'"),
    ({"source_fingerprint": None}, "Treść.",
     "content/services/debt-advice.pl.md:1: source_fingerprint: warning: is missing, so nobody can tell "
     "whether the translation is up to date; run 'earlyhelp translations stamp "
     "content/services/debt-advice.pl.md'"),
    ({"source_fingerprint": "not-a-fingerprint"}, "Treść.",
     "content/services/debt-advice.pl.md:2: source_fingerprint: 'not-a-fingerprint' is not a fingerprint"),
    ({"source_fingerprint": "0123456789abcdef"}, "Treść.",
     "content/services/debt-advice.pl.md:2: source_fingerprint: warning: out of date: "
     "content/services/debt-advice.md has changed since this was translated"),
    ({"venues": [{"schedule": "Poniedziałki"}, {"schedule": "Wtorki"}]}, "Treść.",
     "content/services/debt-advice.pl.md:5: venues: warning: has 2 item(s) but "
     "content/services/debt-advice.md has 1 venue(s)"),
    ({"venues": [{"schedule": "Poniedziałki", "postcode": "N17 6BB"}]}, "Treść.",
     "content/services/debt-advice.pl.md:7: venues[0].postcode: is not translated"),
    ({"cost": "5 funtów"}, "Treść.",
     "content/services/debt-advice.pl.md:5: cost: warning: the English entry "
     "(content/services/debt-advice.md) has no cost, so this is not shown"),
    ({"id": "other-id"}, "Treść.",
     "content/services/debt-advice.pl.md:5: id: 'other-id' does not match the file name"),
]


@pytest.mark.parametrize(("fields", "body", "expected"), SERVICE_CASES,
                         ids=[":".join(case[2].split(": ")[1:3])[:40] for case in SERVICE_CASES])
def test_service_translation_problems(content_root, fields, body, expected):
    service_translation(content_root, fields, body)
    problems = problems_of(content_root)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_problems_in_other_files(content_root):
    root = content_root
    write_translation(root, "services", "debt-advice", "de", {"title": "Beratung", "summary": "Hilfe."},
                      "Text.")
    write_translation(root, "services", "debt-advice", "en", {"title": "Advice", "summary": "Help."}, "Text.")
    write_translation(root, "services", "no-such-service", "pl", {"title": "x", "summary": "y"}, "z")
    write_translation(root, "hubs", "west", "pl", {"name": "Zachód", "postcode": "N1 1AA"}, "O centrum.")
    write_translation(root, "hubs", "east", "pl", {"opening_hours": "9 do 5"}, "O centrum.")
    write_translation(root, "pages", "about", "ar", {"summary": "عن"}, "عن الدليل.")
    write_translation(root, "organisations", "test-org", "pl", {"name": "Organizacja"}, "Opis.")
    write_yaml(root / "taxonomy" / "needs.pl.yml", [
        {"id": "money-debt", "label": "Pieniądze", "synonyms": ["pieniądze"]},
        {"id": "no-such-need", "label": "Nic"},
        {"id": "money-debt", "label": "Znowu"},
    ])
    write_yaml(root / "taxonomy" / "age-bands.pl.yml", [{"id": "0-2", "label": "0 do 2 lat", "min": 0}])
    write_yaml(root / "taxonomy" / "colours.pl.yml", [{"id": "red", "label": "czerwony"}])
    write_yaml(root / "site.pl.yml", {"name": "Katalog", "quick_exit_url": "https://example.org",
                                      "front_door": {"name": "Drzwi", "phone": "020 7946 0100"}})
    write_yaml(root / "site.ar.yml", ["not", "a", "mapping"])
    problems = problems_of(root)
    expected = [
        "content/services/debt-advice.de.md:1: (file): 'de' is not one of the languages offered in site.yml "
        "(languages: en, pl, ar); add it there first",
        "content/services/debt-advice.en.md:1: (file): 'en' is the default language",
        "content/services/no-such-service.pl.md:1: (file): there is no English entry "
        "content/services/no-such-service.md to translate",
        "content/hubs/west.pl.md:3: postcode: is not translated: it always comes from the English entry "
        "(content/hubs/west.md)",
        "content/hubs/east.pl.md:1: name: is required",
        "content/pages/about.ar.md:1: title: is required",
        "content/organisations/test-org.pl.md:1: (file): organisations are not translated",
        "content/taxonomy/needs.pl.yml:5: [1].id: unknown id 'no-such-need': content/taxonomy/needs.yml "
        "has no such term",
        "content/taxonomy/needs.pl.yml:7: [2].id: duplicate id 'money-debt'",
        "content/taxonomy/needs.pl.yml:1: [0].source_fingerprint: warning: is missing",
        "content/taxonomy/age-bands.pl.yml:3: [0].min: is not translated",
        "content/taxonomy/colours.pl.yml:1: (file): 'colours' is not a taxonomy",
        "content/site.pl.yml:2: quick_exit_url: is not translated",
        "content/site.pl.yml:5: front_door.phone: is not translated",
        "content/site.ar.yml:1: (file): must be a mapping of fields",
    ]
    for line in expected:
        assert any(problem.startswith(line) for problem in problems), (line, problems)


def test_bad_yaml_and_encoding_in_translations_are_reported_not_raised(content_root):
    path = content_root / "services" / "debt-advice.pl.md"
    path.write_text("---\ntitle: [unclosed\n---\nTreść.\n", encoding="utf-8")
    (content_root / "taxonomy" / "needs.pl.yml").write_bytes(b"- id: money-debt\n  label: \xff\xfe\n")
    problems = problems_of(content_root)
    assert any(p.startswith("content/services/debt-advice.pl.md:") and "malformed YAML" in p
               for p in problems)
    assert "content/taxonomy/needs.pl.yml:2: (file): is not UTF-8 text" in problems


def test_check_command_lists_translation_problems_and_fails_on_errors(content_root):
    import subprocess
    import sys

    service_translation(content_root, {"phone": "020 7946 0000"})
    run = subprocess.run([sys.executable, "-m", "app", "check", "--content", str(content_root)],
                         capture_output=True, text=True, cwd=content_root.parent,
                         env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert run.returncode == 1
    assert "content/services/debt-advice.pl.md:5: phone: is not translated" in run.stdout


def test_warnings_alone_do_not_fail_the_check(content_root):
    service_translation(content_root, {"source_fingerprint": "0123456789abcdef"})
    content = load_content(content_root)
    assert content.warnings and not content.errors
    assert content.translation("services", "debt-advice", "pl").stale


# -- fingerprints ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "stale"), [
    ({"contact": {"phone": "020 7946 9999"}}, False),
    ({"last_reviewed": "2026-10-01"}, False),
    ({"needs": ["parenting"]}, False),
    ({"keywords": ["bailiffs"]}, False),
    ({"venues": [{"name": "Town Hall", "address": "2 High Road", "postcode": "N17 6BB",
                  "schedule": "Mondays"}]}, False),
    ({"title": "Debt advice clinic"}, True),
    ({"summary": "Another summary."}, True),
    ({"how_to_access": "Drop in."}, True),
    ({"venues": [{"name": "Library", "address": "1 High Road", "postcode": "N17 6BB",
                  "schedule": "Tuesdays"}]}, True),
])
def test_only_translatable_english_changes_make_a_translation_stale(content_root, change, stale):
    service_translation(content_root, {})
    assert not load_content(content_root).translation("services", "debt-advice", "pl").stale
    write_service(content_root, {**ENGLISH, **change})
    translation = load_content(content_root).translation("services", "debt-advice", "pl")
    assert translation.stale is stale


def test_english_body_change_makes_translation_stale_but_line_endings_do_not(content_root):
    service_translation(content_root, {})
    write_service(content_root, ENGLISH, "What happens.\r\n")
    assert not load_content(content_root).translation("services", "debt-advice", "pl").stale
    write_service(content_root, ENGLISH, "What happens in the sessions.")
    translation = load_content(content_root).translation("services", "debt-advice", "pl")
    assert translation.stale and translation.english_source == "services/debt-advice.md"


def test_fingerprint_is_16_hex_characters_and_depends_on_kind():
    from app.content.model import Page

    page = Page(slug="about", title="About", body="Text.")
    value = fingerprint("pages", page)
    assert len(value) == 16 and int(value, 16) >= 0
    assert value == fingerprint("pages", Page(slug="about", title=" About ", body="Text.\n"))
    assert value != fingerprint("pages", Page(slug="about", title="About us", body="Text."))
