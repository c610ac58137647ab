"""Fixtures for the scanner's end-to-end tests: one local AWS per module, seeded through boto3 only.

The small estate: an organization (management 123456789012 + two member accounts, one of them in a
nested OU), and in each member account and region:
  ep-a   real-time endpoint, capture Input+Output, named DataQuality schedule + embedded one,
         drift alarm (right dimensions), metric-math alarm, composite alarm, wrong-dimension alarm
  ep-b   second endpoint (tag environment=development) with a ModelQuality schedule
  an orphan schedule (its endpoint was deleted), an unused job definition, a non-Model-Monitor alarm
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from auditor.emulator import LocalAws
from tests.scan.one_member import local_aws

REGIONS = ("us-east-1", "eu-west-1")
ROLE_NAME = "ModelMonitorAuditor"


@dataclass(frozen=True)
class SmallEstate:
    aws: LocalAws
    members: tuple[str, ...]
    regions: tuple[str, ...]
    parent_ou: str  # contains nested_ou
    nested_ou: str  # contains nested_member
    nested_member: str


def _job_common(acct: str) -> dict[str, Any]:
    return {
        "JobResources": {
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}
        },
        "RoleArn": f"arn:aws:iam::{acct}:role/mm",
        "NetworkConfig": {"EnableInterContainerTrafficEncryption": True, "EnableNetworkIsolation": True},
        "StoppingCondition": {"MaxRuntimeInSeconds": 1800},
    }


def _output() -> dict[str, Any]:
    return {
        "MonitoringOutputs": [{"S3Output": {"S3Uri": "s3://out/", "LocalPath": "/opt/ml/processing/output"}}]
    }


def _endpoint_input(name: str) -> dict[str, Any]:
    return {"EndpointInput": {"EndpointName": name, "LocalPath": "/opt/ml/processing/input"}}


def seed_region(aws: LocalAws, acct: str, region: str) -> None:
    """Seed one member account and region (the only writes, and only against the local AWS)."""
    session = aws.session(acct, region)
    sm = session.client("sagemaker", endpoint_url=aws.endpoint_url)
    cw = session.client("cloudwatch", endpoint_url=aws.endpoint_url)
    sm.create_model(
        ModelName="model", ExecutionRoleArn=f"arn:aws:iam::{acct}:role/x", PrimaryContainer={"Image": "img"}
    )
    capture = {
        "EnableCapture": True,
        "InitialSamplingPercentage": 100,
        "DestinationS3Uri": f"s3://capture-{acct}-{region}/",
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
    }
    variant = {
        "VariantName": "AllTraffic",
        "ModelName": "model",
        "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1,
    }
    # captured data and labels that keep arriving (the newest object 20 minutes old)
    fresh = datetime.now(UTC) - timedelta(minutes=20)
    aws.put_object_at(acct, f"gt-{acct}-{region}", f"{fresh:%Y/%m/%d/%H}/labels.jsonl", fresh, region)
    for name, env in (("ep-a", "production"), ("ep-b", "development"), ("ep-gone", "production")):
        key = f"{name}/AllTraffic/{fresh:%Y/%m/%d/%H}/capture.jsonl"
        aws.put_object_at(acct, f"capture-{acct}-{region}", key, fresh, region)
        sm.create_endpoint_config(
            EndpointConfigName=f"{name}-cfg",
            ProductionVariants=[variant],
            DataCaptureConfig=capture,
            KmsKeyId="k",
        )
        sm.create_endpoint(
            EndpointName=name, EndpointConfigName=f"{name}-cfg", Tags=[{"Key": "environment", "Value": env}]
        )
    sm.create_data_quality_job_definition(
        JobDefinitionName="dq-a",
        DataQualityAppSpecification={
            "ImageUri": "img",
            "Environment": {"publish_cloudwatch_metrics": "Enabled"},
        },
        DataQualityBaselineConfig={"ConstraintsResource": {"S3Uri": "s3://b/constraints.json"}},
        DataQualityJobInput=_endpoint_input("ep-a"),
        DataQualityJobOutputConfig=_output(),
        **_job_common(acct),
    )
    sm.create_data_quality_job_definition(
        JobDefinitionName="dq-unused",
        DataQualityAppSpecification={"ImageUri": "img"},
        DataQualityJobInput=_endpoint_input("ep-a"),
        DataQualityJobOutputConfig=_output(),
        **_job_common(acct),
    )
    sm.create_model_quality_job_definition(
        JobDefinitionName="mq-b",
        ModelQualityAppSpecification={"ImageUri": "img", "ProblemType": "Regression"},
        ModelQualityJobInput={
            **_endpoint_input("ep-b"),
            "GroundTruthS3Input": {"S3Uri": f"s3://gt-{acct}-{region}/"},
        },
        ModelQualityJobOutputConfig=_output(),
        **_job_common(acct),
    )
    sm.create_data_quality_job_definition(
        JobDefinitionName="dq-gone",
        DataQualityAppSpecification={"ImageUri": "img"},
        DataQualityJobInput=_endpoint_input("ep-gone"),
        DataQualityJobOutputConfig=_output(),
        **_job_common(acct),
    )
    hourly = {"ScheduleExpression": "cron(0 * ? * * *)"}
    sm.create_monitoring_schedule(
        MonitoringScheduleName="ep-a-dq",
        MonitoringScheduleConfig={
            "ScheduleConfig": hourly,
            "MonitoringJobDefinitionName": "dq-a",
            "MonitoringType": "DataQuality",
        },
        Tags=[{"Key": "team", "Value": "risk & <ops>"}],
    )
    sm.create_monitoring_schedule(
        MonitoringScheduleName="ep-a-inline",
        MonitoringScheduleConfig={
            "ScheduleConfig": {"ScheduleExpression": "cron(0 0/6 ? * * *)"},
            "MonitoringJobDefinition": {
                "MonitoringInputs": [_endpoint_input("ep-a")],
                "MonitoringOutputConfig": _output(),
                "MonitoringResources": {
                    "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}
                },
                "MonitoringAppSpecification": {"ImageUri": "img"},
                "RoleArn": f"arn:aws:iam::{acct}:role/mm",
            },
        },
    )
    sm.create_monitoring_schedule(
        MonitoringScheduleName="ep-b-mq",
        MonitoringScheduleConfig={
            "ScheduleConfig": hourly,
            "MonitoringJobDefinitionName": "mq-b",
            "MonitoringType": "ModelQuality",
        },
    )
    sm.create_monitoring_schedule(
        MonitoringScheduleName="orphan-dq",
        MonitoringScheduleConfig={
            "ScheduleConfig": hourly,
            "MonitoringJobDefinitionName": "dq-gone",
            "MonitoringType": "DataQuality",
        },
    )
    sm.delete_endpoint(EndpointName="ep-gone")
    dims = [{"Name": "Endpoint", "Value": "ep-a"}, {"Name": "MonitoringSchedule", "Value": "ep-a-dq"}]
    alarm = {
        "Period": 3600,
        "EvaluationPeriods": 1,
        "Threshold": 0.2,
        "ComparisonOperator": "GreaterThanThreshold",
    }
    cw.put_metric_alarm(
        AlarmName="ep-a-drift",
        Namespace="aws/sagemaker/Endpoints/data-metrics",
        MetricName="feature_baseline_drift_age",
        Dimensions=dims,
        Statistic="Maximum",
        AlarmActions=[f"arn:aws:sns:{region}:{acct}:oncall"],
        **alarm,
    )
    cw.put_metric_alarm(
        AlarmName="ep-a-wrong-dims",
        Namespace="aws/sagemaker/Endpoints/data-metrics",
        MetricName="feature_baseline_drift_age",
        Dimensions=dims[:1],
        Statistic="Maximum",
        **alarm,
    )
    cw.put_metric_alarm(
        AlarmName="ep-a-math",
        Metrics=[
            {"Id": "e1", "Expression": "m1 * 100", "ReturnData": True},
            {
                "Id": "m1",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "aws/sagemaker/Endpoints/data-metrics",
                        "MetricName": "feature_non_null_age",
                        "Dimensions": dims,
                    },
                    "Period": 3600,
                    "Stat": "Sum",
                },
                "ReturnData": False,
            },
        ],
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="LessThanThreshold",
    )
    cw.put_metric_alarm(
        AlarmName="cpu", Namespace="AWS/EC2", MetricName="CPUUtilization", Statistic="Average", **alarm
    )
    cw.put_composite_alarm(AlarmName="ep-a-page", AlarmRule='ALARM("ep-a-drift") OR ALARM(cpu)')


def build_small_estate(aws: LocalAws) -> SmallEstate:
    org = aws.session(None).client("organizations", endpoint_url=aws.endpoint_url, region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    members = []
    for i in range(2):
        created = org.create_account(Email=f"member{i}@example.com", AccountName=f"member{i}")
        members.append(created["CreateAccountStatus"]["AccountId"])
    root = org.list_roots()["Roots"][0]["Id"]
    parent = org.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
    nested = org.create_organizational_unit(ParentId=parent, Name="ml")["OrganizationalUnit"]["Id"]
    org.move_account(AccountId=members[1], SourceParentId=root, DestinationParentId=nested)
    for acct in members:
        for region in REGIONS:
            seed_region(aws, acct, region)
    return SmallEstate(aws, tuple(sorted(members)), REGIONS, parent, nested, members[1])


@pytest.fixture(scope="module")
def small_estate() -> Iterator[SmallEstate]:
    with local_aws() as aws:
        yield build_small_estate(aws)
