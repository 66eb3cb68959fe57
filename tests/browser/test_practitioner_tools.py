"""Practitioner tools in Chromium: build a shortlist on a phone, switch its language, print it to an A4
PDF, decode its QR code; the same without JavaScript; the menu and hub finder on a small phone."""

from __future__ import annotations

import io
import re
import unicodedata
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from .conftest import PHONE, SMALL_PHONE
from .site_content import LONG_ID, LONG_TITLE

pytestmark = pytest.mark.browser

A4_POINTS = (595, 842)  # 210 x 297 mm
NOTE = "Ring Sam on Tuesday morning about the group"


def listed_ids(tab) -> list[str]:
    return [item.get_attribute("id").removeprefix("item-")
            for item in tab.page.locator("#shortlist > li").element_handles()]


def add_first_result(tab, query: str) -> None:
    """Search (the list travels in the form) and add the first result not yet in the list, in place."""
    tab.page.fill("#q", query)
    tab.page.locator("#q").press("Enter")
    tab.page.wait_for_load_state()
    tab.page.locator("#results a.add-to-list__link:not(.add-to-list__link--added)").first.click()
    tab.page.locator("#results a.add-to-list__link--added").first.wait_for()


def build_list(tab) -> list[str]:
    """On the site as a practitioner would: search and add, search again and add, add from a
    service page, then open the list."""
    tab.open("/search?q=incredible+years")
    tab.page.locator("#results a.add-to-list__link").first.click()
    tab.page.wait_for_url(re.compile(r"/search\?q=incredible\+years&s=incredible-years$"))
    add_first_result(tab, "debt")
    add_first_result(tab, "abusive partner")
    # From a service page: the list travels through the search and the card link.
    tab.page.fill("#q", "rare conditions")
    tab.page.locator("#q").press("Enter")
    tab.page.wait_for_load_state()
    tab.page.locator("#results h2 a").first.click()
    tab.page.wait_for_url(re.compile(rf"/services/{LONG_ID}\?s="))
    tab.page.locator("a.add-to-list__link").click()
    tab.page.locator("a.add-to-list__link--added").wait_for()
    tab.page.locator(".shortlist-bar a").click()
    tab.page.wait_for_url(re.compile(r"/shortlist\?s="))
    return listed_ids(tab)


