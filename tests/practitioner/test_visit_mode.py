"""Visit mode: the practitioner's pages keep the public promises (headers, no cookies, nothing from
other sites) and the page-weight budget on a poor connection."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from app import create_app
from app.config import TestingConfig
from app.publishing.publish import publish

from ..factories import NEEDS, service, write_content
from ..test_headers_and_assets import BUDGET, transferred

URLS = ["/shortlist?s=debt-advice,idva-outreach", "/shortlist", "/menu", "/menu?view=table&sort=-ages",
        "/hubs/find?postcode=N17+6AA", "/hubs/find?postcode=nonsense", "/shortlist.txt?s=debt-advice",
        "/shortlist/qr.svg?s=debt-advice", "/menu.csv"]


@pytest.mark.parametrize("url", URLS)
def test_security_headers_and_no_cookies(client, url):
    response = client.get(url)
    assert response.status_code in (200, 400)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("url", [url for url in URLS if ".txt" not in url and ".csv" not in url])
def test_pages_load_nothing_from_other_sites(client, url):
    soup = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    for tag in soup.find_all(["script", "link", "img", "iframe", "source", "video", "audio", "image"]):
        for attribute in ("src", "href", "srcset"):
            value = tag.get(attribute)
            assert not value or value.startswith(("/static/", "/shortlist/qr.svg")), f"{url}: {tag}"


@pytest.fixture
def directory(folders):
    """Twenty-five realistic services with venues, contacts and evidence."""
    needs = [need["id"] for need in NEEDS]
    summary = ("Friendly, confidential support for parents and carers, with groups, one-to-one sessions "
               "and practical help, in person or online, in several community languages across the borough.")
    venue = {"name": "Brook Children's Centre", "address": "3 Brook Street, Exampleton",
             "postcode": "N17 6BB",
             "hub": "west", "schedule": "Tuesdays 9:30 to 11:30, term time"}
    content = write_content(folders["content"], [
        service(f"family-support-{number:02d}", title=f"Family support service number {number:02d}",
                summary=summary[:200], needs=[needs[number % 5], needs[(number + 2) % 5]],
                ages={"min": number % 10, "max": 11 + number % 7},
                levels=[1 + number % 4, 1 + (number + 1) % 4],
                hubs=["west", "east"] if number % 3 else "all", access=["self-referral", "drop-in"],
                how_to_access="Phone the team, or ask your health visitor or school to refer you.",
                contact={"phone": "020 7946 0210", "email": f"team{number}@example.org",
                         "website": f"https://example.org/services/family-support-{number:02d}"},
                venues=[venue], delivery=["in-person", "online"],
                evidence={"rating": "3+", "source": "Foundations Guidebook"} if number % 4 == 0 else None,
                free=bool(number % 2), cost="" if number % 2 else "£3 a session")
        for number in range(25)])
    for path in (content / "services").glob("*.md"):  # drop the empty evidence lines
        path.write_text(path.read_text().replace("evidence: null\n", ""), encoding="utf-8")
    publish(content, folders["index"], processes=1)
    return create_app(TestingConfig(folders["content"], folders["index"], folders["instance"])).test_client()


def page_weight(client, url: str) -> int:
    """Compressed bytes of the page and everything it loads (styles, scripts, the QR code)."""
    html = client.get(url).get_data(as_text=True)
    loaded = re.findall(r'<(?:link rel="stylesheet"|script|img)[^>]*(?:src|href)="([^"]+)"', html)
    assert loaded, url
    return transferred(client, url) + sum(transferred(client, url.replace("&amp;", "&")) for url in loaded)


@pytest.mark.parametrize("url", [
    "/shortlist?s=" + ",".join(f"family-support-{number:02d}" for number in range(5)),
    "/menu", "/menu?view=table", "/hubs/find?postcode=N17+6AA",
])
def test_practitioner_pages_stay_within_the_budget(directory, url):
    assert page_weight(directory, url) < BUDGET


def test_the_shortlist_page_loads_its_qr_code_and_its_own_small_files(directory):
    html = directory.get("/shortlist?s=family-support-01").get_data(as_text=True)
    assert re.search(r'src="/shortlist/qr.svg\?s=family-support-01"', html)
    assert re.search(r'href="/static/css/practitioner\.[0-9a-f]+\.css"', html)
    assert re.search(r'src="/static/js/shortlist\.[0-9a-f]+\.js"', html)
