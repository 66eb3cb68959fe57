"""Map Open Referral UK 3.0 services to our entries: the reverse of docs/open-referral.md.

A feed of ours maps back exactly (taxonomy terms carry our ids); other feeds
map as far as their words match the target folder's needs, hubs, access
routes and delivery modes. What does not map is reported, never guessed:
an entry missing something we require goes to import-review with the reason.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

from ...content.entries import SUMMARY_LIMIT
from ...content.fields import PHONE_PATTERN, POSTCODE_PATTERN, normalise_postcode
from ...content.model import (
    ACCESS_ROUTES,
    BOROUGH_WIDE,
    DELIVERY_MODES,
    EVIDENCE_RATINGS,
    NO_UPPER_AGE,
    stable_uuid,
)
from ...opening_hours import DAYS as HOUR_DAYS
from ...opening_hours import HoursError, parse_line
from ..oruk import FIELD_TERMS, ICAL_DAYS
from .feed import Feed, read_feed
from .report import UNCHANGED, ImportReport, Outcome
from .target import Target, language_code, normalise, slugify
from .writer import EntryWriter

OUR_TAXONOMIES = ("needs", "age-bands", "levels", "hubs", "access-routes", "delivery")
# The taxonomy whose terms carry our fields that ORUK has no place for, values in the attribute;
# its terms are known by their UUIDs too, as our feed names the keyword term by id alone.
FIELDS_TAXONOMY = "directory-fields"
FIELD_TERM_IDS = {stable_uuid("taxonomy_term", f"{FIELDS_TAXONOMY}/{term}"): term for term in FIELD_TERMS}
STATUSES = {"active": "published", "inactive": "draft", "temporarily closed": "draft", "defunct": "archived"}
# Service fields this mapping reads; others are listed in the summary as not imported.
MAPPED_FIELDS = {
    "id", "organization_id", "organization", "name", "description", "url", "email", "status", "fees",
    "cost_options", "minimum_age", "maximum_age", "assured_date", "languages", "contacts", "phones",
    "service_areas", "service_at_locations", "schedules", "attributes", "application_process",
    "referral_url", "last_modified", "accreditations",
}
DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
        "SA": "Saturday", "SU": "Sunday"}
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")


def import_oruk(source: str, into: str | Path, *, force: bool = False, today: dt.date | None = None,
                timeout: float = 30) -> ImportReport:
    """Import every service of an ORUK feed (URL, file or folder) into the content folder ``into``.

    Raises TargetError when ``into`` has no taxonomy, FeedError when the source
    cannot be read; otherwise returns the report (nothing is written before the
    whole source has been read).
    """
    target = Target.load(into, today)
    feed = read_feed(source, timeout=timeout)
    report = ImportReport(source=source, into=str(into))
    errors_before = {str(problem) for problem in target.content.errors}
    writer = EntryWriter(target, report, origin=f"oruk:{feed.origin}", force=force, today=today)
    mapper = OrukMapper(target, feed, writer, report)
    for service in feed.services:
        mapper.import_service(service)
    # Organisations the feed lists without a published service of theirs come across too.
    for organisation in list(feed.organisations.values()):
        if organisation:
            mapper.organisation_for({"organization": organisation}, [])
    report.notes.extend(feed.notes)
    return writer.finish(errors_before)


# -- text helpers -----------------------------------------------------------------

def plain(value) -> str:
    """One line of plain text: HTML tags dropped, entities decoded, whitespace collapsed."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    text = str(value)
    if re.search(r"<[A-Za-z/!]", text):
        text = html.unescape(re.sub(r"<[^>]*>", " ", text))
    return " ".join(text.split())


