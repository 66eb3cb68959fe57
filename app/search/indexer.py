"""Build the Whoosh index of a release."""

from __future__ import annotations

import gc
import multiprocessing
import traceback
from collections.abc import Callable
from pathlib import Path

from whoosh import index
from whoosh.codec.whoosh3 import _lenfield
from whoosh.writing import SegmentWriter

from ..content.loader import ContentSet
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


class _SegmentWriter(SegmentWriter):
    """Whoosh's segment writer, reading each field's lengths once when it writes the postings
    (the same bytes as Whoosh's own ``_flush_segment``)."""

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = _FieldLengths(self.per_document_reader()) if self.codec.length_stats else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if lengths:
            lengths.close()


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
    """Re-index ``service_ids`` in an existing index (removing those no longer published)."""
    ix = index.open_dir(str(directory))
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
