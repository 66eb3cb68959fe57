"""Match and score a query's parts a posting block at a time, with Whoosh's own BM25F.

Whoosh scores a document through a chain of matcher objects (union, boost,
term, scorer, field length lookup): a few microseconds of Python for each
document a word matches, which for a common word ("support", in nine
services of ten) is most of a search; and a phrase goes through its span
matchers, which build objects for every position of every document holding
all the words. A query here is an ``Or`` of boosted terms and phrases (see
``query.py``), and an ``Or`` scores a document with the sum of its matching
parts. So each part is read straight from its posting blocks (ids, weights
and, for the pairs of a longer phrase, their encoded positions) and its score added into one list
indexed by the document's rank (its place in title order), in one loop per
posting (the words' postings hold ids and weights only, no positions):

- a term of a text field: BM25F, with the field lengths read once per index;
- a term of a keyword field (a need or a language a query names): its weight
  times its boost, as Whoosh's ``WeightScorer`` gives for unscorable fields;
- a phrase: found in the text field's pair field (``schema.text_fields``):
  a two-word phrase is the postings of its one pair term, a longer one the
  documents holding every pair (rarest first) with the pairs at consecutive
  positions; which is what Whoosh's ``SpanNear2`` decides over the words'
  positions. A matching document scores the sum of its words' BM25F scores
  (their weights read from the words' postings, only blocks holding a match;
  added in Whoosh's order), times the phrase's boost.

Anything else goes through Whoosh's matcher. The scores are Whoosh's own
(the same formula in the same order); ``tests/test_search_scoring.py``
compares them.

A query of one word needs every match (for the total and the facets) but
only the scores that can make the page: ``BlockScorer.add_best`` bounds
each block's scores from its header (greatest weight, least length) and
scores only the blocks, and in them the postings, that can reach the page
(``tests/test_search_pruning.py`` compares its pages with full scoring).
Blocks are read from one copy of a term's postings (``_block_data``), not
through the matcher's file calls for every block.
"""

from __future__ import annotations

import heapq
import io
import pickle
import struct
import threading
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate, compress
from operator import itemgetter

from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from .analysis import decode_positions, pair_terms
from .schema import pair_field

# Block bounds are made a little larger than the header's figures, and the weight filter a
# little looser, so that rounding can never leave out a posting that reaches the floor.
_WEIGHT_MARGIN = 1 + 1e-6
_SCORE_MARGIN = 1 + 1e-9
_FILTER_MARGIN = 1 - 1e-6
# Pruning pays when the matches are at least this many times the documents up to the page's end.
_PRUNED_SHARE = 4
# Past this share of a score's ceiling, the weight a posting needs is too sensitive to rounding.
_MAX_FILTERED_RATIO = 0.999
# A word in at least this share of the documents has its decoded blocks kept (``KeptPostings``).
_KEPT_SHARE = 8
Blocks = Iterator[tuple[Sequence[int], Sequence[float], Sequence[bytes] | None]]
# (shape of its scores' bound, segment number, ids, weights, least length part) of a posting block
PruningBlock = tuple[float, int, Sequence[int], Sequence[float], float]


def leaves(query: wq.Query, boost: float = 1.0) -> Iterator[tuple[wq.Query, float]]:
    """The parts of an ``Or`` tree whose scores add up, each with the boost of the ``Or`` above it."""
    if isinstance(query, wq.Or) and not getattr(query, "scale", None):
        # Whoosh applies an Or's boost only when it has more than one part.
        own = query.boost if len(query.subqueries) > 1 else 1.0
        for child in query.subqueries:
            yield from leaves(child, boost * own)
    else:
        yield query, boost


class KeptPostings:
    """The decoded posting blocks of the few most recently searched frequent words (those in an
    eighth of the documents or more) of one index, with their matches as a byte per rank, for
    :meth:`BlockScorer.add_best` of every thread. Decoding is most of what such a word costs
    once its scoring is pruned (~700 blocks unpickled for a word in 90,000 documents); kept,
    asking for it again costs a copy of its matches and the scoring of the postings that can
    make the page. At most ``terms`` words are kept (~7 MB each for a word in 90,000 of
    100,000 documents)."""

    def __init__(self, terms: int = 4):
        self.terms = terms
        self._kept: dict[tuple[str, str], tuple[bytes, list[PruningBlock]]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> tuple[bytes, list[PruningBlock]] | None:
        with self._lock:
            found = self._kept.pop(key, None)
            if found is not None:
                self._kept[key] = found  # the most recently used last
            return found

    def put(self, key: tuple[str, str], value: tuple[bytes, list[PruningBlock]]) -> None:
        with self._lock:
            self._kept.pop(key, None)
            self._kept[key] = value
            while len(self._kept) > self.terms:
                del self._kept[next(iter(self._kept))]

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)


