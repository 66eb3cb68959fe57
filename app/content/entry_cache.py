"""Parsed entries kept on disk between runs, so unchanged files are not parsed and checked again.

Parsing and checking one entry file (YAML, every field's rules, the links in
its body) costs about a millisecond; at 100,000 services that is minutes for
every ``check`` and every publish, even when one file changed. This cache
keeps, per entry file, what that work produced: the entry, the problems found
in the file alone, the line of each field, and the file's fingerprint. It is
reused only while the file is the very same file: same size, modification and
change times (``ctime`` cannot be set back by anyone) and inode, read by one
``stat``.

What is cached is per file only. Everything that looks across entries (ids
named by other files, hubs' areas, reviews due) runs over all entries on every
load, so a cached load reports exactly what a fresh one would.

Safe when files change during a run: a file is stat'ed before and after it is
parsed, and its result kept only when both agree and the file was last changed
more than two seconds before the run began (a file changed twice within one
tick of the file system clock would otherwise keep its old times). Results are
also tied to the code that produced them (a hash of the checking code and the
YAML library's version: an upgrade empties the cache), to the folder and
working directory (problems name files relative to it), and to the day where
a check depends on it (a ``last_reviewed`` date in the future).

Stored in the index folder (``.entry-cache/<folder>/``, derived data, safe to
delete) as pickled shards of files, each replaced atomically: a run rewrites
only the shards of changed files, and two processes may use it at once (the
worst a race does is forget a file, which is then parsed again). Pickles are
only read from this folder, which only this application writes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import os
import pickle
import sys
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from .problems import Problem
from .yamlfile import Document

CACHE_FOLDER = ".entry-cache"
# A file changed less than this long before the run may change again within the same tick of the
# file system's clock without its times moving: such a file is parsed, but not remembered.
SETTLED_NS = 2_000_000_000
_CODE = Path(__file__).resolve().parent
# Every module outside app/content/ that the checks call: a change there must empty the cache too.
_CODE_FILES = sorted([*_CODE.glob("*.py"), _CODE.parent / "postcodes.py", _CODE.parent / "opening_hours.py"])


@dataclass
class ParsedFile:
    """What reading one entry file produced."""

    entry: object | None            # the Hub, Service... or None when the file could not be read
    source: str                     # the file as problems name it
    fingerprint: str | None         # of its bytes (None: not readable)
    document: Document | CachedLines | None   # what checks across entries ask: the line of a field
    problems: list[Problem]


class CachedLines:
    """The lines of a cached file's fields, unpickled only if a check across entries asks for one."""

    def __init__(self, pickled: bytes):
        self._pickled = pickled
        self._document: Document | None = None

    def line_of(self, path: str) -> int:
        if self._document is None:
            self._document = pickle.loads(self._pickled)
        return self._document.line_of(path)


def _code_version() -> str:
    digest = hashlib.sha256(f"{sys.version}\0{yaml.__version__}".encode())
    for path in _CODE_FILES:
        with contextlib.suppress(OSError):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _key(stat: os.stat_result) -> str:
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}"


def _same_on(parsed: ParsedFile, parsed_on: dt.date, today: dt.date) -> bool:
    """Whether a result of ``parsed_on`` still holds ``today``.

    The one per-file rule that depends on the day: a ``last_reviewed`` date in
    the future is an error (``entries.read_service``).
    """
    if parsed_on == today:
        return True
    reviewed = getattr(parsed.entry, "last_reviewed", None)
    return not isinstance(reviewed, dt.date) or (reviewed > today) == (reviewed > parsed_on)


SHARDS = 64
VERSION_FILE = "version"


def _shard(relative: str) -> str:
    """Files are kept in shards (per folder, by a hash of the name): a run rewrites only the shards
    of changed files, and loads a few large pickles rather than one per file."""
    folder, _, name = relative.rpartition("/")
    return f"{folder}-{zlib.crc32(name.encode()) % SHARDS}"


