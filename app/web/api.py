"""JSON endpoints: search and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ..release.reader import ReleaseReader
from ..search.request import RequestError, SearchRequest, parse_request
from . import live_release, page_cache, service_url
from .messages import notice_message, request_error_message
from .page_cache import RenderedPage
from .search_log import log_search

blueprint = Blueprint("api", __name__)


@blueprint.get("/api/search")
def search():
    opened = live_release()
    # The API is unprefixed; `lang` asks for a search in another offered language (else English).
    language = request.args.get("lang", "en")
    # The engine's query builders are its languages (``engine.languages`` reads the index's TOC again).
    language = language if language in opened.engine.builders else "en"
    try:
        search_request = parse_request(request.args.to_dict(flat=False), opened.engine.vocabulary, language)
    except RequestError as error:
        response = jsonify({"error": request_error_message(error)})
        response.status_code = 400
        return response
    # The search and its answer are kept per release, as the results page's are.
    answer = page_cache.rendered(opened.id, lambda: _search_answer(opened, search_request, language))
    log_search(search_request, answer.total)
    return answer.response()


def _search_answer(opened: ReleaseReader, search_request: SearchRequest, language: str) -> RenderedPage:
    result = opened.engine.search(search_request)
    return RenderedPage(mimetype="application/json", total=result.total, text=current_app.json.dumps({
        "total": result.total,
        "page": search_request.page,
        "per_page": search_request.per_page,
        "pages": result.pages,
        "query": search_request.text,
        "lang": language,
        "sort": search_request.sort,
        "filters": {group: list(values) for group, values in search_request.filters.items()},
        "results": [_result(hit, language) for hit in result.hits],
        "facets": result.facets,
        "did_you_mean": result.did_you_mean,
        "matched_needs": result.matched_needs,
        "notices": [{"code": notice.code, "message": notice_message(notice)} for notice in result.notices],
        "release": opened.id,
    }))


def _result(hit, language: str) -> dict:
    found = {"id": hit.id, "title": hit.title, "summary": hit.summary, "url": service_url(hit.id, language)}
    if language != "en":
        # What the text is in: "translated", "stale" (from an older English text) or "missing" (English).
        found.update(language=hit.language, translation=hit.translation)
    return found


@blueprint.get("/healthz")
def healthz():
    release = live_release().release
    return jsonify({"status": "ok", "release": release.id, "created_at": release.created_at,
                    "counts": release.counts})
