"""The Open Referral UK 3.0 feed under ``/api/oruk/``: open, read-only, cacheable JSON."""

from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, request, url_for

from ..opendata import oruk
from ..opendata.openapi import openapi_document
from ..postcodes import PostcodeError, hub_for_postcode
from ..search.request import MAX_QUERY_LENGTH, clean_query
from . import live_release

blueprint = Blueprint("oruk", __name__, url_prefix="/api/oruk")

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
MAX_MINIMAL_PER_PAGE = 5000  # minimal records are tiny; ORUK asks for all of them in one call
TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no", ""}


class BadParameter(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@blueprint.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    return jsonify({"error": error.message, "status": 400}), 400


@blueprint.after_request
def cacheable(response: Response) -> Response:
    opened = current_app.extensions["live_release"].get()
    if opened is not None and response.status_code == 200:
        # Every answer depends only on the release and the URL, so the release id is the ETag.
        response.set_etag(opened.id)
        if opened.release.created_at:
            response.last_modified = dt.datetime.fromisoformat(opened.release.created_at)
        response.headers["Cache-Control"] = "public, max-age=300"
        response.make_conditional(request)
    return response


def feed() -> oruk.Feed:
    return oruk.Feed(live_release())


def register(app: Flask) -> None:
    app.register_blueprint(blueprint)

    @app.after_request
    def open_to_all(response: Response) -> Response:
        # Open data: any site may read the APIs from a browser, errors included.
        if request.path.startswith("/api/"):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        return response


# -- parameters ----------------------------------------------------------------

def _flag(name: str, default: bool) -> bool:
    value = request.args.get(name)
    if value is None:
        return default
    if value.strip().lower() in TRUE:
        return True
    if value.strip().lower() in FALSE:
        return False
    raise BadParameter(f"'{name}' must be true or false, not '{value[:20]}'")


def _whole_number(name: str, default: int, high: int) -> int:
    value = request.args.get(name, "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or int(value[:9]) < 1:
        raise BadParameter(f"'{name}' must be a whole number from 1, not '{value[:20]}'")
    return min(int(value[:9]), high)


def _uuid_parameter(name: str) -> str | None:
    value = request.args.get(name, "").strip().lower()
    return value or None


def service_filter() -> oruk.ServiceFilter:
    filters = oruk.ServiceFilter(taxonomy_term_id=_uuid_parameter("taxonomy_term_id"),
                                 taxonomy_id=_uuid_parameter("taxonomy_id"),
                                 organization_id=_uuid_parameter("organization_id"))
    words, _ = clean_query(request.args.get("search", "")[:MAX_QUERY_LENGTH * 2])
    if words:
        filters.ids = live_release().engine.matching_ids(words)
    modified = request.args.get("modified_after", "").strip()
    if modified:
        try:
            filters.modified_after = dt.datetime.fromisoformat(modified.replace("Z", "+00:00")).date()
        except ValueError:
            raise BadParameter(f"'modified_after' must be a date or date-time such as 2026-01-31, "
                               f"not '{modified[:30]}'") from None
    postcode = request.args.get("postcode", "").strip()
    if postcode:
        try:
            hubs = live_release().directory.hubs
            hub = hub_for_postcode(postcode, [(hub_id, area) for hub_id, details in hubs.items()
                                              for area in details["areas"]])
        except PostcodeError:
            raise BadParameter(f"'postcode' must be a UK postcode or district such as N17 6AA or N17, "
                               f"not '{postcode[:20]}'") from None
        if hub is None:
            filters.ids = set()  # outside the borough: nothing here covers it
        else:
            filters.hub = hub
    return filters


def _page_parameters(minimal: bool = False) -> tuple[int, int]:
    high = MAX_MINIMAL_PER_PAGE if minimal else MAX_PER_PAGE
    return _whole_number("page", 1, 10**6), _whole_number("per_page", DEFAULT_PER_PAGE, high)


def _ndjson(records) -> Response:
    lines = (json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    return Response(lines, mimetype="application/x-ndjson")


def _wants_ndjson() -> bool:
    format_name = request.args.get("format", "json").strip().lower()
    if format_name not in ("json", "ndjson"):
        raise BadParameter(f"'format' must be json or ndjson, not '{format_name[:20]}'")
    return format_name == "ndjson"


# -- endpoints -------------------------------------------------------------------

@blueprint.get("/")
def api_details():
    return jsonify({"version": oruk.VERSION, "profile": oruk.PROFILE_URL,
                    "openapi_url": url_for("oruk.openapi", _external=True)})


@blueprint.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(url_for("oruk.api_details", _external=True).rstrip("/")))


@blueprint.get("/services")
def services():
    filters = service_filter()
    if _wants_ndjson():
        return _ndjson(feed().all_services(filters))
    minimal = _flag("minimal", False)
    number, per_page = _page_parameters(minimal)
    return jsonify(feed().services_page(filters, number, per_page, minimal).envelope())


@blueprint.get("/services/<service_id>")
def service(service_id: str):
    record = feed().service_by_uuid(service_id.lower())
    if record is None:
        abort(404)
    return jsonify(record)


@blueprint.get("/service_at_locations")
def service_at_locations():
    filters = service_filter()
    items = feed().service_at_locations(filters)
    if _wants_ndjson():
        return _ndjson(items)
    number, per_page = _page_parameters()
    return jsonify(oruk.paginate(items, number, per_page).envelope())


@blueprint.get("/service_at_locations/<item_id>")
def service_at_location(item_id: str):
    record = feed().service_at_location(item_id.lower())
    if record is None:
        abort(404)
    return jsonify(record)


@blueprint.get("/organizations")
def organizations():
    number, per_page = _page_parameters()
    return jsonify(oruk.paginate(feed().organisations(), number, per_page).envelope())


@blueprint.get("/organizations/<organization_id>")
def organization(organization_id: str):
    record = feed().organisation(organization_id.lower(), with_services=_flag("full_service", False))
    if record is None:
        abort(404)
    return jsonify(record)


@blueprint.get("/taxonomies")
def taxonomies():
    number, per_page = _page_parameters()
    return jsonify(oruk.paginate(feed().taxonomies(), number, per_page).envelope())


@blueprint.get("/taxonomies/<taxonomy_id>")
def taxonomy(taxonomy_id: str):
    record = feed().taxonomy(taxonomy_id.lower())
    if record is None:
        abort(404)
    return jsonify(record)


@blueprint.get("/taxonomy_terms")
def taxonomy_terms():
    number, per_page = _page_parameters()
    terms = feed().taxonomy_terms(_uuid_parameter("taxonomy_id"))
    # Our taxonomies are flat: every term is a top term and none has a parent.
    if _uuid_parameter("parent_id"):
        terms = []
    return jsonify(oruk.paginate(terms, number, per_page).envelope())


@blueprint.get("/taxonomy_terms/<term_id>")
def taxonomy_term(term_id: str):
    record = feed().taxonomy_term(term_id.lower())
    if record is None:
        abort(404)
    return jsonify(record)
