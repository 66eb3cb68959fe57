"""What every public response promises: security headers, no cookies, cached fingerprinted files,
no third-party requests, and the page-weight budget for a family on a poor signal."""

from __future__ import annotations

import gzip

import pytest
from bs4 import BeautifulSoup

from app import create_app
from app.config import TestingConfig
from app.publishing.publish import publish

from .factories import NEEDS, service, write_content

PUBLIC_URLS = ["/", "/search?q=debt&hub=west", "/services/debt-advice", "/services/debt-advice/report",
               "/hubs/", "/hubs/west", "/pages/about", "/services/nope", "/search?page=x"]
BUDGET = 60 * 1024


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_security_headers_and_no_cookies(client, url):
    response = client.get(url)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_pages_load_nothing_from_other_sites(client, url):
    soup = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    for tag in soup.find_all(["script", "link", "img", "iframe", "source", "video", "audio"]):
        for attribute in ("src", "href", "srcset"):
            value = tag.get(attribute)
            assert not value or value.startswith("/static/"), f"{url}: {tag}"


def asset_urls(client) -> list[str]:
    soup = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    return [tag.get("src") or tag.get("href") for tag in soup.find_all(["script", "link"])
            if (tag.get("src") or tag.get("href") or "").startswith("/static/")]


def test_static_files_have_fingerprinted_names_cached_for_a_year(client):
    urls = asset_urls(client)
    assert {url.rsplit(".", 2)[0] for url in urls} == {"/static/css/site", "/static/images/favicon",
                                                       "/static/js/site"}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    plain = client.get("/static/css/site.css")
    assert plain.status_code == 200 and "immutable" not in plain.headers["Cache-Control"]
    assert client.get("/static/css/site.000000000000.css").status_code == 404
    assert client.get("/static/../app/config.py").status_code == 404


def test_responses_are_compressed_for_browsers_that_accept_it(client):
    for url in ["/search?q=debt", asset_urls(client)[0]]:
        plain = client.get(url)
        packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert packed.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert gzip.decompress(packed.data) == plain.data
        assert len(packed.data) < len(plain.data) / 2


def test_public_pages_may_be_cached_briefly_and_errors_not_at_all(client):
    assert client.get("/search?q=debt").headers["Cache-Control"] == "public, max-age=300"
    assert client.get("/services/nope").headers["Cache-Control"] == "no-store"


@pytest.fixture
def twenty_five(folders):
    """Enough realistic services to fill a results page of 20."""
    needs = [need["id"] for need in NEEDS]
    summary = ("Friendly, confidential support for parents and carers, with groups, one-to-one sessions "
               "and practical help, in person or online, in several community languages across the borough.")
    content = write_content(folders["content"], [
        service(f"family-support-{number:02d}",
                title=f"Family support service number {number:02d} for parents",
                summary=summary[:200], needs=[needs[number % 5], needs[(number + 2) % 5]],
                ages={"min": number % 10, "max": 11 + number % 7}, levels=[1 + number % 4],
                hubs=["west", "east"] if number % 3 else "all", access=["self-referral", "drop-in"],
                delivery=["in-person", "online"], languages=["en", "pl", "tr", "bn", "so"][: 1 + number % 5],
                free=bool(number % 2), cost="" if number % 2 else "£3 a session")
        for number in range(25)])
    publish(content, folders["index"], processes=1)
    return create_app(TestingConfig(folders["content"], folders["index"], folders["instance"])).test_client()


def transferred(client, url: str) -> int:
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    return len(response.data)


def test_results_page_of_twenty_stays_within_the_budget(twenty_five):
    page = "/search?q=parents+support"
    soup = BeautifulSoup(twenty_five.get(page).get_data(as_text=True), "html.parser")
    assert len(soup.select("#results li.result-card")) == 20
    total = transferred(twenty_five, page) + sum(
        transferred(twenty_five, url) for url in asset_urls(twenty_five) if not url.endswith(".svg"))
    assert total < BUDGET, f"results page with its CSS and JS: {total} bytes compressed"
