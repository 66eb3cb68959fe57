"""Review dates: which published services are due to be checked, and "confirmed still correct".

Every service carries ``last_reviewed``; with ``review_months`` (else the
site's default) it gives the date by which someone must check the entry
again. Stale entries are what kill directories, so the editor shows them by
due date, and a provider or editor who has checked an entry confirms it in
one step: the entry file gets today's date as ``last_reviewed`` (the rest of
the file re-rendered, the body unchanged) and is published with
:func:`publishing.write_and_publish`, so a failed publish changes nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..content import ContentSet
from ..content.entries import read_service
from ..content.fields import ID_PATTERN, EntryReader
from ..content.model import Service, add_months
from ..content.writing import render_entry, sha256_of
from ..content.yamlfile import EntryFileError, YamlFileError, parse_front_matter, read_entry_bytes
from . import audit, instance
from .content_cache import reference_content
from .entry_index import EntryIndex
from .publishing import Author, FileChanged, Published, PublishFailed, write_and_publish

SOON_DAYS = 30  # "due soon" on the dashboard: within the next 30 days

OVERDUE = "overdue"
SOON = "soon"
LATER = "later"
BUCKETS = (OVERDUE, SOON, LATER)

try:
    # The council's calendar: a check confirmed at 00:30 in June counts for that day, not the day before.
    LOCAL_TIME = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # pragma: no cover - a system without time zone data
    LOCAL_TIME = dt.UTC


def today() -> dt.date:
    """Today in the council's time zone (follows :func:`instance.utc_now`, which tests move).

    Never later than the server's own date, which publishing checks ``last_reviewed``
    against: just after midnight in a British summer, a later date would be "in the future".
    """
    return min(instance.utc_now().astimezone(LOCAL_TIME).date(), dt.date.today())


class ReviewError(Exception):
    """A confirmation refused before anything was written; ``code`` names why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ReviewItem:
    """One published service on the review dashboard."""

    id: str
    title: str
    organisation: str
    organisation_name: str
    last_reviewed: dt.date | None
    due: dt.date | None  # None when the entry has never been checked (it counts as overdue)
    bucket: str
    fingerprint: str = ""  # the start of the file's sha256, for the confirm form (from the index)

    def days_until_due(self, on: dt.date) -> int | None:
        """Days from ``on`` to the due date: negative when overdue."""
        return None if self.due is None else (self.due - on).days


def bucket_for(due: dt.date | None, on: dt.date, soon_days: int = SOON_DAYS) -> str:
    """``overdue`` (due before ``on``, or never checked), ``soon`` (within ``soon_days``) or ``later``."""
    if due is None or due < on:
        return OVERDUE
    if due <= on + dt.timedelta(days=soon_days):
        return SOON
    return LATER


def review_items(content: ContentSet, on: dt.date, *, organisation: str | None = None,
                 soon_days: int = SOON_DAYS) -> list[ReviewItem]:
    """The published services (of ``organisation`` when given), soonest due first."""
    items = []
    for service in content.published_services():
        if organisation is not None and service.organisation != organisation:
            continue
        due = service.review_due(content.site.review_months)
        owner = content.organisations.get(service.organisation)
        items.append(ReviewItem(service.id, service.title, service.organisation,
                                owner.name if owner else service.organisation, service.last_reviewed, due,
                                bucket_for(due, on, soon_days)))
    return sorted(items, key=lambda item: (item.due or dt.date.min, item.title.casefold(), item.id))


def indexed_items(index: EntryIndex, on: dt.date, bucket: str, *, organisation: str | None = None,
                  offset: int = 0, limit: int = 50, soon_days: int = SOON_DAYS) -> list[ReviewItem]:
    """A page of :func:`review_items` in one bucket, read from the index of the entry files rather than the
    files (the dashboard at 10,000 services)."""
    found = index.review_page(on, soon_days, bucket, organisation, offset=offset, limit=limit)
    names = index.titles("organisation", {entry.organisation for entry in found})
    return [ReviewItem(entry.id, entry.title, entry.organisation,
                       names.get(entry.organisation, entry.organisation), entry.last_reviewed, entry.due,
                       bucket, entry.fingerprint) for entry in found]


