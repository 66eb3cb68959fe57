"""Build the Whoosh index of a release."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from whoosh import index

from ..content.loader import ContentSet
from .schema import build_schema, service_document

Progress = Callable[[int, int], None]


def write_index(content: ContentSet, directory: Path, progress: Progress | None = None,
                processes: int = 1) -> int:
    """Index every published service into a new index in ``directory``.

    One process writes one segment, which has a word graph for fast spelling
    corrections. With ``processes`` > 1 Whoosh analyses documents in worker
    processes and keeps one segment per worker: about 1.5 times faster to
    build on two cores, but corrections must then keep the first letter.
    Returns the number of documents written.
    """
    directory.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(directory), build_schema(content.translated_languages))
    services = content.published_services()
    options = {"limitmb": 256}
    if processes > 1 and len(services) >= 2000:
        options.update(procs=processes, multisegment=True)
    writer = ix.writer(**options)
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


def update_index(content: ContentSet, directory: Path, service_ids: list[str]) -> None:
    """Re-index ``service_ids`` in an existing index (removing those no longer published)."""
    ix = index.open_dir(str(directory))
    writer = ix.writer(limitmb=256)
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
