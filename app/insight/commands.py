"""``earlyhelp search-log purge``: forget searches older than the retention period."""

from __future__ import annotations

import datetime as dt

import click

from .. import config
from .searchlog import SearchLog


@click.group("search-log")
def search_log_group() -> None:
    """The privacy-safe log of searches behind the insight reports (instance/search-log.db)."""


@search_log_group.command("purge")
@click.option("--months", type=click.IntRange(1, 1200), default=None,
              help="Keep this many months (default: $EARLYHELP_SEARCH_LOG_MONTHS or 13).")
def purge_command(months: int | None) -> None:
    """Delete searches older than the retention period: run it daily, from cron or a timer."""
    months = months or config.search_log_months()
    deleted = SearchLog(config.instance_dir()).purge(dt.datetime.now(dt.UTC).date(), months)
    click.echo(f"Deleted {deleted} search(es) older than {months} months.")
