"""Turn parsed YAML documents into entries, recording every problem."""

from __future__ import annotations

import datetime as dt
import html
import re

from ..opening_hours import HoursError, parse_line
from .fields import LANGUAGE_PATTERN, POSTCODE_AREA_PATTERN, EntryReader
from .model import (
    ACCESS_ROUTES,
    BOROUGH_WIDE,
    DELIVERY_MODES,
    EVIDENCE_RATINGS,
    NO_UPPER_AGE,
    STATUSES,
    AgeBand,
    Contact,
    Evidence,
    FrontDoor,
    Hub,
    Level,
    Need,
    Organisation,
    Page,
    Service,
    Site,
    Venue,
)
from .problems import Problem
from .yamlfile import Document

SUMMARY_LIMIT = 200
SAFE_LINK_SCHEMES = ("http", "https", "mailto", "tel")
# An origin: scheme, host and an optional port (the site is served from the root of its host).
BASE_URL_PATTERN = re.compile(r"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?$")
_LINK_TARGETS = re.compile(
    r"\]\(\s*<?(?P<md>[^)\s>]+)"            # [text](target)
    r"|^\s{0,3}\[[^\]]+\]:\s*<?(?P<ref>[^\s>]+)"  # [label]: target (a reference definition)
    r"|<(?P<auto>[A-Za-z][A-Za-z0-9+.-]*:[^>\s]*)>"  # <scheme:target>
    r"|(?:href|src)\s*=\s*(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)'|(?P<bare>[^\s>]+))",  # raw HTML
    re.IGNORECASE,
)
# "](" of a Markdown link, "]:" of a reference definition, "<" of an autolink, "=" of an attribute.
_LINK_MARKS = ("](", "]:", "<", "=")
# Browsers ignore these inside a URL ("java&#09;script:" is "javascript:").
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")


def check_body_links(source: str, document: Document, problems: list[Problem]) -> None:
    """Report links in a Markdown body that are not http(s), mailto or tel.

    Targets are read as a browser would: character references decoded and
    whitespace and control characters dropped, so disguised schemes are caught.
    """
    body = document.body
    # Every kind of link `_LINK_TARGETS` finds has one of these marks: most bodies have none.
    if not any(mark in body for mark in _LINK_MARKS):
        return
    for offset, line in enumerate(body.splitlines()):
        for match in _LINK_TARGETS.finditer(line):
            written = next(group for group in match.groups() if group is not None)
            target = _IGNORED_IN_URLS.sub("", html.unescape(written))
            scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", target)
            if scheme and scheme.group(1).lower() not in SAFE_LINK_SCHEMES:
                problems.append(Problem(
                    source, document.body_line + offset, "body",
                    f"unsafe link '{written.strip()[:60]}'; use https://, mailto: or tel:"))


def read_site(reader: EntryReader) -> Site:
    reader.unknown_keys({"name", "council", "default_language", "languages", "front_door",
                         "emergency", "quick_exit_url", "review_months", "base_url"})
    site = Site(
        name=reader.plain_text("name"),
        council=reader.plain_text("council"),
        default_language=reader.text("default_language", required=False) or "en",
        languages=reader.text_list("languages", required=False) or ["en"],
        emergency=reader.plain_text("emergency", required=False),
        quick_exit_url=reader.url("quick_exit_url", required=True),
        review_months=reader.integer("review_months", required=False, low=1, high=60) or 12,
        base_url=reader.url("base_url", required=False).rstrip("/"),
    )
    if site.base_url and not BASE_URL_PATTERN.match(site.base_url):
        reader.problem("base_url", "must be the site's address alone, such as "
                                   "https://directory.example.gov.uk (no path, query or fragment)")
        site.base_url = ""
    for index, code in enumerate(site.languages):
        if not LANGUAGE_PATTERN.match(code):
            reader.item_problem("languages", index, f"'{code}' is not a two-letter language code")
    if site.default_language not in site.languages:
        reader.problem("default_language", "must be one of the offered languages")
    door = reader.child("front_door")
    if door is None:
        reader.problem("front_door",
                       "is required: families must always see where to go when worried about a child")
    else:
        door.unknown_keys({"name", "phone", "email", "website"})
        site.front_door = FrontDoor(name=door.plain_text("name"), phone=door.phone("phone", required=True),
                                    email=door.email("email"), website=door.url("website"))
    return site


def _list_items(reader: EntryReader, what: str) -> list[EntryReader]:
    if not isinstance(reader.document.data, list):
        reader.problem("", f"must be a list of {what}")
        return []
    items = []
    for index, item in enumerate(reader.document.data):
        path = f"[{index}]"
        if not isinstance(item, dict):
            reader.problems.append(Problem(reader.source, reader.document.line_of(path), path,
                                           "must be a mapping of fields"))
            continue
        items.append(EntryReader(reader.source, reader.document, item, path, reader.problems))
    return items


