"""A release as Open Referral UK 3.0 records (see docs/open-referral.md for the mapping).

Builds plain dictionaries from what a release reader (``app.release.reader``)
reads; the web layer serves them and
``earlyhelp export oruk`` writes them to files. Empty optional fields are left
out, never ``None`` or ``""``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from ..content.model import ACCESS_ROUTES, DELIVERY_MODES, EVIDENCE_RATINGS, NO_UPPER_AGE, stable_uuid
from ..opening_hours import HoursError, parse_line
from ..release.directory import Directory
from ..release.reader import ReleaseReader, ServiceSelection

VERSION = "HSDS-UK-3.0"
PROFILE_URL = "https://openreferraluk.org/specifications/3.0/"

# Our taxonomies: name -> (label, the list field of a service holding its terms, if one does).
TAXONOMIES = {
    "needs": ("Needs", "needs"),
    "age-bands": ("Age bands", "age_bands"),
    "levels": ("Levels of need (continuum of need)", "levels"),
    "hubs": ("Early Help Hubs", "hubs"),
    "access-routes": ("How to access a service", "access"),
    "delivery": ("How a service is delivered", "delivery"),
    "evidence-ratings": ("Foundations Guidebook evidence ratings", None),
    "directory-fields": ("Early Help Directory fields", None),
}
# A Foundations (formerly EIF) Guidebook rating in words: its level, then what '+' and '*' add.
EVIDENCE_LEVELS = {"2": "preliminary evidence", "3": "evidence of efficacy", "4": "evidence of effectiveness",
                   "NL2": "not yet rated at level 2", "NE": "found not to be effective"}
EVIDENCE_STRENGTH = {"+": ", stronger", "*": ", mixed"}
# What ORUK 3.0 has no field for is carried the standard's way: an attribute linking the entry to
# one of these terms, with HSDS 3.0's attribute ``value`` holding the value where a term needs one.
FIELD_TERMS = {
    "entry-id": ("Entry id", "The entry's id in the Early Help Directory (its page address and file "
                 "name); the attribute's value holds it."),
    "interpreters": ("Interpreters can be arranged", "An interpreter can be arranged for a family."),
    "keyword": ("Search keyword", "A word families search for the service with; the attribute's value "
                "holds it."),
    "evidence-source": ("Source of the evidence rating", "Where the service's evidence rating comes from; "
                        "the attribute's value holds it."),
    "evidence-url": ("Link to the evidence rating", "The address of the service's evidence rating; the "
                     "attribute's value holds it."),
    "review-months": ("Months between reviews", "How many months after each review the service is "
                      "checked again, when not the directory's usual interval; the attribute's value "
                      "holds it."),
}
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # index = our day number (0 = Monday)
ACCESS_ROUTE_NAMES = {"self-referral": "Self-referral", "professional-referral": "Professional referral",
                      "early-help-hub": "Through the Early Help Hub", "drop-in": "Drop-in"}
DELIVERY_NAMES = {"in-person": "In person", "online": "Online", "phone": "Phone", "home-visit": "Home visit"}


def clean(value):
    """``value`` without empty optional fields (None, "", [] and {}), recursively."""
    if isinstance(value, dict):
        cleaned = ((key, clean(item)) for key, item in value.items())
        return {key: item for key, item in cleaned if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [item for item in map(clean, value) if item not in (None, "", [], {})]
    return value


@dataclass
class Term:
    taxonomy: str
    term: str
    name: str
    description: str

    @cached_property
    def id(self) -> str:
        return stable_uuid("taxonomy_term", f"{self.taxonomy}/{self.term}")

    @cached_property
    def _record(self) -> dict:
        return clean({"id": self.id, "name": self.name, "description": self.description or self.name,
                      "taxonomy_id": stable_uuid("taxonomy", self.taxonomy), "taxonomy": self.taxonomy,
                      "term": self.term})

    def record(self) -> dict:
        """The term as ORUK nests it (made once: a page repeats each term in many attributes)."""
        return dict(self._record)


@dataclass
class Vocabulary:
    """Every taxonomy term of a release, by (taxonomy, our id) and by UUID."""

    terms: dict[tuple[str, str], Term] = field(default_factory=dict)
    by_uuid: dict[str, Term] = field(default_factory=dict)

    def add(self, term: Term) -> None:
        self.terms[(term.taxonomy, term.term)] = term
        self.by_uuid[term.id] = term

    def of(self, taxonomy: str) -> list[Term]:
        return [term for (name, _), term in self.terms.items() if name == taxonomy]


def evidence_words(rating: str) -> str:
    """A rating in words: ``4+`` -> ``evidence of effectiveness, stronger``."""
    return EVIDENCE_LEVELS.get(rating.rstrip("+*"), rating) + EVIDENCE_STRENGTH.get(rating[-1:], "")


def vocabulary(directory: Directory) -> Vocabulary:
    found = Vocabulary()
    for need in directory.needs.values():
        found.add(Term("needs", need["id"], need["label"], need["description"]))
    for band in directory.age_bands.values():
        found.add(Term("age-bands", band["id"], band["label"], ""))
    for level in directory.levels.values():
        found.add(Term("levels", str(level["id"]), level["label"], level["description"]))
    for hub in directory.hubs.values():
        found.add(Term("hubs", hub["id"], hub["name"], ""))
    for route in ACCESS_ROUTES:
        found.add(Term("access-routes", route, ACCESS_ROUTE_NAMES[route], ""))
    for mode in DELIVERY_MODES:
        found.add(Term("delivery", mode, DELIVERY_NAMES[mode], ""))
    for rating in EVIDENCE_RATINGS:
        found.add(Term("evidence-ratings", rating, f"Evidence rating {rating}",
                       f"Foundations Guidebook rating {rating}: {evidence_words(rating)}"))
    for key, (name, description) in FIELD_TERMS.items():
        found.add(Term("directory-fields", key, name, description))
    return found


def attribute(vocabulary: Vocabulary, key: str, link_id: str, link_type: str, taxonomy: str, term: str,
              value: str | None = None, nested: bool = True) -> dict | None:
    """An attribute linking the record ``link_id`` to one of our terms (None for an unknown term).

    ``key`` makes its UUID (unique per record and term); ``value`` is HSDS 3.0's attribute value.
    ``nested=False`` leaves the term out (named by its id only), for attributes repeated many
    times over: a service's keywords would otherwise carry the same term once per keyword.
    """
    found = vocabulary.terms.get((taxonomy, term))
    if found is None:
        return None
    return {"id": stable_uuid("attribute", key), "link_id": link_id, "link_type": link_type,
            "taxonomy_term_id": found.id, "value": value, "taxonomy_term": found.record() if nested else None}


def entry_id_attribute(vocabulary: Vocabulary, kind: str, slug: str, uuid: str, link_type: str) -> dict:
    """The attribute that carries our own id, so an import gives the entry the same id back."""
    return attribute(vocabulary, f"{kind}/{slug}/directory-fields/entry-id", uuid, link_type,
                     "directory-fields", "entry-id", slug)


def taxonomy_record(name: str, vocabulary: Vocabulary, with_terms: bool = False) -> dict:
    record = {"id": stable_uuid("taxonomy", name), "name": TAXONOMIES[name][0],
              "description": TAXONOMIES[name][0], "version": VERSION}
    if with_terms:
        record["taxonomy_terms"] = [term.record() for term in vocabulary.of(name)]
    return record


def organisation_record(row: dict, vocabulary: Vocabulary) -> dict:
    """An organisation: its phone under HSDS 3.0's ``phones``, its id as an attribute."""
    uuid = row["uuid"]
    phones = [{"id": stable_uuid("phone", f"organisation/{row['id']}"), "organization_id": uuid,
               "number": row["phone"]}] if row.get("phone") else []
    return clean({"id": uuid, "name": row["name"],
                  "description": (row.get("body_markdown") or "").strip() or row["name"],
                  "email": row.get("email"), "website": row.get("website"), "phones": phones,
                  "attributes": [entry_id_attribute(vocabulary, "organisation", row["id"], uuid,
                                                    "organization")]})


