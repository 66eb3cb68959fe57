"""Which entries each language is missing, and which translations are out of date."""

from __future__ import annotations

from dataclasses import dataclass, field

from .loader import ContentSet
from .translations import Translation

# What is counted, in the order the status lists it, with the English file of each entry.
KIND_NAMES = {
    "services": ("service", "services"),
    "hubs": ("hub", "hubs"),
    "pages": ("page", "pages"),
    "needs": ("need", "needs"),
    "age_bands": ("age band", "age bands"),
    "levels": ("level", "levels"),
    "site": ("site settings", "site settings"),
}


def english_ids(content: ContentSet, kind: str) -> list[str]:
    """The ids that should be translated: published services, every other entry and term."""
    if kind == "services":
        return [service.id for service in content.published_services()]
    if kind == "site":
        return ["site"]
    return [str(entry_id) for entry_id in getattr(content, kind)]


def english_file(kind: str, entry_id: str) -> str:
    if kind in ("services", "hubs", "pages"):
        return f"{kind}/{entry_id}.md"
    if kind == "site":
        return "site.yml"
    return f"taxonomy/{kind.replace('_', '-')}.yml: {entry_id}"


@dataclass
class LanguageStatus:
    language: str
    totals: dict[str, int] = field(default_factory=dict)
    translated: dict[str, int] = field(default_factory=dict)
    missing: dict[str, list[str]] = field(default_factory=dict)
    stale: dict[str, list[Translation]] = field(default_factory=dict)

    @property
    def missing_count(self) -> int:
        return sum(len(ids) for ids in self.missing.values())

    @property
    def stale_count(self) -> int:
        return sum(len(items) for items in self.stale.values())


def translation_status(content: ContentSet, languages: list[str] | None = None) -> list[LanguageStatus]:
    """For each offered language (other than the default): counts, missing ids, stale translations."""
    statuses = []
    for language in languages or content.translated_languages:
        status = LanguageStatus(language)
        for kind in KIND_NAMES:
            ids = english_ids(content, kind)
            found = content.translations[kind].get(language, {})
            status.totals[kind] = len(ids)
            status.translated[kind] = sum(1 for entry_id in ids if entry_id in found)
            status.missing[kind] = [entry_id for entry_id in ids if entry_id not in found]
            status.stale[kind] = [found[entry_id] for entry_id in ids if entry_id in found
                                  and found[entry_id].stale]
        statuses.append(status)
    return statuses


def status_lines(status: LanguageStatus) -> list[str]:
    """The status of one language as lines of text for the command line."""
    counts = ", ".join(f"{status.translated[kind]}/{status.totals[kind]} {KIND_NAMES[kind][1]}"
                       for kind in KIND_NAMES)
    lines = [f"{status.language}: {status.missing_count} missing, {status.stale_count} out of date "
             f"(translated: {counts})"]
    for kind in KIND_NAMES:
        for entry_id in status.missing[kind]:
            lines.append(f"  missing     {english_file(kind, entry_id)}")
    for kind in KIND_NAMES:
        for translation in status.stale[kind]:
            reason = "no source_fingerprint" if not translation.source_fingerprint else "English changed"
            english = english_file(kind, translation.entry_id)
            lines.append(f"  out of date {translation.source} ({reason}: {english})")
    return lines
