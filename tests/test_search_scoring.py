"""Scoring terms a posting block at a time (app/search/scoring.py) gives Whoosh's own scores."""

from __future__ import annotations

import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.fields import TEXT
from whoosh.filedb.structfile import BufferFile
from whoosh.matching.wrappers import FilterMatcher

from app.content import load_content
from app.publishing.publish import publish
from app.publishing.releases import ReleaseStore
from app.release.live import LiveRelease
from app.release.schema import WHOOSH_FOLDER
from app.search.analysis import decode_positions, encode_positions
from app.search.engine import SearchEngine
from app.search.request import parse_request
from app.search.schema import build_schema, service_document
from app.search.scoring import BlockScorer, _consecutive, _has_blocks, _postings, leaves

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
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("scoring")
    content = write_content(root / "content", SERVICES)
    publish(content, root / "index", processes=1)
    return root, content


@pytest.fixture(scope="module")
def engine(built):
    root, _ = built
    return LiveRelease(root / "index").get().engine


@pytest.fixture(scope="module")
def reference(built):
    """Whoosh's searcher over the same documents, in the same order, with the words' positions in
    the text fields and no pair fields (the layout of release version 5), so Whoosh's own phrase
    search runs on it."""
    root, folder = built
    content = load_content(folder)
    schema = build_schema(content.translated_languages)
    for name in [name for name in schema.names() if name.startswith(("text", "pairs"))]:
        analyzer = schema[name].analyzer
        schema.remove(name)
        if name.startswith("text"):
            schema.add(name, TEXT(analyzer=analyzer, phrase=True))
    (root / "reference").mkdir()
    ix = whoosh_index.create_in(str(root / "reference"), schema)
    with ix.writer() as writer:
        for published in content.published_services():
            document = service_document(published, content)
            writer.add_document(**{name: value for name, value in document.items() if name in schema})
    with ix.searcher() as searcher:
        yield searcher


def assert_scored_as_whoosh_does(engine, searcher, query, reference) -> list[tuple[float, int]]:
    """The engine matches what Whoosh's own search finds, with the same scores; returns its scores."""
    whoosh_scores = {hit.docnum: hit.score for hit in reference.search(query, limit=None)}
    matched, scored = engine._match(searcher, query, engine.all_bits)
    assert {docnum for _, docnum in scored} == set(whoosh_scores)
    assert matched.bit_count() == len(whoosh_scores)
    for score, docnum in scored:
        assert score == pytest.approx(whoosh_scores[docnum], rel=1e-9)
    return scored


@pytest.mark.parametrize("text", ["support", "debt advice", "parenting support group",
                                  '"speech and language"', "money worries", "advise"])
def test_block_scores_are_whoosh_scores(engine, reference, text):
    searcher = engine.searcher()
    query = engine.builder.build(text, searcher).query
    assert query is not None
    scored = assert_scored_as_whoosh_does(engine, searcher, query, reference)
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
def test_phrases_match_and_score_as_whoosh_spans_do(engine, reference, words):
    searcher = engine.searcher()
    query = wq.Or([wq.Phrase("text", words, boost=2.0), wq.Term("text", "club")], boost=1.5)
    scored = assert_scored_as_whoosh_does(engine, searcher, query, reference)
    phrase_only = assert_scored_as_whoosh_does(engine, searcher, wq.Phrase("text", words), reference)
    # Only a word the index lacks and a repeated word find nothing here ("speech and language"
    # repeated in a summary puts "language" before "speech").
    assert bool(phrase_only) == (words not in (["group", "group"], ["nosuchword", "support"]))
    assert scored


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


def test_pair_positions_are_32_bit_numbers_read_back_as_written():
    at = [encode_positions(positions) for positions in ([1, 5], [2, 6], [9], [6], [70_000, 3])]
    assert [decode_positions(value) for value in at] == [(1, 5), (2, 6), (9,), (6,), (70_000, 3)]
    assert encode_positions([9]) is at[2]  # one value for every posting of a pair at position 9
    assert _consecutive([at[0], at[1]]) and _consecutive([at[0], at[3]])
    assert not _consecutive([at[1], at[0]])
    assert _consecutive([at[0], at[3], encode_positions([7])])  # 5, 6, 7


def test_a_release_of_the_former_layout_is_still_searched(built, reference):
    """A release of version 5 (positions in the text field, no pair field) served by this code, as a
    node does until the next publish rebuilds it: phrases go through Whoosh's own matcher."""
    root, _ = built
    current = SearchEngine(ReleaseStore(root / "index").current().path / WHOOSH_FOLDER, {})
    former = SearchEngine(root / "reference", {})
    assert "pairs" in current.index.schema and "pairs" not in former.index.schema
    for text in ('"speech and language"', '"parenting support group" advice', "debt support"):
        results = [engine.search(parse_request({"q": [text]}, engine.vocabulary))
                   for engine in (current, former)]
        assert results[0].total and results[0].total == results[1].total
        assert [(hit.id, pytest.approx(hit.score)) for hit in results[0].hits] == [
            (hit.id, hit.score) for hit in results[1].hits]


def test_a_segment_with_deleted_documents_is_still_read_a_block_at_a_time(tmp_path):
    """After an incremental publish the largest segment still holds the replaced service's old
    document, and Whoosh filters such a segment's postings one at a time: they are read as blocks
    all the same, and the searches find what a full build of the same content finds."""
    content = write_content(tmp_path / "content", SERVICES)
    publish(content, tmp_path / "index", processes=1)
    edited = content / "services" / "service-3.md"
    edited.write_text(edited.read_text().replace("Support for families", "Help for families"))
    publish(content, tmp_path / "index", processes=1)
    publish(content, tmp_path / "full", processes=1, incremental=False)
    engine, full = (LiveRelease(tmp_path / name).get().engine for name in ("index", "full"))
    assert ReleaseStore(tmp_path / "index").current().manifest["built"] != "full"
    readers = [leaf.reader() for leaf, _ in engine.searcher().leaf_searchers()]
    with_deletions = [reader for reader in readers if reader.has_deletions()]
    assert with_deletions
    assert type(with_deletions[0].postings("text", b"support")) is FilterMatcher
    assert _has_blocks(_postings(with_deletions[0], "text", b"support"))
    for text in ('"speech and language"', "support", '"parenting support group evenings"', "debt advice"):
        assert engine.matching_ids(text) == full.matching_ids(text) != set()
        results = [each.search(parse_request({"q": [text]}, each.vocabulary)) for each in (engine, full)]
        assert results[0].total == results[1].total


def test_the_index_is_read_through_open_files_not_memory_maps(engine):
    """Whoosh wraps a memory-mapped segment file in a BytesIO, a whole copy for every searcher: at
    100,000 services eight server threads held 2.7 GB. The engine reads through open files."""
    assert engine.index.storage.supports_mmap is False
    readers = [leaf.reader() for leaf, _ in engine.searcher().leaf_searchers()]
    assert readers and not any(isinstance(reader._terms._dbfile, BufferFile) for reader in readers)
