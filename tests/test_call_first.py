"""Service pages open with what a parent on a phone needs first: who it is for, buttons to call,
email or open the website, whether it is open now; directions from each venue, share and print."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from bs4 import BeautifulSoup

import app.web.opening as opening
from app import create_app
from app.config import TestingConfig
from app.opening_hours import DAYS, LOCAL_TIME
from app.publishing.publish import publish

from .factories import service, site, write_content
from .pages import get_page

ALWAYS_OPEN = service(
    "crisis-line", title="Crisis line", ages={"min": 11, "max": 18}, hubs="all",
    contact={"phone": "0800 123 4567", "email": "help@example.org", "website": "https://example.org/crisis"},
    venues=[{"name": "Crisis centre", "address": "1 High Road", "postcode": "N17 6AA", "hub": "west",
             "hours": ["Mon-Sun 00:00-24:00"]}])


def opens_later(day: dt.date) -> dict:
    """A service whose one venue with hours opens on ``day`` only."""
    return service(
        "drop-in", title="Drop-in", contact={"email": "drop@example.org"},
        venues=[{"name": "Brook Centre", "address": "3 Brook Street", "postcode": "N17 6BB", "hub": "west",
                 "hours": [f"{DAYS[day.weekday()].capitalize()} 10:00-13:00"],
                 "schedule": "Closed on bank holidays"},
                {"name": "Hall", "address": "5 Hall Lane", "postcode": "N22 5AA", "hub": "east"}])
NO_HOURS = service("no-hours", title="No hours", contact={"website": "https://example.org/no-hours"})


@pytest.fixture
def in_two_days() -> dt.date:
    return dt.datetime.now(LOCAL_TIME).date() + dt.timedelta(days=2)


@pytest.fixture
def client(folders, in_two_days):
    content = write_content(folders["content"], [ALWAYS_OPEN, opens_later(in_two_days), NO_HOURS],
                            site=site(["en", "pl", "ar"]))
    publish(content, folders["index"], processes=1)
    return create_app(TestingConfig(folders["content"], folders["index"], folders["instance"])).test_client()


def intro(soup: BeautifulSoup):
    return soup.select_one(".service__intro")


def test_the_page_opens_with_who_it_is_for_and_buttons_to_get_in_touch(client):
    soup = get_page(client, "/services/crisis-line")
    first = intro(soup)
    children = [child for child in first.children if getattr(child, "name", None)]
    assert children[0].name == "h1"
    assert children[1]["class"] == ["service__for"]
    assert " ".join(children[1].get_text(" ", strip=True).split()) == (
        "Ages 11 to 18 · Families anywhere in the borough")
    actions = first.select(".contact-actions a.action")
    assert [a["href"] for a in actions] == ["tel:08001234567", "mailto:help@example.org",
                                            "https://example.org/crisis"]
    assert actions[0].get_text(" ", strip=True) == "Call 0800 123 4567"
    assert actions[0].select_one(".phone")["dir"] == "ltr"
    # The summary comes after the buttons and the opening line.
    position = {tag: index for index, tag in enumerate(first.find_all(True))}
    assert position[first.select_one(".contact-actions")] < position[first.select_one(".lead")]


def test_open_now_is_worked_out_from_the_hours(client):
    soup = get_page(client, "/services/crisis-line")
    line = intro(soup).select_one(".opening")
    assert "opening--open" in line["class"]
    assert line.strong.get_text() == "Open now: open all day, every day"
    assert line.find("a", href="#where-when")
    assert not line.select_one(".opening__venue"), "one venue: no need to name it"
    # Days in a row with the same times are written as one range.
    week = [li.get_text(" ", strip=True) for li in soup.select(".venue .opening-hours li")]
    assert week == ["Monday–Sunday 00:00–00:00"]


def test_closed_now_says_when_it_opens_and_where(client, in_two_days):
    response = client.get("/services/drop-in")
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    line = intro(soup).select_one(".opening")
    assert "opening--closed" in line["class"]
    weekday = in_two_days.strftime("%A")
    assert line.strong.get_text() == f"Closed now. Opens on {weekday} at 10:00"
    assert line.select_one(".opening__venue").get_text() == "Brook Centre"
    # Two days away: the usual five minutes of caching are safe.
    assert response.headers["Cache-Control"] == "public, max-age=300"
    # The venue's week and its free-text exceptions are both shown.
    venue = soup.select(".venue")[0]
    week = [li.get_text(" ", strip=True) for li in venue.select(".opening-hours li")]
    assert week == [f"{weekday} 10:00–13:00"]
    assert "Closed on bank holidays" in venue.get_text()


def test_the_open_now_line_is_in_the_readers_language(client):
    soup = get_page(client, "/pl/services/crisis-line")
    assert intro(soup).select_one(".opening strong").get_text().startswith("Otwarte teraz")
    arabic = get_page(client, "/ar/services/drop-in")
    assert intro(arabic).select_one(".contact-actions a")["href"] == "mailto:drop@example.org"


def test_a_page_is_not_cached_past_the_moment_it_opens(folders):
    now = dt.datetime.now(LOCAL_TIME)
    soon = now + dt.timedelta(minutes=3)
    if soon.date() != now.date() or soon.hour >= 23:
        pytest.skip("too close to midnight for a period starting in three minutes")
    day = DAYS[soon.weekday()].capitalize()
    opening_soon = service("soon", venues=[{
        "name": "Hall", "address": "1 Road", "postcode": "N17 6BB",
        "hours": [f"{day} {soon:%H:%M}-{soon.hour + 1:02d}:{soon.minute:02d}"]}])
    content = write_content(folders["content"], [opening_soon])
    publish(content, folders["index"], processes=1)
    app = create_app(TestingConfig(folders["content"], folders["index"], folders["instance"]))
    response = app.test_client().get("/services/soon")
    max_age = int(re.search(r"max-age=(\d+)", response.headers["Cache-Control"])[1])
    assert max_age <= 180
    assert "Closed now. Opens today at" in response.get_data(as_text=True)


def test_the_hours_are_in_the_pages_structured_data(client, in_two_days):
    soup = get_page(client, "/services/drop-in")
    data = json.loads(soup.find("script", type="application/ld+json").string)
    places = [channel["serviceLocation"] for channel in data["availableChannel"]
              if "serviceLocation" in channel]
    assert places[0]["openingHoursSpecification"] == [{
        "@type": "OpeningHoursSpecification", "dayOfWeek": f"https://schema.org/{in_two_days:%A}",
        "opens": "10:00", "closes": "13:00"}]
    assert "openingHoursSpecification" not in places[1]


def test_no_hours_no_opening_line(client):
    soup = get_page(client, "/services/no-hours")
    assert not soup.select_one(".opening")
    assert [a["href"] for a in intro(soup).select(".contact-actions a")] == ["https://example.org/no-hours"]


def test_directions_from_each_venue_link_to_maps_without_fetching_anything(client):
    soup = get_page(client, "/services/drop-in")
    venues = soup.select(".venue")
    assert len(venues) == 2
    links = venues[0].select(".directions a")
    assert [a["href"] for a in links] == ["geo:0,0?q=N17%206BB",
                                          "https://www.openstreetmap.org/search?query=N17%206BB"]
    assert "Brook Centre" in links[0].get_text()
    # Links only: no map image, frame or script from another site.
    assert not soup.find(["iframe", "img"], src=re.compile("^https?://"))
    assert not soup.find("script", src=re.compile("^https?://"))


def test_share_and_print_are_offered_by_the_pages_own_script(client):
    soup = get_page(client, "/services/drop-in")
    actions = soup.select_one("#page-actions")
    assert actions.has_attr("hidden"), "shown by service.js: both need JavaScript"
    share = actions.select_one("#share-page")
    assert share["data-url"] == "http://localhost/services/drop-in"
    assert share["data-copy-label"] == "Copy link" and share["data-copied"] == "Link copied"
    assert actions.select_one("#print-page").get_text() == "Print"
    script = soup.find("script", src=re.compile(r"/static/js/service\.[0-9a-f]+\.js$"))
    assert script and script.has_attr("defer")
    assert client.get(script["src"]).status_code == 200


def test_a_kept_page_and_its_etag_follow_the_clock(folders, monkeypatch):
    """Pages are kept per release (app/web/page_cache.py), but "open now" is not a property of the
    release: when it opens, the next request is rendered afresh, with another ETag."""
    monday = dt.datetime(2026, 12, 7, 9, 0, tzinfo=LOCAL_TIME)  # a Monday
    drop_in = service("drop-in", title="Drop-in", venues=[{
        "name": "Hall", "address": "1 Road", "postcode": "N17 6BB", "hours": ["Mon 10:00-12:00"]}])
    content = write_content(folders["content"], [drop_in])
    publish(content, folders["index"], processes=1)
    app = create_app(TestingConfig(folders["content"], folders["index"], folders["instance"]))
    client = app.test_client()

    def page_at(moment: dt.datetime):
        monkeypatch.setattr(opening, "now", lambda: moment)
        response = client.get("/services/drop-in")
        return response.headers["ETag"], response.get_data(as_text=True)

    closed_tag, closed = page_at(monday)
    assert "Closed now. Opens" in closed
    assert page_at(monday + dt.timedelta(minutes=30)) == (closed_tag, closed)  # the same answer: kept
    open_tag, opened = page_at(monday + dt.timedelta(hours=1, minutes=30))
    assert "Open now, until" in opened and open_tag != closed_tag
    assert client.get("/services/drop-in", headers={"If-None-Match": closed_tag}).status_code == 200
