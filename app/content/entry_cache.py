"""Parsed entries kept on disk between runs, so unchanged files are not parsed and checked again.

Parsing and checking one entry file (YAML, every field's rules, the links in
its body) costs about a millisecond; at 100,000 services that is minutes for
every ``check`` and every publish, even when one file changed. This cache
keeps, per entry file, what that work produced: the entry, the problems found
in the file alone, and the file's fingerprint (the line of a field, which a
check across entries may ask for, is read again from the unchanged file). It is
reused only while the file is the very same file: same size, modification and
change times (``ctime`` cannot be set back by anyone) and inode, read by one
``stat``.

What is cached is per file, and what the checks across entries (ids named by
other files, hubs' areas, reviews due) found for the file under a ``context``:
a digest of the ids of organisations, needs and hubs, the hubs' areas and the
review period (``loader._context``). Under another context they run again,
from each service's ``ServiceRefs`` (what it names, its venues' postcodes, its
review date), kept in the shard's index beside its stat key and problems;
whether a review is overdue is always decided again from the day it falls due
and today. So a cached load reports exactly what a fresh one would. The
services themselves come back in a :class:`LazyEntries` and are unpickled
only when used, so at 100,000 unchanged files a load costs a ``stat`` and a
small record each. What each folder held is kept too (``listing``), while the
folder's own times are the same, and what a load made of each folder
(:class:`FolderRecord`: per file, by position, the stat key, fingerprint,
problems and the checks' results), so that a folder listing the same files
costs a ``stat`` per file and one comparison of the keys; only files whose key
differs (or that were not remembered, or whose result depends on a day that
has come) are looked up one by one, and the shards' indexes are read only for
them.

Safe when files change during a run: a file is stat'ed before and after it is
parsed, and its result kept only when both agree and the file was last changed
more than two seconds before the run began (a file changed twice within one
tick of the file system clock would otherwise keep its old times). Results are
also tied to the code that produced them (a hash of the checking code and the
YAML library's version: an upgrade empties the cache), to the folder and
working directory (problems name files relative to it), and to the day where
a check depends on it (a ``last_reviewed`` date in the future).

Stored in the index folder (``.entry-cache/<folder>/``, derived data, safe to
delete) as a record per content folder and pickled shards of files, two files
each (the index, read for the files a record does not vouch for, and the
entries, read when asked for), each replaced atomically (records after the
shards they lean on): a run rewrites only the shards of changed files, and two processes
may use it at once (the worst a race does is forget a file, which is then
parsed again, or find a shard's entries rewritten since its index was read,
and then the file is read again). Pickles are only read from this folder,
which only this application writes.
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
from array import array
from bisect import bisect_left
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from functools import partial
from itertools import chain, filterfalse
from operator import attrgetter
from pathlib import Path

import yaml

from .problems import Problem
from .yamlfile import Document, FileLines

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
    document: Document | FileLines | None   # what checks across entries ask: the line of a field
    problems: list[Problem]


# A cached entry not unpickled yet is a plain tuple (shard, relative path, stat key, ServiceRefs):
# no entry is a tuple, and at 100,000 files a named tuple's constructor costs half a second.
Pending = tuple


class LazyEntries(MutableMapping):
    """Entries by id, as a dict, where cached entries are unpickled only when asked for.

    A load with the cache (``load_content(cache_dir=...)``) puts the services
    here: ``check`` and an incremental publish only read each service's
    :class:`~app.content.model.ServiceRefs` (:meth:`refs`) and the few
    entries they use, so an unchanged file costs a ``stat``, not an unpickling.
    Iterating the values unpickles every entry, a shard at a time.
    """

    def __init__(self, cache: EntryCache | None = None, reread: Callable[[str], object] | None = None):
        self._items: dict[str, object] = {}
        self._cache = cache
        self._reread = reread   # relative path -> the entry, parsed afresh (when the shard changed under us)
        # Ids of entries from a folder record (whose Pending tuples carry no refs) that are not published.
        self.not_published: set[str] = set()
        # Ids whose value tells its status (an entry, or a Pending tuple with refs): all but those
        # from a folder record, which the loader does not name here (`published_ids` reads these few).
        self.told: set[str] = set()

    def __getitem__(self, key: str):
        value = self._items[key]
        if type(value) is Pending:
            value = self._items[key] = self._load(value)
            self.told.add(key)
        return value

    def _load(self, pending: Pending):
        shard, relative, key, _ = pending
        record = self._cache._full(shard or _shard(relative)).get(relative)
        if record is not None and record[0] == key:
            return record[1]
        return self._reread(relative)

    def _refs(self, pending: Pending):
        """The refs of a pending entry; one from a folder record carries none, and they are read from
        its shard's index (or from the file, if another run rewrote the shard meanwhile)."""
        if pending[3] is not None:
            return pending[3]
        _, relative, key, _ = pending
        cached = self._cache._index_of(_shard(relative)).get(relative)
        if cached is not None and cached[0] == key and cached[6] is not None:
            return cached[6]
        return self._reread(relative).refs()

    def refs_of(self, key: str):
        """The ``ServiceRefs`` of one entry, unpickling it only if its refs are not at hand."""
        value = self._items[key]
        return self._refs(value) if type(value) is Pending else value.refs()

    def published_ids(self) -> list[str]:
        """Ids of the published entries, in order, unpickling none and reading no refs for entries
        from a folder record (``not_published`` names those that are not): the ids left out are
        gathered first, so the 100,000 others pass through one filter in C."""
        items, told = self._items, self.told
        left_out = {key for key in self.not_published if key not in told}
        for key in told:
            value = items.get(key)
            if value is None:
                continue
            if type(value) is Pending:
                status = value[3].status if value[3] is not None else (
                    "" if key in self.not_published else "published")
            else:
                status = value.status
            if status != "published":
                left_out.add(key)
        return list(filterfalse(left_out.__contains__, items))

    def __setitem__(self, key: str, value) -> None:
        self._items[key] = value
        self.told.add(key)

    def __delitem__(self, key: str) -> None:
        del self._items[key]
        self.told.discard(key)

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key) -> bool:
        return key in self._items

    def __repr__(self) -> str:
        return f"LazyEntries({len(self._items)} entries)"

    @property
    def raw(self) -> dict[str, object]:
        """The entries by id as they are held: an entry, or a ``Pending`` tuple (for filling; what is
        not from a folder record goes in ``told`` too)."""
        return self._items

    def refs(self):
        """(id, ``ServiceRefs``) of every entry, unpickling none."""
        for key, value in self._items.items():
            yield key, (self._refs(value) if type(value) is Pending else value.refs())

    def refs_and_pending(self):
        """(id, ``ServiceRefs``, the ``Pending`` tuple or None if unpickled) of every entry."""
        for key, value in self._items.items():
            if type(value) is Pending:
                yield key, self._refs(value), value
            else:
                yield key, value.refs(), None

    def is_loaded(self, key: str) -> bool:
        return type(self._items[key]) is not Pending


