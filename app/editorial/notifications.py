"""What to email whom: review digests, new-suggestion notices and account emails.

Who is told about an organisation's services: its active provider accounts;
when it has none, every active editor (someone must check them). Each person
gets at most one email per kind per run, in the language of their account,
listing everything there is to say; nothing when there is nothing to say.

What was emailed is recorded in ``mail_sent`` (one row per person and item:
``review:<service>``, ``suggestion:<id>``, ``account:<audit entry>``) in the
same transaction as the audit entry, only once the SMTP server took the
message. So an item is never emailed twice on one day, a suggestion or an
account email never twice at all, and a message that could not be sent is
composed again, whole, on the next run.
"""

from __future__ import annotations

import datetime as dt
import functools
import smtplib
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage

from ..config import MailSettings
from ..content import ContentSet
from ..content.model import Site
from . import accounts, audit, instance, reviews, suggestions
from .accounts import User
from .mail import Mailer, Words, message
from .reminders import providers_by_organisation
from .reviews import ReviewItem

ACTOR = "jobs"
SUGGESTIONS_WINDOW = dt.timedelta(days=14)  # an older open suggestion is not news
ACCOUNT_EVENTS_WINDOW = dt.timedelta(days=2)  # account emails after this long would only confuse
SENT_KEPT_DAYS = 90  # longer than any window above, so nothing is sent again after its record goes
ACCOUNT_EVENTS = ("user.created", "user.password_reset", "user.password_changed", "two_factor.disabled",
                  "two_factor.reset")
TWO_FACTOR_OFF = ("two_factor.disabled", "two_factor.reset")


@dataclass
class Context:
    """What every email needs: the instance database, the time, the settings and the site (read from
    ``content/site.yml`` by ``load_site`` only when there is an email to write)."""

    db: sqlite3.Connection
    now: dt.datetime
    settings: MailSettings
    load_site: Callable[[], Site]
    configured_base_url: str = ""  # EARLYHELP_BASE_URL, which wins over site.yml's base_url

    @functools.cached_property
    def site(self) -> Site:
        return self.load_site()

    @property
    def site_name(self) -> str:
        return self.site.name

    @property
    def base_url(self) -> str:
        """``https://directory.example.gov.uk``, or "" when not configured."""
        return self.configured_base_url or self.site.base_url.rstrip("/")

    @property
    def today(self) -> dt.date:
        """The council's date (UK time), which "once a day" counts in."""
        return self.now.astimezone(reviews.LOCAL_TIME).date()

    def link(self, path: str) -> str:
        return f"{self.base_url}{path}"


@dataclass
class Mail:
    """One email to one person, and the items it tells them about (recorded once it is sent)."""

    user: User
    kind: str  # digest, suggestions, account
    items: list[str]
    email: EmailMessage = field(repr=False)
    summary: str = ""  # for the log: "2 entries, 1 suggestion"


# -- who owns what --------------------------------------------------------------------------------

def owners_by_organisation(db: sqlite3.Connection) -> Callable[[str | None], list[User]]:
    """``owners(organisation)``: its active providers, else every active editor."""
    providers = providers_by_organisation(db)
    editors = [user for user in accounts.list_users(db) if user.role == "editor" and not user.disabled]
    return lambda organisation: providers.get(organisation or "", editors)


def _by_owner(owners: Callable[[str | None], list[User]], things: Iterable, organisation: Callable
              ) -> dict[int, tuple[User, list]]:
    """``{user id: (user, [their things])}``: each thing under every owner of its organisation."""
    found: dict[int, tuple[User, list]] = {}
    for thing in things:
        for user in owners(organisation(thing)):
            found.setdefault(user.id, (user, []))[1].append(thing)
    return found


def _last_sent(db: sqlite3.Connection, user: User) -> dict[str, dt.date]:
    return {row["item"]: dt.date.fromisoformat(row["sent_on"]) for row in db.execute(
        "SELECT item, MAX(sent_on) AS sent_on FROM mail_sent WHERE user_id = ? GROUP BY item", [user.id])}


