"""The search views' one call into the privacy-safe search log (app/insight/searchlog.py).

``log_search(search_request, total)`` runs on every search request, after the search, whatever
answers it (a page, the JSON API, a cached page): it keeps at most five fields in memory and
returns; a background thread writes them in batches.
"""

from __future__ import annotations

import datetime as dt
import threading

from flask import current_app

from ..insight.searchlog import SearchLog, entry_for
from ..search.request import SearchRequest

_creating = threading.Lock()


def search_log() -> SearchLog:
    """This app's search log (``<INSTANCE_DIR>/search-log.db``), made on first use."""
    extensions = current_app.extensions
    log = extensions.get("search_log")
    if log is None:
        with _creating:
            log = extensions.get("search_log")
            if log is None:
                log = extensions["search_log"] = SearchLog(current_app.config["INSTANCE_DIR"],
                                                           enabled=current_app.config.get("SEARCH_LOG", True))
    return log


def log_search(search_request: SearchRequest, total: int) -> None:
    """Count this search: its normalised query, filters, language and number of results, and the day."""
    log = search_log()
    if log.enabled:
        log.record(entry_for(search_request.text, search_request.filters, search_request.language, total,
                             search_request.page, dt.datetime.now(dt.UTC).date()))