class BlockScorer:
    """Adds the scores of one searcher's query parts into per-rank lists; falls back to Whoosh
    for parts it does not know.

    ``rank_by_docnum`` maps each document number to its rank; deleted documents (still in the
    postings after an incremental publish) map to a spare slot past the last rank. ``norms`` is
    where the field lengths' part of BM25 is kept once computed, shared by the scorers of every
    thread's searcher on one index (it reads the length of every document: with 100,000 of them,
    each server thread paying it on its first search made the slowest searches).
    """

    _lock = threading.Lock()

    def __init__(self, searcher, rank_by_docnum: list[int],
                 norms: dict[str, list[list[float]]] | None = None, kept: KeptPostings | None = None):
        self.searcher = searcher
        self.rank_by_docnum = rank_by_docnum
        weighting = searcher.weighting
        self.usable = type(weighting) is BM25F and not getattr(weighting, "_field_B", {})
        self.K1 = getattr(weighting, "K1", 1.2)
        self.B = getattr(weighting, "B", 0.75)
        self._segments = [(leaf.reader(), offset) for leaf, offset in searcher.leaf_searchers()]
        # Per segment, the ranks of its documents (so a posting's id needs no offset added).
        self._segment_ranks = [rank_by_docnum[offset:offset + reader.doc_count_all()]
                       for reader, offset in self._segments]
        self._segment_norms = {} if norms is None else norms
        self._kept = kept

    def can_score(self, leaf: wq.Query) -> bool:
        if not self.usable or type(leaf) not in (wq.Term, wq.Phrase):
            return False
        schema = self.searcher.schema
        if leaf.fieldname not in schema:
            return False
        field = schema[leaf.fieldname]
        if type(leaf) is wq.Phrase:
            # A release of version 5 and before has positions in the text field, and no pair field:
            # Whoosh's own phrase matcher searches it.
            return (field.scorable and pair_field(leaf.fieldname) in schema and leaf.slop == 1
                    and len(leaf.words) > 1)
        return True

    def _norm(self, fieldname: str) -> list[list[float]]:
        """For each segment and document, BM25's length part ``K1 * ((1 - B) + B * length / average)``."""
        norms = self._segment_norms.get(fieldname)
        if norms is not None:
            return norms
        with self._lock:
            norms = self._segment_norms.get(fieldname)
            if norms is not None:  # another thread made them meanwhile
                return norms
            reader = self.searcher.reader()
            average = self.searcher.avg_field_length(fieldname) or 1
            # A document without the field has no length; no term of the field matches it either.
            every = [self._length_norm(reader.doc_field_length(docnum, fieldname, 1), average)
                     for docnum in range(reader.doc_count_all())]
            norms = self._segment_norms[fieldname] = [every[offset:offset + segment.doc_count_all()]
                                                      for segment, offset in self._segments]
        return norms

    def _length_norm(self, length: float | None, average: float) -> float:
        """BM25's length part of one document (or the least of a block's, from its least length)."""
        return self.K1 * ((1 - self.B) + self.B * (length or 1) / average)

    def can_prune(self, leaf: wq.Query) -> bool:
        """Whether :meth:`add_best` can score ``leaf``: a term of a text field."""
        return (self.can_score(leaf) and type(leaf) is wq.Term
                and self.searcher.schema[leaf.fieldname].scorable)

    def add(self, leaf: wq.Query, boost: float, mask: bytearray, totals: list[float] | None) -> None:
        """Mark in ``mask`` (one byte per rank) every document ``leaf`` matches and, unless
        ``totals`` is None, add its score times ``boost`` to ``totals`` (one float per rank)."""
        if type(leaf) is wq.Phrase:
            self._add_phrase(leaf, boost, mask, totals)
        elif self.searcher.schema[leaf.fieldname].scorable:
            self._add_text_term(leaf, boost, mask, totals)
        else:
            self._add_keyword_term(leaf, boost, mask, totals)

    def _add_text_term(self, leaf: wq.Term, boost: float, mask: bytearray,
                       totals: list[float] | None) -> None:
        fieldname, text = leaf.fieldname, leaf.text
        idf, k1p, factor = self.searcher.idf(fieldname, text), self.K1 + 1, leaf.boost * boost
        norms = self._norm(fieldname) if totals is not None else None
        for number, (reader, _) in enumerate(self._segments):
            if (fieldname, text) not in reader:
                continue
            ranks = self._segment_ranks[number]
            if totals is None:
                for ids, _, _ in _blocks(_postings(reader, fieldname, text)):
                    for docid in ids:
                        mask[ranks[docid]] = 1
                continue
            segment_norms = norms[number]
            for ids, weights, _ in _blocks(_postings(reader, fieldname, text)):
                for docid, weight in zip(ids, weights, strict=True):
                    rank = ranks[docid]
                    mask[rank] = 1
                    # Whoosh's bm25(), then the term's boost
                    totals[rank] += idf * ((weight * k1p) / (weight + segment_norms[docid])) * factor

    def add_best(self, leaf: wq.Term, boost: float, mask: bytearray, totals: list[float], count: int,
                 allowed: bytes | None = None) -> list[int] | None:
        """As :meth:`add` for a query that is this one text term (``can_prune``), scoring only the
        postings that can be among the ``count`` best allowed documents (``allowed``: a byte per
        rank, 1 for allowed; None: every document). Every match is marked in ``mask`` (all zeros
        before: a kept word's matches are copied into it).

        Returns the ranks of the allowed documents that may be among the ``count`` best (their
        scores in ``totals`` are exact; every other match scores less than the least of the
        ``count`` best, whatever ``totals`` holds for it), or None when every match was scored
        (fewer than ``count`` allowed matches).

        Each posting block's header gives its greatest weight and least field length, so a bound
        on its scores (BM25 grows with the weight and falls with the length). Blocks are scored
        best bound first, keeping the ``count`` best allowed scores; once there are ``count`` of
        them, a block whose bound is below the least of them is not scored, nor are, in the
        others, the postings whose weight is too low to reach it even at the block's least
        length (a filter done in C over the block's weights). A frequent word's decoded blocks
        are kept for the next search (``KeptPostings``)."""
        fieldname, text = leaf.fieldname, leaf.text
        idf, k1p, factor = self.searcher.idf(fieldname, text), self.K1 + 1, leaf.boost * boost
        matches = self.searcher.doc_frequency(fieldname, text)
        if not (idf > 0 and factor > 0) or count * _PRUNED_SHARE > matches:
            # No bound to prune with, or a page reaching so far into the matches that keeping the
            # best of them would cost more than it saves: score every posting.
            self._add_text_term(leaf, boost, mask, totals)
            return None
        norms = self._norm(fieldname)
        kept = self._kept.get((fieldname, text)) if self._kept is not None else None
        if kept is None:
            blocks = self._pruning_blocks(fieldname, text, mask)
            if self._kept is not None and matches * _KEPT_SHARE >= len(mask):
                self._kept.put((fieldname, text), (bytes(mask), blocks))
        else:
            marks, blocks = kept
            mask[:] = marks
        ceiling = idf * k1p * factor  # what a score approaches as the weight grows
        spare = len(mask) - 1  # where deleted documents' postings land
        best: list[float] = []  # a min-heap of the ``count`` best allowed scores so far
        contenders: list[int] = []
        for shape, number, ids, weights, least in blocks:
            postings = zip(ids, weights, strict=True)
            if len(best) == count:
                floor = best[0]
                if idf * shape * factor * _SCORE_MARGIN < floor:
                    break  # this block and every one after it: no score reaches the floor
                # score >= floor <=> weight / (weight + norm) >= ratio
                #                 <=> weight >= norm * ratio / (1 - ratio), and norm >= least
                ratio = floor / ceiling
                if 0 < ratio < _MAX_FILTERED_RATIO:
                    low = least * ratio / (1 - ratio) * _FILTER_MARGIN
                    postings = compress(postings, map(low.__le__, weights))
            ranks, segment_norms = self._segment_ranks[number], norms[number]
            for docid, weight in postings:
                rank = ranks[docid]
                # as _add_text_term: Whoosh's bm25(), then the term's boost
                totals[rank] += idf * ((weight * k1p) / (weight + segment_norms[docid])) * factor
                if rank == spare or (allowed is not None and not allowed[rank]):
                    continue
                score = totals[rank]
                if len(best) < count:
                    heapq.heappush(best, score)
                    contenders.append(rank)
                elif score >= best[0]:
                    contenders.append(rank)  # a tie with the floor is kept: ties go in title order
                    if score > best[0]:
                        heapq.heapreplace(best, score)
        return contenders if len(best) == count else None

    def _pruning_blocks(self, fieldname: str, text: str, mask: bytearray) -> list[PruningBlock]:
        """Every posting block of a text term, marked in ``mask``, with what bounds its scores:
        its ``shape`` (BM25's ``weight * (K1 + 1) / (weight + norm)`` at the block's greatest
        weight and least length; a score is at most ``idf * shape * boost``), best first."""
        average = self.searcher.avg_field_length(fieldname) or 1
        k1p = self.K1 + 1
        blocks = []
        for number, (reader, _) in enumerate(self._segments):
            if (fieldname, text) not in reader:
                continue
            ranks = self._segment_ranks[number]
            matcher = _postings(reader, fieldname, text)
            if not _has_blocks(matcher):  # no headers: one block, always scored
                for ids, weights, _ in _blocks(matcher):
                    for docid in ids:
                        mask[ranks[docid]] = 1
                    blocks.append((float("inf"), number, ids, weights, 0.0))
                continue
            for header, block in _block_data(matcher):
                ids, weights, _ = _block_postings(matcher, header, block)
                for docid in ids:
                    mask[ranks[docid]] = 1
                least = self._length_norm(byte_to_length(header[4]), average)
                # A margin for the header's weight (a double; the block's are 32-bit floats).
                top = header[2] * _WEIGHT_MARGIN
                blocks.append(((top * k1p) / (top + least), number, ids, weights, least))
        blocks.sort(key=itemgetter(0), reverse=True)
        return blocks

    def _add_keyword_term(self, leaf: wq.Term, boost: float, mask: bytearray,
                          totals: list[float] | None) -> None:
        fieldname, text, own = leaf.fieldname, leaf.text, leaf.boost
        for number, (reader, _) in enumerate(self._segments):
            if (fieldname, text) not in reader:
                continue
            ranks = self._segment_ranks[number]
            for ids, weights, _ in _blocks(_postings(reader, fieldname, text)):
                if totals is None:
                    for docid in ids:
                        mask[ranks[docid]] = 1
                    continue
                for docid, weight in zip(ids, weights, strict=True):
                    rank = ranks[docid]
                    mask[rank] = 1
                    totals[rank] += weight * own * boost  # (weight * own) * boost, as before

    def _add_phrase(self, leaf: wq.Phrase, boost: float, mask: bytearray, totals: list[float] | None) -> None:
        fieldname = leaf.fieldname
        field = self.searcher.schema[fieldname]
        try:
            terms = [field.to_bytes(word) for word in leaf.words]
        except ValueError:
            return
        pairname = pair_field(fieldname)
        pair_field_type = self.searcher.schema[pairname]
        pairs = [pair_field_type.to_bytes(pair) for pair in pair_terms(leaf.words)]
        distinct = list(dict.fromkeys(terms))
        idfs = {term: self.searcher.idf(fieldname, term) for term in distinct} if totals is not None else {}
        norms = self._norm(fieldname) if totals is not None else None
        k1p = self.K1 + 1
        for number, (reader, _) in enumerate(self._segments):
            if any((pairname, pair) not in reader for pair in pairs):
                continue  # as Whoosh: a word (so a pair) the segment lacks, no match in it
            matches = _phrase_matches(reader, pairname, pairs)
            if not matches:
                continue
            ranks = self._segment_ranks[number]
            for docid in matches:
                mask[ranks[docid]] = 1
            if totals is None:
                continue
            segment_norms = norms[number]
            # The words' weights in the matching documents, from their postings (without positions).
            weights = {term: _weights(reader, fieldname, term, matches) for term in distinct}
            if len(terms) == 2:  # most phrases: the sum of two scores, written out
                (first, first_idf), (second, second_idf) = ((weights[term], idfs[term]) for term in terms)
                own = leaf.boost
                for docid in matches:
                    norm, one, other = segment_norms[docid], first[docid], second[docid]
                    totals[ranks[docid]] += (first_idf * ((one * k1p) / (one + norm))
                                             + second_idf * ((other * k1p) / (other + norm))) * own * boost
                continue
            for docid in matches:
                norm = segment_norms[docid]
                scores = [idfs[term] * ((weight * k1p) / (weight + norm))
                          for term in terms for weight in (weights[term][docid],)]
                # Whoosh's intersection of the words' matchers adds their scores as a binary tree.
                totals[ranks[docid]] += _tree_sum(scores) * leaf.boost * boost


