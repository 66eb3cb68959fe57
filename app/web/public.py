"""The public directory: home, search results, service, hub and content pages."""

from __future__ import annotations

import dataclasses
import datetime as dt

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..opening_hours import opening_status
from ..release.reader import ReleaseReader
from ..search.request import RequestError, SearchRequest, parse_request
from . import live_release, opening, page_cache, search_page
from .editor.edit_link import edit_url
from .i18n import request_language
from .messages import notice_message, request_error_message
from .page_cache import RenderedPage
from .search_log import log_search
from .structured_data import service_json_ld

blueprint = Blueprint("public", __name__)

# URL numbers a results page reads past when they are not numbers, with what it says instead.
UNREADABLE_NUMBERS = {
    "page": _l("‘%(value)s’ is not a page number, so this is the first page of results."),
    "per_page": _l("‘%(value)s’ is not a number of results, so we show the usual number on a page."),
}
PUBLIC_MAX_AGE = 300
PUBLIC_CACHE = f"public, max-age={PUBLIC_MAX_AGE}"


@blueprint.app_context_processor
def page_context():
    """What the layout needs on every page; None when nothing is published (the 503 page)."""
    opened = current_app.extensions["live_release"].get()
    directory = opened.directory.for_language(request_language()) if opened else None
    return {"directory": directory, "today": dt.date.today()}


@blueprint.after_request
def cache_public_pages(response):
    response.headers.setdefault("Cache-Control", PUBLIC_CACHE)
    return response


@blueprint.get("/")
def home():
    opened = live_release()  # a 503 page until something is published
    return page_cache.rendered(opened.id, lambda: render_template("home.html")).response()


@blueprint.get("/search")
def search():
    opened = live_release()
    language = request_language()
    params = request.args.to_dict(flat=False)
    first_notices = []
    while True:
        try:
            search_request = parse_request(params, opened.engine.vocabulary, language)
            break
        except RequestError as error:
            # A page number that is not one (page=-1): show the first page and say why.
            name = error.params.get("name")
            if error.code != "not_a_number" or name not in UNREADABLE_NUMBERS or name not in params:
                return (render_template("search_error.html", message=request_error_message(error)), 400,
                        {"Cache-Control": "no-store"})
            del params[name]
            first_notices.append(str(UNREADABLE_NUMBERS[name]) % {"value": error.params["value"]})
    # The search and its page are kept per release: asked again, neither is redone.
    results = page_cache.rendered(opened.id,
                                  lambda: _results_page(opened, search_request, language, first_notices))
    # Logged as asked for (a page past the last, shown as the last, is not a new search).
    log_search(search_request, results.total)
    return results.response()


def _results_page(opened: ReleaseReader, search_request: SearchRequest, language: str,
                  first_notices: list[str]) -> RenderedPage:
    result = opened.engine.search(search_request)
    if not result.hits and result.total and search_request.page > result.pages:
        # Past the last page (page=999999): the last page, rather than a page of nothing.
        search_request = dataclasses.replace(search_request, page=result.pages)
        result = opened.engine.search(search_request)
        last_page = _("There are not that many pages of results, so this is the last page.")
        first_notices = [*first_notices, last_page]
    directory = opened.directory.for_language(language)
    cards = search_page.result_cards(opened.id, [hit.id for hit in result.hits],
                                     lambda ids: opened.service_cards(ids, language), directory)
    return RenderedPage(total=result.total, text=render_template(
        "search.html", result=result, search=search_request, cards=cards,
        groups=search_page.filter_groups(result, directory, page_cache.kept_part(
            opened.id, ("facet labels", language), lambda: search_page.FacetLabels(directory))),
        chips=search_page.chips(search_request, directory),
        pages=search_page.page_links(result),
        notices=first_notices + [notice_message(notice) for notice in result.notices],
        did_you_mean_url=(search_page.search_url(search_request, q=result.did_you_mean)
                          if result.did_you_mean else None),
        clear_filters_url=search_page.search_url(search_request, **dict.fromkeys(search_request.filters)),
        search_url=lambda **changes: search_page.search_url(search_request, **changes)))


@blueprint.get("/services/<service_id>")
def service(service_id: str):
    opened = live_release()
    language = request_language()
    details = page_cache.kept(opened.id, ("service", service_id, language),
                              lambda: opened.service_details(service_id, language))
    if details is None:
        abort(404)
    # Open now / next opening depends on the clock: worked out on every request, it is part of the
    # kept page's key (and ETag), and the page may not be cached past the moment the answer changes.
    at = opening.now()
    status = opening_status([(venue["name"], venue["periods"]) for venue in details["venues"]], at)
    editor_link = edit_url("service", service_id, details.get("organisation_id"))
    if editor_link is not None:
        # Built for this signed-in account alone: never kept with the public pages, never stored by a
        # browser or a shared cache, and no ETag (so no 304 can answer it with the public page).
        page = RenderedPage(_service_page(opened, service_id, details, status, at, language, editor_link))
        response = page.response()
        response.headers["Cache-Control"] = "private, no-store"
        return response
    state = () if status is None else (status.open, status.until, status.next_opening, status.venue)
    page = page_cache.rendered(
        opened.id, lambda: _service_page(opened, service_id, details, status, at, language), extra=state)
    response = page.response()
    response.headers["Cache-Control"] = f"public, max-age={opening.cache_seconds(status, at, PUBLIC_MAX_AGE)}"
    return response


def _service_page(opened: ReleaseReader, service_id: str, details: dict, status, at: dt.datetime,
                  language: str, editor_link: str | None = None) -> str:
    url = url_for("public.service", service_id=service_id, _external=True)
    shown = None
    if status is not None:
        named = len(details["venues"]) > 1  # say which place, when there is more than one
        shown = {"status": status, "text": opening.status_text(status, at.date()),
                 "venue": status.venue if named else ""}
    return render_template("service.html", service=details, opening=shown, url=url, edit_url=editor_link,
                           weekly_hours=opening.weekly_hours,
                           json_ld=service_json_ld(details, opened.directory.for_language(language), url))


@blueprint.get("/hubs/")
def hubs():
    opened = live_release()
    page = page_cache.rendered(
        opened.id, lambda: render_template("hubs.html", borough_wide=opened.borough_wide_count()))
    return page.response()


@blueprint.get("/hubs/<hub_id>")
def hub(hub_id: str):
    opened = live_release()
    page = page_cache.rendered(opened.id, lambda: _hub_page(opened, hub_id, request_language()))
    return page.response()


def _hub_page(opened: ReleaseReader, hub_id: str, language: str) -> str:
    directory = opened.directory.for_language(language)
    details = directory.hubs.get(hub_id)
    if details is None:
        abort(404)
    return render_template("hub.html", hub=details,
                           by_need=opened.hub_services_by_need(hub_id, directory.needs, language=language))


@blueprint.get("/pages/<slug>")
def page(slug: str):
    details = live_release().page(slug, request_language())
    if details is None:
        abort(404)
    return render_template("page.html", page=details)


@blueprint.app_template_global()
def page_title(*parts: str) -> Markup:
    """``Part - Site name``, the pattern every page title follows.

    Parts may be plain text (escaped here) or markup from a translated
    template string (already escaped), so each is escaped exactly once.
    """
    opened = current_app.extensions["live_release"].get()
    site_name = opened.directory.for_language(request_language()).site.get("name") if opened else None
    return Markup(" - ").join([*(part for part in parts if part), site_name or _("Early Help Directory")])
