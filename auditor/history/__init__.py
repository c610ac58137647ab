"""Run history: every scan / evaluate run recorded in a database, and read back as lifecycle and trends.

The seam the pipeline uses (everything else in this package is behind it):

- ``check(options)`` before any AWS call: an existing history must be usable (not corrupt, not newer).
- ``attach(options, result)`` before rendering: ``result.history`` = the lifecycle of this run's
  findings and the trend of its scope, as plain data (reporters never open the database).
- ``record_run(options, result)`` after the reports are written: one transaction; then
  ``after_reports`` also sends the change notifications (``notify``), if any are configured.
- ``gate_selection(...)`` for ``--fail-on-new`` / ``--fail-on-age``.

Modules: ``db`` (schema, migrations, dialects), ``timeline`` (replaying the change log), ``record``,
``lifecycle``, ``trend`` (the tables of ``auditor history``), ``notify``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from auditor.errors import InputError
from auditor.history.db import Database, open_sqlite
from auditor.history.lifecycle import build_view, empty_view, gate_selection
from auditor.history.notify import Delivery, NotifySettings, notify
from auditor.history.record import Recorded, RunSource, record
from auditor.results import EvaluationResult, Finding

DEFAULT_HISTORY_PATH = Path("reports") / "history.sqlite"
OFF = "none"

__all__ = [
    "DEFAULT_HISTORY_PATH",
    "HistoryOptions",
    "HistoryOutcome",
    "NotifySettings",
    "RunSource",
    "after_reports",
    "attach",
    "check",
    "gate_selection",
    "open_history",
    "record_run",
]


@dataclass(frozen=True)
class HistoryOptions:
    """Where the history is and what the run does with it. ``path`` None: no history (--history none)."""

    path: Path | None = DEFAULT_HISTORY_PATH
    source: RunSource = RunSource.SCAN
    fail_on_new: bool = False
    fail_on_age_days: int | None = None
    notify: NotifySettings | None = None

    def validate(self) -> None:
        """The gate options need a history; InputError otherwise."""
        if self.path is None and self.fail_on_new:
            raise InputError("--fail-on-new", "needs a history (remove --history none)")
        if self.path is None and self.fail_on_age_days is not None:
            raise InputError("--fail-on-age", "needs a history (remove --history none)")
        if self.fail_on_age_days is not None and self.fail_on_age_days < 0:
            raise InputError("--fail-on-age", "must be 0 or more days")
        if self.path is None and self.notify is not None and self.notify.enabled:
            raise InputError(
                "--notify", "notifications report changes since the previous run: they need a history"
            )

    def gate(self, result: EvaluationResult) -> Callable[[Finding], bool] | None:
        """Which FAIL verdicts count towards exit 1 (None: all), from ``result.history``."""
        return gate_selection(result.history, new_only=self.fail_on_new, min_age_days=self.fail_on_age_days)


def open_history(path: Path, *, create: bool) -> Database:
    """Open the history at ``path``, brought up to the current schema (``create``: a new one if missing)."""
    db = open_sqlite(path, create=create)
    try:
        db.migrate()
    except BaseException:
        db.close()
        raise
    return db


def check(options: HistoryOptions) -> None:
    """Before any AWS call: the options are valid and an existing history can be used (else InputError).

    Nothing is created or changed: a missing file is created when the first run is recorded.
    """
    options.validate()
    if options.path is None or not options.path.exists():
        return
    db = open_sqlite(options.path, create=False)
    try:
        db.check()
    finally:
        db.close()


def attach(options: HistoryOptions, result: EvaluationResult) -> None:
    """Set ``result.history`` from the history (an empty history when the file does not exist yet)."""
    if options.path is None:
        return
    if not options.path.exists():
        result.history = empty_view(result)
        return
    db = open_history(options.path, create=False)
    try:
        result.history = build_view(db, result)
    finally:
        db.close()


def record_run(options: HistoryOptions, result: EvaluationResult, *, label: str = "") -> Recorded | None:
    """Record ``result`` in the history (one transaction); None when the history is off."""
    if options.path is None:
        return None
    db = open_history(options.path, create=True)
    try:
        return record(db, result, source=options.source, label=label)
    finally:
        db.close()


@dataclass(frozen=True)
class HistoryOutcome:
    """What the history did after the reports were written."""

    run_id: int | None  # None: the history is off
    delivery: Delivery = field(default_factory=Delivery)


def after_reports(options: HistoryOptions, result: EvaluationResult, *, label: str = "") -> HistoryOutcome:
    """Record the run, then send the change notifications (whose failures never raise)."""
    recorded = record_run(options, result, label=label)
    delivery = notify(options.notify, result) if options.notify is not None else Delivery()
    return HistoryOutcome(run_id=recorded.run_id if recorded else None, delivery=delivery)