def _phrase_matches(reader, pairname: str, pairs: list[bytes]) -> list[int]:
    """The ids (ascending) of the documents holding the phrase whose pair terms are ``pairs``: those
    of its one pair, or those holding every pair at consecutive positions."""
    if len(pairs) == 1:
        return [docid for ids, _, _ in _blocks(_postings(reader, pairname, pairs[0])) for docid in ids]
    postings, common = _common_postings(reader, pairname, list(dict.fromkeys(pairs)))
    return sorted(docid for docid in common
                  if _consecutive([postings[pair][docid][1] for pair in pairs]))


def _weights(reader, fieldname: str, term: bytes, docids: list[int]) -> dict[int, float]:
    """{docid: weight} of ``term`` for (at least) the documents ``docids`` (ascending), reading
    only the posting blocks that can hold them."""
    found: dict[int, float] = {}
    for ids, weights, _ in _blocks(_postings(reader, fieldname, term), wanted=docids):
        found.update(zip(ids, weights, strict=True))
    return found


Postings = dict[int, tuple[float, bytes]]


def _common_postings(reader, fieldname: str, terms: list[bytes]) -> tuple[dict[bytes, Postings], list[int]]:
    """For each term, {docid: (weight, encoded positions)}, reading the rarest term first (the
    next ones keep only the documents of those before); and the ids of the documents holding
    every term."""
    by_rarity = sorted(terms, key=lambda term: reader.doc_frequency(fieldname, term))
    found: dict[bytes, Postings] = {}
    candidates: Postings | None = None
    for term in by_rarity:
        postings: Postings = {}
        wanted = None if candidates is None else list(candidates)
        for ids, weights, values in _blocks(_postings(reader, fieldname, term), values=True, wanted=wanted):
            if candidates is None:
                postings.update(zip(ids, zip(weights, values, strict=True), strict=True))
            else:
                for docid, weight, value in zip(ids, weights, values, strict=True):
                    if docid in candidates:
                        postings[docid] = (weight, value)
        found[term] = candidates = postings
        if not postings:
            break
    return found, list(candidates or ())


