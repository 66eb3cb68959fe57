"""The service page: everything an entry holds, in the order a parent reads it."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app import create_app
from app.config import TestingConfig
from app.publishing.publish import publish

from .factories import service, write_content
from .pages import get_page

FULL = service(
    "incredible-years", title="Incredible Years parenting group",
    summary="A 14-week group for parents who want calmer days and fewer tantrums.",
    needs=["parenting", "speech-language"], ages={"min": 3, "max": 6}, levels=[2, 3], hubs=["west"],
    access=["self-referral", "professional-referral"],
    how_to_access="Call the hub or ask your health visitor.",
    free=False, cost="£5 a session, free for families on benefits", delivery=["in-person", "online"],
    languages=["en", "tr"], interpreters=True,
    contact={"phone": "020 7946 0210", "email": "parenting@example.org",
             "website": "https://example.org/incredible-years", "referral_form": "https://example.org/refer"},
    venues=[{"name": "Brook Children's Centre", "address": "3 Brook Street, Exampleton",
             "postcode": "N17 6BB", "hub": "east", "schedule": "Tuesdays 9:30 to 11:30, term time",
             "accessibility": "Step-free access, baby changing"}],
    evidence={"rating": "4+", "source": "Foundations Guidebook", "url": "https://example.org/evidence"},
    last_reviewed=dt.date.today().isoformat())

OVERDUE = service("old-entry", title="Old entry", last_reviewed="2020-01-15")


@pytest.fixture
def client(folders):
    content = write_content(folders["content"], [FULL, OVERDUE],
                            bodies={"incredible-years": "## What happens\n\nYou meet **other parents**."})
    publish(content, folders["index"], processes=1)
    return create_app(TestingConfig(folders["content"], folders["index"], folders["instance"])).test_client()


def section(soup, heading_id: str):
    return soup.find(id=heading_id).find_parent("section")


def test_sections_come_in_the_order_a_parent_reads(client):
    soup = get_page(client, "/services/incredible-years")
    assert soup.h1.get_text(strip=True) == "Incredible Years parenting group"
    headings = [h2.get_text(strip=True) for h2 in soup.select("article.service h2")]
    assert headings == ["What it is", "Who it is for", "How to get it", "Where and when", "Cost", "Languages",
                        "Evidence that it works", "Who runs it"]
    assert "Run by Test Organisation" in soup.select_one(".service__organisation").get_text()
    assert soup.select_one(".prose strong").get_text() == "other parents"


def test_who_it_is_for(client):
    text = section(get_page(client, "/services/incredible-years"), "who-for").get_text(" ", strip=True)
    assert "Ages 3 to 6" in text
    assert "Parenting" in text and "Speech and language" in text
    assert "Level 2: Early help" in text and "Level 3: Complex needs" in text
    assert "West Hub" in text and "East Hub" in text  # the venue's hub counts too


def test_how_to_get_it_has_tap_to_call_and_mail_links(client):
    how = section(get_page(client, "/services/incredible-years"), "how-to-get-it")
    assert how.find("a", href="tel:02079460210").get_text() == "020 7946 0210"
    assert how.find("a", href="mailto:parenting@example.org")
    assert how.find("a", href="https://example.org/refer")
    text = how.get_text(" ", strip=True)
    assert "Contact them yourself" in text and "A professional can refer you" in text
    assert "Call the hub or ask your health visitor." in text


def test_where_when_cost_languages_and_evidence(client):
    soup = get_page(client, "/services/incredible-years")
    where = section(soup, "where-when").get_text(" ", strip=True)
    for words in ("In person", "Online", "Brook Children's Centre", "3 Brook Street, Exampleton", "N17 6BB",
                  "Tuesdays 9:30 to 11:30, term time", "Step-free access, baby changing"):
        assert words in where
    assert "£5 a session, free for families on benefits" in section(soup, "cost").get_text()
    languages = section(soup, "languages").get_text(" ", strip=True)
    assert "English" in languages and "Turkish" in languages and "interpreter" in languages
    evidence = section(soup, "evidence").get_text(" ", strip=True)
    assert "4+" in evidence and "several good studies" in evidence and "stronger than most" in evidence


def test_last_checked_date_and_no_overdue_notice_when_current(client):
    soup = get_page(client, "/services/incredible-years")
    assert "Last checked on" in soup.select_one(".service__checked").get_text()
    assert not soup.select(".banner--warning")


def test_overdue_entry_warns_that_details_may_have_changed(client):
    soup = get_page(client, "/services/old-entry")
    warning = soup.select_one(".banner--warning").get_text(" ", strip=True)
    assert "Some details may have changed" in warning and "15 January 2020" in warning
    card = get_page(client, "/search?q=old+entry").select_one("#results li.result-card")
    assert "details may have changed" in card.select_one(".tag--warning").get_text()


def test_structured_data_describes_the_service(client):
    soup = get_page(client, "/services/incredible-years")
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["@type"] == "Service" and data["name"] == "Incredible Years parenting group"
    assert data["url"].endswith("/services/incredible-years")
    assert data["provider"]["name"] == "Test Organisation"
    assert data["audience"] == {"@type": "PeopleAudience", "suggestedMinAge": 3, "suggestedMaxAge": 6}
    assert data["isAccessibleForFree"] is False
    assert data["availableLanguage"] == ["en", "tr"]
    location = next(channel["serviceLocation"] for channel in data["availableChannel"]
                    if "serviceLocation" in channel)
    assert location["address"]["postalCode"] == "N17 6BB"


@pytest.mark.parametrize("url", ["/services/nope", "/services/old-draft", "/services/INCREDIBLE-YEARS"])
def test_unknown_or_unpublished_service_is_a_friendly_404(client, url):
    soup = get_page(client, url, status=404)
    assert soup.h1.get_text(strip=True) == "Page not found"
    assert soup.find("input", attrs={"name": "q"})
