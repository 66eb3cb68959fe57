"""Changes to entries on their way from an editor's form to the live site, and every published version.

A change is one proposed version of one entry: a service, an organisation, a hub
or a content page (what differs between them is in :mod:`.kinds`). Its life::

    draft --submit--> in_review --approve--> published
      ^                 |   ^
      |              return |
      +--- returned <---+   +--- (publish failed: stays in_review, with the error)
    draft, returned or in_review --withdraw--> withdrawn

- Anyone who may change the entry starts a change: from the live file (edit,
  archive), from nothing (a new entry) or from an earlier version (restore,
  which goes straight into review: restoring is itself reviewed).
- A provider may propose changes only to the services of their own
  organisation, and edits to that organisation's own entry; an editor,
  publisher or admin to any entry (hubs and pages are theirs alone). The author submits;
  an editor, publisher or admin may also submit someone else's draft.
- A publisher or admin approves or returns (with a comment) a change in
  review, never one they wrote themselves; except that, when the
  installation allows it (the ``allow_self_approval`` instance setting, off
  by default, for councils with a single editor), an admin may approve their
  own change, recorded in the audit log as ``change.self_approved``.
- Approving renders the entry with :func:`render_entry`, checks it with the
  rules of ``earlyhelp check`` (:func:`kinds.entry_problems`), refuses when the
  live file is no longer the one the change started from (a conflict: someone
  else's change was published since; nothing is overwritten silently), then
  writes and publishes with :func:`write_and_publish`. When publishing fails
  the change stays in review with the problems recorded; nothing is lost.
- Archiving a service sets ``status: archived``; archiving another kind removes
  its file (refused while services still name it), recorded in history as a
  version without text, so it can be restored like any other.
- Approving a translation (not a restored one) sets its ``source_fingerprint``
  to the English source as it is now, so it is no longer stale.
- Every published version goes into ``history`` (append-only), with who wrote
  and who approved it; a version found in ``content/`` that the editor did not
  write (an import, a hand edit) is recorded before it is replaced.

Every transition is written to the audit log in the same transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..content.problems import Problem
from ..content.stamping import StampError, stamped_text
from ..content.writing import render_entry, render_terms, sha256_of
from ..content.yamlfile import EntryFileError, YamlFileError, read_entry_bytes
from . import audit, file_check, instance, instance_settings, kinds
from .accounts import User
from .content_cache import full_content, reference_content
from .diffs import Diff, diff, jsonable, parse_text, text_diff
from .instance import transaction
from .publishing import Author, FileChanged, PublishFailed, write_and_publish

DRAFT, IN_REVIEW, RETURNED, PUBLISHED, WITHDRAWN = "draft", "in_review", "returned", "published", "withdrawn"
STATUSES = (DRAFT, IN_REVIEW, RETURNED, PUBLISHED, WITHDRAWN)
OPEN = (DRAFT, IN_REVIEW, RETURNED)
EDITABLE = (DRAFT, RETURNED)
CREATE, EDIT, ARCHIVE, RESTORE = "create", "edit", "archive", "restore"
FOLDERS = {name: kind.folder for name, kind in kinds.KINDS.items()}
PROPOSERS = ("editor", "publisher", "admin")  # plus providers, for their own organisation
REVIEWERS = ("publisher", "admin")
MAX_COMMENT = 5000
SELF_APPROVAL = "allow_self_approval"  # the instance setting (app/editorial/instance_settings.py)


class ChangeError(Exception):
    """A transition refused; ``code`` names why (for the words shown), ``problems`` list check errors."""

    def __init__(self, code: str, message: str, problems: list[Problem] | None = None, **details):
        super().__init__(message)
        self.code = code
        self.message = message
        self.problems = problems or []
        self.details = details


@dataclass(frozen=True)
class LiveEntry:
    """An entry file as it is in ``content/`` now."""

    text: str
    sha256: str
    fields: dict
    body: str


@dataclass
class Change:
    id: int
    kind: str
    entry_id: str
    action: str
    organisation: str | None
    base_sha256: str | None
    base_text: str | None
    fields: dict
    body: str
    status: str
    author_id: int
    author_email: str
    author_name: str
    author_role: str
    created_at: str
    updated_at: str
    submitted_at: str | None
    reviewer_id: int | None
    reviewer_email: str | None
    reviewed_at: str | None
    comment: str
    publish_error: list[str]
    release_id: str | None
    git_commit: str | None
    restored_from: int | None

    @property
    def path(self) -> str:
        return entry_path(self.kind, self.entry_id)

    @property
    def title(self) -> str:
        return kinds.entry_title(self.kind, self.entry_id, self.fields)

    @property
    def removes_file(self) -> bool:
        """True when approving deletes the entry's file (archiving a kind without a status)."""
        return self.action == ARCHIVE and not kinds.kind_of(self.kind).archived_by_status

    @property
    def author_display(self) -> str:
        return self.author_name or self.author_email


