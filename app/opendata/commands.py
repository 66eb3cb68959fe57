"""``earlyhelp import ...`` and ``earlyhelp export ...``."""

from __future__ import annotations

import click


@click.group("import")
def import_group() -> None:
    """Bring entries in from another directory (Open Referral UK feed or a spreadsheet)."""


@click.group("export")
def export_group() -> None:
    """Write the published directory out as open data."""
