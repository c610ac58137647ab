"""The lifecycle of this run's findings against the history: new, regressed, reopened, still failing,
resolved; age of every open finding; the trend series. Computed before the reports are rendered."""

from __future__ import annotations

import math
from collections.abc import Callable

from auditor.history.db import Database
from auditor.history.timeline import (
    ABSENT,
    Identity,
    Timeline,
    Track,
    days_between,
    finding_ids,
    identities,
    is_failing,
    observed_at,
    replay,
    scope_of,
)
from auditor.report.summary import compliance_from_counts, verdict_counts
from auditor.results import (
    AgeBucket,
    EvaluationResult,
    Finding,
    FindingHistory,
    HistoryView,
    LifecycleStatus,
    ResolvedFinding,
    Severity,
    TrendPoint,
    Verdict,
)

# Open findings by age, in whole days: (label, first day, last day or None).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("under 7 days", 0, 6),
    ("7-29 days", 7, 29),
    ("30-89 days", 30, 89),
    ("90 days or more", 90, None),
)
TREND_POINTS = 400  # runs kept in the view's trend (the newest); `auditor history trend` shows them all


def whole_days(start: str, end: str) -> int:
    return math.floor(days_between(start, end))


def _status(track: Track | None) -> LifecycleStatus:
    if track is None or not track.first_failed:
        if track is not None and track.state == Verdict.PASS.value:
            return LifecycleStatus.REGRESSED
        return LifecycleStatus.NEW
    if is_failing(track.state):
        return LifecycleStatus.STILL_FAILING
    return LifecycleStatus.REOPENED


def empty_view(result: EvaluationResult) -> HistoryView:
    """The view of a run with no history behind it: every failing finding is new."""
    return view_from_timeline(result, Timeline(), {}, {})


def build_view(db: Database, result: EvaluationResult) -> HistoryView:
    """The history of ``result``'s scope up to ``result`` (runs at the same time or earlier)."""
    scope = scope_of(result)
    at = observed_at(result)
    with db.read():
        # Every run recorded so far at or before this run's time comes before it: a run about to be
        # recorded gets the next id, so it is ordered after them (the same order record() uses).
        timeline = replay(db, scope.key, (at, 2**62))
        known = finding_ids(db)
        names = identities(db, {fid for fid, t in timeline.tracks.items() if is_failing(t.state)})
    ids = {key: fid for key, fid in known.items() if fid in timeline.tracks}
    return view_from_timeline(result, timeline, ids, names)


def view_from_timeline(
    result: EvaluationResult,
    timeline: Timeline,
    ids: dict[tuple[str, str], int],
    names: dict[int, Identity],
) -> HistoryView:
    scope = scope_of(result)
    at = observed_at(result)
    tracks = timeline.tracks
    previous = timeline.runs[-1] if timeline.runs else None
    view = HistoryView(
        scope=scope.text,
        observed_at=at,
        runs_before=len(timeline.runs),
        previous_run_at=previous.observed_at if previous else None,
    )
    durations = list(timeline.resolved_durations)
    current: dict[int, Finding] = {}
    newly_failing = 0
    for f in result.findings:
        if f.verdict is not Verdict.FAIL and f.verdict is not Verdict.ERROR:
            fid = ids.get((f.policy_id, f.resource_arn))
            if fid is not None:
                current[fid] = f
            continue
        fid = ids.get((f.policy_id, f.resource_arn))
        track = tracks.get(fid) if fid is not None else None
        if fid is not None:
            current[fid] = f
        status = _status(track)
        if status is LifecycleStatus.STILL_FAILING and track is not None and track.open_since:
            first_seen = track.first_failed or at
            open_since = track.open_since
        else:
            newly_failing += 1
            first_seen = (track.first_failed if track else None) or at
            open_since = at
        view.findings.append(
            FindingHistory(
                policy_id=f.policy_id,
                resource_arn=f.resource_arn,
                status=status,
                first_seen=first_seen,
                open_since=open_since,
                age_days=whole_days(open_since, at),
                times_reopened=(track.reopened if track else 0)
                + (1 if status is LifecycleStatus.REOPENED else 0),
            )
        )
    for fid, track in sorted(tracks.items()):
        if not is_failing(track.state) or track.open_since is None:
            continue
        now = current.get(fid)
        if now is not None and is_failing(now.verdict.value):
            continue
        who = names.get(fid)
        durations.append(days_between(track.open_since, at))
        if who is not None:
            view.resolved.append(_resolved(who, track, now, at))
    view.findings.sort(key=lambda h: (h.policy_id, h.resource_arn))
    view.resolved.sort(key=lambda r: (r.policy_id, r.resource_arn))
    view.mean_days_to_resolve = round(sum(durations) / len(durations), 2) if durations else None
    view.resolved_periods = len(durations)
    view.trend = _trend(timeline, result, at, newly_failing, len(view.resolved))
    view.age_buckets = _buckets(view.findings)
    return view