@dataclass(frozen=True)
class Version:
    """One published version of an entry, from ``history``."""

    id: int
    kind: str
    entry_id: str
    text: str | None
    sha256: str | None
    author: str
    approver: str
    published_at: str
    release_id: str | None
    git_commit: str | None
    change_id: int | None

    @property
    def outside_editor(self) -> bool:
        """True for a version found in ``content/`` that did not come through the editor."""
        return self.change_id is None


# -- files ------------------------------------------------------------------------------------------

def entry_path(kind: str, entry_id: str) -> str:
    """The entry's file, relative to ``content/``: ``services/<id>.md``."""
    if kind not in FOLDERS:
        raise ValueError(f"unknown kind {kind!r}")
    spec = kinds.kind_of(kind)
    if not spec.valid_id(entry_id):
        raise ValueError(f"not an entry id: {entry_id!r}")
    return spec.path(entry_id)


def read_live(content_dir: Path, kind: str, entry_id: str) -> LiveEntry | None:
    """The entry's file as it is now, or None when there is none (or it cannot be read)."""
    path = Path(content_dir) / entry_path(kind, entry_id)
    try:
        data = read_entry_bytes(path)
    except EntryFileError:  # missing, or not a file an editor could have written
        return None
    text = data.decode("utf-8", errors="replace")
    try:
        fields, body = parse_text(kind, text)
    except YamlFileError:
        fields, body = {}, text
    return LiveEntry(text, sha256_of(data), fields, body)


def front_matter(fields: dict) -> dict:
    """Fields ready for :func:`render_entry`: a date typed as ISO text becomes a date again."""
    ready = dict(fields)
    reviewed = ready.get("last_reviewed")
    if isinstance(reviewed, str):
        with contextlib.suppress(ValueError):
            ready["last_reviewed"] = dt.date.fromisoformat(reviewed)
    return ready


def render(fields: dict, body: str, kind: str = "service") -> str:
    """The entry file for ``fields`` and ``body`` (ValueError when YAML would read it differently)."""
    spec = kinds.kind_of(kind)
    if spec.terms:
        return render_terms([{"id": _term_id(term_id), **(term if isinstance(term, dict) else {})}
                             for term_id, term in fields.items()], spec.order)
    return render_entry(front_matter(fields), body, order=spec.order)


def _term_id(term_id: str):
    # Levels are numbered: "2" is written as the number 2, as the English file has it.
    return int(term_id) if term_id.isdigit() else term_id


def proposed_text(change: Change) -> str | None:
    """The file the change would publish; None when it removes the file."""
    return None if change.removes_file else render(change.fields, change.body, change.kind)


def today() -> dt.date:
    """The date entries are checked against (never later than the server's, which publishing uses)."""
    return min(instance.utc_now().date(), dt.date.today())


def check(content_dir: Path, kind: str, entry_id: str, fields: dict, body: str,
          on: dt.date | None = None, *, remove: bool = False) -> list[Problem]:
    """The errors ``earlyhelp check`` would report for this version of the entry (with ``remove``:
    for removing its file instead)."""
    on = on or today()
    if remove:
        return kinds.removal_problems(kind, entry_id, full_content(content_dir, on))
    source = entry_path(kind, entry_id)
    try:
        text = render(fields, body, kind)
    except (ValueError, TypeError, AttributeError) as error:
        return [Problem(source, 1, "(file)", f"cannot be written as YAML: {error}")]
    spec = kinds.kind_of(kind)
    if spec.terms or spec.translates:
        # Only a taxonomy needs the whole folder as it is (the services using its terms).
        live = full_content(content_dir, on) if kind == "taxonomy" else None
        return file_check.file_problems(content_dir, live, kind, entry_id, text, on)
    return kinds.entry_problems(kind, text, entry_id, reference_content(content_dir, on), on)


