"""Load a whole content folder and check it, entry by entry and across entries."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import os
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

from ..postcodes import AreaIndex, PostcodeError
from . import entries, workers
from .entry_cache import (
    EntryCache,
    LazyEntries,
    ParsedFile,
    no_garbage_collection,
    packed,
    stat_key,
    stat_keys,
)
from .fields import EntryReader
from .model import AgeBand, Hub, Level, Need, Organisation, Page, Service, Site
from .problems import WARNING, ContentError, Problem
from .translations import TRANSLATION_FILE, Translation, empty_translations, load_translations
from .yamlfile import (
    Document,
    EntryFileError,
    FileLines,
    YamlFileError,
    parse_front_matter,
    parse_yaml,
    read_entry_bytes,
)

# Ids never hold a dot, so `<id>.md` (an entry) and `<id>.<lang>.md` (a translation,
# read by app/content/translations.py) cannot be mistaken for each other.
ENTRY_FILE = re.compile(r"^(?P<stem>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")


@dataclass
class ContentSet:
    """Everything in a content folder, with the problems found in it."""

    root: Path
    site: Site = field(default_factory=Site)
    needs: dict[str, Need] = field(default_factory=dict)
    age_bands: dict[str, AgeBand] = field(default_factory=dict)
    levels: dict[int, Level] = field(default_factory=dict)
    hubs: dict[str, Hub] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    fingerprint: str = ""
    entry_fingerprints: dict[str, str] = field(default_factory=dict)
    # kind ("services", "needs", "site"...) -> language -> entry id -> translation
    translations: dict[str, dict[str, dict[str, Translation]]] = field(default_factory=empty_translations)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.is_error]

    def published_services(self) -> list[Service]:
        return [service for service in self.services.values() if service.status == "published"]

    def published_service_ids(self) -> list[str]:
        """Ids of the published services, in order, without unpickling cached services."""
        if isinstance(self.services, LazyEntries):
            return self.services.published_ids()
        return [service_id for service_id, service in self.services.items() if service.status == "published"]

    def translation(self, kind: str, entry_id, language: str) -> Translation | None:
        """The translation of one entry into ``language``, if there is one."""
        return self.translations.get(kind, {}).get(language, {}).get(str(entry_id))

    @property
    def translated_languages(self) -> list[str]:
        """The offered languages other than the default, in site.yml's order."""
        return [code for code in self.site.languages if code != self.site.default_language]

    def raise_for_errors(self) -> None:
        if self.errors:
            raise ContentError(self.problems)


