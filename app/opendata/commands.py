"""``earlyhelp import ...`` and ``earlyhelp export ...``."""

from __future__ import annotations

from pathlib import Path

import click

from .. import config
from ..publishing.releases import ReleaseStore
from .importing.commands import export_csv_command, import_csv_command, import_oruk_command


@click.group("import")
def import_group() -> None:
    """Bring entries in from another directory (Open Referral UK feed or a spreadsheet)."""


@click.group("export")
def export_group() -> None:
    """Write the published directory out as open data."""


@export_group.command("oruk")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Index folder of releases (default: $EARLYHELP_INDEX_DIR or ./search_index).")
@click.option("--base-url", default=None,
              help="Where FOLDER will be published (e.g. https://data.example.gov.uk/oruk/), for the "
                   "absolute openapi_url ORUK asks for. Default: the folder's file: URL.")
def export_oruk_command(folder: Path, index_dir: Path | None, base_url: str | None) -> None:
    """Write the live release's Open Referral UK feed to FOLDER as static JSON files."""
    from .export_oruk import export_oruk

    store = ReleaseStore(index_dir or config.index_dir())
    current = store.current_id()
    if current is None:
        raise click.ClickException("Nothing is published yet: run 'earlyhelp publish' first.")
    count = export_oruk(store.get(current), folder, base_url)
    click.echo(f"Wrote the Open Referral UK feed of release {current} to {folder}: {count} services.")


import_group.add_command(import_oruk_command)
import_group.add_command(import_csv_command)
export_group.add_command(export_csv_command)