def _unique(reader: EntryReader, key, seen: set) -> bool:
    if key in seen:
        reader.problem("id", f"duplicate id '{key}'")
        return False
    seen.add(key)
    return True


def read_needs(reader: EntryReader) -> dict[str, Need]:
    needs: dict[str, Need] = {}
    for item in _list_items(reader, "needs"):
        item.unknown_keys({"id", "label", "description", "synonyms"})
        need = Need(id=item.identifier("id"), label=item.plain_text("label"),
                    description=item.plain_text("description", required=False),
                    synonyms=[s.lower() for s in item.text_list("synonyms", required=False)])
        if need.id and _unique(item, need.id, set(needs)):
            needs[need.id] = need
    return needs


def read_age_bands(reader: EntryReader) -> dict[str, AgeBand]:
    bands: dict[str, AgeBand] = {}
    for item in _list_items(reader, "age bands"):
        item.unknown_keys({"id", "label", "min", "max", "pregnancy"})
        pregnancy = item.boolean("pregnancy")
        band = AgeBand(id=item.text("id"), label=item.plain_text("label"), pregnancy=pregnancy,
                       min=item.integer("min", required=not pregnancy),
                       max=item.integer("max", required=not pregnancy))
        if band.id and not re.match(r"^[a-z0-9-]+$", band.id):
            item.problem("id", f"'{band.id}' is not a valid id")
        if band.min is not None and band.max is not None and band.min > band.max:
            item.problem("max", "must not be less than min")
        if band.id and _unique(item, band.id, set(bands)):
            bands[band.id] = band
    return bands


def read_levels(reader: EntryReader) -> dict[int, Level]:
    levels: dict[int, Level] = {}
    for item in _list_items(reader, "levels"):
        item.unknown_keys({"id", "label", "description"})
        level_id = item.integer("id", low=1, high=4)
        level = Level(id=level_id or 0, label=item.plain_text("label"),
                      description=item.plain_text("description", required=False))
        if level_id and _unique(item, level_id, set(levels)):
            levels[level_id] = level
    return levels


def _check_id_matches_file(reader: EntryReader, entry_id: str, stem: str) -> None:
    if entry_id and entry_id != stem:
        reader.problem("id", f"'{entry_id}' does not match the file name '{stem}.md'")


def read_hub(reader: EntryReader, stem: str) -> Hub:
    reader.unknown_keys({"id", "name", "address", "postcode", "phone", "email", "covers",
                         "wards", "opening_hours"})
    hub = Hub(id=reader.identifier("id"), name=reader.plain_text("name"),
              address=reader.plain_text("address"), postcode=reader.postcode("postcode", required=True),
              phone=reader.phone("phone"), email=reader.email("email"),
              covers=[], wards=reader.text_list("wards", required=False),
              opening_hours=reader.plain_text("opening_hours", required=False),
              body=reader.document.body, source=reader.source)
    _check_id_matches_file(reader, hub.id, stem)
    for index, area in enumerate(reader.text_list("covers")):
        normalised = " ".join(area.upper().split())
        if POSTCODE_AREA_PATTERN.match(normalised):
            hub.covers.append(normalised)
        else:
            reader.item_problem("covers", index,
                                 f"'{area}' is not a postcode district or sector (e.g. N17 or N15 3)")
    if not (hub.phone or hub.email):
        reader.problem("phone", "a hub needs a phone number or an email address")
    return hub


def read_organisation(reader: EntryReader, stem: str) -> Organisation:
    reader.unknown_keys({"id", "name", "website", "phone", "email"})
    organisation = Organisation(id=reader.identifier("id"), name=reader.plain_text("name"),
                                website=reader.url("website"), phone=reader.phone("phone"),
                                email=reader.email("email"), body=reader.document.body,
                                source=reader.source)
    _check_id_matches_file(reader, organisation.id, stem)
    return organisation


SERVICE_FIELDS = {
    "id", "title", "summary", "organisation", "needs", "ages", "levels", "hubs", "access",
    "how_to_access", "free", "cost", "delivery", "languages", "interpreters", "contact",
    "venues", "evidence", "keywords", "status", "last_reviewed", "review_months",
}


def _read_hours(venue_reader: EntryReader) -> list[str]:
    """A venue's weekly opening hours, one period a line (see app/opening_hours.py); bad lines reported."""
    lines = []
    for index, line in enumerate(venue_reader.text_list("hours", required=False)):
        try:
            parse_line(line)
        except HoursError as error:
            venue_reader.item_problem("hours", index, str(error))
        else:
            lines.append(" ".join(line.split()))
    return lines


