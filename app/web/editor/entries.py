"""Entries in the editor: for services, organisations, hubs and pages alike, the list, a new entry, editing
or archiving one, and its history.

Nothing here writes to ``content/``: every page starts or carries on a change
(:mod:`app.editorial.changes`), which a publisher approves on its own page
(:mod:`.changes`). The same views serve every kind (:mod:`app.editorial.kinds`),
registered once per kind under ``/editor/<folder>/`` with endpoints named after
it (``editor.services``, ``editor.edit_hub``, ``editor.page_history``...), so
each route's guard names the roles of that kind: providers may use the
services and organisations routes (their own organisation's entries only),
hubs and pages are for editors, publishers and admins.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...editorial import changes as workflow
from ...editorial import diffs, kinds
from ...editorial.changes import ChangeError
from ...editorial.content_cache import full_content
from ...editorial.entry_index import INDEXED_KINDS, IndexedEntry
from ...editorial.kinds import Kind
from . import blueprint, content_index, editorial_db, entry_form
from .guard import current_user, role_required

EVERYONE = ("provider", "editor", "publisher", "admin")
PER_PAGE = 50

LIST_TITLES = {"service": _l("Services"), "organisation": _l("Organisations"), "hub": _l("Early Help Hubs"),
               "page": _l("Pages"), "taxonomy": _l("Taxonomy"),
               "service_translation": _l("Translations of services"),
               "hub_translation": _l("Translations of hubs"), "page_translation": _l("Translations of pages"),
               "taxonomy_translation": _l("Translations of the taxonomy")}
ADD_TITLES = {"service": _l("Add a service"), "organisation": _l("Add an organisation"),
              "hub": _l("Add a hub"), "page": _l("Add a page")}
PUBLIC_ENDPOINTS = {"service": ("public.service", "service_id"), "hub": ("public.hub", "hub_id"),
                    "page": ("public.page", "slug")}


def endpoint(kind: str, view: str) -> str:
    """The endpoint of ``view`` (list, new, open, edit, archive, history, version, restore) for ``kind``."""
    name, folder = kind, kinds.kind_of(kind).list_name
    return {"list": f"editor.{folder}", "new": f"editor.new_{name}", "edit": f"editor.edit_{name}",
            "open": f"editor.open_{name}",
            "archive": f"editor.archive_{name}", "history": f"editor.{name}_history",
            "version": f"editor.{name}_version", "restore": f"editor.restore_{name}_version"}[view]


def entry_url(kind: str, view: str, **values) -> str:
    """The editor's address of ``view`` for an entry of ``kind`` (templates use it too)."""
    return url_for(endpoint(kind, view), **values)


def id_urls(endpoint_name: str, argument: str = "entry_id") -> Callable[[str], str]:
    """Entry id -> the address of ``endpoint_name`` for it, built once rather than once per row of a list
    (``url_for`` is the costliest part of a row; ids are ``[a-z0-9-]``, never escaped in a path)."""
    marker = "entry-id-placeholder"
    pattern = url_for(endpoint_name, **{argument: marker})
    return lambda entry_id: pattern.replace(marker, entry_id)


def entry_urls(kind: str, view: str) -> Callable[[str], str]:
    """Entry id -> :func:`entry_url` of ``view`` for an entry of ``kind`` (see :func:`id_urls`)."""
    return id_urls(endpoint(kind, view))


def public_url(kind: str, entry_id: str) -> str | None:
    """The entry's public page (organisations have none of their own)."""
    if kind not in PUBLIC_ENDPOINTS:
        return None
    name, argument = PUBLIC_ENDPOINTS[kind]
    return url_for(name, **{argument: entry_id})


def _content_dir():
    return current_app.config["CONTENT_DIR"]


def _live_or_404(kind: str, entry_id: str) -> workflow.LiveEntry:
    try:
        live = workflow.read_live(_content_dir(), kind, entry_id)
    except ValueError:  # not an id at all
        abort(404)
    if live is None:
        abort(404)
    return live


