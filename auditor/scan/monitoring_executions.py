"""The last executions of each monitoring schedule: ListMonitoringExecutions, the cheaper of two ways.

Each schedule's history is its executions scheduled within ``HISTORY_SIZE`` × its interval (+ 20
minutes: runs start up to 20 minutes late), newest first, at most ``HISTORY_SIZE`` of them; a schedule
without a known interval (``NOW``, unparsable) gets its last ``HISTORY_SIZE`` executions ever. Two ways
to read that, with the same result:

* per schedule: ``ListMonitoringExecutions(MonitoringScheduleName=s, ScheduledTimeAfter=<its window>,
  SortBy=ScheduledTime, SortOrder=Descending, MaxResults=HISTORY_SIZE)``: exactly one call per schedule,
  ``S`` calls for ``S`` schedules;
* region-wide: ``ListMonitoringExecutions(ScheduledTimeAfter=now - W, MaxResults=100)`` with ``W`` the
  widest window (``HISTORY_SIZE`` × the longest interval + 20 min), paged: one call per 100 executions,
  ``ceil(Σ_s ceil(W / interval_s) / 100)`` calls, then each schedule's own window and newest
  ``HISTORY_SIZE`` are cut from it.

``plan`` estimates both from the schedules' intervals and takes the cheaper (region-wide only when every
schedule has an interval). With ``HISTORY_SIZE`` = 12: 40 hourly schedules cost 40 calls one by one, and
region-wide W = 12 h 20 min → 13 executions each, 520 → 6 calls. Add one daily schedule and W = 12 days
20 min → 289 executions per hourly schedule, 11 573 → 116 calls: per schedule (41) wins.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from auditor.inventory.executions import summarize
from auditor.inventory.model import Dataset, LastExecution, Monitor
from auditor.scan import processing_jobs
from auditor.scan.clients import AWS_ERRORS, RegionApi
from auditor.scan.context import RegionContext
from auditor.scan.guard import Operation
from auditor.scan.normalize import iso, opt_str

OPERATIONS: tuple[Operation, ...] = (
    ("sagemaker", "ListMonitoringExecutions"),
    # the durations of the executions' processing jobs (for the cost view)
    *processing_jobs.OPERATIONS,
)

HISTORY_SIZE = 12  # executions kept per schedule (the policies judge "M of the last N" with N ≤ this)
LATE_START = timedelta(minutes=20)  # executions can start up to 20 minutes after their scheduled time
PAGE_SIZE = 100  # ListMonitoringExecutions MaxResults maximum


@dataclass(frozen=True)
class Plan:
    """How to read the histories of one (account, region), and what each way would cost."""

    region_wide: bool
    per_schedule_calls: int
    region_wide_calls: int | None  # None: not possible (a schedule has no interval)
    window: timedelta | None  # the region-wide window


def window_of(monitor: Monitor) -> timedelta | None:
    """How far back ``monitor``'s history reaches; None: no interval, its last executions ever."""
    if monitor.interval_seconds is None:
        return None
    return HISTORY_SIZE * timedelta(seconds=monitor.interval_seconds) + LATE_START


def plan(monitors: Sequence[Monitor]) -> Plan:
    """Per schedule (one call each) or region-wide (one call per 100 executions in the widest window)."""
    per_schedule = len(monitors)
    windows = [window_of(m) for m in monitors]
    if not monitors or any(w is None for w in windows):
        return Plan(False, per_schedule, None, None)
    widest = max(w for w in windows if w is not None)
    expected = sum(math.ceil(widest.total_seconds() / (m.interval_seconds or 1)) for m in monitors)
    region_calls = max(1, math.ceil(expected / PAGE_SIZE))
    return Plan(region_calls < per_schedule, per_schedule, region_calls, widest)


def _execution(record: dict[str, Any]) -> LastExecution:
    return LastExecution(
        status=opt_str(record.get("MonitoringExecutionStatus")),
        scheduled_time=iso(record.get("ScheduledTime")),
        creation_time=iso(record.get("CreationTime")),
        last_modified_time=iso(record.get("LastModifiedTime")),
        failure_reason=opt_str(record.get("FailureReason")),
        processing_job_arn=opt_str(record.get("ProcessingJobArn")),
    )


def _scheduled(record: dict[str, Any]) -> datetime:
    value = record.get("ScheduledTime")
    if not isinstance(value, datetime):
        return datetime.min.replace(tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _keep(records: list[dict[str, Any]], monitor: Monitor, now: datetime) -> list[LastExecution]:
    """``monitor``'s newest HISTORY_SIZE executions within its own window."""
    window = window_of(monitor)
    if window is not None:
        records = [r for r in records if _scheduled(r) > now - window]
    records = sorted(records, key=_scheduled, reverse=True)[:HISTORY_SIZE]
    return [_execution(r) for r in records]


def _set(monitor: Monitor, executions: list[LastExecution] | None) -> None:
    monitor.executions = executions
    monitor.execution_history = (
        summarize(executions, monitor.last_execution) if executions is not None else None
    )
    if executions is None:
        monitor.missing = sorted(set(monitor.missing) | {Dataset.EXECUTIONS})


def _per_schedule(api: RegionApi, monitor: Monitor, now: datetime) -> list[LastExecution] | None:
    params: dict[str, Any] = {
        "MonitoringScheduleName": monitor.name,
        "SortBy": "ScheduledTime",
        "SortOrder": "Descending",
        "MaxResults": HISTORY_SIZE,
    }
    window = window_of(monitor)
    if window is not None:
        params["ScheduledTimeAfter"] = now - window
    try:
        page = api.call("sagemaker", "ListMonitoringExecutions", **params)
    except AWS_ERRORS as exc:
        api.record(
            exc, "sagemaker", "ListMonitoringExecutions", dataset=Dataset.EXECUTIONS, resource=monitor.name
        )
        return None
    return _keep(list(page.get("MonitoringExecutionSummaries", [])), monitor, now)


def fill_execution_history(
    ctx: RegionContext, monitors: list[Monitor], *, now: datetime | None = None
) -> Plan:
    """Set ``executions`` and ``execution_history`` on every monitor of one (account, region).

    A failed call leaves the monitors it concerns with None and ``EXECUTIONS`` in ``missing`` (a failed
    region-wide listing also marks the dataset failed): their history verdicts are ERROR. Returns the
    plan that was followed.
    """
    api = ctx.api
    now = now or datetime.now(UTC)
    chosen = plan(monitors)
    if not chosen.region_wide:
        results = ctx.map(lambda m: _per_schedule(api, m, now), monitors)
        for monitor, executions in zip(monitors, results, strict=True):
            _set(monitor, executions)
        processing_jobs.fill_processing_durations(api, ctx.target, monitors)
        return chosen
    assert chosen.window is not None
    found = api.collect(
        "sagemaker",
        "ListMonitoringExecutions",
        "MonitoringExecutionSummaries",
        dataset=Dataset.EXECUTIONS,
        ScheduledTimeAfter=now - chosen.window,
        SortBy="ScheduledTime",
        SortOrder="Descending",
        MaxResults=PAGE_SIZE,
    )
    if not found.complete:
        ctx.failed(Dataset.EXECUTIONS)
    by_schedule: dict[str, list[dict[str, Any]]] = {}
    for record in found.items:
        by_schedule.setdefault(str(record.get("MonitoringScheduleName")), []).append(record)
    for monitor in monitors:
        _set(monitor, _keep(by_schedule.get(monitor.name, []), monitor, now) if found.complete else None)
    processing_jobs.fill_processing_durations(api, ctx.target, monitors)
    return chosen
