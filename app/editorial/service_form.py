"""The service form: posted values to front matter fields and back, and problems to form fields.

The form covers every field of the service format (docs/content-format.md,
"Services"). Parsing here is deliberately lenient: what cannot be understood is
kept as it was typed, so the loader's own rules (the ones ``earlyhelp
check`` applies) report it next to the field, in the same words as the
command line. Nothing here imports Flask: ``form`` is anything with
``get(name)`` and ``getlist(name)``, such as Werkzeug's ``MultiDict``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..content.model import BOROUGH_WIDE

VENUE_KEYS = ("name", "address", "postcode", "hub", "hours", "schedule", "accessibility")
MIN_VENUE_ROWS = 3
MAX_VENUE_ROWS = 50
LIST_FIELDS = ("needs", "levels", "hubs", "access", "delivery")  # checkboxes
_WHOLE_NUMBER = re.compile(r"^[+-]?[0-9]{1,6}$")

# Form field id for each top-level front matter field whose id differs from its name.
FIELD_IDS = {
    "how_to_access": "how-to-access", "last_reviewed": "last-reviewed", "review_months": "review-months",
    "ages": "ages-min", "contact": "contact-phone", "evidence": "evidence-rating", "venues": "venue-0-name",
}


# The form's sections, in order, and the front matter fields each holds ("body" is the description).
# Each is a disclosure in the form (editor/form_sections.html); errors and changes are counted per section.
SECTIONS = (
    ("about", ("id", "title", "summary", "organisation", "body", "keywords")),
    ("who", ("needs", "ages", "levels", "hubs")),
    ("access", ("access", "how_to_access", "delivery")),
    ("cost", ("free", "cost", "languages", "interpreters")),
    ("contact", ("contact",)),
    ("venues", ("venues",)),
    ("evidence", ("evidence",)),
    ("review", ("status", "last_reviewed", "review_months")),
)
_SECTION_OF = {name: section for section, names in SECTIONS for name in names}
_FORM_ID_PREFIXES = (("venue-", "venues"), ("ages-", "who"), ("hubs-", "who"), ("contact-", "contact"),
                     ("evidence-", "evidence"))


def section_of(name: str) -> str | None:
    """The section of the form that holds the front matter field ``name`` (or ``body``)."""
    return _SECTION_OF.get(name)


def section_of_field_id(field_id: str) -> str | None:
    """The section that holds the form field ``field_id`` (``venue-2-hours`` -> ``venues``); None for
    problems with the whole entry."""
    for prefix, section in _FORM_ID_PREFIXES:
        if field_id.startswith(prefix):
            return section
    return _SECTION_OF.get(field_id.replace("-", "_"))


@dataclass
class ParsedForm:
    """What a posted service form says: the entry's fields and body, and where each venue came from."""

    entry_id: str
    fields: dict
    body: str
    venue_rows: list[int] = field(default_factory=list)  # venues[i] came from form row venue_rows[i]


def _text(form, name: str) -> str:
    return (form.get(name) or "").strip()


def _number(value: str):
    """A whole number when it is one, else the text as typed (the loader's rules then say why)."""
    if not value:
        return None
    return int(value) if _WHOLE_NUMBER.match(value) else value


def _comma_list(value: str, lower: bool = False) -> list[str]:
    items = [item.strip() for item in value.replace("\n", ",").split(",")]
    return [item.lower() if lower else item for item in items if item]


def _date(value: str):
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return value


def venue_row_count(form) -> int:
    """How many venue rows the form posted (at least :data:`MIN_VENUE_ROWS`, at most the cap)."""
    count = MIN_VENUE_ROWS
    for index in range(MAX_VENUE_ROWS):
        if any(form.get(f"venue-{index}-{key}") is not None for key in VENUE_KEYS):
            count = max(count, index + 1)
    return count


