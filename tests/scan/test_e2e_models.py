"""End-to-end (real boto3, real HTTP, the local AWS): endpoint kinds verified from the models, Model
Monitor's own alerts, and execution statuses judged by allow-list.

One member account, one region:
  ep-stopped  its last 5 runs were Stopped (runtime exceeded): failures, never "neither failed nor completed"
  ep-novel    its last 5 runs ended in a status this version does not know ("Abandoned", invented)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from auditor.emulator import LocalAws
from auditor.inventory.model import Inventory
from auditor.results import Verdict
from tests.scan.one_member import REGION, one_member_aws, scan_member, verdicts_of

pytestmark = pytest.mark.e2e

# Execution histories, oldest first.
HISTORIES: dict[str, list[tuple[str, str | None]]] = {
    "ep-healthy": [("Completed", None)] * 5,
    "ep-stopped": [("Stopped", None)] * 5,
    "ep-novel": [("Abandoned", None)] * 5,
}


def _endpoint(sm: Any, name: str, variants: list[dict[str, Any]]) -> None:
    sm.create_endpoint_config(EndpointConfigName=f"{name}-cfg", ProductionVariants=variants)
    sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-cfg")


def _variant(model: str | None, name: str = "AllTraffic") -> dict[str, Any]:
    variant: dict[str, Any] = {"VariantName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
    if model is not None:
        variant["ModelName"] = model
    return variant


def _monitor(aws: LocalAws, sm: Any, acct: str, endpoint: str, history: list[tuple[str, str | None]]) -> None:
    sm.create_data_quality_job_definition(
        JobDefinitionName=f"{endpoint}-def",
        DataQualityAppSpecification={
            "ImageUri": "img",
            "Environment": {"publish_cloudwatch_metrics": "Enabled"},
        },
        DataQualityJobInput={
            "EndpointInput": {"EndpointName": endpoint, "LocalPath": "/opt/ml/processing/input"}
        },
        DataQualityJobOutputConfig={
            "MonitoringOutputs": [
                {"S3Output": {"S3Uri": "s3://out/", "LocalPath": "/opt/ml/processing/output"}}
            ]
        },
        JobResources={
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}
        },
        RoleArn=f"arn:aws:iam::{acct}:role/mm",
    )
    sm.create_monitoring_schedule(
        MonitoringScheduleName=f"{endpoint}-dq",
        MonitoringScheduleConfig={
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
            "MonitoringJobDefinitionName": f"{endpoint}-def",
            "MonitoringType": "DataQuality",
        },
    )
    now = datetime.now(UTC).replace(microsecond=0)
    for age, (status, reason) in zip(range(len(history) - 1, -1, -1), history, strict=True):
        execution: dict[str, Any] = {
            "MonitoringExecutionStatus": status,
            "ScheduledTime": now - timedelta(minutes=30) - timedelta(hours=age),
        }
        if reason:
            execution["FailureReason"] = reason
        if status == "Abandoned":
            execution["_new_status"] = True
        aws.set_schedule_state(acct, REGION, f"{endpoint}-dq", last_execution=execution)


def _seed(aws: LocalAws, acct: str) -> None:
    sm = aws.session(acct, REGION).client("sagemaker", endpoint_url=aws.endpoint_url)
    role = f"arn:aws:iam::{acct}:role/x"
    sm.create_model(ModelName="single", ExecutionRoleArn=role, PrimaryContainer={"Image": "img"})
    for name, history in HISTORIES.items():
        _endpoint(sm, name, [_variant("single")])
        _monitor(aws, sm, acct, name, history)


@pytest.fixture(scope="module")
def models_aws() -> Iterator[tuple[LocalAws, str]]:
    with one_member_aws(_seed) as aws_and_account:
        yield aws_and_account


@pytest.fixture(scope="module")
def baseline(models_aws: tuple[LocalAws, str]) -> Inventory:
    aws, acct = models_aws
    aws.faults.clear()
    return scan_member(aws, acct)


# --------------------------------------------------------------------------- execution statuses


def test_stopped_and_unknown_execution_statuses_count_as_failures(baseline: Inventory) -> None:
    history = {m.name: m.execution_history for m in baseline.monitors}
    for name in ("ep-stopped-dq", "ep-novel-dq"):
        summary = history[name]
        assert summary is not None and (summary.runs, summary.failed) == (5, 5), name
        assert summary.failure_classes == {"other": 5}, name
    verdicts = verdicts_of(baseline, "mm-repeated-failures")
    assert verdicts["ep-stopped-dq"][0] is Verdict.FAIL
    assert "found 5 failed" in verdicts["ep-stopped-dq"][1]
    assert verdicts["ep-novel-dq"][0] is Verdict.FAIL
    assert verdicts["ep-healthy-dq"][0] is Verdict.PASS
