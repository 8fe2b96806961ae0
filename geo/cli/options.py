"""Options and rules shared by every ``geo`` command (after rasterio's ``rio/options.py``).

The output rule is the same everywhere: a path the user names is written where they name it (``~``
expanded), never over an existing file without ``--overwrite``, and it is checked *before* any
computing, so a bad path fails in a second, not after the work.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from geo.errors import ExportError, GeoToolkitError, GeoToolkitWarning

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "Commodity",
    "Crs",
    "Decimal",
    "Delimiter",
    "Encoding",
    "Lang",
    "Limit",
    "Overwrite",
    "Scheduler",
    "Trusted",
    "Where",
    "err",
    "load_any",
    "load_lazy",
    "out",
    "run_lazy",
    "selected",
    "user_errors",
    "user_output",
]

F = TypeVar("F", bound=Callable[..., Any])

Overwrite = Annotated[bool, typer.Option("--overwrite", help="Replace the output if it exists.")]


def _checked(check: Callable[[str], object]) -> Callable[[str | None], str | None]:
    """Return an option callback that runs `check` before any work: geo's error becomes a usage error."""
    from geo.errors import GeoToolkitError

    def callback(value: str | None) -> str | None:
        if value is not None:
            try:
                check(value)
            except GeoToolkitError as error:
                raise typer.BadParameter(str(error)) from None
        return value

    return callback


def _parse_crs(value: str) -> object:
    from geo.crs import parse_crs

    return parse_crs(value)


def _check_encoding(value: str) -> object:
    from geo.read_checks import check_encoding

    return check_encoding(value)


def _inputs() -> Any:
    import geo.read_checks

    return geo.read_checks


Crs = Annotated[
    str | None,
    typer.Option(help="CRS of input files that declare none, e.g. EPSG:4326.", callback=_checked(_parse_crs)),
]
Encoding = Annotated[
    str | None,
    typer.Option(help="Text encoding of input files if not UTF-8, e.g. cp1251.", callback=_checked(_check_encoding)),
]
Delimiter = Annotated[
    str | None,
    typer.Option(
        help="Delimiter of input CSVs: ',', ';', '|' or tab [default: recognised, with a warning if not ',']",
        callback=_checked(lambda value: _inputs().check_delimiter(value)),
        show_default=False,
    ),
]
Decimal = Annotated[
    str | None,
    typer.Option(
        help="Decimal separator of input CSVs' coordinates: '.' or ',' [default: decimal commas recognised]",
        callback=_checked(lambda value: _inputs().check_decimal(value)),
        show_default=False,
    ),
]
Limit = Annotated[int, typer.Option(min=1, help="Show at most this many rows.")]
Trusted = Annotated[
    bool,
    typer.Option(
        "--trusted",
        help="The input files are yours: let GDAL open any format, including files that read other files (VRT).",
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Run on dask: 'local' (a LocalCluster on this machine) or a scheduler address (tcp://host:8786). "
        "Needs pip install 'centralasia-geo[dask]'.",
    ),
]


def run_lazy(lazy: Any, *, scheduler: str | None, label: str) -> Any:
    """Compute a lazy (dask) result with a progress bar on stderr that follows its partitions."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from geo.analysis.scale import compute

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err()
    ) as progress:
        task = progress.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return compute(lazy, scheduler=scheduler, progress=advance)


def load_lazy(layer: str, *, crs: str | None = None, partitions: int | None = None) -> Any:
    """Return a layer or file as a dask-geopandas frame (a partitioned GeoParquet folder is read lazily)."""
    import os

    import geo
    from geo.analysis.scale import require_dask

    require_dask()
    import dask_geopandas

    path = Path(layer)
    if path.is_dir() or path.suffix.lower() in (".parquet", ".geoparquet"):
        return geo.read(path, crs=crs, lazy=True)
    frame = load_any(layer, crs=crs)
    return dask_geopandas.from_geopandas(frame, npartitions=partitions or max(1, os.cpu_count() or 1))


def out() -> Console:
    """Results go to stdout."""
    return Console(highlight=False, markup=False)


def err() -> Console:
    """Diagnostics go to stderr."""
    return Console(stderr=True, highlight=False, markup=False)


def user_errors(func: F) -> F:
    """Show geo's warnings as one-line messages; turn its errors into one line on stderr and exit code 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("always", GeoToolkitWarning)
            warnings.showwarning = _one_line  # as it happens, so a warning comes before the error it led to
            try:
                return func(*args, **kwargs)
            except GeoToolkitError as exc:
                err().print(f"Error: {exc}", markup=False, soft_wrap=True)
                raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]


