"""Translations of entries: `<id>.<lang>.md` beside the English file (see docs/translations.md).

A translation holds only translated text; everything else comes from the
English entry. Reading one checks it against the English entry and the
offered languages, recording every problem as ``path:line: field: message``:

- errors: a language site.yml does not offer, an id with no English entry,
  a field that must not be translated (phone, ages, needs...), a required
  field missing, a summary over 200 characters, an unsafe link in the body;
- warnings (they never block a publish, because an English edit can cause
  them): a missing or out-of-date ``source_fingerprint``, venues that do not
  line up with the English ones, text for a field the English does not have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .entries import SERVICE_FIELDS, SUMMARY_LIMIT, check_body_links
from .fields import EntryReader
from .fingerprint import FINGERPRINT_LENGTH, fingerprint
from .problems import WARNING, Problem

# Kinds of translated entries, named like the ContentSet attributes they translate.
KINDS = ("services", "hubs", "pages", "needs", "age_bands", "levels", "site")
ENTRY_FOLDERS = ("services", "hubs", "pages")
TAXONOMY_FILES = {"needs": "needs", "age-bands": "age_bands", "levels": "levels"}

TRANSLATION_FILE = re.compile(r"^(?P<id>[a-z0-9-]+)\.(?P<lang>[a-z]{2})\.md$")
TAXONOMY_TRANSLATION_FILE = re.compile(r"^(?P<name>[a-z0-9-]+)\.(?P<lang>[a-z]{2})\.yml$")
SITE_TRANSLATION_FILE = re.compile(r"^site\.(?P<lang>[a-z]{2})\.yml$")
FINGERPRINT_PATTERN = re.compile(rf"^[0-9a-f]{{{FINGERPRINT_LENGTH}}}$")

SERVICE_TRANSLATED = ("title", "summary", "how_to_access", "cost", "keywords", "venues")
# Contact details a translator might add at the top level; they are never translated.
CONTACT_FIELDS = {"phone", "email", "website", "referral_form"}
VENUE_TRANSLATED = ("schedule", "accessibility")
VENUE_FIELDS = {"name", "address", "postcode", "hub", "schedule", "accessibility", "hours"}
HUB_TRANSLATED = ("name", "opening_hours")
HUB_FIELDS = {"id", "name", "address", "postcode", "phone", "email", "covers", "wards", "opening_hours"}
PAGE_TRANSLATED = ("title", "summary")
TERM_TRANSLATED = {"needs": ("label", "description", "synonyms"), "age_bands": ("label",),
                   "levels": ("label", "description")}
TERM_FIELDS = {"needs": {"id", "label", "description", "synonyms"},
               "age_bands": {"id", "label", "min", "max", "pregnancy"},
               "levels": {"id", "label", "description"}}
SITE_FIELDS = {"name", "council", "default_language", "languages", "front_door", "emergency",
               "quick_exit_url", "review_months"}
FRONT_DOOR_FIELDS = {"name", "phone", "email", "website"}

STAMP_HINT = "earlyhelp translations stamp"


@dataclass
class Translation:
    """The translated text of one entry (or one taxonomy term, or the site settings)."""

    kind: str
    entry_id: str
    language: str
    fields: dict = field(default_factory=dict)
    body: str = ""
    source_fingerprint: str = ""
    current_fingerprint: str = ""
    source: str = ""
    english_source: str = ""

    @property
    def stale(self) -> bool:
        """Whether the English changed since it was translated (or nobody recorded from what)."""
        return self.source_fingerprint != self.current_fingerprint

    def text(self, name: str) -> str:
        value = self.fields.get(name)
        return value if isinstance(value, str) else ""


def empty_translations() -> dict[str, dict[str, dict[str, Translation]]]:
    return {kind: {} for kind in KINDS}


class _Checker:
    """Checks one translation file against its English entry and the offered languages."""

    def __init__(self, reader: EntryReader, language: str, content, english_source: str):
        self.reader = reader
        self.language = language
        self.content = content
        self.english_source = english_source

    def fields_allowed(self, reader: EntryReader, translated, english_fields) -> None:
        """Report fields other than ``translated``: English-only ones and unknown ones."""
        for key in reader.data:
            name = str(key)
            if name in translated:
                continue
            if name in english_fields:
                reader.problem(name, "is not translated: it always comes from the English entry "
                                     f"({self.english_source}); delete it here")
            else:
                reader.problem(name, "unknown field (check the spelling)")

    def fingerprint_of(self, reader: EntryReader, current: str, path_for_hint: str) -> str:
        value = reader.data.get("source_fingerprint")
        if value is None or value == "":
            reader.problem("source_fingerprint", "is missing, so nobody can tell whether the translation is "
                                                 f"up to date; run '{STAMP_HINT} {path_for_hint}'", WARNING,
                           "translation without a source fingerprint")
            return ""
        if not isinstance(value, str) or not FINGERPRINT_PATTERN.match(value):
            reader.problem("source_fingerprint", f"'{value}' is not a fingerprint: write the "
                                                 f"{FINGERPRINT_LENGTH} characters '{STAMP_HINT}' gives, "
                                                 "in quotes if they are all digits")
            return ""
        if value != current:
            reader.problem("source_fingerprint",
                           f"out of date: {self.english_source} has changed since this was translated; "
                           f"update the translation, then run '{STAMP_HINT} {path_for_hint}'", WARNING,
                           "translation out of date")
        return value

    def text(self, reader: EntryReader, key: str, english_value: str | None, required: bool = False,
             max_length: int | None = None) -> str:
        """A translated plain-text field; a warning when the English has nothing to translate."""
        value = reader.plain_text(key, required=required, max_length=max_length)
        if value and english_value is not None and not english_value:
            reader.problem(key, f"the English entry ({self.english_source}) has no {key}, so this is not "
                                "shown", WARNING, "translated text the English entry lacks")
            return ""
        return value

    def body(self, reader: EntryReader, english_body: str) -> str:
        document = reader.document
        check_body_links(reader.source, document, reader.problems)
        body = document.body
        if english_body.strip() and not body.strip():
            line = document.body_line or document.first_line
            reader.problems.append(Problem(reader.source, line, "body",
                                           "is required: translate the text below the front matter"))
        return body


def _check_id(reader: EntryReader, entry_id: str) -> None:
    written = reader.data.get("id")
    if written is not None and str(written) != entry_id:
        reader.problem("id", f"'{written}' does not match the file name; leave id out of translations "
                             "or give the English id")


def read_service_translation(checker: _Checker, english) -> dict:
    reader = checker.reader
    checker.fields_allowed(reader, {*SERVICE_TRANSLATED, "id", "source_fingerprint"},
                           SERVICE_FIELDS | CONTACT_FIELDS)
    fields = {
        "title": reader.plain_text("title", max_length=120),
        "summary": reader.plain_text("summary", max_length=SUMMARY_LIMIT),
        "how_to_access": checker.text(reader, "how_to_access", english.how_to_access),
        "cost": checker.text(reader, "cost", english.cost),
        "keywords": reader.text_list("keywords", required=False),
    }
    venues = []
    for venue_reader in reader.items("venues"):
        checker.fields_allowed(venue_reader, VENUE_TRANSLATED, VENUE_FIELDS)
        venues.append({key: venue_reader.plain_text(key, required=False) for key in VENUE_TRANSLATED})
    if "venues" in reader.data and len(venues) != len(english.venues):
        reader.problem("venues", f"has {len(venues)} item(s) but {checker.english_source} has "
                                 f"{len(english.venues)} venue(s); give one item per English venue, in the "
                                 "same order (until then the venues are shown in English)", WARNING,
                           "translated venues that do not match the English")
        venues = []
    fields["venues"] = venues
    return fields


def read_hub_translation(checker: _Checker, english) -> dict:
    reader = checker.reader
    checker.fields_allowed(reader, {*HUB_TRANSLATED, "id", "source_fingerprint"}, HUB_FIELDS)
    return {"name": reader.plain_text("name"),
            "opening_hours": checker.text(reader, "opening_hours", english.opening_hours)}


def read_page_translation(checker: _Checker, english) -> dict:
    reader = checker.reader
    checker.fields_allowed(reader, {*PAGE_TRANSLATED, "id", "source_fingerprint"}, set())
    return {"title": reader.plain_text("title"),
            "summary": checker.text(reader, "summary", english.summary)}


ENTRY_READERS = {"services": read_service_translation, "hubs": read_hub_translation,
                 "pages": read_page_translation}


def _language_problem(language: str, content) -> str | None:
    site = content.site
    if language == site.default_language:
        return (f"'{language}' is the default language: the entry without a language code is the source, "
                "not a translation")
    if language not in site.languages:
        return (f"'{language}' is not one of the languages offered in site.yml "
                f"(languages: {', '.join(site.languages)}); add it there first")
    return None


def _open_translation(content, files, path, language, *, front_matter: bool):
    """The file's reader, or None when it cannot be read or its language is not offered (both
    already reported)."""
    reader = files.reader(path, front_matter=front_matter)
    if reader is None:
        return None
    if problem := _language_problem(language, content):
        reader.problem("", problem)
        return None
    return reader


def load_translations(content, files, display_path) -> None:
    """Read every translation file under ``content.root`` into ``content.translations``.

    ``files`` is the loader's file reader (it records each file in the
    content fingerprint, so a changed translation means a new release).
    """
    root: Path = content.root
    for folder in (*ENTRY_FOLDERS, "organisations"):
        directory = root / folder
        # Names (listed once by the loader, or kept by its cache), a path only for translations.
        for name, entry_id, language in files.translation_files(folder):
            path = directory / name
            if folder == "organisations":
                content.problems.append(Problem(display_path(path), 1, "(file)",
                                                "organisations are not translated: their names and "
                                                "descriptions are shown as written"))
                continue
            _load_entry_translation(content, files, display_path, folder, path, entry_id, language)

    taxonomy = root / "taxonomy"
    if taxonomy.is_dir():
        for path in sorted(taxonomy.iterdir()):
            match = TAXONOMY_TRANSLATION_FILE.match(path.name)
            if not match or path.is_dir():
                continue
            kind = TAXONOMY_FILES.get(match["name"])
            if kind is None:
                content.problems.append(Problem(
                    display_path(path), 1, "(file)",
                    f"'{match['name']}' is not a taxonomy; translate needs, age-bands or levels"))
                continue
            _load_taxonomy_translation(content, files, display_path, kind, path, match["lang"])

    for path in sorted(root.glob("site.*.yml")):
        match = SITE_TRANSLATION_FILE.match(path.name)
        if match:
            _load_site_translation(content, files, display_path, path, match["lang"])


def _relative(content, path: Path) -> str:
    return path.relative_to(content.root).as_posix()


def _load_entry_translation(content, files, display_path, kind, path, entry_id, language) -> None:
    source = display_path(path)
    english = getattr(content, kind).get(entry_id)
    english_path = path.with_name(f"{entry_id}.md")
    reader = _open_translation(content, files, path, language, front_matter=True)
    if reader is None:
        return
    if english is None:
        reader.problem("", f"there is no English entry {display_path(english_path)} to translate "
                           f"(no {kind[:-1]} has the id '{entry_id}')")
        return
    checker = _Checker(reader, language, content, display_path(english_path))
    _check_id(reader, entry_id)
    fields = ENTRY_READERS[kind](checker, english)
    current = fingerprint(kind, english)
    translation = Translation(kind=kind, entry_id=entry_id, language=language, fields=fields,
                              body=checker.body(reader, english.body),
                              source_fingerprint=checker.fingerprint_of(reader, current, source),
                              current_fingerprint=current, source=source,
                              english_source=_relative(content, english_path))
    content.translations[kind].setdefault(language, {})[entry_id] = translation


def _load_taxonomy_translation(content, files, display_path, kind, path, language) -> None:
    source = display_path(path)
    reader = _open_translation(content, files, path, language, front_matter=False)
    if reader is None:
        return
    english_name = path.name.replace(f".{language}.yml", ".yml")
    english_source = display_path(path.with_name(english_name))
    if not isinstance(reader.document.data, list):
        reader.problem("", "must be a list of terms, each with its id, like the English file")
        return
    english_terms = {str(term_id): term for term_id, term in getattr(content, kind).items()}
    found = content.translations[kind].setdefault(language, {})
    for index, item in enumerate(reader.document.data):
        path_in_file = f"[{index}]"
        if not isinstance(item, dict):
            content.problems.append(Problem(source, reader.document.line_of(path_in_file), path_in_file,
                                            "must be a mapping of fields"))
            continue
        item_reader = EntryReader(source, reader.document, item, path_in_file, content.problems)
        term_id = item_reader.text("id")
        if not term_id:
            continue
        english = english_terms.get(term_id)
        if english is None:
            item_reader.problem("id", f"unknown id '{term_id}': {english_source} has no such term")
            continue
        if term_id in found:
            item_reader.problem("id", f"duplicate id '{term_id}'")
            continue
        checker = _Checker(item_reader, language, content, english_source)
        checker.fields_allowed(item_reader, {*TERM_TRANSLATED[kind], "id", "source_fingerprint"},
                               TERM_FIELDS[kind])
        fields = {"label": item_reader.plain_text("label")}
        if "description" in TERM_TRANSLATED[kind]:
            fields["description"] = checker.text(item_reader, "description", english.description)
        if "synonyms" in TERM_TRANSLATED[kind]:
            fields["synonyms"] = [s.lower() for s in item_reader.text_list("synonyms", required=False)]
        current = fingerprint(kind, english)
        found[term_id] = Translation(
            kind=kind, entry_id=term_id, language=language, fields=fields,
            source_fingerprint=checker.fingerprint_of(item_reader, current, source),
            current_fingerprint=current, source=source, english_source=_relative(content, path.with_name(
                english_name)))


def _load_site_translation(content, files, display_path, path, language) -> None:
    source = display_path(path)
    reader = _open_translation(content, files, path, language, front_matter=False)
    if reader is None:
        return
    if not isinstance(reader.document.data, dict):
        reader.problem("", "must be a mapping of fields")
        return
    checker = _Checker(reader, language, content, display_path(content.root / "site.yml"))
    checker.fields_allowed(reader, {"name", "council", "emergency", "front_door", "source_fingerprint"},
                           SITE_FIELDS)
    fields = {"name": reader.plain_text("name", required=False),
              "council": reader.plain_text("council", required=False),
              "emergency": checker.text(reader, "emergency", content.site.emergency)}
    door = reader.child("front_door")
    if door is not None:
        checker.fields_allowed(door, {"name"}, FRONT_DOOR_FIELDS)
        fields["front_door_name"] = door.plain_text("name", required=False)
    current = fingerprint("site", content.site)
    content.translations["site"][language] = {"site": Translation(
        kind="site", entry_id="site", language=language, fields=fields,
        source_fingerprint=checker.fingerprint_of(reader, current, source), current_fingerprint=current,
        source=source, english_source="site.yml")}
