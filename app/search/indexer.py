"""Build the Whoosh index of a release."""

from __future__ import annotations

import gc
import multiprocessing
import traceback
from array import array
from collections.abc import Callable
from itertools import chain, groupby
from operator import itemgetter, sub
from pathlib import Path

from whoosh import index
from whoosh.codec.whoosh3 import W3PostingsWriter, _lenfield
from whoosh.fields import FieldType
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Frequency
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

from ..content.loader import ContentSet
from .analysis import (
    PairPositions,
    encode_position,
    encode_positions,
    index_words,
    makes_index_words,
    pair_positions,
    pairs_of_shared_words,
    word_pairs,
)
from .schema import build_schema, service_document

Progress = Callable[[int, int], None]

# Below this many services one process indexes everything: starting workers would cost more than
# it saves, and a single segment keeps the word graph that corrects any letter of a word.
PARALLEL_FROM = 2000
# Memory for Whoosh's posting pool (a merge of segments, postings held past HELD_MB) before it
# spills to a sorted run on disk, shared by the writers of one build.
LIMIT_MB = 256


class _FieldLengths:
    """A segment's per-document field lengths, each field's read once.

    Writing the postings asks for the length of the field in the posting's
    document for every posting; Whoosh looks each one up through the length
    column, which was about a fifth of indexing time."""

    def __init__(self, reader):
        self._reader = reader
        self._lengths: dict[str, list] = {}

    def field_lengths(self, fieldname: str) -> list[int] | tuple[()]:
        """Each document's length of ``fieldname`` as Whoosh reads it back, or () for none."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            reader = self._reader
            if reader.has_column(_lenfield(fieldname)):
                lengths = [reader.doc_field_length(doc, fieldname, 0)
                           for doc in range(reader.doc_count_all())]
            else:  # a field without lengths (not scored): Whoosh answers the default, after a stat
                lengths = ()
            self._lengths[fieldname] = lengths
        return lengths

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        lengths = self.field_lengths(fieldname)
        return lengths[docnum] if lengths else default

    def close(self) -> None:
        self._reader.close()


# Bytes of memory a term and a posting take while a writer holds them (about: the term's key, list,
# arrays and dict slot; a posting's document number, weight and value, and the arrays' growth room).
_TERM_SIZE = 400
_POSTING_SIZE = 16
# Memory for the postings each writer holds (per process) before they go to Whoosh's pool instead.
HELD_MB = 256

# Values of a field whose postings a writer remembers (_SegmentWriter._indexed).
_KNOWN_VALUES = 2048
# How a field's postings are made and kept (_SegmentWriter._hold).
_FREQUENCY, _PAIRS, _FIXED, _POOLED = "frequency", "pairs", "fixed", "pooled"
# pack_uint(frequency), made once for the usual frequencies (a value a posting of a word).
_FREQUENCIES = [pack_uint(frequency) for frequency in range(256)]


def _frequency_bytes(frequency: int) -> bytes:
    return _FREQUENCIES[frequency] if frequency < 256 else pack_uint(frequency)


class _SegmentWriter(SegmentWriter):
    """Whoosh's segment writer, writing the postings of a new segment itself and reading each
    field's lengths once when it writes them.

    Whoosh's writer puts every posting into a pool as a tuple, sorts them all (spilling sorted
    runs to disk past ``limitmb``) and hands them one by one to the field writer: a cost per
    posting, and a segment of 5,000 services has over a million. The postings of a new segment
    come one document at a time, in document order, so here they are kept per field and term as
    they come (document numbers and weights in arrays, values as the postings format encodes
    them) and written term by term, a posting block at a time, in the order Whoosh would write
    them: the same postings, without the pool. The text fields' words and the pair fields' pairs
    come from one analysis of the text (``analysis.index_words``), with no token stream.

    Should the pool hold postings of a field too (a merge of segments on commit), that field's
    postings join the pool and go Whoosh's way; so do all those held past ``held_mb`` of memory
    (the pool then spills them to disk as it does its own). A field of another kind (a postings
    format with values of varying size other than the pair fields') always goes through the pool."""

    def __init__(self, ix, limitmb: int = 128, held_mb: int = HELD_MB, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        # {field: {term: [document numbers, weights (None: all 1), values]}}: the values a bytearray
        # of values of the format's one size, or a list (the pair fields'); a term is a str for the
        # kinds made here, bytes for those Whoosh's field makes (_FIXED).
        self._held: dict[str, dict] = {}
        self._kinds: dict[str, str] = {}
        self._known: dict[str, dict[str, list]] = {}
        self._separate_spelling: dict[str, bool] = {}
        self._held_limit = held_mb * 1024 * 1024
        self._held_size = 0

    def _kind(self, field) -> str:
        format_ = field.format
        if isinstance(format_, PairPositions):
            return _PAIRS
        if (type(format_) is Frequency and type(field).index is FieldType.index
                and makes_index_words(field.analyzer)):
            return _FREQUENCY
        return _FIXED if format_.fixed_value_size() is not None else _POOLED

    def add_document(self, **fields):
        # Whoosh's SegmentWriter.add_document, but with the postings kept by _hold, not pooled.
        self._check_state()
        perdocwriter, schema, docnum = self.perdocwriter, self.schema, self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        plain = len(fieldnames) == len(fields)  # no boosts or stored values given apart
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    boost = docboost if plain else self._field_boost(fields, fieldname, docboost)
                    length = self._hold(fieldname, field, value, boost)
                separate_spelling = self._separate_spelling.get(fieldname)
                if separate_spelling is None:  # asked once: it walks the analyzer
                    separate_spelling = self._separate_spelling[fieldname] = field.separate_spelling()
                if separate_spelling:
                    spellfield = field.spelling_fieldname(fieldname)
                    for word in field.spellable_words(value):
                        self.pool.add((spellfield, word.encode("utf-8"), 0, 1, None))
                if field.vector:
                    items = sorted((text, weight, vbytes) for text, _, weight, vbytes in
                                   field.vector.word_values(value, field.analyzer, mode="index"))
                    perdocwriter.add_vector_items(fieldname, field, items)
                stored = value if plain else fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                if field.column_type and stored is not None:
                    perdocwriter.add_column_value(fieldname, field.column_type, field.to_column_value(stored))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
        if self._held_size > self._held_limit:
            self._pool_held(self._held)

    def _hold(self, fieldname: str, field, value, boost: float) -> int:
        """Keep one document's postings of one field; return the field's length in it."""
        kind = self._kinds.get(fieldname)
        if kind is None:
            kind = self._kinds[fieldname] = self._kind(field)
        if kind == _FREQUENCY and not isinstance(value, str):
            kind = _FIXED
        if kind == _POOLED:
            length, add = 0, self.pool.add
            for term, frequency, weight, vbytes in field.index(value):
                add((fieldname, term, self.docnum, weight * boost, vbytes))
                length += frequency
            return length if field.scorable else 0
        terms = self._held.get(fieldname)
        if terms is None:
            terms = self._held[fieldname] = {}
        docnum, size, length = self.docnum, 0, 0
        shared = pairs_of_shared_words(field.analyzer) if kind == _PAIRS else None
        if shared is not None:
            # The pairs straight from the shared words (what pair_positions makes of them), a pair
            # found again in the document adding its position to the document's posting.
            count = 0
            for pair, at in word_pairs(shared.words(value)):
                postings = terms.get(pair)
                if postings is None:
                    postings = terms[pair] = [array("I"), None, []]
                    size += _TERM_SIZE
                docnums = postings[0]
                if docnums and docnums[-1] == docnum:
                    postings[2][-1] += encode_position(at)
                else:
                    docnums.append(docnum)
                    postings[2].append(encode_position(at))
                    count += 1
        elif kind == _PAIRS:
            found = pair_positions(field.analyzer, value)
            for text, positions in found.items():
                postings = terms.get(text)
                if postings is None:
                    postings = terms[text] = [array("I"), None, []]
                    size += _TERM_SIZE
                postings[0].append(docnum)
                postings[2].append(encode_positions(positions))
            count = len(found)
        elif kind == _FREQUENCY:
            # What Frequency.word_values makes of the words: a count and the sum of their boosts.
            frequencies: dict[str, int] = {}
            weights: dict[str, float] = {}
            for text, _, word_boost in index_words(field.analyzer, value, boosts=True):
                frequencies[text] = frequencies.get(text, 0) + 1
                weights[text] = weights.get(text, 0.0) + word_boost
            field_boost = field.format.field_boost
            for text, frequency in frequencies.items():
                postings = terms.get(text)
                if postings is None:
                    postings = terms[text] = [array("I"), array("f"), bytearray()]
                    size += _TERM_SIZE
                postings[0].append(docnum)
                postings[1].append(weights[text] * field_boost * boost)
                postings[2] += _frequency_bytes(frequency)
                length += frequency
            count = len(frequencies)
        else:  # _FIXED: Whoosh's field makes the postings; their values have one size
            count = 0
            for term, frequency, weight, vbytes in self._indexed(fieldname, field, value):
                postings = terms.get(term)
                if postings is None:
                    postings = terms[term] = [array("I"), array("f"), bytearray()]
                    size += _TERM_SIZE
                postings[0].append(docnum)
                postings[1].append(weight * boost)
                postings[2] += vbytes or b""
                length += frequency
                count += 1
        self._held_size += size + _POSTING_SIZE * count
        return length if field.scorable else 0

    def _indexed(self, fieldname: str, field, value) -> list[tuple[bytes, int, float, bytes]]:
        """``field.index(value)``, remembered for the field's recent values: the filter fields (need,
        age, hub...) hold a few values that thousands of documents repeat."""
        if not isinstance(value, str):
            return list(field.index(value))
        known = self._known.get(fieldname)
        if known is None:
            known = self._known[fieldname] = {}
        found = known.get(value)
        if found is None:
            if len(known) >= _KNOWN_VALUES:  # a field of unique values (id): no use keeping them
                known.clear()
            found = known[value] = list(field.index(value))
        return found

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = _FieldLengths(self.per_document_reader()) if self.codec.length_stats else None
        held = {name: terms for name, terms in self._held.items() if terms}
        merged = held.keys() & self.pool.fieldnames
        if merged:  # the pool has postings of these fields too (a merge, or held past the limit)
            self._pool_held({name: held.pop(name) for name in merged})
        fieldwriter, schema = self.fieldwriter, self.schema
        waiting = sorted(held)
        for fieldname, postings in groupby(self.pool.iter_postings(), itemgetter(0)):
            while waiting and waiting[0] < fieldname:
                name = waiting.pop(0)
                _write_postings(fieldwriter, name, schema[name], held[name], lengths)
            fieldwriter.add_postings(schema, lengths, postings)
        for name in waiting:
            _write_postings(fieldwriter, name, schema[name], held[name], lengths)
        self.fieldwriter.close()
        if lengths:
            lengths.close()

    def _pool_held(self, held: dict[str, dict]) -> None:
        """Move the postings held (of the fields in ``held``) into Whoosh's pool."""
        add = self.pool.add
        for name, terms in held.items():
            size = self.schema[name].format.fixed_value_size()
            for term, (docnums, weights, values) in terms.items():
                btext = term.encode("utf-8") if isinstance(term, str) else term
                for at, docnum in enumerate(docnums):
                    add((name, btext, docnum, *_held_posting(weights, values, at, size)))
            terms.clear()
        self._held_size = 0


def _held_posting(weights, values, at: int, size: int | None) -> tuple[float, bytes]:
    """The weight and value of the ``at``-th posting a term holds (``_SegmentWriter._hold``): no
    weights means 1.0 each; values are one ``bytes`` a posting, or ``size`` bytes each in one run."""
    value = values[at] if size is None else bytes(values[at * size:(at + 1) * size])
    return 1.0 if weights is None else weights[at], value


class _BlockWriter(W3PostingsWriter):
    """Whoosh's postings writer, making a block's ids and weights the same with C loops instead of
    a generator a posting (``delta_encode``, ``all(...)``): given to the postings written by
    :func:`_write_postings`, which fills whole blocks."""

    def _mini_ids(self):
        ids = self._ids
        return tuple(map(sub, ids, chain((0,), ids)))  # delta_encode: each id less the one before

    def _mini_weights(self):
        weights = self._weights
        if weights.count(1.0) == len(weights):
            return None
        if weights.count(weights[0]) == len(weights):
            return weights[0]
        return tuple(weights)


def _write_postings(fieldwriter, fieldname: str, field, terms: dict, lengths: _FieldLengths | None) -> None:
    """Write one field's held postings, terms in order, as ``FieldWriter.add_postings`` writes them
    from the pool. With Whoosh's own postings writer a block's postings, with the block's
    statistics, are set at once, as ``add_posting`` would have gathered them one by one;
    ``tests/test_publish_parallel.py`` compares the index with Whoosh's writer's."""
    fieldwriter.start_field(fieldname, field)
    postwriter = fieldwriter._postwriter
    whole_blocks = type(postwriter) is W3PostingsWriter
    if whole_blocks:
        postwriter.__class__ = _BlockWriter  # the same writer and state, two methods cheaper
    field_lengths = lengths.field_lengths(fieldname) if lengths else ()
    size = field.format.fixed_value_size()
    limit = postwriter._blocklimit if whole_blocks else 0
    ones = array("f", [1.0]) * limit
    for term in sorted(terms):  # a str's order is its UTF-8 bytes' order
        docnums, weights, values = terms[term]
        fieldwriter.start_term(term.encode("utf-8") if isinstance(term, str) else term)
        if not whole_blocks:  # another codec's postings writer: a posting at a time
            for at, docnum in enumerate(docnums):
                fieldwriter.add(docnum, *_held_posting(weights, values, at, size),
                                field_lengths[docnum] if field_lengths else 0)
            fieldwriter.finish_term()
            continue
        for start in range(0, len(docnums), limit):
            end = start + limit
            ids = docnums[start:end]
            block_weights = ones[:len(ids)] if weights is None else weights[start:end]
            if size is None:
                block_values = values[start:end]
            else:
                block_values = [bytes(values[start * size:end * size])] if size else []
            if start:
                postwriter._write_block()
            postwriter._ids, postwriter._weights, postwriter._values = ids, block_weights, block_values
            # Of the weights as the block keeps them (32-bit); Whoosh's writer takes the maximum of
            # the unrounded ones, the same for our boosts (sums of halves).
            postwriter._maxweight = max(0, max(block_weights))
            if field_lengths:
                block_lengths = [length for length in map(field_lengths.__getitem__, ids) if length]
                if block_lengths:
                    postwriter._minlength, postwriter._maxlength = min(block_lengths), max(block_lengths)
        fieldwriter.finish_term()
    fieldwriter.finish_field()


def write_index(content: ContentSet, directory: Path, progress: Progress | None = None,
                processes: int = 1, meanwhile: Callable[[], None] | None = None) -> int:
    """Index every published service into a new index in ``directory``.

    One process writes one segment, which has a word graph for fast spelling
    corrections. With ``processes`` > 1 (and at least ``PARALLEL_FROM``
    services) that many forked workers each index a consecutive share of the
    services into a segment of its own, so documents keep the order one
    process gives them; corrections must then keep the first letter.
    ``meanwhile`` is other work (the release's database) done in this process
    while the workers index, or before indexing when there are none.
    Returns the number of documents written.
    """
    directory.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(directory), build_schema(content.translated_languages))
    services = content.published_services()
    if processes > 1 and len(services) >= PARALLEL_FROM:
        _index_in_workers(ix, services, content, processes, progress, meanwhile)
        return len(services)
    if meanwhile:
        meanwhile()
    writer = _SegmentWriter(ix, limitmb=LIMIT_MB)
    try:
        for count, service in enumerate(services, start=1):
            writer.add_document(**service_document(service, content))
            if progress and (count % 500 == 0 or count == len(services)):
                progress(count, len(services))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return len(services)


def _index_in_workers(ix, services, content: ContentSet, processes: int, progress: Progress | None,
                      meanwhile: Callable[[], None] | None) -> None:
    # Forked workers read the loaded content where it is (nothing is pickled to them) and send
    # back only their finished segment; this process writes the table of contents, segments in
    # the services' order. Freezing the heap first keeps the collector, in the workers and here,
    # from walking (and so copying) every loaded entry again.
    context = multiprocessing.get_context("fork")
    writer = _SegmentWriter(ix, limitmb=LIMIT_MB)  # holds the lock; its own segment stays empty
    size = -(-len(services) // processes)
    shares = [services[start:start + size] for start in range(0, len(services), size)]
    workers = []
    gc.freeze()
    try:
        for share in shares:
            receiver, sender = context.Pipe(duplex=False)
            worker = context.Process(target=_write_segment, args=(ix, share, content, LIMIT_MB // len(shares),
                                                                  sender), daemon=True)
            worker.start()
            sender.close()
            workers.append((worker, receiver))
        if meanwhile:
            meanwhile()
        segments, done = [], 0
        for (worker, receiver), share in zip(workers, shares, strict=True):
            try:
                outcome, value = receiver.recv()
            except EOFError:
                outcome, value = "error", f"an indexing worker stopped (exit code {worker.exitcode})"
            worker.join()
            if outcome == "error":
                raise RuntimeError(f"indexing failed: {value}")
            segments.append(value)
            done += len(share)
            if progress:
                progress(done, len(services))
        writer._close_segment()
        writer._commit_toc(segments)
        writer._finish()
    except BaseException:
        for worker, _ in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()
        if not writer.is_closed:
            writer.cancel()
        raise
    finally:
        gc.unfreeze()


def _write_segment(ix, services, content: ContentSet, limitmb: int, sender) -> None:
    """In a worker: index ``services`` into a new segment and send it back (or the error)."""
    try:
        writer = _SegmentWriter(ix, _lk=False, limitmb=limitmb)
        for service in services:
            writer.add_document(**service_document(service, content))
        # The temporary folder is shared with the other writers: this process's writer removes it.
        sender.send(("segment", writer._finalize_segment()))
    except BaseException:
        sender.send(("error", traceback.format_exc()))
    finally:
        sender.close()


def update_index(content: ContentSet, directory: Path, service_ids: list[str]) -> None:
    """Re-index ``service_ids`` in an existing index (removing those no longer published).

    The index is opened without memory maps: deleting the old documents looks their ids up in
    every segment, and Whoosh opens the term table and postings of a segment it has mapped into
    memory by copying them whole (about 75 MB a segment at 100,000 services: a quarter of a second
    for the two segments of a full build), where an open file is read just where a lookup lands."""
    ix = FileStorage(str(directory), supports_mmap=False).open_index()
    writer = _SegmentWriter(ix, limitmb=LIMIT_MB)
    try:
        for service_id in service_ids:
            writer.delete_by_term("id", service_id)
            service = content.services.get(service_id)
            if service is not None and service.status == "published":
                writer.add_document(**service_document(service, content))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