def _modified(service: dict) -> str | None:
    reviewed = service.get("last_reviewed")
    return f"{reviewed}T00:00:00Z" if reviewed else None


def _city(address: str, council: str) -> str:
    parts = [part.strip() for part in address.split(",") if part.strip()]
    return parts[-1] if len(parts) > 1 else council


def review_months(service: dict, default_months: int) -> int | None:
    """The service's own review interval, read back from its review date (None: the site's)."""
    reviewed, due = service.get("last_reviewed"), service.get("review_due")
    if not reviewed or not due:
        return None
    reviewed, due = dt.date.fromisoformat(reviewed), dt.date.fromisoformat(due)
    months = (due.year - reviewed.year) * 12 + due.month - reviewed.month
    return months if months != default_months else None


def _days(days: list[int]) -> str:
    return ",".join(ICAL_DAYS[day] for day in days)


def _time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def hours_schedules(lines: list[str], key: str, sid: str, at_location: str) -> list[dict]:
    """A venue's weekly ``hours`` as schedules: one a line, ``freq: WEEKLY`` with ``byday``,
    ``opens_at`` and ``closes_at`` (UK wall-clock time)."""
    schedules = []
    for number, line in enumerate(lines):
        try:
            periods = parse_line(line)
        except HoursError:  # the loader rejects these; a release never holds one
            continue
        schedules.append({"id": stable_uuid("schedule", f"{key}/hours/{number}"), "service_id": sid,
                          "service_at_location_id": at_location, "freq": "WEEKLY",
                          "byday": _days([period.day for period in periods]),
                          "opens_at": _time(periods[0].opens), "closes_at": _time(periods[0].closes)})
    return schedules


