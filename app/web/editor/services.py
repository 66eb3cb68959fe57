"""Services in the editor: the list, a new service, editing or archiving one, and its history.

Nothing here writes to ``content/``: every page starts or carries on a change
(:mod:`app.editorial.changes`), which a publisher approves on its own page
(:mod:`.changes`). Providers see and change only their own organisation's services.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...content import load_content
from ...editorial import changes as workflow
from ...editorial.changes import ChangeError
from ...editorial.service_form import form_from_fields
from . import blueprint, editorial_db, entry_form
from .guard import current_user, role_required

EVERYONE = ("provider", "editor", "publisher", "admin")
PER_PAGE = 50


def _content_dir():
    return current_app.config["CONTENT_DIR"]


def _live_or_404(service_id: str) -> workflow.LiveEntry:
    try:
        live = workflow.read_live(_content_dir(), "service", service_id)
    except ValueError:  # not an id at all
        abort(404)
    if live is None:
        abort(404)
    return live


def _may_change_or_403(organisation) -> None:
    if not workflow.may_propose(current_user(), organisation):
        abort(403)


def _organisation(live: workflow.LiveEntry):
    value = live.fields.get("organisation")
    return value if isinstance(value, str) else None


@blueprint.get("/services")
@role_required(*EVERYONE)
def services():
    """Every service (a provider: their organisation's), searchable by title, with its pending changes."""
    content = load_content(_content_dir(), today=workflow.today())
    user = current_user()
    query = request.args.get("q", "").strip()[:200]
    found = [service for service in content.services.values()
             if (user.role != "provider" or service.organisation == user.organisation)
             and (not query or query.casefold() in service.title.casefold()
                  or query.casefold() in service.id)]
    found.sort(key=lambda service: (service.title.casefold(), service.id))
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    pages = max(1, (len(found) + PER_PAGE - 1) // PER_PAGE)
    page = min(page, pages)
    pending: dict[str, list] = {}
    for change in workflow.list_changes(editorial_db(), kind="service"):
        if workflow.may_see(user, change):
            pending.setdefault(change.entry_id, []).append(change)
    organisations = {org.id: org.name for org in content.organisations.values()}
    return render_template("editor/services.html", title=_("Services"), query=query,
                           services=found[(page - 1) * PER_PAGE:page * PER_PAGE], total=len(found), page=page,
                           pages=pages, pending=pending, organisations=organisations)


@blueprint.route("/services/new", methods=["GET", "POST"])
@role_required(*EVERYONE)
def new_service():
    """The form for a new service; saving it starts a change (nothing is live until approved)."""
    user = current_user()
    title = _("Add a service")
    action = url_for("editor.new_service")
    if request.method == "GET":
        values = form_from_fields({"status": "published", "organisation": user.organisation or "",
                                   "last_reviewed": workflow.today().isoformat()}, "")
        return entry_form.render_form(title=title, action=action, values=values, new=True)
    parsed, errors = entry_form.parse()
    pressed = entry_form.button()
    values = entry_form.values_of(parsed)
    if pressed == "preview":
        return entry_form.render_form(title=title, action=action, values=values, errors=errors, new=True,
                                      preview=entry_form.preview_html(parsed))
    if "id" in errors or (pressed == "submit" and errors):
        return entry_form.render_form(title=title, action=action, values=values, errors=errors, new=True,
                                      status=400)
    try:
        change = workflow.start(editorial_db(), _content_dir(), user, "service", parsed.entry_id,
                                fields=parsed.fields, body=parsed.body, action=workflow.CREATE,
                                ip=request.remote_addr)
    except ChangeError as error:
        field = "organisation" if error.code == "not_allowed" else "id"
        errors[field] = (_("Choose your own organisation: providers add services for their organisation only")
                         if error.code == "not_allowed" else _("There is already a service with this id"))
        return entry_form.render_form(title=title, action=action, values=values, errors=errors, new=True,
                                      status=400)
    return entry_form.save_and_maybe_submit(change, pressed == "submit")


@blueprint.route("/services/<service_id>/edit", methods=["GET", "POST"])
@role_required(*EVERYONE)
def edit_service(service_id: str):
    """The form filled from the live entry; saving it starts a change based on that version."""
    live = _live_or_404(service_id)
    _may_change_or_403(_organisation(live))
    user = current_user()
    mine = workflow.open_change_by(editorial_db(), user, "service", service_id)
    if mine is not None:
        flash(_("You already have a change to this service that is not yet in review: carry on with it."),
              "info")
        return redirect(url_for("editor.edit_change", change_id=mine.id), 303)
    title = _("Edit %(title)s", title=live.fields.get("title") or service_id)
    action = url_for("editor.edit_service", service_id=service_id)
    if request.method == "GET":
        return entry_form.render_form(title=title, action=action,
                                      values=form_from_fields(live.fields, live.body),
                                      base_sha256=live.sha256)
    parsed, errors = entry_form.parse(service_id)
    pressed = entry_form.button()
    values = entry_form.values_of(parsed)
    base = entry_form.posted_base() or live.sha256
    if pressed == "preview":
        return entry_form.render_form(title=title, action=action, values=values, errors=errors,
                                      base_sha256=base, preview=entry_form.preview_html(parsed))
    if pressed == "submit" and errors:
        return entry_form.render_form(title=title, action=action, values=values, errors=errors,
                                      base_sha256=base, status=400)
    try:
        change = workflow.start(editorial_db(), _content_dir(), user, "service", service_id,
                                fields=parsed.fields, body=parsed.body, base_sha256=base,
                                ip=request.remote_addr)
    except ChangeError:
        errors["organisation"] = _("Choose your own organisation: providers change their organisation's "
                                   "services only")
        return entry_form.render_form(title=title, action=action, values=values, errors=errors,
                                      base_sha256=base, status=400)
    return entry_form.save_and_maybe_submit(change, pressed == "submit")


@blueprint.post("/services/<service_id>/archive")
@role_required(*EVERYONE)
def archive_service(service_id: str):
    """Propose archiving the service (status: archived), straight into review."""
    live = _live_or_404(service_id)
    _may_change_or_403(_organisation(live))
    db, user = editorial_db(), current_user()
    change = workflow.start(db, _content_dir(), user, "service", service_id, fields=live.fields,
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


def _history_access(service_id: str) -> workflow.LiveEntry | None:
    try:
        live = workflow.read_live(_content_dir(), "service", service_id)
    except ValueError:
        abort(404)
    versions = workflow.versions(editorial_db(), "service", service_id)
    if live is None and not versions:
        abort(404)
    organisation = _organisation(live) if live else None
    if organisation is None and versions and versions[0].text:
        organisation = workflow.parse_entry(versions[0].text)[0].get("organisation")
    user = current_user()
    if user.role == "provider" and organisation != user.organisation:
        abort(403)
    return live


@blueprint.get("/services/<service_id>/history")
@role_required(*EVERYONE)
def service_history(service_id: str):
    """Every published version of the service, newest first, with who wrote and approved it."""
    live = _history_access(service_id)
    versions = workflow.versions(editorial_db(), "service", service_id)
    title = (live.fields.get("title") if live else None) or service_id
    return render_template("editor/history.html", title=_("History of %(title)s", title=title),
                           service_id=service_id, versions=versions, live_sha=live.sha256 if live else None,
                           changes=workflow.list_changes(editorial_db(), statuses=workflow.OPEN,
                                                         kind="service", entry_id=service_id))


@blueprint.get("/services/<service_id>/history/<int:version_id>")
@role_required(*EVERYONE)
def service_version(service_id: str, version_id: int):
    """One version: what it changed from the version before, and restoring it."""
    live = _history_access(service_id)
    db = editorial_db()
    version = workflow.get_version(db, version_id)
    if version is None or version.entry_id != service_id or version.kind != "service":
        abort(404)
    previous = workflow.previous_version(db, version)
    changes = workflow.text_diff(previous.text if previous else None, version.text)
    against_live = workflow.text_diff(live.text if live else None, version.text)
    return render_template("editor/version.html", title=_("Version of %(date)s", date=version.published_at),
                           service_id=service_id, version=version, previous=previous, diff=changes,
                           against_live=against_live, is_live=bool(live and live.sha256 == version.sha256),
                           display=workflow.display, field_label=_field_name)


@blueprint.post("/services/<service_id>/history/<int:version_id>/restore")
@role_required(*EVERYONE)
def restore_version(service_id: str, version_id: int):
    """Propose making this version live again: a change in review, like any other."""
    _history_access(service_id)
    version = workflow.get_version(editorial_db(), version_id)
    if version is None or version.entry_id != service_id:
        abort(404)
    try:
        change = workflow.restore(editorial_db(), _content_dir(), version_id, current_user(),
                                  ip=request.remote_addr)
    except ChangeError as error:
        if error.code == "not_allowed":
            abort(403)
        flash(_("This version is already the live one: there is nothing to restore."), "info")
        return redirect(url_for("editor.service_version", service_id=service_id, version_id=version_id), 303)
    flash(_("Sent the restoring of this version for review. It is live once a publisher approves it."),
          "success")
    return redirect(url_for("editor.change", change_id=change.id), 303)


FIELD_NAMES = {
    "id": "id", "title": "title", "summary": "summary", "organisation": "organisation", "needs": "needs",
    "ages": "ages-min", "levels": "levels", "hubs": "hubs", "access": "access",
    "how_to_access": "how-to-access",
    "free": "free", "cost": "cost", "delivery": "delivery", "languages": "languages",
    "interpreters": "interpreters", "contact": "contact-phone", "evidence": "evidence-rating",
    "keywords": "keywords", "status": "status", "last_reviewed": "last-reviewed",
    "review_months": "review-months",
}


def _field_name(name: str) -> str:
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
