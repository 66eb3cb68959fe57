"""Open the corpus's published release the way the site does, for the domain tests."""

from __future__ import annotations

from pathlib import Path

from app.publishing.releases import ReleaseStore
from app.release.live import open_release


def open_corpus(index: Path):
    """(directory, services, organisations) of the live release in ``index``."""
    opened = open_release(ReleaseStore(index).current())
    return opened.directory, opened.all_services(), opened.organisations_by_id()
