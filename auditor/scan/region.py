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
    Disagreement,
    Endpoint,
    JobDefinition,
    Monitor,
    MonitorType,
    ScanError,
    SearchDisagreement,
    Target,
)
from auditor.scan import cloudwatch_alarms, endpoints, job_definitions, monitoring_schedules, search
from auditor.scan.clients import AWS_ERRORS, RegionApi, error_code_and_message
from auditor.scan.normalize import iso, pick, tag_dict
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
    disagreements: list[SearchDisagreement] = field(default_factory=list)

    def disagree(self, dataset: Dataset, name: str, kind: Disagreement, detail: str) -> None:
        """Record that Search disagreed with the authoritative calls about one resource."""
        self.disagreements.append(
            SearchDisagreement(self.target.account_id, self.target.region, dataset, name, kind, detail)
        )


@dataclass
class _ScheduleInput:
    record: dict[str, Any]
    tags: dict[str, str] | None
    missing: list[Dataset] = field(default_factory=list)


# An endpoint record (Search's or DescribeEndpoint's), its tags (None: unreadable), what is missing.
_EndpointInput = tuple[dict[str, Any], dict[str, str] | None, list[Dataset]]


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

    endpoint_inputs, schedules, from_search = _collect_endpoints(api, options, result)
    targeted_names = {str(rec["EndpointName"]) for rec, _, _ in endpoint_inputs}
    _collect_schedules(api, options, schedules, targeted_names, from_search, result)

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
) -> tuple[list[_EndpointInput], dict[str, _ScheduleInput], set[str]]:
    """Endpoint records (+tags, +missing), Search's schedules (fast path), and the names of the
    endpoints whose record came from Search.

    ListEndpoints is authoritative either way: on the fast path it confirms Search's endpoints both
    ways (``_confirm_search``); on the slow path it is the only source.
    """
    if options.use_search:
        try:
            records = search.search_endpoints(api)
        except AWS_ERRORS as exc:
            code, _ = error_code_and_message(exc)
            result.search_fallback = code
        else:
            return _confirm_search(api, options, result, records)
    listed = endpoints.list_endpoint_summaries(api)
    if not listed.complete:
        result.target.datasets[Dataset.ENDPOINTS] = DatasetStatus.FAILED
    return _read_listed(api, options, listed.items), {}, set()


def _read_listed(
    api: RegionApi, options: ScanOptions, summaries: list[dict[str, Any]]
) -> list[_EndpointInput]:
    """DescribeEndpoint + ListTags for each listed endpoint the selection may include."""
    if options.endpoint_names and not options.endpoint_tags:
        summaries = [s for s in summaries if options.matches_endpoint(str(s["EndpointName"]), {})]

    def fetch(summary: dict[str, Any]) -> _EndpointInput:
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
    return [f for f in fetched if f[1] is None or options.matches_endpoint(str(f[0]["EndpointName"]), f[1])]


def _confirm_search(
    api: RegionApi, options: ScanOptions, result: RegionResult, records: list[dict[str, Any]]
) -> tuple[list[_EndpointInput], dict[str, _ScheduleInput], set[str]]:
    """Search's endpoints, confirmed against ListEndpoints (one call per 100 endpoints).

    Search is an eventually consistent index. An endpoint it returns that ListEndpoints does not is
    deleted: dropped. One ListEndpoints has that Search lacks, or whose status or modification time
    differs from Search's, is read with DescribeEndpoint + ListTags like on the slow path. Each
    disagreement is recorded. Without a complete listing nothing can be confirmed: Search's records
    are kept and the target's endpoints dataset is FAILED.
    """
    listed = endpoints.list_endpoint_summaries(api)
    if not listed.complete:
        result.target.datasets[Dataset.ENDPOINTS] = DatasetStatus.FAILED
    summaries = {str(s["EndpointName"]): s for s in listed.items}
    inputs: list[_EndpointInput] = []
    schedules: dict[str, _ScheduleInput] = {}
    from_search: set[str] = set()
    stale: list[dict[str, Any]] = []
    for rec in records:
        name = str(rec["EndpointName"])
        tags = tag_dict(rec.get("Tags"))
        if not options.matches_endpoint(name, tags):
            continue
        summary = summaries.get(name)
        if summary is None and listed.complete:
            result.disagree(
                Dataset.ENDPOINTS, name, Disagreement.NOT_LISTED, "not listed by ListEndpoints: dropped"
            )
            continue
        from_search.add(name)
        detail = _stale(rec, summary, "EndpointStatus") if summary is not None else None
        if detail is not None:
            result.disagree(Dataset.ENDPOINTS, name, Disagreement.STALE, detail)
            stale.append(summaries[name])
        else:
            inputs.append((pick(rec, endpoints.ENDPOINT_RECORD_KEYS), tags, []))
        for sched in rec.get("MonitoringSchedules") or []:
            record = pick(sched, monitoring_schedules.SCHEDULE_RECORD_KEYS)
            record.setdefault("EndpointName", name)
            schedules[str(record["MonitoringScheduleName"])] = _ScheduleInput(
                record, tag_dict(sched.get("Tags"))
            )
    searched = {str(rec["EndpointName"]) for rec in records}
    unsearched = _read_listed(api, options, [s for n, s in summaries.items() if n not in searched])
    for rec, _, _ in unsearched:
        result.disagree(
            Dataset.ENDPOINTS,
            str(rec["EndpointName"]),
            Disagreement.NOT_IN_SEARCH,
            "listed by ListEndpoints, not returned by Search: read with DescribeEndpoint",
        )
    return inputs + _read_listed(api, options, stale) + unsearched, schedules, from_search