def _one_line(message: Warning | str, *_: object, **__: object) -> None:
    """Show a warning as one line on stderr (no file name, line number or source line)."""
    err().print(f"Warning: {message}", markup=False, soft_wrap=True)


def user_output(path: Path, *, overwrite: bool, suffixes: Sequence[str] = ()) -> Path:
    """Check a user-named output before any work; return it with ``~`` expanded.

    Raises
    ------
    ExportError
        Wrong suffix, an existing file without ``--overwrite``, or a folder that cannot be written.
    """
    from geo.outputs import check_writable

    path = path.expanduser()
    if suffixes and path.suffix.lower() not in suffixes:
        msg = f"{path.name}: this output is written as {' or '.join(suffixes)} (e.g. {path.stem}{suffixes[0]})."
        raise ExportError(msg)
    if path.exists() and not overwrite:
        msg = f"{path} already exists; pass --overwrite to replace it."
        raise ExportError(msg)
    check_writable(path)
    return path


def load_any(
    layer: str,
    *,
    crs: str | None = None,
    encoding: str | None = None,
    trusted: bool = False,
    delimiter: str | None = None,
    decimal: str | None = None,
) -> gpd.GeoDataFrame:
    """Return a registered layer by name, or a user's file by path (anything with a suffix, or that exists)."""
    import geo
    from geo import registry

    if layer in registry.names():
        return geo.load(layer)
    if Path(layer).suffix or Path(layer).exists():
        return geo.read(layer, crs=crs, encoding=encoding, delimiter=delimiter, decimal=decimal, trusted=trusted)
    return geo.load(layer)  # raises UnknownLayerError listing the layers


def _check_lang(value: str) -> None:
    from geo.i18n import words

    words(value)


#: The language of a map's or brief's interface text (``geo.i18n.LANGUAGES``); checked before any work.
Lang = Annotated[
    str,
    typer.Option("--lang", help="Language of the interface text: en or ru.", callback=_checked(_check_lang)),
]


# --- Selection: --where and --commodity, declared once for every command that selects features ---------------
# (geo show, export, map and near; the rules live in geo.analysis.select)

Where = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        help="Keep only features that meet this (repeatable: all must hold), e.g. 'commodities contains uranium', "
        "'country = KAZ', 'country in KAZ,UZB', 'production_value >= 1000'.",
    ),
]
Commodity = Annotated[
    str | None,
    typer.Option(help="Keep only features with this commodity (the same as --where 'commodities contains X')."),
]


def conditions(where: Sequence[str] | None, commodity: str | None) -> list[str]:
    """Return the conditions ``--where`` and ``--commodity`` give, in that order."""
    return [*(where or []), *([f"commodities contains {commodity}"] if commodity else [])]


def selected(
    layers: dict[str, gpd.GeoDataFrame], where: Sequence[str] | None, commodity: str | None
) -> dict[str, gpd.GeoDataFrame]:
    """Return the features of `layers` that meet ``--where`` and ``--commodity``; say which layers were left out.

    Raises
    ------
    LayerSchemaError
        A condition no layer can answer (a field none has, a value none holds: the closest are named).
    """
    from geo.analysis.select import select
    from geo.errors import LayerSchemaError

    wanted = conditions(where, commodity)
    if not wanted:
        return layers
    try:
        kept = select(layers, wanted)
    except ValueError as exc:
        raise LayerSchemaError(str(exc)) from None
    if left := [name for name in layers if name not in kept]:
        err().print(f"Left out (no feature meets {' and '.join(wanted)}): {', '.join(left)}.", soft_wrap=True)
    return kept
