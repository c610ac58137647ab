"""What ``auditor history list | show | trend`` print, as data: runs, a run's changes, and trends.

Everything is read in one read transaction per call and computed from the runs table, the per-run
group counts and the replayed change log (``timeline.replay``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from auditor.errors import InputError
from auditor.history.db import Database
from auditor.history.lifecycle import AGE_BUCKETS, whole_days
from auditor.history.record import COLUMN_ORDER, GroupDimension, column_label
from auditor.history.timeline import (
    RUN_COLUMNS,
    Identity,
    RunRow,
    Timeline,
    identities,
    is_failing,
    replay,
    run_row,
)
from auditor.report.summary import compliance_from_counts
from auditor.results import Verdict


class TrendBy(StrEnum):
    """How ``auditor history trend`` groups compliance over time."""

    OVERALL = "overall"
    ACCOUNT = "account"
    POLICY = "policy"
    SEVERITY = "severity"
    MONITOR_TYPE = "monitor-type"


@dataclass(frozen=True)
class ScopeInfo:
    key: str
    text: str
    runs: int
    last_observed_at: str


def scopes(db: Database) -> list[ScopeInfo]:
    """Every scope in the history, the most recently observed first."""
    rows = db.rows(
        "SELECT scope_key, MIN(scope), COUNT(*), MAX(observed_at) FROM runs GROUP BY scope_key "
        "ORDER BY MAX(observed_at) DESC, scope_key"
    )
    return [ScopeInfo(str(k), str(t), int(n), str(at)) for k, t, n, at in rows]


def resolve_scope(db: Database, wanted: str | None, source: str) -> ScopeInfo:
    """The scope named by ``wanted`` (a key or a unique prefix), or the most recent one."""
    found = scopes(db)
    if not found:
        raise InputError(source, "the history has no runs yet")
    if wanted is None:
        return found[0]
    matches = [s for s in found if s.key.startswith(wanted)]
    if len(matches) != 1:
        known = ", ".join(s.key for s in found)
        raise InputError("--scope", f"{wanted!r} matches {len(matches)} scopes (known: {known})")
    return matches[0]


@dataclass
class ListedRun:
    run: RunRow
    scope_key: str
    compliance: float | None


def list_runs(db: Database, scope_key: str | None = None, limit: int | None = None) -> list[ListedRun]:
    """Runs in time order (newest last), with the new/resolved counts of their own scope."""
    with db.read():
        keys = [scope_key] if scope_key else [s.key for s in scopes(db)]
        listed = []
        for key in keys:
            for run in replay(db, key).runs:
                listed.append(ListedRun(run, key, compliance_from_counts(run.verdicts)))
    listed.sort(key=lambda r: (r.run.observed_at, r.run.id))
    return listed[-limit:] if limit else listed


@dataclass
class RunChange:
    kind: str  # new, regressed, reopened, resolved, changed (failing -> failing, e.g. FAIL -> ERROR)
    policy_id: str
    resource_arn: str
    resource_name: str
    account_id: str
    region: str
    severity: str
    before: str
    after: str
    open_days: int | None = None  # for resolved: how long it had failed


@dataclass
class RunDetail:
    run: RunRow
    scope_key: str
    scope: str
    generated_at: str
    tool_version: str
    policy_set_digest: str
    inventory_digest: str
    previous_observed_at: str | None
    open_failing: int
    oldest_open_days: int | None
    changes: list[RunChange] = field(default_factory=list)


def show_run(db: Database, run_id: int, source: str) -> RunDetail:
    """One run and what changed in it compared with the previous run of its scope."""
    with db.read():
        row = db.rows(
            f"SELECT {RUN_COLUMNS}, scope_key, scope, generated_at, tool_version, policy_set_digest, "
            "inventory_digest FROM runs WHERE id = ?",
            [run_id],
        )
        if not row:
            raise InputError(source, f"no run {run_id} in the history (see `auditor history list`)")
        base, extra = row[0][:11], row[0][11:]
        run = run_row(base)
        scope_key = str(extra[0])
        timeline = replay(db, scope_key, (run.observed_at, run.id), through=True)
        names = identities(db, set(timeline.last_changes))
    position = [r.id for r in timeline.runs].index(run.id)
    previous = timeline.runs[position - 1].observed_at if position > 0 else None
    this = timeline.runs[position]
    open_ages = [
        whole_days(t.open_since, this.observed_at)
        for t in timeline.tracks.values()
        if is_failing(t.state) and t.open_since
    ]
    detail = RunDetail(
        run=this,
        scope_key=scope_key,
        scope=str(extra[1]),
        generated_at=str(extra[2]),
        tool_version=str(extra[3]),
        policy_set_digest=str(extra[4]),
        inventory_digest=str(extra[5]),
        previous_observed_at=previous,
        open_failing=len(open_ages),
        oldest_open_days=max(open_ages) if open_ages else None,
    )
    for fid, (before, after) in sorted(timeline.last_changes.items()):
        who = names.get(fid)
        if who is None:
            continue
        kind = _kind(before, after, timeline, fid)
        if kind is None:
            continue
        detail.changes.append(_run_change(kind, who, timeline, fid, before, after))
    order = {"new": 0, "regressed": 1, "reopened": 2, "changed": 3, "resolved": 4}
    detail.changes.sort(key=lambda c: (order[c.kind], c.policy_id, c.resource_arn))
    return detail


def _kind(before: str, after: str, timeline: Timeline, fid: int) -> str | None:
    track = timeline.tracks[fid]
    if is_failing(after) and not is_failing(before):
        if track.reopened and track.open_since is not None and track.first_failed != track.open_since:
            return "reopened"
        return "regressed" if before == Verdict.PASS.value else "new"
    if is_failing(before) and not is_failing(after):
        return "resolved"
    if is_failing(before) and is_failing(after):
        return "changed"
    return None  # e.g. PASS -> WAIVED: not a change of failing state


def _run_change(
    kind: str,
    who: Identity,
    timeline: Timeline,
    fid: int,
    before: str,
    after: str,
) -> RunChange:
    track = timeline.tracks[fid]
    return RunChange(
        kind=kind,
        policy_id=who.policy_id,
        resource_arn=who.resource_arn,
        resource_name=who.resource_name,
        account_id=who.account_id,
        region=who.region,
        severity=track.severity,
        before=before,
        after=after,
        open_days=_floor(track.last_period_days) if kind == "resolved" else None,
    )


def _floor(value: float | None) -> int | None:
    return None if value is None else int(value)


@dataclass
class TrendTable:
    """Compliance % per group (rows) and run (columns), oldest run first."""

    runs: list[RunRow]
    rows: list[tuple[str, list[float | None]]]


@dataclass
class Trend:
    scope: ScopeInfo
    runs: list[RunRow]  # the shown runs, oldest first
    table: TrendTable | None  # None for TrendBy.OVERALL
    age_buckets: list[tuple[str, int]]
    open_failing: int
    mean_days_to_resolve: float | None
    resolved_periods: int


def trend(db: Database, scope: ScopeInfo, by: TrendBy, last: int) -> Trend:
    """The scope's trend over its ``last`` runs (``by`` groups), with ages and time to remediate."""
    with db.read():
        timeline = replay(db, scope.key)
        shown = timeline.runs[-last:] if last else timeline.runs
        table = _group_table(db, shown, by) if by is not TrendBy.OVERALL else None
    latest = timeline.runs[-1].observed_at if timeline.runs else ""
    ages = [
        whole_days(t.open_since, latest)
        for t in timeline.tracks.values()
        if is_failing(t.state) and t.open_since
    ]
    buckets = [
        (label, sum(1 for a in ages if a >= low and (high is None or a <= high)))
        for label, low, high in AGE_BUCKETS
    ]
    durations = timeline.resolved_durations
    return Trend(
        scope=scope,
        runs=shown,
        table=table,
        age_buckets=buckets,
        open_failing=len(ages),
        mean_days_to_resolve=round(sum(durations) / len(durations), 2) if durations else None,
        resolved_periods=len(durations),
    )