def check_change(content_dir: Path, change: Change, on: dt.date | None = None) -> list[Problem]:
    """:func:`check` for what ``change`` proposes."""
    return check(content_dir, change.kind, change.entry_id, change.fields, change.body, on,
                 remove=change.removes_file)


# -- permissions --------------------------------------------------------------------------------------

def may_propose(user: User, organisation: str | None, kind: str = "service", action: str = EDIT) -> bool:
    """Whether ``user`` may propose ``action`` to an entry of ``kind`` that belongs to ``organisation``."""
    if user.role == "provider":
        return (action in kinds.kind_of(kind).provider_actions and bool(user.organisation)
                and organisation == user.organisation)
    return user.role in PROPOSERS


def may_see(user: User, change: Change) -> bool:
    """Providers see their own changes and those to their organisation's services; others see all."""
    if user.role != "provider":
        return True
    own_organisation = bool(user.organisation) and change.organisation == user.organisation
    return change.author_id == user.id or own_organisation


def may_edit(user: User, change: Change) -> bool:
    """Only the author edits a change, while it is a draft or returned."""
    return change.author_id == user.id and change.status in EDITABLE


def may_submit(user: User, change: Change) -> bool:
    """The author, or an editor, publisher or admin, submits a draft or returned change."""
    if change.status not in EDITABLE:
        return False
    return change.author_id == user.id or user.role in PROPOSERS


def may_review(user: User, change: Change) -> bool:
    """A publisher or admin reviews a change in review that someone else wrote."""
    return user.role in REVIEWERS and change.author_id != user.id and change.status == IN_REVIEW


def self_approval_allowed(db: sqlite3.Connection) -> bool:
    """Whether this installation lets an admin approve their own change (off by default)."""
    return bool(instance_settings.get(db, SELF_APPROVAL))


def may_self_approve(db: sqlite3.Connection, user: User, change: Change) -> bool:
    """An admin approves their own change in review, when the installation allows it; nobody else."""
    return (user.role == "admin" and change.author_id == user.id and change.status == IN_REVIEW
            and self_approval_allowed(db))


# -- reading ------------------------------------------------------------------------------------------

_SELECT = """SELECT changes.*, author.email AS author_email, author.name AS author_name,
                    author.role AS author_role, reviewer.email AS reviewer_email
             FROM changes JOIN users AS author ON author.id = changes.author_id
             LEFT JOIN users AS reviewer ON reviewer.id = changes.reviewer_id"""


def _change(row: sqlite3.Row) -> Change:
    return Change(
        id=row["id"], kind=row["kind"], entry_id=row["entry_id"], action=row["action"],
        organisation=row["organisation"], base_sha256=row["base_sha256"], base_text=row["base_text"],
        fields=json.loads(row["fields"]), body=row["body"], status=row["status"], author_id=row["author_id"],
        author_email=row["author_email"], author_name=row["author_name"], author_role=row["author_role"],
        created_at=row["created_at"], updated_at=row["updated_at"], submitted_at=row["submitted_at"],
        reviewer_id=row["reviewer_id"], reviewer_email=row["reviewer_email"], reviewed_at=row["reviewed_at"],
        comment=row["comment"],
        publish_error=json.loads(row["publish_error"]) if row["publish_error"] else [],
        release_id=row["release_id"], git_commit=row["git_commit"], restored_from=row["restored_from"])


def get_change(db: sqlite3.Connection, change_id: int) -> Change | None:
    row = db.execute(f"{_SELECT} WHERE changes.id = ?", [change_id]).fetchone()
    return _change(row) if row else None


def list_changes(db: sqlite3.Connection, *, statuses: tuple[str, ...] = OPEN, author_id: int | None = None,
                 kind: str | None = None, entry_id: str | None = None, limit: int = 500) -> list[Change]:
    """Changes with one of ``statuses``, most recently updated first."""
    clauses = [f"changes.status IN ({', '.join('?' for _ in statuses)})"]
    parameters: list = list(statuses)
    for column, value in (("changes.author_id", author_id), ("changes.kind", kind),
                          ("changes.entry_id", entry_id)):
        if value is not None:
            clauses.append(f"{column} = ?")
            parameters.append(value)
    sql = f"{_SELECT} WHERE {' AND '.join(clauses)} ORDER BY changes.updated_at DESC, changes.id DESC LIMIT ?"
    return [_change(row) for row in db.execute(sql, [*parameters, limit])]