def _service_attributes(service: dict, directory: Directory, vocabulary: Vocabulary) -> list[dict]:
    sid, slug = service["uuid"], service["id"]
    hubs = list(directory.hubs) if service["borough_wide"] else service["hubs"]
    terms = [(taxonomy, value) for taxonomy, values in (
        ("needs", service["needs"]), ("age-bands", service["age_bands"]),
        ("levels", [str(level) for level in service["levels"]]), ("hubs", hubs),
        ("access-routes", service["access"]), ("delivery", service["delivery"])) for value in values]
    if service["evidence_rating"]:
        terms.append(("evidence-ratings", service["evidence_rating"]))
    if service["interpreters"]:
        terms.append(("directory-fields", "interpreters"))
    found = [attribute(vocabulary, f"{slug}/{taxonomy}/{value}", sid, "service", taxonomy, value)
             for taxonomy, value in terms]
    found.append(entry_id_attribute(vocabulary, "service", slug, sid, "service"))
    valued = [("evidence-source", service["evidence_source"]), ("evidence-url", service["evidence_url"])]
    months = review_months(service, int(directory.site.get("review_months") or 12))
    if months:
        valued.append(("review-months", str(months)))
    found += [attribute(vocabulary, f"{slug}/directory-fields/{name}", sid, "service", "directory-fields",
                        name, value) for name, value in valued if value]
    found += [attribute(vocabulary, f"{slug}/directory-fields/keyword/{position}", sid, "service",
                        "directory-fields", "keyword", keyword, nested=False)
              for position, keyword in enumerate(service["keywords"])]
    return [item for item in found if item]


def _accreditations(service: dict) -> str | None:
    """The evidence rating in words, for readers of the feed that do not read attributes."""
    rating = service["evidence_rating"]
    if not rating:
        return None
    source = f" ({service['evidence_source']})" if service["evidence_source"] else ""
    link = f" {service['evidence_url']}" if service["evidence_url"] else ""
    return f"Foundations Guidebook evidence rating {rating}: {evidence_words(rating)}{source}.{link}"


