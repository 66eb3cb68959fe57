"""The home page and the hub pages: ways in for a family that does not know what to search for."""

from __future__ import annotations

from app import create_app
from app.config import TestingConfig
from app.publishing.publish import publish

from .factories import service, write_content
from .pages import get_page


def test_home_has_one_search_box_and_the_ways_to_browse(page):
    soup = page("/")
    form = soup.find("form", role="search")
    assert form["action"] == "/search" and form["method"] == "get"
    assert soup.h1.label.get_text(strip=True) == "What do you need help with?"
    assert soup.h1.label["for"] == form.find("input", attrs={"name": "q"})["id"]
    needs = soup.find(id="browse-needs").find_parent("section")
    assert needs.find("a", href="/search?need=money-debt").get_text() == "Money, debt and benefits"
    assert "Help with money." in needs.get_text()
    ages = soup.find(id="browse-ages").find_parent("section")
    assert [a["href"] for a in ages.find_all("a")][:2] == ["/search?age=pregnancy", "/search?age=0-2"]
    hubs = soup.find(id="browse-hubs").find_parent("section")
    assert {a["href"] for a in hubs.find_all("a")} == {"/hubs/west", "/hubs/east"}
    assert soup.find(id="where-to-start").find_parent("section").find("a", href="/hubs/")


def test_every_page_carries_the_safeguarding_line_and_quick_exit(page):
    for url in ("/", "/search?q=debt", "/services/debt-advice", "/hubs/", "/hubs/west", "/pages/about"):
        soup = page(url)
        line = soup.select_one(".safeguarding")
        assert line.find("a", href="tel:999")
        assert "Children's Front Door" in line.get_text() and line.find("a", href="tel:02079460100")
        assert soup.find(id="quick-exit")["href"] == "https://www.bbc.co.uk/weather"


def test_hubs_index_lists_each_hub_and_its_areas(page):
    soup = page("/hubs/")
    cards = soup.select(".hub-card")
    assert [card.h2.a["href"] for card in cards] == ["/hubs/east", "/hubs/west"]
    west = cards[1].get_text(" ", strip=True)
    assert "N17, N15 3" in west and "Central" in west and "1 High Road" in west
    assert cards[1].find("a", href="tel:02079460200")
    assert "2 services are open to families anywhere in the borough" in soup.get_text(" ", strip=True)


def test_hub_page_shows_contact_areas_and_services_by_need(page):
    soup = page("/hubs/west")
    assert soup.h1.get_text(strip=True) == "West Hub"
    details = soup.select_one(".hub-details").get_text(" ", strip=True)
    assert "1 High Road" in details and "N17, N15 3" in details and "About the hub." in details
    by_need = {section.h3.get_text(strip=True): [a["href"] for a in section.find_all("a")]
               for section in soup.select("section.hub-need")}
    assert by_need == {"Parenting": ["/services/incredible-years"],
                       "Speech and language": ["/services/stay-and-chat"]}
    assert soup.find("a", href="/search?hub=west")


def test_unknown_hub_is_a_404(page):
    assert page("/hubs/atlantis", status=404).h1.get_text(strip=True) == "Page not found"


def test_hub_page_shows_a_few_services_per_need_and_links_to_the_rest(folders):
    content = write_content(folders["content"], [
        *(service(f"group-{number}", title=f"Parenting group {number}", hubs=["west"])
          for number in range(7)),
        service("everywhere", title="Borough-wide parenting line", hubs="all"),
        service("east-only", title="East parenting group", hubs=["east"])])
    publish(content, folders["index"], processes=1)
    app = create_app(TestingConfig(folders["content"], folders["index"], folders["instance"]))
    section = get_page(app.test_client(), "/hubs/west").select_one("section.hub-need")
    titles = [item.a.get_text() for item in section.select("li")]
    assert titles == [f"Parenting group {number}" for number in range(5)]
    more = section.find("a", href="/search?hub=west&need=parenting")
    assert more.get_text() == "See all 7 services for Parenting in this area"
