"""``python -m geo`` runs the command line."""

from geo.cli.main import run

run()
