"""Fetch a public page as parsed HTML, checking the rules every page must keep."""

from __future__ import annotations

from itertools import pairwise

from bs4 import BeautifulSoup

LANDMARKS = ("header", "main", "footer")


def check_page_rules(soup: BeautifulSoup, url: str) -> None:
    """Title, exactly one h1, landmarks, lang/dir, skip link, quick exit and safeguarding line."""
    html = soup.find("html")
    assert html.get("lang"), f"{url}: <html> has no lang"
    assert html.get("dir") in ("ltr", "rtl"), f"{url}: <html> has no dir"
    assert soup.title and soup.title.get_text(strip=True), f"{url}: no <title>"
    headings = soup.find_all("h1")
    assert len(headings) == 1, f"{url}: {len(headings)} h1 elements"
    for landmark in LANDMARKS:
        assert len(soup.find_all(landmark)) == 1, f"{url}: expected one <{landmark}>"
    assert soup.find("main").get("id") == "main-content", url
    skip = soup.find("a", class_="skip-link")
    assert skip and skip["href"] == "#main-content", f"{url}: no skip link"
    exit_link = soup.find(id="quick-exit")
    assert exit_link and exit_link["href"].startswith("https://"), f"{url}: no quick exit"
    safeguarding = soup.find(class_="safeguarding")
    assert safeguarding and safeguarding.find("a", href="tel:999"), f"{url}: no safeguarding line"
    assert not soup.find(style=True), f"{url}: inline style attribute (blocked by our CSP)"
    for script in soup.find_all("script"):
        assert script.get("src") or script.get("type") == "application/ld+json", f"{url}: inline script"
    levels = [int(tag.name[1]) for tag in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
    for previous, level in pairwise(levels):
        assert level <= previous + 1, f"{url}: heading level jumps from h{previous} to h{level}"


def get_page(client, url: str, status: int = 200, headers: dict | None = None) -> BeautifulSoup:
    """GET ``url``, assert its status and the page-wide rules, and return the parsed page."""
    response = client.get(url, headers=headers)
    assert response.status_code == status, f"{url}: {response.status_code}"
    assert response.mimetype == "text/html"
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    check_page_rules(soup, url)
    return soup
