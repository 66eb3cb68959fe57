"""Which hub covers a postcode: the lookup itself and /hubs/find, table-driven.

The test directory's hubs: West covers N17 and N15 3; East covers N22.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from app.postcodes import PostcodeError, covering_area, hub_for_postcode
from app.practitioner.hub_finder import find_hub

AREAS = [("west", "N17"), ("west", "N15 3"), ("east", "N22")]

LOOKUPS = [
    # typed, postcode as shown, hub, area matched, split
    ("N17 6AA", "N17 6AA", "west", "N17", []),
    ("n17 6aa", "N17 6AA", "west", "N17", []),
    ("N176AA", "N17 6AA", "west", "N17", []),
    ("  n17   6aa ", "N17 6AA", "west", "N17", []),
    ("N17", "N17", "west", "N17", []),
    ("N17 6", "N17 6", "west", "N17", []),
    ("N15 3AB", "N15 3AB", "west", "N15 3", []),
    ("N15 4AB", "N15 4AB", None, None, []),
    ("N15", "N15", None, None, [("west", ["N15 3"])]),
    ("n22 6xd", "N22 6XD", "east", "N22", []),
    ("N1", "N1", None, None, []),
    ("n1 9gu", "N1 9GU", None, None, []),
    ("SW1A1AA", "SW1A 1AA", None, None, []),
    ("ZZ99 9ZZ", "ZZ99 9ZZ", None, None, []),
]


@pytest.mark.parametrize("typed, shown, hub, area, split", LOOKUPS)
def test_find_hub(typed, shown, hub, area, split):
    lookup = find_hub(typed, AREAS)
    assert (lookup.postcode, lookup.hub_id, lookup.area, lookup.split) == (shown, hub, area, split)


@pytest.mark.parametrize("typed", ["", "   ", "N", "17", "N17 6AAA", "<script>", "N17'--", "Ｎ１７",
                                   "N17\x00", "a" * 500, "N17 6AA" * 70, "%", "N17,N22"])
def test_text_that_is_not_a_postcode_is_refused(typed):
    with pytest.raises(PostcodeError):
        find_hub(typed, AREAS)


def test_the_most_specific_area_wins_whatever_the_order():
    areas = [("district", "N15"), ("unit", "N15 3AB"), ("sector", "N15 3")]
    for ordered in (areas, areas[::-1]):
        assert covering_area("N15 3AB", ordered) == ("unit", "N15 3AB")
        assert covering_area("N15 3XY", ordered) == ("sector", "N15 3")
        assert hub_for_postcode("N15 9XY", ordered) == "district"
    # A district typed alone that other hubs have sectors of: split, not a guess.
    lookup = find_hub("N15", [("district", "N15"), ("sector", "N15 3")])
    assert lookup.hub_id is None
    assert lookup.split == [("district", ["N15"]), ("sector", ["N15 3"])]


PAGES = [
    # typed, status, words the answer must contain, hub page it links to (or None)
    ("N17 6AA", 200, "N17 6AA is covered by the West Hub", "/hubs/west"),
    ("n176aa", 200, "N17 6AA is covered by the West Hub", "/hubs/west"),
    ("n22 6xd", 200, "N22 6XD is covered by the East Hub", "/hubs/east"),
    ("N15 3ab", 200, "N15 3AB is covered by the West Hub", "/hubs/west"),
    ("N15", 200, "Only part of N15 is covered", "/hubs/west"),
    ("N1", 200, "No Early Help Hub covers N1", None),
    ("n1 9gu", 200, "No Early Help Hub covers N1 9GU", None),
    ("SW1A1AA", 200, "No Early Help Hub covers SW1A 1AA", None),
    ("ZZ99 9ZZ", 200, "No Early Help Hub covers ZZ99 9ZZ", None),
    ("", 400, "Enter a postcode", None),
    ("   ", 400, "Enter a postcode", None),
    ("not a postcode", 400, "is not a UK postcode", None),
    ("a" * 500, 400, "is not a UK postcode", None),
    ("<script>alert(1)</script>", 400, "is not a UK postcode", None),
]


@pytest.mark.parametrize("typed, status, words, hub_link", PAGES)
def test_hubs_find_page(page, client, typed, status, words, hub_link):
    soup = page(f"/hubs/find?postcode={quote(typed)}", status)
    answer = soup.find(id="hub-answer") or soup.find(class_="error-summary")
    assert answer is not None
    assert words in " ".join(answer.get_text(" ").split())
    links = [a["href"] for a in answer.find_all("a")]
    if hub_link:
        assert hub_link in links
    if "covered by the" in words:
        hub_id = hub_link.rsplit("/", 1)[1]
        assert f"/search?hub={hub_id}" in links and f"/menu?hub={hub_id}" in links
        assert answer.find("a", href="tel:02079460200"), "the hub's phone number is a tap-to-call link"
    # The box keeps what was typed (shortened), never echoing it as markup.
    box = soup.find("input", attrs={"name": "postcode"})
    assert box["value"] == typed[:20]
    assert "<script>alert" not in str(soup.find("main")).replace("&lt;script&gt;", "")
    assert not client.get(f"/hubs/find?postcode={quote(typed)}").status_code >= 500


@pytest.mark.parametrize("typed", ["N1", "not a postcode", "ZZ99 9ZZ"])
def test_unknown_and_malformed_postcodes_give_the_front_door(page, typed):
    answer = page(f"/hubs/find?postcode={quote(typed)}", 400 if " a " in typed else 200).find(id="hub-answer")
    assert "Children's Front Door" in answer.get_text()
    assert answer.find("a", href="tel:02079460100")


def test_empty_and_malformed_postcodes_are_marked_on_the_box(page):
    soup = page("/hubs/find?postcode=", 400)
    assert soup.find(class_="error-summary").find("a")["href"] == "#postcode"
    assert "postcode-error" in soup.find(id="postcode")["aria-describedby"]
    assert soup.title.get_text().startswith("Error:")


def test_the_form_alone_without_a_postcode(page):
    soup = page("/hubs/find")
    assert soup.find(id="postcode") and not soup.find(id="hub-answer")
    assert not soup.find(class_="error-summary")


@pytest.mark.parametrize("url", ["/", "/hubs/", "/menu"])
def test_postcode_boxes_on_home_hubs_and_menu(page, url):
    form = page(url).find("form", action="/hubs/find")
    assert form and form.get("method") == "get"
    field = form.find("input", attrs={"name": "postcode"})
    assert form.find("label", attrs={"for": field["id"]})