def _new_suggestions(ctx: Context) -> list[suggestions.Suggestion]:
    since = instance.iso(ctx.now - SUGGESTIONS_WINDOW)
    rows = ctx.db.execute("SELECT * FROM suggestions WHERE status = ? AND created_at >= ? "
                          "ORDER BY created_at, id", [suggestions.OPEN, since])
    return [suggestions.Suggestion.from_row(row) for row in rows]


# -- the words ---------------------------------------------------------------------------------------

def _greeting(words: Words, user: User) -> list[str]:
    return [words.gettext("Hello %(name)s,", name=user.display_name), ""]


def _footer(words: Words, ctx: Context) -> list[str]:
    return ["", "-- ", words.gettext(
        "You receive this email because you have an account in the %(site)s. Choose the language of these "
        "emails on your account page: %(url)s", site=ctx.site_name, url=ctx.link("/editor/account"))]


def _review_lines(words: Words, ctx: Context, items: list[ReviewItem]) -> list[str]:
    lines = []
    overdue = [item for item in items if item.bucket == reviews.OVERDUE]
    soon = [item for item in items if item.bucket != reviews.OVERDUE]
    if overdue:
        lines += [words.gettext("Overdue for a check:"), ""]
        for item in overdue:
            state = (words.gettext("never checked") if item.due is None
                     else words.gettext("overdue since %(date)s", date=words.date(item.due)))
            lines += [f"- {item.title} ({state})", f"  {ctx.link(f'/editor/reviews#review-{item.id}')}"]
        lines.append("")
    if soon:
        until = ctx.today + dt.timedelta(days=ctx.settings.reminder_days)
        lines += [words.gettext("Due for a check by %(date)s:", date=words.date(until)), ""]
        for item in soon:
            state = words.gettext("due by %(date)s", date=words.date(item.due))
            lines += [f"- {item.title} ({state})", f"  {ctx.link(f'/editor/reviews#review-{item.id}')}"]
        lines.append("")
    lines += [words.gettext(
        "Please check each entry with the people who run the service. If nothing has changed, sign in and "
        "choose \"Confirmed still correct\". If something has changed, sign in and suggest the change, so "
        "that families are not sent to a service that has moved or stopped."), "",
        words.gettext("All your review dates: %(url)s", url=ctx.link("/editor/reviews"))]
    return lines


def _suggestion_lines(words: Words, ctx: Context, found: list[suggestions.Suggestion]) -> list[str]:
    lines = [words.gettext("New suggestions from the public:"), ""]
    for suggestion in found:
        day = instance.parse_iso(suggestion.created_at).astimezone(reviews.LOCAL_TIME).date()
        received = words.gettext("received %(date)s", date=words.date(day))
        lines.append(f"- {suggestion.service_title or suggestion.service_id} ({received})")
    return [*lines, "", words.gettext("Read them and mark them as dealt with: %(url)s",
                                      url=ctx.link("/editor/suggestions"))]


def _mail(ctx: Context, user: User, kind: str, items: list[str], subject: str, lines: list[str],
          summary: str) -> Mail:
    email = message(to_name=user.name, to_email=user.email, subject=subject, body="\n".join(lines) + "\n",
                    mail_from=ctx.settings.smtp.mail_from if ctx.settings.smtp else "directory@localhost",
                    language=user.language)
    return Mail(user, kind, items, email, summary)


# -- the three kinds of email -------------------------------------------------------------------------

