"""The output folder of a run: checked and locked before the run starts, replaced as a set at the end.

A run (scan, evaluate, demo) opens its folder before any AWS call: the folder is created if needed
(a file in the way, or a folder that cannot be created or written, is an InputError naming it, exit
2) and locked, so a second run into the same folder is refused at once instead of mixing its files
with the first one's. The run then writes everything (inventory, reports, input copies, run.json)
into a private staging folder inside it, and ``commit`` moves the files into place with SIGINT and
SIGTERM held, run.json last, and removes the files of the previous run that this run did not
write. Files the auditor did not write (a README, notes) are never touched.

So the folder holds either the previous run or this one, never a mix: an interrupt before the
commit leaves the previous run as it was; one during the commit waits the few milliseconds it takes.
A crash (power loss, SIGKILL) in the middle of the commit can still leave a mix, and ``evidence
pack`` refuses such a folder: every file must have the digest run.json records for it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from auditor import interrupts
from auditor.errors import InputError
from auditor.fileio import ensure_folder, first_file_in_the_way
from auditor.report.evidence import RUN_FILE, RUN_OWNED_FILES, files_of_run

LOCK_FILE = ".auditor.lock"
STAGING_PREFIX = ".auditor-staging-"


def _missing_top(path: Path) -> Path | None:
    """The outermost folder of ``path`` that does not exist yet (what creating ``path`` creates)."""
    top = None
    for candidate in (path, *path.parents):
        if candidate.exists():
            break
        top = candidate
    return top


def _try_lock(fd: int) -> bool:
    """Take an exclusive lock on the open file ``fd`` without waiting; False when another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(lock: Path) -> str:
    try:
        text = lock.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        text = ""
    if not text or not text.isprintable() or len(text) > 200:
        return "another auditor run"
    return f"another auditor run ({text})"


def _acquire(folder: Path, source: str) -> int:
    """Lock ``folder`` for this process: the lock file is opened, flock'ed, and checked to still be
    the file at that path (a finishing run removes its lock file, so a stale handle must not count)."""
    lock = folder / LOCK_FILE
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise InputError(source, f"cannot write into {folder}: {exc.strerror or exc}") from None
        if not _try_lock(fd):
            os.close(fd)
            raise InputError(
                source,
                f"{_holder(lock)} is writing into {folder}; wait for it to finish or choose another "
                "--output-dir",
            )
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    os.ftruncate(fd, 0)
    os.write(fd, f"pid {os.getpid()}, started {stamp}\n".encode())
    return fd


def _release(lock: Path, fd: int) -> None:
    """Remove the lock file while still holding the lock (see _acquire), then release it."""
    if sys.platform == "win32":
        os.close(fd)
        # Windows cannot remove a file another process has open: that process then owns it.
        with suppress(PermissionError):
            lock.unlink(missing_ok=True)
        return
    lock.unlink(missing_ok=True)
    os.close(fd)


def _remove_empty(path: Path, created: Path | None) -> None:
    """Remove ``path`` and its parents up to ``created`` (the folders a run created), while empty."""
    if created is None:
        return
    folder = path
    while True:
        try:
            folder.rmdir()
        except OSError:  # not empty (the user put something there meanwhile)
            return
        if folder == created:
            return
        folder = folder.parent


def already_written(path: Path) -> str:
    """What an interrupt after the run was committed says of ``path``."""
    return f"the run was already written: {path} holds its complete reports and {RUN_FILE}"


