"""Monitoring job definitions of all four types, named and embedded, normalized into one shape.

Named definitions come from Describe<Type>JobDefinition (members ``<Type>AppSpecification``,
``<Type>BaselineConfig``, ``<Type>JobInput``, ``<Type>JobOutputConfig``, ``JobResources``,
``NetworkConfig``). Embedded definitions live in the schedule's ``MonitoringJobDefinition``
(``Environment`` on the definition itself, ``MonitoringInputs[0]``, ``MonitoringResources``...).
"""

from __future__ import annotations

from typing import Any

from auditor.inventory.model import Dataset, JobDefinition, Monitor, MonitorType, ResourceKind
from auditor.inventory.relations import embedded_job_definition_arn
from auditor.scan import s3_arrivals
from auditor.scan.clients import AWS_ERRORS, RegionApi, error_code_and_message
from auditor.scan.context import RegionContext
from auditor.scan.guard import Operation
from auditor.scan.normalize import iso, opt_bool, opt_int, opt_str, raw

OPERATIONS: tuple[Operation, ...] = (
    tuple(
        op
        for t in MonitorType
        for op in (
            ("sagemaker", f"List{t.value}JobDefinitions"),
            ("sagemaker", f"Describe{t.value}JobDefinition"),
        )
    )
    + s3_arrivals.OPERATIONS
)  # the newest object under each ground-truth prefix

PUBLISH_METRICS_KEY = "publish_cloudwatch_metrics"
NOT_FOUND_CODES = frozenset({"ResourceNotFound", "ResourceNotFoundException"})


# The ARN resource type of each kind of named job definition.
ARN_RESOURCE_TYPES = {
    MonitorType.DATA_QUALITY: "data-quality-job-definition",
    MonitorType.MODEL_QUALITY: "model-quality-job-definition",
    MonitorType.MODEL_BIAS: "model-bias-job-definition",
    MonitorType.MODEL_EXPLAINABILITY: "model-explainability-job-definition",
}


def list_job_definition_summaries(
    api: RegionApi, monitor_type: MonitorType
) -> tuple[dict[str, dict[str, Any]], bool]:
    """Every job definition summary of one type by name (pages of 100), and whether the listing completed."""
    operation = f"List{monitor_type.value}JobDefinitions"
    summaries = api.collect(
        "sagemaker", operation, "JobDefinitionSummaries", dataset=Dataset.JOB_DEFINITIONS, MaxResults=100
    )
    return {str(s["MonitoringJobDefinitionName"]): s for s in summaries.items}, summaries.complete


def describe_job_definition(
    api: RegionApi, monitor_type: MonitorType, name: str
) -> tuple[dict[str, Any] | None, bool]:
    """Describe<Type>JobDefinition → (record, exists).

    ``(None, False)``: the definition does not exist (ResourceNotFound) — a fact about the estate
    (a schedule pointing at a deleted definition), not a collection gap, so no error is recorded.
    ``(None, True)``: the call failed otherwise; the error is recorded.
    """
    operation = f"Describe{monitor_type.value}JobDefinition"
    try:
        return api.call("sagemaker", operation, JobDefinitionName=name), True
    except AWS_ERRORS as exc:
        code, _ = error_code_and_message(exc)
        if code in NOT_FOUND_CODES:
            return None, False
        api.record(exc, "sagemaker", operation, dataset=Dataset.JOB_DEFINITIONS, resource=name)
        return None, True


def _input_fields(job_input: dict[str, Any]) -> tuple[str | None, str | None]:
    endpoint = (job_input.get("EndpointInput") or {}).get("EndpointName")
    batch = (job_input.get("BatchTransformInput") or {}).get("DataCapturedDestinationS3Uri")
    return opt_str(endpoint), opt_str(batch)


def _environment(env: dict[str, Any] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in sorted((env or {}).items())}