def _reopened(track: Track | None, status: LifecycleStatus) -> int:
    before = track.reopened if track is not None else 0
    return before + 1 if status is LifecycleStatus.REOPENED else before


def _severity(value: str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        return Severity.INFO  # not recorded (cannot happen for rows this auditor wrote)


def _resolved(who: Identity, track: Track, now: Finding | None, at: str) -> ResolvedFinding:
    return ResolvedFinding(
        policy_id=who.policy_id,
        resource_arn=who.resource_arn,
        resource_name=who.resource_name,
        account_id=who.account_id,
        region=who.region,
        severity=_severity(track.severity),
        open_since=track.open_since or at,
        open_days=whole_days(track.open_since or at, at),
        now=now.verdict.value if now is not None else ABSENT.lower(),
    )


def _trend(
    timeline: Timeline, result: EvaluationResult, at: str, new: int, resolved: int
) -> list[TrendPoint]:
    points = [
        TrendPoint(
            observed_at=run.observed_at,
            verdicts=dict(run.verdicts),
            compliance_percent=compliance_from_counts(run.verdicts),
            newly_failing=run.newly_failing,
            resolved=run.resolved,
            run_id=run.id,
        )
        for run in timeline.runs[-(TREND_POINTS - 1) :]
    ]
    counts = verdict_counts(result.findings)
    points.append(
        TrendPoint(
            observed_at=at,
            verdicts=counts,
            compliance_percent=compliance_from_counts(counts),
            newly_failing=new,
            resolved=resolved,
        )
    )
    return points


def _buckets(findings: list[FindingHistory]) -> list[AgeBucket]:
    out = []
    for label, low, high in AGE_BUCKETS:
        count = sum(1 for f in findings if f.age_days >= low and (high is None or f.age_days <= high))
        out.append(AgeBucket(label=label, min_days=low, max_days=high, count=count))
    return out


# --------------------------------------------------------------------------- the gate


def gate_selection(
    view: HistoryView | None, *, new_only: bool, min_age_days: int | None
) -> Callable[[Finding], bool] | None:
    """Which FAIL verdicts count towards exit 1, or None for all of them.

    ``new_only``: failing now and not in the previous run (new, regressed, reopened).
    ``min_age_days``: failing for at least that many days. With both, a finding counts when either
    holds (new failures block at once; the backlog blocks once it is that old). A finding the history
    knows nothing about counts as new (fail closed).
    """
    if not new_only and min_age_days is None:
        return None
    lifecycle = {(h.policy_id, h.resource_arn): h for h in view.findings} if view is not None else {}

    def counts(f: Finding) -> bool:
        h = lifecycle.get((f.policy_id, f.resource_arn))
        if h is None:
            return True
        if new_only and h.status is not LifecycleStatus.STILL_FAILING:
            return True
        return min_age_days is not None and h.age_days >= min_age_days

    return counts
