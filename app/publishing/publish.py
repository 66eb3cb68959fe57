"""Publish: check the content, build a release, switch to it.

A publish either completes and switches ``current``, or changes nothing the
site serves: the release is built in a folder of its own, and a failure at
any point (bad entry, exception, the process killed) leaves the live release
as it was. Publishes are serialised by a lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import marshal
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..content import ContentSet, load_content
from ..content.entry_cache import CACHE_FOLDER, write_atomically
from ..content.translations import TRANSLATION_FILE
from ..release.schema import CHANGES_FILE, DATABASE_FILE, ENTRIES_FILE, SCHEMA_VERSION, WHOOSH_FOLDER
from ..search.indexer import update_index, write_index
from .database import changed_count, merge_changes, record_changes, replace_services, write_database
from .releases import MANIFEST, Release, ReleaseStore

KEEP_RELEASES = 5
# The live release's entries.json decoded, in the entry cache's folder (see `_read_entries`).
DECODED_ENTRIES = "release-entries.marshal"
# A publish that changes at most this many services (and nothing else) copies
# the live release and rewrites just those; more, and it rebuilds everything.
INCREMENTAL_LIMIT = 200
# An incremental release keeps the services changed since the last full copy of the database in
# changes.db, read through views; past this many, the database is copied with the changes applied.
CHANGES_LIMIT = 1000

Reporter = Callable[[str], None]

# A publish may drop at most this share of the live services unless told to: a missing or
# half-copied services folder must not quietly replace the live directory with an empty one.
DEFAULT_MAX_SHRINK = 0.5


class ShrinkRefused(Exception):
    """The publish would drop more of the live services than allowed; nothing was changed."""

    def __init__(self, live: int, new: int, max_shrink: float):
        self.live, self.new, self.max_shrink = live, new, max_shrink
        dropped = live - new
        loss = ("every service would disappear" if new == 0 else
                f"{dropped} ({dropped / live:.0%}) would disappear, more than the {max_shrink:.0%} allowed")
        super().__init__(
            f"this would publish {new} services where {live} are live: {loss}. Check that the content "
            "folder is complete; if the drop is meant, publish with 'earlyhelp publish --allow-shrink'")


def check_shrink(live: int, new: int, max_shrink: float = DEFAULT_MAX_SHRINK) -> None:
    """Raise :class:`ShrinkRefused` when going from ``live`` to ``new`` published services drops all
    of them or more than ``max_shrink`` (a share, 0 to 1) of them."""
    if live > 0 and new < live and (new == 0 or (live - new) / live > max_shrink):
        raise ShrinkRefused(live, new, max_shrink)


@dataclass
class PublishResult:
    release_id: str
    content: ContentSet
    manifest: dict
    seconds: float
    pruned: list[str]


def _new_release_id(store: ReleaseStore, fingerprint: str) -> str:
    # Ids sort in publishing order: UTC time to the millisecond, then the content.
    now = dt.datetime.now(dt.UTC)
    stamp = f"{now:%Y%m%d-%H%M%S}-{now.microsecond // 1000:03d}"
    release_id = f"{stamp}-{fingerprint[:8]}"
    suffix = 1
    while store.path_of(release_id).exists():
        suffix += 1
        release_id = f"{stamp}-{fingerprint[:8]}-{suffix}"
    return release_id


def publish(content_dir: str | Path, index_dir: str | Path, *, report: Reporter | None = None,
            processes: int = 1, keep: int = KEEP_RELEASES, today: dt.date | None = None,
            incremental: bool = True, allow_shrink: bool = False,
            max_shrink: float = DEFAULT_MAX_SHRINK, compact: bool = False) -> PublishResult:
    """Check ``content_dir`` and make a new live release under ``index_dir``.

    When only a few service files changed since the live release, the new
    release is a copy of it with those services rewritten; ``incremental=False``
    always rebuilds from scratch. An incremental release shares the live
    ``directory.db`` and keeps its changed services in ``changes.db``;
    ``compact`` (or more than ``CHANGES_LIMIT`` of them) copies the database
    with every change applied instead: a copy costs seconds at 100,000
    services, and a database without ``changes.db`` answers the queries that
    scan many services faster.

    Raises :class:`~app.content.ContentError` (listing every error) when the
    content does not pass the check, and :class:`ShrinkRefused` when it would
    drop more than ``max_shrink`` of the live services (see :func:`check_shrink`)
    unless ``allow_shrink``; nothing is changed then.
    """
    report = report or (lambda message: None)
    store = ReleaseStore(index_dir)
    started = time.monotonic()
    with store.lock(), _content_kept_from_the_collector():
        # With processes > 1 the files the entry cache lacks (all of them, cold) are parsed in workers.
        content = load_content(content_dir, today=today, cache_dir=store.root / CACHE_FOLDER,
                               processes=processes)
        gc.freeze()
        content.raise_for_errors()
        release_id = _new_release_id(store, content.fingerprint)
        previous = store.current()
        # Read once: at 100,000 services each pass over them costs a tenth of a second.
        published = content.published_service_ids()
        if previous is not None and not allow_shrink:
            live = previous.counts.get("services", 0)
            check_shrink(live, len(published), max_shrink)
        live_entries = differing = None
        if previous is None:
            changed, full_reason = None, "first release"
        elif not incremental:
            changed, full_reason = None, "full rebuild asked for"
        elif (live_entries := release_entries(previous, store.root / CACHE_FOLDER / DECODED_ENTRIES)) is None:
            changed, full_reason = None, "the live release has another layout"
        else:
            # Items compared as sets, once: at 100,000 files a lookup per file in Python costs a
            # quarter second, and so would a second comparison for the manifest's differences.
            differing = sorted({path for path, _ in live_entries.items()
                                ^ content.entry_fingerprints.items()})
            changed, full_reason = changed_services(differing)
        build = store.start_build(release_id)
        try:
            if changed is not None:
                report(f"Building release {release_id}: updating {len(changed)} changed services")
                _update_database(previous.path, build, changed, content, 0 if compact else CHANGES_LIMIT)
                # Whoosh never rewrites a file (deletions live in the new table of contents),
                # so the new release shares the live one's segment files instead of copying them.
                shutil.copytree(previous.path / WHOOSH_FOLDER, build / WHOOSH_FOLDER, copy_function=os.link)
                update_index(content, build / WHOOSH_FOLDER, changed)
            else:
                report(f"Building release {release_id}: {len(published)} services")

                def database() -> None:
                    write_database(content, build / DATABASE_FILE)
                    report("Database written")

                # With processes > 1 the database is written while worker processes index.
                write_index(content, build / WHOOSH_FOLDER, processes=processes, meanwhile=database,
                            progress=lambda done, total: report(f"Indexed {done} of {total}"))
            manifest = _manifest(release_id, content, published, full_reason if changed is None else None)
            manifest["entries_changed"] = _write_entries(build, previous if changed is not None else None,
                                                         differing, content.entry_fingerprints)
            (build / MANIFEST).write_text(json.dumps(manifest, separators=(",", ":")), encoding="utf-8")
            store.finish_build(build, release_id)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        pruned = store.prune(keep)
    return PublishResult(release_id, content, manifest, time.monotonic() - started, pruned)


@contextlib.contextmanager
def _content_kept_from_the_collector():
    """The loaded content (``gc.freeze()`` once loaded) lives as long as the publish: at 100,000
    services a full collection, which the release's own allocations set off, would walk its
    millions of objects for nothing (a second of CPU in writing the manifest alone), and so would
    each forked Whoosh worker's. Back to the collector (its oldest generation) at the end."""
    try:
        yield
    finally:
        gc.unfreeze()