def _stale(search_record: dict[str, Any], summary: dict[str, Any], status_key: str) -> str | None:
    """How Search's record differs from the List summary (status, modification time), or None.

    Times are compared to the second: the two APIs' precision may differ (UNVERIFIED), and a record
    re-read for nothing would cost a call per resource.
    """
    found, listed = search_record.get(status_key), summary.get(status_key)
    differences = []
    if found != listed:
        differences.append(f"{status_key} {found} in Search, {listed} listed")
    found_time, listed_time = (
        _second(search_record.get("LastModifiedTime")),
        _second(summary.get("LastModifiedTime")),
    )
    if found_time != listed_time:
        differences.append(f"LastModifiedTime {found_time} in Search, {listed_time} listed")
    if not differences:
        return None
    return "; ".join(differences) + ": read again with Describe"


def _second(value: Any) -> str | None:
    text = iso(value)
    return text[:19] if text is not None else None


def _collect_schedules(
    api: RegionApi,
    options: ScanOptions,
    schedules: dict[str, _ScheduleInput],
    targeted_names: set[str],
    from_search: set[str],
    result: RegionResult,
) -> None:
    """ListMonitoringSchedules (authoritative), reconciled with the schedules Search returned.

    Listed schedules Search did not return (orphans, batch, or missing from the index) and those
    Search returned with a different status or modification time are described one by one; a
    schedule Search returned that the complete listing lacks is deleted: dropped. Disagreements on
    the endpoints Search returned are recorded. A targeted scan keeps only the schedules of the
    endpoints it selected.
    """
    listed = monitoring_schedules.list_schedule_summaries(api)
    if not listed.complete:
        result.target.datasets[Dataset.MONITORS] = DatasetStatus.FAILED
    summaries = {str(s["MonitoringScheduleName"]): s for s in listed.items}
    if options.targeted:
        summaries = {n: s for n, s in summaries.items() if s.get("EndpointName") in targeted_names}
        for name in [
            n for n, item in schedules.items() if item.record.get("EndpointName") not in targeted_names
        ]:
            del schedules[name]  # inline in an endpoint the confirmation dropped
    for name, item in list(schedules.items()):
        summary = summaries.get(name)
        if summary is None:
            if listed.complete:
                del schedules[name]
                result.disagree(
                    Dataset.MONITORS,
                    name,
                    Disagreement.NOT_LISTED,
                    "not listed by ListMonitoringSchedules: dropped",
                )
            continue
        detail = _stale(item.record, summary, "MonitoringScheduleStatus")
        if detail is not None:
            del schedules[name]
            result.disagree(Dataset.MONITORS, name, Disagreement.STALE, detail)
    todo = [s for n, s in summaries.items() if n not in schedules]
    stale = {d.name for d in result.disagreements if d.dataset is Dataset.MONITORS}
    for summary in todo:
        name = str(summary["MonitoringScheduleName"])
        if name not in stale and summary.get("EndpointName") in from_search:
            result.disagree(
                Dataset.MONITORS,
                name,
                Disagreement.NOT_IN_SEARCH,
                "listed by ListMonitoringSchedules, not returned by Search with its endpoint: described",
            )

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
