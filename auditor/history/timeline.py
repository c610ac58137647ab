"""The series of runs of one scope, replayed from the change log: every finding's state after each run.

Shared by the lifecycle view (read before a run's reports are rendered), the trend tables and
``history show``. A finding's state is its verdict in a run, or ``ABSENT`` when the run did not have
it (the resource is gone, or the policy was not run). "Failing" is FAIL or ERROR.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from auditor.errors import InputError
from auditor.history.db import Database
from auditor.results import EvaluationResult, Verdict

ABSENT = "ABSENT"
FAILING = frozenset({Verdict.FAIL.value, Verdict.ERROR.value})
SECONDS_PER_DAY = 86400


def is_failing(state: str) -> bool:
    return state in FAILING


def utc_stamp(value: str, source: str = "report", field_name: str = "scan.finished_at") -> str:
    """``value`` (ISO 8601) as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC: text order is then time order."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(source, f"not an ISO 8601 time: {value!r}", location=field_name) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def observed_at(result: EvaluationResult, source: str = "report") -> str:
    """When the run saw the estate: the scan's end (a re-evaluation of a snapshot keeps its time)."""
    if result.scan.finished_at:
        return utc_stamp(result.scan.finished_at, source)
    return utc_stamp(result.generated_at, source, "generated_at")


def days_between(start: str, end: str) -> float:
    """Days from ``start`` to ``end`` (both UTC stamps), never negative."""
    a = datetime.fromisoformat(start)
    b = datetime.fromisoformat(end)
    return max(0.0, (b - a).total_seconds() / SECONDS_PER_DAY)


@dataclass(frozen=True)
class Scope:
    """What a series of runs audits. Runs are compared only with runs of the same scope, so a release
    gate on one endpoint does not "resolve" the rest of the estate in the nightly series."""

    key: str  # short, stable id
    text: str  # readable description


def scope_of(result: EvaluationResult) -> Scope:
    """The scope of a run: the accounts (or the organization), the regions and any endpoint filter."""
    options = result.scan.options
    if options.get("org"):
        ous = sorted(str(o) for o in options.get("ous") or [])
        accounts = "org" + (f"({','.join(ous)})" if ous else "")
    else:
        accounts = ",".join(sorted(set(result.scan.accounts))) or "default"
    regions = "all" if options.get("regions") == "all" else ",".join(sorted(set(result.scan.regions)))
    parts = [f"accounts={accounts}", f"regions={regions or 'default'}"]
    names = sorted(str(n) for n in options.get("endpoint_names") or [])
    tags = sorted(str(t) for t in options.get("endpoint_tags") or [])
    if names or tags:
        parts.append(f"endpoints={','.join([*names, *tags])}")
    text = " ".join(parts)
    key = hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()[:12]
    return Scope(key=key, text=text)


@dataclass
class RunRow:
    """One recorded run, as the trend needs it."""

    id: int
    observed_at: str
    verdicts: dict[Verdict, int]
    scan_errors: int
    source: str
    label: str
    recorded_at: str
    newly_failing: int = 0
    resolved: int = 0


@dataclass
class Track:
    """One finding's story so far."""

    state: str = ABSENT
    severity: str = ""
    first_failed: str | None = None
    open_since: str | None = None  # start of the current failing period (None when not failing)
    reopened: int = 0
    last_run: int | None = None  # the run of the latest change
    last_period_days: float | None = None  # length of the latest failing period that was resolved


@dataclass
class Identity:
    policy_id: str
    resource_arn: str
    resource_name: str
    account_id: str
    region: str


@dataclass
class Timeline:
    """The replayed series: the runs in order and each finding's state after the last of them."""

    runs: list[RunRow] = field(default_factory=list)
    tracks: dict[int, Track] = field(default_factory=dict)
    resolved_durations: list[float] = field(default_factory=list)  # days, one per closed failing period
    # finding id -> (state before, state after) for the changes of the last run
    last_changes: dict[int, tuple[str, str]] = field(default_factory=dict)


