"""Data quality of the published directory: per entry, then summed per organisation and per hub.

- **overdue**: the review date has passed (or the entry was never reviewed);
- **no owner**: no active provider account works for the entry's organisation, so nobody is
  reminded to check it (``earlyhelp review-reminders``);
- **completeness**: the share of the useful optional fields an entry fills in, of those that apply
  to it (:data:`COMPLETENESS_FIELDS`);
- **likely duplicates**: pairs of services of *different* organisations whose titles share 80% of
  their words, or that give the same phone number, email address or web page (unless more than a
  few services give it: a switchboard or a helpline);
- **invalid contacts**: phone numbers that are not valid UK numbers (Google's libphonenumber data,
  through ``phonenumbers``), malformed email addresses, venue postcodes that are not full postcodes;
- **suggestions**: reports from the public, open and dealt with.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import phonenumbers

from ..postcodes import PostcodeError, postcode_parts

# (field, what it holds) in the order they are listed; which apply depends on the service.
COMPLETENESS_FIELDS = ("how_to_access", "venues", "times", "cost", "languages", "evidence", "email")
TITLE_SIMILARITY = 0.8  # share of the two titles' words (case, punctuation and small words aside) in common
_LARGEST_CONTACT_GROUP = 6  # more services than this giving one number or address are not copies
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_STOP_WORDS = frozenset({"a", "an", "and", "for", "in", "of", "on", "the", "to", "with", "at", "by", "from",
                         "your", "our"})


@dataclass(frozen=True)
class InvalidContact:
    field: str  # phone, email, postcode
    value: str


@dataclass
class EntryQuality:
    """One published service."""

    id: str
    title: str
    organisation: str
    hubs: list[str]  # every hub it serves (all of them when borough-wide)
    due: str | None
    overdue: bool
    has_owner: bool
    missing: list[str]  # the completeness fields that apply and are empty
    applicable: int
    invalid: list[InvalidContact]
    open_suggestions: int = 0
    dealt_with_suggestions: int = 0
    duplicates: list[str] = field(default_factory=list)  # ids of the likely duplicates

    @property
    def completeness(self) -> int:
        """0 to 100: the share of applicable fields filled in."""
        if not self.applicable:
            return 100
        return round(100 * (self.applicable - len(self.missing)) / self.applicable)


@dataclass(frozen=True)
class Duplicate:
    first: str
    second: str
    reasons: tuple[str, ...]  # "title", "phone", "email", "website"


@dataclass
class GroupQuality:
    """The figures of an organisation or a hub."""

    id: str
    services: int = 0
    overdue: int = 0
    without_owner: int = 0
    completeness_total: int = 0
    invalid: int = 0
    duplicates: int = 0
    open_suggestions: int = 0
    dealt_with_suggestions: int = 0

    @property
    def completeness(self) -> int | None:
        return round(self.completeness_total / self.services) if self.services else None

    def add(self, entry: EntryQuality) -> None:
        self.services += 1
        self.overdue += entry.overdue
        self.without_owner += not entry.has_owner
        self.completeness_total += entry.completeness
        self.invalid += bool(entry.invalid)
        self.duplicates += bool(entry.duplicates)
        self.open_suggestions += entry.open_suggestions
        self.dealt_with_suggestions += entry.dealt_with_suggestions


@dataclass
class QualityReport:
    entries: dict[str, EntryQuality]
    duplicates: list[Duplicate]
    by_organisation: list[GroupQuality]
    by_hub: list[GroupQuality]
    totals: GroupQuality


def missing_fields(service: dict) -> tuple[list[str], int]:
    """(the completeness fields that apply to ``service`` and are empty, how many apply)."""
    in_person = "in-person" in service["delivery"]
    checks = {
        "how_to_access": bool(service.get("how_to_access")),
        # Where and when matter only for services people go to.
        "venues": bool(service["venues"]) if in_person else None,
        "times": any(venue.get("schedule") for venue in service["venues"]) if in_person else None,
        # A free service has no cost to explain.
        "cost": None if service["free"] else bool(service.get("cost")),
        "languages": bool(service["languages"]),
        "evidence": bool(service.get("evidence_rating")),
        "email": bool(service.get("email")),
    }
    applicable = [name for name in COMPLETENESS_FIELDS if checks[name] is not None]
    return [name for name in applicable if not checks[name]], len(applicable)


@functools.lru_cache(maxsize=4096)
def valid_uk_phone(number: str) -> bool:
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed)


def invalid_contacts(service: dict) -> list[InvalidContact]:
    found = []
    if service.get("phone") and not valid_uk_phone(service["phone"]):
        found.append(InvalidContact("phone", service["phone"]))
    if service.get("email") and not _EMAIL.match(service["email"]):
        found.append(InvalidContact("email", service["email"]))
    for venue in service["venues"]:
        postcode = venue.get("postcode") or ""
        try:
            full = postcode_parts(postcode).unit is not None if postcode else True
        except PostcodeError:
            full = False
        if not full:
            found.append(InvalidContact("postcode", postcode))
    return found


def _title_words(title: str) -> frozenset[str]:
    return frozenset(word for word in re.findall(r"\w+", title.casefold()) if word not in _STOP_WORDS)


def _contact_keys(service: dict) -> list[tuple[str, str]]:
    keys = []
    if service.get("phone"):
        digits = re.sub(r"\D", "", service["phone"])
        keys.append(("phone", "0" + digits[2:] if digits.startswith("44") else digits))
    if service.get("email"):
        keys.append(("email", service["email"].strip().casefold()))
    if service.get("website"):
        parts = urlsplit(service["website"].strip().casefold())
        path = parts.path.rstrip("/")
        if path:  # a whole organisation's home page is shared by its services, not a sign of a copy
            keys.append(("website", parts.netloc.removeprefix("www.") + path))
    return keys


def _similar_titles(words: dict[str, frozenset[str]]) -> Iterator[tuple[str, str]]:
    """Pairs of ids whose title words overlap by :data:`TITLE_SIMILARITY` or more (Jaccard).

    Prefix filtering keeps this near linear: with the words of every title in one order, rarest
    first, two titles that similar must share one of the first ``n - ceil(t * n) + 1`` words of
    each, so only titles sharing such a word are compared.
    """
    frequency = Counter(word for title in words.values() for word in title)
    seen: dict[str, list[str]] = {}
    for service_id, title in words.items():
        if not title:
            continue
        ordered = sorted(title, key=lambda word: (frequency[word], word))
        prefix = ordered[:len(ordered) - math.ceil(TITLE_SIMILARITY * len(ordered)) + 1]
        candidates = {other for word in prefix for other in seen.get(word, ())}
        for word in prefix:
            seen.setdefault(word, []).append(service_id)
        for other in candidates:
            shared = len(title & words[other])
            if shared / (len(title) + len(words[other]) - shared) >= TITLE_SIMILARITY:
                yield other, service_id


def likely_duplicates(services: Iterable[dict]) -> list[Duplicate]:
    """Pairs of services of different organisations that look like the same service."""
    by_id = {service["id"]: service for service in services}
    reasons: dict[tuple[str, str], set[str]] = {}

    def note(first: str, second: str, reason: str) -> None:
        if by_id[first]["organisation_id"] != by_id[second]["organisation_id"]:
            reasons.setdefault((first, second) if first < second else (second, first), set()).add(reason)

    by_contact: dict[tuple[str, str], list[str]] = {}
    for service in by_id.values():
        for key in _contact_keys(service):
            by_contact.setdefault(key, []).append(service["id"])
    for (kind, _value), sharing in by_contact.items():
        if len(sharing) > _LARGEST_CONTACT_GROUP:
            continue  # a switchboard or a national helpline, not a copy
        for index, first in enumerate(sharing):
            for second in sharing[index + 1:]:
                note(first, second, kind)
    for first, second in _similar_titles({service_id: _title_words(service["title"])
                                          for service_id, service in by_id.items()}):
        note(first, second, "title")
    order = ("title", "phone", "email", "website")
    return [Duplicate(first, second, tuple(reason for reason in order if reason in found))
            for (first, second), found in sorted(reasons.items())]


def quality_report(services: Iterable[dict], organisations: Mapping[str, dict], hubs: Iterable[str], *,
                   owned: set[str], suggestions: Iterable[tuple[str, str, int]],
                   today: dt.date) -> QualityReport:
    """The report: ``owned`` holds the organisations with an active provider account;
    ``suggestions`` is (service id, status, how many) of the suggestions from the public."""
    services = list(services)
    hubs = list(hubs)
    entries: dict[str, EntryQuality] = {}
    for service in services:
        missing, applicable = missing_fields(service)
        due = service.get("review_due")
        entries[service["id"]] = EntryQuality(
            id=service["id"], title=service["title"], organisation=service["organisation_id"],
            hubs=hubs if service["borough_wide"] else [hub for hub in service["hubs"] if hub in hubs],
            due=due, overdue=not due or dt.date.fromisoformat(due) < today,
            has_owner=service["organisation_id"] in owned, missing=missing, applicable=applicable,
            invalid=invalid_contacts(service))
    for service_id, status, count in suggestions:
        entry = entries.get(service_id)
        if entry is not None:
            if status == "open":
                entry.open_suggestions += count
            else:
                entry.dealt_with_suggestions += count
    duplicates = likely_duplicates(services)
    for duplicate in duplicates:
        entries[duplicate.first].duplicates.append(duplicate.second)
        entries[duplicate.second].duplicates.append(duplicate.first)

    by_organisation = {organisation: GroupQuality(organisation) for organisation in organisations}
    by_hub = {hub: GroupQuality(hub) for hub in hubs}
    totals = GroupQuality("")
    for entry in entries.values():
        by_organisation.setdefault(entry.organisation, GroupQuality(entry.organisation)).add(entry)
        for hub in entry.hubs:
            by_hub[hub].add(entry)
        totals.add(entry)
    return QualityReport(entries, duplicates, list(by_organisation.values()), list(by_hub.values()), totals)