def test_build_a_list_on_a_phone_switch_language_print_and_scan(new_tab, screenshot_dir):
    tab = new_tab(PHONE)
    ids = build_list(tab)
    assert ids == ["incredible-years", "debt-advice", "idva-outreach", LONG_ID]

    # Reorder and remove with the links on each item.
    tab.page.locator("#item-debt-advice").get_by_role("link", name=re.compile("^Move up")).click()
    tab.page.wait_for_load_state()
    assert listed_ids(tab) == ["debt-advice", "incredible-years", "idva-outreach", LONG_ID]
    tab.page.locator("#item-idva-outreach").get_by_role("link", name=re.compile("^Remove")).click()
    tab.page.wait_for_load_state()
    ids = listed_ids(tab)
    assert ids == ["debt-advice", "incredible-years", LONG_ID]

    # The family reads Polish: the same list under /pl/.
    tab.page.locator('.language-list a[hreflang="pl"]').click()
    tab.page.wait_for_url(re.compile(r"/pl/shortlist\?s="))
    assert tab.page.locator("html").get_attribute("lang") == "pl"
    assert listed_ids(tab) == ids
    assert parse_qs(urlsplit(tab.page.url).query) == {"s": [",".join(ids)]}

    # The note goes onto the sheet in this browser and nowhere else.
    requests_before = len(tab.requests)
    tab.page.fill("#note", NOTE)
    tab.page.locator("#note").press("Tab")
    assert tab.page.locator("#handover-note-text").inner_text() == NOTE
    assert len(tab.requests) == requests_before, tab.requests[requests_before:]
    assert not [url for url in tab.requests if "Sam" in url or "Tuesday" in url]

    # Printed: one or two A4 pages with every service, the note, the link and the front door.
    pdf = tab.page.pdf(format="A4", prefer_css_page_size=True, print_background=False)
    (screenshot_dir / "shortlist-print.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert 1 <= len(reader.pages) <= 2, f"the shortlist prints on {len(reader.pages)} pages"
    for sheet in reader.pages:
        assert (round(float(sheet.mediabox.width)), round(float(sheet.mediabox.height))) == A4_POINTS
    # NFKC: the PDF's fonts set "fi" as a ligature.
    printed = " ".join(sheet.extract_text() for sheet in reader.pages)
    text = " ".join(unicodedata.normalize("NFKC", printed).split())
    for title in ("Debt and benefits advice", "Incredible Years parenting group", "pseudohypoparathyroidism"):
        assert title in text, f"{title!r} is not on the printed sheet"
    assert "Domestic abuse outreach" not in text
    assert NOTE in text
    assert "999" in text and "020 7946 0100" in text
    short_link = tab.page.locator("#short-link").inner_text()
    assert short_link.startswith(tab.site.base_url + "/pl/l/")
    assert short_link in text.replace(" ", "") or short_link in text
    assert "Move up" not in text and "Exit this page" not in text

    # The QR code, drawn by our server, decodes to the short link, which opens the same list.
    qr = tab.page.locator("img.handover-link__qr")
    qr.scroll_into_view_if_needed()
    image = Image.open(io.BytesIO(qr.screenshot()))
    decoded = [result.text for result in zxingcpp.read_barcodes(image)]
    assert decoded == [short_link]
    scanned = new_tab(PHONE)
    scanned.page.goto(decoded[0])
    assert scanned.path() == urlsplit(short_link).path
    assert [link.get_attribute("href") for link in scanned.page.locator("#family-list h2 a").element_handles()
            ] == [f"/pl/services/{service_id}" for service_id in ids]
    assert "Sam" not in scanned.page.inner_text("body")
    assert not tab.console_errors and not tab.page_errors and not tab.external_requests()


def test_the_plain_text_is_ready_to_paste_into_a_text_message(new_tab):
    tab = new_tab(PHONE)
    tab.open("/shortlist?s=incredible-years,debt-advice")
    text = tab.page.locator("#plain-text").input_value()
    lines = text.splitlines()
    assert lines[1:5] == ["1. Incredible Years parenting group", "Tel 02079460210",
                          "2. Debt and benefits advice", "Tel 02079460210"]
    assert lines[-2] == "Full details: " + tab.page.locator("#short-link").inner_text()
    size = tab.page.locator("#plain-text-size").inner_text()
    assert re.fullmatch(rf"{len(text)} characters, sent as \d text messages\.", size), size


def test_without_javascript_the_note_is_rendered_back_and_not_put_in_any_address(new_tab):
    tab = new_tab(PHONE, javascript=False)
    tab.open("/search?q=incredible+years")
    tab.page.locator("#results a.add-to-list__link").first.click()
    tab.page.wait_for_url(re.compile(r"/search\?q=incredible\+years&s=incredible-years&added=incredible-years#"))
    tab.page.locator(".shortlist-bar a").click()
    tab.page.wait_for_url(re.compile(r"/shortlist\?s=incredible-years&back="))
    assert tab.page.locator("#print-button").is_hidden()
    tab.page.fill("#note", NOTE)
    tab.page.get_by_role("button", name="Put the note on the sheet").click()
    tab.page.wait_for_load_state()
    assert tab.path() == "/shortlist?s=incredible-years&back=/search?q%3Dincredible%2Byears"
    assert tab.page.locator("#handover-note-text").inner_text() == NOTE
    assert not [url for url in tab.requests if "Sam" in url]
    tab.page.emulate_media(media="print")
    assert tab.page.locator("#handover-note-sheet").is_visible()
    assert tab.page.locator(".handover-safeguarding").is_visible()
    assert tab.page.locator("#note-form").is_hidden()


@pytest.mark.parametrize("path", ["/shortlist?s=incredible-years,debt-advice", "/services/incredible-years",
                                  "/hubs/find?postcode=N17+6AA"])
def test_phone_numbers_are_tap_to_call_at_320px(reused_tab, path):
    tab = reused_tab(SMALL_PHONE)
    tab.open(path)
    phone = tab.page.locator("main a[href^='tel:']").first
    assert phone.is_visible()
    box = phone.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert re.fullmatch(r"tel:\+?[0-9]+", phone.get_attribute("href"))


def test_the_menu_grid_reads_as_blocks_on_a_small_phone(reused_tab, screenshot_dir):
    tab = reused_tab(SMALL_PHONE)
    tab.open("/menu")
    heading = tab.page.locator("#menu-grid tbody td .menu-grid__cell-heading").first
    assert heading.is_visible() and heading.inner_text().startswith("Level")
    tab.page.screenshot(path=screenshot_dir / "menu-320.png", full_page=True)


def test_the_postcode_box_on_the_home_page_finds_the_hub(new_tab):
    tab = new_tab(SMALL_PHONE)
    tab.open("/")
    tab.page.fill("#home-postcode", "n176bb")
    tab.page.get_by_role("button", name="Find hub").click()
    tab.page.wait_for_load_state()
    assert tab.path() == "/hubs/find?postcode=n176bb"
    assert "N17 6BB is covered by the West Hub" in tab.page.locator("#hub-answer").inner_text()


def test_a_long_title_stays_on_the_sheet(new_tab):
    tab = new_tab()
    tab.open(f"/shortlist?s={LONG_ID}")
    assert tab.page.locator("#shortlist h2").inner_text().startswith(LONG_TITLE[:40])
