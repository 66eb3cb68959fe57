"""Review dates: the published services by when they are due to be checked, and confirming one.

Everyone signed in may use the dashboard; a provider sees, and may confirm,
only the services of their own organisation. The domain work (buckets,
rewriting the entry, publishing, the audit log) is in
:mod:`app.editorial.reviews`. Editors, publishers and admins may also choose
another kind (organisations, hubs, pages, the taxonomy, translations), whose
review dates are kept in the instance database (:mod:`app.editorial.entry_reviews`).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...content import ContentSet
from ...editorial import entry_reviews, reviews
from ...editorial.content_cache import full_content
from ...editorial.publishing import Author, PublishFailed
from ..templating import long_date
from . import blueprint, editorial_db
from .entries import LIST_TITLES, entry_url
from .guard import current_user, role_required

STAFF = ("editor", "publisher", "admin")
SHOWN = 100  # entries listed per group for the kinds other than services


def _content(on) -> ContentSet:
    return full_content(current_app.config["CONTENT_DIR"], on)


def _organisation_filter(content: ContentSet) -> str | None:
    """The organisation to show: a provider's own, else the one chosen (if it exists)."""
    user = current_user()
    if user.role == "provider":
        return user.organisation or ""  # a provider without an organisation sees nothing
    chosen = request.values.get("organisation", "").strip()
    return chosen if chosen in content.organisations else None


def _kind() -> str:
    """The kind of entry to show: services, or (not for providers) another kind chosen."""
    chosen = request.values.get("kind", "service").strip()
    if current_user().role == "provider" or chosen not in entry_reviews.REVIEWED_KINDS:
        return "service"
    return chosen


def _dashboard(content: ContentSet, on, errors: dict[str, str] | None = None,
               problems: list[str] | None = None, status: int = 200):
    organisation = _organisation_filter(content)
    kind = _kind()
    if kind == "service":
        items = reviews.review_items(content, on, organisation=organisation)
    else:
        items = entry_reviews.review_items(editorial_db(), content, kind, on)
    groups = [
        {"id": reviews.OVERDUE, "title": _("Overdue"),
         "empty": _("Nothing is overdue."), "items": []},
        {"id": reviews.SOON, "title": _("Due in the next %(days)s days", days=reviews.SOON_DAYS),
         "empty": _("Nothing is due in the next %(days)s days.", days=reviews.SOON_DAYS), "items": []},
        {"id": reviews.LATER, "title": _("Due later"), "empty": _("Nothing is due later."), "items": []},
    ]
    by_bucket = {group["id"]: group for group in groups}
    for item in items:
        by_bucket[item.bucket]["items"].append(item)
    if kind != "service":  # thousands of translations: the soonest due of each group, and how many
        for group in groups:
            group["total"] = len(group["items"])
            group["items"] = group["items"][:SHOWN]
    organisations = sorted(((org.id, org.name) for org in content.organisations.values()),
                           key=lambda pair: pair[1].casefold())
    return render_template(
        "editor/reviews.html", title=_("Review dates"), groups=groups, today=on, errors=errors or {},
        problems=problems or [], organisation=organisation or "",
        organisation_name=(content.organisations[organisation].name
                           if organisation in content.organisations else organisation),
        organisations=organisations, is_provider=current_user().role == "provider", kind=kind,
        kinds=[("service", str(LIST_TITLES["service"]))]
        + [(name, str(LIST_TITLES[name])) for name in entry_reviews.REVIEWED_KINDS],
        edit_url=lambda entry_id: entry_url(kind, "edit", entry_id=entry_id),
        fingerprint=lambda service_id: reviews.fingerprint(content, service_id)), status


@blueprint.get("/reviews")
@role_required("provider", "editor", "publisher", "admin")
def reviews_dashboard():
    """Published services by review due date: overdue, due in 30 days, later."""
    on = reviews.today()
    return _dashboard(_content(on), on)


@blueprint.post("/reviews/<service_id>/confirm")
@role_required("provider", "editor", "publisher", "admin")
def confirm_review(service_id: str):
    """"Confirmed still correct": move the entry's review date on to today and publish it."""
    on = reviews.today()
    content = _content(on)
    service = content.services.get(service_id)
    if service is None or service.status != "published":
        abort(404)
    user = current_user()
    if user.role == "provider" and service.organisation != user.organisation:
        abort(403)
    try:
        confirmation = reviews.confirm_still_correct(
            editorial_db(), content, current_app.config["INDEX_DIR"], service_id,
            author=Author(user.name or user.email, user.email), ip=request.remote_addr, on=on,
            seen=request.form.get("seen", "").strip()[:64] or None)
    except reviews.ReviewError:
        errors = {f"review-{service_id}": _(
            "%(title)s was not confirmed: the entry has changed since this page was shown (someone "
            "else's change was published). Nothing was overwritten. Look at the entry again, then "
            "confirm it if it is still correct.", title=service.title)}
        return _dashboard(full_content(current_app.config["CONTENT_DIR"], on), on, errors, None, 409)
    except PublishFailed as failure:
        errors = {f"review-{service_id}": _(
            "%(title)s was not confirmed: publishing failed, so nothing has changed. Fix the problems "
            "below, then try again.", title=service.title)}
        return _dashboard(content, on, errors, failure.problems, 409)
    flash(_("Confirmed that %(title)s is still correct. The next check is due by %(date)s.",
            title=service.title, date=long_date(confirmation.due)), "success")
    organisation = request.form.get("organisation", "").strip() or None
    return redirect(url_for("editor.reviews_dashboard", organisation=organisation), 303)


@blueprint.post("/reviews/<kind>/<entry_id>/confirm")
@role_required(*STAFF)
def confirm_entry_review(kind: str, entry_id: str):
    """"Confirmed still correct" for an organisation, hub, page, taxonomy or translation: recorded in the
    instance database (nothing is published: the entry's file does not change)."""
    if kind not in entry_reviews.REVIEWED_KINDS:
        abort(404)
    on = reviews.today()
    content = _content(on)
    user = current_user()
    try:
        due = entry_reviews.confirm(editorial_db(), content, kind, entry_id, reviewer=user.email, on=on,
                                    ip=request.remote_addr)
    except entry_reviews.EntryReviewError:
        abort(404)
    flash(_("Confirmed that %(title)s is still correct. The next check is due by %(date)s.",
            title=entry_id, date=long_date(due)), "success")
    return redirect(url_for("editor.reviews_dashboard", kind=kind), 303)
