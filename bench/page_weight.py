"""Bytes a family's phone downloads for the public pages, against the 60 KB budget,
and what rendering a page costs the server.

    python -m bench.page_weight [--content content] [--reps 30]

Publishes the content folder into a temporary index, then fetches each page
through the app (as a browser would: gzip accepted) with the CSS and
JavaScript it links and the images it draws (the shortlist's QR code), and
prints raw and compressed sizes. Sizes do not depend on the machine; the test
suite asserts the budget for a results page of 20
(tests/test_headers_and_assets.py) and for the practitioner's pages
(tests/practitioner/test_visit_mode.py). Times are medians of ``--reps``
requests through the Flask test client (no network), each page side by side
with the JSON API answering the same search, so the difference is the cost of
the HTML (templates, card queries, compression).
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from app import create_app
from app.config import TestingConfig
from app.publishing.publish import publish

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 60 * 1024
PAGES = {
    "home": "/",
    "results, 20 of many (browse)": "/search",
    "results, query + 2 filters": "/search?q=parenting&age=3-5&free=1",
    "service page": None,  # the first result of the browse page
    "hub page": "/hubs/west",
    "shortlist, 5 services": None,  # the first five results of the browse page
    "Menu of Interventions (grid)": "/menu",
    "Menu of Interventions (table)": "/menu?view=table",
    "hub finder": "/hubs/find?postcode=N17+6AA",
    # Other languages: the translated interface, Arabic script and the language switcher.
    "home (Arabic)": "/ar/",
    "results, query (Polish)": "/pl/search?q=pieniadze",
    "results, query (Bengali)": "/bn/search?q=%E0%A6%96%E0%A6%BE%E0%A6%AC%E0%A6%BE%E0%A6%B0",
}


def fetch(client, url: str) -> tuple[int, int, str]:
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    return len(plain.data), len(packed.data), plain.get_data(as_text=True)


def median_ms(client, url: str, reps: int) -> float:
    timings = []
    for _ in range(reps):
        start = time.perf_counter()
        client.get(url, headers={"Accept-Encoding": "gzip"})
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


@contextlib.contextmanager
def published_client(content: Path) -> Iterator:
    """A test client of the app serving ``content``, published into a temporary index."""
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        publish(content, folder / "index", processes=1)
        yield create_app(TestingConfig(content, folder / "index", folder / "instance")).test_client()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--reps", type=int, default=30)
    options = parser.parse_args()
    with published_client(options.content) as client:
        html = client.get("/search").get_data(as_text=True)
        services = list(dict.fromkeys(re.findall(r'href="/services/([a-z0-9-]+)"', html)))
        PAGES["service page"] = f"/services/{services[0]}"
        PAGES["shortlist, 5 services"] = "/shortlist?s=" + ",".join(services[:5])
        print("| page | HTML raw | HTML gzip | CSS, JS, images gzip | total gzip | budget used | median ms |")
        print("|---|---|---|---|---|---|---|")
        for name, url in PAGES.items():
            raw, packed, text = fetch(client, url)
            # Styles, scripts and the images a page draws (the shortlist's QR code), not the favicon.
            assets = [url.replace("&amp;", "&") for url in re.findall(
                r'<(?:link rel="stylesheet"|script|img)[^>]*?(?:src|href)="(/[^"]+)"', text)]
            asset_bytes = sum(fetch(client, asset)[1] for asset in assets)
            total = packed + asset_bytes
            timing = f"{median_ms(client, url, options.reps):.1f}"
            if url.startswith("/search"):
                api = url.replace("/search", "/api/search", 1)
                timing += f" (API: {median_ms(client, api, options.reps):.1f})"
            print(f"| {name} (`{url}`) | {raw / 1024:.1f} KB | {packed / 1024:.1f} KB | "
                  f"{asset_bytes / 1024:.1f} KB | {total / 1024:.1f} KB | {100 * total / BUDGET:.0f}% "
                  f"| {timing} |")


if __name__ == "__main__":
    main()