def _consecutive(values: list[bytes]) -> bool:
    """Whether the words whose encoded positions are ``values`` (``PairPositions``, in the phrase's
    order, a word again for each time it is repeated) are at consecutive positions somewhere in the
    document."""
    if len(values) == 2:  # most phrases, once stop words are dropped
        first, second = decode_positions(values[0]), decode_positions(values[1])
        if len(first) == 1 and len(second) == 1:
            return second[0] - first[0] == 1
        return not set(first).isdisjoint([position - 1 for position in second])
    starts = set(decode_positions(values[0]))
    for shift, value in enumerate(values[1:], start=1):
        starts.intersection_update([position - shift for position in decode_positions(value)])
        if not starts:
            return False
    return True


def _tree_sum(scores: list[float]) -> float:
    """Sum as Whoosh's ``make_binary_tree`` of intersection matchers adds: (a + b) + (c + d)..."""
    if len(scores) <= 2:
        return scores[0] if len(scores) == 1 else scores[0] + scores[1]
    half = len(scores) // 2
    return _tree_sum(scores[:half]) + _tree_sum(scores[half:])


def _postings(reader, fieldname: str, text: bytes):
    """A term's postings in one segment, those of the documents an incremental publish deleted
    included (they land in the spare rank). For a segment with deletions Whoosh wraps the term's
    matcher in a ``FilterMatcher`` that skips them one posting at a time in Python, which would
    send every search of the largest segment, after any incremental publish, down the
    posting-at-a-time path instead of reading its blocks."""
    matcher = reader.postings(fieldname, text)
    if type(matcher) is FilterMatcher and matcher._exclude:
        return matcher.child
    return matcher


