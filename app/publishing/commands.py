"""``earlyhelp release push`` / ``pull``: releases between the editing node and read nodes."""

from __future__ import annotations

from pathlib import Path

import click

from .. import config
from .publish import KEEP_RELEASES
from .transfer import TransferError, pull, push

_index_option = click.option(
    "--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Index folder for releases (default: $EARLYHELP_INDEX_DIR or ./search_index).")
_release_option = click.option("--release", "release_id", default=None, metavar="ID",
                               help="A release id (default: see above).")


@click.group("release")
def release_group() -> None:
    """Move releases between the editing node and read nodes (a folder or s3://BUCKET/PREFIX)."""


@release_group.command("push")
@click.argument("destination")
@_release_option
@click.option("--latest/--no-latest", default=True, show_default=True,
              help="Make it the release that read nodes pulling the latest switch to.")
@_index_option
def push_command(destination: str, release_id: str | None, latest: bool, index_dir: Path | None) -> None:
    """Copy the live release (or --release ID) to DESTINATION as one archive with its SHA-256.

    DESTINATION is a folder or s3://BUCKET/PREFIX (credentials and endpoint from
    boto3's usual settings, e.g. AWS_ENDPOINT_URL for storage other than AWS).
    """
    try:
        pushed = push(index_dir or config.index_dir(), destination, release_id=release_id, latest=latest)
    except TransferError as error:
        raise click.ClickException(f"Not pushed: {error}.") from None
    record = pushed.record
    if pushed.uploaded:
        click.echo(f"Pushed release {record['id']} to {destination} ({record['size']:,} bytes, "
                   f"sha256 {record['sha256'][:12]}...).")
    else:
        click.echo(f"Release {record['id']} was already at {destination}.")
    if pushed.named_latest:
        click.echo("It is now the latest: read nodes pulling the latest switch to it.")


@release_group.command("pull")
@click.argument("source")
@_release_option
@click.option("--keep", type=click.IntRange(1, 100), default=KEEP_RELEASES, show_default=True,
              help="How many releases this node keeps (for rollback).")
@_index_option
def pull_command(source: str, release_id: str | None, keep: int, index_dir: Path | None) -> None:
    """Fetch the latest release pushed to SOURCE (or --release ID), check it and make it live.

    A corrupt, partial or incompatible archive is refused and the live release
    is untouched. Running web servers switch on their next request. Pulling a
    release that is already live does nothing, so this can run every minute.
    """
    try:
        pulled = pull(index_dir or config.index_dir(), source, release_id=release_id, keep=keep)
    except TransferError as error:
        raise click.ClickException(f"Not pulled: {error}. The live release is unchanged.") from None
    if not pulled.switched:
        click.echo(f"Release {pulled.release_id} is already live.")
    else:
        how = "pulled" if pulled.downloaded else "was kept here"
        click.echo(f"Release {pulled.release_id} {how}; now live.")
