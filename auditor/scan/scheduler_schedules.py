"""EventBridge Scheduler schedules, read only for the replacement recognisers that match schedules.

Per (account, region), when a recogniser has a schedule matcher: ListSchedules (every group, pages of
100; it returns each schedule's target ARN but not its Input), then GetSchedule per schedule only when
a matcher looks for the endpoint in the target's Input. Without such a recogniser nothing is called
(the dataset is complete: nothing was asked of it). The schedules' tags are not read (one
ListTagsForResource per schedule): recognisers match names, target ARNs and Input.

A failed listing marks the dataset FAILED (every check that reads the replacements is ERROR); a failed
GetSchedule keeps the schedule with ``missing`` [schedules] (PARTIAL).
"""

from __future__ import annotations

from typing import Any

from auditor.inventory.model import Dataset, ResourceKind, Schedule, ScheduleField
from auditor.scan.clients import AWS_ERRORS, RegionApi
from auditor.scan.context import RegionContext
from auditor.scan.guard import Operation
from auditor.scan.normalize import opt_str, raw

KIND = ResourceKind.SCHEDULE
NEEDS: tuple[ResourceKind, ...] = ()
OPERATIONS: tuple[Operation, ...] = (
    ("scheduler", "ListSchedules"),
    ("scheduler", "GetSchedule"),
)


def build_schedule(record: dict[str, Any], *, account_id: str, region: str) -> Schedule:
    """Normalize a ListSchedules (or GetSchedule) record."""
    target = record.get("Target") or {}
    return Schedule(
        arn=str(record["Arn"]),
        name=str(record["Name"]),
        account_id=account_id,
        region=region,
        group_name=str(record.get("GroupName") or "default"),
        state=opt_str(record.get("State")),
        schedule_expression=opt_str(record.get("ScheduleExpression")),
        target_arn=opt_str(target.get("Arn")),
        target_input=opt_str(target.get("Input")),
        raw=raw(record),
    )


def _read_input(api: RegionApi, schedule: Schedule) -> Schedule:
    try:
        record = api.call("scheduler", "GetSchedule", Name=schedule.name, GroupName=schedule.group_name)
    except AWS_ERRORS as exc:
        api.record(exc, "scheduler", "GetSchedule", dataset=Dataset.REPLACEMENTS, resource=schedule.arn)
        schedule.missing = [Dataset.REPLACEMENTS]
        return schedule
    read = build_schedule({**record, "Arn": schedule.arn}, account_id=api.account_id, region=api.region)
    return read


def collect(ctx: RegionContext) -> list[Schedule]:
    """The schedules of one (account, region), when a recogniser matches schedules."""
    matchers = [r.schedule for r in ctx.options.recognisers if r.schedule is not None]
    if not matchers:
        return []
    api = ctx.api
    listed = api.collect(
        "scheduler", "ListSchedules", "Schedules", dataset=Dataset.REPLACEMENTS, MaxResults=100
    )
    if not listed.complete:
        ctx.failed(Dataset.REPLACEMENTS)
    schedules = [
        build_schedule(r, account_id=api.account_id, region=api.region)
        for r in listed.items
        if "Arn" in r and "Name" in r
    ]
    if any(ScheduleField.INPUT in m.endpoint_in for m in matchers):
        schedules = ctx.map(lambda s: _read_input(api, s), schedules)
    return schedules
