"""Execution history: classify why a monitoring execution failed, and summarize a schedule's last runs.

The classes (``FailureClass``) come from the FailureReason text AWS gives (and the processing job's exit
message it quotes). Patterns are checked in order; the first that matches decides:

* no input data: "Job inputs had no data" (sagemaker-python-sdk#2634), "no data captured", "no data
  found" — capture stopped, or the analysis window holds nothing;
* no ground truth: any mention of ground truth (the model-quality / bias merge found no labels);
* permissions: AccessDenied, "not authorized", "permission", Forbidden, KMS access errors;
* capacity: ResourceLimitExceeded, InsufficientCapacity, "capacity", "quota", "limit exceeded";
* other: anything else, and a Failed run with no reason at all.

What counts as a failure is judged by allow-list (``NOT_FAILED``): a run that completed (with or without
violations) or is still under way is not a failure; every other status — Failed, Stopped (runtime
exceeded or stopped by hand), Stopping, a status AWS adds later, or none at all — produced no report as
far as this version can tell, so it counts as failed (classified from its reason like a Failed run; a
Stopped run with no reason is "other").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from auditor.inventory.model import (
    AWS_ENUM,
    EXECUTION_STATUSES,
    ExecutionHistory,
    FailureClass,
    LastExecution,
)

_PATTERNS: tuple[tuple[FailureClass, re.Pattern[str]], ...] = (
    (
        FailureClass.NO_INPUT_DATA,
        re.compile(
            r"inputs? had no data|no data (?:was )?(?:captured|found)|no (?:captured|input) data", re.I
        ),
    ),
    (FailureClass.NO_GROUND_TRUTH, re.compile(r"ground[\s_-]?truth", re.I)),
    (
        FailureClass.PERMISSIONS,
        re.compile(r"access ?denied|not authori[sz]ed|permission|forbidden|KMS\.?AccessDenied", re.I),
    ),
    (
        FailureClass.CAPACITY,
        re.compile(r"ResourceLimitExceeded|InsufficientCapacity|capacity|quota|limit exceeded", re.I),
    ),
)


def classify(failure_reason: str | None) -> FailureClass:
    """The class of a failed execution's reason (OTHER when none matches, or there is no reason)."""
    for failure_class, pattern in _PATTERNS:
        if failure_reason and pattern.search(failure_reason):
            return failure_class
    return FailureClass.OTHER


# The statuses that are not a failure: the run produced its report, or has no outcome yet.
NOT_FAILED = frozenset({"Completed", "CompletedWithViolations", "Pending", "InProgress"})


# The statuses AWS documents for a monitoring execution (what this version knows).
KNOWN_STATUSES = frozenset(EXECUTION_STATUSES[AWS_ENUM].known)
# The statuses of a run that produced its report (and, when the job publishes, its CloudWatch metrics).
COMPLETED = frozenset({"Completed", "CompletedWithViolations"})


def failed(execution: LastExecution) -> bool:
    """Whether ``execution`` counts as failed: any status outside ``NOT_FAILED`` (or none)."""
    return execution.status not in NOT_FAILED


def summarize(executions: Sequence[LastExecution], last: LastExecution | None = None) -> ExecutionHistory:
    """Counts over ``executions`` (newest first): failures by class, runs with violations. ``last`` (the
    schedule's own last-execution summary) counts only for ``last_completed_time``: the executions read
    are those of the history window (12 schedule intervals), and a run that completed before it still
    published its metrics."""
    failures = [e for e in executions if failed(e)]
    classes = Counter(classify(e.failure_reason).value for e in failures)
    times = sorted(e.scheduled_time for e in executions if e.scheduled_time)
    completed = sorted(
        e.scheduled_time
        for e in (*executions, *([last] if last is not None else []))
        if e.scheduled_time and e.status in COMPLETED
    )
    with_violations = sum(1 for e in executions if e.status == "CompletedWithViolations")
    return ExecutionHistory(
        runs=len(executions),
        failed=len(failures),
        completed_with_violations=with_violations,
        violations_at_most=with_violations + sum(1 for e in executions if e.status not in KNOWN_STATUSES),
        failure_classes=dict(sorted(classes.items())),
        oldest_scheduled_time=times[0] if times else None,
        newest_scheduled_time=times[-1] if times else None,
        last_completed_time=completed[-1] if completed else None,
    )