def open_change_by(db: sqlite3.Connection, user: User, kind: str, entry_id: str) -> Change | None:
    """The draft or returned change ``user`` already has for this entry, if any."""
    found = [change for change in list_changes(db, statuses=EDITABLE, author_id=user.id, kind=kind,
                                               entry_id=entry_id)]
    return found[0] if found else None


def other_open_changes(db: sqlite3.Connection, kind: str, entry_id: str, *,
                       besides: int | None = None) -> list[Change]:
    """The changes to this entry still in draft, in review or returned (but change ``besides``): whoever
    edits it now should know, before the approval step has to refuse one of them as a conflict."""
    return [change for change in list_changes(db, statuses=OPEN, kind=kind, entry_id=entry_id)
            if change.id != besides]


def conflict(content_dir: Path, change: Change) -> LiveEntry | bool | None:
    """False when the live file is still the one the change started from; else the live entry now
    (None when the file is gone)."""
    live = read_live(content_dir, change.kind, change.entry_id)
    current = live.sha256 if live else None
    if current == change.base_sha256:
        return False
    return live


# -- transitions ---------------------------------------------------------------------------------------

def _now() -> str:
    return instance.iso(instance.utc_now())


def _with_id(kind: str, entry_id: str, fields: dict) -> dict:
    fields = dict(jsonable(fields))
    if kinds.kind_of(kind).id_in_file:
        fields["id"] = entry_id
    else:
        fields.pop("id", None)  # a page is named by its file alone
    return fields


def _base_text(db: sqlite3.Connection, live: LiveEntry | None, base_sha256: str | None) -> str | None:
    if base_sha256 is None:
        return None
    if live is not None and live.sha256 == base_sha256:
        return live.text
    row = db.execute("SELECT text FROM history WHERE sha256 = ? ORDER BY id DESC LIMIT 1",
                     [base_sha256]).fetchone()
    return row["text"] if row else None


def _audit(db: sqlite3.Connection, user: User, action: str, change: Change | int, details: dict | None = None,
           ip: str | None = None, entry_id: str | None = None) -> None:
    change_id = change if isinstance(change, int) else change.id
    subject = entry_id if entry_id is not None else change.entry_id  # type: ignore[union-attr]
    audit.record(db, user.email, action, subject, {"change": change_id, **(details or {})}, ip)


def _load(db: sqlite3.Connection, change_id: int) -> Change:
    change = get_change(db, change_id)
    if change is None:
        raise ChangeError("not_found", f"no change {change_id}")
    return change


def start(db: sqlite3.Connection, content_dir: Path, user: User, kind: str, entry_id: str, *, fields: dict,
          body: str, base_sha256: str | None = None, action: str = EDIT, ip: str | None = None) -> Change:
    """A new draft change to ``entry_id``: ``action`` create (no live file), edit or archive (from the
    live file; ``base_sha256`` is the file's hash when editing began, default its hash now)."""
    if kind not in FOLDERS or not kinds.kind_of(kind).valid_id(entry_id):
        raise ChangeError("invalid_id", f"not an entry id: {entry_id!r}")
    live = read_live(content_dir, kind, entry_id)
    if action == CREATE:
        if live is not None:
            raise ChangeError("exists", f"there is already an entry '{entry_id}'")
        base_sha256 = None
    else:
        if live is None:
            raise ChangeError("not_found", f"no entry '{entry_id}'")
        base_sha256 = base_sha256 or live.sha256
        if not may_propose(user, kinds.owner(kind, entry_id, live.fields), kind, action):
            raise ChangeError("not_allowed", "you may only change your own organisation's entries")
    fields = _with_id(kind, entry_id, fields)
    if action == ARCHIVE and kinds.kind_of(kind).archived_by_status:
        fields["status"] = "archived"
    organisation = kinds.owner(kind, entry_id, fields)
    if not may_propose(user, organisation, kind, action):
        raise ChangeError("not_allowed", "you may only propose entries of your own organisation")
    now = _now()
    with transaction(db):
        change_id = db.execute(
            "INSERT INTO changes (kind, entry_id, action, organisation, base_sha256, base_text, fields, "
            "body, status, author_id, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)",
            [kind, entry_id, action, organisation, base_sha256, _base_text(db, live, base_sha256),
             json.dumps(fields, ensure_ascii=False), body, user.id, now, now]).lastrowid
        _audit(db, user, "change.created", change_id, {"kind": kind, "action": action}, ip, entry_id)
    return _load(db, change_id)


