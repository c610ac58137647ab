"""Atomic file writes: a reader never sees a half-written inventory, report or bundle."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates 0600; give the file the mode a plain open() would (0666 minus the umask).
        os.chmod(tmp, 0o666 & ~_current_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
