"""Scoring terms a posting block at a time (app/search/scoring.py) gives Whoosh's own scores."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from app.publishing.publish import publish
from app.release.live import LiveRelease
from app.search.scoring import BlockScorer, _consecutive, _positions, leaves

from .factories import service, write_content

WORDS = [["parenting", "group"], ["debt", "advice"], ["speech", "and", "language"],
         ["parenting", "support", "group", "evenings"], ["advice", "support"], ["youth", "club"], ["support"],
         ["debt", "support", "advice", "line"]]
SERVICES = [
    service(f"service-{number}", title=f"Service {number} " + " ".join(words),
            summary="Support for families: " + " ".join(words * (number % 3 + 1)),
            needs=["parenting"] if number % 2 else ["money-debt"],
            hubs="all" if number % 4 == 0 else ["west"])
    for number, words in enumerate(WORDS * 4)
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("scoring")
    content = write_content(root / "content", SERVICES)
    publish(content, root / "index", processes=1)
    return LiveRelease(root / "index").get().engine


def assert_scored_as_whoosh_does(engine, searcher, query) -> list[tuple[float, int]]:
    """The engine matches what Whoosh's own search finds, with the same scores; returns its scores."""
    whoosh_scores = {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}
    matched, scored = engine._match(searcher, query, engine.all_bits)
    assert {docnum for _, docnum in scored} == set(whoosh_scores)
    assert matched.bit_count() == len(whoosh_scores)
    for score, docnum in scored:
        assert score == pytest.approx(whoosh_scores[docnum], rel=1e-9)
    return scored


@pytest.mark.parametrize("text", ["support", "debt advice", "parenting support group",
                                  '"speech and language"', "money worries", "advise"])
def test_block_scores_are_whoosh_scores(engine, text):
    searcher = engine.searcher()
    query = engine.builder.build(text, searcher).query
    assert query is not None
    scored = assert_scored_as_whoosh_does(engine, searcher, query)
    # best first, ties in title order
    ranks = [(-score, engine.rank_of[docnum]) for score, docnum in scored]
    assert ranks == sorted(ranks)


def test_terms_phrases_and_keyword_terms_are_block_scored(engine):
    searcher = engine.searcher()
    query = engine.builder.build('support "speech and language" money worries', searcher).query
    scorer = BlockScorer(searcher, engine.rank_by_docnum)
    parts = [leaf for leaf, _ in leaves(query)]
    kinds = {(type(leaf).__name__, leaf.fieldname) for leaf in parts}
    assert {("Term", "text"), ("Phrase", "text"), ("Term", "need")} <= kinds
    assert all(scorer.can_score(leaf) for leaf in parts)
    # Anything else is left to Whoosh's matcher.
    assert not scorer.can_score(wq.Prefix("text", "supp"))
    assert not scorer.can_score(wq.Phrase("text", ["speech", "languag"], slop=2))


@pytest.mark.parametrize("words", [["speech", "languag"], ["support", "famili"], ["group", "group"],
                                   ["debt", "support", "advic"], ["famili", "parent", "support", "group"],
                                   ["languag", "speech"], ["nosuchword", "support"]])
def test_phrases_match_and_score_as_whoosh_spans_do(engine, words):
    searcher = engine.searcher()
    query = wq.Or([wq.Phrase("text", words, boost=2.0), wq.Term("text", "club")], boost=1.5)
    assert_scored_as_whoosh_does(engine, searcher, query)


def test_only_allowed_documents_are_scored_but_every_match_is_counted(engine):
    searcher = engine.searcher()
    query = engine.builder.build("support", searcher).query
    everything, _ = engine._match(searcher, query, engine.all_bits)
    allowed = engine.bits["hub"]["west"]
    matched, scored = engine._match(searcher, query, allowed)
    assert matched == everything
    assert scored and all((allowed >> engine.rank_of[docnum]) & 1 for _, docnum in scored)


def test_boosts_of_nested_ors_are_applied_as_whoosh_applies_them(engine):
    searcher = engine.searcher()
    query = wq.Or([wq.Or([wq.Term("text", "support"), wq.Term("text", "debt")], boost=2.0),
                   wq.Or([wq.Term("text", "advic")], boost=5.0), wq.Term("need", "parenting", boost=1.5)])
    whoosh_scores = {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}
    _, scored = engine._match(searcher, query, engine.all_bits)
    assert whoosh_scores and {docnum for _, docnum in scored} == set(whoosh_scores)
    for score, docnum in scored:
        assert score == pytest.approx(whoosh_scores[docnum], rel=1e-9)


def test_positions_are_decoded_with_or_without_the_final_stop_of_the_pickle():
    from whoosh.formats import Positions

    encoded = Positions().encode([3, 7, 20])
    for value in (encoded, encoded.removesuffix(b".")):
        assert _positions(value) == Positions().decode_positions(value) == [3, 7, 20]
    at = [Positions().encode(positions) for positions in ([1, 5], [2, 6], [9], [6])]
    assert _consecutive([at[0], at[1]]) and _consecutive([at[0], at[3]])
    assert not _consecutive([at[1], at[0]]) and not _consecutive([at[0], at[2]])
    assert _consecutive([at[0], at[3], Positions().encode([7])])  # 5, 6, 7
    assert not _consecutive([at[0], at[1], Positions().encode([4])])  # 1, 2 but not 3
