"""Releases on disk: listing them, switching the live one, keeping a few.

Layout under the index folder::

    releases/<id>/{directory.db, whoosh/, manifest.json}   complete releases
    releases/.building-<id>/                              a publish in progress
    current -> releases/<id>                               the live release
    .publish.lock                                         serialises publishes

A release folder is only given its final name once everything in it is on
disk, and ``current`` is replaced with ``rename(2)``, which is atomic: a
reader sees the old release or the new one, never a mixture.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.json"
BUILDING_PREFIX = ".building-"


class ReleaseError(Exception):
    """A release operation that cannot be done, with a message for the editor."""


@dataclass
class Release:
    id: str
    path: Path
    manifest: dict
    is_current: bool = False

    @property
    def created_at(self) -> str:
        return self.manifest.get("created_at", "")

    @property
    def counts(self) -> dict:
        return self.manifest.get("counts", {})


class ReleaseStore:
    """The releases under one index folder."""

    def __init__(self, index_dir: str | Path):
        self.root = Path(index_dir)
        self.releases_dir = self.root / "releases"
        self.current_link = self.root / "current"
        self.lock_path = self.root / ".publish.lock"

    def current_id(self) -> str | None:
        """The live release's id, read from the ``current`` link (cheap: one syscall)."""
        try:
            return os.path.basename(os.readlink(self.current_link))
        except OSError:
            return None

    def path_of(self, release_id: str) -> Path:
        return self.releases_dir / release_id

    def get(self, release_id: str) -> Release | None:
        path = self.path_of(release_id)
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return Release(release_id, path, manifest, release_id == self.current_id())

    def current(self) -> Release | None:
        release_id = self.current_id()
        return self.get(release_id) if release_id else None

    def list(self) -> list[Release]:
        """Complete releases, newest first."""
        if not self.releases_dir.is_dir():
            return []
        releases = [self.get(path.name) for path in self.releases_dir.iterdir()
                    if path.is_dir() and not path.name.startswith(".")]
        return sorted((r for r in releases if r), key=lambda r: r.id, reverse=True)

    @contextlib.contextmanager
    def lock(self):
        """Hold the publish lock; a second publish waits until the first ends.

        ``flock`` is released by the kernel when a process dies, so a publish
        killed with SIGKILL never leaves the lock held.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def start_build(self, release_id: str) -> Path:
        """A fresh folder to build a release in (call with the lock held)."""
        self.releases_dir.mkdir(parents=True, exist_ok=True)
        self.remove_abandoned_builds()
        path = self.releases_dir / f"{BUILDING_PREFIX}{release_id}"
        path.mkdir()
        return path

    def remove_abandoned_builds(self) -> None:
        """Delete builds left by a publish that crashed (call with the lock held)."""
        for path in self.releases_dir.glob(f"{BUILDING_PREFIX}*"):
            shutil.rmtree(path, ignore_errors=True)

    def finish_build(self, build_path: Path, release_id: str) -> Path:
        """Give a complete build its release name and make it live."""
        _fsync_tree(build_path)
        final = self.path_of(release_id)
        os.rename(build_path, final)
        _fsync_dir(self.releases_dir)
        self._point_current_at(release_id)   # complete: no need to read its manifest again
        return final

    def switch(self, release_id: str) -> None:
        """Point ``current`` at a complete release, atomically."""
        if self.get(release_id) is None:
            raise ReleaseError(f"no complete release with id '{release_id}'")
        self._point_current_at(release_id)

    def _point_current_at(self, release_id: str) -> None:
        temporary = self.root / f".current-{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        os.symlink(os.path.join("releases", release_id), temporary)
        os.replace(temporary, self.current_link)
        _fsync_dir(self.root)

    def prune(self, keep: int) -> list[str]:
        """Delete all but the newest ``keep`` releases, never the live one."""
        current = self.current_id()
        # Ids only: a manifest lists every entry file, so reading them all would cost seconds at scale.
        complete = sorted((path.name for path in self.releases_dir.iterdir()
                           if not path.name.startswith(".") and (path / MANIFEST).is_file()), reverse=True)
        removed = []
        for release_id in complete[keep:]:
            if release_id != current:
                shutil.rmtree(self.path_of(release_id), ignore_errors=True)
                removed.append(release_id)
        return removed


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_tree(path: Path) -> None:
    for folder, _, files in os.walk(path):
        for name in files:
            with open(os.path.join(folder, name), "rb") as handle:
                # A file with other links was hard-linked from a complete release, whose files were
                # synced when it was finished (and never written since): syncing it again is waste.
                if os.fstat(handle.fileno()).st_nlink == 1:
                    os.fsync(handle.fileno())
        _fsync_dir(Path(folder))