def display_path(path: Path) -> str:
    """A path as editors see it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


class _Reader:
    """Reads files one by one, collecting problems and a content fingerprint."""

    def __init__(self, root: Path, problems: list[Problem], shown: dict[str, str] | None = None):
        self.root = root
        self.problems = problems
        self.entry_fingerprints: dict[str, str] = {}
        self.documents: dict[str, Document] = {}
        self._listings: dict[str, tuple[list, list, list]] = {}
        self.cache: EntryCache | None = None
        # folder -> (the folder record this load used, the positions it did not vouch for, the new
        # record, the entry ids by position): what the checks across entries reuse
        self.reused: dict[str, tuple] = {}
        # folder -> as problems name it (`display_path`); a worker's readers share their load's
        self._shown: dict[str, str] = {} if shown is None else shown

    def read(self, path: Path | str, front_matter: bool, named: tuple[str, str] | None = None
             ) -> tuple[str, Document] | None:
        """The file at ``path`` parsed, its problems recorded; ``named``: the file as problems name
        it and relative to the root, when the caller knows them (else worked out from ``path``)."""
        source, relative = named or (display_path(path), Path(path).relative_to(self.root).as_posix())
        try:
            raw = read_entry_bytes(path)
        except EntryFileError as error:
            self.problems.append(Problem(source, 1, "(file)", str(error)))
            return None
        self._remember(relative, hashlib.sha256(raw).hexdigest()[:16])
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            self.problems.append(Problem(source, line, "(file)", "is not UTF-8 text"))
            return None
        try:
            document = parse_front_matter(text) if front_matter else parse_yaml(text)
        except YamlFileError as error:
            self.problems.append(Problem(source, error.line, error.field, error.message))
            return None
        if front_matter and not isinstance(document.data, dict):
            self.problems.append(Problem(source, 2, "(front matter)", "must be a mapping of fields"))
            return None
        self.documents[source] = document
        return source, document

    def lines_of(self, source: str) -> Document | FileLines:
        """What tells the line of a field in the file ``source`` (as problems name it): kept for
        files read in this load, read again for files that came from the cache."""
        return self.documents.get(source) or FileLines(source)

    def _remember(self, relative: str, fingerprint: str) -> None:
        self.entry_fingerprints[relative] = fingerprint

    def digest(self) -> str:
        """The content's fingerprint: of every file read, in the order read, with its fingerprint."""
        # One join rather than a hash update per file: each file is read once, so the same.
        joined = "\0".join(itertools.chain.from_iterable(self.entry_fingerprints.items()))
        return hashlib.sha256(f"{joined}\0".encode() if joined else b"").hexdigest()

    def entry(self, folder: str, name: str, stem: str, read, cache: EntryCache | None, lazy: bool = False,
              ahead: tuple | None = None):
        """Read and check the entry file ``folder/name`` (``read(reader, stem)``), through ``cache``
        (``lazy``: a cached service may come back as an ``entry_cache.Pending`` tuple). ``ahead``:
        the file's stat key (before it was read) and ``ParsedFile`` from a worker."""
        relative = f"{folder}/{name}"
        # A string, not a Path, until the file must be parsed: at 100,000 files Path objects cost seconds.
        location = f"{self.root}{os.sep}{folder}{os.sep}{name}"
        if ahead is not None:
            # Parsed by a worker (`parsed_ahead`), a file the cache does not know: recorded as if read here.
            key, parsed = ahead
            if parsed.fingerprint is not None:
                self._remember(relative, parsed.fingerprint)
            if parsed.document is not None:
                self.documents[parsed.source] = parsed.document
            self.problems.extend(parsed.problems)
            if cache is not None:
                cache.keep(location, relative, key, parsed)
            return parsed.entry
        if cache is not None and (hit := cache.unchanged(location, relative, lazy)) is not None:
            # The fast path, no closures: most files of a large folder are unchanged.
            _, fingerprint, problems, found = hit
            self._remember(relative, fingerprint)
            if problems:
                self.problems.extend(problems)
            return found

        def replay(parsed: ParsedFile) -> None:
            self._remember(relative, parsed.fingerprint)
            self.documents[parsed.source] = parsed.document
            self.problems.extend(parsed.problems)

        if cache is None:
            return self.parse(location, relative, stem, read).entry
        return cache.read(location, relative, lambda: self.parse(location, relative, stem, read), replay,
                          lazy=lazy, looked=True)

    def parse(self, location: str, relative: str, stem: str, read) -> ParsedFile:
        """Read and check the entry file at ``location`` (``relative`` to the root), recording its
        problems and fingerprint."""
        before = len(self.problems)
        entry = None
        # `display_path` of the folder once rather than of each of its files (a path's `relpath`
        # and `relative_to` cost a tenth of a millisecond, an eighth of parsing an entry file).
        folder, _, name = relative.rpartition("/")
        shown = self.shown(folder)
        source = name if shown == "." else f"{shown}{os.sep}{name}"
        if (reader := self.reader(location, front_matter=True, named=(source, relative))) is not None:
            source = reader.source
            entries.check_body_links(source, reader.document, self.problems)
            entry = read(reader, stem)
            # Only a line is ever asked for later, and rarely: at 100,000 files even the lines
            # of every file would be hundreds of MB.
            self.documents[source] = FileLines(location)
        return ParsedFile(entry, source, self.entry_fingerprints.get(relative),
                          self.documents.get(source), self.problems[before:])

    def shown(self, folder: str) -> str:
        """``folder`` as problems name it (``display_path``)."""
        if (shown := self._shown.get(folder)) is None:
            shown = self._shown[folder] = display_path(Path(self.root, folder))
        return shown

    def parsed_ahead(self, folder: str, entry_files: list[tuple[str, str]], read, cache: EntryCache | None,
                     processes: int) -> tuple[set[str], Iterator]:
        """The files of ``folder`` the cache does not know, parsed in ``processes`` processes (this
        one and forked workers) when there are many (``workers.PARALLEL_FROM``): their names, and an
        iterator giving each one's (stat key before reading, ``ParsedFile``) in the order of
        ``entry_files``. Nothing and an empty iterator otherwise."""
        names = [(name, stem) for name, stem in entry_files
                 if cache is None or not cache.knows(f"{folder}/{name}")]
        if processes < 2 or len(names) < workers.PARALLEL_FROM or not workers.can_fork():
            return set(), iter(())
        root = self.root
        self.shown(folder)
        shown = self._shown

        def parse_one(item: tuple[str, str]) -> tuple[tuple | None, ParsedFile]:
            name, stem = item
            location = f"{root}{os.sep}{folder}{os.sep}{name}"
            try:   # what the entry cache knows the file by (size, times, inode), taken before reading it
                key = stat_key(os.stat(location))
            except OSError:
                key = None
            return key, _Reader(root, [], shown).parse(location, f"{folder}/{name}", stem, read)

        return {name for name, _ in names}, workers.parse_in_workers(parse_one, names, processes)

    def folder(self, folder: str, read, cache: EntryCache | None, lazy: bool,
               loaded: dict | LazyEntries, processes: int = 1) -> None:
        """Read and check every entry file of ``folder`` into ``loaded`` (id -> entry), in the listing's
        order. With the cache, a folder listing the same files as its ``FolderRecord`` costs a ``stat``
        per file: only the files it does not vouch for go through the per-file path (``entry``), and
        many of those the cache does not know are parsed in ``processes`` processes (``parsed_ahead``)."""
        names, stems = self.entry_files(folder)
        # The dict itself, not LazyEntries' method: 100,000 calls of it cost a tenth of a second.
        target = loaded.raw if isinstance(loaded, LazyEntries) else loaded
        if cache is None:
            ahead, parsed = self.parsed_ahead(folder, list(zip(names, stems, strict=True)), read, None,
                                              processes)
            for name, stem in zip(names, stems, strict=True):
                if (entry := self.entry(folder, name, stem, read, None,
                                        ahead=next(parsed) if name in ahead else None)) is not None:
                    target[stem] = entry
            if isinstance(loaded, LazyEntries):   # their values tell their status (`published_ids`)
                loaded.told.update(target)
            return
        old = cache.folder_record(folder, names)
        keys = None
        if old is None:
            todo = range(len(names))
        else:
            keys = stat_keys(f"{self.root}{os.sep}{folder}", names)
            todo = old.changed(keys, cache.today, packed(keys))
        ahead, parsed = self.parsed_ahead(folder, [(names[i], stems[i]) for i in todo], read, cache,
                                          processes)
        found = {}
        for i in todo:   # every file without a record, in order, so the fingerprints are in order too
            found[i] = self.entry(folder, names[i], stems[i], read, cache, lazy,
                                  ahead=next(parsed) if names[i] in ahead else None)
        record = cache.keep_folder(folder, names, old, todo, found, lazy)
        self.reused[folder] = (old, set(todo), record, stems)
        if isinstance(loaded, LazyEntries):   # their values tell their status (`published_ids`)
            loaded.told.update(stems[i] for i in found)
        if old is None:
            target.update((stems[i], entry) for i, entry in found.items() if entry is not None)
            return
        cache.hits += len(names) - len(todo)
        relatives = [f"{folder}/{name}" for name in names]
        cache.seen(folder, names)
        fingerprints = old.fingerprints
        if todo:
            fingerprints = list(fingerprints)
            for i in todo:   # remembered as read: taken out, to be put back in the listing's order
                fingerprints[i] = self.entry_fingerprints.pop(relatives[i], None)
        # Pairs in C when every file has a fingerprint (the usual case), else one by one.
        self.entry_fingerprints.update(zip(relatives, fingerprints, strict=True) if None not in fingerprints
                                       else (pair for pair in zip(relatives, fingerprints, strict=True)
                                             if pair[1] is not None))
        for i, problems in old.problems.items():
            if i not in found:
                self.problems.extend(problems)
        # A pending entry from the record has no refs at hand: LazyEntries reads them if asked.
        entries = (list(zip(repeat(None), relatives, keys, repeat(None))) if lazy
                   else list(old.found))
        for i in old.absent:
            entries[i] = None
        for i, entry in found.items():
            entries[i] = entry
        target.update(zip(stems, entries, strict=True) if None not in entries
                      else (pair for pair in zip(stems, entries, strict=True) if pair[1] is not None))
        if isinstance(loaded, LazyEntries):
            loaded.not_published.update(stems[i] for i in old.not_published if i not in found)

    def reader(self, path: Path | str, front_matter: bool, named: tuple[str, str] | None = None
               ) -> EntryReader | None:
        parsed = self.read(path, front_matter, named)
        if parsed is None:
            return None
        source, document = parsed
        return EntryReader(source, document, document.data, problems=self.problems)

    def listing(self, folder: str) -> tuple[tuple[list, list], list, list]:
        """What ``folder`` holds, sorted by name: its entry files (their names, their stems), the
        misnamed names (name, message) and its translation files (name, entry id, language). Listed
        once per load, and with the cache not at all while the folder itself is unchanged
        (``EntryCache.listing``)."""
        if folder not in self._listings:
            path = f"{self.root}{os.sep}{folder}"
            self._listings[folder] = (self.cache.listing(folder, path, lambda: _list(path)) if self.cache
                                      else _list(path))
        return self._listings[folder]

    def entry_files(self, folder: str) -> tuple[list[str], list[str]]:
        """The file names and the stems of the entry files in ``folder`` (two lists: at 100,000 files a
        tuple per file costs more to keep and to take apart), reporting misnamed ones."""
        entry_files, misnamed, _ = self.listing(folder)
        for name, message in misnamed:
            self.problems.append(Problem(display_path(self.root / folder / name), 1, "(file)", message))
        return entry_files

    def translation_files(self, folder: str) -> list[tuple[str, str, str]]:
        """(file name, entry id, language) for each translation file in ``folder``."""
        return self.listing(folder)[2]


