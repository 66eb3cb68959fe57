"""A forged Host header never reaches a link, and HTTPS sites ask browsers to stay on HTTPS.

Absolute links (hreflang alternates, the sitemap, robots.txt's Sitemap line) are publicly
cached, so they come from the configured base URL (``EARLYHELP_BASE_URL``, else site.yml's
``base_url``), never from the request; with none configured only local hosts are answered.
"""

from __future__ import annotations

import pytest

from app import create_app
from app.config import Config, TestingConfig
from app.content import load_content
from app.publishing.publish import publish
from app.web.hosts import host_name, origin_of

from .factories import SITE, service, write_content

EVIL = "evil.example"
BASE = "https://directory.example.gov.uk"
PAGES = ["/", "/hubs/", "/services/family-group", "/robots.txt", "/sitemap.xml", "/search?q=family"]


def _app(folders, base_url: str = "", site_base_url: str = "", allowed_hosts=(), https: bool = False):
    site = {**SITE, "base_url": site_base_url} if site_base_url else SITE
    write_content(folders["content"], [service("family-group")], site=site)
    publish(folders["content"], folders["index"])
    config = TestingConfig(folders["content"], folders["index"], folders["instance"], https=https)
    config.BASE_URL, config.ALLOWED_HOSTS = base_url, tuple(allowed_hosts)
    return create_app(config)


@pytest.mark.parametrize("url", PAGES)
def test_with_a_base_url_a_forged_host_is_ignored_and_links_point_home(folders, url):
    client = _app(folders, base_url=BASE).test_client()
    response = client.get(url, headers={"Host": EVIL})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert EVIL not in text
    if url in ("/robots.txt", "/sitemap.xml"):
        assert BASE + "/" in text


def test_the_sitemap_lists_every_page_at_the_base_url(folders):
    client = _app(folders, base_url=BASE).test_client()
    text = client.get("/sitemap.xml", headers={"Host": EVIL}).get_data(as_text=True)
    assert f"<loc>{BASE}/services/family-group</loc>" in text
    robots = client.get("/robots.txt", headers={"Host": EVIL}).get_data(as_text=True)
    assert f"Sitemap: {BASE}/sitemap.xml" in robots


def test_a_proxys_forwarded_host_is_ignored_too(folders):
    app = _app(folders, base_url=BASE)
    app.config["TRUSTED_PROXIES"] = 1
    client = app.test_client()
    text = client.get("/robots.txt", headers={"X-Forwarded-Host": EVIL, "Host": EVIL}).get_data(as_text=True)
    assert EVIL not in text and f"Sitemap: {BASE}/sitemap.xml" in text


def test_site_yml_base_url_is_used_when_the_environment_sets_none(folders):
    client = _app(folders, site_base_url=BASE).test_client()
    text = client.get("/sitemap.xml", headers={"Host": EVIL}).get_data(as_text=True)
    assert EVIL not in text and f"<loc>{BASE}/</loc>" in text


def test_the_environment_wins_over_site_yml(folders):
    client = _app(folders, base_url="https://other.example.org", site_base_url=BASE).test_client()
    assert "https://other.example.org/sitemap.xml" in client.get("/robots.txt").get_data(as_text=True)


@pytest.mark.parametrize("url", [*PAGES, "/healthz", "/editor/sign-in"])
def test_without_a_base_url_an_unknown_host_is_refused_without_echoing_it(folders, url):
    client = _app(folders).test_client()
    response = client.get(url, headers={"Host": EVIL})
    assert response.status_code == 400
    assert EVIL not in response.get_data(as_text=True)
    assert "public" not in response.headers.get("Cache-Control", "")  # never cached for others


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8140", "[::1]:8000"])
def test_without_a_base_url_local_development_just_works(folders, host):
    client = _app(folders).test_client()
    response = client.get("/robots.txt", headers={"Host": host})
    assert response.status_code == 200
    assert f"Sitemap: http://{host}/sitemap.xml" in response.get_data(as_text=True)


def test_trusted_hosts_are_answered_as_themselves(folders):
    client = _app(folders, allowed_hosts=["directory.lan"]).test_client()
    assert client.get("/robots.txt", headers={"Host": "directory.lan:8000"}).status_code == 200
    assert client.get("/robots.txt", headers={"Host": "directory.lan.evil.example"}).status_code == 400


def test_base_url_and_trusted_hosts_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("EARLYHELP_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("EARLYHELP_BASE_URL", BASE + "/")
    monkeypatch.setenv("EARLYHELP_TRUSTED_HOSTS", "a.example, b.example")
    config = Config()
    assert config.BASE_URL == BASE and config.ALLOWED_HOSTS == ["a.example", "b.example"]


def test_site_yml_base_url_must_be_an_address_alone(folders):
    site = {**SITE, "base_url": BASE + "/path?x=1"}
    write_content(folders["content"], [service("family-group")], site=site)
    problems = [str(problem) for problem in load_content(folders["content"]).errors]
    assert any("site.yml:" in problem and "base_url: must be the site's address alone" in problem
               for problem in problems), problems


@pytest.mark.parametrize(("url", "origin"), [
    (BASE, ("https", "directory.example.gov.uk")), ("http://localhost:8000/", ("http", "localhost:8000")),
    ("https://user:pw@example.org", ("https", "example.org")), ("ftp://example.org", None), ("", None),
    ("https://example.org:port", None), ("example.org", None),
])
def test_origin_of(url, origin):
    assert origin_of(url) == origin


@pytest.mark.parametrize(("host", "name"), [("LocalHost:80", "localhost"), ("[::1]:8000", "::1"),
                                            ("::1", "::1"), ("example.org", "example.org")])
def test_host_name(host, name):
    assert host_name(host) == name


# -- HSTS -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/editor/sign-in", "/healthz", "/no-such-page"])
def test_over_https_every_response_asks_browsers_to_stay_on_https(folders, url):
    client = _app(folders, https=True).test_client()
    response = client.get(url, base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_over_plain_http_there_is_no_hsts(folders):
    response = _app(folders).test_client().get("/")
    assert "Strict-Transport-Security" not in response.headers