def service_record(service: dict, directory: Directory, vocabulary: Vocabulary) -> dict:
    """A fully nested service, from :meth:`app.release.reader.ReleaseReader.service_details`."""
    sid, slug = service["uuid"], service["id"]
    council = directory.site.get("council") or directory.site.get("name") or "Local authority"
    attributes = _service_attributes(service, directory, vocabulary)
    locations, schedules = [], []
    for position, venue in enumerate(service["venues"]):
        key = f"{slug}/{position}"
        at_location, location_id = stable_uuid("service_at_location", key), stable_uuid("location", key)
        hub = attribute(vocabulary, f"{key}/hubs", location_id, "location", "hubs", venue["hub_id"] or "")
        locations.append({"id": at_location, "service_id": sid, "location_id": location_id, "location": {
            "id": location_id, "location_type": "physical", "name": venue["name"],
            "addresses": [{"id": stable_uuid("address", key), "location_id": location_id,
                           "address_1": venue["address"] or venue["name"],
                           "city": _city(venue["address"] or "", council), "state_province": council,
                           "postal_code": venue["postcode"] or "", "country": "GB",
                           "address_type": "physical"}] if venue["postcode"] else [],
            "accessibility": [{"id": stable_uuid("accessibility", key), "location_id": location_id,
                               "description": venue["accessibility"]}] if venue["accessibility"] else [],
            "attributes": [hub],
        }})
        if venue["schedule"]:
            schedules.append({"id": stable_uuid("schedule", key), "service_id": sid,
                              "service_at_location_id": at_location, "description": venue["schedule"]})
        schedules += hours_schedules((venue.get("hours") or "").splitlines(), key, sid, at_location)
    if service["borough_wide"]:
        areas = [{"id": stable_uuid("service_area", f"{slug}/0"), "service_id": sid, "name": council,
                  "service_area": "Borough-wide"}]
    else:
        areas = [{"id": stable_uuid("service_area", f"{slug}/{position}"), "service_id": sid,
                  "name": directory.hubs[hub]["name"], "service_area": directory.hubs[hub]["name"]}
                 for position, hub in enumerate(service["hubs"]) if hub in directory.hubs]
    contact_id = stable_uuid("contact", slug)
    organisation = service.get("organisation")
    return clean({
        "id": sid,
        "organization_id": organisation["uuid"] if organisation else None,
        "name": service["title"],
        "description": "\n\n".join(
            part for part in (service["summary"], (service["body_markdown"] or "").strip()) if part),
        "url": service["website"],
        "email": service["email"],
        "status": "active",
        "fees": service["cost"],
        "accreditations": _accreditations(service),
        "minimum_age": service["age_min"],
        "maximum_age": None if service["age_max"] >= NO_UPPER_AGE else service["age_max"],
        "assured_date": service["last_reviewed"],
        "last_modified": _modified(service),
        "application_process": service["how_to_access"],
        "referral_url": service["referral_form"],
        "organization": organisation_record(organisation, vocabulary) if organisation else None,
        "schedules": schedules,
        "service_areas": areas,
        "service_at_locations": locations,
        "languages": [{"id": stable_uuid("language", f"{slug}/{code}"), "service_id": sid, "code": code,
                       "name": LANGUAGE_NAMES.get(code, code)} for code in service["languages"]],
        "cost_options": [{"id": stable_uuid("cost_option", slug), "service_id": sid, "option": "Free",
                          "amount": 0} if service["free"] else
                         {"id": stable_uuid("cost_option", slug), "service_id": sid,
                          "option": service["cost"] or "There is a charge"}],
        "contacts": [{"id": contact_id, "service_id": sid,
                      "name": organisation["name"] if organisation else service["title"],
                      "phones": [{"id": stable_uuid("phone", slug), "contact_id": contact_id,
                                  "number": service["phone"]}]}] if service["phone"] else [],
        "attributes": attributes,
    })


def minimal_record(row: dict) -> dict:
    return clean({"id": row["uuid"], "name": row["title"], "status": "active",
                  "last_modified": _modified(row)})


# English names of the languages families ask for; others fall back to Babel in the web layer.
LANGUAGE_NAMES = {"en": "English", "pl": "Polish", "ro": "Romanian", "bn": "Bengali", "ur": "Urdu",
                  "ar": "Arabic", "so": "Somali", "tr": "Turkish", "pt": "Portuguese", "es": "Spanish"}


# -- querying ----------------------------------------------------------------

class FeedError(ValueError):
    """A parameter the feed cannot use; the message says why."""


@dataclass
class ServiceFilter:
    """Filters of ``GET /services`` and ``/service_at_locations``; all given ones must hold."""

    ids: set[str] | None = None          # services the search words matched
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    modified_after: dt.date | None = None
    hub: str | None = None               # hub id, from a postcode

    def selection(self, vocabulary: Vocabulary,
                  own_review_interval: Callable[[], set[str]] = set) -> ServiceSelection:
        """The services these filters select, in the release reader's terms.

        ``own_review_interval`` gives the ids of the services with a review interval of their own
        (the only term no column of the release holds).
        """
        selection = ServiceSelection(ids=self.ids, organisation_uuid=self.organization_id,
                                     modified_after=self.modified_after, hub=self.hub)
        if self.taxonomy_term_id:
            term = vocabulary.by_uuid.get(self.taxonomy_term_id)
            if term is None:
                return ServiceSelection(nothing=True)
            list_field = TAXONOMIES[term.taxonomy][1]
            if list_field:
                value = int(term.term) if term.taxonomy == "levels" else term.term
                selection.list_value = (list_field, value)
            elif term.taxonomy == "evidence-ratings":
                selection.column_value = ("evidence_rating", term.term)
            elif term.term == "interpreters":
                selection.column_value = ("interpreters", 1)
            elif term.term == "keyword":
                selection.has_list = "keywords"
            elif term.term in ("evidence-source", "evidence-url"):
                selection.column_filled = term.term.replace("-", "_")
            elif term.term == "review-months":
                own = own_review_interval()
                selection.ids = own if self.ids is None else own & self.ids
        if self.taxonomy_id:
            name = next((name for name in TAXONOMIES
                         if stable_uuid("taxonomy", name) == self.taxonomy_id), None)
            if name is None:
                return ServiceSelection(nothing=True)
            if TAXONOMIES[name][1]:
                selection.has_list = TAXONOMIES[name][1]
            elif name == "evidence-ratings":
                selection.column_filled = "evidence_rating"
            # every service carries a directory-fields term: its entry id
        return selection