def save(db: sqlite3.Connection, change_id: int, user: User, *, fields: dict, body: str,
         ip: str | None = None) -> Change:
    """Replace the draft's fields and body (its author, while it is a draft or returned)."""
    change = _load(db, change_id)
    if not may_edit(user, change):
        raise ChangeError("not_editable", "only its author may edit a draft or returned change")
    fields = _with_id(change.kind, change.entry_id, fields)
    if change.action == ARCHIVE and kinds.kind_of(change.kind).archived_by_status:
        fields["status"] = "archived"
    organisation = kinds.owner(change.kind, change.entry_id, fields)
    if not may_propose(user, organisation, change.kind, change.action):
        raise ChangeError("not_allowed", "you may only propose entries of your own organisation")
    with transaction(db):
        db.execute("UPDATE changes SET fields = ?, body = ?, organisation = ?, updated_at = ? WHERE id = ?",
                   [json.dumps(fields, ensure_ascii=False), body, organisation, _now(), change.id])
        _audit(db, user, "change.saved", change, {}, ip)
    return _load(db, change.id)


def submit(db: sqlite3.Connection, content_dir: Path, change_id: int, user: User, *,
           ip: str | None = None, on: dt.date | None = None) -> Change:
    """Send a draft or returned change for review; refused (``invalid``) while it has check errors."""
    change = _load(db, change_id)
    if not may_see(user, change) or not may_submit(user, change):
        raise ChangeError("not_submittable", "this change cannot be submitted by you now")
    problems = check_change(content_dir, change, on)
    if problems:
        raise ChangeError("invalid", "the change has problems to fix first", problems)
    now = _now()
    with transaction(db):
        db.execute("UPDATE changes SET status = 'in_review', submitted_at = ?, updated_at = ?, "
                   "publish_error = NULL WHERE id = ? AND status IN ('draft', 'returned')",
                   [now, now, change.id])
        _audit(db, user, "change.submitted", change, {}, ip)
    return _load(db, change.id)


def return_change(db: sqlite3.Connection, change_id: int, user: User, comment: str, *,
                  ip: str | None = None) -> Change:
    """Send a change in review back to its author with a comment; they can edit it again."""
    change = _load(db, change_id)
    if not may_review(user, change):
        raise ChangeError("not_reviewable", "you cannot review this change")
    comment = (comment or "").strip()[:MAX_COMMENT]
    if not comment:
        raise ChangeError("comment_required", "say what needs to change")
    now = _now()
    with transaction(db):
        db.execute("UPDATE changes SET status = 'returned', reviewer_id = ?, reviewed_at = ?, comment = ?, "
                   "updated_at = ? WHERE id = ? AND status = 'in_review'",
                   [user.id, now, comment, now, change.id])
        _audit(db, user, "change.returned", change, {"comment": comment[:300]}, ip)
    return _load(db, change.id)


def withdraw(db: sqlite3.Connection, change_id: int, user: User, *, ip: str | None = None) -> Change:
    """The author gives up an open change; it stays on record as withdrawn."""
    change = _load(db, change_id)
    if change.author_id != user.id or change.status not in OPEN:
        raise ChangeError("not_withdrawable", "only its author may withdraw an open change")
    with transaction(db):
        db.execute("UPDATE changes SET status = 'withdrawn', updated_at = ? WHERE id = ?",
                   [_now(), change.id])
        _audit(db, user, "change.withdrawn", change, {}, ip)
    return _load(db, change.id)


def rebase(db: sqlite3.Connection, content_dir: Path, change_id: int, user: User, *,
           ip: str | None = None) -> Change:
    """The author has seen what was published since the change began, and takes the live file as its new
    base (a deliberate, recorded step: the next approval then replaces the live file)."""
    change = _load(db, change_id)
    if not may_edit(user, change):
        raise ChangeError("not_editable", "only its author may update a draft or returned change")
    live = read_live(content_dir, change.kind, change.entry_id)
    new_base = live.sha256 if live else None
    with transaction(db):
        db.execute("UPDATE changes SET base_sha256 = ?, base_text = ?, updated_at = ? WHERE id = ?",
                   [new_base, live.text if live else None, _now(), change.id])
        _audit(db, user, "change.rebased", change, {"from": change.base_sha256, "to": new_base}, ip)
    return _load(db, change.id)