def _may_change_or_403(kind: str, entry_id: str, fields: dict, action: str) -> None:
    if not workflow.may_propose(current_user(), kinds.owner(kind, entry_id, fields), kind, action):
        abort(403)


def _owned_by(kind: str, user) -> str | None:
    """The organisation whose entries ``user`` sees in the lists: a provider's own; None, all."""
    if user.role != "provider":
        return None
    # Providers list their organisation's services, and that organisation itself; an entry of no
    # organisation (a hub, a page) is never theirs, and "" matches none of them.
    return user.organisation or "" if kind in ("service", "organisation") else "\0"


def _content_lister(kind: Kind, user, query: str):
    """For a kind the index does not hold: page -> (entries, total) from the content folder as loaded."""
    content = full_content(_content_dir(), workflow.today())
    entries = getattr(content, kind.folder, None) or {}
    owner = _owned_by(kind.name, user)
    found = []
    for entry_id, entry in entries.items():
        title = str(getattr(entry, kind.title_field, "") or entry_id)
        organisation = entry_id if kind.name == "organisation" else getattr(entry, "organisation", "") or ""
        if (owner is None or organisation == owner) and (
                not query or query.casefold() in title.casefold() or query.casefold() in entry_id):
            found.append(IndexedEntry(kind.name, entry_id, title, organisation, getattr(entry, "status", ""),
                                      None, None, ""))
    found.sort(key=lambda entry: (entry.title.casefold(), entry.id))
    return lambda page: (found[(page - 1) * PER_PAGE:page * PER_PAGE], len(found))


# -- the views, for any kind ------------------------------------------------------------------------------