class RunFolder:
    """An output folder held by one run; use ``RunFolder.open(path)`` as a context manager."""

    def __init__(self, path: Path, *, lock_fd: int, created: Path | None, had_run: bool) -> None:
        self.path = path
        self._lock_fd: int | None = lock_fd
        self._created = created  # the outermost folder this run created, removed again if unused
        self._had_run = had_run  # a previous run's run.json was there
        self._staging: Path | None = None
        self.committed = False

    @classmethod
    def open(cls, path: Path, *, source: str = "--output-dir") -> RunFolder:
        """Create (if needed) and lock ``path``; InputError (exit 2) when it cannot be written or
        another run holds it. Leftover staging folders of a run that was killed are removed."""
        created = _missing_top(path)
        ensure_folder(path, source)
        try:
            fd = _acquire(path, source)
        except BaseException:
            _remove_empty(path, created)
            raise
        folder = cls(path, lock_fd=fd, created=created, had_run=(path / RUN_FILE).is_file())
        with folder._closed_on_error():
            for stale in path.glob(f"{STAGING_PREFIX}*"):
                if stale.is_dir() and not stale.is_symlink():
                    shutil.rmtree(stale)
        return folder

    @contextmanager
    def _closed_on_error(self) -> Iterator[None]:
        try:
            yield
        except BaseException:
            self.close()
            raise

    def staging(self) -> Path:
        """The private folder this run writes into before ``commit`` (created on first use)."""
        if self._staging is None:
            self._staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.path))
        return self._staging

    def commit(self, files: Sequence[str]) -> None:
        """Move the staged ``files`` (relative paths, run.json among them) into the folder, replacing
        the previous run: its files that this run did not write are removed. Signals are held
        meanwhile, so an interrupt cannot leave half of each run."""
        staging = self.staging()
        for name in files:
            target = self.path / name
            if target.is_dir() and not target.is_symlink():
                raise InputError(str(target), "a folder is in the way of a file of the run; move it away")
            blocker = first_file_in_the_way(target.parent)
            if blocker is not None:
                raise InputError(str(blocker), "a file is in the way of a folder of the run; move it away")
        ordered = sorted(files, key=lambda n: n == RUN_FILE)  # run.json last
        with interrupts.deferred():
            try:
                previous = set(files_of_run(self.path)) | {
                    n for n in RUN_OWNED_FILES if (self.path / n).is_file()
                }
                # Without its record, a half-replaced folder can never pass for a complete run.
                (self.path / RUN_FILE).unlink(missing_ok=True)
                for name in ordered:
                    target = self.path / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(staging / name, target)
                for name in sorted(previous - set(files)):
                    self._remove(name)
                shutil.rmtree(staging)
            except OSError as exc:
                raise InputError(
                    str(exc.filename or self.path),
                    f"cannot write the run: {exc.strerror or exc}; {self.path} has no run.json now "
                    "(it holds no complete run): run again",
                ) from None
            self._staging = None
            self.committed = True

    def _remove(self, name: str) -> None:
        """Remove a file of the previous run, and the folders under inputs/ it leaves empty."""
        target = self.path / name
        if target.is_dir() and not target.is_symlink():
            return  # not a file any more: not the previous run's to remove
        target.unlink(missing_ok=True)
        inputs = self.path / "inputs"
        folder = target.parent
        while folder != self.path and inputs in (folder, *folder.parents):
            try:
                folder.rmdir()
            except OSError:  # not empty: it holds other files
                break
            folder = folder.parent

    def close(self) -> None:
        """Remove the staging folder, release the lock, and remove the folder again if this run
        created it and wrote nothing."""
        with interrupts.deferred():
            if self._staging is not None:
                shutil.rmtree(self._staging, ignore_errors=True)
                self._staging = None
            if self._lock_fd is not None:
                _release(self.path / LOCK_FILE, self._lock_fd)
                self._lock_fd = None
            if not self.committed:
                _remove_empty(self.path, self._created)

    def describe(self) -> str:
        """What this run left in the folder, for the interrupt message."""
        if self.committed:
            return already_written(self.path)
        if self._created is not None and not self.path.exists():
            return f"nothing was written; {self.path} was not created"
        if self._had_run:
            return f"nothing was written; {self.path} still holds the previous run"
        return f"nothing was written to {self.path}"

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
        if isinstance(exc, KeyboardInterrupt):
            raise interrupts.Interrupted(interrupts.signal_of(exc), self.describe()) from exc