def fields_from_form(form, entry_id: str) -> ParsedForm:
    """The front matter of the service ``entry_id`` as the form describes it (blank venue rows ignored)."""
    fields: dict = {"id": entry_id, "title": _text(form, "title"), "summary": _text(form, "summary"),
                    "organisation": _text(form, "organisation")}
    fields["needs"] = [value.strip() for value in form.getlist("needs") if value.strip()]
    ages: dict = {"min": _number(_text(form, "ages-min")), "max": _number(_text(form, "ages-max"))}
    if form.get("ages-pregnancy"):
        ages["pregnancy"] = True
    fields["ages"] = ages
    fields["levels"] = [_number(value.strip()) for value in form.getlist("levels") if value.strip()]
    hubs = [value.strip() for value in form.getlist("hubs") if value.strip()]
    if form.get("hubs-all"):
        # Borough-wide and named hubs together is a mistake the loader explains.
        fields["hubs"] = [BOROUGH_WIDE, *hubs] if hubs else BOROUGH_WIDE
    else:
        fields["hubs"] = hubs
    fields["access"] = [value.strip() for value in form.getlist("access") if value.strip()]
    fields["how_to_access"] = _text(form, "how-to-access")
    free = _text(form, "free")
    fields["free"] = True if free == "yes" else False if free == "no" else None
    fields["cost"] = _text(form, "cost")
    fields["delivery"] = [value.strip() for value in form.getlist("delivery") if value.strip()]
    fields["languages"] = _comma_list(_text(form, "languages"), lower=True)
    fields["interpreters"] = True if form.get("interpreters") else None
    fields["contact"] = {key: _text(form, f"contact-{key.replace('_', '-')}")
                         for key in ("phone", "email", "website", "referral_form")}
    venues, rows = [], []
    for index in range(venue_row_count(form)):
        venue: dict = {key: _text(form, f"venue-{index}-{key}") for key in VENUE_KEYS}
        venue["hours"] = [line.strip() for line in venue["hours"].splitlines() if line.strip()]
        if any(venue.values()):
            venues.append(venue)
            rows.append(index)
    fields["venues"] = venues
    fields["evidence"] = {"rating": _text(form, "evidence-rating"), "source": _text(form, "evidence-source"),
                          "url": _text(form, "evidence-url")}
    fields["keywords"] = _comma_list(_text(form, "keywords"))
    fields["status"] = _text(form, "status")
    fields["last_reviewed"] = _date(_text(form, "last-reviewed"))
    fields["review_months"] = _number(_text(form, "review-months"))
    body = (form.get("body") or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return ParsedForm(entry_id, fields, body, rows)


def _lines(value) -> str:
    """A list as one item a line (a venue's hours in their textarea)."""
    return "\n".join(str(item) for item in value) if isinstance(value, list) else str(value)


def _joined(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def form_from_fields(fields: dict, body: str) -> dict:
    """The values to fill the form with, from an entry's front matter and body."""
    def get(mapping, key):
        value = mapping.get(key) if isinstance(mapping, dict) else None
        return "" if value is None else value

    ages = fields.get("ages") if isinstance(fields.get("ages"), dict) else {}
    contact = fields.get("contact") if isinstance(fields.get("contact"), dict) else {}
    evidence = fields.get("evidence") if isinstance(fields.get("evidence"), dict) else {}
    hubs = fields.get("hubs")
    hub_list = hubs if isinstance(hubs, list) else [hubs] if hubs else []
    free = fields.get("free")
    values = {
        "id": str(get(fields, "id")), "title": str(get(fields, "title")),
        "summary": str(get(fields, "summary")),
        "organisation": str(get(fields, "organisation")),
        "ages-min": str(get(ages, "min")), "ages-max": str(get(ages, "max")),
        "ages-pregnancy": ages.get("pregnancy") is True,
        "hubs-all": BOROUGH_WIDE in hub_list,
        "how-to-access": str(get(fields, "how_to_access")),
        "free": "yes" if free is True else "no" if free is False else "",
        "cost": str(get(fields, "cost")),
        "languages": _joined(fields.get("languages")), "interpreters": fields.get("interpreters") is True,
        "contact-phone": str(get(contact, "phone")), "contact-email": str(get(contact, "email")),
        "contact-website": str(get(contact, "website")),
        "contact-referral-form": str(get(contact, "referral_form")),
        "evidence-rating": str(get(evidence, "rating")), "evidence-source": str(get(evidence, "source")),
        "evidence-url": str(get(evidence, "url")),
        "keywords": _joined(fields.get("keywords")), "status": str(get(fields, "status")),
        "last-reviewed": str(get(fields, "last_reviewed")),
        "review-months": str(get(fields, "review_months")),
        "body": body or "",
    }
    for name in LIST_FIELDS:
        value = hub_list if name == "hubs" else fields.get(name)
        if not isinstance(value, list):
            value = [value] if value not in (None, "") else []
        values[name] = [str(item) for item in value if str(item) != BOROUGH_WIDE or name != "hubs"]
    venues = [venue for venue in fields.get("venues") or [] if isinstance(venue, dict)]
    rows = [{key: _lines(get(venue, key)) if key == "hours" else str(get(venue, key)) for key in VENUE_KEYS}
            for venue in venues]
    rows += [dict.fromkeys(VENUE_KEYS, "") for _ in range(max(MIN_VENUE_ROWS, len(rows) + 1) - len(rows))]
    values["venues"] = rows[:MAX_VENUE_ROWS]
    return values


_INDEXED = re.compile(r"^(?P<name>[a-z_]+)(?:\[(?P<index>[0-9]+)\])?(?:\.(?P<key>[a-z_]+))?")


def field_id_for(problem_field: str, venue_rows: list[int] | None = None) -> str:
    """The form field a loader problem is about: ``venues[1].postcode`` -> ``venue-<row>-postcode``."""
    match = _INDEXED.match(problem_field or "")
    if not match:
        return "entry"
    name, index, key = match.group("name"), match.group("index"), match.group("key")
    if name == "venues":
        position = int(index) if index is not None else 0
        rows = venue_rows or []
        row = rows[position] if position < len(rows) else position
        return f"venue-{row}-{key if key in VENUE_KEYS else 'name'}"
    if name in ("ages", "contact", "evidence") and key:
        return f"{name}-{key.replace('_', '-')}"
    if name == "id":
        return "id"
    if name in FIELD_IDS:
        return FIELD_IDS[name]
    if name in ("title", "summary", "organisation", "needs", "levels", "hubs", "access", "free", "cost",
                "delivery", "languages", "interpreters", "keywords", "status", "body"):
        return name
    return "entry"
