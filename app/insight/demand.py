"""What families search for, from the search log, without letting anyone be singled out.

k-anonymity: a query (or a query with its filters) appears in a report only when at least ``k``
searches share it in the period; counts per need or per language below ``k`` are shown as "fewer
than k" (None here). Every list and CSV is built from :class:`DemandReport`, so nothing can reach a
page or a download past this rule.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..search.query import SynonymMatcher
from .searchlog import LoggedSearch

DEFAULT_K = 5
LOW_RESULTS = 3  # "few results": 1 to 3, fewer than a family can choose between
TOP = 50


@dataclass(frozen=True)
class QueryCount:
    """A query (with its filters, for the unmet-demand lists) and how many searches made it."""

    query: str
    filters: str
    searches: int


@dataclass(frozen=True)
class NeedDemand:
    """Searches about a need (None when fewer than k) against the published services for it."""

    need: str
    searches: int | None
    services: int

    @property
    def searches_per_service(self) -> float | None:
        if self.searches is None:
            return None
        return round(self.searches / self.services, 1) if self.services else None


@dataclass
class DemandReport:
    """Every figure of the demand page, already k-anonymous."""

    since: dt.date
    until: dt.date
    k: int
    total: int
    top: list[QueryCount] = field(default_factory=list)
    zero: list[QueryCount] = field(default_factory=list)
    low: list[QueryCount] = field(default_factory=list)
    needs: list[NeedDemand] = field(default_factory=list)
    languages: list[tuple[str, int | None]] = field(default_factory=list)


def _at_least(counts: Counter, k: int, limit: int = TOP) -> list[tuple[tuple, int]]:
    kept = [(key, count) for key, count in counts.items() if count >= k]
    return sorted(kept, key=lambda item: (-item[1], item[0]))[:limit]


def _suppressed(count: int, k: int) -> int | None:
    return count if count >= k else None


class NeedMatcher:
    """Maps a logged query to needs through the taxonomy's labels and synonyms, in its language
    (the same matching the search does, stemmed per language), and English as well."""

    def __init__(self, synonyms: Mapping[str, list[str]],
                 translated: Mapping[str, Mapping[str, list[str]]] | None = None):
        self._english = SynonymMatcher(dict(synonyms))
        self._own = {language: SynonymMatcher(dict(phrases), language)
                     for language, phrases in (translated or {}).items()}

    def needs_in(self, query: str, language: str) -> list[str]:
        found = self._english.needs_in(query)
        own = self._own.get(language)
        if own is not None:
            found += [need for need in own.needs_in(query) if need not in found]
        return found


def demand_report(rows: Iterable[LoggedSearch], *, since: dt.date, until: dt.date, k: int,
                  matcher: NeedMatcher, services_per_need: Mapping[str, int],
                  low_results: int = LOW_RESULTS) -> DemandReport:
    """Top searches, zero- and few-result searches, demand per need and searches per language."""
    k = max(1, k)
    total = 0
    queries: Counter = Counter()
    zero: Counter = Counter()
    low: Counter = Counter()
    per_need: Counter = Counter()
    per_language: Counter = Counter()
    needs_of: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        total += 1
        per_language[row.language] += 1
        if row.query:
            queries[row.query] += 1
        if row.results == 0:
            zero[(row.query, row.filters)] += 1
        elif row.results <= low_results:
            low[(row.query, row.filters)] += 1
        key = (row.query, row.language)
        if key not in needs_of:
            needs_of[key] = matcher.needs_in(row.query, row.language) if row.query else []
        chosen = {value for group, value in row.filter_pairs if group == "need"}
        for need in chosen | set(needs_of[key]):
            per_need[need] += 1
    return DemandReport(
        since=since, until=until, k=k, total=total,
        top=[QueryCount(query, "", count) for query, count in _at_least(queries, k)],
        zero=[QueryCount(query, filters, count) for (query, filters), count in _at_least(zero, k)],
        low=[QueryCount(query, filters, count) for (query, filters), count in _at_least(low, k)],
        needs=sorted((NeedDemand(need, _suppressed(per_need[need], k), supply)
                      for need, supply in services_per_need.items()),
                     key=lambda item: -(item.searches or 0)),
        languages=sorted(((language, _suppressed(count, k)) for language, count in per_language.items()),
                         key=lambda item: (-(item[1] or 0), item[0])),
    )
