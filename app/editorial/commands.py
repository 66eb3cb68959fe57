"""``earlyhelp user ...``, ``earlyhelp backup`` and ``earlyhelp suggestions purge`` from the command line.

Everything done here is audited with the actor ``cli``: whoever runs these
commands already holds the server's files, so there is no one to sign in.
"""

from __future__ import annotations

import getpass
import shutil
import sys
from pathlib import Path

import click

from .. import config
from . import accounts, audit, instance, suggestions, two_factor

ACTOR = "cli"


def _open():
    return instance.open_instance(config.instance_dir())


def _read_password(password_stdin: bool, email: str) -> str:
    if password_stdin:
        # One line, so `printf '%s\n' "$PASSWORD" | earlyhelp user add ...` works in scripts.
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(f"Password for {email}", hide_input=True, confirmation_prompt=True)
    try:
        accounts.check_password(password, email)
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    return password


password_stdin_option = click.option(
    "--password-stdin", is_flag=True,
    help="Read the password from the first line of standard input instead of prompting (for scripts).")


@click.group("user")
def user_group() -> None:
    """Add, list, disable and enable editor accounts, and reset passwords and two-factor sign-in."""


@user_group.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(accounts.ROLES), required=True, help="What the account may do.")
@click.option("--name", default="", help="The person's name, as other editors will see it.")
@click.option("--organisation", default=None,
              help="For providers: the id of their organisation in content/organisations/.")
@password_stdin_option
def add_command(email: str, role: str, name: str, organisation: str | None, password_stdin: bool) -> None:
    """Add an account for EMAIL (prompts for its password twice)."""
    try:
        email = accounts.check_email(email)
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    organisations = accounts.known_organisations(config.content_dir()) if role == "provider" else None
    password = _read_password(password_stdin, email)
    db = _open()
    try:
        user = accounts.create_user(db, email, password, role, name=name, organisation=organisation,
                                    organisations=organisations, actor=ACTOR)
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    finally:
        db.close()
    where = f" for {user.organisation}" if user.organisation else ""
    click.echo(f"Added {user.email} ({user.role}{where}).")


@user_group.command("list")
def list_command() -> None:
    """List every account with its role and status."""
    db = _open()
    try:
        users = accounts.list_users(db)
    finally:
        db.close()
    if not users:
        click.echo("No accounts yet: add one with 'earlyhelp user add EMAIL --role admin'.")
        return
    rows = [("EMAIL", "NAME", "ROLE", "ORGANISATION", "STATUS", "LAST SIGN-IN")]
    rows += [(user.email, user.name, user.role, user.organisation or "", user.status,
              user.last_sign_in_at or "never") for user in users]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def _change(change, email: str, **arguments):
    db = _open()
    try:
        return change(db, email, actor=ACTOR, **arguments)
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    finally:
        db.close()


@user_group.command("disable")
@click.argument("email")
def disable_command(email: str) -> None:
    """Stop EMAIL signing in; its open sessions end at once."""
    user = _change(accounts.disable_user, email)
    click.echo(f"Disabled {user.email}.")


@user_group.command("enable")
@click.argument("email")
def enable_command(email: str) -> None:
    """Let EMAIL sign in again (also lifts a lockout)."""
    user = _change(accounts.enable_user, email)
    click.echo(f"Enabled {user.email}.")


@user_group.command("reset-password")
@click.argument("email")
@password_stdin_option
def reset_password_command(email: str, password_stdin: bool) -> None:
    """Give EMAIL a new password (prompts twice); ends its open sessions and lifts a lockout."""
    db = _open()
    try:
        user = accounts.find_user(db, email)
    finally:
        db.close()
    if user is None:
        raise click.ClickException(f"There is no account for {accounts.normalise_email(email)}")
    password = _read_password(password_stdin, user.email)
    user = _change(accounts.set_password, user.email, password=password)
    click.echo(f"New password set for {user.email}.")


@user_group.command("reset-two-factor")
@click.argument("email")
def reset_two_factor_command(email: str) -> None:
    """Take two-factor sign-in off EMAIL (a lost phone and lost recovery codes); ends its open sessions.

    If its role must use two-factor sign-in, it sets it up again at its next sign-in.
    """
    user = _change(two_factor.reset, email)
    click.echo(f"Two-factor sign-in reset for {user.email}.")


@click.command("backup")
@click.argument("dest_dir", type=click.Path(file_okay=False, path_type=Path))
def backup_command(dest_dir: Path) -> None:
    """Copy the instance database and the content folder into a new timestamped folder in DEST_DIR.

    The database copy is consistent even while the site is running (SQLite's
    backup API). Restore by putting editorial.db back into the instance folder
    and content/ back in place while the site is stopped.
    """
    now = instance.utc_now()
    folder = dest_dir / f"earlyhelp-backup-{now:%Y%m%dT%H%M%SZ}"
    suffix = 1
    while folder.exists():  # two backups in one second
        suffix += 1
        folder = dest_dir / f"earlyhelp-backup-{now:%Y%m%dT%H%M%SZ}-{suffix}"
    # Password hashes are inside: only the owner may read the backup.
    folder.mkdir(parents=True, mode=0o700)
    db = _open()
    try:
        database = instance.backup(db, folder / instance.DATABASE_NAME)
        click.echo(f"Wrote {database}")
        content_dir = config.content_dir()
        if content_dir.is_dir():
            content_copy = shutil.copytree(content_dir, folder / "content", symlinks=True)
            files = sum(1 for path in Path(content_copy).rglob("*") if path.is_file())
            click.echo(f"Wrote {content_copy}/ ({files} files)")
        else:
            click.echo(f"No content folder at {content_dir}: copied the database only.", err=True)
        with instance.transaction(db):
            audit.record(db, ACTOR, "backup.created", str(folder), {"content": str(content_dir)})
    finally:
        db.close()
    click.echo(f"Backup complete: {folder}")


@click.group("suggestions")
def suggestions_group() -> None:
    """Suggestions from the public ("Report a problem with this page")."""


@suggestions_group.command("purge")
@click.option("--older-than", "older_than", type=click.IntRange(1, 36500),
              default=suggestions.RETENTION_DAYS, show_default=True,
              help="Delete suggestions dealt with more than this many days ago.")
@click.option("--open-email-days", type=click.IntRange(1, 36500), default=suggestions.OPEN_EMAIL_DAYS,
              show_default=True, help="Erase the email address of open suggestions older than this.")
def purge_command(older_than: int, open_email_days: int) -> None:
    """Delete old suggestions (they may hold personal data): run it daily, from cron or a timer."""
    db = _open()
    try:
        purged = suggestions.purge(db, older_than_days=older_than, open_email_days=open_email_days,
                                   actor=ACTOR)
    finally:
        db.close()
    click.echo(f"Deleted {purged.deleted} suggestion(s) dealt with more than {older_than} days ago; erased "
               f"the email address of {purged.emails_erased} open suggestion(s) older than {open_email_days} "
               "days.")


def audit_command_line(action: str, subject: str, details: dict) -> None:
    """Record something done at the command line (a publish, a rollback) in the audit log, when this
    installation has an instance database (a site without editors has no log to write to)."""
    if not instance.database_path(config.instance_dir()).exists():
        return
    db = _open()
    try:
        with instance.transaction(db):
            audit.record(db, ACTOR, action, subject, {**details, "login": _login_name()})
    finally:
        db.close()


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return "unknown"
