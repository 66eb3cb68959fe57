"""``earlyhelp import oruk``, ``earlyhelp import csv`` and ``earlyhelp export csv``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ... import config
from ...content import ContentError
from .feed import FeedError
from .from_oruk import import_oruk
from .spreadsheet import CsvFileError, export_csv, import_csv
from .target import TargetError

into_option = click.option(
    "--into", "into", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Content folder to write into (default: $EARLYHELP_CONTENT_DIR or ./content). It needs its "
         "site.yml, taxonomy/ and hubs/ already.")
force_option = click.option(
    "--force", is_flag=True,
    help="Overwrite entries an editor has changed (or moved, or deleted) since the last import.")


@click.command("oruk")
@click.argument("source")
@into_option
@force_option
@click.option("--timeout", type=click.FloatRange(1, 600), default=30, show_default=True,
              help="Seconds to wait for each HTTP response.")
def import_oruk_command(source: str, into: Path | None, force: bool, timeout: float) -> None:
    """Import services and organisations from an Open Referral UK 3.0 feed.

    SOURCE is the feed's URL (https://.../api/oruk/ or .../services; every page
    is read), a saved JSON or ndjson file, or a folder written by `earlyhelp
    export oruk`. Entries are written to services/ and organisations/;
    entries that cannot pass `earlyhelp check` yet go to import-review/ with
    the reasons. Running it again updates what it wrote before, and leaves
    alone whatever an editor has changed since (unless --force).
    """
    try:
        report = import_oruk(source, into or config.content_dir(), force=force, timeout=timeout)
    except (TargetError, FeedError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(report.text(), nl=False)


@click.command("csv")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@into_option
@force_option
def import_csv_command(file: Path, into: Path | None, force: bool) -> None:
    """Import services from a spreadsheet saved as CSV (one row per service).

    The columns are described in docs/csv-import.md, with a template in
    docs/services-template.csv. Rows with problems are listed as
    FILE:ROW: column: message and not imported; every other row is. Exits
    with status 1 when any row was not imported.
    """
    try:
        report = import_csv(file, into or config.content_dir(), force=force)
    except (TargetError, CsvFileError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(report.text(), nl=False)
    if report.bad_rows:
        sys.exit(1)


@click.command("csv")
@click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Content folder (default: $EARLYHELP_CONTENT_DIR or ./content).")
@click.option("--output", "-o", default="-", show_default=True,
              help="CSV file to write, or - for standard output.")
def export_csv_command(content_dir: Path | None, output: str) -> None:
    """Write every service of the content folder (published, draft and archived) as CSV.

    The columns are those `earlyhelp import csv` reads, so the file can be
    edited in a spreadsheet and imported again. A file gets a UTF-8 byte
    order mark so Excel shows accents and other scripts correctly.
    """
    content_dir = content_dir or config.content_dir()
    try:
        if output == "-":
            count = export_csv(content_dir, sys.stdout)
        else:
            with open(output, "w", encoding="utf-8-sig", newline="") as stream:
                count = export_csv(content_dir, stream)
    except ContentError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{content_dir} has {len(error.problems)} error(s); fix them first "
                                   "(earlyhelp check)") from None
    click.echo(f"Exported {count} services to {'standard output' if output == '-' else output}.", err=True)
