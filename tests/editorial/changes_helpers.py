"""Shared pieces for the change workflow's tests: a content folder with two organisations, published once,
and the service form's fields as a browser posts them."""

from __future__ import annotations

from pathlib import Path

from app.publishing.publish import publish
from app.publishing.releases import ReleaseStore
from app.release.reader import open_database

from ..factories import _front_matter_file, service, write_content

OWN = "parenting-group"  # a service of test-org, the provider's organisation
OTHER = "other-service"  # a service of other-org


def write_two_organisations(root: Path) -> Path:
    write_content(root, [service(OWN, title="Parenting group"),
                         service(OTHER, title="Other service", organisation="other-org")])
    _front_matter_file(root / "organisations" / "other-org.md",
                       {"id": "other-org", "name": "Other Organisation", "website": "https://example.com"},
                       "Another organisation.")
    return root


def publish_folder(content: Path, index: Path):
    return publish(content, index, processes=1)


def live_release(index: Path) -> str | None:
    return ReleaseStore(index).current_id()


def live_title(index: Path, service_id: str) -> str | None:
    store = ReleaseStore(index)
    release = store.get(store.current_id())
    row = open_database(release.path / "directory.db").execute(
        "SELECT title FROM services WHERE id = ?", [service_id]).fetchone()
    return row[0] if row else None


def form_data(**overrides) -> dict:
    """A complete, valid service form as posted (checkbox groups as lists)."""
    data = {
        "title": "Parenting group", "summary": "A group for parents.", "organisation": "test-org",
        "needs": ["parenting"], "ages-min": "0", "ages-max": "5", "levels": ["2"], "hubs": ["west"],
        "access": ["self-referral"], "how-to-access": "", "free": "yes", "cost": "",
        "delivery": ["in-person"],
        "languages": "", "contact-phone": "020 7946 0210", "contact-email": "", "contact-website": "",
        "contact-referral-form": "", "evidence-rating": "", "evidence-source": "", "evidence-url": "",
        "keywords": "", "status": "published", "last-reviewed": "2026-09-01", "review-months": "",
        "body": "What happens.",
    }
    for row in range(3):
        for key in ("name", "address", "postcode", "hub", "schedule", "accessibility"):
            data[f"venue-{row}-{key}"] = ""
    data.update(overrides)
    return data
