"""Endpoints and endpoint configs: listing (slow path), describing, and normalizing into ``Endpoint``.

The endpoint record may come from Search (fast path) or DescribeEndpoint (slow path); both are cut
down to the members of Search's ``Endpoint`` shape so the two paths yield identical inventories.
"""

from __future__ import annotations

from typing import Any

from auditor.inventory.model import (
    DataCapture,
    Dataset,
    Disagreement,
    Endpoint,
    EndpointKind,
    ResourceKind,
    Variant,
)
from auditor.scan import models, s3_arrivals, search
from auditor.scan.clients import AWS_ERRORS, Collected, RegionApi, error_code_and_message
from auditor.scan.context import RegionContext, ScheduleInput
from auditor.scan.guard import Operation
from auditor.scan.monitoring_schedules import SCHEDULE_RECORD_KEYS
from auditor.scan.normalize import iso, opt_int, opt_str, pick, raw, tag_dict
from auditor.scan.tags import list_tags

OPERATIONS: tuple[Operation, ...] = (
    ("sagemaker", "ListEndpoints"),
    ("sagemaker", "DescribeEndpoint"),
    ("sagemaker", "DescribeEndpointConfig"),
    ("sagemaker", "ListTags"),
    *models.OPERATIONS,  # what each endpoint hosts (multi-model, inference components) and the alerts
    *s3_arrivals.OPERATIONS,  # the newest captured object per variant
)

# Members of Search's `Endpoint` shape, minus the inline MonitoringSchedules and Tags.
ENDPOINT_RECORD_KEYS = (
    "EndpointName",
    "EndpointArn",
    "EndpointConfigName",
    "ProductionVariants",
    "ShadowProductionVariants",
    "DataCaptureConfig",
    "EndpointStatus",
    "FailureReason",
    "CreationTime",
    "LastModifiedTime",
)


def list_endpoint_summaries(api: RegionApi) -> Collected:
    """Every ListEndpoints summary (pages of 100); partial, with the error recorded, if a page failed."""
    return api.collect("sagemaker", "ListEndpoints", "Endpoints", dataset=Dataset.ENDPOINTS, MaxResults=100)


def describe_endpoint(api: RegionApi, name: str) -> dict[str, Any] | None:
    """DescribeEndpoint cut to ENDPOINT_RECORD_KEYS; None (error recorded) on failure."""
    try:
        result = api.call("sagemaker", "DescribeEndpoint", EndpointName=name)
    except AWS_ERRORS as exc:
        api.record(exc, "sagemaker", "DescribeEndpoint", dataset=Dataset.ENDPOINTS, resource=name)
        return None
    return pick(result, ENDPOINT_RECORD_KEYS)


def describe_endpoint_config(api: RegionApi, name: str) -> dict[str, Any] | None:
    """DescribeEndpointConfig; None (error recorded) on failure."""
    try:
        return api.call("sagemaker", "DescribeEndpointConfig", EndpointConfigName=name)
    except AWS_ERRORS as exc:
        api.record(
            exc, "sagemaker", "DescribeEndpointConfig", dataset=Dataset.ENDPOINT_CONFIGS, resource=name
        )
        return None


def endpoint_kind(record: dict[str, Any], config: dict[str, Any] | None) -> EndpointKind:
    """Classify the endpoint from what the scan already has (no extra calls).

    Serverless: a variant with a serverless config. Async: AsyncInferenceConfig on the endpoint
    config. Inference components: production variants without a ModelName -- a candidate only, which
    ``models.verify_kinds`` confirms with ListInferenceComponents; it also tells multi-model endpoints
    from their models' containers (a scanned REAL_TIME endpoint may become MULTI_MODEL or UNKNOWN).
    """
    runtime_variants = record.get("ProductionVariants") or []
    if any(v.get("CurrentServerlessConfig") or v.get("DesiredServerlessConfig") for v in runtime_variants):
        return EndpointKind.SERVERLESS
    if config is None:
        return EndpointKind.UNKNOWN
    variants = config.get("ProductionVariants") or []
    if any(v.get("ServerlessConfig") for v in variants):
        return EndpointKind.SERVERLESS
    if config.get("AsyncInferenceConfig"):
        return EndpointKind.ASYNC
    if variants and all(not v.get("ModelName") for v in variants):
        return EndpointKind.INFERENCE_COMPONENT
    return EndpointKind.REAL_TIME


