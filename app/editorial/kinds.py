"""The kinds of entry the editor changes and what differs between them: services, organisations, hubs,
pages, the taxonomy files (needs, age bands, levels), and the translations of services, hubs, pages and
taxonomies.

The change workflow (:mod:`.changes`) is the same for every kind; what differs
is here: the folder, the order of the front matter, whether the id is written
into the file (pages are named by their file alone), how an entry is archived
(a service gets ``status: archived`` and stays on file; the other kinds have
no status, so archiving removes the file, and history keeps every version),
who may propose changes, the rules of ``earlyhelp check`` for one entry, and,
for the kinds with a plain form, the form's fields.

A translation kind (``translates`` names the English kind) has ids
``<english id>.<language>``: ``services/<id>.<lang>.md`` or
``taxonomy/needs.<lang>.yml``. A taxonomy kind (``terms``) is a YAML list file,
kept in a change as ``{term id: the term's other fields}``, in the file's order.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..content import ContentSet
from ..content.fields import ID_PATTERN
from ..content.problems import Problem
from ..content.writing import (
    HUB_ORDER,
    ORGANISATION_ORDER,
    PAGE_ORDER,
    SERVICE_ORDER,
    hub_problems,
    organisation_problems,
    page_problems,
    service_problems,
)
from ..content.yamlfile import YamlFileError
from . import service_form
from .service_form import ParsedForm

TEXT, TEXTAREA, LIST, CHECK = "text", "textarea", "list", "check"  # a line, a box, a comma list, a tick
STAFF = ("editor", "publisher", "admin")


@dataclass(frozen=True)
class Kind:
    name: str                      # "service": the value stored in ``changes.kind``
    folder: str                    # "services": under content/ and in the editor's addresses
    order: tuple[str, ...]         # front matter order when written
    id_in_file: bool               # pages carry no id field: the file name is the slug
    archived_by_status: bool       # True: archiving sets status: archived; False: removes the file
    title_field: str               # the field that names an entry in lists and messages
    provider_actions: frozenset    # what a provider may do (to entries of their own organisation)
    form_fields: tuple[tuple[str, str], ...] = ()  # (front matter key, widget), for the plain forms
    address: str = ""              # under /editor/ when not the folder ("translations/services")
    translates: str | None = None  # a translation: the kind of the English entries it translates
    terms: bool = False            # a taxonomy list file (.yml) rather than a Markdown entry
    views: tuple[str, ...] = ("list", "new", "open", "edit", "archive", "history", "version", "restore")

    @property
    def url(self) -> str:
        return self.address or self.folder

    @property
    def list_name(self) -> str:
        """The name of the list view's endpoint: ``editor.<list_name>``."""
        return self.address.replace("/", "_") if self.address else self.folder

    def path(self, entry_id: str) -> str:
        return f"{self.folder}/{entry_id}{'.yml' if self.terms else '.md'}"

    def valid_id(self, entry_id: str) -> bool:
        """Whether ``entry_id`` names an entry of this kind (a translation: ``<id>.<lang>``)."""
        if not isinstance(entry_id, str) or len(entry_id) > 110:
            return False
        if self.translates is not None:
            match = TRANSLATION_ID.match(entry_id)
            return bool(match) and kind_of(self.translates).valid_id(match["id"])
        if self.terms:
            return entry_id in TAXONOMIES
        return bool(ID_PATTERN.match(entry_id))


EDIT, CREATE, ARCHIVE, RESTORE = "edit", "create", "archive", "restore"

SERVICE = Kind("service", "services", SERVICE_ORDER, True, True, "title",
               frozenset({"list", CREATE, EDIT, ARCHIVE, RESTORE}))
ORGANISATION = Kind("organisation", "organisations", ORGANISATION_ORDER, True, False, "name",
                    frozenset({"list", EDIT, RESTORE}),
                    (("name", TEXT), ("website", TEXT), ("phone", TEXT), ("email", TEXT)))
HUB = Kind("hub", "hubs", HUB_ORDER, True, False, "name", frozenset(),
           (("name", TEXT), ("address", TEXT), ("postcode", TEXT), ("phone", TEXT), ("email", TEXT),
            ("covers", LIST), ("wards", LIST), ("opening_hours", TEXT)))
