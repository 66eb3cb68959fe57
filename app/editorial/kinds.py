"""The kinds of entry the editor changes (services, organisations, hubs, pages) and what differs between them.

The change workflow (:mod:`.changes`) is the same for every kind; what differs
is here: the folder, the order of the front matter, whether the id is written
into the file (pages are named by their file alone), how an entry is archived
(a service gets ``status: archived`` and stays on file; the other kinds have
no status, so archiving removes the file, and history keeps every version),
who may propose changes, the rules of ``earlyhelp check`` for one entry, and,
for the kinds with a plain form, the form's fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..content import ContentSet
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

TEXT, TEXTAREA, LIST = "text", "textarea", "list"  # plain form widgets: a line, a box, a comma list
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

    def path(self, entry_id: str) -> str:
        return f"{self.folder}/{entry_id}.md"


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

KINDS: dict[str, Kind] = {kind.name: kind for kind in (SERVICE, ORGANISATION, HUB, PAGE)}


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


def fields_from_form(kind: str, form, entry_id: str) -> ParsedForm:
    """The front matter of ``entry_id`` as the posted form describes it."""
    if kind == "service":
        return service_form.fields_from_form(form, entry_id)
    spec = kind_of(kind)
    fields: dict = {"id": entry_id} if spec.id_in_file else {}
    for key, widget in spec.form_fields:
        value = (form.get(form_id(key)) or "").strip()
        fields[key] = _comma_list(value) if widget == LIST else value
    body = (form.get("body") or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return ParsedForm(entry_id, fields, body)


def form_from_fields(kind: str, fields: dict, body: str, entry_id: str = "") -> dict:
    """The values to fill the form with, from an entry's front matter and body."""
    if kind == "service":
        return service_form.form_from_fields(fields, body)
    values = {"id": str(fields.get("id") or entry_id), "body": body or ""}
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
    name = (problem_field or "").split("[")[0].split(".")[0]
    if name in ("id", "body"):
        return name
    keys = {key for key, _widget in kind_of(kind).form_fields}
    return form_id(name) if name in keys else "entry"


def entry_title(kind: str, entry_id: str, fields: dict) -> str:
    value = fields.get(kind_of(kind).title_field)
    return str(value) if value else entry_id