def _variants(record: dict[str, Any], config: dict[str, Any] | None) -> list[Variant]:
    result: list[Variant] = []
    for shadow, key in ((False, "ProductionVariants"), (True, "ShadowProductionVariants")):
        configured = {str(v.get("VariantName")): v for v in (config or {}).get(key) or []}
        running = {str(v.get("VariantName")): v for v in record.get(key) or []}
        for name in sorted(set(configured) | set(running)):
            cfg = configured.get(name, {})
            run = running.get(name, {})
            serverless = run.get("CurrentServerlessConfig") or cfg.get("ServerlessConfig") or {}
            count = opt_int(run.get("CurrentInstanceCount"))
            if count is None:
                count = opt_int(cfg.get("InitialInstanceCount"))
            result.append(
                Variant(
                    name=name,
                    shadow=shadow,
                    model_name=opt_str(cfg.get("ModelName")),
                    instance_type=opt_str(cfg.get("InstanceType")),
                    instance_count=None if serverless else count,
                    serverless_memory_mb=opt_int(serverless.get("MemorySizeInMB")),
                    serverless_max_concurrency=opt_int(serverless.get("MaxConcurrency")),
                )
            )
    return result


def _data_capture(record: dict[str, Any], config: dict[str, Any] | None) -> DataCapture | None:
    # DescribeEndpoint's capture block is a summary without CaptureOptions or content types;
    # those live only on the endpoint config.
    summary = record.get("DataCaptureConfig")
    configured = (config or {}).get("DataCaptureConfig")
    if not summary and not configured:
        return None
    configured = configured or {}
    summary = summary or {}
    enabled = summary.get("EnableCapture")
    if enabled is None:
        enabled = configured.get("EnableCapture", True)  # the API defaults EnableCapture to true
    options = None
    if config is not None:
        modes = [o.get("CaptureMode") for o in configured.get("CaptureOptions") or []]
        options = [str(m) for m in modes if m is not None]
    headers = configured.get("CaptureContentTypeHeader") or {}
    return DataCapture(
        enabled=bool(enabled),
        capture_status=opt_str(summary.get("CaptureStatus")),
        current_sampling_percentage=opt_int(summary.get("CurrentSamplingPercentage")),
        destination_s3_uri=opt_str(summary.get("DestinationS3Uri") or configured.get("DestinationS3Uri")),
        kms_key_id=opt_str(summary.get("KmsKeyId") or configured.get("KmsKeyId")),
        capture_options=options,
        csv_content_types=[str(c) for c in headers.get("CsvContentTypes") or []],
        json_content_types=[str(c) for c in headers.get("JsonContentTypes") or []],
    )


def build_endpoint(
    record: dict[str, Any],
    *,
    account_id: str,
    region: str,
    tags: dict[str, str] | None,
    config: dict[str, Any] | None,
    missing: list[Dataset],
) -> Endpoint:
    """Normalize one endpoint record (+ its endpoint config, if read) into an ``Endpoint``."""
    record = pick(record, ENDPOINT_RECORD_KEYS)
    missing = sorted(set(missing) | ({Dataset.TAGS} if tags is None else set()))
    if config is None and record.get("EndpointConfigName") and Dataset.ENDPOINT_CONFIGS not in missing:
        missing = sorted({*missing, Dataset.ENDPOINT_CONFIGS})
    raw_record: dict[str, Any] = {"endpoint": raw(record)}
    if config is not None:
        raw_record["endpoint_config"] = raw(config)
    return Endpoint(
        arn=str(record["EndpointArn"]),
        name=str(record["EndpointName"]),
        account_id=account_id,
        region=region,
        status=opt_str(record.get("EndpointStatus")),
        kind=endpoint_kind(record, config),
        creation_time=iso(record.get("CreationTime")),
        last_modified_time=iso(record.get("LastModifiedTime")),
        endpoint_config_name=opt_str(record.get("EndpointConfigName")),
        variants=_variants(record, config),
        data_capture=_data_capture(record, config),
        config_kms_key_id=opt_str((config or {}).get("KmsKeyId")),
        tags=dict(sorted((tags or {}).items())),
        missing=missing,
        raw=raw_record,
    )


# --------------------------------------------------------------------------- the collector

KIND = ResourceKind.ENDPOINT
NEEDS: tuple[ResourceKind, ...] = ()

# An endpoint record (Search's or DescribeEndpoint's), its tags (None: unreadable), what is missing.
_EndpointInput = tuple[dict[str, Any], dict[str, str] | None, list[Dataset]]


def collect(ctx: RegionContext) -> list[Endpoint]:
    """The endpoints of one (account, region), with their endpoint configs.

    ListEndpoints is authoritative either way: on the fast path it confirms Search's endpoints both
    ways (``_confirm_search``), and Search's inline schedules are handed on to the schedule
    collector; on the slow path it is the only source.
    """
    inputs = _inputs(ctx)
    ctx.selected_endpoints = {str(rec["EndpointName"]) for rec, _, _ in inputs}
    index = models.search_models(ctx)
    ctx.model_alerts = index.alerts
    # the selection, Search's schedules and their alerts: the schedules need no endpoint config
    ctx.hand_on(KIND)
    config_names = sorted(
        {str(rec["EndpointConfigName"]) for rec, _, _ in inputs if rec.get("EndpointConfigName")}
    )
    configs = dict(
        zip(config_names, ctx.map(lambda n: describe_endpoint_config(ctx.api, n), config_names), strict=True)
    )
    api = ctx.api
    built = [
        build_endpoint(
            rec,
            account_id=api.account_id,
            region=api.region,
            tags=tags,
            config=configs.get(str(rec.get("EndpointConfigName"))),
            missing=missing,
        )
        for rec, tags, missing in inputs
    ]
    models.verify_kinds(ctx, built, index)
    s3_arrivals.fill_capture_arrivals(ctx, built)
    return built


