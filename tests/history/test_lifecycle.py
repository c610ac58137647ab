"""A finding's lifecycle across runs: new -> still failing -> resolved -> reopened; ages; the trend;
runs recorded out of time order (backfill) give the same answers as runs recorded in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.history import HistoryOptions, attach, check, gate_selection, open_history, record_run
from auditor.history.lifecycle import build_view
from auditor.history.record import RunSource, record
from auditor.results import EvaluationResult, LifecycleStatus, Verdict

from .conftest import arn, run_at

F, P, E, W = Verdict.FAIL, Verdict.PASS, Verdict.ERROR, Verdict.WAIVED
DQ, CAP = "mm-data-quality-monitor", "mm-data-capture"


def _story() -> list[EvaluationResult]:
    """Five nightly runs of two endpoints."""
    return [
        run_at("2026-01-01", {(DQ, "churn"): F, (CAP, "churn"): P, (DQ, "fraud"): P}),
        run_at("2026-01-08", {(DQ, "churn"): F, (CAP, "churn"): F, (DQ, "fraud"): P}),
        run_at("2026-01-15", {(DQ, "churn"): P, (CAP, "churn"): E, (DQ, "fraud"): P}),
        run_at("2026-01-22", {(DQ, "churn"): F, (CAP, "churn"): P, (DQ, "fraud"): W}),
        run_at("2026-02-01", {(DQ, "churn"): F, (CAP, "churn"): P}),
    ]


def _statuses(result: EvaluationResult) -> dict[tuple[str, str], tuple[LifecycleStatus, str, int]]:
    assert result.history is not None
    return {
        (h.policy_id, h.resource_arn.rsplit("/", 1)[1]): (h.status, h.open_since[:10], h.age_days)
        for h in result.history.findings
    }


def _resolved(result: EvaluationResult) -> list[tuple[str, str, str, int]]:
    assert result.history is not None
    return [(r.policy_id, r.resource_name, r.now, r.open_days) for r in result.history.resolved]


def test_new_still_failing_resolved_reopened(tmp_path: Path) -> None:
    options = HistoryOptions(path=tmp_path / "history.sqlite")
    seen = []
    for result in _story():
        attach(options, result)
        seen.append(result)
        record_run(options, result)
    one, two, three, four, five = seen
    assert _statuses(one) == {(DQ, "churn"): (LifecycleStatus.NEW, "2026-01-01", 0)}
    assert one.history is not None and one.history.runs_before == 0 and one.history.previous_run_at is None
    assert _statuses(two) == {
        (DQ, "churn"): (LifecycleStatus.STILL_FAILING, "2026-01-01", 7),
        (CAP, "churn"): (LifecycleStatus.REGRESSED, "2026-01-08", 0),  # passed the week before
    }
    # ERROR is failing too (compliance not established): the capture finding is still failing.
    assert _statuses(three) == {(CAP, "churn"): (LifecycleStatus.STILL_FAILING, "2026-01-08", 7)}
    assert _resolved(three) == [(DQ, "churn", "PASS", 14)]
    assert _statuses(four) == {(DQ, "churn"): (LifecycleStatus.REOPENED, "2026-01-22", 0)}
    assert _resolved(four) == [(CAP, "churn", "PASS", 14)]
    assert _statuses(five) == {(DQ, "churn"): (LifecycleStatus.STILL_FAILING, "2026-01-22", 10)}
    assert five.history is not None
    (reopened,) = five.history.findings
    assert reopened.first_seen == "2026-01-01T06:00:00Z" and reopened.times_reopened == 1
    assert five.history.runs_before == 4 and five.history.previous_run_at == "2026-01-22T06:00:00Z"
    # Two failing periods were resolved, each after 14 days.
    assert five.history.mean_days_to_resolve == 14.0 and five.history.resolved_periods == 2
    trend = [
        (p.observed_at[:10], p.compliance_percent, p.newly_failing, p.resolved) for p in five.history.trend
    ]
    assert trend == [
        ("2026-01-01", 66.67, 1, 0),
        ("2026-01-08", 33.33, 1, 0),
        ("2026-01-15", 66.67, 0, 1),
        ("2026-01-22", 50.0, 1, 1),
        ("2026-02-01", 50.0, 0, 0),
    ]
    assert [p.run_id for p in five.history.trend] == [1, 2, 3, 4, None]
    buckets = {b.label: b.count for b in five.history.age_buckets}
    assert buckets == {"under 7 days": 0, "7-29 days": 1, "30-89 days": 0, "90 days or more": 0}


def test_a_finding_that_disappears_is_resolved_and_one_that_was_waived_is_new(tmp_path: Path) -> None:
    options = HistoryOptions(path=tmp_path / "h.sqlite")
    first = run_at("2026-03-01", {(DQ, "gone"): F, (DQ, "waived"): W})
    second = run_at("2026-03-02", {(DQ, "waived"): F})
    record_run(options, first)
    attach(options, second)
    assert _resolved(second) == [(DQ, "gone", "absent", 1)]
    assert _statuses(second) == {(DQ, "waived"): (LifecycleStatus.NEW, "2026-03-02", 0)}


def test_backfilled_runs_give_the_same_lifecycle_as_runs_recorded_in_order(tmp_path: Path) -> None:
    story = _story()
    in_order = tmp_path / "in-order.sqlite"
    shuffled = tmp_path / "shuffled.sqlite"
    for result in story:
        record_run(HistoryOptions(path=in_order), result)
    # Today's run first, then the older reports imported newest-first, one in the middle last.
    for index in (4, 3, 0, 1, 2):
        record_run(HistoryOptions(path=shuffled, source=RunSource.IMPORT), story[index])
    probe = run_at("2026-02-08", {(DQ, "churn"): F, (CAP, "churn"): F})
    views = []
    for path in (in_order, shuffled):
        db = open_history(path, create=False)
        try:
            views.append(build_view(db, probe))
        finally:
            db.close()
    a, b = views
    assert [(p.observed_at, p.newly_failing, p.resolved) for p in a.trend] == [
        (p.observed_at, p.newly_failing, p.resolved) for p in b.trend
    ]
    assert a.findings == b.findings and a.resolved == b.resolved
    assert a.mean_days_to_resolve == b.mean_days_to_resolve == 14.0
    # The change log itself is the same (run ids differ: map them through the run times).
    logs = []
    for path in (in_order, shuffled):
        db = open_history(path, create=False)
        try:
            logs.append(
                sorted(
                    db.rows(
                        "SELECT r.observed_at, f.policy_id, f.resource_arn, c.state FROM changes c "
                        "JOIN runs r ON r.id = c.run_id JOIN findings f ON f.id = c.finding_id"
                    )
                )
            )
        finally:
            db.close()
    assert logs[0] == logs[1]
    # Storage grows with change: 3 findings x 5 runs = 15 states, but only the changes are rows.
    assert len(logs[0]) == 10


def test_runs_of_another_scope_are_a_separate_series(tmp_path: Path) -> None:
    options = HistoryOptions(path=tmp_path / "h.sqlite")
    nightly = run_at("2026-04-01", {(DQ, "churn"): F, (DQ, "fraud"): F})
    gate = run_at("2026-04-02", {(DQ, "churn"): F}, options={"endpoint_names": ["churn"]})
    record_run(options, nightly)
    attach(options, gate)
    assert gate.history is not None
    assert gate.history.runs_before == 0 and gate.history.resolved == []  # fraud is not "resolved"
    assert gate.history.scope.endswith("endpoints=churn")
    record_run(options, gate)
    again = run_at("2026-04-03", {(DQ, "churn"): F, (DQ, "fraud"): F})
    attach(options, again)
    assert _statuses(again) == {
        (DQ, "churn"): (LifecycleStatus.STILL_FAILING, "2026-04-01", 2),
        (DQ, "fraud"): (LifecycleStatus.STILL_FAILING, "2026-04-01", 2),
    }


def test_gate_counts_new_failures_and_old_ones(tmp_path: Path) -> None:
    options = HistoryOptions(path=tmp_path / "h.sqlite")
    record_run(options, run_at("2026-05-01", {(DQ, "old"): F, (DQ, "fixed"): F}))
    now = run_at("2026-06-15", {(DQ, "old"): F, (DQ, "fixed"): P, (DQ, "fresh"): F})
    attach(options, now)
    by_name = {f.resource_name: f for f in now.findings}
    only_new = gate_selection(now.history, new_only=True, min_age_days=None)
    assert only_new is not None
    assert [n for n in ("old", "fresh") if only_new(by_name[n])] == ["fresh"]
    old_ones = gate_selection(now.history, new_only=False, min_age_days=30)
    assert old_ones is not None
    assert [n for n in ("old", "fresh") if old_ones(by_name[n])] == ["old"]
    not_yet = gate_selection(now.history, new_only=False, min_age_days=46)
    assert not_yet is not None and not not_yet(by_name["old"])
    both = gate_selection(now.history, new_only=True, min_age_days=30)
    assert both is not None and both(by_name["old"]) and both(by_name["fresh"])
    assert gate_selection(now.history, new_only=False, min_age_days=None) is None
    # With no history at all every failing finding is new: the gate fails closed.
    first = run_at("2026-06-15", {(DQ, "x"): F})
    attach(HistoryOptions(path=tmp_path / "empty.sqlite"), first)
    selection = gate_selection(first.history, new_only=True, min_age_days=None)
    assert selection is not None and selection(first.findings[0])
    assert not (tmp_path / "empty.sqlite").exists()  # reading never creates a history


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (HistoryOptions(path=None, fail_on_new=True), "--fail-on-new"),
        (HistoryOptions(path=None, fail_on_age_days=3), "--fail-on-age"),
        (HistoryOptions(fail_on_age_days=-1), "--fail-on-age"),
    ],
)
def test_gate_options_are_checked(options: HistoryOptions, message: str) -> None:
    from auditor.errors import InputError

    with pytest.raises(InputError, match=message):
        check(options)


def test_a_duplicate_identity_keeps_the_failing_verdict(tmp_path: Path) -> None:
    result = run_at("2026-07-01", {(DQ, "a"): P})
    result.findings.append(run_at("2026-07-01", {(DQ, "a"): F}).findings[0])
    db = open_history(tmp_path / "h.sqlite", create=True)
    try:
        record(db, result, source=RunSource.SCAN)
        assert db.rows("SELECT state FROM changes") == [("FAIL",)]
    finally:
        db.close()
    assert arn("a").endswith("/a")