def _group_table(db: Database, runs: Sequence[RunRow], by: TrendBy) -> TrendTable:
    ids = [r.id for r in runs]
    cells: dict[str, dict[int, float | None]] = {}
    if not ids:
        return TrendTable(list(runs), [])
    marks = ", ".join("?" for _ in ids)
    if by is TrendBy.MONITOR_TYPE:
        rows = db.rows(
            "SELECT run_id, monitor_type, ok_count, degraded_count, missing_count, unknown_count "
            f"FROM run_coverage WHERE run_id IN ({marks})",
            ids,
        )
        for run_id, column, ok, degraded, missing, unknown in rows:
            judged = int(ok) + int(degraded) + int(missing) + int(unknown)
            value = round(100.0 * int(ok) / judged, 2) if judged else None
            cells.setdefault(column_label(str(column)), {})[int(run_id)] = value
        known = [column_label(c) for c in COLUMN_ORDER]
        order = [c for c in known if c in cells] + sorted(c for c in cells if c not in known)
    else:
        dimension = {
            TrendBy.ACCOUNT: GroupDimension.ACCOUNT,
            TrendBy.POLICY: GroupDimension.POLICY,
            TrendBy.SEVERITY: GroupDimension.SEVERITY,
        }[by]
        rows = db.rows(
            "SELECT run_id, group_key, pass_count, fail_count, error_count, waived_count, na_count "
            f"FROM run_groups WHERE dimension = ? AND run_id IN ({marks})",
            [dimension.value, *ids],
        )
        for run_id, key, *counts in rows:
            verdicts = dict(zip(Verdict, (int(c) for c in counts), strict=True))
            cells.setdefault(str(key), {})[int(run_id)] = compliance_from_counts(verdicts)
        order = sorted(cells)
    return TrendTable(list(runs), [(key, [cells[key].get(i) for i in ids]) for key in order])
