"""`python -m harvester` is the `harvester` command."""

from .cli import cli

cli(prog_name="harvester")