PAGE = Kind("page", "pages", PAGE_ORDER, False, False, "title", frozenset(),
            (("title", TEXT), ("summary", TEXTAREA)))

TAXONOMIES = ("needs", "age-bands", "levels")  # the taxonomy files, in the order the editor lists them
TAXONOMY_TITLES = {"needs": "Needs", "age-bands": "Age bands", "levels": "Levels of need"}
TRANSLATION_ID = re.compile(r"^(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<lang>[a-z]{2})$")
TERM_ORDER = ("source_fingerprint", "id", "label", "description", "synonyms", "min", "max", "pregnancy")
# The columns of each taxonomy's form, and what a translation of it translates.
TERM_COLUMNS = {"needs": (("label", TEXT), ("description", TEXTAREA), ("synonyms", LIST)),
                "age-bands": (("label", TEXT), ("min", TEXT), ("max", TEXT), ("pregnancy", CHECK)),
                "levels": (("label", TEXT), ("description", TEXTAREA))}
TERM_TRANSLATED = {"needs": (("label", TEXT), ("description", TEXTAREA), ("synonyms", LIST)),
                   "age-bands": (("label", TEXT),), "levels": (("label", TEXT), ("description", TEXTAREA))}
TRANSLATION_VIEWS = ("list", "edit", "archive", "history", "version", "restore")

TAXONOMY = Kind("taxonomy", "taxonomy", TERM_ORDER, False, False, "", frozenset(), terms=True,
                views=("list", "edit", "history", "version", "restore"))
SERVICE_TRANSLATION = Kind(
    "service_translation", "services", ("source_fingerprint", "title", "summary", "how_to_access", "cost",
                                        "keywords", "venues"), False, False, "title", frozenset(),
    (("title", TEXT), ("summary", TEXTAREA), ("how_to_access", TEXTAREA), ("cost", TEXT), ("keywords", LIST)),
    address="translations/services", translates="service", views=TRANSLATION_VIEWS)
HUB_TRANSLATION = Kind(
    "hub_translation", "hubs", ("source_fingerprint", "name", "opening_hours"), False, False, "name",
    frozenset(), (("name", TEXT), ("opening_hours", TEXT)), address="translations/hubs", translates="hub",
    views=TRANSLATION_VIEWS)
PAGE_TRANSLATION = Kind(
    "page_translation", "pages", ("source_fingerprint", "title", "summary"), False, False, "title",
    frozenset(), (("title", TEXT), ("summary", TEXTAREA)), address="translations/pages", translates="page",
    views=TRANSLATION_VIEWS)
TAXONOMY_TRANSLATION = Kind("taxonomy_translation", "taxonomy", TERM_ORDER, False, False, "", frozenset(),
                            address="translations/taxonomy", translates="taxonomy", terms=True,
                            views=TRANSLATION_VIEWS)

KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    SERVICE, ORGANISATION, HUB, PAGE, TAXONOMY,
    SERVICE_TRANSLATION, HUB_TRANSLATION, PAGE_TRANSLATION, TAXONOMY_TRANSLATION)}
TRANSLATION_OF = {kind.translates: kind for kind in KINDS.values() if kind.translates}
# Fields of a translation the form does not show, carried from the version edited (venues, the stamp).
KEPT_FIELDS = ("source_fingerprint", "venues")
TRANSLATED_VENUE = ("schedule", "accessibility")  # what a service translation translates of each venue


def split_translation_id(entry_id: str) -> tuple[str, str]:
    """(English id, language) of a translation's id ``<id>.<lang>``."""
    match = TRANSLATION_ID.match(entry_id or "")
    if not match:
        raise ValueError(f"not a translation id: {entry_id!r}")
    return match["id"], match["lang"]


def kind_of(name: str) -> Kind:
    if name not in KINDS:
        raise ValueError(f"unknown kind {name!r}")
    return KINDS[name]


def owner(kind: str, entry_id: str, fields: dict) -> str | None:
    """The organisation an entry belongs to: a service's organisation, an organisation itself, else None."""
    if kind == "organisation":
        return entry_id
    if kind == "service":
        value = fields.get("organisation")
        return str(value) if isinstance(value, str) and value else None
    return None


