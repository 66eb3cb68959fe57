"""Demand from the search log: exact lists, the need mapping, and k-anonymity."""

from __future__ import annotations

import datetime as dt

from app.insight.demand import LOW_RESULTS, NeedDemand, NeedMatcher, QueryCount, demand_report
from app.insight.searchlog import SearchLog

from .corpus import TODAY
from .release import open_corpus

SUPPLY = {"parenting": 2, "money-debt": 3, "school-attendance": 0, "speech-language": 1, "domestic-abuse": 0}


def _report(corpus, k=5, days=91):
    directory, _services, _organisations = open_corpus(corpus[1])
    synonyms = {need_id: [need["label"], *need["synonyms"], need_id.replace("-", " ")]
                for need_id, need in directory.needs.items()}
    since = TODAY - dt.timedelta(days=days - 1)
    return demand_report(SearchLog(corpus[2]).counts(since, TODAY, LOW_RESULTS), since=since, until=TODAY,
                         k=k, matcher=NeedMatcher(synonyms), services_per_need=SUPPLY)


def test_the_lists_hold_exactly_the_searches_seen_at_least_k_times(corpus):
    report = _report(corpus)
    assert report.total == 6 + 5 + 4 + 7 + 5 + 3 + 3
    assert report.top == [QueryCount("money worries", "", 6), QueryCount("truancy", "", 6),
                          QueryCount("he hits me", "", 5), QueryCount("parenting", "", 5)]
    assert report.zero == [QueryCount("", "hub=west&need=speech-language", 7),
                           QueryCount("he hits me", "", 5)]
    # "truancy" found 1 result 6 times, but with two sets of filters, 3 times each: neither is shown.
    assert report.low == [QueryCount("money worries", "", 6)]


def test_demand_per_need_against_supply(corpus):
    report = _report(corpus)
    assert report.needs == [NeedDemand("speech-language", 7, 1), NeedDemand("money-debt", 6, 3),
                            NeedDemand("school-attendance", 6, 0), NeedDemand("parenting", 5, 2),
                            NeedDemand("domestic-abuse", 5, 0)]
    assert report.needs[1].searches_per_service == 2.0
    assert report.needs[2].searches_per_service is None  # searched for, and nothing offered
    assert report.languages == [("en", 28), ("pl", 5)]


def test_a_query_seen_four_times_appears_nowhere(corpus):
    report = _report(corpus)
    shown = [item.query for item in report.top + report.zero + report.low]
    assert "rare secret query" not in shown
    # The same log with k = 4 shows it: the rule, not the data, keeps it out.
    assert "rare secret query" in [item.query for item in _report(corpus, k=4).zero]


def test_small_counts_per_need_and_language_are_withheld(corpus):
    report = _report(corpus, k=6)
    assert {item.need: item.searches for item in report.needs} == {
        "speech-language": 7, "money-debt": 6, "school-attendance": 6, "parenting": None,
        "domestic-abuse": None}
    assert report.languages == [("en", 28), ("pl", None)]


def test_the_period_leaves_older_searches_out(corpus):
    assert _report(corpus, days=365).top[0] == QueryCount("money worries", "", 16)


def test_needs_are_found_in_a_query_in_its_own_language():
    matcher = NeedMatcher({"money-debt": ["money worries", "debt"]}, {"pl": {"money-debt": ["długi"]}})
    assert matcher.needs_in("mam długi", "pl") == {"money-debt"}
    assert matcher.needs_in("debts", "pl") == {"money-debt"}  # English words are matched too
    assert matcher.needs_in("mam długi", "en") == set()
    assert matcher.needs_in("worries about money", "en") == set()  # a phrase is matched in its order
