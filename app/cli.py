"""The ``earlyhelp`` command line (also available as ``flask --app app <command>``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import config
from .content import ContentError, load_content
from .content.entry_cache import CACHE_FOLDER
from .content.problems import by_kind
from .content.translation_commands import translations_group
from .editorial.commands import audit_command_line, backup_command, suggestions_group, user_group
from .editorial.jobs import jobs_group
from .editorial.reminders import review_reminders_command
from .insight.commands import search_log_group
from .opendata.commands import export_group, import_group
from .publishing.commands import release_group
from .publishing.publish import ShrinkRefused, publish
from .publishing.releases import ReleaseError, ReleaseStore

content_option = click.option(
    "--content", "content_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Content folder (default: $EARLYHELP_CONTENT_DIR or ./content).")
index_option = click.option(
    "--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Index folder for releases (default: $EARLYHELP_INDEX_DIR or ./search_index).")


def _print_problems(problems) -> None:
    for problem in problems:
        click.echo(str(problem), err=not problem.is_error)


FIRST_OF_EACH_KIND = 3


def _print_warnings(warnings, first: int | None = FIRST_OF_EACH_KIND) -> None:
    """Warnings grouped by kind, each kind with its count and its ``first`` few (None: all)."""
    if not warnings:
        return
    click.echo(f"{_plural(len(warnings), 'warning')}, by kind:", err=True)
    for kind, group in by_kind(warnings):
        click.echo(f"  {kind}: {len(group)}", err=True)
        shown = group if first is None else group[:first]
        for problem in shown:
            click.echo(f"    {problem}", err=True)
        if len(group) > len(shown):
            click.echo(f"    ... and {len(group) - len(shown)} more ('earlyhelp check --all-warnings' "
                       "lists every one)", err=True)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _summary(errors: int, warnings: int) -> str:
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"


@click.command("check")
@content_option
@click.option("--all-warnings", is_flag=True,
              help=f"List every warning (default: the first {FIRST_OF_EACH_KIND} of each kind).")
def check_command(content_dir: Path | None, all_warnings: bool) -> None:
    """Check every entry; list each problem as path:line: field: message.

    Exits with status 1 if there is any error. Warnings (such as an overdue
    review) are listed by kind, with a count and the first few of each, and
    do not fail the check.
    """
    # Parsed files are kept in the index folder, so a second check reads only what changed.
    content = load_content(content_dir or config.content_dir(), cache_dir=config.index_dir() / CACHE_FOLDER)
    _print_problems(content.errors)
    _print_warnings(content.warnings, first=None if all_warnings else FIRST_OF_EACH_KIND)
    counts = (f"{len(content.services)} services, {len(content.organisations)} organisations, "
              f"{len(content.hubs)} hubs, {len(content.pages)} pages")
    click.echo(f"Checked {counts}: {_summary(len(content.errors), len(content.warnings))}.", err=True)
    if content.errors:
        sys.exit(1)


class _Progress:
    """One updating line on a terminal; plain lines in a log."""

    def __init__(self):
        self.interactive = sys.stderr.isatty()

    def __call__(self, message: str) -> None:
        if self.interactive:
            click.echo(f"\r\033[K{message}", nl=False, err=True)
        else:
            click.echo(message, err=True)

    def done(self) -> None:
        if self.interactive:
            click.echo("", err=True)


def run_publish(content_dir: Path, index_dir: Path, processes: int = 1, allow_shrink: bool = False,
                compact: bool = False) -> None:
    progress = _Progress()
    try:
        result = publish(content_dir, index_dir, report=progress, processes=processes,
                         allow_shrink=allow_shrink, max_shrink=config.max_shrink(), compact=compact)
    except ShrinkRefused as error:
        progress.done()
        click.echo(f"Not published: {error}. The live site is unchanged.", err=True)
        sys.exit(1)
    except ContentError as error:
        progress.done()
        _print_problems(error.problems)
        click.echo(f"Not published: {len(error.problems)} error(s). The live site is unchanged.", err=True)
        sys.exit(1)
    except Exception as error:  # the live site is unchanged whatever went wrong
        progress.done()
        click.echo(f"Not published: {type(error).__name__}: {error}. The live site is unchanged.", err=True)
        sys.exit(2)
    progress.done()
    audit_command_line("release.published", result.release_id, {"content": str(content_dir)})
    counts = result.manifest["counts"]
    click.echo(f"Published release {result.release_id}: {counts['services']} services "
               f"in {result.seconds:.1f}s ({_plural(len(result.content.warnings), 'warning')}).")
    _print_warnings(result.content.warnings)


@click.command("publish")
@content_option
@index_option
@click.option("--processes", type=click.IntRange(1, 16), default=1, show_default=True,
              help="Worker processes parsing the entry files the entry cache lacks, then indexing a "
                   "full build (one index segment each) while the database is written; for large content.")
@click.option("--allow-shrink", is_flag=True,
              help="Publish even when this drops all the live services or more than $EARLYHELP_MAX_SHRINK "
                   "percent (default 50) of them.")
@click.option("--compact", is_flag=True,
              help="Fold the services changed since the last full build into a copy of the database "
                   "(changes.db into directory.db): seconds, where a full rebuild takes minutes at scale.")
def publish_command(content_dir: Path | None, index_dir: Path | None, processes: int,
                    allow_shrink: bool, compact: bool) -> None:
    """Check the content, build a new release and make it live.

    On any error nothing changes: the site keeps serving the previous release. A
    publish that would drop most of the live services stops unless --allow-shrink.
    """
    run_publish(content_dir or config.content_dir(), index_dir or config.index_dir(), processes, allow_shrink,
                compact)


@click.command("releases")
@index_option
def releases_command(index_dir: Path | None) -> None:
    """List the kept releases, newest first; * marks the live one."""
    releases = ReleaseStore(index_dir or config.index_dir()).list()
    if not releases:
        click.echo("No releases yet: run 'earlyhelp publish'.")
    for release in releases:
        marker = "*" if release.is_current else " "
        click.echo(f"{marker} {release.id}  {release.created_at}  "
                   f"{release.counts.get('services', 0)} services")


@click.command("rollback")
@click.argument("release_id", required=False)
@index_option
def rollback_command(release_id: str | None, index_dir: Path | None) -> None:
    """Make an earlier release live again (default: the one before the live one)."""
    store = ReleaseStore(index_dir or config.index_dir())
    with store.lock():
        releases = store.list()
        current = store.current_id()
        if release_id is None:
            older = [release.id for release in releases if current is None or release.id < current]
            if not older:
                raise click.ClickException("There is no earlier release to roll back to.")
            release_id = older[0]
        try:
            store.switch(release_id)
        except ReleaseError as error:
            known = ", ".join(release.id for release in releases) or "none"
            raise click.ClickException(f"{error}. Kept releases: {known}") from None
    audit_command_line("release.rolled_back", release_id, {"from": current})
    click.echo(f"Live release is now {release_id} (was {current or 'none'}).")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True)
def serve_command(host: str, port: int, threads: int) -> None:
    """Serve the live release with a production WSGI server (publishes first if there is none)."""
    import waitress

    from . import create_app

    if ReleaseStore(config.index_dir()).current_id() is None:
        click.echo("No release yet: publishing the content first.", err=True)
        run_publish(config.content_dir(), config.index_dir())
    if not config.base_url():
        click.echo("Note: EARLYHELP_BASE_URL is not set, so unless site.yml has a base_url only requests "
                   "for localhost (or a host in EARLYHELP_TRUSTED_HOSTS) are answered: "
                   "see docs/operations.md.", err=True)
    from .web.request_overhead import settle_heap

    app = create_app()
    live = app.extensions["live_release"]
    live.after_open = settle_heap
    live.get()  # opened before the first request, not in it
    click.echo(f"Serving on http://{host}:{port}/", err=True)
    waitress.serve(app, host=host, port=port, threads=threads, ident="earlyhelp")


COMMANDS = (check_command, publish_command, releases_command, rollback_command, serve_command, import_group,
            export_group, user_group, backup_command, review_reminders_command, suggestions_group,
            translations_group, search_log_group, release_group, jobs_group)


@click.group()
def main() -> None:
    """Early Help Directory: check, publish and serve the directory."""


for _command in COMMANDS:
    main.add_command(_command)
