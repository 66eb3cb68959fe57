"""What the Open Referral UK feed costs the server, per request.

    python -m bench.oruk_feed [--content content] [--reps 20]

Publishes the content folder into a temporary index and times requests
through the Flask test client (no network): medians of ``--reps``, side by
side in one run. For 10,000 services: ``python -m bench.generate /tmp/c10k
--n 10000`` then ``--content /tmp/c10k``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.content.model import stable_uuid

from .page_weight import ROOT, median_ms, published_client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--reps", type=int, default=20)
    options = parser.parse_args()
    with published_client(options.content) as client:
        first = client.get("/api/oruk/services?per_page=1").get_json()["contents"][0]["id"]
        need = stable_uuid("taxonomy_term", "needs/parenting")
        requests = {
            "one service, fully nested": f"/api/oruk/services/{first}",
            "page 1 of services (50, nested)": "/api/oruk/services",
            "page 1, need filter + modified_after": f"/api/oruk/services?taxonomy_term_id={need}"
                                                    "&modified_after=2026-01-01",
            "page 1, search=parenting": "/api/oruk/services?search=parenting",
            "minimal, 5000 per page": "/api/oruk/services?minimal=true&per_page=5000",
            "taxonomy terms": "/api/oruk/taxonomy_terms",
        }
        total = client.get("/api/oruk/services?per_page=1").get_json()["total_items"]
        print(f"{total} services; median ms of {options.reps} requests\n")
        print("| request | median ms | bytes |")
        print("|---|---|---|")
        for name, url in requests.items():
            size = len(client.get(url).data)
            print(f"| {name} | {median_ms(client, url, options.reps):.1f} | {size:,} |")


if __name__ == "__main__":
    main()
