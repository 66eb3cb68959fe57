"""The entries of the directory, as loaded from `content/`."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import NamedTuple

ACCESS_ROUTES = ("self-referral", "professional-referral", "early-help-hub", "drop-in")
DELIVERY_MODES = ("in-person", "online", "phone", "home-visit")
STATUSES = ("published", "draft", "archived")
EVIDENCE_RATINGS = ("2", "2+", "2*", "3", "3+", "3*", "4", "4+", "4*", "NL2", "NE")
NO_UPPER_AGE = 99
BOROUGH_WIDE = "all"


@dataclass
class FrontDoor:
    name: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""


@dataclass
class Site:
    name: str = "Early Help Directory"
    council: str = ""
    default_language: str = "en"
    languages: list[str] = field(default_factory=lambda: ["en"])
    front_door: FrontDoor = field(default_factory=FrontDoor)
    emergency: str = ""
    quick_exit_url: str = "https://www.bbc.co.uk/weather"
    review_months: int = 12
    # Where the site is served (``https://directory.example.gov.uk``): absolute links are built from it.
    base_url: str = ""


@dataclass
class Need:
    id: str
    label: str
    description: str = ""
    synonyms: list[str] = field(default_factory=list)


@dataclass
class AgeBand:
    id: str
    label: str
    min: int | None = None
    max: int | None = None
    pregnancy: bool = False

    def overlaps(self, age_min: int, age_max: int, pregnancy: bool) -> bool:
        """Whether a service for ages ``age_min``..``age_max`` fits this band."""
        if self.pregnancy:
            return pregnancy
        return age_min <= self.max and age_max >= self.min


@dataclass
class Level:
    id: int
    label: str
    description: str = ""


@dataclass
class Hub:
    id: str
    name: str
    address: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""
    covers: list[str] = field(default_factory=list)
    wards: list[str] = field(default_factory=list)
    opening_hours: str = ""
    body: str = ""
    source: str = ""


@dataclass
class Organisation:
    id: str
    name: str
    website: str = ""
    phone: str = ""
    email: str = ""
    body: str = ""
    source: str = ""


@dataclass
class Contact:
    phone: str = ""
    email: str = ""
    website: str = ""
    referral_form: str = ""


@dataclass
class Venue:
    name: str
    address: str = ""
    postcode: str = ""
    hub: str = ""
    schedule: str = ""
    accessibility: str = ""
    hours: list[str] = field(default_factory=list)  # weekly periods, e.g. "Mon-Fri 09:00-17:00"


@dataclass
class Evidence:
    rating: str = ""
    source: str = ""
    url: str = ""


class ServiceRefs(NamedTuple):
    """What the checks across entries and a publish's bookkeeping read of a service, and no more.

    Kept beside each cached service file (``entry_cache``) so that a load in
    which the file did not change need not unpickle the whole service.
    """

    source: str
    status: str
    organisation: str
    needs: tuple[str, ...]
    hubs: tuple[str, ...]
    venues: tuple[tuple[str, str], ...]   # (hub, postcode) of each venue, in order
    last_reviewed: dt.date | None
    review_months: int | None

    def review_due(self, default_months: int) -> dt.date | None:
        return _review_due(self.last_reviewed, self.review_months, default_months)


@dataclass
class Service:
    id: str
    title: str
    summary: str
    organisation: str
    needs: list[str]
    age_min: int
    age_max: int
    pregnancy: bool
    levels: list[int]
    hubs: list[str]
    borough_wide: bool
    access: list[str]
    free: bool
    delivery: list[str]
    contact: Contact
    status: str
    last_reviewed: dt.date | None
    how_to_access: str = ""
    cost: str = ""
    languages: list[str] = field(default_factory=list)
    interpreters: bool = False
    venues: list[Venue] = field(default_factory=list)
    evidence: Evidence | None = None
    keywords: list[str] = field(default_factory=list)
    review_months: int | None = None
    body: str = ""
    source: str = ""

    def served_hubs(self) -> list[str]:
        """Hubs where families can use the service: listed hubs plus venue hubs."""
        hubs = list(self.hubs)
        for venue in self.venues:
            if venue.hub and venue.hub not in hubs:
                hubs.append(venue.hub)
        return hubs

    def review_due(self, default_months: int) -> dt.date | None:
        """The date by which an editor must check the entry again."""
        return _review_due(self.last_reviewed, self.review_months, default_months)

    def refs(self) -> ServiceRefs:
        return ServiceRefs(self.source, self.status, self.organisation, tuple(self.needs), tuple(self.hubs),
                           tuple((venue.hub, venue.postcode) for venue in self.venues), self.last_reviewed,
                           self.review_months)


@dataclass
class Page:
    slug: str
    title: str
    summary: str = ""
    body: str = ""
    source: str = ""


def _review_due(last_reviewed: dt.date | None, months: int | None, default_months: int) -> dt.date | None:
    return None if last_reviewed is None else add_months(last_reviewed, months or default_months)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved on by whole months, clamped to the end of a short month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - 28 always exists


_UUID_NAMESPACE = uuid.UUID("6f0d7c2e-1a43-5b8e-9c1d-3e5f7a9b2c4d")


def stable_uuid(kind: str, slug: str) -> str:
    """A UUID that stays the same for an entry as long as its id does (for Open Referral)."""
    return str(uuid.uuid5(_UUID_NAMESPACE, f"{kind}/{slug}"))
