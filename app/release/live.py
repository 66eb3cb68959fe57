"""The release a web worker serves, reopened when a publish switches ``current``.

Each request asks :meth:`LiveRelease.get`, which reads the ``current`` link
(one ``readlink``) and, only when it points somewhere new, opens the new
release. Workers therefore pick up a publish on their next request without a
restart, and a request that started on the old release finishes on it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from ..publishing.releases import Release, ReleaseStore
from .reader import ReleaseReader


def open_release(release: Release) -> ReleaseReader:
    """A reader of ``release`` with its search engine open."""
    reader = ReleaseReader(release)
    reader.engine  # noqa: B018 - open the index now, not in the first search
    return reader


class LiveRelease:
    """Holds the open current release of an index folder for a process."""

    def __init__(self, index_dir: str | Path, after_open: Callable[[], None] | None = None):
        """``after_open`` runs once each newly opened release is the live one (and the one before
        it is let go), in the thread that opened it: the server settles its heap there."""
        self.store = ReleaseStore(index_dir)
        self.after_open = after_open
        self._lock = threading.Lock()
        self._open: ReleaseReader | None = None

    def get(self) -> ReleaseReader | None:
        """The live release, or None when nothing has been published yet."""
        current_id = self.store.current_id()
        opened = self._open
        if opened is not None and opened.id == current_id:
            return opened
        with self._lock:
            if self._open is None or self._open.id != current_id:
                release = self.store.get(current_id) if current_id else None
                self._open = open_release(release) if release else None
                if self._open is not None and self.after_open is not None:
                    self.after_open()
            return self._open
