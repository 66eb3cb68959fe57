"""Review dates for the entries that carry none in their files: organisations, hubs, pages, the taxonomy
and translations.

A service has ``last_reviewed`` in its front matter (:mod:`.reviews`). The
other kinds have no such field, and adding one to every file format would make
each check a publish. Their checks are kept in the instance database instead:
an entry was last checked on the later of the day a change to it was published
through the editor (``history``) and the day someone confirmed it still correct
(``entry_reviews``). It is due again the site's ``review_months`` later; an
entry never checked counts as overdue, as a service without ``last_reviewed``
does. Confirming writes nothing to ``content/`` and publishes nothing.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from ..content import ContentSet
from ..content.model import add_months
from . import audit, instance, kinds, translation_state
from .reviews import SOON_DAYS, ReviewItem, bucket_for

REVIEWED_KINDS = ("organisation", "hub", "page", "taxonomy", "service_translation", "hub_translation",
                  "page_translation", "taxonomy_translation")


class EntryReviewError(Exception):
    """A confirmation refused: no such entry."""


def entry_titles(content: ContentSet, kind: str) -> dict[str, str]:
    """Entry id -> title of every entry of ``kind`` there is now."""
    if kind == "organisation":
        return {entry_id: entry.name for entry_id, entry in content.organisations.items()}
    if kind == "hub":
        return {entry_id: entry.name for entry_id, entry in content.hubs.items()}
    if kind == "page":
        return {entry_id: entry.title for entry_id, entry in content.pages.items()}
    if kind == "taxonomy":
        return {name: kinds.entry_title(kind, name, {}) for name in kinds.TAXONOMIES}
    if kind in REVIEWED_KINDS:
        states = translation_state.existing_translations(content, kind)
        return {state.entry_id: state.title for state in states}
    raise ValueError(f"no review dates kept here for {kind!r}")


def last_checked(db: sqlite3.Connection, kind: str) -> dict[str, dt.date]:
    """Entry id -> the day it was last checked (published through the editor, or confirmed)."""
    found: dict[str, dt.date] = {}
    rows = db.execute(
        "SELECT entry_id, MAX(substr(published_at, 1, 10)) AS day FROM history "
        "WHERE kind = ? AND change_id IS NOT NULL GROUP BY entry_id "
        "UNION ALL SELECT entry_id, MAX(reviewed_on) AS day FROM entry_reviews WHERE kind = ? "
        "GROUP BY entry_id",
        [kind, kind])
    for row in rows:
        day = dt.date.fromisoformat(row["day"])
        if row["entry_id"] not in found or found[row["entry_id"]] < day:
            found[row["entry_id"]] = day
    return found


def review_items(db: sqlite3.Connection, content: ContentSet, kind: str, on: dt.date, *,
                 soon_days: int = SOON_DAYS) -> list[ReviewItem]:
    """The entries of ``kind``, soonest due first, in the buckets of the services' dashboard."""
    checked = last_checked(db, kind)
    months = content.site.review_months
    items = []
    for entry_id, title in entry_titles(content, kind).items():
        last = checked.get(entry_id)
        due = add_months(last, months) if last else None
        organisation = entry_id if kind == "organisation" else ""
        items.append(ReviewItem(entry_id, title or entry_id, organisation, title if organisation else "",
                                last, due, bucket_for(due, on, soon_days)))
    return sorted(items, key=lambda item: (item.due or dt.date.min, item.title.casefold(), item.id))


def confirm(db: sqlite3.Connection, content: ContentSet, kind: str, entry_id: str, *, reviewer: str,
            on: dt.date, ip: str | None = None) -> dt.date:
    """Record that the entry was checked on ``on`` and is still correct; the date it is due again."""
    if entry_id not in entry_titles(content, kind):
        raise EntryReviewError(f"no {kind} '{entry_id}'")
    due = add_months(on, content.site.review_months)
    with instance.transaction(db):
        db.execute("INSERT INTO entry_reviews (kind, entry_id, reviewed_on, reviewer, recorded_at) "
                   "VALUES (?, ?, ?, ?, ?)",
                   [kind, entry_id, on.isoformat(), reviewer, instance.iso(instance.utc_now())])
        audit.record(db, reviewer, "review.confirmed", entry_id,
                     {"kind": kind, "last_reviewed": on.isoformat(), "due": due.isoformat()}, ip)
    return due
