"""Failure reasons classified, histories summarized."""

from __future__ import annotations

import pytest

from auditor.inventory.executions import classify, summarize
from auditor.inventory.model import FailureClass, LastExecution


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("AlgorithmError: Job inputs had no data", FailureClass.NO_INPUT_DATA),
        ("AlgorithmError: no data captured in the analysis window", FailureClass.NO_INPUT_DATA),
        ("ClientError: No ground truth data found for the merge", FailureClass.NO_GROUND_TRUTH),
        ("ClientError: AccessDenied on s3://capture/ep", FailureClass.PERMISSIONS),
        ("User is not authorized to perform kms:Decrypt", FailureClass.PERMISSIONS),
        ("ResourceLimitExceeded: ml.m5.xlarge for processing job usage", FailureClass.CAPACITY),
        ("InternalServerError: we encountered an internal error", FailureClass.OTHER),
        (None, FailureClass.OTHER),
    ],
)
def test_classify(reason: str | None, expected: FailureClass) -> None:
    assert classify(reason) is expected


def test_summarize_counts_failures_by_class_and_violations() -> None:
    runs = [
        LastExecution("Failed", "2026-11-27T11:00:00Z", failure_reason="Job inputs had no data"),
        LastExecution("CompletedWithViolations", "2026-11-27T10:00:00Z"),
        LastExecution("Failed", "2026-11-27T09:00:00Z", failure_reason="AccessDenied"),
        LastExecution("Failed", "2026-11-27T08:00:00Z", failure_reason="Job inputs had no data"),
        LastExecution("Completed", "2026-11-27T07:00:00Z"),
    ]
    summary = summarize(runs)
    assert (summary.runs, summary.failed, summary.completed_with_violations) == (5, 3, 1)
    assert summary.failure_classes == {"no_input_data": 2, "permissions": 1}
    assert summary.violations_at_most == 1  # every status known: only the run with violations
    assert (summary.oldest_scheduled_time, summary.newest_scheduled_time) == (
        "2026-11-27T07:00:00Z",
        "2026-11-27T11:00:00Z",
    )
    # the newest run that completed (with violations counts: it produced its report and metrics)
    assert summary.last_completed_time == "2026-11-27T10:00:00Z"
    assert summarize([]).runs == 0
    assert summarize([]).last_completed_time is None


@pytest.mark.parametrize("status", ["Stopped", "Stopping", "Abandoned", None])
def test_summarize_counts_every_status_outside_the_allow_list_as_failed(status: str | None) -> None:
    # Stopped (runtime exceeded), Stopping, a status AWS adds later ("Abandoned" is invented) or none at all
    # produced no report: failed, never neither failed nor completed (a schedule whose recent runs all ended
    # so would pass mm-repeated-failures).
    runs = [LastExecution(status, f"2026-11-27T{h:02}:00:00Z") for h in range(10, 5, -1)]
    summary = summarize(runs)
    assert (summary.runs, summary.failed, summary.completed_with_violations) == (5, 5, 0)
    assert summary.failure_classes == {"other": 5}
    assert summary.last_completed_time is None  # none of them is a completion
    # a status this version does not know (or none) may have reported violations; a known failure did not
    assert summary.violations_at_most == (0 if status in ("Stopped", "Stopping") else 5)
    # the schedule's last-execution summary counts for it (a completed run before the history window)
    earlier = LastExecution("Completed", "2026-11-25T10:00:00Z")
    assert summarize(runs, earlier).last_completed_time == "2026-11-25T10:00:00Z"
    assert summarize(runs, earlier).runs == 5  # and for nothing else
    assert summarize(runs, LastExecution("Failed", "2026-11-27T11:00:00Z")).last_completed_time is None


def test_summarize_classifies_a_stopped_run_from_its_reason() -> None:
    runs = [
        LastExecution("Stopped", "2026-11-27T11:00:00Z", failure_reason="Job inputs had no data"),
        LastExecution("Pending", "2026-11-27T12:00:00Z"),
        LastExecution("InProgress", "2026-11-27T13:00:00Z"),
        LastExecution("Completed", "2026-11-27T10:00:00Z"),
    ]
    summary = summarize(runs)
    assert (summary.failed, summary.failure_classes) == (1, {"no_input_data": 1})