def one_service(content_dir: Path, service_id: str, on: dt.date) -> ContentSet:
    """The folder's content without its services but ``service_id`` (when it is a readable service file):
    what confirming one service needs, without reading every service."""
    services = {}
    if ID_PATTERN.match(service_id or ""):
        relative = f"services/{service_id}.md"
        with contextlib.suppress(EntryFileError, UnicodeDecodeError, YamlFileError):
            document = parse_front_matter(read_entry_bytes(Path(content_dir) / relative).decode("utf-8"))
            if isinstance(document.data, dict):
                reader = EntryReader(relative, document, document.data, problems=[])
                services[service_id] = read_service(reader, service_id, on)
    # A copy: the reference content is shared between requests.
    return dataclasses.replace(reference_content(content_dir, on), services=services)


def due_items(content: ContentSet, on: dt.date, days: int) -> list[ReviewItem]:
    """The published services overdue or due within ``days`` of ``on``, soonest first."""
    return [item for item in review_items(content, on, soon_days=days) if item.bucket != LATER]


def next_due(service: Service, reviewed: dt.date, default_months: int) -> dt.date:
    """When a service checked on ``reviewed`` is due again."""
    return add_months(reviewed, service.review_months or default_months)


def confirmed_entry(text: str, on: dt.date) -> str:
    """The entry file ``text`` with ``last_reviewed: on``: front matter re-rendered, body unchanged."""
    document = parse_front_matter(text)
    if not isinstance(document.data, dict):
        raise YamlFileError(1, "the front matter is not a mapping")
    fields = dict(document.data)
    fields["last_reviewed"] = on
    return render_entry(fields, document.body)


@dataclass(frozen=True)
class Confirmation:
    service_id: str
    reviewed: dt.date
    due: dt.date
    published: Published


def confirm_still_correct(db: sqlite3.Connection, content: ContentSet, index_dir: Path, service_id: str, *,
                          author: Author, ip: str | None = None, on: dt.date | None = None,
                          seen: str | None = None) -> Confirmation:
    """Record that ``service_id`` was checked and is still correct: write today's date, publish, audit.

    ``content`` is the content folder as loaded (its ``root`` is where the file
    is written); ``seen`` is the start of the sha256 of the file the editor
    confirmed (the dashboard's :attr:`ReviewItem.fingerprint`), when known. Raises :class:`ReviewError`
    (``not_found``) for an entry that is not a published service, ``changed``
    when the file is no longer the one read or seen (someone else's change was
    published meanwhile: it is never overwritten), and :class:`PublishFailed`
    when publishing fails; then the entry file, the live site and the audit log
    are as they were.
    """
    on = on or today()
    service = content.services.get(service_id)
    if service is None or service.status != "published":
        raise ReviewError("not_found", f"no published service '{service_id}'")
    relative = f"services/{service_id}.md"
    path = Path(content.root) / relative
    try:
        data = path.read_bytes()
        text = confirmed_entry(data.decode("utf-8"), on)
    except (OSError, UnicodeDecodeError, YamlFileError, ValueError) as error:
        raise PublishFailed([f"{relative}: {error}"]) from None
    read_sha256 = sha256_of(data)
    if seen is not None and not (seen and read_sha256.startswith(seen)):
        raise ReviewError("changed", f"{relative} has changed since the page was shown")
    try:
        # The file must still be the one just read when the lock is held: a change published in between
        # would otherwise be overwritten with the old text and a new date.
        published = write_and_publish(Path(content.root), Path(index_dir), {relative: text}, author=author,
                                      message=f"Confirm {service_id} is still correct ({on.isoformat()})",
                                      expected_sha256={relative: read_sha256})
    except FileChanged:
        raise ReviewError("changed", f"{relative} changed while it was being confirmed") from None
    due = next_due(service, on, content.site.review_months)
    with instance.transaction(db):
        audit.record(db, author.email, "review.confirmed", service_id,
                     {"previous": service.last_reviewed.isoformat() if service.last_reviewed else None,
                      "last_reviewed": on.isoformat(), "due": due.isoformat(),
                      "release": published.release_id}, ip)
    return Confirmation(service_id, on, due, published)
