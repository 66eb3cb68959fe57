"""A query of one word scores only the postings that can make the page (``BlockScorer.add_best``),
and posting blocks are read straight from the postings file (``scoring._block_data``): the
page, its order, its scores and the counts must be what scoring every match gives."""

from __future__ import annotations

import pytest

from app.publishing.publish import publish
from app.release.live import LiveRelease
from app.search.request import parse_request
from app.search.scoring import _blocks, _has_blocks

from .factories import service, write_content

# Lengths and repetitions vary so that scores spread, and some services are the same text under
# titles in another order, so that scores tie (ties go in title order).
PHRASES = ["support for parents", "parenting support group", "support", "family support worker",
           "debt advice and support", "youth club", "support support and more support",
           "a long summary about many other things with support once near the end of it all",
           "speech and language", "parenting group"]
HUBS = ["east", "west", "east"]
SERVICES = [
    service(f"service-{number:03d}",
            title=("Same support " + str(number % 7)) if number % 9 == 0 else
            f"Service {number:03d} {PHRASES[number % len(PHRASES)]}",
            summary=" ".join([PHRASES[(number * 7) % len(PHRASES)]] * (1 + number % 4))[:190],
            needs=["parenting"] if number % 2 else ["money-debt"],
            hubs=[HUBS[number % 3]])
    for number in range(700)
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("pruning")
    content = write_content(root / "content", SERVICES)
    publish(content, root / "index", processes=1)
    return LiveRelease(root / "index").get().engine


def search(engine, params: dict, pruned: bool = True):
    """The engine's result; with ``pruned`` False, every match scored (the code before pruning)."""
    if pruned:
        return engine.search(parse_request(params, engine.vocabulary))
    original = engine._accumulate_best
    engine._accumulate_best = lambda searcher, query, count, allowed: (*engine._accumulate(searcher, query),
                                                                       None)
    try:
        return engine.search(parse_request(params, engine.vocabulary))
    finally:
        engine._accumulate_best = original


def page(result) -> list[tuple[str, float]]:
    return [(hit.id, hit.score) for hit in result.hits]


@pytest.mark.parametrize("word", ["support", "parenting", "group", "advice", "club", "more"])
def test_pruned_pages_are_the_pages_of_every_match_scored(engine, word):
    for per_page in (1, 7, 20, 50):
        for page_number in range(1, 12):
            for filters in ({}, {"hub": ["east"]}, {"hub": ["west"], "need": ["parenting"]}):
                params = {"q": [word], "page": [str(page_number)], "per_page": [str(per_page)], **filters}
                engine._kept.clear()
                cold = search(engine, params)  # its blocks decoded (and, for a frequent word, kept)
                warm = search(engine, params)  # a frequent word's blocks as kept
                full = search(engine, params, pruned=False)
                for pruned in (cold, warm):
                    assert page(pruned) == page(full), params
                    assert (pruned.total, pruned.facets) == (full.total, full.facets)


def test_a_common_word_is_pruned_and_its_ties_keep_title_order(engine):
    searcher = engine.searcher()
    query = engine.builder.build("support", searcher).query
    mask, totals, contenders = engine._accumulate_best(searcher, query, 20, None)
    matched = sum(mask[:engine.size])
    assert contenders is not None and matched > 300
    # Most matches were never scored: only those that could make the first page.
    assert sum(1 for score in totals if score) < matched / 2
    # Scores tie (the same text under other titles) and the tied ones come in title order.
    result = search(engine, {"q": ["support"], "per_page": ["50"]})
    scores = [hit.score for hit in result.hits]
    assert len(set(scores)) < len(scores)
    by_rank = engine._ids_by_rank(searcher)
    ranks = [(-hit.score, by_rank.index(hit.id)) for hit in result.hits]
    assert ranks == sorted(ranks)


def test_fewer_allowed_matches_than_the_page_asks_for_scores_them_all(engine):
    searcher = engine.searcher()
    query = engine.builder.build("support", searcher).query
    _, _, contenders = engine._accumulate_best(searcher, query, engine.size, engine.bits["hub"]["east"])
    assert contenders is None
    params = {"q": ["support"], "hub": ["east"], "per_page": ["50"], "page": ["5"]}
    assert page(search(engine, params)) == page(search(engine, params, pruned=False))


@pytest.mark.parametrize("text", ["support group", "support support", "money worries",
                                  'support "speech and language"'])
def test_more_than_one_part_is_scored_in_full(engine, text):
    """Words, a phrase or a named need's term with the common word: every posting is scored (pruning
    one word among others was measured to save nothing: their documents are in every block)."""
    searcher = engine.searcher()
    query = engine.builder.build(text, searcher).query
    assert engine._accumulate_best(searcher, query, 20, None)[2] is None
    for params in ({"q": [text], "page": ["2"]}, {"q": [text], "hub": ["west"], "per_page": ["7"]}):
        assert page(search(engine, params)) == page(search(engine, params, pruned=False))


@pytest.mark.parametrize(("fieldname", "text", "values"), [
    ("text", "support", False), ("text", "parent", True), ("pairs", "support group", True),
    ("hub", "east", False), ("spell", "support", False)])
def test_blocks_read_from_the_file_are_whooshs_postings(engine, fieldname, text, values):
    searcher = engine.searcher()
    for leaf, _ in searcher.leaf_searchers():
        reader = leaf.reader()
        if fieldname not in reader.schema or (fieldname, text) not in reader:
            continue
        matcher = reader.postings(fieldname, text)
        expected = []
        while matcher.is_active():
            expected.append((matcher.id(), matcher.weight(), matcher.value() if values else None))
            matcher.next()
        assert _has_blocks(reader.postings(fieldname, text))
        blocks = _blocks(reader.postings(fieldname, text), values)
        found = [(docid, weight, value) for ids, weights, found in blocks
                 for docid, weight, value in zip(ids, weights, found or [None] * len(ids), strict=True)]
        assert found == expected
        # Only the blocks holding wanted ids are decoded; every wanted id is in them.
        wanted = [expected[0][0], expected[-1][0]]
        blocks = _blocks(reader.postings(fieldname, text), wanted=wanted)
        some = [docid for ids, _, _ in blocks for docid in ids]
        assert set(wanted) <= set(some) and len(some) <= len(expected)


def test_only_a_few_frequent_words_have_their_blocks_kept(engine):
    engine._kept.clear()
    search(engine, {"q": ["autism"]})  # in 14 services of 700: not kept
    assert len(engine._kept) == 0
    frequent = ["support", "parenting", "group", "advice", "family", "service"]
    for word in frequent:
        search(engine, {"q": [word]})
    assert len(engine._kept) == engine._kept.terms < len(frequent)
    # The most recently searched are kept.
    assert engine._kept.get(("text", "servic")) is not None
    assert engine._kept.get(("text", "support")) is None