def approve(db: sqlite3.Connection, content_dir: Path, index_dir: Path, change_id: int, user: User, *,
            ip: str | None = None, on: dt.date | None = None) -> Change:
    """Check, write and publish a change in review; record the version in history.

    Raises :class:`ChangeError` (``not_reviewable``, ``own_change``, ``conflict``, ``invalid``) with
    nothing written, and :class:`PublishFailed` when publishing failed: the change then stays in review
    with the problems recorded, and ``content/`` and the live site are as they were.
    """
    change = _load(db, change_id)
    if change.status != IN_REVIEW or user.role not in REVIEWERS:
        raise ChangeError("not_reviewable", "only a publisher or admin approves a change in review")
    self_approved = change.author_id == user.id
    if self_approved and not may_self_approve(db, user, change):
        raise ChangeError("own_change", "you cannot approve a change you wrote; ask another publisher")
    if (live := conflict(content_dir, change)) is not False:
        with transaction(db):
            _audit(db, user, "change.conflict", change, {"base": change.base_sha256,
                                                          "live": live.sha256 if live else None}, ip)
        raise ChangeError("conflict", "the live entry has changed since this change began", live=live)
    problems = check_change(content_dir, change, on)
    if problems:
        raise ChangeError("invalid", "the change has problems to fix first", problems)
    text = proposed_text(change)
    stamped_fields = None  # a translation's fields with the new stamp, kept on the change
    if text is not None and kinds.kind_of(change.kind).translates and change.action != RESTORE:
        text = _stamped(content_dir, change, text, on)
        stamped_fields = parse_text(change.kind, text)[0]
    before = read_live(content_dir, change.kind, change.entry_id)
    author = Author(change.author_name or change.author_email, change.author_email)
    approval = "self-approved" if self_approved else f"approved by {user.email}"
    message = (f"{change.action.capitalize()} {change.path} (change {change.id} by {change.author_email}, "
               f"{approval})")
    try:
        published = write_and_publish(Path(content_dir), Path(index_dir), {change.path: text}, author=author,
                                      message=message, expected_sha256={change.path: change.base_sha256})
    except FileChanged as error:  # published by someone else between the check above and the lock
        raise ChangeError("conflict", str(error), live=read_live(content_dir, change.kind,
                                                                  change.entry_id)) from None
    except PublishFailed as failure:
        with transaction(db):
            db.execute("UPDATE changes SET publish_error = ?, updated_at = ? WHERE id = ?",
                       [json.dumps(failure.problems, ensure_ascii=False), _now(), change.id])
            _audit(db, user, "change.publish_failed", change, {"problems": failure.problems[:10]}, ip)
        raise
    now = _now()
    with transaction(db):
        db.execute("UPDATE changes SET status = 'published', reviewer_id = ?, reviewed_at = ?, "
                   "updated_at = ?, publish_error = NULL, release_id = ?, git_commit = ?, fields = ? "
                   "WHERE id = ?",
                   [user.id, now, now, published.release_id, published.commit,
                    json.dumps(stamped_fields if stamped_fields is not None else change.fields,
                               ensure_ascii=False), change.id])
        _record_versions(db, change, before, text, user, published.release_id, published.commit, now)
        _audit(db, user, "change.self_approved" if self_approved else "change.approved", change,
               {"release": published.release_id, "commit": published.commit, "action": change.action,
                "self_approved": self_approved}, ip)
    return _load(db, change.id)


def _stamped(content_dir: Path, change: Change, text: str, on: dt.date | None) -> str:
    """A translation's file with the fingerprint of its English source as it is now: approving a
    translation says it is up to date with that source. (A restored version keeps the stamp it had:
    the text is as old as its stamp says.)"""
    try:
        return stamped_text(text, Path(change.path), full_content(content_dir, on or today()))[0]
    except StampError as error:
        raise ChangeError("invalid", str(error), [Problem(change.path, 1, "source_fingerprint",
                                                          str(error))]) from None