def markdown_text(value) -> str:
    """Multi-paragraph text; simple HTML (paragraphs, line breaks, lists) becomes Markdown."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"<(p|br|div|ul|ol|li|h[1-6])\b", text, re.IGNORECASE):
        text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
        text = re.sub(r"<li[^>]*>", "\n- ", text, flags=re.IGNORECASE)
        text = re.sub(r"</(p|div|ul|ol|h[1-6])>", "\n\n", text, flags=re.IGNORECASE)
        text = html.unescape(re.sub(r"<[^>]*>", "", text))
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def cut_summary(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """``text`` shortened below ``limit``: at the last sentence end, else a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    sentence_ends = [match.end() for match in re.finditer(r"[.!?](?=\s|$)", text[:limit])]
    if sentence_ends and sentence_ends[-1] >= limit // 4:
        return text[: sentence_ends[-1]]
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:-") + "…"


def split_description(description) -> tuple[str, str, bool]:
    """(summary, body, cut): the first paragraph when short enough, else a cut summary and the whole text."""
    text = markdown_text(description)
    if not text:
        return "", "", False
    first, _, rest = text.partition("\n\n")
    first_line = plain(first)
    if len(first_line) <= SUMMARY_LIMIT and not first.lstrip().startswith(("- ", "* ", "#")):
        return first_line, rest.strip(), False
    return cut_summary(plain(text)), text, True


def _number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN is not a number here


def _integer(value) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def _date(value) -> dt.date | None:
    match = re.match(r"^(\d{4}-\d{2}-\d{2})", str(value or ""))
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _link(value) -> str:
    text = str(value or "").strip()
    if text.lower().startswith("www."):
        return f"https://{text}"
    return text


def _phone(value) -> str:
    text = " ".join(str(value or "").split())
    return re.sub(r"^tel:", "", text, flags=re.IGNORECASE).strip()


def _postcode(value: str) -> str:
    """A UK postcode in its usual form; anything else as it was written, for an editor to see."""
    postcode = normalise_postcode(value) if value else ""
    return postcode if POSTCODE_PATTERN.match(postcode) else value


def _list(value) -> list:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _clock(value) -> str | None:
    """``HH:MM`` from an ORUK time (``09:00``, ``09:00:00``, ``09:00Z``); the zone, if any, is dropped:
    UK feeds give UK times."""
    match = _CLOCK.match(str(value or "").strip())
    return f"{int(match[1]):02d}:{match[2]}" if match else None


def _day_names(days: list[int]) -> str:
    """Days as an ``hours`` line writes them: runs of three or more as ranges (``Mon-Fri, Sun``)."""
    days = sorted(set(days))
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    names = [HOUR_DAYS[day].title() for day in range(7)]
    return ", ".join(f"{names[run[0]]}-{names[run[-1]]}" if len(run) > 2
                     else ", ".join(names[day] for day in run) for run in runs)


def weekly_hours(schedule: dict) -> str | None:
    """A weekly opening period as a line of a venue's ``hours`` (``Mon-Fri 09:00-17:00``), or None
    when the schedule is anything else (monthly, fortnightly, dated, without days or times)."""
    if str(schedule.get("freq") or "WEEKLY").upper() != "WEEKLY" \
            or _integer(schedule.get("interval")) not in (None, 1) \
            or any(schedule.get(name) for name in ("valid_from", "valid_to", "dtstart", "bymonthday")):
        return None
    codes = [code.strip().upper() for code in str(schedule.get("byday") or "").split(",") if code.strip()]
    opens, closes = _clock(schedule.get("opens_at")), _clock(schedule.get("closes_at"))
    if not codes or not opens or not closes or any(code not in ICAL_DAYS for code in codes):
        return None
    line = f"{_day_names([ICAL_DAYS.index(code) for code in codes])} {opens}-{closes}"
    try:
        parse_line(line)
    except HoursError:  # closes before it opens: left to the schedule's words
        return None
    return line


def describe_schedule(schedule: dict) -> str:
    """A schedule's own description, else its days and times in words."""
    if plain(schedule.get("description")):
        return plain(schedule["description"])
    days = [DAYS.get(day.strip().upper(), "") for day in str(schedule.get("byday") or "").split(",")]
    days = [day for day in days if day]
    opens, closes = str(schedule.get("opens_at") or "")[:5], str(schedule.get("closes_at") or "")[:5]
    hours = f"{opens} to {closes}" if opens and closes else opens or closes
    return " ".join(part for part in (", ".join(days), hours, plain(schedule.get("notes"))) if part)


