"""Data quality of the published directory: per entry, then summed per organisation and per hub.

- **overdue**: the review date has passed (or the entry was never reviewed);
- **no owner**: no active provider account works for the entry's organisation, so nobody is
  reminded to check it (``earlyhelp review-reminders``);
- **completeness**: the share of the useful optional fields an entry fills in, of those that apply
  to it (:data:`COMPLETENESS_FIELDS`);
- **likely duplicates**: pairs of services of *different* organisations with very similar titles, or
  the same phone number, email address or web page;
- **invalid contacts**: phone numbers that are not valid UK numbers (Google's libphonenumber data,
  through ``phonenumbers``), malformed email addresses, venue postcodes that are not full postcodes;
- **suggestions**: reports from the public, open and dealt with.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from urllib.parse import urlsplit

import phonenumbers

from ..postcodes import PostcodeError, postcode_parts

# (field, what it holds) in the order they are listed; which apply depends on the service.
COMPLETENESS_FIELDS = ("how_to_access", "venues", "times", "cost", "languages", "evidence", "email")
TITLE_SIMILARITY = 0.85  # difflib ratio of two normalised titles
_LARGEST_BLOCK = 60  # title words shared by more services than this are too common to compare on
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


def _title_key(title: str) -> str:
    words = re.findall(r"\w+", title.casefold())
    return " ".join(word for word in words if word not in _STOP_WORDS)


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


def likely_duplicates(services: Iterable[dict]) -> list[Duplicate]:
    """Pairs of services of different organisations that look like the same service."""
    services = list(services)
    reasons: dict[tuple[str, str], set[str]] = {}

    def note(first: dict, second: dict, reason: str) -> None:
        if first["organisation_id"] == second["organisation_id"]:
            return
        pair = tuple(sorted((first["id"], second["id"])))
        reasons.setdefault(pair, set()).add(reason)

    by_contact: dict[tuple[str, str], list[dict]] = {}
    for service in services:
        for key in _contact_keys(service):
            by_contact.setdefault(key, []).append(service)
    for (kind, _value), sharing in by_contact.items():
        for index, first in enumerate(sharing):
            for second in sharing[index + 1:]:
                note(first, second, kind)

    # Titles: compare only services that share a title word (a word in very many titles is no clue).
    keys = {service["id"]: _title_key(service["title"]) for service in services}
    by_word: dict[str, list[dict]] = {}
    for service in services:
        for word in set(keys[service["id"]].split()):
            by_word.setdefault(word, []).append(service)
    compared: set[tuple[str, str]] = set()
    for sharing in by_word.values():
        if len(sharing) > _LARGEST_BLOCK:
            continue
        for index, first in enumerate(sharing):
            for second in sharing[index + 1:]:
                pair = tuple(sorted((first["id"], second["id"])))
                if pair in compared or first["organisation_id"] == second["organisation_id"]:
                    continue
                compared.add(pair)
                if SequenceMatcher(None, keys[pair[0]], keys[pair[1]]).ratio() >= TITLE_SIMILARITY:
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
