"""Search without Flask: text, synonyms, corrections, filters, facets, order and paging."""

from __future__ import annotations

import pytest

from app.publishing.publish import publish
from app.release.live import LiveRelease
from app.search.request import RequestError, parse_request

from .factories import service, write_content


@pytest.fixture
def engine(published, folders):
    return LiveRelease(folders["index"]).get().engine


def search(engine, **params):
    as_lists = {key: value if isinstance(value, list) else [str(value)] for key, value in params.items()}
    return engine.search(parse_request(as_lists, engine.vocabulary))


def ids(result) -> list[str]:
    return [hit.id for hit in result.hits]


def test_words_match_title_summary_and_keywords(engine):
    assert ids(search(engine, q="tantrums"))[0] == "incredible-years"
    assert ids(search(engine, q="behaviour course"))[0] == "incredible-years"
    assert ids(search(engine, q="confidential advice"))[0] == "debt-advice"


def test_stemming_matches_word_forms(engine):
    assert "incredible-years" in ids(search(engine, q="parent"))
    assert "stay-and-chat" in ids(search(engine, q="therapists talking"))


def test_need_synonyms_find_services_that_never_use_the_words(engine):
    assert ids(search(engine, q="truancy")) == ["attendance-support"]
    assert ids(search(engine, q="my son wont go to school"))[0] == "attendance-support"
    assert ids(search(engine, q="he hits me"))[0] == "idva-outreach"
    result = search(engine, q="money worries")
    assert ids(result)[0] == "debt-advice" and result.matched_needs == ["money-debt"]


def test_misspellings_are_corrected_and_offered(engine):
    result = search(engine, q="speach therapy")
    assert ids(result)[0] == "stay-and-chat"
    assert result.did_you_mean == "speech therapy"
    assert ids(search(engine, q="tantrams"))[0] == "incredible-years"
    assert search(engine, q="tantrums").did_you_mean is None


def test_quoted_phrases_match_words_in_order(engine):
    assert ids(search(engine, q='"speech and language therapist"')) == ["stay-and-chat"]
    assert ids(search(engine, q='"therapist language"')) == []


def test_filters_or_within_a_group_and_across_groups(engine):
    assert set(ids(search(engine, hub="east"))) == {"attendance-support", "stay-and-chat", "debt-advice",
                                                     "idva-outreach"}
    either = search(engine, need=["parenting", "money-debt"])
    assert set(ids(either)) == {"incredible-years", "debt-advice"}
    both = search(engine, need=["parenting", "money-debt"], hub="west", age="3-5")
    assert ids(both) == ["incredible-years"]
    assert set(ids(search(engine, level="4"))) == {"idva-outreach"}
    assert "attendance-support" not in ids(search(engine, free="1"))
    assert set(ids(search(engine, delivery="phone"))) == {"debt-advice", "idva-outreach"}
    assert ids(search(engine, language="pl")) == ["debt-advice"]
    assert ids(search(engine, access="drop-in")) == ["stay-and-chat"]
    assert ids(search(engine, age="pregnancy")) == ["idva-outreach"]


def test_facet_counts_leave_out_their_own_group(engine):
    result = search(engine, need="parenting")
    # Counts for other needs ignore the need filter, so a reader sees what adding one would give.
    assert result.facets["need"]["parenting"] == 1
    assert result.facets["need"]["money-debt"] == 1
    # Other groups are counted within the need filter.
    assert result.facets["hub"] == {"east": 0, "west": 1}
    assert result.facets["level"]["2"] == 1 and result.facets["level"]["4"] == 0
    # Facets of a text search count only its matches.
    text = search(engine, q="advice")
    assert text.facets["need"]["money-debt"] == 1 and text.facets["need"]["parenting"] == 0


def test_browse_lists_everything_by_name_and_pages(engine):
    everything = search(engine)
    titles = [hit.title for hit in everything.hits]
    assert everything.total == 5 and titles == sorted(titles, key=str.lower)
    first, second = search(engine, per_page=2), search(engine, per_page=2, page=2)
    assert ids(first) + ids(second) == ids(everything)[:4]
    assert first.pages == 3
    beyond = search(engine, per_page=2, page=9)
    assert beyond.hits == [] and beyond.total == 5
    assert [notice.code for notice in beyond.notices] == ["page_out_of_range"]


def test_relevance_or_name_order(engine):
    by_name = search(engine, q="advice help", sort="name")
    titles = [hit.title for hit in by_name.hits]
    assert titles == sorted(titles, key=str.lower)
    by_relevance = search(engine, q="debt advice")
    assert ids(by_relevance)[0] == "debt-advice"
    scores = [hit.score for hit in by_relevance.hits]
    assert scores == sorted(scores, reverse=True)


def test_drafts_are_never_found(engine):
    assert "old-draft" not in ids(search(engine, q="draft"))
    assert "old-draft" not in ids(search(engine, per_page=50))


HOSTILE_QUERIES = [
    "AND", "OR NOT", '"', '"unclosed phrase', "*", "?", "title:foo", "field:", "~2", "speech~",
    "(((", ")", "[a TO z]", "{}", "\\", "' OR 1=1 --", "<script>alert(1)</script>", "%00", "\x00\x01",
    "🙂🙂🙂", "ﷺ", "ℌ𝔢𝔩𝔭", "a" * 5000, "word " * 300, "\u200b\u200c\u200d", "\ufeff", "....", "-",
    "স্থানীয় পরিবারের জন্য", "مُساعَدَةٌ", "خاندان کی مدد", "Łódź pieniądze", "I͇̤̙n͔͚v̜o̸k͉e",
]


