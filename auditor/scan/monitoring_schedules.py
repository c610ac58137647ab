"""Monitoring schedules: listing and describing (slow path), and normalizing into ``Monitor``.

Schedule records come from Search (inline in each endpoint record) or from
DescribeMonitoringSchedule; both are cut to the members of the ``MonitoringSchedule`` shape (minus
Tags) so the two paths yield identical inventories.
"""

from __future__ import annotations

import re
from typing import Any

from auditor.inventory.model import (
    Dataset,
    Disagreement,
    JobDefinition,
    LastExecution,
    Monitor,
    MonitorType,
    ResourceKind,
    ScanError,
)
from auditor.scan import models, monitoring_executions, search
from auditor.scan.clients import AWS_ERRORS, Collected, RegionApi
from auditor.scan.context import RegionContext, ScheduleInput
from auditor.scan.guard import Operation
from auditor.scan.job_definitions import build_embedded_job_definition, stub_embedded_job_definition
from auditor.scan.normalize import iso, opt_str, pick, raw
from auditor.scan.tags import list_tags

OPERATIONS: tuple[Operation, ...] = (
    ("sagemaker", "ListMonitoringAlerts"),  # the alerts Search's model records did not carry
    ("sagemaker", "ListMonitoringSchedules"),
    ("sagemaker", "DescribeMonitoringSchedule"),
    ("sagemaker", "ListTags"),
    # the last executions of each schedule
    *monitoring_executions.OPERATIONS,
)

SCHEDULE_RECORD_KEYS = (
    "MonitoringScheduleArn",
    "MonitoringScheduleName",
    "MonitoringScheduleStatus",
    "MonitoringType",
    "FailureReason",
    "CreationTime",
    "LastModifiedTime",
    "MonitoringScheduleConfig",
    "EndpointName",
    "LastMonitoringExecutionSummary",
)

_CRON = re.compile(r"cron\((?P<body>[^()]*)\)", re.IGNORECASE)
_HOUR_STEP = re.compile(r"^(?:\*|\d{1,2})/(?P<step>\d{1,2})$")
HOUR = 3600
DAY = 24 * HOUR


def parse_schedule_interval(expression: str | None) -> int | None:
    """Seconds between runs for the expressions SageMaker supports; None for NOW or anything else.

    Supported: hourly ``cron(0 * ? * * *)``, daily ``cron(0 H ? * * *)``, every N hours
    ``cron(0 H/N ? * * *)`` or ``cron(0 */N ? * * *)``. Text around the cron (e.g. the doc
    string "Hourly: cron(0 * ? * * *)" pasted verbatim) is not accepted: AWS would reject it too.
    """
    if expression is None:
        return None
    match = _CRON.fullmatch(expression.strip())
    if match is None:
        return None
    fields = match.group("body").split()
    if len(fields) != 6 or not fields[0].isdigit():
        return None
    hour = fields[1]
    if any(f not in ("*", "?") for f in fields[2:5]):
        return None  # day-of-month / month / day-of-week restrictions: not a fixed interval
    if hour == "*":
        return HOUR
    if hour.isdigit() and int(hour) < 24:
        return DAY
    step = _HOUR_STEP.match(hour)
    if step is not None and 1 <= int(step.group("step")) <= 24:
        return int(step.group("step")) * HOUR
    return None


def list_schedule_summaries(api: RegionApi) -> Collected:
    """Every ListMonitoringSchedules summary (pages of 100); partial, error recorded, on failure."""
    return api.collect(
        "sagemaker",
        "ListMonitoringSchedules",
        "MonitoringScheduleSummaries",
        dataset=Dataset.MONITORS,
        MaxResults=100,
    )


def describe_schedule(api: RegionApi, name: str) -> dict[str, Any] | None:
    """DescribeMonitoringSchedule cut to SCHEDULE_RECORD_KEYS; None (error recorded) on failure."""
    try:
        result = api.call("sagemaker", "DescribeMonitoringSchedule", MonitoringScheduleName=name)
    except AWS_ERRORS as exc:
        api.record(exc, "sagemaker", "DescribeMonitoringSchedule", dataset=Dataset.MONITORS, resource=name)
        return None
    return pick(result, SCHEDULE_RECORD_KEYS)


