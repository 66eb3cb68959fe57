"""Write entry files into ``content/`` and publish them, as one step that either happens or does not.

The editor's approve button and "confirmed still correct" both come here. The
files are written, the content is published exactly as ``earlyhelp publish``
does it, and if the publish fails the files are put back byte for byte, so
``content/`` and the live site both stay as they were. When ``content/`` is a
git repository of its own, a successful change is committed with the editor
as its author.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .. import config
from ..content import ContentError
from ..content.writing import atomic_write, sha256_of
from ..content.yamlfile import EntryFileError, read_entry_bytes
from ..publishing.publish import ShrinkRefused, publish
from . import entry_index

LOCK_FILE = ".editor.lock"


class PublishFailed(Exception):
    """The change was not published; ``problems`` say why, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class FileChanged(Exception):
    """A file was not as the caller last saw it (someone else's change was published since)."""

    def __init__(self, relative: str, expected: str | None, actual: str | None):
        super().__init__(f"{relative} has changed since editing began")
        self.relative = relative
        self.expected = expected
        self.actual = actual


@dataclass
class Published:
    release_id: str
    commit: str | None  # the git commit in content/, when it is a repository


@dataclass
class Author:
    name: str
    email: str


@contextmanager
def _content_lock(content_dir: Path):
    # Two approvals at once must not interleave: B's restore could undo A's published file.
    with open(content_dir / LOCK_FILE, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _restore(content_dir: Path, before: Mapping[str, bytes | None]) -> None:
    for relative, data in before.items():
        path = content_dir / relative
        if data is None:
            path.unlink(missing_ok=True)
        else:
            atomic_write(path, data)


def _current_bytes(path: Path) -> bytes | None:
    """The file's bytes, None when there is none; :class:`PublishFailed` for what is not a plain file
    (a FIFO would block the editor's request for ever)."""
    if not path.exists() and not path.is_symlink():
        return None
    try:
        return read_entry_bytes(path)
    except EntryFileError as error:
        raise PublishFailed([f"{path.name}: {error}"]) from None


def write_and_publish(content_dir: Path, index_dir: Path, files: Mapping[str, str | None], *,
                      author: Author, message: str,
                      expected_sha256: Mapping[str, str | None] | None = None) -> Published:
    """Write ``files`` (path relative to ``content_dir`` -> text, or None to delete) and publish.

    Raises :class:`PublishFailed` with the problems when the publish fails;
    the files are then exactly as they were before the call. ``expected_sha256``
    (path -> sha256 of the file, None for no file) is checked under the lock
    before anything is written: :class:`FileChanged` when a file differs.
    """
    content_dir, index_dir = Path(content_dir), Path(index_dir)
    for relative in files:
        if Path(relative).is_absolute() or ".." in Path(relative).parts:
            raise ValueError(f"not a path inside the content folder: {relative}")
    with _content_lock(content_dir):
        folders_before = entry_index.folder_states(content_dir)
        before = {relative: _current_bytes(content_dir / relative) for relative in files}
        for relative, expected in (expected_sha256 or {}).items():
            data = before[relative] if relative in before else _current_bytes(content_dir / relative)
            actual = sha256_of(data) if data is not None else None
            if actual != expected:
                raise FileChanged(relative, expected, actual)
        try:
            for relative, text in files.items():
                if text is None:
                    (content_dir / relative).unlink(missing_ok=True)
                else:
                    atomic_write(content_dir / relative, text.encode("utf-8"))
            result = publish(content_dir, index_dir, processes=1, max_shrink=config.max_shrink())
        except ContentError as error:
            _restore(content_dir, before)
            raise PublishFailed([str(problem) for problem in error.problems if problem.is_error]) from None
        except ShrinkRefused as error:  # only the command line may allow it, never a form
            _restore(content_dir, before)
            raise PublishFailed([str(error)]) from None
        except Exception as error:  # the live site is unchanged whatever went wrong
            _restore(content_dir, before)
            raise PublishFailed([f"{type(error).__name__}: {error}"]) from error
        commit = _commit(content_dir, list(files), author, message)
        # The editor's lists read the index of the entry files: bring it up to date now, in this request.
        entry_index.note_written(content_dir, index_dir, list(files), folders_before)
    return Published(release_id=result.release_id, commit=commit)


def _commit(content_dir: Path, paths: list[str], author: Author, message: str) -> str | None:
    """Commit ``paths`` when ``content_dir`` is itself a git repository; the commit id, else None."""
    if not (content_dir / ".git").exists():
        return None
    identity = {"GIT_AUTHOR_NAME": author.name or author.email, "GIT_AUTHOR_EMAIL": author.email,
                "GIT_COMMITTER_NAME": author.name or author.email, "GIT_COMMITTER_EMAIL": author.email}
    environment = {**os.environ, **identity}

    def git(*arguments: str) -> str:
        return subprocess.run(["git", "-C", str(content_dir), *arguments], check=True, capture_output=True,
                              text=True, env=environment).stdout.strip()

    git("add", "--all", "--", *paths)
    if not git("diff", "--cached", "--name-only"):
        return None  # the files already held this text
    git("commit", "--quiet", "--no-verify", "-m", message)
    return git("rev-parse", "HEAD")
