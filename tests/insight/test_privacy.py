"""What the search log may keep: personal-looking queries are dropped, the rest normalised."""

from __future__ import annotations

import datetime as dt

import pytest

from app.insight.privacy import looks_personal, normalise_query
from app.insight.searchlog import LoggedSearch, encode_filters, entry_for

DAY = dt.date(2026, 9, 1)


@pytest.mark.parametrize("text", [
    "020 7946 0210", "07700900123", "+44 7700 900 123", "0 7 7 0 0 9 0 0 1 2 3",  # phone numbers
    "jane.doe@example.org", "@janedoe",  # emails and handles
    "N17 6AA", "n176aa", "food bank N17 6AA", "N17 6",  # postcodes narrower than the district
    "flat 123", "born 2019", "12/03/15", "1.2.2019",  # numbers, years and dates
    "my husband john smith hits me and the kids every night",  # a story
])
def test_personal_looking_queries_are_dropped(text):
    assert looks_personal(text)
    assert entry_for(text, {}, "en", 3, 1, DAY) is None


@pytest.mark.parametrize("text", ["money worries", "N17", "food bank n17", "year 6", "0-2 years", "16-18",
                                  "can't cope", "স্থানীয় খাদ্য সহায়তা", "pieniądze"])
def test_ordinary_queries_are_kept(text):
    assert not looks_personal(text)


def test_queries_are_normalised():
    assert normalise_query("  Can\u2019t   COPE!! ") == "cant cope"
    assert normalise_query("Łódź, Polska") == "łódź polska"
    assert normalise_query("স্থানীয়  খাদ্য") == "স্থানীয় খাদ্য"  # combining marks kept


def test_the_entry_keeps_only_the_five_fields():
    entry = entry_for("Money  Worries", {"need": ("money-debt",), "hub": ("west", "east")}, "pl", 4, 1, DAY)
    assert entry == LoggedSearch("2026-09-01", "money worries", "hub=east&hub=west&need=money-debt", "pl", 4)
    assert encode_filters({"need": ["a b"]}) == "need=a+b"


def test_only_the_first_page_and_only_real_searches_are_counted():
    assert entry_for("debt", {}, "en", 40, 2, DAY) is None  # paging on is the same search
    assert entry_for("", {}, "en", 900, 1, DAY) is None  # the bare results page
    assert entry_for("", {"need": ("parenting",)}, "en", 9, 1, DAY) == LoggedSearch(
        "2026-09-01", "", "need=parenting", "en", 9)
