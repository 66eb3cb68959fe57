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
from urllib.parse import parse_qsl

from ..search.analysis import phrase_analyzer, words
from .searchlog import SearchCount

DEFAULT_K = 5
LOW_RESULTS = 3  # "few results": 1 to 3, fewer than a family can choose between
TOP = 50
ZERO, FEW, MORE = "zero", "few", "more"  # how many results, in the log's counts


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
    """Maps a logged query to needs through the taxonomy's labels and synonyms: the search's own
    matching (stemmed word sequences, per language; English as well), with the phrases indexed by
    their first word, as a report maps tens of thousands of distinct queries at once."""

    def __init__(self, synonyms: Mapping[str, list[str]],
                 translated: Mapping[str, Mapping[str, list[str]]] | None = None):
        self._english = self._index(synonyms, "en")
        self._own = {language: self._index(phrases, language)
                     for language, phrases in (translated or {}).items()}

    @staticmethod
    def _index(synonyms: Mapping[str, list[str]], language: str):
        analyzer = phrase_analyzer(language)
        by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for need_id, phrases in synonyms.items():
            for phrase in phrases:
                sequence = tuple(words(analyzer, phrase))
                if sequence:
                    by_first.setdefault(sequence[0], []).append((sequence, need_id))
        return analyzer, by_first

    @staticmethod
    def _find(index, query: str) -> set[str]:
        analyzer, by_first = index
        tokens = words(analyzer, query)
        return {need_id for start, token in enumerate(tokens) for sequence, need_id in by_first.get(token, ())
                if tuple(tokens[start:start + len(sequence)]) == sequence}

    def needs_in(self, query: str, language: str) -> set[str]:
        found = self._find(self._english, query)
        if language in self._own:
            found |= self._find(self._own[language], query)
        return found


def demand_report(counts: Iterable[SearchCount], *, since: dt.date, until: dt.date, k: int,
                  matcher: NeedMatcher, services_per_need: Mapping[str, int]) -> DemandReport:
    """Top searches, zero- and few-result searches, demand per need and searches per language, from
    the log's counts (:meth:`SearchLog.counts`)."""
    k = max(1, k)
    total = 0
    queries: Counter = Counter()
    zero: Counter = Counter()
    low: Counter = Counter()
    per_need: Counter = Counter()
    per_language: Counter = Counter()
    needs_of: dict[tuple[str, str], set[str]] = {}
    for row in counts:
        total += row.searches
        per_language[row.language] += row.searches
        if row.query:
            queries[row.query] += row.searches
        if row.results == ZERO:
            zero[(row.query, row.filters)] += row.searches
        elif row.results == FEW:
            low[(row.query, row.filters)] += row.searches
        key = (row.query, row.language)
        if key not in needs_of:
            needs_of[key] = matcher.needs_in(row.query, row.language) if row.query else set()
        chosen = {value for group, value in parse_qsl(row.filters) if group == "need"}
        for need in chosen | needs_of[key]:
            per_need[need] += row.searches
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