def _has_blocks(matcher) -> bool:
    """Whether ``matcher`` reads Whoosh's posting blocks (``W3LeafMatcher``), which
    :func:`_block_data` reads straight from the postings file."""
    return all(hasattr(matcher, name) for name in ("_postfile", "_startoffset", "_length", "_baseoffset",
                                                   "_byteids", "_fixedsize"))


# Each block of a ``W3LeafMatcher``'s postings: its length (a big-endian int, negative for the
# last block), the pickled header (count, last id, greatest weight, compression, least and
# greatest field length as a byte), then the (compressed) pickled (ids' deltas, weights, values).
_BLOCK_LENGTH = struct.Struct("!i")
BlockHeader = tuple[int, int, float, int, int, int]


def _block_data(matcher, wanted: list[int] | None = None) -> Iterator[tuple[BlockHeader, tuple]]:
    """The header and the unpickled data of each posting block of a ``W3LeafMatcher``
    (``_has_blocks``), read from one copy of its postings' bytes; with ``wanted`` (ids in ascending
    order), a block holding none of them is not decompressed nor unpickled.

    This is what the matcher's ``_goto`` and ``_read_data`` do for each block, without the
    matcher's own file calls in Python for every block (several per block, ~700 blocks for a
    word in 90,000 documents)."""
    length = matcher._length
    if isinstance(length, tuple):  # Whoosh's terminfo keeps it as struct.unpack gave it
        (length,) = length
    data = matcher._postfile.get(matcher._startoffset, length)
    headers = io.BytesIO(data)
    position = matcher._baseoffset - matcher._startoffset  # past the postings' magic number
    next_wanted = 0  # index in ``wanted`` of the first id past the blocks already seen
    load, loads, decompress = pickle.load, pickle.loads, zlib.decompress
    last = False
    while not last:
        (length,) = _BLOCK_LENGTH.unpack_from(data, position)
        last = length < 0
        headers.seek(position + _BLOCK_LENGTH.size)
        header = load(headers)
        body, position = headers.tell(), position + _BLOCK_LENGTH.size + abs(length)
        if wanted is not None:
            if next_wanted == len(wanted):
                return
            if wanted[next_wanted] > header[1]:
                continue
            next_wanted = bisect_right(wanted, header[1], next_wanted)
        block = data[body:position]
        yield header, loads(decompress(block) if header[3] else block)


