"""Searching in the reader's language: its text first, then English; its synonyms; its analysis."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.content.fingerprint import fingerprint
from app.content.loader import load_content
from app.publishing.publish import publish
from app.release.live import LiveRelease
from app.search.query import same_inflected_word
from app.search.request import parse_request
from app.search.schema import sort_key

from .factories import service, site, write_content, write_translation, write_yaml
from .test_search_quality import evaluate
from .translated_content import write_translated_content

FIXTURE_QUERIES = Path(__file__).parent / "search_quality" / "fixtures"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = write_translated_content(tmp_path_factory.mktemp("content") / "content")
    # A stale translation: its English changed after it was translated.
    write_translation(root, "services", "benefits-check", "ro",
                      {"source_fingerprint": "0123456789abcdef", "title": "Verificarea ajutoarelor sociale",
                       "summary": "Aflați ce ajutoare sociale poate primi familia dumneavoastră."},
                      "Vă ajutăm să verificați ajutoarele.")
    index = tmp_path_factory.mktemp("index")
    publish(root, index)
    return LiveRelease(index).get().engine


def search(engine, language: str, text: str, **filters):
    params = {"q": [text], **{group: [value] for group, value in filters.items()}}
    return engine.search(parse_request(params, engine.vocabulary, language))


def ids(result) -> list[str]:
    return [hit.id for hit in result.hits]


def test_engine_knows_the_translated_languages(engine):
    assert engine.languages == ["en", "ar", "bn", "es", "pl", "ro"]


@pytest.mark.parametrize("query", ["pieniądze", "pieniadze", "PIENIĄDZE"])
def test_polish_need_synonym_finds_money_advice_with_or_without_diacritics(engine, query):
    result = search(engine, "pl", query)
    assert result.matched_needs == ["money-debt"]
    # The translated service first, then the untranslated one the synonym also finds.
    assert ids(result) == ["debt-advice", "benefits-check"]
    first, second = result.hits
    assert (first.title, first.language, first.translation) == (
        "Porady dotyczące długów i zasiłków", "pl", "translated")
    assert (second.title, second.language, second.translation) == ("Benefits check", "en", "missing")


def test_polish_phrase_synonym_in_a_sentence(engine):
    result = search(engine, "pl", "Nie mam na czynsz, co robić?")
    assert result.matched_needs == ["money-debt"] and ids(result)[0] == "debt-advice"


def test_polish_folding_finds_words_written_with_diacritics(engine):
    assert ids(search(engine, "pl", "zasilku")) == ["debt-advice"]  # "zasiłku" in the summary


@pytest.mark.parametrize("query", [
    "الدُّيُونِ",  # with harakat
    "الديون",
    "أحتاج مساعدة في الديون",  # "I need help with debts"
    "مشاكل مالية",  # a need synonym: "money problems"
])
def test_arabic_queries_find_the_arabic_translation_first(engine, query):
    result = search(engine, "ar", query)
    assert ids(result)[0] == "debt-advice"
    assert result.hits[0].title == "نصائح بشأن الديون والإعانات" and result.hits[0].language == "ar"


def test_arabic_article_and_prepositions_are_stripped(engine):
    # "للعائلات" (for the families) matches "العائلات" (the families) in the body.
    assert ids(search(engine, "ar", "للعائلات")) == ["debt-advice"]


@pytest.mark.parametrize("query", ["থেরাপিস্টের সাথে কথা", "স্পিচ থেরাপিস্টের", "বিনামূল্যে সহায়তা"])
def test_bengali_words_match_whole(engine, query):
    result = search(engine, "bn", query)
    assert ids(result)[0] == "stay-and-chat"
    assert result.hits[0].title == "কথা বলা ও ভাষা ড্রপ-ইন"


def test_bengali_query_does_not_match_word_fragments(engine):
    # "পর" is a fragment Whoosh's default tokenizer would make of "পরিবারের"; it is no word here.
    assert ids(search(engine, "bn", "পর")) == []


@pytest.mark.parametrize(("query", "expected"), [
    ("limba romana", "stay-and-chat"),  # folding: "română"
    ("Română", "stay-and-chat"),
    ("părinților", "incredible-years"),  # stemming: "părinți", "părinții"
    ("parintii", "incredible-years"),
    ("vorbirea copiilor mici", "stay-and-chat"),
])
def test_romanian_folding_and_stemming(engine, query, expected):
    assert ids(search(engine, "ro", query))[0] == expected


def test_stale_translation_is_shown_and_marked(engine):
    result = search(engine, "ro", "ajutoare sociale")
    assert ids(result)[0] == "benefits-check"
    assert result.hits[0].translation == "stale" and result.hits[0].title == "Verificarea ajutoarelor sociale"


def test_spanish_matches_rank_before_english_only_matches(engine):
    spanish = search(engine, "es", "yoga")
    assert ids(spanish) == ["relaxation-class", "yoga-for-parents"]
    assert [hit.translation for hit in spanish.hits] == ["translated", "missing"]
    # In English only the English text is searched.
    assert ids(search(engine, "en", "yoga")) == ["yoga-for-parents"]


def test_spanish_stemming_synonyms_and_corrections(engine):
    assert ids(search(engine, "es", "rabieta"))[0] == "incredible-years"
    renting = search(engine, "es", "no puedo pagar el alquiler")
    assert renting.matched_needs == ["money-debt"] and ids(renting)[0] == "debt-advice"
    corrected = search(engine, "es", "deudass")
    assert corrected.did_you_mean == "deudas" and ids(corrected)[0] == "debt-advice"


def test_english_words_still_work_in_another_language(engine):
    result = search(engine, "pl", "speech therapist")
    assert ids(result)[0] == "stay-and-chat"
    assert result.hits[0].translation == "missing"  # not translated into Polish: shown in English


def test_english_synonyms_still_work_in_another_language(engine):
    assert search(engine, "pl", "money worries").matched_needs == ["money-debt"]


def test_filters_and_facets_apply_in_every_language(engine):
    result = search(engine, "es", "yoga", hub="east")
    assert ids(result) == ["relaxation-class", "yoga-for-parents"]
    assert result.facets["hub"]["east"] == 2 and result.facets["hub"]["west"] == 0
    assert ids(search(engine, "es", "yoga", hub="west")) == []


def test_unknown_language_searches_english(engine):
    result = search(engine, "xx", "yoga")
    assert ids(result) == ["yoga-for-parents"] and result.hits[0].translation == "original"


def test_browsing_in_a_language_shows_translated_titles(engine):
    result = engine.search(parse_request({"need": ["money-debt"]}, engine.vocabulary, "pl"))
    titles = {hit.id: (hit.title, hit.translation) for hit in result.hits}
    assert titles["debt-advice"] == ("Porady dotyczące długów i zasiłków", "translated")
    assert titles["benefits-check"] == ("Benefits check", "missing")


@pytest.mark.parametrize("path", sorted(FIXTURE_QUERIES.glob("queries.*.yml")), ids=lambda path: path.name)
def test_fixture_query_sets_reach_full_success(engine, path):
    """The per-language quality measure, on the fixture content (the sample's is in test_search_quality)."""
    language = path.name.split(".")[1]
    report = evaluate(engine, yaml.safe_load(path.read_text(encoding="utf-8")), language)
    assert report["success_at_5"] == 1.0 and report["mrr"] == 1.0, report["failures"]


def test_browsing_in_a_language_lists_services_by_their_title_in_it(engine):
    for language in ("pl", "es", "en"):
        result = engine.search(parse_request({}, engine.vocabulary, language))
        keys = [sort_key(hit.title) for hit in result.hits]
        assert keys == sorted(keys), language
    polish = [hit.id for hit in engine.search(parse_request({}, engine.vocabulary, "pl")).hits]
    english = [hit.id for hit in engine.search(parse_request({}, engine.vocabulary, "en")).hits]
    assert polish != english and sorted(polish) == sorted(english)


def test_browse_pages_in_a_language_follow_one_order(engine):
    pages = [engine.search(parse_request({"page": [str(page)], "per_page": ["2"]}, engine.vocabulary, "pl"))
             for page in (1, 2, 3)]
    everything = engine.search(parse_request({"per_page": ["100"]}, engine.vocabulary, "pl"))
    every = [hit.id for hit in everything.hits]
    assert [hit.id for page in pages for hit in page.hits] == every[:6]


# -- a need named in the reader's language ranks its services first (issue 16) ---------------------

SCHOOL_SERVICES = [
    service("school-attendance-support", title="School attendance support",
            summary="Help for children who find it hard to go to school.", needs=["school-attendance"],
            ages={"min": 5, "max": 16}, hubs="all"),
    # Translated, and its translation says "school" many times, but it is about food.
    service("free-school-meals", title="Free school meals", summary="Free lunches at school.",
            needs=["money-debt"], ages={"min": 4, "max": 16}, hubs="all"),
    service("school-uniform-swap", title="School uniform swap", summary="Swap school uniform for free.",
            needs=["money-debt"], ages={"min": 4, "max": 16}, hubs="all"),
]
SCHOOL_TRANSLATIONS = {
    ("free-school-meals", "pl"): ("Darmowe obiady w szkole", "Darmowe obiady w szkole dla dzieci ze szkoły.",
                                  "Obiady w szkole, w każdej szkole, przez cały rok szkolny."),
    ("school-uniform-swap", "pl"): ("Wymiana mundurków szkolnych", "Mundurki do szkoły za darmo.",
                                    "Przynieś mundurek ze szkoły, weź inny do szkoły."),
    ("free-school-meals", "ar"): ("وجبات مدرسية مجانية", "وجبات غداء مجانية في المدرسة.",
                                  "وجبات في المدرسة لكل طفل في المدرسة."),
    ("school-uniform-swap", "ar"): ("تبادل الزي المدرسي", "زي المدرسة مجانا.",
                                    "زي المدرسة لكل طفل في المدرسة."),
}
SCHOOL_NEEDS = {
    "pl": {"label": "Chodzenie do szkoły", "synonyms": ["nie chce chodzić do szkoły", "wagary"]},
    "ar": {"label": "الحضور إلى المدرسة", "synonyms": ["لا يذهب إلى المدرسة", "الغياب"]},
}


@pytest.fixture(scope="module")
def school_engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("school-content") / "content"
    write_content(root, SCHOOL_SERVICES, site=site(["en", "pl", "ar"]))
    content = load_content(root)
    for (service_id, language), (title, summary, body) in SCHOOL_TRANSLATIONS.items():
        write_translation(root, "services", service_id, language,
                          {"source_fingerprint": fingerprint("services", content.services[service_id]),
                           "title": title, "summary": summary}, body)
    for language, term in SCHOOL_NEEDS.items():
        write_yaml(root / "taxonomy" / f"needs.{language}.yml",
                   [{"source_fingerprint": fingerprint("needs", content.needs["school-attendance"]),
                     "id": "school-attendance", "description": "-", **term}])
    index = tmp_path_factory.mktemp("school-index")
    publish(root, index)
    return LiveRelease(index).get().engine


@pytest.mark.parametrize(("language", "query"), [
    ("en", "wont go to school"),
    ("ar", "لا يذهب إلى المدرسة"),        # a listed synonym
    ("ar", "ابني لا يذهب الى المدرسة"),    # inside a sentence, typed without hamza
    ("pl", "nie chodzi do szkoly"),        # the label "chodzenie do szkoły" in another form
    ("pl", "syn nie chce chodzic do szkoly"),
])
def test_a_need_named_in_any_language_ranks_its_untranslated_service_first(school_engine, language, query):
    result = search(school_engine, language, query)
    assert result.matched_needs == ["school-attendance"]
    assert ids(result)[0] == "school-attendance-support"
    assert result.hits[0].translation == ("original" if language == "en" else "missing")


@pytest.mark.parametrize(("language", "query"), [("pl", "obiady w szkole"), ("ar", "وجبات في المدرسة")])
def test_without_a_need_the_translated_services_still_come_first(school_engine, language, query):
    result = search(school_engine, language, query)
    assert result.matched_needs == []
    assert ids(result)[0] == "free-school-meals"


@pytest.mark.parametrize(("query", "need"), [
    ("waga dziecka", None),                 # "weight" is not "wagary" (truancy): single words match exactly
    ("wagary", "school-attendance"),
    ("szkolenie do pracy", None),           # "szkolenie" (training) is not "szkoły"
])
def test_inflected_forms_match_only_within_several_word_synonyms(school_engine, query, need):
    result = search(school_engine, "pl", query)
    assert result.matched_needs == ([need] if need else [])


@pytest.mark.parametrize(("typed", "listed", "same"), [
    ("chodzi", "chodzenie", True), ("szkole", "szkoly", True), ("okula", "okul", True),
    ("chodze", "chodzenie", True), ("waga", "wagary", True), ("dziecko", "dzieci", True),
    ("praca", "pracy", True),
    ("dom", "domu", False), ("matka", "mleko", False),
])
def test_same_inflected_word(typed, listed, same):
    assert same_inflected_word(typed, listed) is same