def review_digests(ctx: Context, content: ContentSet) -> list[Mail]:
    """One email per owner: their entries overdue or due within ``reminder_days``, and new suggestions.

    Sent when at least one of those is news to them (an entry not in a digest to them for
    ``repeat_days``, a suggestion they have not been told of); then it lists all of them but
    what they were told of today.
    """
    owners = owners_by_organisation(ctx.db)
    due = _by_owner(owners, reviews.due_items(content, ctx.today, ctx.settings.reminder_days),
                    lambda item: item.organisation)
    new_suggestions = _by_owner(owners, _new_suggestions(ctx), lambda suggestion: suggestion.organisation)
    mails = []
    repeat_after = ctx.today - dt.timedelta(days=ctx.settings.repeat_days)
    for user_id in sorted(due.keys() | new_suggestions.keys()):
        user = (due.get(user_id) or new_suggestions.get(user_id))[0]
        sent = _last_sent(ctx.db, user)
        items = [item for item in due.get(user_id, (user, []))[1]
                 if sent.get(f"review:{item.id}") != ctx.today]
        told = [s for s in new_suggestions.get(user_id, (user, []))[1] if f"suggestion:{s.id}" not in sent]
        if not told and all(sent.get(f"review:{item.id}", dt.date.min) > repeat_after for item in items):
            continue
        words = Words(user.language)
        lines = _greeting(words, user)
        if items:
            lines += _review_lines(words, ctx, items)
        if told:
            lines += ([""] if items else []) + _suggestion_lines(words, ctx, told)
        if items:
            subject = words.ngettext("%(site)s: %(num)s entry to check", "%(site)s: %(num)s entries to check",
                                     len(items), site=ctx.site_name)
        else:
            subject = words.ngettext("%(site)s: %(num)s new suggestion", "%(site)s: %(num)s new suggestions",
                                     len(told), site=ctx.site_name)
        keys = [f"review:{item.id}" for item in items] + [f"suggestion:{s.id}" for s in told]
        mails.append(_mail(ctx, user, "digest", keys, subject, lines + _footer(words, ctx),
                           f"{len(items)} entries, {len(told)} suggestions"))
    return mails


def suggestion_notices(ctx: Context) -> list[Mail]:
    """One email per owner listing the suggestions from the public they have not been told of."""
    found = _by_owner(owners_by_organisation(ctx.db), _new_suggestions(ctx),
                      lambda suggestion: suggestion.organisation)
    mails = []
    for user, listed in (found[user_id] for user_id in sorted(found)):
        sent = _last_sent(ctx.db, user)
        told = [s for s in listed if f"suggestion:{s.id}" not in sent]
        if not told:
            continue
        words = Words(user.language)
        subject = words.ngettext("%(site)s: %(num)s new suggestion", "%(site)s: %(num)s new suggestions",
                                 len(told), site=ctx.site_name)
        lines = _greeting(words, user) + _suggestion_lines(words, ctx, told) + _footer(words, ctx)
        mails.append(_mail(ctx, user, "suggestions", [f"suggestion:{s.id}" for s in told], subject, lines,
                           f"{len(told)} suggestions"))
    return mails