def _shared_fields(
    *,
    job_input: dict[str, Any],
    baseline: dict[str, Any],
    environment: dict[str, Any] | None,
    output: dict[str, Any],
    network: dict[str, Any],
    resources: dict[str, Any],
    stopping: dict[str, Any],
) -> dict[str, Any]:
    """The JobDefinition fields that named and embedded definitions carry in the same sub-shapes."""
    vpc = network.get("VpcConfig") or {}
    cluster = resources.get("ClusterConfig") or {}
    endpoint_name, batch_uri = _input_fields(job_input)
    env = _environment(environment)
    return {
        "endpoint_name": endpoint_name,
        "batch_transform_input_uri": batch_uri,
        "baseline_constraints_uri": opt_str((baseline.get("ConstraintsResource") or {}).get("S3Uri")),
        "baseline_statistics_uri": opt_str((baseline.get("StatisticsResource") or {}).get("S3Uri")),
        "environment": env,
        "publish_cloudwatch_metrics": env.get(PUBLISH_METRICS_KEY),
        "network_isolation": opt_bool(network.get("EnableNetworkIsolation")),
        "inter_container_traffic_encryption": opt_bool(network.get("EnableInterContainerTrafficEncryption")),
        "vpc_subnets": sorted(str(s) for s in vpc.get("Subnets") or []),
        "vpc_security_group_ids": sorted(str(s) for s in vpc.get("SecurityGroupIds") or []),
        "output_kms_key_id": opt_str(output.get("KmsKeyId")),
        "volume_kms_key_id": opt_str(cluster.get("VolumeKmsKeyId")),
        "max_runtime_seconds": opt_int(stopping.get("MaxRuntimeInSeconds")),
        "instance_type": opt_str(cluster.get("InstanceType")),
        "instance_count": opt_int(cluster.get("InstanceCount")),
    }


def build_named_job_definition(
    record: dict[str, Any], *, monitor_type: MonitorType, account_id: str, region: str
) -> JobDefinition:
    """Normalize a Describe<Type>JobDefinition response."""
    t = monitor_type.value
    app = record.get(f"{t}AppSpecification") or {}
    job_input = record.get(f"{t}JobInput") or {}
    return JobDefinition(
        arn=str(record["JobDefinitionArn"]),
        name=str(record["JobDefinitionName"]),
        account_id=account_id,
        region=region,
        monitor_type=monitor_type,
        embedded=False,
        creation_time=iso(record.get("CreationTime")),
        ground_truth_s3_uri=opt_str((job_input.get("GroundTruthS3Input") or {}).get("S3Uri")),
        problem_type=opt_str(app.get("ProblemType")),
        raw=raw(record),
        **_shared_fields(
            job_input=job_input,
            baseline=record.get(f"{t}BaselineConfig") or {},
            environment=app.get("Environment"),
            output=record.get(f"{t}JobOutputConfig") or {},
            network=record.get("NetworkConfig") or {},
            resources=record.get("JobResources") or {},
            stopping=record.get("StoppingCondition") or {},
        ),
    )


def stub_job_definition(
    *,
    monitor_type: MonitorType,
    name: str,
    account_id: str,
    region: str,
    summary: dict[str, Any] | None,
    schedule_arn: str | None,
    endpoint_name: str | None,
) -> JobDefinition:
    """A job definition that exists but could not be described: kept with what its List summary (or
    the schedule that names it) gave, and JOB_DEFINITIONS in ``missing``, so every verdict that needs
    its details is ERROR instead of vanishing.

    The ARN is the summary's; without one (a targeted scan lists nothing) it is built from the
    schedule's ARN, which has the same partition, region and account.
    """
    t = monitor_type.value
    summary = summary or {}
    arn = summary.get("MonitoringJobDefinitionArn")
    if arn is None:
        prefix = (schedule_arn or "").split(":monitoring-schedule/", 1)[0]
        arn = f"{prefix}:{ARN_RESOURCE_TYPES[monitor_type]}/{name}"
    # The summary in the shape of a Describe response, so ``raw`` reads like the other definitions'.
    record: dict[str, Any] = {"JobDefinitionName": name, "JobDefinitionArn": str(arn)}
    if summary.get("CreationTime") is not None:
        record["CreationTime"] = summary["CreationTime"]
    listed_endpoint = summary.get("EndpointName")
    if listed_endpoint:
        record[f"{t}JobInput"] = {"EndpointInput": {"EndpointName": listed_endpoint}}
    jd = build_named_job_definition(record, monitor_type=monitor_type, account_id=account_id, region=region)
    jd.endpoint_name = jd.endpoint_name or endpoint_name
    jd.missing = [Dataset.JOB_DEFINITIONS]
    return jd


def stub_embedded_job_definition(
    *,
    schedule_arn: str,
    schedule_name: str,
    monitor_type: MonitorType | None,
    account_id: str,
    region: str,
    creation_time: str | None,
) -> JobDefinition:
    """The embedded definition of a schedule that could not be described and names no job
    definition (a schedule either names one or embeds one): kept, empty, with JOB_DEFINITIONS missing."""
    jd = build_embedded_job_definition(
        {},
        schedule_arn=schedule_arn,
        schedule_name=schedule_name,
        monitor_type=monitor_type,
        account_id=account_id,
        region=region,
        creation_time=creation_time,
    )
    jd.missing = [Dataset.JOB_DEFINITIONS]
    return jd