@dataclass
class Page:
    """A page of a list, and the envelope ORUK wraps it in."""

    contents: list[dict]
    total: int
    number: int
    per_page: int

    def envelope(self) -> dict:
        pages = math.ceil(self.total / self.per_page) if self.total else 0
        return {"total_items": self.total, "total_pages": pages, "page_number": self.number,
                "size": len(self.contents), "first_page": self.number == 1,
                "last_page": self.number >= pages, "empty": not self.contents, "contents": self.contents}


class Feed:
    """The ORUK records of one release."""

    def __init__(self, reader: ReleaseReader):
        self.reader = reader
        self.directory = reader.directory
        self.vocabulary = vocabulary(reader.directory)

    # services
    def service_ids(self, filters: ServiceFilter) -> list[str]:
        """Ids of the services that pass the filters, in title order (stable paging)."""
        return self.reader.service_ids(filters.selection(self.vocabulary, self.own_review_interval))

    def own_review_interval(self) -> set[str]:
        """Ids of the services whose review interval is their own, not the directory's."""
        default = int(self.directory.site.get("review_months") or 12)
        return {service_id for service_id, reviewed, due in self.reader.review_dates()
                if review_months({"last_reviewed": reviewed, "review_due": due}, default)}

    def service(self, service_id: str) -> dict | None:
        details = self.reader.service_details(service_id)
        return service_record(details, self.directory, self.vocabulary) if details else None

    def service_by_uuid(self, uuid: str) -> dict | None:
        service_id = self.reader.service_id_for_uuid(uuid)
        return self.service(service_id) if service_id else None

    def services_page(self, filters: ServiceFilter, number: int, per_page: int, minimal: bool) -> Page:
        ids = self.service_ids(filters)
        chosen = ids[(number - 1) * per_page: number * per_page]
        if minimal:
            contents = [minimal_record(row) for row in self.reader.service_summaries(chosen)]
        else:
            contents = [self.service(service_id) for service_id in chosen]
        return Page(contents, len(ids), number, per_page)

    def all_services(self, filters: ServiceFilter) -> Iterator[dict]:
        for service_id in self.service_ids(filters):
            yield self.service(service_id)

    # service at locations
    def service_at_locations(self, filters: ServiceFilter) -> list[dict]:
        found = []
        for service_id in self.service_ids(filters):
            service = self.service(service_id)
            for at_location in service.get("service_at_locations", []):
                found.append(at_location)
        return found

    def service_at_location(self, uuid: str) -> dict | None:
        for service_id, position in self.reader.venue_keys():
            if stable_uuid("service_at_location", f"{service_id}/{position}") == uuid:
                service = self.service(service_id)
                return next(item for item in service["service_at_locations"] if item["id"] == uuid)
        return None

    # organisations
    def organisations(self) -> list[dict]:
        return [organisation_record(row, self.vocabulary) for row in self.reader.organisations()]

    def organisation(self, uuid: str, with_services: bool) -> dict | None:
        row = self.reader.organisation_by_uuid(uuid)
        if row is None:
            return None
        record = organisation_record(row, self.vocabulary)
        ids = self.service_ids(ServiceFilter(organization_id=uuid))
        if with_services:
            record["services"] = [self.service(service_id) for service_id in ids]
        else:
            record["services"] = [{"id": stable_uuid("service", service_id)} for service_id in ids]
        return clean(record)

    # taxonomies
    def taxonomies(self) -> list[dict]:
        return [taxonomy_record(name, self.vocabulary) for name in TAXONOMIES]

    def taxonomy(self, uuid: str) -> dict | None:
        for name in TAXONOMIES:
            if stable_uuid("taxonomy", name) == uuid:
                return taxonomy_record(name, self.vocabulary, with_terms=True)
        return None

    def taxonomy_terms(self, taxonomy_id: str | None = None) -> list[dict]:
        return [term.record() for term in self.vocabulary.terms.values()
                if taxonomy_id is None or stable_uuid("taxonomy", term.taxonomy) == taxonomy_id]

    def taxonomy_term(self, uuid: str) -> dict | None:
        term = self.vocabulary.by_uuid.get(uuid)
        return term.record() if term else None


def paginate(items: list[dict], number: int, per_page: int) -> Page:
    return Page(items[(number - 1) * per_page: number * per_page], len(items), number, per_page)
