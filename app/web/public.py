"""The public directory: home, search results, service, hub and content pages."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from ..release.reader import ReleaseReader
from ..search.request import RequestError, SearchRequest, parse_request
from . import live_release, page_cache, search_page
from .i18n import request_language
from .messages import notice_message, request_error_message
from .page_cache import RenderedPage
from .structured_data import service_json_ld

blueprint = Blueprint("public", __name__)

PUBLIC_CACHE = "public, max-age=300"


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
    try:
        search_request = parse_request(request.args.to_dict(flat=False), opened.engine.vocabulary, language)
    except RequestError as error:
        return (render_template("search_error.html", message=request_error_message(error)), 400,
                {"Cache-Control": "no-store"})
    # The search and its page are kept per release: asked again, neither is redone.
    results = page_cache.rendered(opened.id, lambda: _results_page(opened, search_request, language))
    return results.response()


def _results_page(opened: ReleaseReader, search_request: SearchRequest, language: str) -> RenderedPage:
    result = opened.engine.search(search_request)
    cards = opened.service_cards([hit.id for hit in result.hits], language)
    directory = opened.directory.for_language(language)
    return RenderedPage(result=result, text=render_template(
        "search.html", result=result, search=search_request, cards=cards,
        groups=search_page.filter_groups(result, directory),
        chips=search_page.chips(search_request, directory),
        pages=search_page.page_links(result),
        notices=[notice_message(notice) for notice in result.notices],
        did_you_mean_url=(search_page.search_url(search_request, q=result.did_you_mean)
                          if result.did_you_mean else None),
        clear_filters_url=search_page.search_url(search_request, **dict.fromkeys(search_request.filters)),
        search_url=lambda **changes: search_page.search_url(search_request, **changes)))


@blueprint.get("/services/<service_id>")
def service(service_id: str):
    opened = live_release()
    page = page_cache.rendered(opened.id, lambda: _service_page(opened, service_id, request_language()))
    return page.response()


def _service_page(opened: ReleaseReader, service_id: str, language: str) -> str:
    details = opened.service_details(service_id, language)
    if details is None:
        abort(404)
    url = url_for("public.service", service_id=service_id, _external=True)
    return render_template("service.html", service=details,
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