@pytest.mark.parametrize("text", HOSTILE_QUERIES)
def test_no_input_raises(engine, text):
    result = search(engine, q=text)
    assert result.total >= 0


def test_long_queries_are_shortened_with_a_notice(engine):
    result = search(engine, q="advice " * 100)
    assert "query_shortened" in [notice.code for notice in result.notices]
    assert ids(result)[0] == "debt-advice"


def test_unknown_filter_values_are_ignored_and_explained(engine):
    result = search(engine, hub=["west", "atlantis"], level="9", free="maybe", sort="price")
    codes = [(notice.code, notice.params.get("value")) for notice in result.notices]
    assert ("unknown_filter_value", "atlantis") in codes and ("unknown_filter_value", "9") in codes
    assert ("unknown_filter_value", "maybe") in codes and ("unknown_sort", "price") in codes
    assert result.request.filters == {"hub": ("west",)}


@pytest.mark.parametrize("page", ["abc", "-1", "1.5", "１"])
def test_page_that_is_not_a_number_is_refused(engine, page):
    with pytest.raises(RequestError):
        parse_request({"page": [page]}, engine.vocabulary)


def test_huge_page_numbers_are_clamped(engine):
    assert parse_request({"page": ["9" * 5000]}, engine.vocabulary).page == 10_000


def test_per_page_is_capped(engine):
    request = parse_request({"per_page": ["100000"]}, engine.vocabulary)
    assert request.per_page == 50 and request.notices[0].code == "per_page_capped"


def test_search_in_other_scripts(tmp_path):
    """Words in Bengali, Arabic (with vowel marks) and Urdu are found whole."""
    root = write_content(tmp_path / "content", [
        service("bengali-food", title="Food help", summary="স্থানীয় পরিবারের জন্য বিনামূল্যে খাদ্য সহায়তা"),
        service("arabic-help", title="Family help", summary="مُسَاعَدَةٌ لِلْعَائِلَاتِ"),
        service("urdu-help", title="Parent help", summary="خاندانوں کی مدد"),
        service("polish-help", title="Porady", summary="Pomoc w sprawach pieniędzy, Łódź"),
    ])
    publish(root, tmp_path / "index", processes=1)
    engine = LiveRelease(tmp_path / "index").get().engine
    assert ids(search(engine, q="বিনামূল্যে")) == ["bengali-food"]
    assert ids(search(engine, q="খাদ্য সহায়তা")) == ["bengali-food"]
    assert ids(search(engine, q="مساعدة")) == ["arabic-help"]  # typed without vowel marks
    assert ids(search(engine, q="مدد")) == ["urdu-help"]
    assert ids(search(engine, q="lodz")) == ["polish-help"]


def test_title_and_keywords_outrank_body(tmp_path):
    root = write_content(tmp_path / "content", [
        service("body-mention", title="Family centre", summary="Activities for families."),
        service("title-match", title="Allotment club", summary="Grow food together."),
        service("keyword-match", title="Garden group", summary="Outdoor sessions.", keywords=["allotment"]),
    ], bodies={"body-mention": "We sometimes visit an allotment in the summer."})
    publish(root, tmp_path / "index", processes=1)
    engine = LiveRelease(tmp_path / "index").get().engine
    assert ids(search(engine, q="allotment")) == ["title-match", "keyword-match", "body-mention"]


def test_language_names_in_a_query_favour_services_in_that_language(engine):
    result = search(engine, q="polish speaking advice")
    assert ids(result)[0] == "debt-advice"
    assert search(engine, q="bengali").total == 0  # no service is delivered in Bengali


def test_filtered_search_ranks_as_the_unfiltered_one_and_counts_all_matches(tmp_path):
    """Only allowed documents are scored, but ranking and facet counts must not change."""
    words = ["parenting group", "parenting course for dads", "group for parents", "parenting advice line",
             "baby group", "parenting", "toddler group and parenting tips", "youth group"]
    services = [service(f"svc-{number}", title=f"{text.capitalize()} {number}",
                        summary=f"{text.capitalize()} in the community.",
                        hubs=["east" if number % 3 else "west"], levels=[1 + number % 2])
                for number, text in enumerate(words * 4)]
    root = write_content(tmp_path / "content", services)
    publish(root, tmp_path / "index", processes=1)
    engine = LiveRelease(tmp_path / "index").get().engine

    everything = search(engine, q="parenting group", per_page=100)
    east = search(engine, q="parenting group", hub="east", per_page=100)
    east_ids = {item["id"] for item in services if item["hubs"] == ["east"]}
    expected = [(hit.id, hit.score) for hit in everything.hits if hit.id in east_ids]
    assert [(hit.id, hit.score) for hit in east.hits] == expected
    assert 0 < east.total < everything.total
    # The hub group's own counts ignore the hub filter: they still count every match.
    assert east.facets["hub"]["west"] == everything.total - east.total
    # Another group's counts are within the hub filter.
    assert sum(east.facets["level"].values()) == east.total
    # Sorting by name needs no scores but must find the same services.
    assert {hit.id for hit in search(engine, q="parenting group", hub="east", sort="name",
                                     per_page=100).hits} == {hit_id for hit_id, _ in expected}
