"""Collect everything in one (account, region): endpoints, configs, monitors, job definitions, alarms."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from auditor.inventory.model import (
    Alarm,
    Dataset,
    DatasetStatus,
    Endpoint,
    JobDefinition,
    Monitor,
    MonitorType,
    ScanError,
    Target,
)
from auditor.scan import cloudwatch_alarms, endpoints, job_definitions, monitoring_schedules, search
from auditor.scan.clients import AWS_ERRORS, RegionApi, error_code_and_message
from auditor.scan.normalize import pick, tag_dict
from auditor.scan.options import ScanOptions

COMPLETE = DatasetStatus.COMPLETE
T = TypeVar("T")
R = TypeVar("R")


@dataclass
class RegionResult:
    """What one (account, region) yielded."""

    target: Target
    endpoints: list[Endpoint] = field(default_factory=list)
    monitors: list[Monitor] = field(default_factory=list)
    job_definitions: list[JobDefinition] = field(default_factory=list)
    alarms: list[Alarm] = field(default_factory=list)
    search_fallback: str | None = None  # why the fast path was not used, when it was asked for


@dataclass
class _ScheduleInput:
    record: dict[str, Any]
    tags: dict[str, str] | None
    missing: list[Dataset] = field(default_factory=list)


def _map(api: RegionApi, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """Run ``fn`` over ``items`` with bounded concurrency (errors are recorded inside ``fn``)."""
    items = list(items)
    if len(items) <= 1:
        return [fn(i) for i in items]
    with ThreadPoolExecutor(max_workers=api.runtime.per_service_concurrency) as pool:
        return list(pool.map(fn, items))


def scan_region(api: RegionApi, options: ScanOptions) -> RegionResult:
    """Collect one (account, region). AWS errors are recorded on ``api.errors``; never raises for them."""
    target = Target(
        account_id=api.account_id, region=api.region, datasets={d: DatasetStatus.COMPLETE for d in Dataset}
    )
    result = RegionResult(target=target)

    endpoint_inputs, schedules, used_search = _collect_endpoints(api, options, result)
    targeted_names = {str(rec["EndpointName"]) for rec, _, _ in endpoint_inputs}
    if not (used_search and options.targeted):
        _collect_unsearched_schedules(api, options, schedules, targeted_names, target)

    config_names = sorted(
        {str(rec["EndpointConfigName"]) for rec, _, _ in endpoint_inputs if rec.get("EndpointConfigName")}
    )
    configs = dict(
        zip(
            config_names,
            _map(api, lambda n: endpoints.describe_endpoint_config(api, n), config_names),
            strict=True,
        )
    )
    for rec, tags, missing in endpoint_inputs:
        config = configs.get(str(rec.get("EndpointConfigName")))
        result.endpoints.append(
            endpoints.build_endpoint(
                rec, account_id=api.account_id, region=api.region, tags=tags, config=config, missing=missing
            )
        )

    embedded: list[JobDefinition] = []
    for item in schedules.values():
        monitor, embedded_def, error = monitoring_schedules.build_monitor(
            item.record, account_id=api.account_id, region=api.region, tags=item.tags, missing=item.missing
        )
        if embedded_def is None and Dataset.MONITORS in item.missing and monitor.job_definition_name is None:
            # Not described, and its summary names no definition: it embeds one we could not read.
            monitor.job_definition_embedded = True
            embedded_def = job_definitions.stub_embedded_job_definition(
                schedule_arn=monitor.arn,
                schedule_name=monitor.name,
                monitor_type=monitor.monitor_type,
                account_id=api.account_id,
                region=api.region,
                creation_time=monitor.creation_time,
            )
        result.monitors.append(monitor)
        if embedded_def is not None:
            embedded.append(embedded_def)
        if error is not None:
            api.errors.append(error)

    result.job_definitions = embedded + _collect_named_job_definitions(api, options, result.monitors, target)
    _collect_alarms(api, options, result, targeted_names)
    _mark_partial(target, api.errors)

    result.endpoints.sort(key=lambda r: r.arn)
    result.monitors.sort(key=lambda r: r.arn)
    result.job_definitions.sort(key=lambda r: r.arn)
    result.alarms.sort(key=lambda r: r.arn)
    return result


def _mark_partial(target: Target, errors: Iterable[ScanError]) -> None:
    """A dataset whose only errors concern single resources -- each kept with the dataset in its
    ``missing`` -- is PARTIAL (not COMPLETE: something could not be read); a FAILED one stays FAILED."""
    for error in errors:
        dataset = error.dataset
        if dataset is not None and error.resource is not None and target.datasets.get(dataset) is COMPLETE:
            target.datasets[dataset] = DatasetStatus.PARTIAL


def _collect_endpoints(
    api: RegionApi, options: ScanOptions, result: RegionResult
) -> tuple[
    list[tuple[dict[str, Any], dict[str, str] | None, list[Dataset]]], dict[str, _ScheduleInput], bool
]:
    """Endpoint records (+tags, +missing) and, on the fast path, their schedules."""
    schedules: dict[str, _ScheduleInput] = {}
    if options.use_search:
        try:
            records = search.search_endpoints(api)
        except AWS_ERRORS as exc:
            code, _ = error_code_and_message(exc)
            result.search_fallback = code
        else:
            inputs: list[tuple[dict[str, Any], dict[str, str] | None, list[Dataset]]] = []
            for rec in records:
                tags = tag_dict(rec.get("Tags"))
                name = str(rec["EndpointName"])
                if not options.matches_endpoint(name, tags):
                    continue
                inputs.append((pick(rec, endpoints.ENDPOINT_RECORD_KEYS), tags, []))
                for sched in rec.get("MonitoringSchedules") or []:
                    record = pick(sched, monitoring_schedules.SCHEDULE_RECORD_KEYS)
                    record.setdefault("EndpointName", name)
                    schedules[str(record["MonitoringScheduleName"])] = _ScheduleInput(
                        record, tag_dict(sched.get("Tags"))
                    )
            return inputs, schedules, True

    listed = endpoints.list_endpoint_summaries(api)
    if not listed.complete:
        result.target.datasets[Dataset.ENDPOINTS] = DatasetStatus.FAILED
    summaries = listed.items
    if options.endpoint_names and not options.endpoint_tags:
        summaries = [s for s in summaries if options.matches_endpoint(str(s["EndpointName"]), {})]

    def fetch(summary: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str] | None, list[Dataset]]:
        name = str(summary["EndpointName"])
        record = endpoints.describe_endpoint(api, name)
        missing: list[Dataset] = []
        if record is None:
            record = pick(summary, endpoints.ENDPOINT_RECORD_KEYS)
            missing.append(Dataset.ENDPOINTS)
        tags = endpoints.list_tags(api, str(summary["EndpointArn"]))
        return record, tags, missing

    fetched = _map(api, fetch, summaries)
    # Unknown tags (ListTags failed) keep the endpoint in a tag-targeted scan: fail closed.
    kept = [f for f in fetched if f[1] is None or options.matches_endpoint(str(f[0]["EndpointName"]), f[1])]
    return kept, schedules, False


def _collect_unsearched_schedules(
    api: RegionApi,
    options: ScanOptions,
    schedules: dict[str, _ScheduleInput],
    targeted_names: set[str],
    target: Target,
) -> None:
    """Schedules Search did not return (batch, orphans) or, on the slow path, all of them."""
    listed = monitoring_schedules.list_schedule_summaries(api)
    if not listed.complete:
        target.datasets[Dataset.MONITORS] = DatasetStatus.FAILED
    todo = [s for s in listed.items if str(s["MonitoringScheduleName"]) not in schedules]
    if options.targeted:
        todo = [s for s in todo if s.get("EndpointName") in targeted_names]

    def fetch(summary: dict[str, Any]) -> _ScheduleInput:
        name = str(summary["MonitoringScheduleName"])
        record = monitoring_schedules.describe_schedule(api, name)
        missing: list[Dataset] = []
        if record is None:
            record = monitoring_schedules.summary_as_record(summary)
            missing.append(Dataset.MONITORS)
        tags = endpoints.list_tags(api, str(summary["MonitoringScheduleArn"]))
        return _ScheduleInput(record, tags, missing)

    for item in _map(api, fetch, todo):
        schedules[str(item.record["MonitoringScheduleName"])] = item


def _definition_key(monitor: Monitor) -> tuple[MonitorType, str] | None:
    """(type, name) of the named job definition a monitor uses; None for embedded or unknown ones."""
    if monitor.job_definition_embedded or monitor.monitor_type is None or not monitor.job_definition_name:
        return None
    return monitor.monitor_type, monitor.job_definition_name


def _collect_named_job_definitions(
    api: RegionApi, options: ScanOptions, monitors: list[Monitor], target: Target
) -> list[JobDefinition]:
    """Describe each referenced (and, on a full scan, each existing) named job definition once.

    One that exists but cannot be described is kept as a stub (``stub_job_definition``) with
    JOB_DEFINITIONS missing: its own verdicts and those of the monitors using it become ERROR.
    """
    users: dict[tuple[MonitorType, str], Monitor] = {}
    for monitor in monitors:
        key = _definition_key(monitor)
        if key is not None:
            users.setdefault(key, monitor)
    summaries: dict[tuple[MonitorType, str], dict[str, Any]] = {}
    if not options.targeted:
        for monitor_type in MonitorType:
            listed, complete = job_definitions.list_job_definition_summaries(api, monitor_type)
            if not complete:
                target.datasets[Dataset.JOB_DEFINITIONS] = DatasetStatus.FAILED
            summaries.update(((monitor_type, n), s) for n, s in listed.items())
    keys = sorted(set(users) | set(summaries))

    def fetch(key: tuple[MonitorType, str]) -> JobDefinition | None:
        monitor_type, name = key
        record, exists = job_definitions.describe_job_definition(api, monitor_type, name)
        if record is not None:
            return job_definitions.build_named_job_definition(
                record, monitor_type=monitor_type, account_id=api.account_id, region=api.region
            )
        if not exists:
            return None  # deleted: a fact about the estate, not a gap
        user = users.get(key)
        return job_definitions.stub_job_definition(
            monitor_type=monitor_type,
            name=name,
            account_id=api.account_id,
            region=api.region,
            summary=summaries.get(key),
            schedule_arn=user.arn if user else None,
            endpoint_name=user.endpoint_name if user else None,
        )

    described = dict(zip(keys, _map(api, fetch, keys), strict=True))
    for monitor in monitors:
        key = _definition_key(monitor)
        jd = described.get(key) if key is not None else None
        if jd is None:
            continue
        if jd.missing:  # unreadable: what the monitor takes from its definition is missing too
            monitor.missing = sorted({*monitor.missing, Dataset.JOB_DEFINITIONS})
            continue
        # The schedule record of a named definition does not carry its input; the definition does.
        if monitor.endpoint_name is None:
            monitor.endpoint_name = jd.endpoint_name
        if monitor.batch_transform_input_uri is None:
            monitor.batch_transform_input_uri = jd.batch_transform_input_uri
    return [jd for jd in described.values() if jd is not None]


def _collect_alarms(
    api: RegionApi, options: ScanOptions, result: RegionResult, targeted_names: set[str]
) -> None:
    metric, composite, complete = cloudwatch_alarms.describe_alarms(api)
    if not complete:
        result.target.datasets[Dataset.ALARMS] = DatasetStatus.FAILED
    keep: Callable[[Alarm], bool] = cloudwatch_alarms.is_model_monitor_alarm
    if options.targeted:
        monitor_names = {m.name for m in result.monitors}

        def keep(alarm: Alarm) -> bool:
            return cloudwatch_alarms.is_model_monitor_alarm(alarm) and any(
                m.dimensions.get("Endpoint") in targeted_names
                or m.dimensions.get("MonitoringSchedule") in monitor_names
                for m in alarm.metrics
            )

    result.alarms, result.target.other_alarm_count = cloudwatch_alarms.select_alarms(
        metric, composite, account_id=api.account_id, region=api.region, keep_metric=keep
    )
