"""``python -m app`` runs the ``earlyhelp`` command line."""

from .cli import main

main(prog_name="earlyhelp")