def _block_postings(matcher, header: BlockHeader, block: tuple,
                    values: bool = False) -> tuple[Sequence[int], Sequence[float], Sequence[bytes] | None]:
    """A block's (ids, weights, values or None), decoded as Whoosh's ``W3LeafMatcher`` does
    (``_read_ids``, ``_read_weights``, ``_read_values``), but its ids' deltas added up in C
    rather than by a generator."""
    ids, weights, found = block
    count = header[0]
    if not matcher._byteids:
        ids = list(accumulate(ids))
    if weights is None or isinstance(weights, float):
        # As Whoosh: one weight for the whole block, as a 32-bit float
        weights = array("f", [1.0 if weights is None else weights]) * count
    if not values:
        return ids, weights, None
    size = matcher._fixedsize
    if size == 0:
        found = (None,) * count
    elif size is not None and size > 0:
        found = tuple(found[i:i + size] for i in range(0, len(found), size))
    return ids, weights, found


def _blocks(matcher, values: bool = False, wanted: list[int] | None = None) -> Blocks:
    """The (ids, weights, values or None) of each posting block; one posting at a time for other
    matchers (a term in one document is stored inline, without blocks). With ``wanted`` (ids in
    ascending order), a block holding none of them is skipped without being decoded."""
    if not _has_blocks(matcher):
        ids, weights, found = [], [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            if values:
                found.append(matcher.value())
            matcher.next()
        yield ids, weights, found if values else None
        return
    for header, block in _block_data(matcher, wanted):
        yield _block_postings(matcher, header, block, values)
