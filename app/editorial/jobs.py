"""``earlyhelp jobs run``: every scheduled job, from one command that cron or a systemd timer calls
every few minutes.

Each job has a period (every run, each hour, each day, each day from the digest hour) and
is done once per period: its last run is kept in ``job_runs``, and a job that failed
stays due, so it is tried again on the next run. A lock file in the instance folder
(``jobs.lock``) lets one run at a time do anything; a run that finds it held says so and
does nothing. What emails are sent is recorded per person and item
(:mod:`app.editorial.notifications`), so even a run cut short never sends one twice.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import click

from .. import config
from ..content import load_content
from ..content.entry_cache import CACHE_FOLDER
from . import audit, instance, notifications, reviews, suggestions
from .mail import Mailer, MailError

LOCK_NAME = "jobs.lock"
ACTOR = notifications.ACTOR

EVERY_RUN = "every run"
HOURLY = "hourly"
DAILY = "daily"
DIGEST_HOUR = "daily, from the digest hour"

DONE, FAILED, SKIPPED, NOT_DUE = "done", "failed", "skipped", "not due"


class Busy(Exception):
    """Another ``jobs run`` holds the lock."""


@contextmanager
def run_lock(instance_dir: Path) -> Iterator[None]:
    """Hold the jobs lock of ``instance_dir`` (released when the process ends, however it ends)."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(instance_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy() from None
        yield
    finally:
        os.close(descriptor)


@dataclass
class Outcome:
    status: str
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Job:
    name: str
    schedule: str
    run: Callable[[Runner], Outcome]


class Runner:
    """One ``jobs run``: the folders, the time, and what the jobs share (opened when first needed)."""

    def __init__(self, db, *, instance_dir: Path, content_dir: Path, index_dir: Path, now: dt.datetime,
                 dry_run: bool = False):
        self.db = db
        self.instance_dir, self.content_dir, self.index_dir = instance_dir, content_dir, index_dir
        self.now = now
        self.dry_run = dry_run
        self._settings = None
        self._context = None

    @property
    def local(self) -> dt.datetime:
        return self.now.astimezone(reviews.LOCAL_TIME)

    def settings(self) -> config.MailSettings:
        if self._settings is None:
            self._settings = config.mail_settings(self.instance_dir)
        return self._settings

    def context(self) -> notifications.Context:
        if self._context is None:
            def site():
                return load_content(self.content_dir, services=False).site

            self._context = notifications.Context(self.db, self.now, self.settings(), site, config.base_url())
        return self._context

    # -- periods -------------------------------------------------------------------------------------
    def period(self, job: Job) -> str | None:
        """The period this run falls in for ``job``; None when it is not due yet today."""
        if job.schedule == EVERY_RUN:
            return instance.iso(self.now)
        if job.schedule == HOURLY:
            return self.local.strftime("%Y-%m-%dT%H")
        if job.schedule == DIGEST_HOUR:
            try:
                hour = self.settings().digest_hour
            except config.MailSettingsError:
                hour = 0  # due, so that running it says what is wrong with the settings
            if self.local.hour < hour:
                return None
        return self.local.date().isoformat()

    def done_period(self, job: Job) -> str | None:
        row = self.db.execute("SELECT done_period FROM job_runs WHERE job = ?", [job.name]).fetchone()
        return row["done_period"] if row else None

    def _note(self, job: Job, status: str, message: str, period: str | None) -> None:
        now = instance.iso(instance.utc_now())
        with instance.transaction(self.db):
            self.db.execute(
                """INSERT INTO job_runs (job, done_period, started_at, finished_at, status, message)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (job) DO UPDATE SET
                     done_period = COALESCE(excluded.done_period, job_runs.done_period),
                     started_at = CASE WHEN excluded.status = 'running' THEN excluded.started_at
                                       ELSE job_runs.started_at END,
                     finished_at = excluded.finished_at, status = excluded.status,
                     message = excluded.message""",
                [job.name, period, now, None if status == "running" else now, status, message[:500]])

    def run_job(self, job: Job) -> Outcome:
        """Run ``job`` if it is due: its outcome (``not due`` when it is not)."""
        period = self.period(job)
        if period is None or period == self.done_period(job):
            return Outcome(NOT_DUE)
        if not self.dry_run:
            self._note(job, "running", "", None)
        try:
            outcome = job.run(self)
        except Exception as error:  # one job's bug must not stop the others, nor go unseen
            outcome = Outcome(FAILED, [f"{type(error).__name__}: {error}"])
            if not self.dry_run:
                with instance.transaction(self.db):
                    audit.record(self.db, ACTOR, "job.failed", job.name, {"error": outcome.lines[0][:300]})
        if not self.dry_run:
            self._note(job, outcome.status, "; ".join(outcome.lines),
                       period if outcome.status == DONE else None)
        return outcome

    # -- email ------------------------------------------------------------------------------------------
    def deliver(self, ctx: notifications.Context, mails: list[notifications.Mail]) -> Outcome:
        """Send ``mails`` (or, in a dry run, say what would be sent)."""
        if not mails:
            return Outcome(DONE, ["nothing to send"])
        notes = [] if ctx.base_url else [
            "note: EARLYHELP_BASE_URL (or base_url in site.yml) is not set, so the links in the emails "
            "are not complete addresses"]
        if self.dry_run:
            return Outcome(DONE, notes + [f"would email {mail.user.email} ({mail.user.language}): "
                                          f"{mail.email['Subject']} [{mail.summary}]" for mail in mails])
        smtp = ctx.settings.smtp
        if smtp is None:
            where = self.instance_dir / config.MAIL_SETTINGS_FILE
            return Outcome(SKIPPED, [f"{len(mails)} email(s) waiting: no SMTP server is configured (set "
                                     f"smtp_host and mail_from in {where}, or EARLYHELP_SMTP_HOST and "
                                     "EARLYHELP_MAIL_FROM)"])
        try:
            with Mailer(smtp) as mailer:
                result = notifications.send(ctx, mails, mailer)
        except MailError as error:
            waiting = [mail for mail in mails if not self._was_sent(mail)]
            notifications.record_failure(ctx, [mail.user.email for mail in waiting], mails[0].kind,
                                         str(error))
            return Outcome(FAILED, [f"{error}; {len(waiting)} email(s) not sent: tried again on the next "
                                    "run"])
        lines = notes + [f"sent to {mail.user.email} ({mail.user.language}): {mail.email['Subject']}"
                         for mail in result.sent]
        lines += [f"refused for {mail.user.email}: {error}" for mail, error in result.refused]
        return Outcome(FAILED if result.refused else DONE, lines)

    def _was_sent(self, mail: notifications.Mail) -> bool:
        return self.db.execute("SELECT 1 FROM mail_sent WHERE user_id = ? AND message_id = ?",
                               [mail.user.id, mail.email["Message-ID"]]).fetchone() is not None


