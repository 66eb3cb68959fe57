"""Open the corpus's published release the way the site does, for the domain tests."""

from __future__ import annotations

from pathlib import Path

from app import directory as reading
from app.live import open_release
from app.publishing.releases import ReleaseStore


def open_corpus(index: Path):
    """(directory, services, organisations) of the live release in ``index``."""
    opened = open_release(ReleaseStore(index).current())
    db = opened.db()
    return opened.directory, reading.all_services(db), reading.organisations(db)