def _code_version() -> str:
    digest = hashlib.sha256(f"{sys.version}\0{yaml.__version__}".encode())
    for path in _CODE_FILES:
        with contextlib.suppress(OSError):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def stat_key(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What the cache knows a file's version by: size, modification and change times (ns), inode."""
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


def _same_on(reviewed: object, parsed_on: dt.date, today: dt.date) -> bool:
    """Whether a result of ``parsed_on`` still holds ``today``, for an entry last reviewed on ``reviewed``.

    The one per-file rule that depends on the day: a ``last_reviewed`` date in
    the future is an error (``entries.read_service``).
    """
    if parsed_on == today:
        return True
    return not isinstance(reviewed, dt.date) or (reviewed > today) == (reviewed > parsed_on)


# 256: at 100,000 services a one-entry publish reads and writes back one shard of about 400 entries.
SHARDS = 256
VERSION_FILE = "version"
# Per shard, two files: the index (stat key, day, source, fingerprint, problems, the review date and
# the ServiceRefs of each file; read for the files no folder record vouches for) and the entries
# (read when asked for).
INDEX_SUFFIX, ENTRIES_SUFFIX = ".index", ".pickle"
# What each content folder held when last listed, with the folder's own stat key.
LISTINGS_FILE = "listings.pickle"


# What a load made of a whole folder (see `FolderRecord`): one file per folder.
FOLDER_SUFFIX = ".folder"
# The stat key of a file a folder record does not vouch for (not remembered): matches no real file.
UNKEPT = (-1, -1, -1, -1)
# Files compared at a time when a record's stat keys differ from a load's (`FolderRecord.changed`).
_BLOCK = 256


def names_digest(names: list[str]) -> str:
    """What a folder record knows the list of a folder's entry files by."""
    return hashlib.sha256("\0".join(names).encode()).hexdigest()


def _shard(relative: str) -> str:
    """Files are kept in shards (per folder, by a hash of the name): a run rewrites only the shards
    of changed files, and loads a few large pickles rather than one per file."""
    folder, _, name = relative.rpartition("/")
    return f"{folder}-{zlib.crc32(name.encode()) % SHARDS}"


# `stat_key` as one C call: at 100,000 files a Python function or expression per file costs a tenth
# of a second beside the `stat`s themselves.
_STAT_KEY = attrgetter("st_size", "st_mtime_ns", "st_ctime_ns", "st_ino")


def stat_keys(folder: str, names: list[str]) -> list[tuple | None]:
    """The stat key of each file ``name`` in the folder at ``folder`` (None for one that cannot be
    stat'ed), in a loop that runs no Python code per file, each file looked up from the folder
    opened once rather than from the root."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return [None] * len(names)
    try:
        stat = partial(os.stat, dir_fd=descriptor) if os.stat in os.supports_dir_fd else None
        try:
            if stat is not None:
                return list(map(_STAT_KEY, map(stat, names)))
        except OSError:   # one is gone since the folder was listed: each on its own
            pass
        keys = []
        for name in names:
            try:
                keys.append(_STAT_KEY(os.stat(name, dir_fd=descriptor) if stat is not None
                                      else os.stat(os.path.join(folder, name))))
            except OSError:
                keys.append(None)
        return keys
    finally:
        os.close(descriptor)


def packed(keys: list[tuple | None]) -> array | None:
    """``keys`` (see ``stat_keys``) as one array of 4 integers per file, None if one is None or an
    inode passes 63 bits: compared with a record's in one C comparison."""
    try:
        return array("q", chain.from_iterable(keys))
    except (TypeError, OverflowError):
        return None


@dataclass
class FolderRecord:
    """What a load made of one content folder's entry files, kept as one record so that a load of an
    unchanged folder is a ``stat`` per file and a comparison, not a lookup and a tuple per file.

    Everything is by position in the folder's entry files, in the listing's order (``names``: a
    digest of their names, ``names_digest``; the names themselves were half the record). A file is
    vouched for while its stat key equals the one kept (``UNKEPT`` for a file the cache did not
    remember); any other file (changed, or one whose result depends on a day that has come:
    ``watch``) goes through the per-file path of the cache. For the services folder it also keeps
    what the checks across entries found (``context``, ``cross``, ``dues``), as ``EntryCache.cross``
    does per file.
    """

    names: str                      # `names_digest` of the entry files' names
    keys: array                     # 4 integers per file: size, mtime, ctime (ns), inode
    fingerprints: list
    problems: dict[int, list]       # the file's own problems, for the files that have any
    day: dt.date                    # the record holds from this day on...
    watch: list[tuple]              # ...but for these (position, last reviewed, day parsed): future then
    found: list | None              # the entries; None for services, read lazily (Pending)
    absent: set[int]                # files that gave no entry
    not_published: set[int]
    context: str | None = None      # services: the context of `cross` and `dues`
    cross: dict[int, tuple] = None  # position -> (problems before the review check, after it), if any
    dues: array | None = None       # the review's due day (ordinal) of each published service, or 0

    def key_tuples(self) -> list[tuple]:
        return list(zip(*[iter(self.keys)] * 4, strict=True))

    def changed(self, keys: list[tuple | None], today: dt.date,
                packed_keys: array | None = None) -> list[int]:
        """Positions of the files this record does not vouch for ``today``, given their stat keys
        (and the same packed, ``packed_keys``, if at hand)."""
        if today < self.day:   # the clock went back: every day-dependent rule could change
            return list(range(len(keys)))
        changed = set()
        if packed_keys is None or len(packed_keys) != len(self.keys):
            kept = self.key_tuples()
            if keys != kept:
                changed = {i for i, (a, b) in enumerate(zip(keys, kept, strict=True)) if a != b}
        elif packed_keys != self.keys:
            # Compared a block of files at a time in C, file by file only in the blocks that differ:
            # a one-entry publish at 100,000 files compares one block of 256 in Python, not 100,000.
            kept, block = self.keys, 4 * _BLOCK
            for start in range(0, len(kept), block):
                if packed_keys[start:start + block] != kept[start:start + block]:
                    end = min(start + block, len(kept))
                    changed.update(i // 4 for i in range(start, end, 4)
                                   if packed_keys[i:i + 4] != kept[i:i + 4])
        changed.update(i for i, reviewed, parsed_on in self.watch if not _same_on(reviewed, parsed_on, today))
        return sorted(changed)


class EntryCache:
    """The cache of one content folder, opened for one load (see the module's docstring)."""

    def __init__(self, cache_dir: str | Path, root: Path, today: dt.date):
        self.today = today
        self.started_ns = time.time_ns()
        self.hits = self.misses = 0
        self._seen: set[str] = set()
        self._seen_names: dict[str, list[str]] = {}   # folder -> the sorted names of `seen`
        # shard -> relative path -> (stat key, day parsed, source, fingerprint, problems, reviewed, refs,
        # (context, problems across entries before the review check, review due, after) or None);
        # each shard's index read on first use (`_index_of`): a load of unchanged folders reads none
        self._index: dict[str, dict[str, tuple]] = {}
        # relative path -> its stat key, for the files this load found unchanged or remembered
        self._valid: dict[str, tuple] = {}
        # shard -> relative path -> (stat key, entry); loaded on first use
        self._entries: dict[str, dict[str, tuple]] = {}
        self._dirty: set[str] = set()          # shards whose entries and index changed
        self._index_dirty: set[str] = set()    # shards whose index alone changed
        # folder -> (its stat key, what the loader made of its listing); see `listing`
        self._listings: dict[str, tuple] = {}
        self._listings_dirty = False
        self._records: dict[str, FolderRecord] = {}   # made by this load, written by `save`
        # One folder per content folder and working folder; the code's version in it, so an upgrade
        # empties it rather than leaving files behind.
        identity = f"{root.resolve()}\0{os.getcwd()}"
        self.folder: Path | None = Path(cache_dir) / hashlib.sha256(identity.encode()).hexdigest()[:16]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            version = _code_version()
            with contextlib.suppress(FileNotFoundError):
                if (self.folder / VERSION_FILE).read_text() == version:
                    with no_garbage_collection(), contextlib.suppress(Exception):
                        self._listings = pickle.loads((self.folder / LISTINGS_FILE).read_bytes())
                    return
            for suffix in (INDEX_SUFFIX, ENTRIES_SUFFIX, FOLDER_SUFFIX):
                for stale in self.folder.glob(f"*{suffix}"):
                    stale.unlink()
            write_atomically(self.folder / VERSION_FILE, version.encode())
        except OSError:
            # A cache that cannot be used only costs time: everything is parsed.
            self.folder = None

    def _index_of(self, shard: str) -> dict[str, tuple]:
        """The index of ``shard``, read on first use (empty if missing or damaged)."""
        index = self._index.get(shard)
        if index is None:
            index = {}
            if self.folder is not None:
                with no_garbage_collection(), contextlib.suppress(Exception):
                    index = pickle.loads((self.folder / f"{shard}{INDEX_SUFFIX}").read_bytes())
            self._index[shard] = index
        return index

    def _full(self, shard: str) -> dict[str, tuple]:
        """The entries of ``shard``, unpickled on first use (empty if missing or damaged)."""
        entries = self._entries.get(shard)
        if entries is None:
            entries = {}
            if self.folder is not None and self._index_of(shard):
                with no_garbage_collection(), contextlib.suppress(Exception):
                    entries = pickle.loads((self.folder / f"{shard}{ENTRIES_SUFFIX}").read_bytes())
            self._entries[shard] = entries
        return entries

    def listing(self, folder: str, path: str, make: Callable[[], object]) -> object:
        """``make()``'s listing of the folder at ``path``, or the one kept while the folder is the
        same: adding, deleting or renaming a file in it (``mv`` over a file too) changes the folder's
        modification and change times, which the key holds with its device and inode. (An edit in
        place changes only the file's times: each file's own ``stat`` finds it.) Kept only when the
        folder's times agree before and after listing and are settled (``SETTLED_NS``)."""
        try:
            before = os.stat(path)
        except OSError:
            return make()
        key = (before.st_dev, before.st_ino, before.st_mtime_ns, before.st_ctime_ns)
        kept = self._listings.get(folder)
        if kept is not None and kept[0] == key:
            return kept[1]
        made = make()
        with contextlib.suppress(OSError):
            after = os.stat(path)
            if ((after.st_dev, after.st_ino, after.st_mtime_ns, after.st_ctime_ns) == key
                    and max(after.st_mtime_ns, after.st_ctime_ns) < self.started_ns - SETTLED_NS):
                self._listings[folder] = (key, made)
                self._listings_dirty = True
        return made

    def knows(self, relative: str) -> bool:
        """Whether the cache held ``relative`` when opened (a file it does not know must be parsed)."""
        return relative in self._index_of(_shard(relative))

    def folder_record(self, folder: str, names: list[str]) -> FolderRecord | None:
        """The record kept of ``folder`` when it listed these very ``names``, else None."""
        if self.folder is None:
            return None
        try:
            with no_garbage_collection():
                record = pickle.loads((self.folder / f"{folder}{FOLDER_SUFFIX}").read_bytes())
        except Exception:   # none yet, or damaged: the folder is read file by file
            return None
        if not isinstance(record, FolderRecord) or record.names != names_digest(names):
            return None
        return record

    def keep_folder(self, folder: str, names: list[str], old: FolderRecord | None, todo: list[int],
                    found: dict[int, object], lazy: bool) -> FolderRecord | None:
        """The record of ``folder`` after this load (written by ``save``): ``old``'s for the files it
        vouched for (all but the positions in ``todo``), and for the
        files read through the per-file path (``todo``, or every file without ``old``), what the
        per-file cache holds of them (``found``: the entries, for a folder that is not ``lazy``)."""
        if old is not None and not todo:
            return old   # the same again: not rewritten
        count = len(names)
        skip = set(todo)
        # The files' stat keys, packed; those it vouched for are the old record's (the same as this load's).
        if old is None:
            new_keys, fingerprints = array("q", UNKEPT) * count, [None] * count
            problems, watch, absent, not_published = {}, [], set(), set()
            entries = None if lazy else [None] * count
        else:
            new_keys, fingerprints = array("q", old.keys), list(old.fingerprints)
            problems = {i: found_here for i, found_here in old.problems.items() if i not in skip}
            watch = [item for item in old.watch if item[0] not in skip]
            absent, not_published = old.absent - skip, old.not_published - skip
            entries = None if lazy else list(old.found)
        for i in todo:
            relative = f"{folder}/{names[i]}"
            key = self._valid.get(relative)
            cached = self._index_of(_shard(relative)).get(relative) if key is not None else None
            if cached is None or cached[0] != key:
                new_keys[4 * i:4 * i + 4] = array("q", UNKEPT)   # not remembered (changed just now, say)
                continue
            try:
                new_keys[4 * i:4 * i + 4] = array("q", key)
            except OverflowError:   # an inode beyond 63 bits: no record, file by file
                return None
            fingerprints[i] = cached[3]
            if cached[4]:
                problems[i] = cached[4]
            reviewed, parsed_on = cached[5], cached[1]
            if isinstance(reviewed, dt.date) and reviewed > parsed_on:
                watch.append((i, reviewed, parsed_on))
            if lazy:
                if cached[6] is None:
                    absent.add(i)
                elif cached[6].status != "published":
                    not_published.add(i)
            else:
                entries[i] = found.get(i)
                if entries[i] is None:
                    absent.add(i)
        record = FolderRecord(names_digest(names), new_keys, fingerprints, problems, self.today, watch,
                              entries, absent, not_published)
        self.keep_record(folder, record)
        return record

    def seen(self, folder: str, names: list[str]) -> None:
        """Files this load found in ``folder`` (vouched for by its record; ``names`` sorted, as a
        listing is): ``save`` must not forget them. Kept as the list, looked up by bisection for the
        few files of the shards a load read, rather than 100,000 paths put in a set."""
        self._seen_names[folder] = names

    def _was_seen(self, relative: str) -> bool:
        if relative in self._seen:
            return True
        folder, _, name = relative.rpartition("/")
        names = self._seen_names.get(folder, ())
        at = bisect_left(names, name)
        return at < len(names) and names[at] == name

    def keep_record(self, folder: str, record: FolderRecord) -> None:
        """Write ``record`` as ``folder``'s at ``save``."""
        self._records[folder] = record

    def unchanged(self, path: str, relative: str, lazy: bool = False) -> tuple | None:
        """``(source, fingerprint, problems, entry)`` of a file unchanged since it was cached, else None.

        The fast path of a load: one ``stat`` and a few lookups. With ``lazy``
        the entry is a ``Pending`` tuple for a :class:`LazyEntries`, not unpickled.
        """
        self._seen.add(relative)
        try:
            stat = os.stat(path)
        except OSError:
            return None
        key = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        shard = _shard(relative)
        cached = self._index_of(shard).get(relative)
        if (cached is None or cached[0] != key
                or (cached[1] != self.today and not _same_on(cached[5], cached[1], self.today))):
            return None
        _, _, source, fingerprint, problems, _, refs, _ = cached
        if lazy and refs is not None:
            found = (shard, relative, key, refs)
        else:
            record = self._full(shard).get(relative)
            if record is None or record[0] != key:
                return None   # another run rewrote the shard since its index was read: read the file
            found = record[1]
        self.hits += 1
        self._valid[relative] = key
        return source, fingerprint, problems, found

    def read(self, path: str | Path, relative: str, parse: Callable[[], ParsedFile],
             replay: Callable[[ParsedFile], None], lazy: bool = False, looked: bool = False) -> object | None:
        """The entry in ``path``: from the cache when the file is unchanged, else ``parse()``'d.

        ``parse`` reads the file, recording its problems as a fresh read does;
        ``replay`` records a cached result's problems and fingerprint. ``looked``: the caller has
        just found the file not ``unchanged`` (it is parsed without looking again).
        """
        if not looked and (hit := self.unchanged(str(path), relative, lazy)) is not None:
            source, fingerprint, problems, found = hit
            replay(ParsedFile(None, source, fingerprint, FileLines(path), problems))
            return found
        try:
            key = stat_key(os.stat(path))
        except OSError:
            return parse().entry
        self.misses += 1
        shard = _shard(relative)
        if relative in self._index_of(shard):
            self._drop(shard, relative)
        return self._parse_and_keep(path, relative, shard, key, parse)

    def keep(self, path: str, relative: str, key: tuple | None, parsed: ParsedFile) -> None:
        """Remember ``parsed``, what another process made of the file at ``path`` (``key``: its stat
        key before it was read), as :meth:`read` remembers what it parses: if the file is still the
        same and settled. (The loader parsed the files the cache did not know in workers.)"""
        self._seen.add(relative)
        if key is None:
            return
        self.misses += 1
        shard = _shard(relative)
        if relative in self._index_of(shard):
            self._drop(shard, relative)
        self._parse_and_keep(path, relative, shard, key, lambda: parsed)

    def cross(self, pending: Pending, context: str) -> tuple | None:
        """What the checks across entries found for an unchanged file last time (see
        ``loader._check_references``), if they ran under the same ``context``."""
        _, relative, key, _ = pending
        record = self._index_of(_shard(relative)).get(relative)
        if record is None or record[0] != key or record[7] is None or record[7][0] != context:
            return None
        return record[7][1:]

    def keep_cross(self, relative: str, context: str, found: tuple) -> None:
        """Remember ``found`` (problems before the review check, the review's due day, problems
        after it) for a file read in this load, if the file itself is remembered."""
        shard = _shard(relative)
        index = self._index_of(shard)
        record = index.get(relative)
        if record is not None:
            index[relative] = (*record[:7], (context, *found))
            self._index_dirty.add(shard)

    def _drop(self, shard: str, relative: str) -> None:
        self._full(shard).pop(relative, None)   # loaded before the shard is changed, to be rewritten whole
        self._index_of(shard).pop(relative, None)
        self._dirty.add(shard)

    def _parse_and_keep(self, path, relative: str, shard: str, key: tuple, parse) -> object | None:
        parsed = parse()
        with contextlib.suppress(OSError):
            after = os.stat(path)
            if (stat_key(after) == key and parsed.fingerprint is not None
                    and max(after.st_mtime_ns, after.st_ctime_ns) < self.started_ns - SETTLED_NS):
                entry = parsed.entry
                refs = entry.refs() if hasattr(entry, "refs") else None
                full = self._full(shard)
                self._index_of(shard)[relative] = (key, self.today, parsed.source, parsed.fingerprint,
                                                   parsed.problems, getattr(entry, "last_reviewed", None),
                                                   refs, None)
                full[relative] = (key, entry)
                self._dirty.add(shard)
                self._valid[relative] = key
        return parsed.entry

    def save(self, folders: tuple[str, ...]) -> None:
        """Write the shards that changed and the folder records made; forget files gone from the
        ``folders`` that were read (in the shards this load read)."""
        if self.folder is None:
            return
        for shard, files in self._index.items():
            if shard.rsplit("-", 1)[0] in folders:
                for relative in [relative for relative in files if not self._was_seen(relative)]:
                    self._drop(shard, relative)
        for shard in sorted(self._dirty | self._index_dirty):
            with contextlib.suppress(OSError):  # not written: the next run parses these files again
                # Entries first: a run that reads the new index then finds the entries it names.
                if shard in self._dirty:
                    write_atomically(self.folder / f"{shard}{ENTRIES_SUFFIX}",
                                      pickle.dumps(self._full(shard), protocol=pickle.HIGHEST_PROTOCOL))
                write_atomically(self.folder / f"{shard}{INDEX_SUFFIX}",
                                  pickle.dumps(self._index[shard], protocol=pickle.HIGHEST_PROTOCOL))
        self._dirty.clear()
        self._index_dirty.clear()
        # After the shards: what a record vouches for is in them (a service's entry, read lazily).
        for folder, record in self._records.items():
            with contextlib.suppress(OSError):
                write_atomically(self.folder / f"{folder}{FOLDER_SUFFIX}",
                                  pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
        self._records.clear()
        if self._listings_dirty:
            with contextlib.suppress(OSError):
                write_atomically(self.folder / LISTINGS_FILE,
                                  pickle.dumps(self._listings, protocol=pickle.HIGHEST_PROTOCOL))
            self._listings_dirty = False
        # The shards' tables are let go (entries still wanted are read back from the files just
        # written): a publish keeps the cache open, through its services, while it builds the release.
        self._entries.clear()


def write_atomically(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never a part: two runs may share the cache."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


@contextlib.contextmanager
def no_garbage_collection():
    """Unpickling many small objects runs the collector again and again, for nothing to collect.

    The objects made meanwhile are then moved to the oldest generation unexamined (``freeze`` and
    ``unfreeze``): otherwise the first allocation after ``enable`` walks every one of them, half a
    second of CPU after a load of 100,000 files. Any cycles among them are freed by the next full
    collection, as the collector would free any long-lived garbage.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