# -- the jobs --------------------------------------------------------------------------------------------

def _account_emails(runner: Runner) -> Outcome:
    ctx = runner.context()
    return runner.deliver(ctx, notifications.account_emails(ctx))


def _suggestion_notices(runner: Runner) -> Outcome:
    ctx = runner.context()
    return runner.deliver(ctx, notifications.suggestion_notices(ctx))


def _review_digests(runner: Runner) -> Outcome:
    ctx = runner.context()
    content = load_content(runner.content_dir, today=ctx.today, cache_dir=runner.index_dir / CACHE_FOLDER)
    outcome = runner.deliver(ctx, notifications.review_digests(ctx, content))
    if not runner.dry_run and outcome.status == DONE:
        notifications.purge_sent(runner.db, ctx.today)
    return outcome


def _suggestions_purge(runner: Runner) -> Outcome:
    if runner.dry_run:
        return Outcome(DONE, [f"would delete suggestions dealt with over {suggestions.RETENTION_DAYS} days "
                              "ago"])
    purged = suggestions.purge(runner.db, actor=ACTOR)
    return Outcome(DONE, [f"deleted {purged.deleted} suggestion(s), erased {purged.emails_erased} email "
                          "address(es)"])


def _search_log_purge(runner: Runner) -> Outcome:
    from ..insight.searchlog import SearchLog

    months = config.search_log_months()
    if runner.dry_run:
        return Outcome(DONE, [f"would delete searches older than {months} months"])
    deleted = SearchLog(runner.instance_dir).purge(runner.local.date(), months)
    return Outcome(DONE, [f"deleted {deleted} search(es) older than {months} months"])


JOBS = (
    Job("account-emails", EVERY_RUN, _account_emails),
    Job("suggestion-notices", HOURLY, _suggestion_notices),
    Job("review-digests", DIGEST_HOUR, _review_digests),
    Job("suggestions-purge", DAILY, _suggestions_purge),
    Job("search-log-purge", DAILY, _search_log_purge),
)


def run_jobs(runner: Runner, echo=click.echo) -> bool:
    """Run every due job in order, logging a line for each; True when none failed."""
    ok = True
    for job in JOBS:
        outcome = runner.run_job(job)
        if outcome.status == NOT_DUE:
            if runner.dry_run:
                echo(f"{job.name}: not due ({job.schedule}; done {runner.done_period(job) or 'never'})")
            continue
        ok = ok and outcome.status != FAILED
        echo(f"{job.name}: {outcome.status}", err=outcome.status == FAILED)
        for line in outcome.lines:
            echo(f"{job.name}:   {line}", err=outcome.status == FAILED)
    return ok


# -- the command line --------------------------------------------------------------------------------------

@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs: reminder digests, notices, account emails, purges."""


@jobs_group.command("run")
@click.option("--dry-run", is_flag=True,
              help="Say what is due and what would be sent; send and change nothing.")
def run_command(dry_run: bool) -> None:
    """Run every job that is due; call it every few minutes from cron or a systemd timer.

    Exit status: 0 when every due job is done (or another run holds the lock: then this one
    does nothing), 1 when a job failed (it is tried again on the next run).
    """
    instance_dir = config.instance_dir()
    try:
        with run_lock(instance_dir):
            db = instance.open_instance(instance_dir)
            try:
                runner = Runner(db, instance_dir=instance_dir, content_dir=config.content_dir(),
                                index_dir=config.index_dir(), now=instance.utc_now(), dry_run=dry_run)
                ok = run_jobs(runner)
            finally:
                db.close()
    except Busy:
        click.echo("Another 'earlyhelp jobs run' is still running: this one does nothing.", err=True)
        return
    if not ok:
        sys.exit(1)


@jobs_group.command("status")
def status_command() -> None:
    """Each job's schedule and last run."""
    db = instance.open_instance(config.instance_dir())
    try:
        rows = {row["job"]: row for row in db.execute("SELECT * FROM job_runs")}
    finally:
        db.close()
    for job in JOBS:
        row = rows.get(job.name)
        if row is None:
            click.echo(f"{job.name} ({job.schedule}): never run")
            continue
        line = (f"{job.name} ({job.schedule}): {row['status']} at {row['finished_at'] or row['started_at']}; "
                f"done for {row['done_period'] or 'no period yet'}")
        click.echo(f"{line}; {row['message']}" if row["message"] else line)