def roles_for(kind: Kind, action: str) -> tuple[str, ...]:
    """The roles that may use ``action`` on entries of ``kind`` at all (a provider: own organisation only)."""
    return ("provider", *STAFF) if action in kind.provider_actions else STAFF


# -- checking one entry with the rules of ``earlyhelp check`` --------------------------------------------

def entry_problems(kind: str, text: str, entry_id: str, reference: ContentSet, on: dt.date) -> list[Problem]:
    """The errors ``earlyhelp check`` would report for this entry file, beside the folder's other entries
    (``reference``: the folder loaded without its services)."""
    try:
        if kind == "service":
            return service_problems(text, entry_id, reference, set(reference.organisations), on)
        if kind == "organisation":
            return organisation_problems(text, entry_id)
        if kind == "hub":
            return hub_problems(text, entry_id, reference.hubs.values())
        return page_problems(text, entry_id)
    except YamlFileError as error:  # pragma: no cover - entries are rendered by render_entry first
        return [Problem(kind_of(kind).path(entry_id), error.line, "(file)", error.message)]


def removal_problems(kind: str, entry_id: str, content: ContentSet) -> list[Problem]:
    """Why the entry cannot be removed: the services that still name it (organisations and hubs)."""
    source = kind_of(kind).path(entry_id)
    if kind == "taxonomy":
        return [Problem(source, 1, "(file)", "a taxonomy file cannot be removed; remove its terms instead")]
    users: list[str] = []
    if kind == "organisation":
        users = sorted(service.id for service in content.services.values()
                       if service.organisation == entry_id)
    elif kind == "hub":
        users = sorted(service.id for service in content.services.values()
                       if entry_id in service.hubs or any(venue.hub == entry_id for venue in service.venues))
    if not users:
        return []
    shown = ", ".join(users[:10]) + (f" and {len(users) - 10} more" if len(users) > 10 else "")
    return [Problem(source, 1, "id", f"still used by {len(users)} service(s): {shown}; change those first")]


# -- the plain forms (organisations, hubs, pages; services have their own, service_form) ------------------

def form_id(key: str) -> str:
    return key.replace("_", "-")


def _comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.replace("\n", ",").split(",") if item.strip()]


MAX_TERMS = 500


def term_columns(kind: str, entry_id: str) -> tuple[tuple[str, str], ...]:
    """The columns of a taxonomy form (``needs``), or of its translation's (``needs.pl``)."""
    if kind == "taxonomy":
        return TERM_COLUMNS.get(entry_id, ())
    return TERM_TRANSLATED.get(split_translation_id(entry_id)[0], ())


NUMBERS = ("min", "max")  # an age band's ages: whole years


def _term_value(key: str, widget: str, value: str):
    if widget == LIST:
        return _comma_list(value)
    if widget == CHECK:  # unticked: left out, as the files leave it out
        return True if value in ("1", "true", "on", "yes") else None
    if key in NUMBERS and value.isdigit() and len(value) < 4:  # else the loader says what is wrong
        return int(value)
    return value


def _term_text(widget: str, value):
    """A term's value as its form field shows it."""
    if widget == CHECK:
        return value is True
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


def _terms_from_form(kind: str, form, entry_id: str) -> ParsedForm:
    terms: dict = {}
    rows: list[int] = []
    columns = term_columns(kind, entry_id)
    for row in range(MAX_TERMS):
        if f"term-{row}-id" not in form:
            break
        term_id = (form.get(f"term-{row}-id") or "").strip()
        values = {key: _term_value(key, widget, (form.get(f"term-{row}-{form_id(key)}") or "").strip())
                  for key, widget in columns}
        values = {key: value for key, value in values.items() if value is not None}
        if not any(values.values()) and (not term_id or kind_of(kind).translates):
            continue  # an empty row: nothing added (a term removed, or not translated)
        if not term_id:
            term_id = f"-row-{row + 1}"  # not an id: the check asks for one
        terms[term_id] = values
        rows.append(row)
    if not kind_of(kind).translates:
        # The form comes back with the terms one after another (kinds.form_from_fields), not with the
        # emptied rows between them: problems go to the rows as shown again. A translation's rows are
        # the English terms, shown again in the same places.
        rows = list(range(len(terms)))
    return ParsedForm(entry_id, terms, "", rows)


