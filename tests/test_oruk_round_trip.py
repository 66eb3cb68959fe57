"""Round trip: a content folder, published and exported as an Open Referral UK feed, imported
into an empty content folder, gives back every field of every entry it held.

Every field of the content model is compared (read from the dataclasses, so a field added later
is compared too); the few that cannot come back are listed below with the reason. A new field
that the feed drops makes these tests fail until it is carried, or listed here.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import uuid
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.content import load_content
from app.content.model import Hub, Organisation, Service, Venue
from app.opendata.export_oruk import export_oruk
from app.opendata.importing.from_oruk import import_oruk
from app.opening_hours import parse_hours
from app.publishing.publish import publish
from app.publishing.releases import ReleaseStore

from .factories import service, write_content, write_service

SAMPLE = PROJECT_ROOT / "content"

# Fields that cannot come back from the feed, and why.
NOT_ROUND_TRIPPED = {
    (Service, "source"): "the path of the file the entry was read from, not data",
    (Organisation, "source"): "the path of the file the entry was read from, not data",
    (Venue, "hours"): "compared as opening periods: 'Sat-Mon' comes back as 'Mon, Sat-Sun' (see below)",
    (Service, "hubs"): "compared as the hubs served: the feed lists every hub a family can use the service "
                       "in (venue hubs too), so a venue's hub comes back in `hubs` as well (see below)",
}
# Besides fields: what the feed does not carry at all.
NOT_IN_THE_FEED = {
    "hubs/": "hubs are ORUK taxonomy terms (id and name only; ORUK 3.0 has no area entity with an "
             "address, covers and wards): an import checks entries against the target folder's own hubs",
    "taxonomy/": "needs, age bands and levels are matched against the target folder's own taxonomy",
    "site.yml, pages/": "the directory's settings and pages are not services (no ORUK place)",
    "<id>.<lang>.md": "ORUK 3.0 is one language: the feed is English, translations stay in the folder",
    "draft and archived services": "the feed publishes published services only",
}


def comparable(entry, kind) -> dict:
    """Every field of ``entry`` (a dataclass) as the round trip should keep it."""
    values = {}
    for field in dataclasses.fields(kind):
        value = getattr(entry, field.name)
        if (kind, field.name) in NOT_ROUND_TRIPPED:
            if kind is Venue and field.name == "hours":
                value = parse_hours(value)
            elif kind is Service and field.name == "hubs":
                value = "all" if entry.borough_wide else sorted(entry.served_hubs())
            else:
                continue
        elif kind is Service and field.name == "venues":
            value = [comparable(venue, Venue) for venue in value]
        elif dataclasses.is_dataclass(value):
            value = dataclasses.asdict(value)
        values[field.name] = value
    return values


def round_trip(source: Path, tmp_path: Path):
    """Publish ``source``, export the feed, import it into a folder holding only the settings,
    taxonomy and hubs; return (original, imported, report)."""
    published = publish(source, tmp_path / "index", processes=1)
    export_oruk(ReleaseStore(tmp_path / "index").get(published.release_id), tmp_path / "feed")
    target = tmp_path / "imported"
    target.mkdir()
    shutil.copy(source / "site.yml", target / "site.yml")
    for folder in ("taxonomy", "hubs"):
        shutil.copytree(source / folder, target / folder)
    report = import_oruk(str(tmp_path / "feed"), target)
    return load_content(source), load_content(target), report


def assert_same_entries(original, imported) -> None:
    assert not imported.errors, imported.errors[:5]
    published = {entry.id: entry for entry in original.published_services()}
    assert set(imported.services) == set(published)  # our ids came back, none was made up
    for service_id, entry in published.items():
        assert comparable(imported.services[service_id], Service) == comparable(entry, Service), service_id
    assert set(imported.organisations) == set(original.organisations)
    for organisation_id, entry in original.organisations.items():
        assert comparable(imported.organisations[organisation_id], Organisation) == \
            comparable(entry, Organisation), organisation_id
    # The hubs the import checked against are the target's own copy (NOT_IN_THE_FEED).
    assert {hub.id: comparable(hub, Hub) | {"source": ""} for hub in imported.hubs.values()} == \
        {hub.id: comparable(hub, Hub) | {"source": ""} for hub in original.hubs.values()}


def every_field_folder(root: Path) -> Path:
    """A folder whose services and organisations set every field, including the awkward values."""
    full = service(
        "incredible-years-group", title="The Incredible Years: group for parents of 3 to 6 year olds",
        summary="A 14-week group for parents who want calmer days and fewer tantrums.",
        organisation="family-action", needs=["parenting", "speech-language"],
        ages={"min": 3, "max": 6, "pregnancy": True}, levels=[3, 2], hubs=["west"],
        access=["professional-referral", "self-referral"], how_to_access="Ask your health visitor.",
        free=False, cost="£2 a session, free for families on benefits", delivery=["in-person", "online"],
        languages=["pl", "en"], interpreters=True,
        contact={"phone": "020 7946 0210", "email": "groups@example.org",
                 "website": "https://example.org/groups", "referral_form": "https://example.org/refer"},
        venues=[{"name": "Brook Children's Centre", "address": "3 Brook Street, Testshire",
                 "postcode": "N22 6BB", "hub": "east",
                 "hours": ["Mon-Fri 09:00-17:00", "Sat-Mon 20:00-24:00"],
                 "schedule": "Tuesdays in term time", "accessibility": "Step-free access"},
                {"name": "Library", "address": "1 Hill Road", "postcode": "N17 6AA"}],
        evidence={"rating": "4+", "source": "Foundations Guidebook", "url": "https://example.org/evidence"},
        keywords=["tantrums", "naughty", "behaviour course"], review_months=6,
        last_reviewed="2026-08-31")
    everywhere = service("helpline", organisation="test-org", hubs="all", ages={"min": 0, "max": 99},
                         delivery=["phone"], contact={"email": "help@example.org"},
                         evidence={"rating": "NL2"})
    draft = service("draft-service", status="draft")  # not in the feed, so not compared
    root = write_content(root, [full, everywhere, draft],
                         bodies={"incredible-years-group": "Parents meet weekly.\n\n- play\n- praise\n\n"
                                                           "## After the group\n\nA reunion."})
    (root / "organisations" / "family-action.md").write_text(
        "---\nid: family-action\nname: Family Action\nwebsite: https://example.org/fa\n"
        "phone: 020 7946 0300\nemail: info@example.org\n---\n", encoding="utf-8")
    return root


def test_every_field_survives_export_and_import(tmp_path):
    original, imported, report = round_trip(every_field_folder(tmp_path / "content"), tmp_path)
    assert not report.needs_review and not report.skipped and not report.notes, report.text()
    assert not report.missing and not report.unmapped and not report.ignored_fields, report.text()
    assert_same_entries(original, imported)
    # Nothing is left to the defaults: the fixture really sets every optional field.
    full = original.services["incredible-years-group"]
    for field in dataclasses.fields(Service):
        # (borough_wide is False here: the helpline sets it)
        assert getattr(full, field.name) not in (None, "", []), field.name
    for field in dataclasses.fields(Venue):
        assert getattr(full.venues[0], field.name), field.name
    for field in dataclasses.fields(Organisation):
        assert getattr(original.organisations["family-action"], field.name) or field.name == "body"


def test_sample_content_survives_export_and_import(tmp_path):
    original, imported, report = round_trip(SAMPLE, tmp_path)
    assert not report.needs_review, [outcome.reasons for outcome in report.needs_review]
    assert not report.missing and not report.unmapped and not report.ignored_fields and not report.notes, \
        report.text()
    assert_same_entries(original, imported)


def test_an_import_run_again_rewrites_nothing(tmp_path):
    folder = every_field_folder(tmp_path / "content")
    round_trip(folder, tmp_path)
    again = import_oruk(str(tmp_path / "feed"), tmp_path / "imported")
    assert {outcome.action for outcome in again.outcomes} == {"unchanged"}


def _feed_services(feed: Path) -> list[dict]:
    return [json.loads(line) for line in (feed / "services.ndjson").read_text(encoding="utf-8").splitlines()]


def _write_feed_services(feed: Path, services: list[dict]) -> None:
    lines = "".join(json.dumps(item) + "\n" for item in services)
    (feed / "services.ndjson").write_text(lines, encoding="utf-8")
    (feed / "services.json").unlink()


@pytest.mark.parametrize("taken_by", ["another entry", "the same feed", "not an id"])
def test_a_carried_id_that_cannot_be_kept_gets_a_new_one_with_a_message(tmp_path, taken_by):
    """Our entry-id attribute gives the id back, unless another entry has it or it is not an id."""
    folder = every_field_folder(tmp_path / "content")
    round_trip(folder, tmp_path)
    feed = tmp_path / "feed"
    services = _feed_services(feed)
    helpline = next(item for item in services if item["name"] == "Helpline")
    target = write_content(tmp_path / "target", [])
    if taken_by == "another entry":
        # A service of another directory (another UUID) carrying the id of one of ours.
        write_service(target, service("helpline", title="Our own helpline"))
        helpline["id"] = str(uuid.uuid4())
    elif taken_by == "the same feed":
        copy = json.loads(json.dumps(helpline))
        copy["id"], copy["name"] = str(uuid.uuid4()), "A copy"
        services.append(copy)
    else:
        carried = next(item for item in helpline["attributes"] if item["taxonomy_term"]["term"] == "entry-id")
        carried["value"] = "Not An Id!"
        helpline["id"] = str(uuid.uuid4())
    _write_feed_services(feed, services)
    report = import_oruk(str(feed), target)
    notes = " ".join(report.notes)
    content = load_content(target)
    if taken_by == "another entry":
        assert f"service 'Helpline': its id 'helpline' is already the id of another service in {target}; " \
               "imported as 'helpline-2'" in notes
        assert content.services["helpline"].title == "Our own helpline"
        assert content.services["helpline-2"].title == "Helpline"
    elif taken_by == "the same feed":
        assert "service 'A copy': its id 'helpline' is the id of another service in the same import; " \
               "imported as 'a-copy'" in notes
        assert content.services["a-copy"].title == "A copy"
    else:
        assert "service 'Helpline': its id 'Not An Id!' is not an id (a-z, 0-9 and single hyphens); " \
               "imported as 'helpline'" in notes
