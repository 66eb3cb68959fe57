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

from ...editorial import entry_reviews, reviews
from ...editorial.content_cache import full_content
from ...editorial.publishing import Author, PublishFailed
from ..templating import long_date
from . import blueprint, content_index, editorial_db
from .entries import LIST_TITLES, entry_urls, id_urls
from .guard import current_user, role_required

STAFF = ("editor", "publisher", "admin")
PER_PAGE = 50  # services shown per group: the rest are a page link away
SHOWN = 100  # entries listed per group for the kinds other than services


def _organisation_filter(organisations: dict[str, str]) -> str | None:
    """The organisation to show: a provider's own, else the one chosen (if it exists)."""
    user = current_user()
    if user.role == "provider":
        return user.organisation or ""  # a provider without an organisation sees nothing
    chosen = request.values.get("organisation", "").strip()
    return chosen if chosen in organisations else None


def _kind() -> str:
    """The kind of entry to show: services, or (not for providers) another kind chosen."""
    chosen = request.values.get("kind", "service").strip()
    if current_user().role == "provider" or chosen not in entry_reviews.REVIEWED_KINDS:
        return "service"
    return chosen


def _page_number(bucket: str, count: int) -> int:
    try:
        page = max(1, int(request.args.get(f"{bucket}-page", "1")))
    except ValueError:
        page = 1
    return min(page, max(1, (count + PER_PAGE - 1) // PER_PAGE))


def _service_groups(groups: list[dict], on, organisation: str | None) -> None:
    """Fill ``groups`` from the index of the entry files: each group's count and one page of it."""
    index = content_index()
    counts = index.review_counts(on, reviews.SOON_DAYS, organisation)
    for group in groups:
        bucket = group["id"]
        group["count"] = counts[bucket]
        group["page"] = _page_number(bucket, counts[bucket])
        group["pages"] = max(1, (counts[bucket] + PER_PAGE - 1) // PER_PAGE)
        group["items"] = reviews.indexed_items(index, on, bucket, organisation=organisation,
                                               offset=(group["page"] - 1) * PER_PAGE, limit=PER_PAGE)
    # Each group pages on its own: a link keeps the organisation and the other groups' pages.
    pages = {f"{group['id']}-page": group["page"] for group in groups if group["page"] > 1}
    chosen = organisation if current_user().role != "provider" and organisation else None

    def page_url(bucket: str, page: int) -> str:
        return url_for("editor.reviews_dashboard", organisation=chosen,
                       **{**pages, f"{bucket}-page": page}, _anchor=f"{bucket}-heading")

    for group in groups:
        group["previous_url"] = page_url(group["id"], group["page"] - 1) if group["page"] > 1 else None
        group["next_url"] = (page_url(group["id"], group["page"] + 1) if group["page"] < group["pages"]
                             else None)


def _other_groups(groups: list[dict], on, kind: str) -> None:
    """Fill ``groups`` with entries of ``kind`` (review dates in the instance database): thousands of
    translations, so the soonest due of each group, and how many there are."""
    content = full_content(current_app.config["CONTENT_DIR"], on)
    by_bucket = {group["id"]: group for group in groups}
    for group in groups:
        group["items"] = []
    for item in entry_reviews.review_items(editorial_db(), content, kind, on):
        by_bucket[item.bucket]["items"].append(item)
    for group in groups:
        group["count"] = len(group["items"])
        group["items"] = group["items"][:SHOWN]
        group["previous_url"] = group["next_url"] = None
        group["page"] = group["pages"] = 1


def _dashboard(on, errors: dict[str, str] | None = None, problems: list[str] | None = None,
               status: int = 200):
    """The dashboard of the kind chosen (services unless another is chosen)."""
    organisations = content_index().titles("organisation")
    organisation = _organisation_filter(organisations)
    kind = _kind()
    groups = [
        {"id": reviews.OVERDUE, "title": _("Overdue"), "empty": _("Nothing is overdue.")},
        {"id": reviews.SOON, "title": _("Due in the next %(days)s days", days=reviews.SOON_DAYS),
         "empty": _("Nothing is due in the next %(days)s days.", days=reviews.SOON_DAYS)},
        {"id": reviews.LATER, "title": _("Due later"), "empty": _("Nothing is due later.")},
    ]
    if kind == "service":
        _service_groups(groups, on, organisation)
    else:
        _other_groups(groups, on, kind)
    dates: dict = {}  # services sorted by due date share a few dates: each is written out once per page

    def date_text(day) -> str:
        if day not in dates:
            dates[day] = long_date(day)
        return dates[day]

    return render_template(
        "editor/reviews.html", title=_("Review dates"), groups=groups, today=on, errors=errors or {},
        edit_url=entry_urls(kind, "edit"), public_url=id_urls("public.service", "service_id"),
        confirm_url=id_urls("editor.confirm_review", "service_id"),
        date_text=date_text,
        problems=problems or [], organisation=organisation or "",
        organisation_name=organisations.get(organisation, organisation),
        organisations=sorted(organisations.items(), key=lambda pair: pair[1].casefold()),
        is_provider=current_user().role == "provider", kind=kind,
        kinds=[("service", str(LIST_TITLES["service"]))]
        + [(name, str(LIST_TITLES[name])) for name in entry_reviews.REVIEWED_KINDS]), status


@blueprint.get("/reviews")
@role_required("provider", "editor", "publisher", "admin")
def reviews_dashboard():
    """Published services by review due date: overdue, due in 30 days, later."""
    return _dashboard(reviews.today())


@blueprint.post("/reviews/<service_id>/confirm")
@role_required("provider", "editor", "publisher", "admin")
def confirm_review(service_id: str):
    """"Confirmed still correct": move the entry's review date on to today and publish it."""
    on = reviews.today()
    content = reviews.one_service(current_app.config["CONTENT_DIR"], service_id, on)
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
        return _dashboard(on, errors, None, 409)
    except PublishFailed as failure:
        errors = {f"review-{service_id}": _(
            "%(title)s was not confirmed: publishing failed, so nothing has changed. Fix the problems "
            "below, then try again.", title=service.title)}
        return _dashboard(on, errors, failure.problems, 409)
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
    content = full_content(current_app.config["CONTENT_DIR"], on)
    user = current_user()
    try:
        due = entry_reviews.confirm(editorial_db(), content, kind, entry_id, reviewer=user.email, on=on,
                                    ip=request.remote_addr)
    except entry_reviews.EntryReviewError:
        abort(404)
    flash(_("Confirmed that %(title)s is still correct. The next check is due by %(date)s.",
            title=entry_id, date=long_date(due)), "success")
    return redirect(url_for("editor.reviews_dashboard", kind=kind), 303)