def summary_as_record(summary: dict[str, Any]) -> dict[str, Any]:
    """A ListMonitoringSchedules summary in the shape of a schedule record (for failed describes)."""
    record = pick(summary, SCHEDULE_RECORD_KEYS)
    config: dict[str, Any] = {}
    if summary.get("MonitoringJobDefinitionName"):
        config["MonitoringJobDefinitionName"] = summary["MonitoringJobDefinitionName"]
    if summary.get("MonitoringType"):
        config["MonitoringType"] = summary["MonitoringType"]
    if config:
        record["MonitoringScheduleConfig"] = config
    return record


def _monitor_type(value: str | None) -> MonitorType | None:
    if value is None:
        return None
    try:
        return MonitorType(value)
    except ValueError:
        return None


def _last_execution(summary: dict[str, Any] | None) -> LastExecution | None:
    if not summary:
        return None
    return LastExecution(
        status=opt_str(summary.get("MonitoringExecutionStatus")),
        scheduled_time=iso(summary.get("ScheduledTime")),
        creation_time=iso(summary.get("CreationTime")),
        last_modified_time=iso(summary.get("LastModifiedTime")),
        failure_reason=opt_str(summary.get("FailureReason")),
        processing_job_arn=opt_str(summary.get("ProcessingJobArn")),
    )


def build_monitor(
    record: dict[str, Any],
    *,
    account_id: str,
    region: str,
    tags: dict[str, str] | None,
    missing: list[Dataset],
) -> tuple[Monitor, JobDefinition | None, ScanError | None]:
    """Normalize a schedule record into a Monitor, its embedded JobDefinition (if any), and a
    ScanError when the monitoring type is one this version does not know (kept raw, type None)."""
    record = pick(record, SCHEDULE_RECORD_KEYS)
    config = record.get("MonitoringScheduleConfig") or {}
    embedded = config.get("MonitoringJobDefinition")
    type_text = record.get("MonitoringType") or config.get("MonitoringType")
    if embedded and not type_text:
        type_text = MonitorType.DATA_QUALITY.value  # AWS fills DataQuality in for inline definitions
    monitor_type = _monitor_type(type_text)
    arn = str(record["MonitoringScheduleArn"])
    name = str(record["MonitoringScheduleName"])
    expression = (config.get("ScheduleConfig") or {}).get("ScheduleExpression")

    embedded_def: JobDefinition | None = None
    endpoint_name = opt_str(record.get("EndpointName"))
    batch_uri: str | None = None
    if embedded:
        embedded_def = build_embedded_job_definition(
            embedded,
            schedule_arn=arn,
            schedule_name=name,
            monitor_type=monitor_type,
            account_id=account_id,
            region=region,
            creation_time=iso(record.get("CreationTime")),
        )
        endpoint_name = endpoint_name or embedded_def.endpoint_name
        batch_uri = embedded_def.batch_transform_input_uri

    error = None
    if type_text is not None and monitor_type is None:
        error = ScanError(
            account_id=account_id,
            region=region,
            service="sagemaker",
            operation="DescribeMonitoringSchedule",
            error_code="UnknownMonitoringType",
            message=f"monitoring type {type_text!r} is not known to this auditor version",
            dataset=Dataset.MONITORS,
            resource=arn,
        )
    monitor = Monitor(
        arn=arn,
        name=name,
        account_id=account_id,
        region=region,
        monitor_type=monitor_type,
        status=opt_str(record.get("MonitoringScheduleStatus")),
        failure_reason=opt_str(record.get("FailureReason")),
        creation_time=iso(record.get("CreationTime")),
        last_modified_time=iso(record.get("LastModifiedTime")),
        schedule_expression=opt_str(expression),
        interval_seconds=parse_schedule_interval(expression),
        endpoint_name=endpoint_name,
        batch_transform_input_uri=batch_uri,
        job_definition_name=None if embedded else opt_str(config.get("MonitoringJobDefinitionName")),
        job_definition_embedded=bool(embedded),
        last_execution=_last_execution(record.get("LastMonitoringExecutionSummary")),
        tags=dict(sorted((tags or {}).items())),
        missing=sorted(
            set(missing)
            | ({Dataset.TAGS} if tags is None else set())
            # A monitor of unknown type could be the very one a check looks for: what depends on
            # this monitor's type must be ERROR, not a guess.
            | ({Dataset.MONITORS} if error is not None else set())
        ),
        raw=raw(record),
    )
    return monitor, embedded_def, error


# --------------------------------------------------------------------------- the collector