def _record_versions(db: sqlite3.Connection, change: Change, before: LiveEntry | None, text: str | None,
                     user: User,
                     release_id: str, commit: str | None, now: str) -> None:
    """The version approved (``text`` None: the file was removed), after the one it replaced when that
    one never came through the editor."""
    last = db.execute("SELECT sha256 FROM history WHERE kind = ? AND entry_id = ? ORDER BY id DESC LIMIT 1",
                      [change.kind, change.entry_id]).fetchone()
    if before is not None and (last is None or last["sha256"] != before.sha256):
        # The version being replaced never came through the editor (an import, a hand edit): keep it too.
        db.execute("INSERT INTO history (kind, entry_id, text, sha256, published_at) VALUES (?, ?, ?, ?, ?)",
                   [change.kind, change.entry_id, before.text, before.sha256, now])
    db.execute("INSERT INTO history (kind, entry_id, text, sha256, author, approver, published_at, "
               "release_id, git_commit, change_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [change.kind, change.entry_id, text,
                sha256_of(text.encode("utf-8")) if text is not None else None, change.author_email,
                user.email, now, release_id, commit, change.id])


# -- history ---------------------------------------------------------------------------------------------

def _version(row: sqlite3.Row) -> Version:
    return Version(row["id"], row["kind"], row["entry_id"], row["text"], row["sha256"], row["author"],
                   row["approver"], row["published_at"], row["release_id"], row["git_commit"],
                   row["change_id"])


def versions(db: sqlite3.Connection, kind: str, entry_id: str) -> list[Version]:
    """Every recorded version of the entry, newest first."""
    return [_version(row) for row in db.execute(
        "SELECT * FROM history WHERE kind = ? AND entry_id = ? ORDER BY id DESC", [kind, entry_id])]


def get_version(db: sqlite3.Connection, version_id: int) -> Version | None:
    row = db.execute("SELECT * FROM history WHERE id = ?", [version_id]).fetchone()
    return _version(row) if row else None


def previous_version(db: sqlite3.Connection, version: Version) -> Version | None:
    row = db.execute("SELECT * FROM history WHERE kind = ? AND entry_id = ? AND id < ? ORDER BY id DESC "
                     "LIMIT 1", [version.kind, version.entry_id, version.id]).fetchone()
    return _version(row) if row else None


def restore(db: sqlite3.Connection, content_dir: Path, version_id: int, user: User, *,
            ip: str | None = None) -> Change:
    """A change, straight into review, that makes ``version_id`` the live version again."""
    version = get_version(db, version_id)
    if version is None or version.text is None:
        raise ChangeError("not_found", f"no version {version_id}")
    live = read_live(content_dir, version.kind, version.entry_id)
    if live is not None and live.sha256 == version.sha256:
        raise ChangeError("already_live", "this version is the live one")
    kind, entry_id = version.kind, version.entry_id
    fields, body = parse_text(kind, version.text)
    live_organisation = kinds.owner(kind, entry_id, live.fields) if live else None
    if not may_propose(user, kinds.owner(kind, entry_id, fields), kind, RESTORE) or (
            live is not None and not may_propose(user, live_organisation, kind, RESTORE)):
        raise ChangeError("not_allowed", "you may only change your own organisation's entries")
    fields = _with_id(kind, entry_id, fields)
    now = _now()
    with transaction(db):
        change_id = db.execute(
            "INSERT INTO changes (kind, entry_id, action, organisation, base_sha256, base_text, fields, "
            "body, status, author_id, created_at, updated_at, submitted_at, restored_from) "
            "VALUES (?, ?, 'restore', ?, ?, ?, ?, ?, 'in_review', ?, ?, ?, ?, ?)",
            [kind, entry_id, kinds.owner(kind, entry_id, fields), live.sha256 if live else None,
             live.text if live else None, json.dumps(fields, ensure_ascii=False), body, user.id, now, now,
             now, version.id]).lastrowid
        _audit(db, user, "change.restore_proposed", change_id, {"version": version.id}, ip, version.entry_id)
    return _load(db, change_id)


def change_diff(content_dir: Path, change: Change) -> Diff:
    """The change against the live entry now (for a published change: against the version it replaced)."""
    if change.status == PUBLISHED:
        return text_diff(change.base_text, proposed_text(change), change.kind)
    live = read_live(content_dir, change.kind, change.entry_id)
    if change.removes_file:
        return text_diff(live.text if live else None, None, change.kind)
    return diff(live.fields if live else None, live.body if live else None, change.fields, change.body,
                kinds.kind_of(change.kind).order)
