"""Notebook 04 exports to PostGIS through ``GEO_POSTGIS_URL``: under pytest it gets a throwaway cluster.

The cluster (tests/pgcluster.py, Debian's postgresql-15-postgis-3) is started only for that notebook and
stopped after it. Without PostgreSQL the notebook says it skips its PostGIS part; under CI that is a failure.
"""

from __future__ import annotations

import contextlib
import os

import pytest

from tests.conftest import IN_CI
from tests.pgcluster import server_bin, temporary_postgis

_POSTGIS_NOTEBOOK = "04_export_to_qgis.ipynb"
_ENV = "GEO_POSTGIS_URL"
_cluster = contextlib.ExitStack()


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.path.name != _POSTGIS_NOTEBOOK or _ENV in os.environ:
        return
    if server_bin() is None:
        if IN_CI:
            pytest.fail("PostgreSQL with PostGIS is not installed (postgresql-15-postgis-3; `make test` installs it)")
        return
    os.environ[_ENV] = _cluster.enter_context(temporary_postgis())
    _cluster.callback(os.environ.pop, _ENV, None)


def pytest_runtest_teardown(item: pytest.Item) -> None:
    if item.path.name == _POSTGIS_NOTEBOOK:
        _cluster.close()
