"""A throwaway PostgreSQL cluster with PostGIS, from Debian's packages, for the tests and notebook 04.

``make test`` installs ``postgresql-15-postgis-3``. The cluster lives in a temporary folder, listens on a
free port on 127.0.0.1 only, trusts local connections (it holds nothing but test data) and is stopped
and deleted after. PostgreSQL refuses to run as root, so as root (CI) it runs as Debian's ``postgres``
user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

#: Where Debian puts the server binaries and the PostGIS library, newest version first.
_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
DATABASE = "atlas"


def server_bin() -> Path | None:
    """The newest PostgreSQL server with PostGIS installed, or ``None``."""
    for bin_dir in _BIN_DIRS:
        if (bin_dir / "initdb").exists() and (bin_dir.parent / "lib" / "postgis-3.so").exists():
            return bin_dir
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


@contextlib.contextmanager
def temporary_postgis() -> Iterator[str]:
    """Start a cluster with a database holding PostGIS; yield its URL; stop and delete it after."""
    import psycopg

    bin_dir = server_bin()
    if bin_dir is None:
        msg = "PostgreSQL with PostGIS is not installed (Debian: postgresql-15-postgis-3; `make test` installs it)"
        raise FileNotFoundError(msg)
    root = Path(tempfile.mkdtemp(prefix="geo-postgis-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    data, port = root / "data", _free_port()
    run = {"check": True, "capture_output": True, "text": True, "timeout": 120}
    subprocess.run(
        _as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
        **run,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run(
        _as_server_user(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"]
        ),
        **run,
    )
    try:
        admin = f"postgresql://postgres@127.0.0.1:{port}"
        with psycopg.connect(f"{admin}/postgres", autocommit=True) as con:
            con.execute(f"CREATE DATABASE {DATABASE}")
        with psycopg.connect(f"{admin}/{DATABASE}", autocommit=True) as con:
            con.execute("CREATE EXTENSION postgis")
        yield f"{admin}/{DATABASE}"
    finally:
        subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]), **run)
        shutil.rmtree(root, ignore_errors=True)
