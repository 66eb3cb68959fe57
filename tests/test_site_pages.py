"""Content pages, the error pages and what crawlers read."""

from __future__ import annotations

from xml.etree import ElementTree

from app import create_app
from app.config import TestingConfig


def test_static_page_from_content(page):
    soup = page("/pages/about")
    assert soup.h1.get_text(strip=True) == "About"
    assert "About this directory." in soup.select_one(".prose").get_text()
    assert soup.find("footer").find("a", href="/pages/about")


def test_unknown_page_is_a_friendly_404_with_a_search_box(page):
    soup = page("/pages/nope", status=404)
    assert "We could not find that page" in soup.get_text()
    assert soup.find("form", role="search")


def test_before_anything_is_published_pages_say_so(folders):
    app = create_app(TestingConfig(folders["content"], folders["index"], folders["instance"]))
    from .pages import get_page

    soup = get_page(app.test_client(), "/", status=503)
    assert "nothing has been published" in soup.get_text()


def test_robots_txt_keeps_crawlers_out_of_endless_searches(client):
    text = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /search" in text and "Disallow: /editor/" in text
    assert "Sitemap: http://localhost/sitemap.xml" in text


def test_sitemap_lists_every_public_page_and_no_drafts(client):
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ElementTree.fromstring(response.data)
    urls = {loc.text for loc in root.findall("s:url/s:loc", namespace)}
    expected = {"/", "/hubs/", "/hubs/west", "/hubs/east", "/pages/about", "/services/debt-advice",
                "/services/incredible-years", "/services/attendance-support", "/services/stay-and-chat",
                "/services/idva-outreach"}
    assert urls == {f"http://localhost{path}" for path in expected}
    modified = root.find("s:url[s:loc='http://localhost/services/debt-advice']/s:lastmod", namespace)
    assert modified.text == "2026-09-01"
