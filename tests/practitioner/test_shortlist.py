"""The shortlist in the URL, its hand-over (short link, QR code, plain text, note) and "Add to list"."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from app.practitioner import shortlist as lists
from app.practitioner.text_message import MessageSize, message_size

from ..factories import service, write_content

FIVE = ["incredible-years", "debt-advice", "attendance-support", "stay-and-chat", "idva-outreach"]


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def shown_ids(soup) -> list[str]:
    return [item["id"].removeprefix("item-") for item in soup.select("#shortlist > li")]


# s parameter -> the services shown, in order; and whether the page says something was left out.
URLS = [
    ("incredible-years,debt-advice", ["incredible-years", "debt-advice"], False),
    ("debt-advice,incredible-years", ["debt-advice", "incredible-years"], False),
    (" Debt-Advice , INCREDIBLE-YEARS ,,", ["debt-advice", "incredible-years"], False),
    ("debt-advice,debt-advice,incredible-years,debt-advice", ["debt-advice", "incredible-years"], False),
    ("debt-advice,no-such-service", ["debt-advice"], True),
    ("old-draft,debt-advice", ["debt-advice"], True),  # drafts are not published
    ("no-such-service", [], True),
    ("", [], False),
    ("<script>alert(1)</script>,debt-advice", ["debt-advice"], True),
    ("debt-advice,../../etc/passwd,%00,'; DROP TABLE services;--", ["debt-advice"], True),
    ("debt-advice," + "a" * 5000, ["debt-advice"], True),
    (",".join(["debt-advice"] * 10_000), ["debt-advice"], False),
    ("\u0434\u0435\u0431\u0442,debt-advice", ["debt-advice"], True),
]


@pytest.mark.parametrize("value, expected, told", URLS)
def test_shortlist_urls(page, value, expected, told):
    soup = page(f"/shortlist?s={quote(value, safe=',')}")
    assert shown_ids(soup) == expected
    assert bool(soup.select("main .banner")) == told
    assert "<script>alert" not in str(soup)


def test_too_many_ids_keeps_the_first_twenty(folders):
    from app import create_app
    from app.config import TestingConfig
    from app.publishing.publish import publish

    ids = [f"service-{number:02d}" for number in range(25)]
    write_content(folders["content"], [service(service_id) for service_id in ids])
    publish(folders["content"], folders["index"], processes=1)
    app = create_app(TestingConfig(folders["content"], folders["index"], folders["instance"]))
    client = app.test_client()
    from ..pages import get_page

    soup = get_page(client, "/shortlist?s=" + ",".join(reversed(ids)))
    assert shown_ids(soup) == list(reversed(ids))[:20]
    assert "at most 20 services" in soup.select_one("main .banner").get_text()
    assert "Add more services" not in soup.get_text()
    # A full list offers no more "Add to list" links.
    results = get_page(client, "/search?s=" + ",".join(ids[:20]))
    assert not results.select("a.add-to-list__link:not(.add-to-list__link--added)")


def test_repeated_s_parameters_join_up(page):
    soup = page("/shortlist?s=debt-advice&s=idva-outreach,debt-advice")
    assert shown_ids(soup) == ["debt-advice", "idva-outreach"]


def test_each_service_shows_what_it_is_how_to_get_it_contacts_and_where(page):
    soup = page("/shortlist?s=incredible-years,attendance-support")
    first, second = soup.select("#shortlist > li")
    assert first.find("a", href="/services/incredible-years?s=incredible-years,attendance-support")
    text = " ".join(first.get_text(" ").split())
    for words in ("A 14-week group for parents", "Contact them yourself", "A professional can refer you",
                  "Ages 3 to 6", "Free", "In person"):
        assert words in text
    assert first.find("a", href="tel:02079460210")
    assert "No charge for families on benefits" in second.get_text()


def test_reorder_and_remove_links(page):
    soup = page("/shortlist?s=" + ",".join(FIVE[:3]))
    items = soup.select("#shortlist > li")

    def action(item, words):
        """The list a link leads to (its ``s``), or None when the item has no such link."""
        link = next((a for a in item.find_all("a") if a.get_text().startswith(words)), None)
        return None if link is None else parse_qs(urlsplit(link["href"]).query).get("s", [""])[0]

    assert action(items[0], "Move up") is None and action(items[2], "Move down") is None
    assert action(items[1], "Move up") == "debt-advice,incredible-years,attendance-support"
    assert action(items[1], "Move down") == "incredible-years,attendance-support,debt-advice"
    assert action(items[0], "Move down") == "debt-advice,incredible-years,attendance-support"
    assert action(items[0], "Remove") == "debt-advice,attendance-support"
    single = page("/shortlist?s=debt-advice").select_one("#shortlist > li")
    assert [a["href"] for a in single.select(".shortlist-item__actions a")] == ["/shortlist"]


def test_an_empty_list_explains_itself(page):
    soup = page("/shortlist")
    assert "Your list is empty" in soup.get_text()
    assert not soup.find(id="short-link") and not soup.find("img")


def test_short_link_carries_only_the_ids_and_opens_the_same_list(client, page):
    soup = page("/shortlist?s=" + ",".join(FIVE))
    link = soup.find(id="short-link")["href"]
    path = urlsplit(link).path
    assert link.startswith("http://localhost/l/") and path == "/l/" + lists.short_code(FIVE)
    assert len(path) == len("/l/") + 6 * 5
    family = page(path)
    assert [a["href"] for a in family.select("#family-list h2 a")] == [f"/services/{id_}" for id_ in FIVE]
    upper = page("/l/" + lists.short_code(FIVE).upper())
    assert upper.select("#family-list h2 a") == family.select("#family-list h2 a")


@pytest.mark.parametrize("code", ["zzzzzz", "abc", "ilou00", "a" * 6 * 21, "%3Cscript%3E", "0" * 5000])
def test_short_links_that_lead_nowhere_are_404(client, code):
    response = client.get(f"/l/{code}")
    assert response.status_code == 404
    assert b"Page not found" in response.data


def test_short_codes_resolve_in_order_and_skip_services_gone_since():
    table = lists.code_table(["a", "b", "c"])
    codes = lists.read_short_code(lists.short_code(["c", "gone", "a"]))
    assert lists.resolve(codes, table) == ["c", "a"]
    assert all(len(lists.service_code(f"service-{n}")) == 6 for n in range(100))
    assert lists.read_short_code("ABCDEF") == ["abcdef"]


def test_qr_code_is_an_svg_of_the_short_link(client):
    response = client.get("/shortlist/qr.svg?s=debt-advice,idva-outreach")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg") and "viewBox" in svg and "<script" not in svg
    short = "http://localhost/l/" + lists.short_code(["debt-advice", "idva-outreach"])
    assert f"<title>QR code: {short}</title>" in svg
    assert client.get("/shortlist/qr.svg?s=nothing-here").status_code == 404
    assert client.get("/shortlist/qr.svg").status_code == 404


def test_plain_text_for_a_text_message(client, page):
    response = client.get("/shortlist.txt?s=incredible-years,debt-advice")
    assert response.content_type == "text/plain; charset=utf-8"
    text = response.get_data(as_text=True)
    lines = text.splitlines()
    assert lines[0] == "Services for your family from Testshire Early Help Directory:"
    assert lines[1:5] == ["1. Incredible Years parenting group", "Tel 02079460210",
                          "2. Debt and benefits advice", "Tel 02079460210"]
    code = lists.short_code(["incredible-years", "debt-advice"])
    assert lines[5] == f"Full details: http://localhost/l/{code}"
    assert lines[6] == "Worried about a child? Children's Front Door: 02079460100. In an emergency call 999."
    # The same text on the page, with its length as a phone counts it.
    soup = page("/shortlist?s=incredible-years,debt-advice")
    assert soup.find(id="plain-text").get_text() == text.rstrip("\n")
    size = message_size(text.rstrip("\n"))
    assert f"{size.characters} characters, sent as {size.messages} text messages" in soup.find(
        id="plain-text-size").get_text()
    assert client.get("/shortlist.txt?s=nothing").status_code == 404


@pytest.mark.parametrize("text, characters, messages, unicode", [
    ("", 0, 1, False), ("a" * 160, 160, 1, False), ("a" * 161, 161, 2, False), ("a" * 306, 306, 2, False),
    ("a" * 307, 307, 3, False), ("€" * 80, 160, 1, False), ("ł" * 70, 70, 1, True), ("ł" * 71, 71, 2, True),
    ("\U0001f600" * 35, 70, 1, True),
])
def test_text_message_size(text, characters, messages, unicode):
    assert message_size(text) == MessageSize(characters, messages, unicode)


def test_the_note_is_only_rendered_back_never_linked_or_cached(client):
    note = "Mum prefers calls after 3pm <b>bold</b>"
    response = client.post("/shortlist?s=debt-advice", data={"note": note})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    html = response.get_data(as_text=True)
    assert "Mum prefers calls after 3pm &lt;b&gt;bold&lt;/b&gt;" in html
    # Nowhere in an address: links, the QR code, the short link, the form's own action.
    for url in re.findall(r'(?:href|src|action)="([^"]*)"', html):
        assert "Mum" not in url and "3pm" not in url
    text = client.get("/shortlist.txt?s=debt-advice").get_data(as_text=True)
    assert "Mum" not in text
    # A GET never shows a note, whatever the URL says.
    response = client.get("/shortlist?s=debt-advice&note=Mum")
    assert response.status_code == 302 and response.headers["Location"] == "/shortlist?s=debt-advice"
    assert client.get("/shortlist?s=debt-advice").headers["Cache-Control"] == "public, max-age=300"


def test_a_huge_note_is_cut_not_refused(client):
    response = client.post("/shortlist?s=debt-advice", data={"note": "x" * 100_000})
    assert response.status_code == 200
    assert "x" * 1000 in response.get_data(as_text=True) and "x" * 1001 not in response.get_data(as_text=True)


@pytest.fixture
def in_languages(tmp_path):
    """A directory offered in English, Polish and Arabic."""
    from app import create_app
    from app.config import TestingConfig
    from app.publishing.publish import publish

    from ..factories import SITE

    content = write_content(tmp_path / "content", [service("debt-advice", title="Debt advice"),
                                                   service("idva-outreach", title="Outreach")],
                            site={**SITE, "languages": ["en", "pl", "ar"]})
    publish(content, tmp_path / "index", processes=1)
    return create_app(TestingConfig(content, tmp_path / "index", tmp_path / "instance")).test_client()


def test_language_choice_leads_to_the_same_list_in_each_language(in_languages):
    from ..pages import get_page

    soup = get_page(in_languages, "/shortlist?s=debt-advice,idva-outreach")
    links = {a["hreflang"]: a["href"] for a in soup.select(".language-list a")}
    assert links == {"en": "/shortlist?s=debt-advice,idva-outreach",
                     "pl": "/pl/shortlist?s=debt-advice,idva-outreach",
                     "ar": "/ar/shortlist?s=debt-advice,idva-outreach"}
    assert soup.select_one('.language-list a[aria-current="true"]')["hreflang"] == "en"
    polish = get_page(in_languages, links["pl"])
    assert polish.find("html")["lang"] == "pl"
    assert shown_ids(polish) == ["debt-advice", "idva-outreach"]
    assert polish.select_one('.language-list a[aria-current="true"]')["hreflang"] == "pl"
    # The hand-over in Polish: the short link, the QR code and the text all open the Polish list.
    code = lists.short_code(["debt-advice", "idva-outreach"])
    assert polish.find(id="short-link")["href"] == f"http://localhost/pl/l/{code}"
    qr = polish.find("img", class_="handover-link__qr")["src"]
    assert qr == "/pl/shortlist/qr.svg?s=debt-advice,idva-outreach"
    assert f"http://localhost/pl/l/{code}" in in_languages.get(
        "/pl/shortlist/qr.svg?s=debt-advice,idva-outreach").get_data(as_text=True)
    assert f"http://localhost/pl/l/{code}" in in_languages.get(
        "/pl/shortlist.txt?s=debt-advice,idva-outreach").get_data(as_text=True)
    opened = get_page(in_languages, f"/pl/l/{code}")
    assert opened.find("html")["lang"] == "pl"
    assert [a["href"] for a in opened.select("#family-list h2 a")] == [
        "/pl/services/debt-advice", "/pl/services/idva-outreach"]


def test_a_site_in_english_only_offers_no_language_choice(page):
    assert not page("/shortlist?s=debt-advice").select(".language-list")


def test_add_to_list_on_results_and_service_pages(page):
    results = page("/search?q=parenting")
    card_link = results.select_one("#results li a.add-to-list__link")
    assert query_of(card_link["href"]) == {"add": ["incredible-years"], "back": ["/search?q=parenting"],
                                           "at": ["add-incredible-years"]}
    service_page = page("/services/debt-advice")
    assert query_of(service_page.select_one("a.add-to-list__link")["href"]) == {
        "add": ["debt-advice"], "back": ["/services/debt-advice"], "at": ["add-debt-advice"]}


def test_the_list_travels_through_search_and_service_pages(page):
    results = page("/search?q=parenting&s=debt-advice")
    assert results.select_one(".shortlist-bar a")["href"] == (
        "/shortlist?s=debt-advice&back=/search?q%3Dparenting")
    assert results.find("input", attrs={"name": "s"})["value"] == "debt-advice"
    card = results.select_one("#results li")
    assert card.select_one("h2 a")["href"] == "/services/incredible-years?s=debt-advice"
    assert query_of(card.select_one("a.add-to-list__link")["href"])["s"] == ["debt-advice"]
    # Filter and paging links keep the list.
    assert all("s=debt-advice" in a["href"] for a in results.select(".chips a"))
    on_list = page("/services/debt-advice?s=debt-advice,idva-outreach")
    added = on_list.select_one("a.add-to-list__link--added")
    assert added["href"] == "/shortlist?s=debt-advice,idva-outreach"
    assert "s" not in query_of(page("/search?q=parenting&s=%3Cscript%3E").select_one(
        "#results li a.add-to-list__link")["href"])
    assert not page("/search?q=parenting&s=%3Cscript%3E").select(".shortlist-bar")
