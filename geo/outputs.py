"""How geo writes a file: beside the target first, renamed into place only when complete, one writer at a time.

A path the user names is checked before any work (:func:`check_writable`); a write goes to a temporary file
beside it (:func:`atomic_path`) under an advisory lock (:func:`write_lock`), and an OSError becomes one line
that says what to do (:func:`write_error`).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from geo.errors import ExportError

__all__ = ["TMP_MARK", "atomic_path", "check_writable", "temporaries", "write_error", "write_lock"]

logger = logging.getLogger(__name__)

#: Temporary outputs are named ``.{target name}{TMP_MARK}{random}{suffix}`` beside the target.
TMP_MARK = ".tmp-"

_LOCK_TRIES = 3


def _lock_name(path: Path) -> Path:
    return path.parent / f".{path.name}.lock"


def temporaries(path: Path) -> list[Path]:
    """Return the temporary files and folders of writes to `path` (finished or not) lying beside it."""
    prefix = f".{path.name}{TMP_MARK}"
    try:
        return sorted(p for p in path.parent.iterdir() if p.name.startswith(prefix))
    except FileNotFoundError:
        return []


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def write_error(path: Path, err: OSError) -> ExportError:
    """Turn an OSError met while writing `path` into a one-line `ExportError` saying what to do."""
    if isinstance(err, PermissionError) or err.errno == errno.EROFS:
        msg = f"Cannot write {path}: the folder {path.parent} is read-only for you. Choose another output path."
    elif err.errno == errno.ENOSPC:
        msg = f"Cannot write {path}: the disk is full. Free some space or choose another output path."
    else:
        msg = f"Cannot write {path}: {err.strerror or err}. Choose another output path."
    return ExportError(msg)


def _acquire(lock: Path, path: Path) -> int:
    """Open and lock `lock` without waiting; return its descriptor."""
    for _ in range(_LOCK_TRIES):
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise write_error(path, err) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            msg = (
                f"Cannot write {path}: another process is writing it right now (it holds {lock.name}). "
                "Wait for it to finish, or write to another path."
            )
            raise ExportError(msg) from None
        try:  # a writer that just finished removes the lock file: make sure ours is still the one in place
            current = os.stat(lock).st_ino
        except FileNotFoundError:
            current = -1
        if current == os.fstat(fd).st_ino:
            return fd
        os.close(fd)
    msg = f"Cannot write {path}: its lock {lock.name} keeps changing; another process is writing it. Try again."
    raise ExportError(msg)


@contextlib.contextmanager
def write_lock(path: Path) -> Iterator[None]:
    """Hold an advisory lock on `path` for the block, so concurrent writers give one success and one error.

    The lock is ``.{name}.lock`` beside `path` (``flock``, released by the kernel if the process dies).
    While it is held, any temporary left beside `path` by an earlier write that was killed is stale
    and is removed.

    Raises
    ------
    ExportError
        Another process holds the lock, or the folder cannot be written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = _lock_name(path)
    fd = _acquire(lock, path)
    try:
        for stale in temporaries(path):
            logger.info("Removing %s, left by an earlier write to %s that did not finish", stale, path)
            _remove(stale)
        yield
    finally:
        lock.unlink(missing_ok=True)  # removed while still held, then released
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` only if the block succeeds.

    A failed or killed write never leaves a half-written `path` behind: the temporary is removed when
    the block fails (and on SIGTERM/SIGINT in the CLI), or by the next write to `path` if the process
    was killed. The write holds :func:`write_lock`, so a concurrent write to the same path fails with
    a clear `ExportError` instead of silently replacing this one. With ``overwrite=False`` an existing
    `path` (e.g. written meanwhile by another process) is an error, checked under the lock.

    Raises
    ------
    ExportError
        Another process is writing `path`, the folder is read-only or full, or `path` exists and
        `overwrite` is false.
    """
    with write_lock(path):
        if path.exists() and not overwrite:
            msg = f"{path} already exists; pass overwrite=True (CLI: --overwrite) to replace it."
            raise ExportError(msg)
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}{TMP_MARK}", suffix=path.suffix, dir=path.parent)
        except OSError as err:
            raise write_error(path, err) from None
        os.close(fd)
        tmp = Path(tmp_name)
        tmp.unlink()  # drivers want to create the file themselves
        try:
            yield tmp
            tmp.replace(path)
        except PermissionError as err:
            raise write_error(path, err) from None
        finally:
            if tmp.exists():
                _remove(tmp)


def check_writable(path: Path) -> None:
    """Raise `ExportError` unless `path` could be created: its nearest existing folder must be a writable folder."""
    folder = next((p for p in (path.parent, *path.parent.parents) if p.exists()), Path.cwd())
    if not folder.is_dir():
        msg = f"Cannot write {path}: {folder} is a file, not a folder. Choose another output path."
        raise ExportError(msg)
    if not os.access(folder, os.W_OK):
        msg = f"Cannot write {path}: the folder {folder} is read-only. Choose another output path."
        raise ExportError(msg)
