"""``earlyhelp review-reminders``: who must check which services soon, and emailing them.

For each organisation with published services overdue or due within N days
(from :mod:`app.editorial.reviews`), the provider accounts to remind: active
instance accounts with the role ``provider`` and that organisation. With
``--send`` and an SMTP server configured (``EARLYHELP_SMTP_*``,
``EARLYHELP_MAIL_FROM``; see :func:`app.config.smtp_settings`), each provider
gets one plain-text email listing their services with links to the editor.
Every email sent, or that could not be, is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import sqlite3
import sys
from dataclasses import dataclass, field
from email.message import EmailMessage

import click

from .. import config
from ..content import ContentSet, load_content
from . import accounts, audit, instance, reviews
from .accounts import User
from .mail import Mailer, MailError, message
from .reviews import ReviewItem

ACTOR = "cli"


@dataclass
class OrganisationReminder:
    """An organisation's services that are due, and the provider accounts to remind about them."""

    organisation: str
    name: str
    items: list[ReviewItem]
    providers: list[User] = field(default_factory=list)


def providers_by_organisation(db: sqlite3.Connection) -> dict[str, list[User]]:
    """Active provider accounts, by organisation."""
    found: dict[str, list[User]] = {}
    for user in accounts.list_users(db):
        if user.role == "provider" and user.organisation and not user.disabled:
            found.setdefault(user.organisation, []).append(user)
    return found


def reminders(content: ContentSet, db: sqlite3.Connection, on: dt.date,
              days: int) -> list[OrganisationReminder]:
    """Organisations with published services overdue or due within ``days`` of ``on``, by name."""
    by_organisation: dict[str, list[ReviewItem]] = {}
    for item in reviews.due_items(content, on, days):
        by_organisation.setdefault(item.organisation, []).append(item)
    providers = providers_by_organisation(db)
    found = [OrganisationReminder(organisation, items[0].organisation_name, items,
                                  sorted(providers.get(organisation, []), key=lambda user: user.email))
             for organisation, items in by_organisation.items()]
    return sorted(found, key=lambda reminder: (reminder.name.casefold(), reminder.organisation))


def long_date(day: dt.date) -> str:
    """``1 September 2026``."""
    return f"{day.day} {day:%B %Y}"


def _state(item: ReviewItem, on: dt.date) -> str:
    if item.due is None:
        return "never checked"
    if item.due < on:
        return f"overdue since {long_date(item.due)}"
    return f"due by {long_date(item.due)}"


def editor_links(base_url: str, item: ReviewItem | None = None) -> str:
    """The review dashboard (at ``item``'s row when given), absolute when the site's address is known."""
    link = f"{base_url}/editor/reviews"
    return f"{link}#review-{item.id}" if item else link


def reminder_email(provider: User, reminder: OrganisationReminder, *, on: dt.date, days: int,
                   site_name: str, mail_from: str, base_url: str) -> EmailMessage:
    """One plain-text email to ``provider`` listing the services of their organisation that are due."""
    count = len(reminder.items)
    lines = [f"Hello {provider.name or provider.email},", "",
             f"These services of {reminder.name} in the {site_name} are overdue for a check, or due "
             f"within {days} days:", ""]
    for item in reminder.items:
        lines.append(f"- {item.title}: {_state(item, on)}")
        lines.append(f"  {editor_links(base_url, item)}")
    lines += ["",
              "Please check each entry with the people who run the service. If nothing has changed, sign in "
              "and choose \"Confirmed still correct\". If something has changed, sign in and suggest the "
              "change, so families are not sent to a service that has moved or stopped.",
              "",
              f"All your review dates: {editor_links(base_url)}",
              "",
              f"You are receiving this because you have a provider account for {reminder.name} in the "
              f"{site_name}.", ""]
    subject = f"{site_name}: {count} service{'s' if count != 1 else ''} of {reminder.name} to check"
    return message(to_name=provider.name, to_email=provider.email, mail_from=mail_from, subject=subject,
                   body="\n".join(lines))