def keep_fields(kind: str, fields: dict, base: dict | None) -> dict:
    """``fields`` from a translation form, with what the form does not show (the stamp, venues) carried
    from ``base``, the version edited."""
    spec = kind_of(kind)
    if not spec.translates or not base:
        return fields
    kept = dict(fields)
    if spec.terms:
        for term_id, term in kept.items():
            old = base.get(term_id)
            if isinstance(old, dict) and old.get("source_fingerprint") and isinstance(term, dict):
                kept[term_id] = {"source_fingerprint": old["source_fingerprint"], **term}
        return kept
    for key in KEPT_FIELDS:
        if key in base and key not in kept:
            kept[key] = base[key]
    return kept


def fields_from_form(kind: str, form, entry_id: str) -> ParsedForm:
    """The front matter of ``entry_id`` as the posted form describes it."""
    if kind == "service":
        return service_form.fields_from_form(form, entry_id)
    spec = kind_of(kind)
    if spec.terms:
        return _terms_from_form(kind, form, entry_id)
    fields: dict = {"id": entry_id} if spec.id_in_file else {}
    for key, widget in spec.form_fields:
        value = (form.get(form_id(key)) or "").strip()
        fields[key] = _comma_list(value) if widget == LIST else value
    if kind == "service_translation" and "venue-0-schedule" in form:
        # One row per English venue, in its order (the loader pairs them by position).
        venues = []
        for row in range(MAX_TERMS):
            if f"venue-{row}-schedule" not in form:
                break
            venues.append({key: (form.get(f"venue-{row}-{key}") or "").strip() for key in TRANSLATED_VENUE})
        fields["venues"] = venues if any(any(venue.values()) for venue in venues) else []
    body = (form.get("body") or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return ParsedForm(entry_id, fields, body)


def form_from_fields(kind: str, fields: dict, body: str, entry_id: str = "") -> dict:
    """The values to fill the form with, from an entry's front matter and body."""
    if kind == "service":
        return service_form.form_from_fields(fields, body)
    if kind_of(kind).terms:
        columns = term_columns(kind, entry_id)
        rows = []
        for term_id, term in fields.items():
            term = term if isinstance(term, dict) else {}
            rows.append({"id": term_id, **{form_id(key): _term_text(widget, term.get(key))
                                           for key, widget in columns}})
        if kind == "taxonomy":  # room to add two terms
            rows += [{"id": "", **{form_id(key): "" for key, _widget in columns}} for _ in range(2)]
        return {"id": entry_id, "body": "", "terms": rows}
    values = {"id": str(fields.get("id") or entry_id), "body": body or ""}
    if kind == "service_translation":
        venues = fields.get("venues") if isinstance(fields.get("venues"), list) else []
        values["venues"] = [{key: str(venue.get(key) or "") for key in TRANSLATED_VENUE}
                            for venue in venues if isinstance(venue, dict)]
    for key, _widget in kind_of(kind).form_fields:
        value = fields.get(key)
        if value is None:
            value = ""
        values[form_id(key)] = (", ".join(str(item) for item in value) if isinstance(value, list)
                                else str(value))
    return values


def field_id_for(kind: str, problem_field: str, venue_rows: list[int] | None = None) -> str:
    """The form field a loader problem is about (``covers[2]`` -> ``covers``)."""
    if kind == "service":
        return service_form.field_id_for(problem_field, venue_rows)
    match = re.match(r"^\[([0-9]+)\](?:\.([a-z_]+))?", problem_field or "")
    if kind_of(kind).terms and match:
        index = int(match.group(1))
        row = venue_rows[index] if venue_rows and index < len(venue_rows) else index
        return f"term-{row}-{form_id(match.group(2) or 'id')}"
    name = (problem_field or "").split("[")[0].split(".")[0]
    if name in ("id", "body"):
        return name
    keys = {key for key, _widget in kind_of(kind).form_fields}
    return form_id(name) if name in keys else "entry"


def entry_title(kind: str, entry_id: str, fields: dict) -> str:
    spec = kind_of(kind)
    if kind == "taxonomy":
        return TAXONOMY_TITLES.get(entry_id, entry_id)
    if not spec.title_field:
        return entry_id
    value = fields.get(spec.title_field)
    return str(value) if value else entry_id