KIND = ResourceKind.MONITOR
NEEDS: tuple[ResourceKind, ...] = (ResourceKind.ENDPOINT,)  # Search's schedules, the selection


def collect(ctx: RegionContext) -> list[Monitor]:
    """The monitoring schedules of one (account, region) with their last executions; their embedded job
    definitions are handed on (``ctx.embedded_definitions``) to the job-definition collector."""
    schedules = _reconcile(ctx)
    api = ctx.api
    monitors: list[Monitor] = []
    for item in schedules.values():
        monitor, embedded_def, error = build_monitor(
            item.record, account_id=api.account_id, region=api.region, tags=item.tags, missing=item.missing
        )
        if embedded_def is None and Dataset.MONITORS in item.missing and monitor.job_definition_name is None:
            # Not described, and its summary names no definition: it embeds one we could not read.
            monitor.job_definition_embedded = True
            embedded_def = stub_embedded_job_definition(
                schedule_arn=monitor.arn,
                schedule_name=monitor.name,
                monitor_type=monitor.monitor_type,
                account_id=api.account_id,
                region=api.region,
                creation_time=monitor.creation_time,
            )
        monitors.append(monitor)
        if embedded_def is not None:
            ctx.embedded_definitions.append(embedded_def)
        if error is not None:
            api.errors.append(error)
    models.fill_alerts(ctx, monitors, ctx.model_alerts)  # handed on with the endpoints (_reconcile waited)
    monitoring_executions.fill_execution_history(ctx, monitors)
    return monitors


def _reconcile(ctx: RegionContext) -> dict[str, ScheduleInput]:
    """ListMonitoringSchedules (authoritative), reconciled with the schedules Search returned.

    Listed schedules Search did not return (orphans, batch, or missing from the index) and those
    Search returned with a different status or modification time are described one by one; a
    schedule Search returned that the complete listing lacks is deleted: dropped. Disagreements on
    the endpoints Search returned are recorded. A targeted scan keeps only the schedules of the
    endpoints it selected.
    """
    api, options = ctx.api, ctx.options
    listed = list_schedule_summaries(api)  # needs nothing: listed while the endpoints are collected
    ctx.handed_on(ResourceKind.ENDPOINT)
    selected = ctx.selected_endpoints
    schedules = dict(ctx.searched_schedules)
    if not listed.complete:
        ctx.failed(Dataset.MONITORS)
    summaries = {str(s["MonitoringScheduleName"]): s for s in listed.items}
    if options.targeted:
        summaries = {n: s for n, s in summaries.items() if s.get("EndpointName") in selected}
        for name in [n for n, item in schedules.items() if item.record.get("EndpointName") not in selected]:
            del schedules[name]  # inline in an endpoint the confirmation dropped
    for name, item in list(schedules.items()):
        summary = summaries.get(name)
        if summary is None:
            if listed.complete:
                del schedules[name]
                ctx.disagree(
                    Dataset.MONITORS,
                    name,
                    Disagreement.NOT_LISTED,
                    "not listed by ListMonitoringSchedules: dropped",
                )
            continue
        detail = search.stale_detail(item.record, summary, "MonitoringScheduleStatus")
        if detail is not None:
            del schedules[name]
            ctx.disagree(Dataset.MONITORS, name, Disagreement.STALE, detail)
    todo = [s for n, s in summaries.items() if n not in schedules]
    stale = {d.name for d in ctx.disagreements if d.dataset is Dataset.MONITORS}
    for summary in todo:
        name = str(summary["MonitoringScheduleName"])
        if name not in stale and summary.get("EndpointName") in ctx.endpoints_from_search:
            ctx.disagree(
                Dataset.MONITORS,
                name,
                Disagreement.NOT_IN_SEARCH,
                "listed by ListMonitoringSchedules, not returned by Search with its endpoint: described",
            )

    def fetch(summary: dict[str, Any]) -> ScheduleInput:
        name = str(summary["MonitoringScheduleName"])
        record = describe_schedule(api, name)
        missing: list[Dataset] = []
        if record is None:
            record = summary_as_record(summary)
            missing.append(Dataset.MONITORS)
        tags = list_tags(api, str(summary["MonitoringScheduleArn"]))
        return ScheduleInput(record, tags, missing)

    for item in ctx.map(fetch, todo):
        schedules[str(item.record["MonitoringScheduleName"])] = item
    return schedules
