"""``earlyhelp export oruk DIR``: the Open Referral UK feed of a release as static JSON files.

For hosting the open data on any static file server, or handing it over:

    DIR/index.json                  what GET /api/oruk/ answers
    DIR/openapi.json
    DIR/services.json               every service, fully nested, in one list envelope
    DIR/services.ndjson             the same, one service per line
    DIR/services/<uuid>.json        each service
    DIR/organizations.json, DIR/taxonomies.json, DIR/taxonomy_terms.json,
    DIR/service_at_locations.json   the other lists, each in one envelope
"""

from __future__ import annotations

import json
from pathlib import Path

from ..publishing.releases import Release
from ..release.reader import ReleaseReader
from . import oruk
from .openapi import openapi_document


def _write(path: Path, document) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _envelope(items: list[dict]) -> dict:
    return oruk.paginate(items, 1, max(1, len(items))).envelope()


def export_oruk(release: Release, folder: Path, base_url: str | None = None) -> int:
    """Write the feed of ``release`` into ``folder``; returns the number of services written.

    ``base_url`` is where the folder will be served from; ORUK wants an
    absolute ``openapi_url``, so without it the folder's own file: URL is used.
    """
    base = (base_url or folder.resolve().as_uri()).rstrip("/")
    reader = ReleaseReader(release)
    try:
        feed = oruk.Feed(reader)
        services = list(feed.all_services(oruk.ServiceFilter()))
        _write(folder / "index.json", {"version": oruk.VERSION, "profile": oruk.PROFILE_URL,
                                       "openapi_url": f"{base}/openapi.json"})
        _write(folder / "openapi.json", openapi_document(base))
        _write(folder / "services.json", _envelope(services))
        with (folder / "services.ndjson").open("w", encoding="utf-8") as lines:
            for record in services:
                lines.write(json.dumps(record, ensure_ascii=False) + "\n")
        for stale in (folder / "services").glob("*.json"):  # services no longer published
            stale.unlink()
        for record in services:
            _write(folder / "services" / f"{record['id']}.json", record)
        _write(folder / "organizations.json", _envelope(feed.organisations()))
        _write(folder / "taxonomies.json", _envelope(feed.taxonomies()))
        _write(folder / "taxonomy_terms.json", _envelope(feed.taxonomy_terms()))
        _write(folder / "service_at_locations.json",
               _envelope([item for record in services for item in record.get("service_at_locations", [])]))
    finally:
        reader.close()
    return len(services)