def _update_database(live: Path, build: Path, changed: list[str], content: ContentSet, limit: int) -> None:
    """The database of an incremental release: the live ``directory.db`` shared (hard-linked, as
    nothing writes it once its release is complete) and the changed services in ``changes.db``; or,
    once more than ``limit`` services differ from it, a copy with every change applied."""
    live_changes = live / CHANGES_FILE
    if limit and changed_count(live_changes) + len(changed) <= limit:
        try:
            os.link(live / DATABASE_FILE, build / DATABASE_FILE)
        except OSError:  # a file system without hard links: a copy does the same
            shutil.copy2(live / DATABASE_FILE, build / DATABASE_FILE)
        if live_changes.is_file():
            shutil.copy2(live_changes, build / CHANGES_FILE)
        if changed:
            record_changes(build / CHANGES_FILE, changed, content)
        return
    shutil.copy2(live / DATABASE_FILE, build / DATABASE_FILE)
    if live_changes.is_file():
        merge_changes(build / DATABASE_FILE, live_changes)
    replace_services(build / DATABASE_FILE, changed, content)


def _service_id_of(path: str) -> str:
    """The service a file under services/ belongs to: `x.md` and its translations `x.<lang>.md`."""
    name = path.removeprefix("services/")
    match = TRANSLATION_FILE.match(name)
    return match["id"] if match else name.removesuffix(".md")


def release_entries(release: Release, decoded: Path | None = None) -> dict[str, str] | None:
    """Every entry file's fingerprint in ``release`` (None for a release of another layout): its
    ``entries.json`` with the manifest's ``entries_changed`` applied (a fingerprint, or null for a file
    gone). With ``decoded``, the file's content is kept decoded there (see ``_read_entries``)."""
    if release.manifest.get("schema_version") != SCHEMA_VERSION:
        return None
    try:
        entries = _read_entries(release.path / ENTRIES_FILE, decoded)
    except (OSError, ValueError):
        return None
    for path, fingerprint in release.manifest.get("entries_changed", {}).items():
        if fingerprint is None:
            entries.pop(path, None)
        else:
            entries[path] = fingerprint
    return entries


