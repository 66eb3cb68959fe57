"""Match and score a query's terms a posting block at a time, with Whoosh's own BM25F.

Whoosh scores a document through a chain of matcher objects (union, boost,
term, scorer, field length lookup): a few microseconds of Python for each
document a word matches, which for a common word ("support", in nine
services of ten) is most of a search. A query here is an ``Or`` of boosted
terms and phrases (see ``query.py``), and an ``Or`` scores a document with
the sum of its matching parts. So each term of a scorable text field is read
straight from its posting blocks (ids and weights arrays), and its BM25F
score computed with the field lengths read once per index; every other part
(phrases, terms of keyword fields) goes through Whoosh's matcher as before.
The scores are Whoosh's own (the same formula in the same order; only the
order in which a document's parts are added differs): ``tests/test_search.py``
compares them.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh import query as wq
from whoosh.scoring import BM25F


def leaves(query: wq.Query, boost: float = 1.0) -> Iterator[tuple[wq.Query, float]]:
    """The parts of an ``Or`` tree whose scores add up, each with the boost of the ``Or`` above it."""
    if isinstance(query, wq.Or) and not getattr(query, "scale", None):
        # Whoosh applies an Or's boost only when it has more than one part.
        own = query.boost if len(query.subqueries) > 1 else 1.0
        for child in query.subqueries:
            yield from leaves(child, boost * own)
    else:
        yield query, boost


class BlockScorer:
    """Scores terms of one searcher's index from whole posting blocks; falls back when it cannot."""

    def __init__(self, searcher):
        self.searcher = searcher
        weighting = searcher.weighting
        self.usable = type(weighting) is BM25F and not getattr(weighting, "_field_B", {})
        self.K1 = getattr(weighting, "K1", 1.2)
        self.B = getattr(weighting, "B", 0.75)
        self._norms: dict[str, list[float]] = {}

    def can_score(self, leaf: wq.Query) -> bool:
        if not (self.usable and type(leaf) is wq.Term):
            return False
        schema = self.searcher.schema
        return leaf.fieldname in schema and schema[leaf.fieldname].scorable

    def _norm(self, fieldname: str) -> list[float]:
        """For each document, BM25's length part ``K1 * ((1 - B) + B * length / average)``."""
        norms = self._norms.get(fieldname)
        if norms is None:
            reader = self.searcher.reader()
            average = self.searcher.avg_field_length(fieldname) or 1
            k1, b = self.K1, self.B
            # A document without the field has no length; no term of the field matches it either.
            norms = self._norms[fieldname] = [
                k1 * ((1 - b) + b * (reader.doc_field_length(docnum, fieldname, 1) or 1) / average)
                for docnum in range(reader.doc_count_all())]
        return norms

    def term_scores(self, leaf: wq.Term, boost: float) -> Iterator[tuple[list[int], list[float]]]:
        """(docnums, scores) a block at a time for every document the term matches."""
        fieldname, text = leaf.fieldname, leaf.text
        norms = self._norm(fieldname)
        idf, k1p, factor = self.searcher.idf(fieldname, text), self.K1 + 1, leaf.boost * boost
        for leaf_searcher, offset in self.searcher.leaf_searchers():
            reader = leaf_searcher.reader()
            if (fieldname, text) not in reader:
                continue
            for ids, weights in _blocks(reader.postings(fieldname, text)):
                docnums = [docid + offset for docid in ids]
                # Whoosh's bm25(), then the term's boost
                yield docnums, [idf * ((weight * k1p) / (weight + norms[docnum])) * factor
                                for docnum, weight in zip(docnums, weights, strict=True)]


def _blocks(matcher) -> Iterator[tuple[list[int], list[float]]]:
    """The (ids, weights) of each posting block; one posting at a time for other matchers."""
    if not all(hasattr(matcher, name) for name in ("_read_ids", "_read_weights", "_next_block", "_atend")):
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        yield ids, weights
        return
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        yield list(matcher._ids), list(matcher._weights)
        matcher._next_block()