def send_reminders(db: sqlite3.Connection, found: list[OrganisationReminder], settings: config.SmtpSettings,
                   *, on: dt.date, days: int, site_name: str, base_url: str,
                   echo=click.echo) -> tuple[int, int]:
    """Email every provider in ``found`` over one SMTP connection; (sent, failed). Each is audited."""
    sent = failed = 0
    with Mailer(settings) as server:
        for reminder in found:
            for provider in reminder.providers:
                email = reminder_email(provider, reminder, on=on, days=days, site_name=site_name,
                                       mail_from=settings.mail_from, base_url=base_url)
                details = {"organisation": reminder.organisation, "days": days,
                           "services": [item.id for item in reminder.items]}
                try:
                    server.send(email)
                except smtplib.SMTPException as error:
                    failed += 1
                    echo(f"Could not send to {provider.email}: {error}", err=True)
                    with instance.transaction(db):
                        audit.record(db, ACTOR, "review.reminder_failed", provider.email,
                                     details | {"error": str(error)[:300]})
                    continue
                sent += 1
                echo(f"Sent to {provider.email}")
                with instance.transaction(db):
                    audit.record(db, ACTOR, "review.reminder_sent", provider.email, details)
    return sent, failed


@click.command("review-reminders")
@click.option("--days", type=click.IntRange(0, 366), default=reviews.SOON_DAYS, show_default=True,
              help="Include services due within this many days (overdue ones always).")
@click.option("--send", is_flag=True,
              help="Email each provider the list of their services now, in English (needs an SMTP server: "
                   "see docs/operations.md). 'earlyhelp jobs run' sends the daily digests.")
def review_reminders_command(days: int, send: bool) -> None:
    """List, per organisation, the services overdue or due for review and the providers to remind.

    With --send, each provider gets one plain-text email listing their
    services with links to the editor (set EARLYHELP_BASE_URL so the links are
    absolute). STARTTLS is used on port 587, TLS on 465.
    """
    on = reviews.today()
    content = load_content(config.content_dir(), today=on)
    db = instance.open_instance(config.instance_dir())
    try:
        found = reminders(content, db, on, days)
        if not found:
            click.echo(f"No published services are overdue or due for review within {days} days.")
            return
        click.echo(f"Services overdue or due for review by {long_date(on + dt.timedelta(days=days))}:")
        for reminder in found:
            click.echo("")
            click.echo(f"{reminder.name} ({reminder.organisation}): {len(reminder.items)} "
                       f"service{'s' if len(reminder.items) != 1 else ''}")
            for item in reminder.items:
                click.echo(f"  {item.id}: {item.title} ({_state(item, on)})")
            if reminder.providers:
                names = ", ".join(provider.email for provider in reminder.providers)
                click.echo(f"  Remind: {names}")
            else:
                click.echo("  Remind: no provider account for this organisation; an editor must check these.")
        providers = sum(len(reminder.providers) for reminder in found)
        services = sum(len(reminder.items) for reminder in found)
        click.echo("")
        click.echo(f"{services} service{'s' if services != 1 else ''} in {len(found)} organisation"
                   f"{'s' if len(found) != 1 else ''}; {providers} provider{'s' if providers != 1 else ''} "
                   "to remind.")
        if not send:
            return
        try:
            settings = config.smtp_settings()
        except config.MailSettingsError as error:
            raise click.ClickException(f"Cannot send: {error}") from None
        if settings is None:
            click.echo("Cannot send: no SMTP server is configured. Set EARLYHELP_SMTP_HOST and "
                       "EARLYHELP_MAIL_FROM (and EARLYHELP_SMTP_PORT, EARLYHELP_SMTP_USER, "
                       "EARLYHELP_SMTP_PASSWORD as needed).", err=True)
            sys.exit(1)
        base_url = config.base_url()
        if not base_url:
            click.echo("Note: EARLYHELP_BASE_URL is not set, so the links in the emails are not complete "
                       "addresses.", err=True)
        try:
            sent, failed = send_reminders(db, found, settings, on=on, days=days, site_name=content.site.name,
                                          base_url=base_url)
        except MailError as error:
            raise click.ClickException(f"Cannot send: {error}") from None
        click.echo(f"Sent {sent} reminder{'s' if sent != 1 else ''}"
                   f"{f', {failed} failed' if failed else ''}.")
        if failed:
            sys.exit(1)
    finally:
        db.close()