def _inputs(ctx: RegionContext) -> list[_EndpointInput]:
    if ctx.options.use_search:
        try:
            records = search.search_endpoints(ctx.api)
        except AWS_ERRORS as exc:
            code, _ = error_code_and_message(exc)
            ctx.search_fallback = code
        else:
            return _confirm_search(ctx, records)
    listed = list_endpoint_summaries(ctx.api)
    if not listed.complete:
        ctx.failed(Dataset.ENDPOINTS)
    return _read_listed(ctx, listed.items)


def _read_listed(ctx: RegionContext, summaries: list[dict[str, Any]]) -> list[_EndpointInput]:
    """DescribeEndpoint + ListTags for each listed endpoint the selection may include."""
    options, api = ctx.options, ctx.api
    if options.endpoint_names and not options.endpoint_tags:
        summaries = [s for s in summaries if options.matches_endpoint(str(s["EndpointName"]), {})]

    def fetch(summary: dict[str, Any]) -> _EndpointInput:
        name = str(summary["EndpointName"])
        record = describe_endpoint(api, name)
        missing: list[Dataset] = []
        if record is None:
            record = pick(summary, ENDPOINT_RECORD_KEYS)
            missing.append(Dataset.ENDPOINTS)
        tags = list_tags(api, str(summary["EndpointArn"]))
        return record, tags, missing

    fetched = ctx.map(fetch, summaries)
    # Unknown tags (ListTags failed) keep the endpoint in a tag-targeted scan: fail closed.
    return [f for f in fetched if f[1] is None or options.matches_endpoint(str(f[0]["EndpointName"]), f[1])]


def _confirm_search(ctx: RegionContext, records: list[dict[str, Any]]) -> list[_EndpointInput]:
    """Search's endpoints, confirmed against ListEndpoints (one call per 100 endpoints).

    Search is an eventually consistent index. An endpoint it returns that ListEndpoints does not is
    deleted: dropped. One ListEndpoints has that Search lacks, or whose status or modification time
    differs from Search's, is read with DescribeEndpoint + ListTags like on the slow path. Each
    disagreement is recorded. Without a complete listing nothing can be confirmed: Search's records
    are kept and the target's endpoints dataset is FAILED.
    """
    listed = list_endpoint_summaries(ctx.api)
    if not listed.complete:
        ctx.failed(Dataset.ENDPOINTS)
    summaries = {str(s["EndpointName"]): s for s in listed.items}
    inputs: list[_EndpointInput] = []
    stale: list[dict[str, Any]] = []
    for rec in records:
        name = str(rec["EndpointName"])
        tags = tag_dict(rec.get("Tags"))
        if not ctx.options.matches_endpoint(name, tags):
            continue
        summary = summaries.get(name)
        if summary is None and listed.complete:
            ctx.disagree(
                Dataset.ENDPOINTS, name, Disagreement.NOT_LISTED, "not listed by ListEndpoints: dropped"
            )
            continue
        ctx.endpoints_from_search.add(name)
        detail = search.stale_detail(rec, summary, "EndpointStatus") if summary is not None else None
        if detail is not None:
            ctx.disagree(Dataset.ENDPOINTS, name, Disagreement.STALE, detail)
            stale.append(summaries[name])
        else:
            inputs.append((pick(rec, ENDPOINT_RECORD_KEYS), tags, []))
        for sched in rec.get("MonitoringSchedules") or []:
            record = pick(sched, SCHEDULE_RECORD_KEYS)
            record.setdefault("EndpointName", name)
            ctx.searched_schedules[str(record["MonitoringScheduleName"])] = ScheduleInput(
                record, tag_dict(sched.get("Tags"))
            )
    searched = {str(rec["EndpointName"]) for rec in records}
    unsearched = _read_listed(ctx, [s for n, s in summaries.items() if n not in searched])
    for rec, _, _ in unsearched:
        ctx.disagree(
            Dataset.ENDPOINTS,
            str(rec["EndpointName"]),
            Disagreement.NOT_IN_SEARCH,
            "listed by ListEndpoints, not returned by Search: read with DescribeEndpoint",
        )
    return inputs + _read_listed(ctx, stale) + unsearched
