"""The results page: results, filters with counts, chips, did-you-mean, paging and the empty state."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from app import create_app
from app.config import TestingConfig
from app.publishing.publish import publish
from app.search.request import parse_request

from .factories import service, write_content


def result_ids(soup) -> list[str]:
    return [card.h2.a["href"].rsplit("/", 1)[1] for card in soup.select("#results li.result-card")]


def checked(soup, group: str) -> set[str]:
    return {box["value"] for box in soup.select(f'#search-filters input[name="{group}"][checked]')}


def option_counts(soup, group: str) -> dict[str, int]:
    return {box["value"]: int(re.sub(r"\D", "", box.find_next("label").select_one(".count").get_text()))
            for box in soup.select(f'#search-filters input[name="{group}"]')}


def test_query_results_link_to_service_pages(page):
    soup = page("/search?q=debt")
    assert result_ids(soup)[0] == "debt-advice"
    assert soup.h1.get_text(strip=True) == "Search results for ‘debt’"
    assert soup.find(id="result-count").get_text(" ", strip=True).startswith("1 service found")
    assert soup.select_one('#search-filters input[name="q"]')["value"] == "debt"


def test_result_card_shows_what_a_parent_needs_to_decide(page):
    card = page("/search?q=attendance").select_one("#results li.result-card")
    text = card.get_text(" ", strip=True)
    assert "School attendance support" in text and "Test Organisation" in text
    assert "Family workers help children who find it hard to go to school." in text
    assert "Ages 5 to 16" in text
    assert "East Hub" in text
    assert "No charge for families on benefits" in text
    assert "A professional can refer you" in text


def test_browse_lists_every_published_service_by_name(page):
    soup = page("/search")
    assert result_ids(soup) == ["debt-advice", "idva-outreach", "incredible-years", "attendance-support",
                                "stay-and-chat"]
    assert "old-draft" not in result_ids(soup)
    assert soup.h1.get_text(strip=True) == "Services for families"


@pytest.mark.parametrize(("query", "expected"), [
    ("need=parenting", {"incredible-years"}),
    ("need=parenting&need=money-debt", {"incredible-years", "debt-advice"}),
    ("hub=west", {"incredible-years", "stay-and-chat", "debt-advice", "idva-outreach"}),
    ("hub=east&level=3", {"attendance-support", "idva-outreach"}),
    ("age=pregnancy", {"idva-outreach"}),
    ("age=0-2&access=drop-in", {"stay-and-chat"}),
    ("free=1&delivery=phone", {"debt-advice", "idva-outreach"}),
    ("language=pl", {"debt-advice"}),
    ("need=parenting,money-debt&hub=east", {"debt-advice"}),
    ("q=help&free=1", {"idva-outreach"}),
    ("need=domestic-abuse&free=1&level=4&age=16-18&access=self-referral&delivery=phone&hub=west",
     {"idva-outreach"}),
])
def test_filters_combine_or_within_and_across_groups(page, query, expected):
    assert set(result_ids(page(f"/search?{query}"))) == expected


def test_chosen_filters_are_ticked_and_shown_as_removable_chips(page):
    soup = page("/search?q=advice&need=money-debt&need=parenting&hub=west")
    assert checked(soup, "need") == {"money-debt", "parenting"}
    assert checked(soup, "hub") == {"west"}
    chips = {chip.select_one(".chip__label").get_text(): chip["href"] for chip in soup.select("a.chip")}
    assert set(chips) == {"Search: advice", "Money, debt and benefits", "Parenting", "West Hub"}
    removed_need = parse_qs(urlsplit(chips["Parenting"]).query)
    assert removed_need == {"q": ["advice"], "need": ["money-debt"], "hub": ["west"]}
    removed_query = parse_qs(urlsplit(chips["Search: advice"]).query)
    assert "q" not in removed_query and removed_query["need"] == ["money-debt", "parenting"]


def test_facet_counts_say_what_choosing_a_value_would_give(page):
    soup = page("/search?hub=east")
    needs = option_counts(soup, "need")
    # In the east hub: attendance-support, stay-and-chat, and the borough-wide debt-advice and idva-outreach.
    assert needs == {"money-debt": 1, "school-attendance": 1, "speech-language": 1, "domestic-abuse": 1}
    # The hub group ignores its own filter, so choosing west instead is counted too.
    assert option_counts(soup, "hub") == {"west": 4, "east": 4}


def test_every_filter_group_is_offered_as_a_plain_form(page):
    soup = page("/search")
    form = soup.find("form", id="search-filters")
    assert form["method"] == "get" and form["action"] == "/search"
    legends = [legend.get_text(strip=True) for legend in form.select("fieldset legend")]
    assert len(legends) == 8
    for group in ("need", "age", "hub", "level", "free", "delivery", "language", "access"):
        assert form.select(f'input[type="checkbox"][name="{group}"]'), group
    assert form.find("button", id="apply-filters", type="submit")
    labels = {label.get_text(" ", strip=True).split(" (")[0] for label in form.select(".checkbox label")}
    assert {"Polish", "By phone", "Drop in, no appointment needed", "Level 4: Acute", "Free services only",
            "0 to 2 years", "Pregnancy"} <= labels


def test_did_you_mean_keeps_the_filters(page):
    soup = page("/search?q=speach&age=0-2")
    link = soup.select_one(".did-you-mean a")
    assert link.get_text() == "speech"
    assert parse_qs(urlsplit(link["href"]).query) == {"q": ["speech"], "age": ["0-2"]}


def test_unknown_filter_value_is_explained_not_fatal(page):
    soup = page("/search?hub=atlantis&need=parenting")
    assert "We do not know the hub 'atlantis'" in soup.select_one(".banner").get_text()
    assert result_ids(soup) == ["incredible-years"]


def test_empty_state_helps_the_family_onwards(page):
    soup = page("/search?q=zzzzqqq&hub=west")
    assert not soup.find(id="results")
    empty = soup.find(id="no-results")
    text = empty.get_text(" ", strip=True)
    assert "remove a filter" in text
    assert empty.find("a", href="/hubs/")
    assert empty.find("a", href="tel:02079460100")
    assert soup.find(id="result-count").get_text(" ", strip=True).startswith("0 services found")
    assert soup.select("a.chip")  # so the filter can be removed in one tap


@pytest.mark.parametrize(("query", "notice"), [
    ("page=abc", "‘abc’ is not a page number, so this is the first page of results."),
    ("page=-1", "‘-1’ is not a page number, so this is the first page of results."),
    ("q=parenting&page=1.5", "‘1.5’ is not a page number, so this is the first page of results."),
    ("per_page=lots", "‘lots’ is not a number of results, so we show the usual number on a page."),
])
def test_unreadable_page_numbers_show_the_first_page_and_say_why(page, query, notice):
    soup = page(f"/search?{query}")
    assert notice in soup.select_one(".banner").get_text()
    assert soup.select("#results li"), "the first page of results is shown"
    assert "page=" not in " ".join(a["href"] for a in soup.select(".chip"))
    assert not soup.find(string=lambda text: "must be a whole number" in text)


def test_the_api_still_refuses_an_unreadable_page_number(client):
    # A program asking the API gets the precise 400; only the page for people reads past it.
    response = client.get("/api/search?page=-1")
    assert response.status_code == 400
    assert "'page' must be a whole number from 1, not '-1'" in response.get_json()["error"]


@pytest.fixture
def many(folders):
    content = write_content(folders["content"], [
        service(f"group-{number:02d}", title=f"Group {number:02d}", summary="A parenting group.")
        for number in range(1, 46)])
    publish(content, folders["index"], processes=1)
    return create_app(TestingConfig(folders["content"], folders["index"], folders["instance"])).test_client()


def test_paging_keeps_the_search_and_marks_the_current_page(many):
    from .pages import get_page

    soup = get_page(many, "/search?q=parenting+group&page=2")
    assert len(result_ids(soup)) == 20
    assert soup.select_one("#results")["start"] == "21"
    assert "page 2 of 3" in soup.find(id="result-count").get_text()
    nav = soup.find("nav", class_="pagination")
    current = nav.find("a", attrs={"aria-current": "page"})
    assert current.get_text(strip=True) == "Page 2"
    next_link = nav.find("a", rel="next")
    assert parse_qs(urlsplit(next_link["href"]).query) == {"q": ["parenting group"], "page": ["3"]}
    assert parse_qs(urlsplit(nav.find("a", rel="prev")["href"]).query) == {"q": ["parenting group"]}
    last = get_page(many, "/search?q=parenting+group&page=3")
    assert len(result_ids(last)) == 5 and not last.find("a", rel="next")


def test_page_past_the_end_shows_the_last_page_and_says_so(many):
    from .pages import get_page

    soup = get_page(many, "/search?page=9")
    assert "so this is the last page" in soup.select_one(".banner").get_text()
    assert len(result_ids(soup)) == 5  # page 3 of 45 services, 20 a page
    assert soup.find(id="result-count").get_text(" ", strip=True) == "45 services found (page 3 of 3)"
    assert soup.select_one(".pagination__current").get_text() == "Page 3"
    assert not soup.select_one("#no-results")
    huge = get_page(many, "/search?page=999999")
    assert len(result_ids(huge)) == 5


def test_the_api_says_how_many_pages_in_good_grammar(many):
    one = many.get("/api/search?per_page=50&page=5").get_json()
    assert one["notices"][0]["message"] == "There is no such page of results; there is 1 page."
    three = many.get("/api/search?page=9").get_json()
    assert three["notices"][0]["message"] == "There is no such page of results; there are 3 pages."


@pytest.mark.parametrize("address", [
    "/search?q=debt",
    "/pl/search?q=%C5%82%C3%B3d%C5%BA+it%27s+%22a%22+%26+%3Cb%3E+100%25+a%2Bb&need=parenting",
    "/search?need=parenting&need=money-debt&hub=west&free=1&sort=name&per_page=5&page=3&s=debt-advice,x",
    "/search?q=%2F%3F%23%40%21%24%28%29%2A%2C%3B%3A+~&level=2&s=debt-advice"])
def test_search_links_are_written_as_url_for_writes_them(app, address):
    """The page builds its dozen search links itself (search_page.search_url), the way url_for does."""
    from flask import request as asked
    from flask import url_for

    from app.web.practitioner.shortlist import carried_ids
    from app.web.search_page import search_params, search_url

    with app.test_request_context(address):
        opened = app.extensions["live_release"].get()
        search = parse_request(asked.args.to_dict(flat=False), opened.engine.vocabulary)
        carried = ",".join(carried_ids()) or None  # the list travels along, as it always did
        for changes in ({}, {"page": 2}, {"page": None}, {"q": None}, {"need": []}, {"need": ["parenting"]},
                        {"q": "a b&c=d"}, dict.fromkeys(search.filters)):
            expected = url_for("public.search", **search_params(search, **changes), s=carried)
            assert search_url(search, **changes) == expected, changes
