"""The interface catalogues: current with the code and complete in every offered language."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog

from app import catalogues
from app.config import PROJECT_ROOT

SAMPLE_CONTENT = PROJECT_ROOT / "content"


def test_the_template_holds_exactly_the_strings_of_the_code():
    template = catalogues.read_catalogue(catalogues.TEMPLATE)
    problems = catalogues.template_problems(template, catalogues.extract())
    assert not problems, "\n".join(problems)


def test_every_offered_language_has_a_catalogue():
    offered = catalogues.offered_languages(SAMPLE_CONTENT)
    assert len(offered) >= 9
    assert set(offered) <= set(catalogues.catalogue_languages())


@pytest.mark.parametrize("language", catalogues.catalogue_languages())
def test_each_catalogue_is_complete(language):
    path = catalogues.TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    problems = catalogues.catalogue_problems(language, catalogues.read_catalogue(path),
                                             catalogues.read_catalogue(catalogues.TEMPLATE))
    assert not problems, "\n".join(problems)


def test_each_catalogue_asks_for_a_native_speakers_review():
    for language in catalogues.catalogue_languages():
        path = catalogues.TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
        header = path.read_text(encoding="utf-8")
        assert "native speaker" in header.split("msgid", 1)[0], language


def build(*messages) -> Catalog:
    catalogue = Catalog(locale="pl")
    for message in messages:
        catalogue.add(*message)
    return catalogue


def test_the_check_finds_every_kind_of_problem():
    template = build(("Search", ""), ("Found %(n)s", ""), (("%(n)s service", "%(n)s services"), ""),
                     ("Gone", ""))
    catalogue = build(("Search", ""), ("Found %(n)s", "Znaleziono %(liczba)s"),
                      (("%(n)s service", "%(n)s services"), ("%(n)s usługa", "", "")), ("Old", "Stare"))
    catalogue["Old"].flags.add("fuzzy")
    problems = "\n".join(catalogues.catalogue_problems("pl", catalogue, template))
    assert "missing 'Gone'" in problems
    assert "not translated: 'Search'" in problems
    assert "not translated: ('%(n)s service', '%(n)s services')" in problems
    assert "fuzzy (needs checking): 'Old'" in problems
    assert "liczba" in problems, "a placeholder the code does not pass must be reported"
    assert not catalogues.template_problems(template, template)
    assert "missing 'Old'" in "\n".join(catalogues.template_problems(template, catalogue))
