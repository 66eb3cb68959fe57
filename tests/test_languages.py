"""Languages: /<lang>/ prefixes, the switcher, hreflang, direction and the Accept-Language suggestion."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from babel.messages.pofile import read_po

from app import create_app
from app.config import PROJECT_ROOT, TestingConfig
from app.publishing.publish import publish

from .factories import SITE, service, write_content
from .pages import get_page

OFFERED = ["en", "pl", "ar", "es"]


@pytest.fixture
def client(tmp_path):
    content = write_content(tmp_path / "content", [service("debt-advice", title="Debt advice")],
                            site={**SITE, "languages": OFFERED})
    publish(content, tmp_path / "index", processes=1)
    app = create_app(TestingConfig(content, tmp_path / "index", tmp_path / "instance"))
    return app.test_client()


@pytest.fixture
def page(client):
    return lambda url, status=200, **kwargs: get_page(client, url, status, **kwargs)


def catalogue_translation(language: str, message: str) -> str:
    with open(PROJECT_ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)[message].string


@pytest.mark.parametrize(("url", "lang", "direction"), [
    ("/", "en-GB", "ltr"), ("/pl/", "pl", "ltr"), ("/ar/", "ar", "rtl"),
    ("/es/search?q=debt", "es", "ltr"), ("/ar/services/debt-advice", "ar", "rtl"),
    ("/pl/hubs/west", "pl", "ltr"), ("/ar/pages/about", "ar", "rtl"),
])
def test_each_language_sets_lang_and_dir(page, url, lang, direction):
    html = page(url).find("html")
    assert (html["lang"], html["dir"]) == (lang, direction)


def test_the_interface_is_in_the_pages_language(page):
    polish = catalogue_translation("pl", "Skip to main content")
    arabic = catalogue_translation("ar", "Skip to main content")
    if not (polish and arabic):
        pytest.skip("the Polish and Arabic catalogues are not translated yet")
    assert page("/pl/").find(class_="skip-link").get_text(strip=True) == polish
    assert page("/ar/").find(class_="skip-link").get_text(strip=True) == arabic
    assert page("/").find(class_="skip-link").get_text(strip=True) == "Skip to main content"


def test_links_inside_a_language_stay_in_it_but_files_do_not(page):
    soup = page("/pl/search?q=debt")
    hrefs = [link["href"] for link in soup.select("main a[href^='/']")]
    assert "/pl/services/debt-advice" in hrefs
    assert all(href.startswith("/pl/") for href in hrefs), hrefs
    stylesheet = soup.find("link", rel="stylesheet")["href"]
    assert stylesheet.startswith("/static/css/site."), "static files are shared by every language"


def test_the_switcher_names_each_language_in_itself_and_keeps_page_and_query(page):
    soup = page("/pl/search?q=debt&need=money-debt")
    links = soup.select(".language-switcher a")
    names = {link["lang"]: link.get_text(strip=True) for link in links}
    assert names == {"en": "English", "pl": "Polski", "ar": "العربية", "es": "Español"}
    urls = {link["lang"]: link["href"] for link in links}
    assert urls["en"] == "/search?q=debt&need=money-debt"
    assert urls["ar"] == "/ar/search?q=debt&need=money-debt"
    assert [link["lang"] for link in links if link.get("aria-current")] == ["pl"]
    arabic = next(link for link in links if link["lang"] == "ar")
    assert arabic["dir"] == "rtl" and arabic["hreflang"] == "ar"


def test_hreflang_alternates_link_every_version(page):
    soup = page("/es/services/debt-advice")
    links = soup.select("link[rel=alternate][hreflang]")
    alternates = {link["hreflang"]: urlsplit(link["href"]) for link in links}
    assert set(alternates) == {"en", "pl", "ar", "es", "x-default"}
    assert all(url.scheme and url.netloc for url in alternates.values()), "hreflang URLs must be absolute"
    assert alternates["pl"].path == "/pl/services/debt-advice"
    assert alternates["x-default"].path == alternates["en"].path == "/services/debt-advice"


def test_a_site_in_english_only_has_no_switcher(tmp_path):
    content = write_content(tmp_path / "content")
    publish(content, tmp_path / "index", processes=1)
    client = create_app(TestingConfig(content, tmp_path / "index", tmp_path / "instance")).test_client()
    soup = get_page(client, "/")
    assert not soup.select(".language-switcher") and not soup.select("link[hreflang]")
    assert client.get("/pl/").status_code == 404


@pytest.mark.parametrize(("url", "location"), [
    ("/pl", "/pl/"),
    ("/pl?q=a", "/pl/?q=a"),
    ("/en/", "/"),
    ("/en/search?q=debt", "/search?q=debt"),
    ("/en", "/"),
    ("/en//example.com/phish", "/example.com/phish"),  # never a protocol-relative redirect off the site
    ("/en/services/caf%C3%A9", "/services/caf%C3%A9"),
])
def test_language_roots_and_english_prefixes_redirect(client, url, location):
    response = client.get(url)
    assert response.status_code == 301
    assert response.headers["Location"] == location


@pytest.mark.parametrize("url", [
    "/fr/", "/tr/search",            # not offered by this site
    "/pl/editor/", "/pl/editor/sign-in", "/pl/api/search?q=a", "/pl/api/oruk/services", "/pl/robots.txt",
    "/pl/sitemap.xml", "/pl/static/css/site.css", "/pl/nowhere",
])
def test_english_only_and_unknown_paths_are_not_found_under_a_prefix(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b"Traceback" not in response.data


def test_the_browser_language_is_suggested_on_english_pages(page, client):
    soup = page("/", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"})
    suggestion = soup.find(class_="language-suggestion")
    assert suggestion["lang"] == "pl"
    assert suggestion.find("a")["href"] == "/pl/" and suggestion.find("a")["hreflang"] == "pl"
    response = client.get("/services/debt-advice", headers={"Accept-Language": "ar"})
    assert "Accept-Language" in response.headers["Vary"]
    assert b'class="language-suggestion" lang="ar" dir="rtl"' in response.data


@pytest.mark.parametrize("accept", ["en-GB,en;q=0.9", "fr,de;q=0.8", "", "pl;q=0.1,en;q=0.9", "*;q=0;;;,,,"])
def test_no_suggestion_when_english_or_nothing_offered_is_preferred(page, accept):
    soup = page("/", headers={"Accept-Language": accept})
    assert soup.find(class_="language-suggestion") is None


def test_no_suggestion_on_a_page_already_in_another_language(page):
    soup = page("/pl/", headers={"Accept-Language": "ar"})
    assert soup.find(class_="language-suggestion") is None


def test_dates_follow_the_pages_language(page):
    english = page("/services/debt-advice").find(class_="service__checked")
    polish = page("/pl/services/debt-advice").find(class_="service__checked")
    assert english is not None and polish is not None
    assert english.get_text(" ", strip=True) != polish.get_text(" ", strip=True)


def test_phone_numbers_stay_left_to_right_in_arabic(page):
    for link in page("/ar/").select("a[href^='tel:']"):
        assert link["dir"] == "ltr", link


def test_robots_keeps_crawlers_out_of_searches_in_every_language(client):
    text = client.get("/robots.txt").get_data(as_text=True)
    expected = {"Disallow: /search", "Disallow: /pl/search", "Disallow: /ar/search", "Disallow: /es/search"}
    assert expected <= set(text.splitlines())


def test_numbers_are_written_for_the_pages_language(tmp_path):
    services = [service(f"group-{number}", title=f"Parenting group {number}") for number in range(1001)]
    content = write_content(tmp_path / "content", services, site={**SITE, "languages": OFFERED})
    publish(content, tmp_path / "index", processes=1)
    client = create_app(TestingConfig(content, tmp_path / "index", tmp_path / "instance")).test_client()
    assert "1,001" in get_page(client, "/search").find(id="result-count").get_text()
    assert "1\xa0001" in get_page(client, "/pl/search").find(id="result-count").get_text()


def test_editor_pages_are_english_only_and_offer_no_other_language(client):
    response = client.get("/editor/sign-in", headers={"Accept-Language": "pl"})
    assert response.status_code == 200
    assert b"language-switcher" not in response.data and b"hreflang" not in response.data
    assert b"language-suggestion" not in response.data
