"""Monitoring job definitions of all four types, named and embedded, normalized into one shape.

Named definitions come from Describe<Type>JobDefinition (members ``<Type>AppSpecification``,
``<Type>BaselineConfig``, ``<Type>JobInput``, ``<Type>JobOutputConfig``, ``JobResources``,
``NetworkConfig``). Embedded definitions live in the schedule's ``MonitoringJobDefinition``
(``Environment`` on the definition itself, ``MonitoringInputs[0]``, ``MonitoringResources``...).
"""

from __future__ import annotations

from typing import Any

from auditor.inventory.model import Dataset, JobDefinition, MonitorType
from auditor.inventory.relations import embedded_job_definition_arn
from auditor.scan.clients import AWS_ERRORS, RegionApi, error_code_and_message
from auditor.scan.guard import Operation
from auditor.scan.normalize import iso, opt_bool, opt_int, opt_str, raw

OPERATIONS: tuple[Operation, ...] = tuple(
    op
    for t in MonitorType
    for op in (
        ("sagemaker", f"List{t.value}JobDefinitions"),
        ("sagemaker", f"Describe{t.value}JobDefinition"),
    )
)

PUBLISH_METRICS_KEY = "publish_cloudwatch_metrics"
NOT_FOUND_CODES = frozenset({"ResourceNotFound", "ResourceNotFoundException"})


def list_job_definition_names(api: RegionApi, monitor_type: MonitorType) -> tuple[list[str], bool]:
    """Names of every job definition of one type (pages of 100), and whether the listing completed."""
    operation = f"List{monitor_type.value}JobDefinitions"
    summaries = api.collect(
        "sagemaker", operation, "JobDefinitionSummaries", dataset=Dataset.JOB_DEFINITIONS, MaxResults=100
    )
    return [str(s["MonitoringJobDefinitionName"]) for s in summaries.items], summaries.complete


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