class OrukMapper:
    """Turns one ORUK service at a time into a service entry (and its organisation)."""

    def __init__(self, target: Target, feed: Feed, writer: EntryWriter, report: ImportReport):
        self.target = target
        self.feed = feed
        self.writer = writer
        self.report = report
        self.organisation_ids: dict[str, str | None] = {}
        self.without_id = 0

    # -- taxonomy terms ------------------------------------------------------------
    def terms_of(self, attributes) -> list[tuple[str, dict]]:
        """(taxonomy name, term) for each attribute, resolving terms named only by id."""
        found = []
        for attribute in _list(attributes):
            term = attribute.get("taxonomy_term")
            if not isinstance(term, dict) and str(attribute.get("taxonomy_term_id")) in FIELD_TERM_IDS:
                continue  # one of our fields, read by fields_of
            if not isinstance(term, dict) and attribute.get("taxonomy_term_id"):
                term = self.feed.term(attribute["taxonomy_term_id"])
            if not isinstance(term, dict):
                self.report.missed("attributes: an attribute without a readable taxonomy term; left out",
                                   "the feed")
                continue
            found.append((self.feed.taxonomy_of(term), term))
        return found

    def fields_of(self, attributes) -> dict[str, list[str]]:
        """Our fields carried as attributes: ``directory-fields`` term -> the attribute values, in
        order, and ``evidence-rating`` -> the rating."""
        found: dict[str, list[str]] = {}
        for attribute in _list(attributes):
            term = attribute.get("taxonomy_term")
            known = FIELD_TERM_IDS.get(str(attribute.get("taxonomy_term_id")))
            if not isinstance(term, dict) and known:
                term = {"taxonomy": FIELDS_TAXONOMY, "term": known}
            if not isinstance(term, dict) and attribute.get("taxonomy_term_id"):
                term = self.feed.term(attribute["taxonomy_term_id"])
            if not isinstance(term, dict):
                continue
            taxonomy, ident = self.feed.taxonomy_of(term), str(term.get("term") or "").strip()
            if taxonomy == FIELDS_TAXONOMY and ident:
                found.setdefault(ident, []).append(str(attribute.get("value") or "").strip())
            elif taxonomy == "evidence-ratings":
                found.setdefault("evidence-rating", []).append(ident)
        return found

    def carried_id(self, kind: str, key: str, oruk_id: str,
                   extra: dict[str, list[str]]) -> tuple[str | None, str]:
        """The entry id the record carries (our ``entry-id`` attribute, in ``extra`` from
        :meth:`fields_of`) when it may keep it; else None and why not."""
        carried = [value for value in extra.get("entry-id", []) if value]
        if not carried:
            return None, ""
        singular = "service" if kind == "services" else "organisation"
        same = self.target.entry_for_uuid(singular, oruk_id) == carried[0]
        wanted, why = self.writer.own_id(kind, key, carried[0], same_entry=same)
        return wanted, (f"its id {why}" if why else "")

    def map_term(self, taxonomy: str, term: dict) -> tuple[str, object] | None:
        """(our field, value) for one term, or None when nothing in the target matches it."""
        target, content = self.target, self.target.content
        ident, label = str(term.get("term") or "").strip(), str(term.get("name") or "").strip()
        if taxonomy == "needs":
            need = ident if ident in content.needs else target.need(ident, label)
            return ("needs", need) if need else None
        if taxonomy == "age-bands":
            band = content.age_bands.get(ident)
            if band is None:
                return None
            return ("pregnancy", True) if band.pregnancy else ("age-band", band)
        if taxonomy == "levels":
            level = (int(ident) if ident.isdigit() and int(ident) in content.levels
                     else target.level(ident, label))
            return ("levels", level) if level else None
        if taxonomy == "hubs":
            hub = ident if ident in content.hubs else target.hub(ident, label)
            return ("hubs", hub) if hub else None
        if taxonomy == "access-routes":
            route = ident if ident in ACCESS_ROUTES else target.access(ident, label)
            return ("access", route) if route else None
        if taxonomy == "delivery":
            mode = ident if ident in DELIVERY_MODES else target.delivery(ident, label)
            return ("delivery", mode) if mode else None
        # Another directory's taxonomy: its words may still name one of ours.
        for field_name, match in (("needs", target.need), ("hubs", target.hub), ("access", target.access),
                                  ("delivery", target.delivery)):
            value = match(label, ident)
            if value:
                return field_name, value
        return None

    # -- organisations --------------------------------------------------------------
    def organisation_for(self, service: dict, notes: list[str]) -> str | None:
        """Our organisation id for the service's organisation, writing the entry when it is new."""
        nested = service.get("organization") if isinstance(service.get("organization"), dict) else None
        oruk_id = str((nested or {}).get("id") or service.get("organization_id") or "")
        organisation = nested
        if organisation is None and oruk_id:
            organisation = self.feed.organisation(oruk_id)
        if organisation is None:
            notes.append(f"organisation: the feed's organization '{oruk_id}' could not be read; add an "
                         "organisation id" if oruk_id else
                         "organisation: the feed names no organization; add an organisation id")
            return None
        name = plain(organisation.get("name"))
        cache_key = oruk_id or normalise(name)
        if cache_key in self.organisation_ids:
            return self.organisation_ids[cache_key]
        key = f"oruk:organization:{cache_key}"
        existing = (self.target.entry_for_uuid("organisation", oruk_id) if oruk_id else None) \
            or self.target.organisation(name)
        if existing and key not in self.writer.state.entries:
            self.report.add(Outcome("organisations", existing, name or existing, UNCHANGED,
                                    f"organisations/{existing}.md", ["already in the folder"]))
            self.organisation_ids[cache_key] = existing
            return existing
        if not name:
            notes.append("organisation: the feed's organization has no name; add an organisation id")
            self.organisation_ids[cache_key] = None
            return None
        slug = slugify(name)
        own = slug if oruk_id and stable_uuid("organisation", slug) == oruk_id else None
        wanted, refused = self.carried_id("organisations", key, oruk_id,
                                          self.fields_of(organisation.get("attributes")))
        organisation_id = self.writer.entry_id("organisations", key, name, exact=existing or wanted or own)
        if refused:
            self.report.notes.append(f"organisation '{name}': {refused}; imported as '{organisation_id}'")
        fields = {"name": name, "website": _link(organisation.get("website") or organisation.get("url")),
                  "phone": _first_phone(_list(organisation.get("phones"))),
                  "email": str(organisation.get("email") or "").strip()}
        body = markdown_text(organisation.get("description"))
        if plain(body) == name:  # our feed repeats the name when an organisation has no description
            body = ""
        self.writer.write_organisation(key, organisation_id, fields, body)
        result = organisation_id if organisation_id in self.writer.organisations else None
        if result is None:
            notes.append(f"organisation: '{name}' could not be written; add an organisation id")
        self.organisation_ids[cache_key] = result
        return result

    # -- services -------------------------------------------------------------------
    def import_service(self, service: dict) -> None:
        """Map and write one service (and its organisation)."""
        oruk_id = str(service.get("id") or "").strip()
        title = plain(service.get("name"))
        if not oruk_id:
            self.report.missed("id: a service without an id; not imported", title or "(no name)")
            return
        key = f"oruk:service:{oruk_id}"
        if self.writer.already_seen(key):
            self.report.notes.append(f"service {oruk_id} appears more than once; the first was imported")
            return
        for name, value in service.items():
            if name not in MAPPED_FIELDS and value not in (None, "", [], {}):
                self.report.ignored_fields[name] += 1

        label = title or oruk_id
        notes: list[str] = []
        fields: dict = {"title": title}
        if not title:
            notes.append("title: the feed's service has no name")
        slug = slugify(title or oruk_id, fallback="service")
        own = slug if stable_uuid("service", slug) == oruk_id else None
        extra = self.fields_of(service.get("attributes"))
        wanted, refused = self.carried_id("services", key, oruk_id, extra)
        exact = self.target.entry_for_uuid("service", oruk_id) or wanted or own
        service_id = self.writer.entry_id("services", key, title or oruk_id, exact=exact)
        if refused:
            self.report.notes.append(f"service '{label}': {refused}; imported as '{service_id}'")

        summary, body, cut = split_description(service.get("description"))
        fields["summary"] = summary
        if not summary:
            notes.append("summary: the feed has no description; write a one-line summary")
        elif cut:
            self.report.missed("summary: description too long for a summary; cut at 200 characters, the "
                               "whole text kept in the body", label)
        fields["organisation"] = self.organisation_for(service, notes) or ""

        mapped: dict[str, list] = {"needs": [], "levels": [], "hubs": [], "access": [], "delivery": [],
                                   "age-band": [], "pregnancy": []}
        feed_terms: dict[str, list[str]] = {}
        for taxonomy, term in self.terms_of(service.get("attributes")):
            if taxonomy in (FIELDS_TAXONOMY, "evidence-ratings"):
                continue  # read by fields_of
            result = self.map_term(taxonomy, term)
            term_label = str(term.get("name") or term.get("term") or term.get("id") or "")
            feed_terms.setdefault(taxonomy, []).append(term_label)
            if result is None:
                self.report.unmapped_term(taxonomy, term_label)
            elif result[1] not in mapped[result[0]]:
                mapped[result[0]].append(result[1])

        fields["needs"] = mapped["needs"]
        if not mapped["needs"]:
            notes.append("needs: no term in the feed maps to a need of this directory"
                         + _terms_hint(feed_terms))
        fields["ages"] = self._ages(service, mapped, label)
        fields["levels"] = mapped["levels"]
        if not mapped["levels"]:
            notes.append("levels: the feed gives no level of need (1 to 4)")
        venues = self._venues(service, label)
        hubs = self._hubs(service, mapped["hubs"], venues)
        fields["hubs"] = hubs
        if not hubs:
            notes.append("hubs: no hub in the feed; add hub ids or 'all' for borough-wide")
        fields["access"] = mapped["access"]
        if not mapped["access"]:
            notes.append("access: the feed does not say how families get to it (self-referral, "
                         "professional-referral, early-help-hub, drop-in)")
        fields["how_to_access"] = plain(service.get("application_process"))
        free, cost = self._cost(service)
        if free is None:
            notes.append("free: the feed does not say whether it costs anything (no cost_options or fees)")
        else:
            fields["free"] = free
        fields["cost"] = cost
        fields["delivery"] = mapped["delivery"] or self._delivery_from_locations(service, label)
        if not fields["delivery"]:
            notes.append("delivery: the feed does not say how it is delivered (in-person, online, phone, "
                         "home-visit)")
        fields["languages"] = self._languages(service, label)
        fields["interpreters"] = True if "interpreters" in extra else None
        fields["contact"] = self._contact(service)
        if not any(fields["contact"].values()):
            notes.append("contact: the feed has no phone, email, website or referral link")
        fields["venues"] = venues
        fields["evidence"] = self._evidence(service, extra, label)
        fields["keywords"] = [plain(word) for word in extra.get("keyword", []) if plain(word)]
        fields["status"] = self._status(service, label)
        filled: dict = {}
        fields["last_reviewed"] = self._last_reviewed(service, key, label, filled)
        fields["review_months"] = self._review_months(extra, label)
        self.writer.write_service(key, service_id, fields, body, notes=notes, filled=filled)

    def _evidence(self, service: dict, extra: dict[str, list[str]], label: str) -> dict | None:
        ratings = [rating for rating in extra.get("evidence-rating", []) if rating in EVIDENCE_RATINGS]
        source = plain(next(iter(extra.get("evidence-source", [])), ""))
        url = _link(next(iter(extra.get("evidence-url", [])), ""))
        if not ratings:
            if extra.get("evidence-rating"):
                self.report.missed("evidence: a rating that is not a Foundations Guidebook rating; left out",
                                   label)
            elif plain(service.get("accreditations")):
                self.report.ignored_fields["accreditations"] += 1
            return None
        return {"rating": ratings[0], "source": source, "url": url}

    def _review_months(self, extra: dict[str, list[str]], label: str) -> int | None:
        written = next(iter(extra.get("review-months", [])), "")
        if not written:
            return None
        months = _integer(written)
        if months is None or not 1 <= months <= 60:
            self.report.missed("review_months: not a whole number from 1 to 60; the site's interval used",
                               label)
            return None
        return months

    def _ages(self, service: dict, mapped: dict, label: str) -> dict:
        low, high = _integer(service.get("minimum_age")), _integer(service.get("maximum_age"))
        bands = mapped["age-band"]
        if low is None and high is None and bands:
            low, high = min(band.min for band in bands), max(band.max for band in bands)
            self.report.missed("ages: no minimum_age or maximum_age; taken from the age band terms", label)
        if low is None:
            low = 0
            self.report.missed("ages.min: no minimum_age in the feed; 0 assumed", label)
        if high is None or high >= NO_UPPER_AGE:
            high = NO_UPPER_AGE
        ages = {"min": max(0, min(low, NO_UPPER_AGE)), "max": max(0, high)}
        if mapped["pregnancy"]:
            ages["pregnancy"] = True
        return ages

    def _hubs(self, service: dict, hubs: list[str], venues: list[dict]) -> str | list[str]:
        hubs = list(hubs)
        for area in _list(service.get("service_areas")):
            words = [plain(area.get("name")), plain(area.get("service_area"))]
            if any(normalise(word) in ("borough wide", "boroughwide") or
                   (self.target.content.site.council and normalise(word) == normalise(
                       self.target.content.site.council)) for word in words if word):
                return BOROUGH_WIDE
            hub = self.target.hub(*[word for word in words if word])
            if hub and hub not in hubs:
                hubs.append(hub)
        if not hubs:
            hubs = list(dict.fromkeys(venue["hub"] for venue in venues if venue.get("hub")))
        # Every hub named one by one is borough-wide, unless the feed's areas said which hubs it is in.
        if self.target.is_borough_wide(hubs) and not _list(service.get("service_areas")):
            return BOROUGH_WIDE
        return hubs

    def _cost(self, service: dict) -> tuple[bool | None, str]:
        options = _list(service.get("cost_options"))
        fees = plain(service.get("fees"))
        free = any(_number(option.get("amount")) == 0
                   or normalise(plain(option.get("option"))) in ("free", "free of charge", "no charge")
                   for option in options)
        if free:
            return True, fees
        if not options and not fees:
            return None, ""
        if fees:
            return False, fees
        described = []
        for option in options:
            parts = [plain(option.get("option"))]
            amount = option.get("amount")
            if isinstance(amount, (int, float)) and not isinstance(amount, bool):
                parts.append(f"£{amount:,.2f}".replace(".00", ""))
            parts.append(plain(option.get("amount_description")))
            described.append(" ".join(part for part in parts if part))
        return False, "; ".join(part for part in described if part) or "There is a charge"

    def _delivery_from_locations(self, service: dict, label: str) -> list[str]:
        kinds = {str((at.get("location") or {}).get("location_type") or "").lower()
                 for at in _list(service.get("service_at_locations"))}
        delivery = [mode for kind, mode in (("physical", "in-person"), ("virtual", "online"))
                    if kind in kinds]
        if delivery:
            self.report.missed("delivery: not in the feed; taken from its locations", label)
        return delivery

    def _languages(self, service: dict, label: str) -> list[str]:
        codes = []
        for language in _list(service.get("languages")):
            written = str(language.get("code") or language.get("name") or "").strip()
            code = language_code(language.get("code") or "") or language_code(language.get("name") or "")
            if code:
                if code not in codes:
                    codes.append(code)
            elif written:
                self.report.unmapped_term("languages", written)
            else:
                self.report.missed("languages: a language with neither a code nor a name; left out", label)
        return codes

    def _contact(self, service: dict) -> dict:
        phones = [phone for contact in _list(service.get("contacts"))
                  for phone in _list(contact.get("phones"))]
        phones += _list(service.get("phones"))
        return {"phone": _first_phone(phones), "email": str(service.get("email") or "").strip(),
                "website": _link(service.get("url")), "referral_form": _link(service.get("referral_url"))}

    def _venues(self, service: dict, label: str) -> list[dict]:
        at_locations = _list(service.get("service_at_locations"))
        schedules = _list(service.get("schedules"))
        unattached = [schedule for schedule in schedules if not schedule.get("service_at_location_id")]
        physical = [at for at in at_locations if str((at.get("location") or {}).get("location_type")
                                                      or "physical").lower() != "virtual"]
        venues = []
        for at in physical:
            location = at.get("location") if isinstance(at.get("location"), dict) else {}
            addresses = _list(location.get("addresses"))
            address = next((a for a in addresses if a.get("address_type") == "physical"),
                           addresses[0] if addresses else {})
            lines = (plain(address.get("address_1")), plain(address.get("address_2")))
            street = ", ".join(line for line in lines if line)
            city = plain(address.get("city"))
            # Our feed gives the council as the city of an address without a town in it.
            if city and normalise(city) not in normalise(street) \
                    and normalise(city) != normalise(plain(address.get("state_province"))):
                street = f"{street}, {city}" if street else city
            own = [s for s in schedules if s.get("service_at_location_id") and
                   str(s.get("service_at_location_id")) == str(at.get("id"))]
            own += _list(at.get("schedules"))
            if len(physical) == 1:
                own += unattached
            hub = None
            for taxonomy, term in self.terms_of(location.get("attributes")):
                result = self.map_term(taxonomy, term)
                if result and result[0] == "hubs":
                    hub = result[1]
            notes = [plain(item.get("description") or item.get("accessibility"))
                     for item in _list(location.get("accessibility"))]
            accessibility = "; ".join(note for note in notes if note)
            postcode = plain(address.get("postal_code"))
            hours, words = [], []
            for schedule in own:
                line = weekly_hours(schedule)
                if line:
                    hours.append(line)
                words.append(plain(schedule.get("description")) or plain(schedule.get("notes")) if line
                             else describe_schedule(schedule))
            venues.append({
                "name": plain(location.get("name")) or street.split(",")[0],
                "address": street,
                "postcode": _postcode(postcode),
                "hub": hub or "",
                "hours": list(dict.fromkeys(hours)),
                "schedule": "; ".join(dict.fromkeys(text for text in words if text)),
                "accessibility": accessibility,
            })
        if unattached and len(physical) != 1:
            self.report.missed("schedules: not linked to a venue; left out", label)
        return venues

    def _status(self, service: dict, label: str) -> str:
        written = normalise(plain(service.get("status")))
        if written in STATUSES:
            return STATUSES[written]
        self.report.missed(f"status: '{written or 'none'}' is not an ORUK status; imported as draft", label)
        return "draft"

    def _last_reviewed(self, service: dict, key: str, label: str, filled: dict) -> dt.date:
        today = self.writer.today
        assured = _date(service.get("assured_date"))
        if assured and assured <= today:
            return assured
        if assured:
            self.report.missed("last_reviewed: assured_date in the future; set to the import date", label)
        else:
            self.report.missed("last_reviewed: no assured_date in the feed; set to the import date", label)
        remembered = _date(self.writer.remembered(key, "last_reviewed", today.isoformat())) or today
        filled["last_reviewed"] = remembered.isoformat()
        return remembered


def _first_phone(phones: list[dict]) -> str:
    """The first number our rules accept; else the first as written, for an editor to fix in review."""
    numbers = [number for number in (_phone(phone.get("number")) for phone in phones) if number]
    return next((number for number in numbers if PHONE_PATTERN.match(number)), numbers[0] if numbers else "")


def _terms_hint(feed_terms: dict[str, list[str]]) -> str:
    if not feed_terms:
        return " (it has no taxonomy terms)"
    shown = "; ".join(f"{taxonomy or 'no taxonomy'}: {', '.join(terms[:5])}"
                      for taxonomy, terms in feed_terms.items())
    return f" (the feed's terms: {shown})"