class EntryCache:
    """The cache of one content folder, opened for one load (see the module's docstring)."""

    def __init__(self, cache_dir: str | Path, root: Path, today: dt.date):
        self.today = today
        self.started_ns = time.time_ns()
        self.hits = self.misses = 0
        self._seen: set[str] = set()
        # shard -> relative path -> (stat key, day parsed, ParsedFile without document, pickled lines)
        self._shards: dict[str, dict[str, tuple]] = {}
        self._dirty: set[str] = set()
        # One folder per content folder and working folder; the code's version in it, so an upgrade
        # empties it rather than leaving files behind.
        identity = f"{root.resolve()}\0{os.getcwd()}"
        self.folder: Path | None = Path(cache_dir) / hashlib.sha256(identity.encode()).hexdigest()[:16]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            version = _code_version()
            with contextlib.suppress(FileNotFoundError):
                if (self.folder / VERSION_FILE).read_text() == version:
                    self._load_shards()
                    return
            for stale in self.folder.glob("*.pickle"):
                stale.unlink()
            _write_atomically(self.folder / VERSION_FILE, version.encode())
        except OSError:
            # A cache that cannot be used only costs time: everything is parsed.
            self.folder = None
            self._shards = {}

    def _load_shards(self) -> None:
        with _no_garbage_collection():
            for path in self.folder.glob("*.pickle"):
                with contextlib.suppress(Exception):  # a damaged shard: its files are parsed again
                    self._shards[path.stem] = pickle.loads(path.read_bytes())

    def read(self, path: str | Path, relative: str, parse: Callable[[], ParsedFile],
             replay: Callable[[ParsedFile], None]) -> object | None:
        """The entry in ``path``: from the cache when the file is unchanged, else ``parse()``'d.

        ``parse`` reads the file, recording its problems as a fresh read does;
        ``replay`` records a cached result's problems, lines and fingerprint.
        """
        self._seen.add(relative)
        try:
            key = _key(os.stat(path))
        except OSError:
            return parse().entry
        shard = _shard(relative)
        files = self._shards.setdefault(shard, {})
        cached = files.get(relative)
        if cached is not None and cached[0] == key and _same_on(cached[2], cached[1], self.today):
            self.hits += 1
            parsed = cached[2]
            replay(ParsedFile(parsed.entry, parsed.source, parsed.fingerprint, CachedLines(cached[3]),
                              parsed.problems))
            return parsed.entry
        self.misses += 1
        parsed = parse()
        if files.pop(relative, None) is not None:
            self._dirty.add(shard)
        with contextlib.suppress(OSError):
            after = os.stat(path)
            if (_key(after) == key and parsed.fingerprint is not None
                    and max(after.st_mtime_ns, after.st_ctime_ns) < self.started_ns - SETTLED_NS):
                files[relative] = (key, self.today, *self._split(parsed))
                self._dirty.add(shard)
        return parsed.entry

    @staticmethod
    def _split(parsed: ParsedFile) -> tuple[ParsedFile, bytes]:
        """The result without its document, and the document's lines alone (its data is not needed)."""
        document = parsed.document or Document(None)
        lines = Document(None, document.lines, "", document.body_line, document.first_line)
        kept = ParsedFile(parsed.entry, parsed.source, parsed.fingerprint, None, parsed.problems)
        return kept, pickle.dumps(lines, protocol=pickle.HIGHEST_PROTOCOL)

    def save(self, folders: tuple[str, ...]) -> None:
        """Write the shards that changed; forget files gone from the ``folders`` that were read."""
        if self.folder is None:
            return
        for shard, files in self._shards.items():
            if shard.rsplit("-", 1)[0] in folders:
                gone = [relative for relative in files if relative not in self._seen]
                for relative in gone:
                    del files[relative]
                if gone:
                    self._dirty.add(shard)
        for shard in sorted(self._dirty):  # one pickled shard in memory at a time
            with contextlib.suppress(OSError):  # not written: the next run parses these files again
                _write_atomically(self.folder / f"{shard}.pickle",
                                  pickle.dumps(self._shards[shard], protocol=pickle.HIGHEST_PROTOCOL))


def _write_atomically(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never a part: two runs may share the cache."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


@contextlib.contextmanager
def _no_garbage_collection():
    """Unpickling many small objects runs the collector again and again, for nothing to collect."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
