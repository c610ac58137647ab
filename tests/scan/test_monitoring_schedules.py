"""Schedule expressions and the normalization of schedule records into Monitor (+ embedded definition)."""

from __future__ import annotations

import datetime as dt

import pytest

from auditor.inventory.model import Dataset, MonitorType
from auditor.scan.monitoring_schedules import build_monitor, parse_schedule_interval

ARN = "arn:aws:sagemaker:us-east-1:111111111111:monitoring-schedule/sched"


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("cron(0 * ? * * *)", 3600),
        ("cron(0 7 ? * * *)", 86400),
        ("cron(0 0/6 ? * * *)", 6 * 3600),
        ("cron(0 */12 ? * * *)", 12 * 3600),
        ("  CRON(0 * ? * * *) ", 3600),
        ("NOW", None),
        ("Hourly: cron(0 * ? * * *)", None),
        ("cron(0 * ? * MON *)", None),
        ("cron(0 25 ? * * *)", None),
        ("cron(0 */0 ? * * *)", None),
        ("rate(1 hour)", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_schedule_interval(expression: str | None, seconds: int | None) -> None:
    assert parse_schedule_interval(expression) == seconds


def _record(**config: object) -> dict[str, object]:
    return {
        "MonitoringScheduleArn": ARN,
        "MonitoringScheduleName": "sched",
        "MonitoringScheduleStatus": "Scheduled",
        "CreationTime": dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC),
        "LastModifiedTime": dt.datetime(2026, 11, 2, 12, 0, 0, 500000, tzinfo=dt.UTC),
        "EndpointName": "ep",
        "MonitoringScheduleConfig": {"ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}, **config},
        "LastMonitoringExecutionSummary": {
            "MonitoringScheduleName": "sched",
            "ScheduledTime": dt.datetime(2026, 11, 27, 17, 0, tzinfo=dt.UTC),
            "CreationTime": dt.datetime(2026, 11, 27, 17, 1, tzinfo=dt.UTC),
            "LastModifiedTime": dt.datetime(2026, 11, 27, 17, 20, tzinfo=dt.UTC),
            "MonitoringExecutionStatus": "Failed",
            "FailureReason": "boom",
        },
    }


def test_named_definition_monitor() -> None:
    record = _record(MonitoringJobDefinitionName="mq-def", MonitoringType="ModelQuality")
    record["MonitoringType"] = "ModelQuality"
    monitor, embedded, error = build_monitor(
        record, account_id="111111111111", region="us-east-1", tags={"b": "2", "a": "1"}, missing=[]
    )
    assert embedded is None and error is None
    assert monitor.monitor_type is MonitorType.MODEL_QUALITY
    assert monitor.job_definition_name == "mq-def" and not monitor.job_definition_embedded
    assert monitor.interval_seconds == 3600
    assert monitor.creation_time == "2026-11-01T12:00:00Z"
    assert monitor.last_modified_time == "2026-11-02T12:00:00.500000Z"
    assert monitor.last_execution is not None
    assert monitor.last_execution.status == "Failed" and monitor.last_execution.failure_reason == "boom"
    assert list(monitor.tags) == ["a", "b"]
    assert monitor.raw["CreationTime"] == "2026-11-01T12:00:00Z"


def test_embedded_definition_defaults_to_data_quality_and_gets_synthetic_arn() -> None:
    definition = {
        "MonitoringInputs": [
            {"EndpointInput": {"EndpointName": "ep", "LocalPath": "/opt/ml/processing/input"}}
        ],
        "MonitoringOutputConfig": {"MonitoringOutputs": [], "KmsKeyId": "out-key"},
        "MonitoringResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large"}},
        "MonitoringAppSpecification": {"ImageUri": "img"},
        "Environment": {"publish_cloudwatch_metrics": "Disabled"},
        "NetworkConfig": {"EnableNetworkIsolation": True},
        "StoppingCondition": {"MaxRuntimeInSeconds": 1800},
        "RoleArn": "arn:aws:iam::111111111111:role/r",
    }
    record = _record(MonitoringJobDefinition=definition)
    del record["EndpointName"]
    monitor, embedded, error = build_monitor(
        record, account_id="111111111111", region="us-east-1", tags=None, missing=[]
    )
    assert error is None and embedded is not None
    assert monitor.monitor_type is MonitorType.DATA_QUALITY
    assert monitor.job_definition_embedded and monitor.job_definition_name is None
    assert monitor.endpoint_name == "ep"
    assert monitor.missing == [Dataset.TAGS]
    assert embedded.arn == f"{ARN}/embedded-job-definition"
    assert embedded.embedded and embedded.publish_cloudwatch_metrics == "Disabled"
    assert embedded.output_kms_key_id == "out-key" and embedded.max_runtime_seconds == 1800
    assert embedded.network_isolation is True and embedded.inter_container_traffic_encryption is None


def test_unknown_monitoring_type_is_kept_raw_and_reported() -> None:
    record = _record(MonitoringJobDefinitionName="x", MonitoringType="ModelFairness")
    record["MonitoringType"] = "ModelFairness"
    monitor, _, error = build_monitor(
        record, account_id="111111111111", region="us-east-1", tags={}, missing=[]
    )
    assert monitor.monitor_type is None
    assert monitor.raw["MonitoringType"] == "ModelFairness"
    assert error is not None and error.error_code == "UnknownMonitoringType" and error.resource == ARN
    # What depends on this monitor's type cannot be judged: its data counts as missing (fail closed).
    assert monitor.missing == [Dataset.MONITORS]
