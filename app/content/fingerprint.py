"""The translatable text of English entries, and its fingerprint.

A translation records the fingerprint of the English text it was translated
from. The fingerprint covers only what translators translate (titles,
summaries, bodies...), so changing a phone number or the review date never
makes a translation look out of date. Words families search with (service
keywords, need synonyms) are left out too: a translation has its own, written
for its language rather than translated.
"""

from __future__ import annotations

import hashlib
import json

from .model import AgeBand, Hub, Level, Need, Page, Service, Site

FINGERPRINT_LENGTH = 16


def _text(value: str) -> str:
    # Line endings and surrounding blank space are not part of the meaning.
    return (value or "").replace("\r\n", "\n").strip()


def service_source(service: Service) -> dict:
    return {"title": _text(service.title), "summary": _text(service.summary),
            "how_to_access": _text(service.how_to_access), "cost": _text(service.cost),
            "venues": [[_text(venue.schedule), _text(venue.accessibility)] for venue in service.venues],
            "body": _text(service.body)}


def hub_source(hub: Hub) -> dict:
    return {"name": _text(hub.name), "opening_hours": _text(hub.opening_hours), "body": _text(hub.body)}


def page_source(page: Page) -> dict:
    return {"title": _text(page.title), "summary": _text(page.summary), "body": _text(page.body)}


def need_source(need: Need) -> dict:
    return {"label": _text(need.label), "description": _text(need.description)}


def age_band_source(band: AgeBand) -> dict:
    return {"label": _text(band.label)}


def level_source(level: Level) -> dict:
    return {"label": _text(level.label), "description": _text(level.description)}


def site_source(site: Site) -> dict:
    return {"name": _text(site.name), "council": _text(site.council), "emergency": _text(site.emergency),
            "front_door_name": _text(site.front_door.name)}


SOURCES = {
    "services": service_source,
    "hubs": hub_source,
    "pages": page_source,
    "needs": need_source,
    "age_bands": age_band_source,
    "levels": level_source,
    "site": site_source,
}


def fingerprint(kind: str, entry) -> str:
    """16 hex digits of the SHA-256 of the entry's translatable text in a canonical form."""
    fields = {"kind": kind, **SOURCES[kind](entry)}
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]