RUN_COLUMNS = (
    "id, observed_at, pass_count, fail_count, error_count, waived_count, na_count, scan_errors, "
    "source, label, recorded_at"
)


def run_row(row: tuple[object, ...]) -> RunRow:
    run_id, at, p, f, e, w, na, errors, source, label, recorded = row
    counts = dict(zip(Verdict, (p, f, e, w, na), strict=True))
    return RunRow(
        id=int(str(run_id)),
        observed_at=str(at),
        verdicts={v: int(str(n)) for v, n in counts.items()},
        scan_errors=int(str(errors)),
        source=str(source),
        label=str(label),
        recorded_at=str(recorded),
    )


def _before(until: tuple[str, int] | None, through: bool) -> tuple[str, list[object]]:
    """SQL that keeps runs before the position ``(observed_at, id)`` (every run for None)."""
    if until is None:
        return "", []
    at, run_id = until
    op = "<=" if through else "<"
    return f" AND (r.observed_at < ? OR (r.observed_at = ? AND r.id {op} ?))", [at, at, run_id]


def replay(
    db: Database, scope_key: str, until: tuple[str, int] | None = None, *, through: bool = False
) -> Timeline:
    """Replay the scope's change log in run order, up to the position ``until`` (``(observed_at,
    run id)``; excluded unless ``through``); every run when ``until`` is None."""
    where, params = _before(until, through)
    timeline = Timeline(
        runs=[
            run_row(row)
            for row in db.rows(
                f"SELECT {RUN_COLUMNS.replace('id,', 'r.id,', 1)} FROM runs r WHERE r.scope_key = ?{where} "
                "ORDER BY r.observed_at, r.id",
                [scope_key, *params],
            )
        ]
    )
    by_id = {r.id: r for r in timeline.runs}
    changes = db.execute(
        "SELECT c.run_id, c.finding_id, c.state, c.severity FROM changes c JOIN runs r ON r.id = c.run_id "
        f"WHERE r.scope_key = ?{where} ORDER BY r.observed_at, r.id",
        [scope_key, *params],
    ).fetchall()
    last_id = timeline.runs[-1].id if timeline.runs else None
    tracks = timeline.tracks
    for run_id, finding_id, state, severity in changes:
        run = by_id[int(run_id)]
        track = tracks.get(finding_id)
        if track is None:
            track = tracks[finding_id] = Track()
        before = track.state
        apply_change(track, state, severity, run.observed_at, timeline.resolved_durations)
        track.last_run = run.id
        was, now = before in FAILING, state in FAILING
        if now and not was:
            run.newly_failing += 1
        elif was and not now:
            run.resolved += 1
        if run.id == last_id:
            timeline.last_changes[finding_id] = (before, track.state)
    return timeline


def apply_change(track: Track, state: str, severity: str, at: str, resolved_durations: list[float]) -> None:
    """Move ``track`` to ``state`` at time ``at``: open or close its failing period."""
    was = is_failing(track.state)
    now = is_failing(state)
    if now and not was:
        if track.first_failed is None:
            track.first_failed = at
        else:
            track.reopened += 1
        track.open_since = at
    elif was and not now:
        if track.open_since is not None:
            track.last_period_days = days_between(track.open_since, at)
            resolved_durations.append(track.last_period_days)
        track.open_since = None
    track.state = state
    if severity:
        track.severity = severity


def identities(db: Database, ids: set[int] | None = None) -> dict[int, Identity]:
    """Finding id -> identity (every finding when ``ids`` is None)."""
    rows = db.rows("SELECT id, policy_id, resource_arn, resource_name, account_id, region FROM findings")
    return {
        int(r[0]): Identity(str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]))
        for r in rows
        if ids is None or int(r[0]) in ids
    }


def finding_ids(db: Database) -> dict[tuple[str, str], int]:
    """(policy id, resource ARN) -> finding id, for every finding ever recorded."""
    cursor = db.execute("SELECT id, policy_id, resource_arn FROM findings")
    return {(p, a): i for i, p, a in cursor.fetchall()}  # TEXT and INTEGER columns: str and int
