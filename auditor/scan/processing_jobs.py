"""How long the processing jobs of recent monitoring executions ran (for the cost view), in few calls.

Each execution names its processing job (``ProcessingJobArn``). Two ways to learn the jobs' durations:

* ``DescribeProcessingJob`` per execution: one call per job, ``N`` calls for ``N`` executions (up to
  12 per schedule: 40 hourly schedules → 480 calls);
* ``ListProcessingJobs(CreationTimeAfter=<the oldest execution's creation − 1 min>, SortBy=CreationTime,
  SortOrder=Descending, MaxResults=100)``: one call per 100 processing jobs created in the region since
  then (monitoring or not). Its summaries carry ``CreationTime`` and ``ProcessingEndTime``, so the
  duration is ``ProcessingEndTime − CreationTime`` (it includes the instances' start-up: the summaries
  carry no ``ProcessingStartTime``). 480 hourly executions over 12 hours with no other jobs → 5 calls.

The listing is used, and stops as soon as every wanted job was seen, or when it has made as many calls
as there are wanted jobs still unseen (from there, describing each would not have been dearer): the
calls are at most ``min(ceil(M / 100), N)`` for ``M`` jobs in the window. Jobs not seen, not ended, or a
failed listing leave ``processing_seconds`` None (a failure is noted on the target); the cost view then
uses the runs it has, or the job definition's ``MaxRuntimeInSeconds`` as an upper bound. Durations
never decide a verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from auditor.inventory.model import LastExecution, Monitor, Target
from auditor.scan.clients import AWS_ERRORS, RegionApi, error_code_and_message
from auditor.scan.guard import Operation

OPERATIONS: tuple[Operation, ...] = (("sagemaker", "ListProcessingJobs"),)

PAGE_SIZE = 100  # ListProcessingJobs MaxResults maximum
SLACK = timedelta(minutes=1)  # a job is created just after its execution record


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def fill_processing_durations(api: RegionApi, target: Target, monitors: Sequence[Monitor]) -> int:
    """Set ``processing_seconds`` on the executions of ``monitors`` whose job the listing shows ended.

    A failed listing is noted in ``target.cost_notes`` (not a scan error: durations decide no verdict,
    and a role without ``sagemaker:ListProcessingJobs`` must not make every scan incomplete). Returns
    the number of ListProcessingJobs calls made.
    """
    wanted: dict[str, list[LastExecution]] = {}
    oldest: datetime | None = None
    for monitor in monitors:
        for execution in monitor.executions or []:
            if not execution.processing_job_arn:
                continue
            wanted.setdefault(execution.processing_job_arn, []).append(execution)
            created = _parse(execution.creation_time) or _parse(execution.scheduled_time)
            if created is not None and (oldest is None or created < oldest):
                oldest = created
    if not wanted or oldest is None:
        return 0
    params: dict[str, Any] = {
        "CreationTimeAfter": oldest - SLACK,
        "SortBy": "CreationTime",
        "SortOrder": "Descending",
        "MaxResults": PAGE_SIZE,
    }
    calls = 0
    try:
        for page in api.pages("sagemaker", "ListProcessingJobs", **params):
            calls += 1
            for summary in page.get("ProcessingJobSummaries", []):
                executions = wanted.pop(str(summary.get("ProcessingJobArn")), None)
                created, ended = _aware(summary.get("CreationTime")), _aware(summary.get("ProcessingEndTime"))
                if executions is None or created is None or ended is None or ended < created:
                    continue
                for execution in executions:
                    execution.processing_seconds = (ended - created).total_seconds()
            if not wanted or calls >= len(wanted):
                break
    except AWS_ERRORS as exc:
        code, _ = error_code_and_message(exc)
        target.cost_notes.append(f"ListProcessingJobs failed ({code}): run durations not measured here")
    return calls