def _list(path: str) -> tuple[tuple[list, list], list, list]:
    """``_Reader.listing`` of the folder at ``path``."""
    try:
        # os.scandir knows which names are folders without a stat each; names sort as strings.
        with os.scandir(path) as scanned:
            names = sorted((item.name, item.is_dir()) for item in scanned)
    except (FileNotFoundError, NotADirectoryError):
        names = []
    entry_names, stems, misnamed, translations = [], [], [], []
    for name, is_folder in names:
        if name.startswith("."):
            continue
        if is_folder:
            if name.endswith(".md"):  # an entry that would silently vanish from the site
                misnamed.append((name, "is a folder, not an entry file"))
            continue
        if match := TRANSLATION_FILE.match(name):
            translations.append((name, match["id"], match["lang"]))
        elif match := ENTRY_FILE.match(name):
            entry_names.append(name)
            stems.append(match["stem"])
        else:
            misnamed.append((name, "file names must be '<id>.md' using a-z, 0-9 and hyphens "
                                   "(translations: '<id>.<language>.md')"))
    return (entry_names, stems), misnamed, translations


def load_content(root: str | Path, today: dt.date | None = None, *, services: bool = True,
                 cache_dir: str | Path | None = None, processes: int = 1) -> ContentSet:
    """Read and check every entry under ``root``; never raises for bad content.

    ``services=False`` reads everything but the services (the site, taxonomies, hubs,
    organisations and pages): what the editor's forms need, without the cost of thousands of files.
    ``cache_dir`` keeps parsed entry files there between runs (``entry_cache``): unchanged files are
    not parsed again, and the problems reported are the same.
    ``processes`` > 1 parses the entry files the cache does not have in that many processes (this
    one and forked workers) when they are many (``workers.parse_in_workers``); what the load gives
    back is the same.
    """
    # A load makes about ten objects per file and keeps nearly all of them, so the cyclic garbage
    # collector would walk the growing heap again and again for nothing (a cold parse of 2,000 files
    # leaves under a thousand unreachable objects): 40% of a cached load of 100,000 files.
    with no_garbage_collection():
        return _load_content(Path(root), today or dt.date.today(), services, cache_dir, processes)