def build_embedded_job_definition(
    definition: dict[str, Any],
    *,
    schedule_arn: str,
    schedule_name: str,
    monitor_type: MonitorType | None,
    account_id: str,
    region: str,
    creation_time: str | None,
) -> JobDefinition:
    """Normalize a schedule's embedded ``MonitoringJobDefinition`` (named after its schedule)."""
    inputs = definition.get("MonitoringInputs") or [{}]
    return JobDefinition(
        arn=embedded_job_definition_arn(schedule_arn),
        name=schedule_name,
        account_id=account_id,
        region=region,
        monitor_type=monitor_type,
        embedded=True,
        creation_time=creation_time,
        ground_truth_s3_uri=None,  # the embedded shape has no ground-truth input
        problem_type=None,
        raw=raw(definition),
        **_shared_fields(
            job_input=inputs[0],
            baseline=definition.get("BaselineConfig") or {},
            environment=definition.get("Environment"),
            output=definition.get("MonitoringOutputConfig") or {},
            network=definition.get("NetworkConfig") or {},
            resources=definition.get("MonitoringResources") or {},
            stopping=definition.get("StoppingCondition") or {},
        ),
    )


# --------------------------------------------------------------------------- the collector

KIND = ResourceKind.JOB_DEFINITION
NEEDS: tuple[ResourceKind, ...] = (ResourceKind.MONITOR,)  # the referenced and embedded definitions


def _definition_key(monitor: Monitor) -> tuple[MonitorType, str] | None:
    """(type, name) of the named job definition a monitor uses; None for embedded or unknown ones."""
    if monitor.job_definition_embedded or monitor.monitor_type is None or not monitor.job_definition_name:
        return None
    return monitor.monitor_type, monitor.job_definition_name


def _describe_by_type(
    ctx: RegionContext, keys: list[tuple[MonitorType, str]]
) -> dict[tuple[MonitorType, str], tuple[dict[str, Any] | None, bool]]:
    """Describe each definition; the types side by side (each type is its own operation, paced and
    throttled on its own: one queue would leave the later types waiting behind the first)."""
    by_type: dict[MonitorType, list[str]] = {}
    for monitor_type, name in keys:
        by_type.setdefault(monitor_type, []).append(name)

    def one_type(monitor_type: MonitorType) -> list[tuple[dict[str, Any] | None, bool]]:
        return ctx.map(
            lambda name: describe_job_definition(ctx.api, monitor_type, name), by_type[monitor_type]
        )

    types = list(by_type)
    described = ctx.map(one_type, types)
    return {
        (t, name): outcome
        for t, outcomes in zip(types, described, strict=True)
        for name, outcome in zip(by_type[t], outcomes, strict=True)
    }


def collect(ctx: RegionContext) -> list[JobDefinition]:
    """The embedded definitions the schedule collector found, and each referenced (and, on a full
    scan, each existing) named definition, described once.

    A full scan lists and describes the existing definitions while the schedules are still being
    collected (that needs no schedule); then the definitions the monitors name that were not listed.
    One that exists but cannot be described is kept as a stub (``stub_job_definition``) with
    JOB_DEFINITIONS missing: its own verdicts and those of the monitors using it become ERROR.
    """
    api = ctx.api
    summaries: dict[tuple[MonitorType, str], dict[str, Any]] = {}
    if not ctx.options.targeted:
        for monitor_type in MonitorType:
            listed, complete = list_job_definition_summaries(api, monitor_type)
            if not complete:
                ctx.failed(Dataset.JOB_DEFINITIONS)
            summaries.update(((monitor_type, n), s) for n, s in listed.items())

    outcomes = _describe_by_type(ctx, sorted(summaries))
    monitors: list[Monitor] = ctx.of(ResourceKind.MONITOR)
    users: dict[tuple[MonitorType, str], Monitor] = {}
    for monitor in monitors:
        key = _definition_key(monitor)
        if key is not None:
            users.setdefault(key, monitor)
    outcomes.update(_describe_by_type(ctx, sorted(set(users) - set(outcomes))))

    def build(key: tuple[MonitorType, str]) -> JobDefinition | None:
        monitor_type, name = key
        record, exists = outcomes[key]
        if record is not None:
            return build_named_job_definition(
                record, monitor_type=monitor_type, account_id=api.account_id, region=api.region
            )
        if not exists:
            return None  # deleted: a fact about the estate, not a gap
        user = users.get(key)
        return stub_job_definition(
            monitor_type=monitor_type,
            name=name,
            account_id=api.account_id,
            region=api.region,
            summary=summaries.get(key),
            schedule_arn=user.arn if user else None,
            endpoint_name=user.endpoint_name if user else None,
        )

    described = {key: build(key) for key in sorted(outcomes)}
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
    definitions = [*ctx.embedded_definitions, *(jd for jd in described.values() if jd is not None)]
    s3_arrivals.fill_ground_truth_arrivals(ctx, monitors, definitions)
    return definitions
