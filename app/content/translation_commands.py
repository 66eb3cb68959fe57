"""``earlyhelp translations stamp`` and ``earlyhelp translations status``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import config
from .loader import display_path, load_content
from .stamping import StampError, stamp_files
from .translation_status import status_lines, translation_status


@click.group("translations")
def translations_group() -> None:
    """Translations of entries: record what they were translated from, list what is missing."""


@translations_group.command("stamp")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def stamp_command(files: tuple[Path, ...]) -> None:
    """Write the English entry's fingerprint into each translation FILE.

    Run it after checking a translation against the current English text:
    it records that the translation is up to date. Only the
    source_fingerprint line of each file changes.
    """
    failed = 0
    for result in stamp_files(list(files)):
        if isinstance(result, StampError):
            failed += 1
            click.echo(f"{display_path(result.path)}: {result}", err=True)
        elif result.changed:
            click.echo(f"{display_path(result.path)}: stamped {', '.join(result.fingerprints)}")
        else:
            click.echo(f"{display_path(result.path)}: already up to date")
    if failed:
        sys.exit(1)


@translations_group.command("status")
@click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Content folder (default: $EARLYHELP_CONTENT_DIR or ./content).")
@click.option("--language", "languages", multiple=True, metavar="LANG",
              help="Only this language (repeat for several).")
def status_command(content_dir: Path | None, languages: tuple[str, ...]) -> None:
    """For each offered language, the entries not yet translated and the translations out of date."""
    content = load_content(content_dir or config.content_dir())
    offered = content.translated_languages
    unknown = [code for code in languages if code not in offered]
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)} not offered; site.yml offers "
                                 f"{', '.join(offered) or 'no language but the default'}",
                                 param_hint="--language")
    if not offered:
        click.echo(f"site.yml offers only {content.site.default_language}: nothing to translate.")
    for status in translation_status(content, list(languages) or None):
        for line in status_lines(status):
            click.echo(line)
