"""The ``geo`` command: a thin group over one module per command (see ``geo/cli/``).

Each command parses its options, checks its output, calls the library and turns geo's own errors
into a one-line message and exit code 1; click's usage errors exit with 2. No analysis logic lives here.
"""

from __future__ import annotations

import logging
import signal
import sys
from typing import Annotated

import typer

from geo.cli import brief, data, export, layers, map_command, minerals, near, show, site, supply, validate

__all__ = ["app", "run"]

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Curated UK–Central Asia layers: list, inspect, validate, map, analyse and export them.",
    epilog="Examples:  geo layers  |  geo show campuses  |  geo export -o build/atlas.gpkg"
    "  |  geo map minerals -o build/minerals.html --png build/minerals.png",
)
app.command("layers")(layers.layers)
app.command("show")(show.show)
app.command("validate")(validate.validate)
app.command("export")(export.export)
app.command("map")(map_command.map_command)
app.command("near")(near.near)
app.command("site")(site.site)
app.command("supply")(supply.supply)
app.command("brief")(brief.brief)
app.command("minerals")(minerals.minerals)
app.add_typer(data.app, name="data")


def _version(value: bool) -> None:
    if value:
        import geo

        typer.echo(f"centralasia-geo {geo.__version__}")
        raise typer.Exit


@app.callback()
def main(
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More log output (-vv for debug).")] = 0,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Configure logging once, for the whole process: the library never does."""
    level = max(logging.DEBUG, logging.WARNING - 10 * verbose)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


def _terminate(signum: int, _frame: object) -> None:
    """Leave through the normal exit path, so temporary outputs are removed (see `geo.outputs.atomic_path`)."""
    raise SystemExit(128 + signum)


def run() -> None:
    """Entry point of the ``geo`` console script; SIGTERM and SIGHUP end it cleanly, like Ctrl-C."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    app()