def _load_content(root: Path, today: dt.date, services: bool, cache_dir: str | Path | None,
                  processes: int) -> ContentSet:
    content = ContentSet(root=root)
    if not root.is_dir():
        content.problems.append(Problem(display_path(root), 1, "(folder)", "content folder not found"))
        return content
    files = _Reader(root, content.problems)

    site_path = root / "site.yml"
    if site_path.exists():
        if (reader := files.reader(site_path, front_matter=False)) is not None:
            if isinstance(reader.document.data, dict):
                content.site = entries.read_site(reader)
            else:
                reader.problem("", "must be a mapping of fields")
    else:
        content.problems.append(Problem(display_path(site_path), 1, "(file)", "site.yml is missing"))

    taxonomy = {"needs.yml": ("needs", entries.read_needs),
                "age-bands.yml": ("age_bands", entries.read_age_bands),
                "levels.yml": ("levels", entries.read_levels)}
    for name, (attribute, read) in taxonomy.items():
        path = root / "taxonomy" / name
        if not path.exists():
            content.problems.append(Problem(display_path(path), 1, "(file)", f"taxonomy/{name} is missing"))
            continue
        if (reader := files.reader(path, front_matter=False)) is not None:
            setattr(content, attribute, read(reader))

    if services and not (root / "services").is_dir():
        # Not "0 services, 0 errors": a folder lost in a copy or a move must not pass as an empty directory.
        content.problems.append(Problem(display_path(root / "services"), 1, "(folder)",
                                        "services folder not found: every directory has one, even if empty"))
    cache = files.cache = EntryCache(cache_dir, root, today) if cache_dir is not None else None
    folders = (("hubs", "hubs", entries.read_hub),
               ("organisations", "organisations", entries.read_organisation),
               ("pages", "pages", entries.read_page))
    if services:
        folders += (("services", "services", lambda reader, stem: entries.read_service(reader, stem, today)),)
    for folder, attribute, read in folders:
        if folder == "services":
            # Services stay unpickled until used: checks across entries read their ServiceRefs.
            content.services = LazyEntries(cache, _rereader(root, folder, read))
        files.folder(folder, read, cache, folder == "services", getattr(content, attribute), processes)

    load_translations(content, files, display_path)

    content.fingerprint = files.digest()
    content.entry_fingerprints = files.entry_fingerprints
    _check_references(content, files, today, cache)
    if cache is not None:
        cache.save(tuple(folder for folder, _, _ in folders))
    content.problems.sort(key=lambda problem: (problem.path, problem.line))
    return content


