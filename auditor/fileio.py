"""Atomic file writes (a reader never sees a half-written inventory, report or bundle), and checks that
an output location can be written before any work is done."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from auditor.errors import InputError


def read_text(path: Path, source: str | None = None) -> str:
    """Read a UTF-8 text file the user named; InputError (naming ``source`` or the path) if it cannot be."""
    label = source or str(path)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(label, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(label, "not UTF-8 text") from None


def first_file_in_the_way(path: Path) -> Path | None:
    """The nearest existing ancestor of ``path`` (or ``path`` itself) that is not a folder."""
    for candidate in (path, *path.parents):
        if candidate.exists() or candidate.is_symlink():
            return None if candidate.is_dir() else candidate
    return None


def ensure_folder(path: Path, source: str) -> None:
    """Create ``path`` (and its parents) as a folder; InputError naming what is in the way."""
    blocker = first_file_in_the_way(path)
    if blocker == path:
        raise InputError(source, f"{path} exists and is not a folder")
    if blocker is not None:
        raise InputError(source, f"cannot create {path}: {blocker} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(source, f"cannot create {path}: {exc.strerror or exc}") from None


def check_file_target(path: Path, source: str) -> None:
    """Check, without creating anything, that a file can be written at ``path``: it is not a folder,
    no file is in the way of its folder, and the nearest existing folder is writable. InputError
    (exit 2) naming the path otherwise."""
    if path.is_dir():
        raise InputError(source, f"{path} is a folder; give a file name")
    blocker = first_file_in_the_way(path.parent)
    if blocker is not None:
        raise InputError(source, f"cannot create {path}: {blocker} is a file, not a folder")
    existing = next(p for p in (path.parent, *path.parent.parents) if p.exists())
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(source, f"cannot write {path}: {existing} is not writable")


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename it.

    The rename is atomic on POSIX and Windows, so an interrupted run leaves either the old file or
    the new one, never a truncated one. The temporary file is removed on any failure.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    write_atomic_with(path, lambda handle: handle.write(payload))


def write_atomic_with(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """As ``write_atomic``, with the content written by ``write(handle)`` (a large file streamed in
    pieces instead of held whole)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates 0600; give the file the mode a plain open() would (0666 minus the umask).
        os.chmod(tmp, 0o666 & ~_current_umask())
        with os.fdopen(fd, "w+b") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
