"""Scale-out on dask: the analysis functions on dask-geopandas frames, computed on one machine or a cluster.

``within_distance``, ``nearest``, ``overlaps``, ``summarize`` and ``geo.raster.zonal_stats`` accept a
dask-geopandas frame as their first layer and return a *lazy* result with the same columns as the
in-memory answer (their code sends it here). The first layer is the large one (points, zones): each
partition is answered by the in-memory function, so the result is identical to the in-memory one,
partition by partition. The second layer (the curated or reference layer) is brought into memory
once and shared with every task.

:func:`compute` runs a lazy result on the threads of this process, on a ``LocalCluster``
(``scheduler="local"``) or on a running ``dask.distributed`` scheduler (its address), reporting
each finished partition to a progress callback. dask and dask-geopandas come with
``pip install 'centralasia-geo[dask]'``.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.errors import GeoToolkitError

__all__ = ["compute", "is_lazy", "map_with", "require_dask", "summarize", "zonal_stats"]

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
_INSTALL = "pip install 'centralasia-geo[dask]'"


def is_lazy(obj: object) -> bool:
    """Whether `obj` is a dask collection (a dask or dask-geopandas frame), without importing dask."""
    return type(obj).__module__.split(".")[0] in ("dask", "dask_geopandas", "dask_expr")


def require_dask() -> None:
    """Raise a one-line error naming the extra to install if dask or dask-geopandas is missing."""
    try:
        import dask  # noqa: F401
        import dask_geopandas  # noqa: F401
    except ImportError as err:
        msg = f"Scaling out (--scheduler, lazy=True) needs the dask extra ({err.name} is missing): {_INSTALL}."
        raise GeoToolkitError(msg) from None


def in_memory(layer: Any, *, name: str) -> gpd.GeoDataFrame:
    """Return `layer` computed into memory when it is lazy (the small side of a pair)."""
    if is_lazy(layer):
        logger.info("Bringing %s into memory (the second layer is shared with every task)", name)
        return layer.compute()
    return layer


def map_with(func: Callable[..., Any], lazy: Any, other: Any, *args: Any, name: str, **kwargs: Any) -> Any:
    """Apply ``func(partition, other, *args, **kwargs)`` to every partition of `lazy`, lazily.

    `other` is computed once and shared with the tasks (a ``dask.delayed`` argument); the result's
    columns (its ``meta``) are those of ``func`` on an empty partition.
    """
    require_dask()
    from dask.delayed import delayed

    other = in_memory(other, name=name)
    meta = func(lazy._meta, other, *args, **kwargs)
    return lazy.map_partitions(func, delayed(other), *args, meta=meta, **kwargs)


def summarize(layer: Any, partial: Callable[..., pd.DataFrame], finish: Callable[..., pd.DataFrame]) -> Any:
    """Summaries on a lazy layer: `partial` per partition, then `finish` on their concatenation (lazy)."""
    require_dask()
    import dask.dataframe as dd
    from dask.delayed import delayed

    parts = layer.map_partitions(partial, meta=partial(layer._meta))
    meta = finish(partial(layer._meta))
    return dd.from_delayed([delayed(finish)(parts)], meta=meta, verify_meta=False)


def zonal_stats(zones: Any, func: Callable[..., pd.DataFrame], meta: pd.DataFrame, **kwargs: Any) -> Any:
    """Zonal statistics of a lazy zones layer: ``func(partition, **kwargs)`` per partition."""
    require_dask()
    return zones.map_partitions(func, meta=meta, **kwargs)


@contextlib.contextmanager
def _client(scheduler: str) -> Iterator[Any]:
    from dask.distributed import Client, LocalCluster

    if scheduler == "local":
        workers = max(1, min(os.cpu_count() or 1, 4))
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, dashboard_address=None, silence_logs=logging.WARNING
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as err:
        msg = (
            f"No dask scheduler answers at {scheduler!r} ({err}). Start one (`dask scheduler`, then "
            "`dask worker ADDRESS`) or use --scheduler local."
        )
        raise GeoToolkitError(msg) from None
    with client:
        yield client


def _concat(parts: list[Any]) -> Any:
    if not parts:
        return parts
    if isinstance(parts[0], gpd.GeoDataFrame):
        return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
    return pd.concat(parts, ignore_index=True)


def compute(lazy: Any, *, scheduler: str | None = None, progress: Progress | None = None) -> Any:
    """Compute a lazy result, calling ``progress(done, total)`` as its partitions finish.

    Parameters
    ----------
    lazy
        A dask collection from one of the analysis functions (or anything with ``to_delayed``).
    scheduler
        ``None``: the threads of this process; ``"local"``: a ``LocalCluster`` on this machine (one
        worker process per core, up to 4); otherwise the address of a running scheduler
        (``tcp://host:8786``).
    progress
        Called with the number of partitions done and the total.

    Raises
    ------
    GeoToolkitError
        dask is not installed, or no scheduler answers at the address.
    """
    require_dask()
    from dask.base import compute as dask_compute

    parts = lazy.to_delayed()
    total = len(parts)
    if scheduler is None:
        from dask.callbacks import Callback

        done = [0]
        keys = {p.key for p in parts}

        def _posttask(key: Any, result: Any, dsk: Any, state: Any, worker_id: Any) -> None:
            if key in keys:
                done[0] += 1
                if progress:
                    progress(done[0], total)

        with Callback(posttask=_posttask):
            results = list(dask_compute(*parts, scheduler="threads"))
        return _concat(results)
    from dask.distributed import as_completed

    with _client(scheduler) as client:
        futures = client.compute(parts)
        for i, _ in enumerate(as_completed(futures), start=1):
            if progress:
                progress(i, total)
        return _concat(client.gather(futures))