def _rereader(root: Path, folder: str, read):
    """Reads one entry file again, its problems dropped: for a cached entry whose shard another run
    rewrote between the index and the entries being read (its problems were already reported)."""
    def reread(relative: str):
        name = relative.rpartition("/")[2]
        return _Reader(root, []).entry(folder, name, ENTRY_FILE.match(name)["stem"], read, None)
    return reread


def _check_references(content: ContentSet, files: _Reader, today: dt.date, cache: EntryCache | None) -> None:
    """Problems that only show across entries: unknown ids, overlaps, staleness.

    A service's problems here depend only on its own file and on the
    ``_context`` (the ids of organisations, needs and hubs, the hubs' areas,
    the review period): with a cache, those of a file unchanged under an
    unchanged context are the ones found last time (``EntryCache.cross``),
    and only whether its review is overdue (the day) is looked at again.
    """
    problems = content.problems
    report = _reporter(files, problems)
    context = _context(content) if cache is not None else ""
    checks = _ServiceChecks(content, files)
    services = content.services

    def overdue(refs, due: dt.date) -> None:
        report(refs, "last_reviewed", f"review overdue since {due.isoformat()} (last reviewed "
               f"{refs.last_reviewed.isoformat()})", WARNING, "review overdue")

    old, todo, record, stems = files.reused.get("services", (None, None, None, None))
    reuse = old is not None and record is not None and old.context == context
    if record is not None:   # what the checks find, by position, for the services' folder record
        cross = {i: found for i, found in old.cross.items() if i not in todo} if reuse else {}
        dues = array("l", old.dues) if reuse else array("l", [0]) * len(stems)
    if reuse:
        # The services the folder record vouches for: what their checks found last time, and
        # whether a review has come due since; only the other services are checked.
        for i in todo:
            dues[i] = 0
        limit = today.toordinal()
        # Looked for file by file only when some review is due (`min` over the others runs in C).
        due_now = ({i for i, due in enumerate(old.dues) if 0 < due < limit and i not in todo}
                   if min(filter(None, old.dues), default=limit) < limit else set())
        for i in sorted(due_now | cross.keys()):
            before, after = cross.get(i, ((), ()))
            problems.extend(before)
            if i in due_now:
                overdue(services.refs_of(stems[i]), dt.date.fromordinal(old.dues[i]))
            problems.extend(after)
        rows = ((stems[i], services.refs_of(stems[i]), services.raw[stems[i]]) for i in todo
                if stems[i] in services)
    elif isinstance(services, LazyEntries):
        rows = services.refs_and_pending()
    else:
        rows = ((service_id, service.refs(), None) for service_id, service in services.items())
    position = ({stems[i]: i for i in todo} if reuse
                else {stem: i for i, stem in enumerate(stems)} if record is not None else {})
    for service_id, refs, pending in rows:
        found = cache.cross(pending, context) if type(pending) is tuple else None
        if found is None:
            found = checks.run(refs)
            if cache is not None:
                cache.keep_cross(f"services/{service_id}.md", context, found)
        before, due, after = found
        problems.extend(before)
        if due is not None and due < today and refs.status == "published":
            overdue(refs, due)
        problems.extend(after)
        if record is not None:
            i = position[service_id]
            if before or after:
                cross[i] = (before, after)
            if due is not None and refs.status == "published":
                dues[i] = due.toordinal()
    if record is not None:
        record.context, record.cross, record.dues = context, cross, dues
        if not reuse or todo:
            cache.keep_record("services", record)
    _check_hub_overlaps(content, report)