def read_service(reader: EntryReader, stem: str, today: dt.date) -> Service:
    reader.unknown_keys(SERVICE_FIELDS)
    service_id = reader.identifier("id")
    _check_id_matches_file(reader, service_id, stem)

    age_min, age_max, pregnancy = 0, NO_UPPER_AGE, False
    ages = reader.child("ages")
    if ages is None:
        if "ages" not in reader.data:
            reader.problem("ages", "is required, e.g. {min: 0, max: 5}")
    else:
        ages.unknown_keys({"min", "max", "pregnancy"})
        low, high = ages.integer("min"), ages.integer("max")
        pregnancy = ages.boolean("pregnancy")
        if low is not None and high is not None:
            if low > high:
                ages.problem("max", "must not be less than min")
            else:
                age_min, age_max = low, high

    hubs_value = reader.data.get("hubs")
    borough_wide = hubs_value == BOROUGH_WIDE or hubs_value == [BOROUGH_WIDE]
    hubs = [] if borough_wide else reader.text_list("hubs")
    if BOROUGH_WIDE in hubs:
        reader.problem("hubs", "use 'hubs: all' on its own for a borough-wide service")
        hubs = [hub for hub in hubs if hub != BOROUGH_WIDE]

    levels = []
    for index, value in enumerate(reader.text_list("levels")):
        if value in {"1", "2", "3", "4"}:
            levels.append(int(value))
        else:
            reader.item_problem("levels", index, f"'{value}' is not a level of need; use 1, 2, 3 or 4")

    contact_reader = reader.child("contact")
    contact = Contact()
    if contact_reader is None:
        if "contact" not in reader.data:
            reader.problem("contact", "is required: give a phone, email, website or referral form")
    else:
        contact_reader.unknown_keys({"phone", "email", "website", "referral_form"})
        contact = Contact(phone=contact_reader.phone("phone"), email=contact_reader.email("email"),
                          website=contact_reader.url("website"),
                          referral_form=contact_reader.url("referral_form"))
        if not any(contact_reader.data.get(key) for key in vars(contact)):
            contact_reader.problem("", "give at least one of phone, email, website, referral_form")

    venues = []
    for venue_reader in reader.items("venues"):
        venue_reader.unknown_keys({"name", "address", "postcode", "hub", "schedule", "accessibility",
                                   "hours"})
        venues.append(Venue(name=venue_reader.plain_text("name"),
                            address=venue_reader.plain_text("address"),
                            postcode=venue_reader.postcode("postcode", required=True),
                            hub=venue_reader.identifier("hub", required=False),
                            schedule=venue_reader.plain_text("schedule", required=False),
                            accessibility=venue_reader.plain_text("accessibility", required=False),
                            hours=_read_hours(venue_reader)))

    evidence = None
    evidence_reader = reader.child("evidence")
    if evidence_reader is not None:
        evidence_reader.unknown_keys({"rating", "source", "url"})
        rating = evidence_reader.text("rating")
        if rating and rating not in EVIDENCE_RATINGS:
            evidence_reader.problem("rating", f"'{rating}' is not a Foundations Guidebook rating "
                                              f"({', '.join(EVIDENCE_RATINGS)})")
        evidence = Evidence(rating=rating, source=evidence_reader.plain_text("source", required=False),
                            url=evidence_reader.url("url"))

    languages = reader.text_list("languages", required=False)
    for index, code in enumerate(languages):
        if not LANGUAGE_PATTERN.match(code):
            reader.item_problem("languages", index, f"'{code}' is not a two-letter ISO 639-1 code")

    status = reader.text("status")
    if status and status not in STATUSES:
        reader.problem("status", f"'{status}' is not one of: {', '.join(STATUSES)}")
    last_reviewed = reader.date("last_reviewed")
    if last_reviewed and last_reviewed > today:
        reader.problem("last_reviewed", f"{last_reviewed.isoformat()} is in the future")

    service = Service(
        id=service_id,
        title=reader.plain_text("title", max_length=120),
        summary=reader.plain_text("summary", max_length=SUMMARY_LIMIT),
        organisation=reader.identifier("organisation"),
        needs=reader.text_list("needs"),
        age_min=age_min, age_max=age_max, pregnancy=pregnancy,
        levels=levels, hubs=hubs, borough_wide=borough_wide,
        access=reader.choice_list("access", ACCESS_ROUTES),
        how_to_access=reader.plain_text("how_to_access", required=False),
        free=reader.boolean("free", required=True),
        cost=reader.plain_text("cost", required=False),
        delivery=reader.choice_list("delivery", DELIVERY_MODES),
        languages=languages,
        interpreters=reader.boolean("interpreters"),
        contact=contact, venues=venues, evidence=evidence,
        keywords=reader.text_list("keywords", required=False),
        status=status, last_reviewed=last_reviewed,
        review_months=reader.integer("review_months", required=False, low=1, high=60),
        body=reader.document.body, source=reader.source,
    )
    if not service.free and not service.cost:
        reader.problem("cost", "say what it costs when free is false")
    return service


def read_page(reader: EntryReader, stem: str) -> Page:
    reader.unknown_keys({"title", "summary"})
    if not re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", stem):
        reader.problem("", f"'{stem}' is not a valid page slug")
    return Page(slug=stem, title=reader.plain_text("title"),
                summary=reader.plain_text("summary", required=False),
                body=reader.document.body, source=reader.source)
