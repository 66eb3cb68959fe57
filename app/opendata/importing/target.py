"""The content folder an import writes into: its vocabulary, and matching outside words to it.

Imported data names needs, hubs and levels in its own words. Everything here
matches those words against the target folder's own ids, labels, synonyms and
hub names, ignoring case, accents and punctuation, so "Speech & Language" finds
``speech-language`` and "Hub Ouest" is reported rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ...content import ContentSet, load_content
from ...content.model import ACCESS_ROUTES, DELIVERY_MODES, stable_uuid

SLUG_LIMIT = 60


class TargetError(Exception):
    """The target folder cannot take entries (no taxonomy to check them against)."""


def normalise(text: str) -> str:
    """Lower case, accents and punctuation removed, single spaces: for comparing words."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold().replace("&", " and "))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())


def slugify(text: str, fallback: str = "entry") -> str:
    """An id (a-z, 0-9, single hyphens) made from a name, at most SLUG_LIMIT characters."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold().replace("&", " and "))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > SLUG_LIMIT:
        slug = slug[:SLUG_LIMIT].rsplit("-", 1)[0] if "-" in slug[:SLUG_LIMIT] else slug[:SLUG_LIMIT]
    return slug or fallback


def _hub_names(hub_id: str, name: str) -> set[str]:
    # "West Early Help Hub" is also written "West", "West Hub" or "West locality".
    names = {normalise(hub_id), normalise(hub_id.replace("-", " ")), normalise(name)}
    short = re.sub(r"\b(early help )?(hub|locality|area)$", "", normalise(name)).strip()
    if short:
        names |= {short, f"{short} hub", f"{short} locality"}
    return {name for name in names if name}


@dataclass
class Target:
    """A content folder's vocabulary, loaded once per import."""

    root: Path
    content: ContentSet
    need_words: dict[str, str] = field(default_factory=dict)
    hub_words: dict[str, str] = field(default_factory=dict)
    level_words: dict[str, int] = field(default_factory=dict)
    access_words: dict[str, str] = field(default_factory=dict)
    delivery_words: dict[str, str] = field(default_factory=dict)
    organisation_names: dict[str, str] = field(default_factory=dict)
    uuids: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def load(cls, root: str | Path, today: dt.date | None = None) -> Target:
        """Read the folder; raises TargetError when it has no site.yml or taxonomy to check against."""
        root = Path(root)
        missing = [name for name in ("site.yml", "taxonomy/needs.yml", "taxonomy/age-bands.yml",
                                     "taxonomy/levels.yml") if not (root / name).is_file()]
        if missing:
            raise TargetError(
                f"{root} is not a content folder yet: {', '.join(missing)} missing. Copy site.yml, "
                "taxonomy/ and hubs/ from your content folder first, so imported entries can be checked.")
        target = cls(root=root, content=load_content(root, today=today))
        target._index()
        return target

    def _index(self) -> None:
        content = self.content
        for need in content.needs.values():
            for word in (need.id, need.id.replace("-", " "), need.label, *need.synonyms):
                self.need_words.setdefault(normalise(word), need.id)
        for hub in content.hubs.values():
            for word in _hub_names(hub.id, hub.name):
                self.hub_words.setdefault(word, hub.id)
        for level in content.levels.values():
            for word in (str(level.id), f"level {level.id}", level.label):
                self.level_words.setdefault(normalise(word), level.id)
        for route in ACCESS_ROUTES:
            self.access_words[normalise(route.replace("-", " "))] = route
        self.access_words.update({"referral": "professional-referral", "self refer": "self-referral",
                                  "early help hub": "early-help-hub", "walk in": "drop-in"})
        for mode in DELIVERY_MODES:
            self.delivery_words[normalise(mode.replace("-", " "))] = mode
        self.delivery_words.update({"face to face": "in-person", "telephone": "phone", "remote": "online",
                                    "home visits": "home-visit", "virtual": "online"})
        for organisation in content.organisations.values():
            self.organisation_names.setdefault(normalise(organisation.name), organisation.id)
        for kind, ids in (("service", content.services), ("organisation", content.organisations)):
            for entry_id in ids:
                self.uuids[(kind, stable_uuid(kind, entry_id))] = entry_id

    # -- matching words ----------------------------------------------------
    def need(self, *words: str) -> str | None:
        """The need id one of ``words`` names (an id, label or synonym), else None."""
        return _first(self.need_words, words)

    def hub(self, *words: str) -> str | None:
        """The hub id one of ``words`` names (an id or hub name), else None."""
        return _first(self.hub_words, words)

    def level(self, *words: str) -> int | None:
        """The level of need one of ``words`` names (a number or label), else None."""
        return _first(self.level_words, words)

    def access(self, *words: str) -> str | None:
        """The access route one of ``words`` names ("Self referral", "walk in"), else None."""
        return _first(self.access_words, words)

    def delivery(self, *words: str) -> str | None:
        """The delivery mode one of ``words`` names ("Face to face", "telephone"), else None."""
        return _first(self.delivery_words, words)

    def organisation(self, *words: str) -> str | None:
        """An existing organisation named by its id or its name."""
        for word in words:
            if word in self.content.organisations:
                return word
        return _first(self.organisation_names, words)

    def entry_for_uuid(self, kind: str, uuid: str) -> str | None:
        """Our own id when ``uuid`` is ``stable_uuid(kind, id)`` of an entry in the folder."""
        return self.uuids.get((kind, str(uuid)))

    def is_borough_wide(self, hubs: list[str]) -> bool:
        """Whether ``hubs`` names every hub of the folder (so the service is borough-wide)."""
        return bool(self.content.hubs) and set(self.content.hubs) <= set(hubs)


def _first(words_to_ids: dict, words) -> object | None:
    for word in words:
        if word is None:
            continue
        found = words_to_ids.get(normalise(str(word)))
        if found is not None:
            return found
    return None


def language_code(value: str) -> str | None:
    """An ISO 639-1 code from a code ("pl", "pol", "pl-PL") or a name ("Polish", "polski")."""
    value = str(value or "").strip()
    if not value:
        return None
    if re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", value):
        from babel import Locale, UnknownLocaleError

        try:
            code = Locale.parse(value.replace("-", "_")).language
        except (UnknownLocaleError, ValueError):
            code = None
        if code and len(code) == 2:
            return code
    return _language_names().get(normalise(value))


@cache
def _language_names() -> dict[str, str]:
    """English and native language names to two-letter codes (read from Babel once)."""
    from babel import Locale, UnknownLocaleError

    english = Locale("en").languages
    names: dict[str, str] = {}
    for code, name in english.items():
        if len(code) == 2:
            names.setdefault(normalise(name), code)
    for code in [code for code in english if len(code) == 2]:
        try:
            native = Locale(code).get_language_name(code)
        except (UnknownLocaleError, ValueError):
            continue
        if native:
            names.setdefault(normalise(native), code)
    return names
