"""SIGINT (Ctrl-C) and SIGTERM (CI runners, container stops) end a run the same way.

Both raise ``Interrupted`` in the main thread. It is a ``KeyboardInterrupt``, so every path that
already handles Ctrl-C (click, the scan's thread pool) handles SIGTERM too. The exit code is the
conventional 128 + signal number: 130 for SIGINT, 143 for SIGTERM.

This module imports little (``os``, ``signal``): ``auditor.entry`` installs the handlers before the
rest of the auditor (click, boto3, jinja2) is imported.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from types import FrameType, TracebackType

SIGNALS = (signal.SIGINT, signal.SIGTERM)

Handler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived. ``written`` says what the run had written by then (None: the
    command has no run folder; every file it writes is atomic, so nothing is half-written)."""

    def __init__(self, signum: int, written: str | None = None) -> None:
        super().__init__(signum)
        self.signum = signum
        self.written = written

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def _raise(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


def install() -> None:
    """Make SIGINT and SIGTERM raise ``Interrupted`` in the main thread."""
    for signum in SIGNALS:
        signal.signal(signum, _raise)


def ignore() -> None:
    """Ignore SIGINT and SIGTERM from now on (the process is exiting: a late signal must not turn
    into a traceback while the interpreter shuts down)."""
    for signum in SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def signal_of(exc: BaseException) -> int:
    """The signal behind an interrupt: a plain KeyboardInterrupt is SIGINT."""
    return exc.signum if isinstance(exc, Interrupted) else int(signal.SIGINT)


def behind(exc: BaseException) -> KeyboardInterrupt | None:
    """The interrupt an exception was raised from, if any (its cause or context chain). Python 3.11
    wraps an exception raised in ``__set_name__`` (a dataclass being created while an import runs
    when the signal lands) in a RuntimeError whose cause is the interrupt."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def describe(exc: BaseException) -> tuple[str, int]:
    """(one-line message, exit code) for an interrupt."""
    signum = signal_of(exc)
    name = signal.Signals(signum).name
    written = exc.written if isinstance(exc, Interrupted) else None
    if written is None:
        return f"interrupted ({name}); no partial files were left behind", 128 + signum
    return f"interrupted ({name}): {written}", 128 + signum


def _redeliver(signum: int, handler: Handler) -> None:
    if callable(handler):
        handler(signum, None)
    elif handler == signal.SIG_DFL:
        os.kill(os.getpid(), signum)  # the default action: terminate as the sender intended


class _Deferred:
    """The context manager behind ``deferred()``."""

    def __init__(self) -> None:
        self._pending: list[int] = []
        self._previous: dict[int, Handler] = {}

    def _record(self, signum: int, _frame: FrameType | None) -> None:
        self._pending.append(signum)

    def __enter__(self) -> None:
        try:
            for signum in SIGNALS:
                self._previous[signum] = signal.signal(signum, self._record)
        except ValueError:  # not the main thread: signals are not ours to hold
            self._restore()

    def _restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._restore()
        if self._pending:
            signum = self._pending[0]
            _redeliver(signum, self._previous[signum])


def deferred() -> _Deferred:
    """``with deferred(): ...`` holds SIGINT and SIGTERM until the block is done, then acts on the
    first one that came (raises ``Interrupted`` under the CLI's handlers).

    For short steps that must not stop half-way, such as moving a run's files into place. Outside
    the main thread (where Python cannot set handlers) the block simply runs.
    """
    return _Deferred()