def _read_entries(path: Path, decoded: Path | None) -> dict[str, str]:
    """The fingerprints in the ``entries.json`` at ``path``, from its decoded copy at ``decoded`` when
    that was made of this very file, else decoded from JSON (and the copy made).

    The live release's file is shared, by hard link, by every incremental release after a full one,
    and never written once its release is complete: a one-entry publish at 100,000 services would
    decode the same 8 MB of JSON each time (0.2 s), where `marshal` gives the same dict back in a
    third of that. The copy is known by the file's device, inode, size and modification time
    (not its change time, which each new hard link moves) and by the Python version that wrote it;
    it is derived data in the entry cache's folder, which only this application writes."""
    stat = os.stat(path)
    identity = (sys.version, stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if decoded is not None:
        with contextlib.suppress(Exception):   # none yet, another file's or damaged: decoded again
            kept_identity, entries = marshal.loads(decoded.read_bytes())
            if kept_identity == identity and isinstance(entries, dict):
                return entries
    entries = json.loads(path.read_text(encoding="utf-8"))
    if decoded is not None:
        with contextlib.suppress(OSError):
            decoded.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(decoded, marshal.dumps((identity, entries)))
    return entries


def _write_entries(build: Path, live: Release | None, differing: list[str] | None,
                   entries: dict[str, str]) -> dict[str, str | None]:
    """Write the new release's ``entries.json``, or share the live one's; the differences from it
    (for the manifest's ``entries_changed``; ``differing``: the paths whose fingerprints differ from
    the live release's).

    A full build writes every fingerprint (100,000 at national scale: 8 MB of JSON, a fifth of a
    second to write and as long to read); an incremental release hard-links the live release's file,
    never written once complete, and lists what differs from it, until that list passes
    ``CHANGES_LIMIT``."""
    if live is not None:
        differences = dict(live.manifest.get("entries_changed", {}))
        for path in differing:
            differences[path] = entries.get(path)
        if len(differences) <= CHANGES_LIMIT:
            try:
                os.link(live.path / ENTRIES_FILE, build / ENTRIES_FILE)
            except OSError:   # a file system without hard links: a copy does the same
                shutil.copy2(live.path / ENTRIES_FILE, build / ENTRIES_FILE)
            return dict(sorted(differences.items()))
    (build / ENTRIES_FILE).write_text(json.dumps(entries, separators=(",", ":")), encoding="utf-8")
    return {}


def changed_services(differing: list[str]) -> tuple[list[str] | None, str]:
    """Ids of the services that differ from a release (``differing``: the entry files whose
    fingerprints differ from it, sorted), if only services differ.

    A service's translations (`services/<id>.<lang>.md`) count as part of the
    service: the service is rewritten with all its languages. None (with the
    reason) means the release must be rebuilt: another schema, a change to
    anything but service files (taxonomy, hubs, organisations, pages, site
    settings and their translations feed into every service's page or search
    text), or too many changes.
    """
    others = [path for path in differing if not path.startswith("services/")]
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        return None, f"files other than services changed: {shown}"
    changed = sorted({_service_id_of(path) for path in differing})
    if len(changed) > INCREMENTAL_LIMIT:
        return None, f"{len(changed)} services changed (more than {INCREMENTAL_LIMIT})"
    return changed, ""


def _translation_counts(content: ContentSet, published: list[str]) -> dict:
    counts = {}
    published = set(published)
    for language in content.translated_languages:
        # The translations, fewer than the services, looked up in the published ones.
        services = [translation for service_id, translation in
                    content.translations["services"].get(language, {}).items() if service_id in published]
        counts[language] = {"services": len(services),
                            "services_stale": sum(1 for translation in services if translation.stale),
                            "hubs": len(content.translations["hubs"].get(language, {})),
                            "pages": len(content.translations["pages"].get(language, {})),
                            "needs": len(content.translations["needs"].get(language, {}))}
    return counts


def _manifest(release_id: str, content: ContentSet, published_ids: list[str],
              full_reason: str | None) -> dict:
    published = len(published_ids)
    return {
        "id": release_id,
        "schema_version": SCHEMA_VERSION,
        "built": "full" if full_reason else "incremental",
        # Why a full build: the first release, a change beyond services, too many changes...
        **({"full_build_reason": full_reason} if full_reason else {}),
        "languages": content.site.languages,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "content_fingerprint": content.fingerprint,
        "counts": {
            "services": published,
            "services_not_published": len(content.services) - published,
            "organisations": len(content.organisations),
            "hubs": len(content.hubs),
            "needs": len(content.needs),
            "age_bands": len(content.age_bands),
            "levels": len(content.levels),
            "pages": len(content.pages),
        },
        "translations": _translation_counts(content, published_ids),
        "warnings": len(content.warnings),
    }
