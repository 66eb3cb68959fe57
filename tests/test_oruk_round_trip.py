"""Round trip: the sample content, published and exported as an Open Referral UK feed, imported
into an empty content folder and published again, gives back the same services."""

from __future__ import annotations

import shutil

from app.config import PROJECT_ROOT
from app.content import load_content
from app.opendata.export_oruk import export_oruk
from app.opendata.importing.from_oruk import import_oruk
from app.publishing.publish import publish
from app.publishing.releases import ReleaseStore

SAMPLE = PROJECT_ROOT / "content"


def essentials(service, hubs: list[str]) -> dict:
    """What a family relies on: needs, ages, where, how to get it and how to get in touch."""
    return {
        "summary": service.summary,
        "needs": sorted(service.needs),
        "ages": (service.age_min, service.age_max, service.pregnancy),
        "levels": sorted(service.levels),
        "hubs": "all" if service.borough_wide else sorted(service.served_hubs()),
        "access": sorted(service.access),
        "delivery": sorted(service.delivery),
        "free": service.free,
        "languages": sorted(service.languages),
        "contact": (service.contact.phone, service.contact.email, service.contact.website,
                    service.contact.referral_form),
        "how_to_access": service.how_to_access,
        "venues": [(venue.name, venue.postcode, venue.hub, venue.schedule, venue.accessibility)
                   for venue in service.venues],
        "organisation": service.organisation,
        "last_reviewed": service.last_reviewed,
    }


def test_sample_content_survives_export_and_import(tmp_path):
    published = publish(SAMPLE, tmp_path / "index", processes=1)
    store = ReleaseStore(tmp_path / "index")
    export_oruk(store.get(published.release_id), tmp_path / "feed")

    target = tmp_path / "content"
    target.mkdir()
    shutil.copy(SAMPLE / "site.yml", target / "site.yml")
    for folder in ("taxonomy", "hubs"):
        shutil.copytree(SAMPLE / folder, target / folder)
    report = import_oruk(str(tmp_path / "feed"), target)
    assert not report.needs_review, [outcome.reasons for outcome in report.needs_review]

    republished = publish(target, tmp_path / "index-2", processes=1)
    assert republished.manifest["counts"]["services"] == published.manifest["counts"]["services"]

    original = load_content(SAMPLE)
    imported = load_content(target)
    assert not imported.errors, imported.errors[:5]
    hubs = list(original.hubs)
    before = {service.title: essentials(service, hubs) for service in original.published_services()}
    after = {service.title: essentials(service, hubs) for service in imported.published_services()}
    assert after.keys() == before.keys()
    organisation_names = {entry.id: entry.name for entry in original.organisations.values()}
    imported_names = {entry.id: entry.name for entry in imported.organisations.values()}
    for title, expected in before.items():
        got = after[title]
        assert imported_names[got.pop("organisation")] == organisation_names[expected.pop("organisation")]
        assert got == expected, title
