"""Search one release's Whoosh index: filters, facet counts, ordering, paging.

Facet counts are the expensive part of faceted search in Whoosh (``groupedby``
scores and groups every hit). Instead, when an index is opened we turn every
filter value's posting list into a bitset (a Python int), with bit *i*
standing for the *i*-th service in title order. Then:

- filters are bitwise AND/OR of those ints,
- a facet count is ``(candidates & value_bits).bit_count()``,
- browsing in name order reads the set bits from the low end,

all in C over a few kilobytes, whatever the number of hits. Only the query
text itself is matched, in one pass over its posting blocks (``scoring.py``)
that marks every match in a byte per rank (turned into a bitset for the facet
counts) and adds each match's score into a list by rank. A page of hits is
then picked from the allowed matches: only the scores that can make the page
(at least the page's last score, found with a heap) are sorted, so a word in
nine services of ten costs no sort of them all. A query of one word scores
only the postings that can make the page (``BlockScorer.add_best``).
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from .query import QueryBuilder, SynonymMatcher, language_names
from .request import Notice, SearchRequest
from .schema import FILTER_GROUPS, TRANSLATED_FIELD
from .scoring import BlockScorer, KeptPostings, leaves

TEXT_FIELD_PREFIX = "text_"
# A byte per rank <-> the binary digits of a bitset.
_MASK_TO_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_DIGITS_TO_MASK = bytes.maketrans(b"01", b"\x00\x01")


@dataclass
class Hit:
    id: str
    title: str
    summary: str
    score: float | None = None
    language: str = "en"  # the language of title and summary
    translation: str = "original"  # for another language: "translated", "stale" or "missing"


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    did_you_mean: str | None = None
    matched_needs: list[str] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))


class SearchEngine:
    """An open, read-only index with per-value bitsets; safe to share between threads."""

    def __init__(self, directory: str | Path, synonyms: dict[str, list[str]],
                 known_values: dict[str, Iterable[str]] | None = None,
                 translated_synonyms: dict[str, dict[str, list[str]]] | None = None):
        """``synonyms`` maps need ids to English synonyms; ``translated_synonyms`` maps a
        language to the same for that language."""
        # Without memory maps: Whoosh wraps a mapped segment file in a BytesIO, which copies it whole
        # (tens of megabytes at 100,000 services) for every searcher, so every server thread's first
        # search took 0.2 s and kept its own copy of the postings.
        self.index = FileStorage(str(directory), supports_mmap=False).open_index()
        self._local = threading.local()
        self._norms: dict[str, list[list[float]]] = {}  # BM25's length part per field, for every thread
        self._kept = KeptPostings()  # frequent words' decoded postings, for every thread
        searcher = self.index.searcher()
        try:
            self._prepare(searcher.reader())
        finally:
            searcher.close()
        english_synonyms = SynonymMatcher(synonyms)
        codes = self.bits["language"]
        self.builder = QueryBuilder(english_synonyms, language_names(codes))
        self.builders = {"en": self.builder}
        for language in self.languages[1:]:
            own = SynonymMatcher((translated_synonyms or {}).get(language, {}), language)
            self.builders[language] = QueryBuilder(english_synonyms, language_names(codes, language),
                                                   language=language, own_synonyms=own)
        self.vocabulary = {group: set(self.bits[group]) | set(map(str, (known_values or {}).get(group, ())))
                           for group in FILTER_GROUPS}

    # -- preparation -------------------------------------------------------
    @property
    def languages(self) -> list[str]:
        """English, then the languages the index has text fields for."""
        return ["en", *sorted(name.removeprefix(TEXT_FIELD_PREFIX) for name in self.index.schema.names()
                              if name.startswith(TEXT_FIELD_PREFIX))]

    def builder_for(self, language: str) -> QueryBuilder:
        """The query builder of a language; English for a language the index does not have."""
        return self.builders.get(language, self.builder)

    def _prepare(self, reader) -> None:
        docnums = list(reader.all_doc_ids())
        titles = reader.column_reader("title_sort")
        self.order = sorted(docnums, key=lambda docnum: titles[docnum])  # rank -> docnum
        self.rank_of = {docnum: rank for rank, docnum in enumerate(self.order)}
        self.size = len(self.order)
        # Documents an incremental publish deleted (still in the postings) get the spare rank.
        self.rank_by_docnum = [self.size] * reader.doc_count_all()
        for rank, docnum in enumerate(self.order):
            self.rank_by_docnum[docnum] = rank
        self.nbytes = (self.size + 63) // 64 * 8
        self.all_bits = (1 << self.size) - 1
        # Browsing in another language lists services by the title shown in it: each language's
        # order, as English ranks (the bitsets stay in English order).
        self.order_in: dict[str, list[int]] = {}
        for field_name in reader.schema.names():
            if field_name.startswith("title_sort_"):
                titles_in = reader.column_reader(field_name)
                self.order_in[field_name.removeprefix("title_sort_")] = [
                    self.rank_of[docnum] for docnum in sorted(docnums, key=lambda docnum: titles_in[docnum])]
        self.bits: dict[str, dict[str, int]] = {}
        groups = [*FILTER_GROUPS, *([TRANSLATED_FIELD] if TRANSLATED_FIELD in reader.schema else [])]
        for group in groups:
            self.bits[group] = {}
            for value in reader.lexicon(group):
                text = value.decode("utf-8") if isinstance(value, bytes) else value
                self.bits[group][text] = self._bits_for(reader.postings(group, value).all_ids())

    def _bits_for(self, docnums: Iterable[int]) -> int:
        buffer = bytearray(self.nbytes)
        rank_of = self.rank_of
        for docnum in docnums:
            rank = rank_of.get(docnum)
            if rank is not None:  # None: deleted by an incremental publish, still in postings
                buffer[rank >> 3] |= 1 << (rank & 7)
        return int.from_bytes(buffer, "little")

    def _ranks(self, bits: int, skip: int = 0, limit: int | None = None) -> list[int]:
        """Positions of set bits in ascending order, after skipping ``skip`` of them."""
        data = memoryview(bits.to_bytes(self.nbytes, "little")).cast("Q")
        found: list[int] = []
        for index, word in enumerate(data):
            if not word:
                continue
            count = word.bit_count()
            if skip >= count:
                skip -= count
                continue
            base = index * 64
            while word:
                low = word & -word
                if skip:
                    skip -= 1
                else:
                    found.append(base + low.bit_length() - 1)
                    if limit is not None and len(found) >= limit:
                        return found
                word ^= low
        return found

    def searcher(self):
        """This thread's searcher (Whoosh searchers are not shared between threads)."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self.index.searcher()
        return searcher

    def close(self) -> None:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
        self.index.close()

    # -- searching ---------------------------------------------------------
    def _group_bits(self, group: str, values: Iterable[str]) -> int:
        bits = 0
        for value in values:
            bits |= self.bits[group].get(value, 0)
        return bits

    def search(self, request: SearchRequest) -> SearchResult:
        searcher = self.searcher()
        language = request.language if request.language in self.builders else "en"
        parsed = self.builder_for(language).build(request.text, searcher) if not request.is_browse else None
        query = parsed.query if parsed else None
        selected = {group: self._group_bits(group, values) for group, values in request.filters.items()}
        allowed = self.all_bits
        for bits in selected.values():
            allowed &= bits

        totals = None
        contenders = None  # when pruned: the allowed matches that may make the page
        start = (request.page - 1) * request.per_page
        if parsed and query is None:
            matched = 0  # only stop words or punctuation: nothing to match
        elif query is None:
            matched = self.all_bits
        elif request.sort != "name" and parsed.own_query is None:
            mask, totals, contenders = self._accumulate_best(searcher, query, start + request.per_page,
                                                             allowed if selected else None)
            matched = self._bits_of_mask(mask)
        else:
            mask, totals = self._accumulate(searcher, query, scored=request.sort != "name")
            matched = self._bits_of_mask(mask)
        final = matched & allowed

        facets = {}
        for group in FILTER_GROUPS:
            candidates = matched
            for other, bits in selected.items():
                if other != group:
                    candidates &= bits
            facets[group] = {value: (candidates & bits).bit_count()
                             for value, bits in sorted(self.bits[group].items())}
            for value in self.vocabulary[group]:
                facets[group].setdefault(value, 0)

        total = final.bit_count()
        hits: list[Hit] = []
        if start < total:
            if (query is None or request.sort == "name") and language in self.order_in:
                chosen = set(self._ranks(final))
                ranks = [rank for rank in self.order_in[language] if rank in chosen]
                ranks = ranks[start:start + request.per_page]
                hits = [self._hit(searcher, self.order[rank], language=language) for rank in ranks]
            elif query is None or request.sort == "name":
                ranks = self._ranks(final, skip=start, limit=request.per_page)
                hits = [self._hit(searcher, self.order[rank], language=language) for rank in ranks]
            else:
                if contenders is not None:  # put in title order first: the stable sort keeps ties so
                    ranks = sorted(sorted(contenders), key=totals.__getitem__, reverse=True)
                    ranks = ranks[start:start + request.per_page]
                else:
                    groups = [final]
                    if parsed.own_query is not None:
                        groups = self._language_groups(searcher, parsed.own_query, language, final,
                                                       parsed.needs)
                    ranks = self._best(totals, groups, start + request.per_page)[start:]
                hits = [self._hit(searcher, self.order[rank], totals[rank], language) for rank in ranks]

        notices = list(request.notices)
        if request.page > 1 and start >= total and total:
            notices.append(Notice("page_out_of_range", {"pages": -(-total // request.per_page)}))
        return SearchResult(request=request, total=total, hits=hits, facets=facets,
                            did_you_mean=parsed.did_you_mean if parsed else None,
                            matched_needs=parsed.needs if parsed else [], notices=notices)

    def _accumulate(self, searcher, query, scored: bool = True) -> tuple[bytearray, list[float] | None]:
        """Every document the query matches, as a byte per rank (1: matched), and, when
        ``scored``, each one's score by rank. Both have a spare slot past the last rank, where
        postings of documents an incremental publish deleted land."""
        mask = bytearray(self.size + 1)
        totals = [0.0] * (self.size + 1) if scored else None
        block_scorer = self._block_scorer(searcher)
        rank_of = self.rank_of
        context = None
        for leaf_query, boost in leaves(query):
            if block_scorer.can_score(leaf_query):
                block_scorer.add(leaf_query, boost, mask, totals)
                continue
            context = context or searcher.context()
            for leaf, offset in searcher.leaf_searchers():
                matcher = leaf_query.matcher(leaf, context)
                while matcher.is_active():
                    rank = rank_of.get(matcher.id() + offset)
                    if rank is not None:  # None: deleted by an incremental publish
                        mask[rank] = 1
                        if totals is not None:
                            totals[rank] += matcher.score() * boost
                    matcher.next()
        return mask, totals

    def _accumulate_best(self, searcher, query, count: int,
                         allowed: int | None) -> tuple[bytearray, list[float], list[int] | None]:
        """As :meth:`_accumulate`, scored; and, for a query of one text term, only the postings
        that can be among the ``count`` best allowed matches are scored (``allowed``: a bitset,
        None for every rank): then also the ranks of the allowed matches that may be among them
        (see :meth:`BlockScorer.add_best`), else None."""
        parts = list(leaves(query))
        block_scorer = self._block_scorer(searcher)
        if len(parts) != 1 or not block_scorer.can_prune(parts[0][0]):
            return *self._accumulate(searcher, query), None
        (leaf, boost), = parts
        mask = bytearray(self.size + 1)
        totals = [0.0] * (self.size + 1)
        allowed_mask = None if allowed is None else self._mask_of_bits(allowed).ljust(self.size + 1, b"\0")
        contenders = block_scorer.add_best(leaf, boost, mask, totals, count, allowed_mask)
        return mask, totals, contenders

    def _bits_of_mask(self, mask: bytearray) -> int:
        """A byte per rank (0 or 1) as a bitset."""
        if not self.size:
            return 0
        return int(mask[self.size - 1::-1].translate(_MASK_TO_DIGITS), 2)

    def _mask_of_bits(self, bits: int) -> bytes:
        """A bitset as a byte per rank (0 or 1), as long as its highest set bit."""
        return bin(bits)[:1:-1].encode("ascii").translate(_DIGITS_TO_MASK) if bits else b""

    def _best(self, totals: list[float], groups: list[int], count: int) -> list[int]:
        """The ranks of the ``count`` best scores, best first, ties in title order; the
        documents of the first bitset of ``groups`` before those of the second, and so on."""
        chosen: list[int] = []
        for bits in groups:
            wanted = count - len(chosen)
            if wanted <= 0:
                break
            if bits.bit_count() * 32 < self.size:  # a few: walk their bits
                candidates = self._ranks(bits)
            else:  # many: pick them out of every rank in C
                candidates = list(compress(range(self.size), self._mask_of_bits(bits)))
            if len(candidates) > wanted:
                values = list(map(totals.__getitem__, candidates))
                # Only what can make the cut is sorted: every score at least the wanted-th best.
                threshold = heapq.nlargest(wanted, values)[-1]
                candidates = list(compress(candidates, map(threshold.__le__, values)))
            # A stable sort, so equal scores keep title order.
            chosen += sorted(candidates, key=totals.__getitem__, reverse=True)[:wanted]
        return chosen

    def _match(self, searcher, query, score_bits: int) -> tuple[int, list[tuple[float, int]]]:
        """Every document the query matches, as bits; and, best first (ties in title order), the
        scores of those that are also in ``score_bits``."""
        mask, totals = self._accumulate(searcher, query, scored=bool(score_bits))
        matched = self._bits_of_mask(mask)
        if not score_bits:
            return matched, []
        ranks = self._best(totals, [matched & score_bits], self.size)
        return matched, [(totals[rank], self.order[rank]) for rank in ranks]

    def _block_scorer(self, searcher) -> BlockScorer:
        """This thread's block scorer (over this thread's searcher; the field lengths' part of BM25
        is computed once for all threads)."""
        scorer = getattr(self._local, "block_scorer", None)
        if scorer is None or scorer.searcher is not searcher:
            scorer = self._local.block_scorer = BlockScorer(searcher, self.rank_by_docnum, self._norms,
                                                            self._kept)
        return scorer

    def _language_groups(self, searcher, own_query, language: str, final: int,
                         needs: Iterable[str] = ()) -> list[int]:
        """The matches in the order their groups are listed: services translated into the
        reader's language whose translation matched first; the rest (matched in English only)
        after them, each part in score order.

        When the query names a need (``needs``: by its label or a synonym, in any language), that
        need's services come before all others, as its boosted synonym puts them in English: a
        translated service that merely shares a word ("school") must not push them down."""
        translated = self.bits.get(TRANSLATED_FIELD, {}).get(language, 0)
        if not translated:
            return [final]
        own_mask, _ = self._accumulate(searcher, own_query, scored=False)
        first = self._bits_of_mask(own_mask) & translated
        named = self._group_bits("need", needs)
        return [final & named & first, final & named & ~first, final & ~named & first,
                final & ~named & ~first]

    def matching_ids(self, text: str) -> set[str]:
        """Ids of every service the words match (for feeds that filter by words, in their own order)."""
        searcher = self.searcher()
        parsed = self.builder.build(text, searcher)
        if parsed.query is None:
            return set()
        matched, _ = self._match(searcher, parsed.query, 0)
        ids = self._ids_by_rank(searcher)
        return {ids[rank] for rank in self._ranks(matched)}

    def _ids_by_rank(self, searcher) -> list[str]:
        # Built on first use: only feeds need it, and it reads every stored document once.
        ids = getattr(self, "_ids", None)
        if ids is None:
            ids = self._ids = [searcher.stored_fields(docnum)["id"] for docnum in self.order]
        return ids

    def _hit(self, searcher, docnum: int, score: float | None = None, language: str = "en") -> Hit:
        stored = searcher.stored_fields(docnum)
        result = stored.get("result", {})
        hit = Hit(id=stored["id"], title=result.get("title", ""), summary=result.get("summary", ""),
                  score=score)
        if language != "en":
            translated = result.get("translations", {}).get(language)
            if translated:
                hit.title, hit.summary, hit.language = translated["title"], translated["summary"], language
                hit.translation = "stale" if translated.get("stale") else "translated"
            else:
                hit.translation = "missing"
        return hit

