"""ETags and conditional requests on public pages, and the per-release store of rendered pages."""

from __future__ import annotations

import pytest

from app import create_app
from app.config import TestingConfig
from app.publishing.publish import publish
from app.web.page_cache import RenderedPages

from .factories import service, write_content

PAGES = ["/", "/search?q=debt", "/search?need=parenting", "/services/debt-advice", "/hubs/", "/hubs/west",
         "/menu", "/api/search?q=debt"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.mark.parametrize("url", PAGES)
def test_public_pages_carry_an_etag_and_answer_a_matching_if_none_match_with_304(client, url):
    first = client.get(url)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert tag.startswith('W/"')
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == tag
    assert client.get(url, headers={"If-None-Match": 'W/"something-else"'}).status_code == 200


def test_a_new_release_changes_the_etag_and_the_page(client, content_dir, folders):
    before = client.get("/search?q=debt")
    tag = before.headers["ETag"]
    write_content(content_dir, [service("debt-advice", title="Debt and money advice line",
                                        summary="Help with debt.", needs=["money-debt"], hubs="all")])
    publish(content_dir, folders["index"], processes=1)
    after = client.get("/search?q=debt", headers={"If-None-Match": tag})  # a stale tag
    assert after.status_code == 200
    assert after.headers["ETag"] != tag
    assert b"Debt and money advice line" in after.data
    assert b"Debt and money advice line" not in before.data


def test_the_etag_differs_by_language_and_by_the_language_an_english_page_suggests(folders, content_dir):
    from .factories import site, write_yaml

    write_yaml(content_dir / "site.yml", site(["en", "pl"]))
    publish(content_dir, folders["index"], processes=1)
    config = TestingConfig(folders["content"], folders["index"], folders["instance"])
    client = create_app(config).test_client()
    english = client.get("/search?q=debt")
    polish = client.get("/pl/search?q=debt")
    suggested = client.get("/search?q=debt", headers={"Accept-Language": "pl"})
    assert len({english.headers["ETag"], polish.headers["ETag"], suggested.headers["ETag"]}) == 3
    assert b'lang="pl"' in suggested.data  # the suggestion to read it in Polish
    # the same URL asked for without the suggestion is not served the suggested page from the store
    assert client.get("/search?q=debt").data == english.data


def test_no_etag_on_errors_editor_pages_or_pages_not_to_be_stored(client):
    assert "ETag" not in client.get("/services/no-such-service").headers
    refused = client.get("/api/search?page=abc&q=" + "x" * 5000)
    assert refused.status_code == 400 and "ETag" not in refused.headers
    assert "ETag" not in client.get("/editor/sign-in").headers
    assert "ETag" not in client.get("/healthz").headers


def test_a_page_asked_for_again_is_served_from_the_store_and_the_same(app, client):
    pages = app.extensions["rendered_pages"]
    first = client.get("/search?q=debt").data
    kept = len(pages)
    assert kept >= 1
    assert client.get("/search?q=debt").data == first
    assert len(pages) == kept
    client.get("/search?q=parenting")
    assert len(pages) == kept + 1


def test_the_store_is_bounded_keeps_the_recently_used_and_forgets_an_older_release():
    pages = RenderedPages(max_bytes=100)
    built = []

    def build(value):
        def make():
            built.append(value)
            return value
        return make

    assert pages.get_or_build("r1", ("a",), build("a" * 40), len) == "a" * 40
    pages.get_or_build("r1", ("b",), build("b" * 40), len)
    pages.get_or_build("r1", ("a",), build("never"), len)  # kept: not built again, now most recent
    pages.get_or_build("r1", ("c",), build("c" * 40), len)  # over 100 bytes: "b" goes
    assert built == ["a" * 40, "b" * 40, "c" * 40]
    assert pages.size <= 100 and len(pages) == 2
    pages.get_or_build("r1", ("b",), build("b" * 40), len)
    assert built[-1] == "b" * 40
    pages.get_or_build("r1", ("huge",), build("h" * 500), len)  # larger than the store: not kept
    assert pages.size <= 100
    pages.get_or_build("r2", ("a",), build("new"), len)  # a new release: nothing of r1 applies
    assert built[-1] == "new" and len(pages) == 1


def test_a_store_of_zero_bytes_renders_every_page_afresh(folders, published):
    config = TestingConfig(folders["content"], folders["index"], folders["instance"])
    config.RENDERED_PAGES_MAX_BYTES = 0
    app = create_app(config)
    client = app.test_client()
    assert client.get("/search?q=debt").status_code == 200
    assert client.get("/search?q=debt").status_code == 200
    assert len(app.extensions["rendered_pages"]) == 0


def test_a_kept_page_is_served_gzipped_to_clients_that_accept_it_and_plain_to_others(client):
    import gzip

    plain = client.get("/search?q=debt")
    for _ in range(2):  # built, then from the store
        zipped = client.get("/search?q=debt", headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(zipped.data) == plain.data
        assert "Accept-Encoding" in zipped.headers["Vary"]
    assert "Content-Encoding" not in client.get("/search?q=debt").headers


def _card(page: bytes, service_id: str) -> str:
    import re

    cards = re.findall(r'<li class="result-card">.*?</li>', page.decode(), re.S)
    return next(card for card in cards if f"/services/{service_id}" in card)


def test_result_cards_are_kept_even_with_no_page_kept_and_each_page_links_back_to_itself(folders, published):
    config = TestingConfig(folders["content"], folders["index"], folders["instance"])
    config.RENDERED_PAGES_MAX_BYTES = 0
    app = create_app(config)
    client = app.test_client()
    by_words = client.get("/search?q=debt").data
    kept = len(app.extensions["rendered_fragments"])
    assert kept >= 1 and len(app.extensions["rendered_pages"]) == 0
    by_need = client.get("/search?need=money-debt").data
    first, second = _card(by_words, "debt-advice"), _card(by_need, "debt-advice")
    # the card itself is the one kept; its "Add to list" link comes back to the page it is on
    assert first.split('<p class="add-to-list"')[0] == second.split('<p class="add-to-list"')[0]
    assert "back=/search?q%3Ddebt" in first and "need%3Dmoney-debt" in second
    assert "need%3Dmoney-debt" not in first
    assert client.get("/search?q=debt").data == by_words


def test_a_kept_card_follows_the_list_a_practitioner_carries_and_the_language(folders, content_dir):
    from .factories import site, write_yaml

    write_yaml(content_dir / "site.yml", site(["en", "pl"]))
    publish(content_dir, folders["index"], processes=1)
    config = TestingConfig(folders["content"], folders["index"], folders["instance"])
    client = create_app(config).test_client()
    plain = _card(client.get("/search?q=debt").data, "debt-advice")
    carried = _card(client.get("/search?q=debt&s=incredible-years").data, "debt-advice")
    polish = _card(client.get("/pl/search?q=debt").data, "debt-advice")
    assert 'href="/services/debt-advice"' in plain
    assert 'href="/services/debt-advice?s=incredible-years"' in carried
    assert 'href="/pl/services/debt-advice"' in polish
    assert _card(client.get("/search?q=debt").data, "debt-advice") == plain


def app_keeping_no_pages(folders):
    """An app of the published ``folders`` that keeps no whole page (EARLYHELP_RENDERED_PAGES_MB=0)."""
    config = TestingConfig(folders["content"], folders["index"], folders["instance"])
    config.RENDERED_PAGES_MAX_BYTES = 0
    return create_app(config)


def test_kept_filter_options_follow_the_release_the_language_and_each_search(folders, content_dir):
    """The filter options' HTML is rendered once per release and language: whatever was asked for
    before, each page is the one a fresh server renders, with its own boxes ticked and counts."""
    import re

    from .factories import site, write_yaml

    write_yaml(content_dir / "site.yml", site(["en", "pl"]))
    publish(content_dir, folders["index"], processes=1)

    urls = ["/search?need=parenting", "/pl/search?need=parenting", "/search?q=debt",
            "/pl/search?q=debt&hub=west", "/search?hub=west&need=parenting&s=incredible-years",
            "/search?q=debt", "/pl/search", "/search?need=parenting&need=money-debt"]
    shared = app_keeping_no_pages(folders).test_client()
    pages = {url: shared.get(url).data.decode() for url in urls}
    for url in urls:
        assert app_keeping_no_pages(folders).test_client().get(url).data.decode() == pages[url], url
    ticked = re.compile(r'name="(\w+)"\s+value="([^"]+)" checked>')
    assert ticked.findall(pages["/search?q=debt"]) == []
    assert ticked.findall(pages["/search?need=parenting&need=money-debt"]) == [("need", "parenting"),
                                                                            ("need", "money-debt")]
    # Each language its own legends and plural of "service" (Polish has three forms).
    assert "W czym potrzebujesz pomocy?" in pages["/pl/search?need=parenting"]
    assert "W czym potrzebujesz pomocy?" not in pages["/search?need=parenting"]
    assert '(1<span class="visually-hidden"> usługa</span>)' in pages["/pl/search"]
    assert '(1<span class="visually-hidden"> service</span>)' in pages["/search?q=debt"]

    # A new release with another name for a hub: the options name it at once.
    hub = content_dir / "hubs" / "west.md"
    hub.write_text(hub.read_text(encoding="utf-8").replace("West Hub", "Riverside Hub"), encoding="utf-8")
    publish(content_dir, folders["index"], processes=1)
    renamed = shared.get("/search?hub=west").data.decode()
    assert 'value="west" checked>' in renamed and "Riverside Hub" in renamed.split('id="filters"')[1]
    assert renamed == app_keeping_no_pages(folders).test_client().get("/search?hub=west").data.decode()


def test_a_filter_option_whose_name_holds_a_marker_is_rendered_as_it_stands(app):
    from flask import get_template_attribute

    from app.web.search_page import FacetLabels, Option

    with app.test_request_context("/search"):
        labels = FacetLabels(app.extensions["live_release"].get().directory.for_language("en"))
        macro = get_template_attribute("macros/components.html", "filter_option")
        braces = Option("west", "West {Hub} & co", 12, True)
        markers = Option("odd\x01", "Odd \x00 name", 1, False)
        for option in (braces, markers):
            expected = str(macro("hub", 3, option, str(option.count),
                                 "service" if option.count == 1 else "services"))
            assert labels.option_html("hub", option, 3) == expected
            assert labels.option_html("hub", option, 3) == expected  # kept, and the same again


def test_pages_with_kept_cards_and_layout_are_the_pages_rendered_with_nothing_kept(folders, content_dir,
                                                                                   monkeypatch):
    """Result cards and the layout's menu, safeguarding line and footer are kept per release and
    language, with a marker where a card has the address of its page: whatever was asked for
    before, each page is byte for byte the one rendered with nothing kept."""
    from app.web import search_page

    from .factories import site, write_yaml

    write_yaml(content_dir / "site.yml", site(["en", "pl"]))
    publish(content_dir, folders["index"], processes=1)

    full_list = ",".join(["debt-advice", "incredible-years", *(f"other-{n}" for n in range(18))])
    urls = ["/search?q=debt", "/search?q=debt&page=1", "/pl/search?q=debt", "/search?need=money-debt",
            "/search?q=debt&s=incredible-years", "/search?q=debt&s=debt-advice",
            "/search?q=debt&s=debt-advice&added=debt-advice",
            "/pl/search?q=debt&s=debt-advice&added=debt-advice", f"/search?q=debt&s={full_list}",
            "/search?q=it%27s+%22debt%22+%26+%3Cb%3E+%C5%82%C3%B3d%C5%BA+100%25",
            "/search?hub=west&hub=east&sort=name&per_page=2&page=2", "/search", "/pl/search?free=1",
            "/", "/pl/", "/hubs/", "/hubs/west", "/services/debt-advice", "/pl/services/debt-advice"]
    kept = app_keeping_no_pages(folders).test_client()
    pages = {url: kept.get(url).data.decode() for url in [*reversed(urls), *urls]}
    assert len(kept.application.extensions["rendered_fragments"]) > 4

    # Nothing kept: every card rendered with the page's own address, every part of the layout afresh.
    keeping = search_page.result_cards

    def render_cards_every_time(_release_id, ids, load, directory):
        return keeping(None, ids, load, directory)

    monkeypatch.setattr(search_page, "result_cards", render_cards_every_time)
    fresh = app_keeping_no_pages(folders)
    rendered_parts = []
    fresh.jinja_env.globals["kept_layout"] = lambda name, caller: rendered_parts.append(name) or caller()
    for url in urls:
        assert fresh.test_client().get(url).data.decode() == pages[url], url
    assert set(rendered_parts) == {"top", "menu", "safeguarding", "footer"}
    assert "back=/search?q%3Dit%2527s%2B%2522debt%2522%2B%2526%2B%253Cb%253E" in pages[urls[9]]
