"""A search request read from URL parameters, with notices about what was ignored.

Nothing a visitor types may raise: the query is plain text (we never hand
it to Whoosh's query language), unknown filter values are dropped with a
notice, and only a page number that is not a number is refused outright.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .schema import FILTER_GROUPS

MAX_QUERY_LENGTH = 200
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 50
MAX_PAGE = 10_000
SORTS = ("relevance", "name")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


@dataclass(frozen=True)
class Notice:
    """Something about the request the reader should be told, as a code and values.

    The web layer turns codes into translated sentences; domain code stays
    free of Flask and of any one language.
    """

    code: str
    params: dict = field(default_factory=dict)


class RequestError(ValueError):
    """A parameter so wrong that no sensible search can be made of it."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class SearchRequest:
    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: str = "relevance"
    notices: list[Notice] = field(default_factory=list)
    # The reader's language (from the page, or the API's `lang`): searched first, then English.
    language: str = "en"

    @property
    def is_browse(self) -> bool:
        return not self.text.strip()


def clean_query(text: str) -> tuple[str, bool]:
    """Normalise what a visitor typed; returns (text, whether it was shortened)."""
    text = unicodedata.normalize("NFC", text)
    # Control and format characters (except joiners, which some scripts need).
    text = "".join(char if unicodedata.category(char)[0] != "C" or char in "\u200c\u200d" else " "
                   for char in text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > MAX_QUERY_LENGTH:
        return text[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0] or text[:MAX_QUERY_LENGTH], True
    return text, False


def _whole_number(values: Sequence[str], name: str, default: int, low: int, high: int) -> int:
    if not values or values[-1].strip() == "":
        return default
    raw = values[-1].strip()
    if not re.fullmatch(r"[0-9]+", raw):
        raise RequestError("not_a_number", name=name, value=raw[:20])
    if len(raw) > 9:  # int() of thousands of digits is slow, and refused past 4,300
        return high
    return max(low, min(int(raw), high))


def parse_request(params: Mapping[str, Sequence[str]], vocabulary: Mapping[str, set[str]],
                  language: str = "en") -> SearchRequest:
    """Read ``q``, the filter groups, ``page``, ``per_page`` and ``sort``.

    ``params`` maps each name to all its values (``need=a&need=b``);
    ``vocabulary`` gives the known values of each filter group; ``language``
    is the reader's (it is not a URL parameter of the results page: the
    page's language prefix gives it).
    """
    request = SearchRequest(language=language)
    raw_text = " ".join(params.get("q", []))
    request.text, shortened = clean_query(raw_text)
    if shortened:
        request.notices.append(Notice("query_shortened", {"limit": MAX_QUERY_LENGTH}))

    for group in FILTER_GROUPS:
        chosen: list[str] = []
        for raw in params.get(group, []):
            for value in raw.split(","):
                value = value.strip()
                if group == "free":
                    lowered = value.lower()
                    if lowered in _TRUE:
                        value = "1"
                    elif lowered in _FALSE:
                        continue
                if not value:
                    continue
                if value in vocabulary.get(group, set()):
                    if value not in chosen:
                        chosen.append(value)
                else:
                    request.notices.append(Notice("unknown_filter_value",
                                                  {"group": group, "value": value[:40]}))
        if chosen:
            request.filters[group] = tuple(chosen)

    request.page = _whole_number(params.get("page", []), "page", 1, 1, MAX_PAGE)
    requested = _whole_number(params.get("per_page", []), "per_page", DEFAULT_PER_PAGE, 1, 10**6)
    if requested > MAX_PER_PAGE:
        request.notices.append(Notice("per_page_capped", {"limit": MAX_PER_PAGE}))
    request.per_page = min(requested, MAX_PER_PAGE)

    sort = (params.get("sort") or [""])[-1].strip()
    if sort and sort not in SORTS:
        request.notices.append(Notice("unknown_sort", {"value": sort[:20]}))
        sort = ""
    request.sort = sort or ("name" if request.is_browse else "relevance")
    return request
