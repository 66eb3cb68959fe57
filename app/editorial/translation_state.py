"""Which translations an English entry has, and whether each is up to date, out of date or missing.

Read from the content folder as the loader read it (``content.translations``,
each translation knowing the fingerprint of the English it was translated
from). A taxonomy is translated a file at a time (``taxonomy/needs.pl.yml``):
the file is out of date when any of its terms is, or when a term has no
translation yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..content import ContentSet
from ..content.entries import read_service
from ..content.fields import EntryReader
from ..content.fingerprint import fingerprint
from ..content.translations import TAXONOMY_FILES
from ..content.yamlfile import EntryFileError, YamlFileError, parse_front_matter, read_entry_bytes
from . import kinds

UP_TO_DATE, STALE, MISSING = "up_to_date", "stale", "missing"
# The English kind's name -> the attribute of content.translations that holds its translations.
TRANSLATED = {"service": "services", "hub": "hubs", "page": "pages"}


@dataclass(frozen=True)
class TranslationState:
    kind: str        # the translation kind: "service_translation"
    entry_id: str    # "<english id>.<language>"
    english_id: str
    language: str
    title: str       # the translated title, else the English id
    status: str      # UP_TO_DATE, STALE or MISSING


def languages(content: ContentSet) -> list[str]:
    """The languages entries are translated into: those site.yml offers but the default."""
    return [code for code in content.site.languages if code != content.site.default_language]


def _state(content: ContentSet, english_kind: str, english_id: str, language: str) -> TranslationState:
    kind = kinds.TRANSLATION_OF[english_kind]
    entry_id = f"{english_id}.{language}"
    if english_kind == "taxonomy":
        attribute = TAXONOMY_FILES[english_id]
        found = content.translations[attribute].get(language, {})
        path = content.root / kind.path(entry_id)
        untranslated = {str(term) for term in getattr(content, attribute)} - set(found)
        if not path.is_file():
            status = MISSING
        elif untranslated or any(term.stale for term in found.values()):
            status = STALE
        else:
            status = UP_TO_DATE
        return TranslationState(kind.name, entry_id, english_id, language, entry_id, status)
    translation = content.translations[TRANSLATED[english_kind]].get(language, {}).get(english_id)
    if translation is None:
        return TranslationState(kind.name, entry_id, english_id, language, english_id, MISSING)
    return TranslationState(kind.name, entry_id, english_id, language,
                            translation.text(kind.title_field) or english_id,
                            STALE if translation.stale else UP_TO_DATE)


def _front_matter(path: Path) -> dict | None:
    try:
        data = parse_front_matter(read_entry_bytes(path).decode("utf-8", errors="replace")).data
    except (EntryFileError, YamlFileError):
        return None
    return data if isinstance(data, dict) else {}


def _service_states(content: ContentSet, service_id: str, on: dt.date) -> list[TranslationState]:
    """A service's translations from its files alone: the editor's reference content has no services,
    and loading 10,000 of them to show one entry's languages would cost far more than ten small files."""
    folder = Path(content.root) / "services"
    try:
        document = parse_front_matter(read_entry_bytes(folder / f"{service_id}.md").decode("utf-8"))
    except (EntryFileError, YamlFileError, UnicodeDecodeError):
        return []
    if not isinstance(document.data, dict):
        return []
    english = read_service(EntryReader(f"services/{service_id}.md", document, document.data, problems=[]),
                           service_id, on)
    current = fingerprint("services", english)
    states = []
    for language in languages(content):
        entry_id = f"{service_id}.{language}"
        fields = _front_matter(folder / f"{entry_id}.md")
        if fields is None:
            states.append(TranslationState("service_translation", entry_id, service_id, language, service_id,
                                           MISSING))
            continue
        stamp = str(fields.get("source_fingerprint") or "")
        states.append(TranslationState("service_translation", entry_id, service_id, language,
                                       str(fields.get("title") or service_id),
                                       UP_TO_DATE if stamp == current else STALE))
    return states


def translations_of(content: ContentSet, english_kind: str, english_id: str,
                    on: dt.date | None = None) -> list[TranslationState]:
    """One state per offered language, for the English entry ``english_id`` of ``english_kind``.

    ``content`` may be the reference content (no services): a service's translations are read from
    their files."""
    if english_kind not in kinds.TRANSLATION_OF:
        return []
    if english_kind == "service":
        return _service_states(content, english_id, on or dt.date.today())
    return [_state(content, english_kind, english_id, language) for language in languages(content)]


def existing_translations(content: ContentSet, kind: str) -> list[TranslationState]:
    """Every translation file of the translation ``kind`` there is now (not the missing ones), by English
    id and language."""
    english_kind = kinds.kind_of(kind).translates
    offered = languages(content)
    if english_kind == "taxonomy":
        states = [_state(content, english_kind, name, language)
                  for name in kinds.TAXONOMIES for language in offered]
        return [state for state in states if state.status != MISSING]
    title_field = kinds.kind_of(kind).title_field
    found = content.translations[TRANSLATED[english_kind]]
    states = [TranslationState(kind, f"{english_id}.{language}", english_id, language,
                               translation.text(title_field) or english_id,
                               STALE if translation.stale else UP_TO_DATE)
              for language in offered for english_id, translation in found.get(language, {}).items()]
    return sorted(states, key=lambda state: (state.english_id, offered.index(state.language)))
