"""Build the Whoosh index of a release."""

from __future__ import annotations

import gc
import multiprocessing
import traceback
from array import array
from collections.abc import Callable
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from whoosh import index
from whoosh.codec.whoosh3 import W3PostingsWriter, _lenfield
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from ..content.loader import ContentSet
from .analysis import PairPositions, encode_positions, pair_positions
from .schema import build_schema, service_document

Progress = Callable[[int, int], None]

# Below this many services one process indexes everything: starting workers would cost more than
# it saves, and a single segment keeps the word graph that corrects any letter of a word.
PARALLEL_FROM = 2000
# Memory for each writer's postings before they spill to a sorted run on disk.
LIMIT_MB = 256


class _FieldLengths:
    """A segment's per-document field lengths, each field's read once.

    Writing the postings asks for the length of the field in the posting's
    document for every posting; Whoosh looks each one up through the length
    column, which was about a fifth of indexing time."""

    def __init__(self, reader):
        self._reader = reader
        self._lengths: dict[str, list] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            reader = self._reader
            if reader.has_column(_lenfield(fieldname)):
                lengths = [reader.doc_field_length(doc, fieldname, default)
                           for doc in range(reader.doc_count_all())]
            else:  # a field without lengths (not scored): Whoosh answers the default, after a stat
                lengths = ()
            self._lengths[fieldname] = lengths
        return lengths[docnum] if lengths else default

    def close(self) -> None:
        self._reader.close()


# Bytes of memory a pair term and a pair posting take while a writer holds them (about: the
# term's key, tuple, array and list; a posting's number, list slot and growth room).
_TERM_SIZE = 320
_POSTING_SIZE = 16


class _SegmentWriter(SegmentWriter):
    """Whoosh's segment writer, writing the pair fields' postings itself and reading each field's
    lengths once when it writes the postings.

    Whoosh's writer puts every posting into a pool as a tuple, sorts them all (spilling sorted
    runs to disk past ``limitmb``) and hands them one by one to the field writer: a cost per
    posting, and the pair fields (``schema.text_fields``) have more postings than the words
    have. A pair field's postings come from one document at a time, in
    document order, so here they are kept per term as they come (document numbers in an array,
    positions encoded once and shared) and written term by term, in the field order Whoosh
    would write them: the same postings, without the pool. Should the pool hold postings of a
    pair field too (a merge of segments on commit), they join the pool and go Whoosh's way; so
    do those held past the memory the pool itself may use (``limitmb``), which the pool then
    spills to disk as it does its own."""

    def __init__(self, ix, limitmb: int = 128, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        # {pair field: {pair term: (document numbers, encoded positions)}}
        self._pairs: dict[str, dict[str, tuple[array, list[bytes]]]] = {
            name: {} for name, field in self.schema.items() if isinstance(field.format, PairPositions)}
        self._pairs_limit = limitmb * 1024 * 1024
        self._pairs_size = 0

    def add_document(self, **fields):
        docnum = self.docnum
        schema = self.schema
        found = [(name, pair_positions(schema[name].analyzer, fields.pop(name)))
                 for name in self._pairs if fields.get(name)]
        super().add_document(**fields)
        size = 0
        for name, pairs in found:
            terms = self._pairs[name]
            for text, positions in pairs.items():
                postings = terms.get(text)
                if postings is None:
                    postings = terms[text] = (array("I"), [])
                    size += _TERM_SIZE
                postings[0].append(docnum)
                postings[1].append(encode_positions(positions))
            size += _POSTING_SIZE * len(pairs)
        self._pairs_size += size
        if self._pairs_size > self._pairs_limit:
            self._pool_pairs(self._pairs)

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = _FieldLengths(self.per_document_reader()) if self.codec.length_stats else None
        pairs = {name: terms for name, terms in self._pairs.items() if terms}
        if not pairs.keys().isdisjoint(self.pool.fieldnames):
            self._pool_pairs(pairs)
            pairs = {}
        fieldwriter, schema = self.fieldwriter, self.schema
        waiting = sorted(pairs)
        for fieldname, postings in groupby(self.pool.iter_postings(), itemgetter(0)):
            while waiting and waiting[0] < fieldname:
                name = waiting.pop(0)
                _write_pairs(fieldwriter, name, schema[name], pairs[name])
            fieldwriter.add_postings(schema, lengths, postings)
        for name in waiting:
            _write_pairs(fieldwriter, name, schema[name], pairs[name])
        self.fieldwriter.close()
        if lengths:
            lengths.close()

    def _pool_pairs(self, pairs: dict[str, dict[str, tuple[array, list[bytes]]]]) -> None:
        """Move the pair postings held into Whoosh's pool."""
        add = self.pool.add
        for name, terms in pairs.items():
            for text, (docnums, values) in terms.items():
                term = text.encode("utf-8")
                for docnum, value in zip(docnums, values, strict=True):
                    add((name, term, docnum, 1.0, value))
            terms.clear()
        self._pairs_size = 0


def _write_pairs(fieldwriter, fieldname: str, field, terms: dict[str, tuple[array, list[bytes]]]) -> None:
    """Write one pair field's postings, terms in order, as ``FieldWriter.add_postings`` writes
    them from the pool (weight 1, no length: the field is not scored). With Whoosh's own postings
    writer a block's postings are set at once, as ``add_posting`` would have buffered them one by
    one; ``tests/test_publish_parallel.py`` compares the index with Whoosh's writer's."""
    fieldwriter.start_field(fieldname, field)
    postwriter = fieldwriter._postwriter
    whole_blocks = type(postwriter) is W3PostingsWriter
    limit = postwriter._blocklimit if whole_blocks else 0
    ones = array("f", [1.0]) * limit
    for text in sorted(terms):  # a str's order is its UTF-8 bytes' order
        docnums, values = terms[text]
        fieldwriter.start_term(text.encode("utf-8"))
        if whole_blocks:
            for start in range(0, len(docnums), limit):
                if start:
                    postwriter._write_block()
                postwriter._ids = docnums[start:start + limit]
                postwriter._values = values[start:start + limit]
                postwriter._weights = ones[:len(postwriter._values)]
                postwriter._maxweight = 1.0
        else:
            for docnum, value in zip(docnums, values, strict=True):
                fieldwriter.add(docnum, 1.0, value, 0)
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