def account_emails(ctx: Context) -> list[Mail]:
    """For each account made, or whose password was set, lately: an email telling its owner.

    No password or link is ever in it: an admin gives a new password in person or by phone
    (README, "Editor accounts"); the email is how someone learns of a change they did not make.
    """
    since = instance.iso(ctx.now - ACCOUNT_EVENTS_WINDOW)
    placeholders = ", ".join("?" for _ in ACCOUNT_EVENTS)
    rows = ctx.db.execute(f"SELECT id, at, action, subject FROM audit_log WHERE at >= ? AND action IN "
                          f"({placeholders}) ORDER BY id", [since, *ACCOUNT_EVENTS]).fetchall()
    mails = []
    for row in rows:
        user = accounts.find_user(ctx.db, row["subject"])
        key = f"account:{row['id']}"
        if user is None or user.disabled or key in _last_sent(ctx.db, user):
            continue
        words = Words(user.language)
        lines = _greeting(words, user)
        if row["action"] == "user.created":
            subject = words.gettext("%(site)s: your account", site=ctx.site_name)
            lines += [words.gettext("An account has been made for you in the %(site)s, with the email "
                                    "address %(email)s.", site=ctx.site_name, email=user.email), "",
                      words.gettext("The person who made it will tell you your password in person or by "
                                    "phone, never by email. Then sign in here: %(url)s",
                                    url=ctx.link("/editor/sign-in"))]
        else:
            at = instance.parse_iso(row["at"])
            day = words.date(at.astimezone(reviews.LOCAL_TIME).date())
            if row["action"] in TWO_FACTOR_OFF:
                # Switched off by its owner or reset by an admin: either way a stolen password alone
                # now signs in, which the owner must hear about.
                subject = words.gettext("%(site)s: two-factor sign-in was switched off", site=ctx.site_name)
                lines.append(words.gettext("Two-factor sign-in for your account %(email)s was switched off "
                                           "on %(date)s at %(time)s.", email=user.email, date=day,
                                           time=words.time(at)))
            else:
                subject = words.gettext("%(site)s: your password was changed", site=ctx.site_name)
                lines.append(words.gettext("The password of your account %(email)s was changed on %(date)s "
                                           "at %(time)s.", email=user.email, date=day, time=words.time(at)))
        lines += ["", words.gettext("If you did not expect this email, tell the directory's administrators "
                                    "at once.")]
        mails.append(_mail(ctx, user, "account", [key], subject, lines + _footer(words, ctx), row["action"]))
    return mails


# -- sending and recording ------------------------------------------------------------------------------

@dataclass
class Sent:
    """What :func:`send` did: the emails the server took, and the people it refused, with why."""

    sent: list[Mail] = field(default_factory=list)
    refused: list[tuple[Mail, str]] = field(default_factory=list)


def record_sent(ctx: Context, mail: Mail) -> None:
    """Remember ``mail``'s items as told to its reader today, and audit it, in one transaction."""
    with instance.transaction(ctx.db):
        for item in mail.items:
            ctx.db.execute("INSERT INTO mail_sent (user_id, item, sent_on, sent_at, message_id) "
                           "VALUES (?, ?, ?, ?, ?)",
                           [mail.user.id, item, ctx.today.isoformat(), instance.iso(ctx.now),
                            mail.email["Message-ID"]])
        audit.record(ctx.db, ACTOR, "mail.sent", mail.user.email,
                     {"kind": mail.kind, "items": mail.items[:50], "count": len(mail.items),
                      "language": mail.user.language})


def record_failure(ctx: Context, recipients: Iterable[str], kind: str, error: str) -> None:
    """Audit an email, or a run of them, that could not be sent (it is composed again next run)."""
    with instance.transaction(ctx.db):
        audit.record(ctx.db, ACTOR, "mail.failed", ", ".join(recipients),
                     {"kind": kind, "error": error[:300]})


def send(ctx: Context, mails: list[Mail], mailer: Mailer) -> Sent:
    """Hand each of ``mails`` to the server, recording each one it takes.

    A message the server refuses (one bad address) is audited and skipped; losing the
    server (:class:`MailError`) stops the run, and the caller audits what was not sent.
    """
    result = Sent()
    for mail in mails:
        try:
            mailer.send(mail.email)
        except smtplib.SMTPException as error:
            result.refused.append((mail, str(error)))
            record_failure(ctx, [mail.user.email], mail.kind, str(error))
            continue
        record_sent(ctx, mail)
        result.sent.append(mail)
    return result


def purge_sent(db: sqlite3.Connection, today: dt.date) -> int:
    """Forget what was emailed more than :data:`SENT_KEPT_DAYS` ago (the audit log keeps the facts)."""
    with instance.transaction(db):
        return db.execute("DELETE FROM mail_sent WHERE sent_on < ?",
                          [(today - dt.timedelta(days=SENT_KEPT_DAYS)).isoformat()]).rowcount