def _reporter(files: _Reader, problems: list[Problem]):
    """``report(entry, field, message, severity, kind)``: a problem at the line of ``field``, added to
    ``problems``."""
    def report(entry, field_name: str, message: str, severity: str = "error", kind: str = "") -> None:
        line = files.lines_of(entry.source).line_of(field_name)
        problems.append(Problem(entry.source, line, field_name, message, severity, kind))
    return report


def _context(content: ContentSet) -> str:
    """A digest of everything besides a service's own file that its checks across entries read."""
    hubs = [(hub.id, list(hub.covers)) for hub in content.hubs.values()]
    text = repr((sorted(content.organisations), sorted(content.needs), hubs, content.site.review_months))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class _ServiceChecks:
    """The checks across entries of one service: ``run`` gives the problems found before and after
    its review check, and the day its review falls due (whether that day has passed is not kept)."""

    def __init__(self, content: ContentSet, files: _Reader):
        self.content = content
        self.files = files
        self._hub_areas: AreaIndex | None = None
        # Many services meet at the same few venues: each postcode is looked up once.
        self._covering: dict[str, tuple | PostcodeError | None] = {}

    def run(self, service) -> tuple[list[Problem], object, list[Problem]]:
        content = self.content
        before: list[Problem] = []
        after: list[Problem] = []
        report = _reporter(self.files, before)
        if service.organisation and service.organisation not in content.organisations:
            report(service, "organisation", f"unknown organisation '{service.organisation}'")
        for index, need in enumerate(service.needs):
            if need not in content.needs:
                report(service, f"needs[{index}]", f"unknown need '{need}'")
        for index, hub in enumerate(service.hubs):
            if hub not in content.hubs:
                report(service, f"hubs[{index}]", f"unknown hub '{hub}'")
        for index, (hub, _) in enumerate(service.venues):
            if hub and hub not in content.hubs:
                report(service, f"venues[{index}].hub", f"unknown hub '{hub}'")
        self._check_venue_areas(service, _reporter(self.files, after))
        return before, service.review_due(content.site.review_months), after

    def _check_venue_areas(self, service, report) -> None:
        """A venue whose postcode lies in another hub's area, or in none, names the wrong hub or has
        the wrong postcode (see ``_check_hub_overlaps`` for the areas themselves)."""
        hubs = self.content.hubs
        for index, (hub, postcode) in enumerate(service.venues):
            if not (hub in hubs and postcode):
                continue
            if postcode not in self._covering:
                if self._hub_areas is None:
                    self._hub_areas = AreaIndex((each.id, area) for each in hubs.values()
                                                for area in each.covers)
                try:
                    self._covering[postcode] = self._hub_areas.covering(postcode)
                except PostcodeError as error:
                    self._covering[postcode] = error
            found = self._covering[postcode]
            if isinstance(found, PostcodeError):
                continue  # already reported as not a postcode
            if found is None:
                report(service, f"venues[{index}].postcode",
                       f"'{postcode}' is outside every hub's area, but the venue names hub "
                       f"'{hub}'", WARNING, "venue outside its hub's area")
            elif found[0] != hub:
                report(service, f"venues[{index}].postcode",
                       f"'{postcode}' is in hub '{found[0]}' ({found[1]}), not in hub "
                       f"'{hub}' that the venue names", WARNING, "venue outside its hub's area")


def _check_hub_overlaps(content: ContentSet, report) -> None:
    """Warnings about hub areas a postcode lookup cannot settle.

    A district in one hub and a sector of it in another is allowed: the most
    specific area wins (``postcodes.covering_area``), so a sector can be carved
    out of a district. The same area in two hubs is ambiguous (the lookup takes
    the first hub).
    """
    first_owner: dict[str, Hub] = {}
    for hub in content.hubs.values():
        for index, area in enumerate(hub.covers):
            owner = first_owner.setdefault(area, hub)
            if owner is not hub:
                report(hub, f"covers[{index}]",
                       f"'{area}' is also covered by hub '{owner.id}': a postcode there could belong "
                       "to either hub", WARNING, "postcode area in two hubs")
