"""The results page's own parts for a phone: the "Filter (n)" disclosure above the results, chips
that stay narrow, and addresses in a language the site does not offer."""

from __future__ import annotations

from app import create_app
from app.config import TestingConfig
from app.publishing.publish import publish

from .factories import service, site, write_content
from .pages import get_page


def test_filters_sit_behind_a_filter_control_above_the_results(page):
    soup = page("/search?q=parenting")
    panel = soup.select_one("details#filter-panel")
    assert panel and not panel.has_attr("open"), "closed until the reader opens it"
    assert panel.summary.get_text(strip=True) == "Filter"
    assert panel.select_one("#filters input[type=checkbox]")
    order = [tag.get("id") for tag in soup.find_all(id=["filter-panel", "result-count", "results"])]
    assert order == ["filter-panel", "result-count", "results"]
    # Without JavaScript, Apply brings the reader to the results, not the top of the page.
    assert panel.select_one("#apply-filters")["formaction"] == "/search#result-count"
    # Pressing Enter in the search box still searches: its button comes first in the form.
    buttons = soup.select("#search-filters button[type=submit]")
    assert "search-box__button" in buttons[0]["class"]


def test_the_filter_control_counts_the_chosen_filters(page):
    soup = page("/search?need=parenting&need=money-debt&free=1")
    assert soup.select_one("#filter-panel summary").get_text(strip=True) == "Filter (3)"


def test_a_very_long_word_is_cut_short_in_its_chip(page):
    word = "a" * 5000
    soup = page(f"/search?q={word}")
    label = soup.select_one(".chip .chip__label").get_text()
    assert len(label) < 60 and label.endswith("…")
    # The whole query stays in the search box, to edit.
    assert soup.find("input", id="q")["value"].startswith("a" * 190)


def test_a_language_not_offered_lists_the_offered_ones_each_in_its_own_language(folders):
    content = write_content(folders["content"], [service("group")], site=site(["en", "pl", "ar"]))
    publish(content, folders["index"], processes=1)
    app = create_app(TestingConfig(folders["content"], folders["index"], folders["instance"]))
    client = app.test_client()
    soup = get_page(client, "/fr/search?q=food", status=404)
    items = soup.select("main li[lang]")
    assert [(li["lang"], li["dir"]) for li in items] == [("en", "ltr"), ("pl", "ltr"), ("ar", "rtl")]
    assert [li.a.get_text() for li in items] == ["English", "Polski", "العربية"]
    assert [li.a["href"] for li in items] == ["/search?q=food", "/pl/search?q=food", "/ar/search?q=food"]
    assert "Czytaj" in items[1].get_text()  # the invitation too is in its own language
    assert client.get(items[1].a["href"]).status_code == 200
    # An address that only looks like a language code gets the usual page.
    plain = get_page(client, "/zz/search", status=404)
    assert not plain.select("main li[lang]")
    assert not get_page(client, "/services/nothing", status=404).select("main li[lang]")