def list_entries(kind: Kind):
    """Every entry of the kind (a provider: their organisation's), searchable by title, with pending
    changes. Read from the index of the entry files (app/editorial/entry_index.py), not the files."""
    user = current_user()
    query = request.args.get("q", "").strip()[:200]
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    index = content_index()
    if kind.name in INDEXED_KINDS:
        def listed(page: int):
            return index.entries(kind.name, query=query, organisation=_owned_by(kind.name, user),
                                 offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    else:
        listed = _content_lister(kind, user, query)
    found, total = listed(page)
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    if page > pages:  # past the end (an old link, a shorter list now): the last page
        page = pages
        found, total = listed(page)
    pending: dict[str, list] = {}
    for change in workflow.list_changes(editorial_db(), kind=kind.name):
        if workflow.may_see(user, change):
            pending.setdefault(change.entry_id, []).append(change)
    organisations = index.titles("organisation", {entry.organisation for entry in found})
    return render_template("editor/entries.html", title=str(LIST_TITLES[kind.name]), kind=kind.name,
                           kind_name=entry_form.kind_name(kind.name), query=query, entries=found, total=total,
                           page=page, pages=pages, pending=pending, organisations=organisations,
                           edit_url=entry_urls(kind.name, "edit"),
                           history_url=entry_urls(kind.name, "history"),
                           may_add=workflow.may_propose(user, user.organisation, kind.name, workflow.CREATE),
                           add_title=str(ADD_TITLES[kind.name]))


def _new_values(kind: str, user) -> dict:
    if kind == "service":
        return kinds.form_from_fields(kind, {"status": "published", "organisation": user.organisation or "",
                                             "last_reviewed": workflow.today().isoformat()}, "")
    return kinds.form_from_fields(kind, {}, "")


def new_entry(kind: Kind):
    """The form for a new entry; saving it starts a change (nothing is live until approved)."""
    user = current_user()
    title = str(ADD_TITLES[kind.name])
    action = entry_url(kind.name, "new")
    form = {"title": title, "action": action, "new": True}
    if request.method == "GET":
        return entry_form.render_form(kind.name, values=_new_values(kind.name, user), **form)
    parsed, errors = entry_form.parse(kind.name)
    pressed = entry_form.button()
    values = entry_form.values_of(kind.name, parsed)
    answer = entry_form.answer_before_saving(kind.name, parsed, errors, values, pressed,
                                             refuse="id" in errors, **form)
    if answer is not None:
        return answer
    try:
        change = workflow.start(editorial_db(), _content_dir(), user, kind.name, parsed.entry_id,
                                fields=parsed.fields, body=parsed.body, action=workflow.CREATE,
                                ip=request.remote_addr)
    except ChangeError as error:
        if error.code == "not_allowed":
            errors["organisation"] = _("Choose your own organisation: providers add services for their "
                                       "organisation only")
        else:
            errors["id"] = _("There is already a %(kind)s with this id", kind=entry_form.kind_name(kind.name))
        return entry_form.render_form(kind.name, values=values, errors=errors, status=400, **form)
    return entry_form.save_and_maybe_submit(change, pressed == "submit")


def open_entry(kind: Kind, entry_id: str):
    """``/editor/<folder>/<id>``: the entry's page in the editor, which is its form (a short address
    to type, and the one public pages link editors to)."""
    live = _live_or_404(kind.name, entry_id)
    _may_change_or_403(kind.name, entry_id, live.fields, workflow.EDIT)
    return redirect(entry_url(kind.name, "edit", entry_id=entry_id), 303)


def edit_entry(kind: Kind, entry_id: str):
    """The form filled from the live entry; saving it starts a change based on that version."""
    live = _live_or_404(kind.name, entry_id)
    _may_change_or_403(kind.name, entry_id, live.fields, workflow.EDIT)
    user = current_user()
    open_change = entry_form.carry_on_with_open_change(user, kind.name, entry_id)
    if open_change is not None:
        return open_change
    title = _("Edit %(title)s", title=kinds.entry_title(kind.name, entry_id, live.fields))
    form = {"title": title, "action": entry_url(kind.name, "edit", entry_id=entry_id), "entry_id": entry_id}
    if request.method == "GET":
        values = kinds.form_from_fields(kind.name, live.fields, live.body, entry_id)
        return entry_form.render_form(kind.name, values=values, base_sha256=live.sha256, **form)
    parsed, errors = entry_form.parse(kind.name, entry_id)
    base = entry_form.posted_base() or live.sha256
    form.update(proposed=(parsed.fields, parsed.body), base_sha256=base)
    pressed = entry_form.button()
    values = entry_form.values_of(kind.name, parsed)
    answer = entry_form.answer_before_saving(kind.name, parsed, errors, values, pressed, **form)
    if answer is not None:
        return answer
    try:
        change = workflow.start(editorial_db(), _content_dir(), user, kind.name, entry_id,
                                fields=parsed.fields, body=parsed.body, base_sha256=base,
                                ip=request.remote_addr)
    except ChangeError:
        errors["organisation"] = _("Choose your own organisation: providers change their organisation's "
                                   "services only")
        return entry_form.render_form(kind.name, values=values, errors=errors, status=400, **form)
    return entry_form.save_and_maybe_submit(change, pressed == "submit")


def archive_entry(kind: Kind, entry_id: str):
    """Propose archiving the entry (a service: status archived; another kind: removing it), into review."""
    live = _live_or_404(kind.name, entry_id)
    _may_change_or_403(kind.name, entry_id, live.fields, workflow.ARCHIVE)
    db, user = editorial_db(), current_user()
    change = workflow.start(db, _content_dir(), user, kind.name, entry_id, fields=live.fields,
                            body=live.body, base_sha256=live.sha256, action=workflow.ARCHIVE,
                            ip=request.remote_addr)
    try:
        workflow.submit(db, _content_dir(), change.id, user, ip=request.remote_addr)
    except ChangeError:
        flash(_("The archiving was saved as a draft: the entry has problems to fix before it can be "
                "reviewed."), "info")
        return redirect(url_for("editor.change", change_id=change.id), 303)
    flash(_("Sent the archiving of %(title)s for review.", title=change.title), "success")
    return redirect(url_for("editor.change", change_id=change.id), 303)


def _history_access(kind: str, entry_id: str) -> workflow.LiveEntry | None:
    try:
        live = workflow.read_live(_content_dir(), kind, entry_id)
    except ValueError:
        abort(404)
    versions = workflow.versions(editorial_db(), kind, entry_id)
    if live is None and not versions:
        abort(404)
    fields = live.fields if live else {}
    if live is None:
        with_text = next((version for version in versions if version.text), None)
        fields = diffs.parse_text(kind, with_text.text)[0] if with_text else {}
    user = current_user()
    if user.role == "provider" and kinds.owner(kind, entry_id, fields) != user.organisation:
        abort(403)
    return live


def entry_history(kind: Kind, entry_id: str):
    """Every published version of the entry, newest first, with who wrote and approved it."""
    live = _history_access(kind.name, entry_id)
    versions = workflow.versions(editorial_db(), kind.name, entry_id)
    title = kinds.entry_title(kind.name, entry_id, live.fields) if live else entry_id
    return render_template("editor/history.html", title=_("History of %(title)s", title=title),
                           kind=kind.name, entry_id=entry_id, versions=versions,
                           live_sha=live.sha256 if live else None, list_title=str(LIST_TITLES[kind.name]),
                           changes=workflow.list_changes(editorial_db(), statuses=workflow.OPEN,
                                                         kind=kind.name, entry_id=entry_id))


def entry_version(kind: Kind, entry_id: str, version_id: int):
    """One version: what it changed from the version before, and restoring it."""
    live = _history_access(kind.name, entry_id)
    db = editorial_db()
    version = workflow.get_version(db, version_id)
    if version is None or version.entry_id != entry_id or version.kind != kind.name:
        abort(404)
    previous = workflow.previous_version(db, version)
    changes = diffs.text_diff(previous.text if previous else None, version.text, kind.name)
    against_live = diffs.text_diff(live.text if live else None, version.text, kind.name)
    return render_template("editor/version.html", title=_("Version of %(date)s", date=version.published_at),
                           kind=kind.name, kind_name=entry_form.kind_name(kind.name), entry_id=entry_id,
                           version=version, previous=previous, diff=changes, against_live=against_live,
                           is_live=bool(live and live.sha256 == version.sha256)
                           or (live is None and version.text is None),
                           display=diffs.display, field_label=field_name)


def restore_version(kind: Kind, entry_id: str, version_id: int):
    """Propose making this version live again: a change in review, like any other."""
    _history_access(kind.name, entry_id)
    version = workflow.get_version(editorial_db(), version_id)
    if version is None or version.entry_id != entry_id or version.kind != kind.name:
        abort(404)
    try:
        change = workflow.restore(editorial_db(), _content_dir(), version_id, current_user(),
                                  ip=request.remote_addr)
    except ChangeError as error:
        if error.code == "not_allowed":
            abort(403)
        if error.code == "not_found":  # a version that removed the entry: archive it instead
            abort(404)
        flash(_("This version is already the live one: there is nothing to restore."), "info")
        return redirect(entry_url(kind.name, "version", entry_id=entry_id, version_id=version_id), 303)
    flash(_("Sent the restoring of this version for review. It is live once a publisher approves it."),
          "success")
    return redirect(url_for("editor.change", change_id=change.id), 303)


# -- registering the views once per kind --------------------------------------------------------------------

VIEWS = (  # (view, rule under /editor/<folder>, methods, the action whose roles it admits)
    ("list", list_entries, "", ("GET",), "list"),
    ("new", new_entry, "/new", ("GET", "POST"), workflow.CREATE),
    ("open", open_entry, "/<entry_id>", ("GET",), workflow.EDIT),
    ("edit", edit_entry, "/<entry_id>/edit", ("GET", "POST"), workflow.EDIT),
    ("archive", archive_entry, "/<entry_id>/archive", ("POST",), workflow.ARCHIVE),
    ("history", entry_history, "/<entry_id>/history", ("GET",), "list"),
    ("version", entry_version, "/<entry_id>/history/<int:version_id>", ("GET",), "list"),
    ("restore", restore_version, "/<entry_id>/history/<int:version_id>/restore", ("POST",), workflow.RESTORE),
)


def register_kind(kind: Kind, overrides: dict | None = None) -> None:
    """Add the views of ``kind`` (those in ``kind.views``; ``overrides``: view name -> another function)."""
    for view, function, rule, methods, action in VIEWS:
        if view not in kind.views:
            continue
        function = (overrides or {}).get(view, function)

        def bound(function=function, **values):
            return function(kind, **values)

        bound.__name__ = endpoint(kind.name, view).removeprefix("editor.")
        bound.__doc__ = function.__doc__
        blueprint.add_url_rule(f"/{kind.url}{rule}", bound.__name__,
                               role_required(*kinds.roles_for(kind, action))(bound), methods=list(methods))


for _kind in (kinds.SERVICE, kinds.ORGANISATION, kinds.HUB, kinds.PAGE):
    register_kind(_kind)  # the taxonomy and the translations: in .translations


FIELD_NAMES = {
    "id": "id", "title": "title", "summary": "summary", "organisation": "organisation", "needs": "needs",
    "ages": "ages-min", "levels": "levels", "hubs": "hubs", "access": "access",
    "how_to_access": "how-to-access",
    "free": "free", "cost": "cost", "delivery": "delivery", "languages": "languages",
    "interpreters": "interpreters", "contact": "contact-phone", "evidence": "evidence-rating",
    "keywords": "keywords", "status": "status", "last_reviewed": "last-reviewed",
    "review_months": "review-months", "name": "name", "website": "website", "phone": "phone",
    "email": "email", "address": "address", "postcode": "postcode", "covers": "covers", "wards": "wards",
    "opening_hours": "opening-hours",
}


def field_name(name: str) -> str:
    """The readable name of a front matter field, for diffs."""
    if name == "ages":
        return _("Ages")
    if name == "contact":
        return _("Contact")
    if name == "evidence":
        return _("Evidence")
    if name == "venues":
        return _("Venues")
    return entry_form.field_label(FIELD_NAMES[name]) if name in FIELD_NAMES else name


@blueprint.app_template_global()  # a global, so the diff macros see it however they are imported
def diff_row_label(row: diffs.FieldDiff) -> str:
    """The readable name of one row of a diff: a field, a key of a mapping (``Contact · Email``), or
    an item of a list and its key (``Venue 1 (Brook Children's Centre) · Opening hours``)."""
    if not row.nested:
        return field_name(row.field)
    if row.index is None:
        form_id = f"{row.field}-{row.key.replace('_', '-')}"
        key = str(entry_form.LABELS[form_id]) if form_id in entry_form.LABELS else row.key
        return _("%(group)s · %(key)s", group=field_name(row.field), key=key)
    if row.field == "venues":
        item = (_("Venue %(number)s (%(name)s)", number=row.index, name=row.item) if row.item
                else _("Venue %(number)s", number=row.index))
        labels = entry_form.VENUE_LABELS
    else:
        name = field_name(row.field)
        item = (_("%(field)s %(number)s (%(name)s)", field=name, number=row.index, name=row.item) if row.item
                else _("%(field)s %(number)s", field=name, number=row.index))
        labels = {}
    if row.key is None:
        return item
    return _("%(item)s · %(key)s", item=item, key=str(labels.get(row.key, row.key)))


@blueprint.context_processor
def entry_links():
    """Editor templates link to any kind's pages with ``entry_url(kind, view, ...)`` and ``public_url``."""
    return {"entry_url": entry_url, "public_url": public_url}
