"""Building a list without leaving the results (issue 16): "Add to list" comes back to the same page,
"Add more services" to the same search; the family's short link opens a family view; the menu."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from app.practitioner import shortlist as lists

from ..pages import get_page


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def add_link(soup, service_id: str) -> str:
    return soup.select_one(f"#add-{service_id} a.add-to-list__link")["href"]


def test_three_services_from_one_search_in_three_clicks(client):
    """Without JavaScript each "Add to list" is one click: a redirect back to the same results (the
    same words, filters and page), scrolled to the card, with the list grown and a notice."""
    url = "/search?q=parents+advice+abuse&free=1"
    soup = get_page(client, url)
    services = [card.select_one("p.add-to-list")["id"].removeprefix("add-")
                for card in soup.select("#results li")]
    assert len(services) >= 3
    for clicks, service_id in enumerate(services[:3], 1):
        response = client.get(add_link(soup, service_id))
        assert response.status_code == 303
        location = response.headers["Location"]
        path, _, fragment = location.partition("#")
        assert urlsplit(path).path == "/search" and fragment == f"add-{service_id}"
        assert query_of(path) == {"q": ["parents advice abuse"], "free": ["1"],
                                  "s": [",".join(services[:clicks])], "added": [service_id]}
        soup = get_page(client, path)
        notice = soup.select_one(f"#add-{service_id} .add-to-list__added")
        assert notice["role"] == "status"
        assert notice.get_text() == f"Added. Your list has {clicks} service{'s' if clicks > 1 else ''}."
        # Only the card just added says so; the others added before just say they are in the list.
        assert len(soup.select(".add-to-list__added")) == 1
        assert soup.select_one(".shortlist-bar a").get_text() == (
            f"Your list: {clicks} service{'s' if clicks > 1 else ''}")
    # Every link of the results page carries the list, never the notice.
    assert all("added=" not in a["href"] for a in soup.select("#results a, .pagination a, .chips a"))


def test_adding_keeps_the_page_of_results(client):
    soup = get_page(client, "/search?per_page=2&page=2")
    first = soup.select_one("#results p.add-to-list")["id"].removeprefix("add-")
    location = client.get(add_link(soup, first)).headers["Location"]
    assert query_of(location.partition("#")[0]) == {"per_page": ["2"], "page": ["2"], "s": [first],
                                                   "added": [first]}


def test_adding_on_a_service_page_comes_back_to_it(client):
    soup = get_page(client, "/services/debt-advice?s=idva-outreach")
    response = client.get(add_link(soup, "debt-advice"))
    assert response.headers["Location"] == (
        "/services/debt-advice?s=idva-outreach,debt-advice&added=debt-advice#add-debt-advice")
    page = get_page(client, response.headers["Location"])
    assert page.select_one("#add-debt-advice .add-to-list__added")


@pytest.mark.parametrize("back", [
    "//evil.example/search", "https://evil.example/search", "/\\evil.example", "http:/search",
    "/editor/", "/shortlist", "/api/search?q=x", "/no-such-page", "", "search?q=x", "/search#x",
    "/search?q=" + "x" * 3000,
])
def test_add_never_returns_anywhere_but_a_page_of_this_site_the_list_belongs_to(client, back):
    response = client.get("/shortlist/add", query_string={"add": "debt-advice", "s": "idva-outreach",
                                                          "back": back})
    assert response.status_code == 303
    assert response.headers["Location"] == "/shortlist?s=idva-outreach,debt-advice"


@pytest.mark.parametrize("add", ["no-such-service", "old-draft", "<script>", "", "a" * 500])
def test_adding_what_is_not_a_published_service_changes_nothing(client, add):
    response = client.get("/shortlist/add", query_string={"add": add, "s": "idva-outreach",
                                                          "back": "/search?q=abuse", "at": "add-x"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/search?q=abuse&s=idva-outreach#add-x"


def test_an_anchor_that_is_not_an_id_is_dropped(client):
    response = client.get("/shortlist/add", query_string={"add": "debt-advice", "back": "/search",
                                                          "at": '"><script>'})
    assert response.headers["Location"] == "/search?s=debt-advice&added=debt-advice"


def test_add_more_services_returns_to_the_search(client):
    results = get_page(client, "/search?q=parenting&age=3-5&s=debt-advice")
    shortlist_url = results.select_one(".shortlist-bar a")["href"]
    assert query_of(shortlist_url)["back"] == ["/search?q=parenting&age=3-5"]
    shortlist = get_page(client, shortlist_url)
    assert shortlist.find(id="add-more")["href"] == "/search?q=parenting&age=3-5&s=debt-advice"
    # Moving, removing and the note keep the search to return to.
    for link in shortlist.select(".shortlist-item__actions a"):
        assert query_of(link["href"])["back"] == ["/search?q=parenting&age=3-5"]
    assert query_of(shortlist.find(id="note-form")["action"])["back"] == ["/search?q=parenting&age=3-5"]
    # Without a search to return to (or with one that is not ours), the search page.
    assert get_page(client, "/shortlist?s=debt-advice").find(id="add-more")["href"] == "/search?s=debt-advice"
    hostile = get_page(client, "/shortlist?s=debt-advice&back=//evil.example/search")
    assert hostile.find(id="add-more")["href"] == "/search?s=debt-advice"
    assert client.get("/shortlist?s=debt-advice&back=/search&x=1").headers["Location"] == (
        "/shortlist?s=debt-advice&back=/search")


# -- the family's view of the short link ---------------------------------------------------------

def test_the_short_link_opens_the_family_view_not_the_practitioner_tools(client):
    ids = ["idva-outreach", "debt-advice"]
    soup = get_page(client, "/l/" + lists.short_code(ids))
    assert soup.h1.get_text() == "Services for your family"
    assert [a.get_text() for a in soup.select("#family-list h2 a")] == [
        "Domestic abuse outreach", "Debt and benefits advice"]
    calls = soup.select("a.family-service__call")
    assert [a["href"] for a in calls] == ["tel:02079460210", "tel:02079460210"]
    assert "Call" in calls[0].get_text() and "Domestic abuse outreach" in calls[0].get_text()
    guard = soup.select_one(".family-safeguarding")
    assert guard.find("a", href="tel:999") and "Children's Front Door" in guard.get_text()
    # None of the practitioner's tools: no list to change, no hand-over, no note, no QR code.
    for absent in (".shortlist-item__actions", "#note-form", "#short-link", ".handover", "img",
                   "a.add-to-list__link", ".shortlist-bar"):
        assert not soup.select(absent), absent
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"


# -- the Menu of Interventions ------------------------------------------------------------------

def test_the_menu_is_in_the_main_menu_of_every_page(client):
    for url in ("/", "/search", "/services/debt-advice", "/hubs/"):
        nav = get_page(client, url).select_one("nav.site-nav")
        assert nav.find("a", href="/menu").get_text() == "Menu of Interventions"


def test_menu_cells_add_to_the_list_and_come_back_to_the_menu(client):
    soup = get_page(client, "/menu?hub=west&s=debt-advice")
    assert soup.select_one(".shortlist-bar a")["href"] == "/shortlist?s=debt-advice"
    links = soup.select("#menu-grid a.add-to-list__link:not(.add-to-list__link--added)")
    assert links
    anchors = [paragraph["id"] for paragraph in soup.select("#menu-grid p.add-to-list")]
    assert len(anchors) == len(set(anchors))  # a service in two cells has two different anchors
    response = client.get(links[0]["href"])
    location, _, fragment = response.headers["Location"].partition("#")
    assert urlsplit(location).path == "/menu" and query_of(location)["hub"] == ["west"]
    assert query_of(location)["s"][0].startswith("debt-advice,")
    assert fragment == links[0].parent["id"]
    menu = get_page(client, response.headers["Location"])
    assert menu.select_one(f"#{fragment} .add-to-list__added")
    # The menu's own links keep the list.
    assert all("s=debt-advice" in a["href"] for a in menu.select(".menu-views a:not([download])"))
    assert menu.find("input", attrs={"name": "s"})["value"].startswith("debt-advice,")


def test_wide_menu_tables_are_scrollable_regions_that_say_so(client):
    table = get_page(client, "/menu?view=table")
    region = table.select_one(".table-scroll")
    assert region["role"] == "region" and region["tabindex"] == "0"
    hint = table.find(id=region["aria-describedby"])
    assert "scroll sideways" in hint.get_text()
    grid = get_page(client, "/menu").select_one(".table-scroll")
    assert grid["role"] == "region" and grid.find("table", id="menu-grid")


def test_the_adding_script_loads_only_where_there_is_something_to_add(client):
    def scripts(url):
        found = get_page(client, url).find_all("script", src=True)
        return [script["src"].split("/")[-1].split(".")[0] for script in found]

    for url in ("/search?q=parenting", "/services/debt-advice", "/menu"):
        assert "add-to-list" in scripts(url), url
    for url in ("/", "/hubs/", "/shortlist?s=debt-advice", "/l/" + lists.short_code(["debt-advice"])):
        assert "add-to-list" not in scripts(url), url
