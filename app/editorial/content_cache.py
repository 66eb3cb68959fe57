"""The content folder as the editor reads it, loaded once per version of the files rather than per call.

One editor request used to load the whole folder several times (the form's
choices, checking the entry, the page around it): at 10,000 services that is
seconds each time. Here a load is kept until a file it read changes, as told
by a cheap signature of the folder: each file's name, size, inode and
modification time (``os.scandir`` gives them without opening a file). Every
write the editor makes replaces a file (a new inode), and a hand edit moves
the modification time, so a stale copy is never served.

Two loads are kept per folder and day: the **reference** content (site,
taxonomies, hubs, organisations, pages: what forms and single-entry checks
need, and which does not change when a service does) and the **full**
content (services too: lists, the review dashboard, what refers to what).
Callers must treat what they get as read-only: it is shared between requests.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

from ..content import ContentSet, load_content

REFERENCE_PARTS = ("site.yml", "taxonomy", "hubs", "organisations", "pages")
ALL_PARTS = (*REFERENCE_PARTS, "services")

_lock = threading.Lock()
_cache: dict[tuple, tuple[tuple, ContentSet]] = {}


def _entries(path: Path) -> tuple:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return ((path.name, None),)
    if not path.is_dir():
        return ((path.name, stat.st_size, stat.st_ino, stat.st_mtime_ns),)
    with os.scandir(path) as found:
        # Hidden files (the editor's lock, temporary files) are not content.
        visible = [(entry.name, entry.stat()) for entry in found if not entry.name.startswith(".")]
    return tuple(sorted((name, stat.st_size, stat.st_ino, stat.st_mtime_ns) for name, stat in visible))


def signature(root: Path, parts: tuple[str, ...] = ALL_PARTS) -> tuple:
    """What identifies the version of the files under ``root`` in ``parts`` (names, sizes, times)."""
    return tuple((part, _entries(Path(root) / part)) for part in parts)


def _cached(root: str | Path, on: dt.date, services: bool) -> ContentSet:
    root = Path(root).resolve()
    parts = ALL_PARTS if services else REFERENCE_PARTS
    key = (str(root), on, services)
    current = signature(root, parts)
    with _lock:
        found = _cache.get(key)
        if found is not None and found[0] == current:
            return found[1]
    content = load_content(root, today=on, services=services)
    with _lock:
        # Forget other days of this folder: only today's is asked for again.
        for stale in [other for other in _cache if other[0] == key[0] and other[2] == services]:
            del _cache[stale]
        _cache[key] = (current, content)
    return content


def reference_content(root: str | Path, on: dt.date) -> ContentSet:
    """Site, taxonomies, hubs, organisations and pages (no services), as of the files now."""
    return _cached(root, on, services=False)


def full_content(root: str | Path, on: dt.date) -> ContentSet:
    """Everything in the folder, services included, as of the files now."""
    return _cached(root, on, services=True)


def clear() -> None:
    """Forget every cached load (tests that compare a cold start with a warm one)."""
    with _lock:
        _cache.clear()
