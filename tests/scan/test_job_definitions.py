"""Named job definitions of all four types normalize into one shape."""

from __future__ import annotations

import pytest

from auditor.inventory.model import MonitorType
from auditor.scan.job_definitions import build_named_job_definition


def _describe(t: MonitorType, *, env: dict[str, str] | None) -> dict[str, object]:
    name = t.value
    app: dict[str, object] = {"ImageUri": "img"}
    if env is not None:
        app["Environment"] = env
    if t is MonitorType.MODEL_QUALITY:
        app["ProblemType"] = "BinaryClassification"
    job_input: dict[str, object] = {"EndpointInput": {"EndpointName": "ep", "LocalPath": "/in"}}
    if t in (MonitorType.MODEL_QUALITY, MonitorType.MODEL_BIAS):
        job_input["GroundTruthS3Input"] = {"S3Uri": "s3://gt/"}
    baseline: dict[str, object] = {"ConstraintsResource": {"S3Uri": "s3://b/constraints.json"}}
    if t is MonitorType.DATA_QUALITY:
        baseline["StatisticsResource"] = {"S3Uri": "s3://b/statistics.json"}
    return {
        "JobDefinitionArn": f"arn:aws:sagemaker:us-east-1:111111111111:{name.lower()}-job-definition/d",
        "JobDefinitionName": "d",
        f"{name}AppSpecification": app,
        f"{name}BaselineConfig": baseline,
        f"{name}JobInput": job_input,
        f"{name}JobOutputConfig": {"MonitoringOutputs": [], "KmsKeyId": "out"},
        "JobResources": {
            "ClusterConfig": {"InstanceCount": 2, "InstanceType": "ml.m5.xlarge", "VolumeKmsKeyId": "vol"}
        },
        "NetworkConfig": {
            "EnableInterContainerTrafficEncryption": True,
            "EnableNetworkIsolation": False,
            "VpcConfig": {"SecurityGroupIds": ["sg-2", "sg-1"], "Subnets": ["subnet-1"]},
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "RoleArn": "arn:aws:iam::111111111111:role/r",
    }


@pytest.mark.parametrize("monitor_type", list(MonitorType))
def test_each_type_normalizes(monitor_type: MonitorType) -> None:
    jd = build_named_job_definition(
        _describe(monitor_type, env={"publish_cloudwatch_metrics": "Enabled"}),
        monitor_type=monitor_type,
        account_id="111111111111",
        region="us-east-1",
    )
    assert jd.monitor_type is monitor_type and not jd.embedded
    assert jd.endpoint_name == "ep"
    assert jd.publish_cloudwatch_metrics == "Enabled"
    assert jd.baseline_constraints_uri == "s3://b/constraints.json"
    assert jd.baseline_statistics_uri == (
        "s3://b/statistics.json" if monitor_type is MonitorType.DATA_QUALITY else None
    )
    has_gt = monitor_type in (MonitorType.MODEL_QUALITY, MonitorType.MODEL_BIAS)
    assert jd.ground_truth_s3_uri == ("s3://gt/" if has_gt else None)
    assert jd.problem_type == ("BinaryClassification" if monitor_type is MonitorType.MODEL_QUALITY else None)
    assert (jd.output_kms_key_id, jd.volume_kms_key_id) == ("out", "vol")
    assert jd.inter_container_traffic_encryption is True and jd.network_isolation is False
    assert jd.vpc_security_group_ids == ["sg-1", "sg-2"] and jd.vpc_subnets == ["subnet-1"]
    assert (jd.instance_type, jd.instance_count, jd.max_runtime_seconds) == ("ml.m5.xlarge", 2, 3600)


def test_environment_without_the_key_leaves_publish_unset() -> None:
    jd = build_named_job_definition(
        _describe(MonitorType.DATA_QUALITY, env=None),
        monitor_type=MonitorType.DATA_QUALITY,
        account_id="111111111111",
        region="us-east-1",
    )
    assert jd.environment == {} and jd.publish_cloudwatch_metrics is None
