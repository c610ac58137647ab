"""End-to-end (real boto3, real HTTP, the local AWS): does the signal flow? The metrics a monitor
publishes (ListMetrics) decide which alarms watch it, and a publishing monitor must have them.

One member account, one region:
  ep-ok    DataQuality monitor, publishing on, completed run → metrics; alarm on the canonical namespace
  ep-typo  same, but its alarm is on "/aws/sagemaker/Endpoints/data-metric" (a documented misspelling)
  ep-mute  publishing on and a completed run that published nothing (as a BYOC container that writes
           no metrics): no metrics
  ep-off   publishing Disabled: no metrics, none expected
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from auditor.emulator import LocalAws
from auditor.emulator.faults import TIMEOUT
from auditor.emulator.metrics import monitor_metric
from auditor.inventory.model import Dataset, DatasetStatus, Inventory
from auditor.policy.engine import judge_all
from auditor.policy.loader import load_policy_set
from auditor.results import Verdict
from auditor.scan.options import ScanOptions
from auditor.scan.orchestrator import scan

pytestmark = pytest.mark.e2e

REGION = "us-east-1"
TYPO_NAMESPACE = "/aws/sagemaker/Endpoints/data-metric"


def _seed(aws: LocalAws, acct: str) -> None:
    session = aws.session(acct, REGION)
    sm = session.client("sagemaker", endpoint_url=aws.endpoint_url)
    cw = session.client("cloudwatch", endpoint_url=aws.endpoint_url)
    sm.create_model(
        ModelName="model", ExecutionRoleArn=f"arn:aws:iam::{acct}:role/x", PrimaryContainer={"Image": "img"}
    )
    now = datetime.now(UTC).replace(microsecond=0)
    for name, publish in (
        ("ep-ok", "Enabled"),
        ("ep-typo", "Enabled"),
        ("ep-mute", "Enabled"),
        ("ep-off", "Disabled"),
    ):
        sm.create_endpoint_config(
            EndpointConfigName=f"{name}-cfg",
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": "model",
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": 1,
                }
            ],
        )
        sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-cfg")
        sm.create_data_quality_job_definition(
            JobDefinitionName=f"{name}-def",
            DataQualityAppSpecification={
                "ImageUri": "img",
                "Environment": {"publish_cloudwatch_metrics": publish},
            },
            DataQualityJobInput={
                "EndpointInput": {"EndpointName": name, "LocalPath": "/opt/ml/processing/input"}
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
            MonitoringScheduleName=f"{name}-dq",
            MonitoringScheduleConfig={
                "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
                "MonitoringJobDefinitionName": f"{name}-def",
                "MonitoringType": "DataQuality",
            },
        )
        aws.set_schedule_state(
            acct,
            REGION,
            f"{name}-dq",
            last_execution={
                "MonitoringExecutionStatus": "Completed",
                "ScheduledTime": now - timedelta(minutes=30),
                # ep-mute: as when a BYOC container writes no metrics, the run published nothing
                "_publishes_metrics": name != "ep-mute",
            },
        )
        namespace, metric_name, dims = monitor_metric("DataQuality", f"{name}-dq", name)
        cw.put_metric_alarm(
            AlarmName=f"{name}-drift",
            Namespace=TYPO_NAMESPACE if name == "ep-typo" else namespace,
            MetricName=metric_name,
            Dimensions=dims,
            Statistic="Maximum",
            Period=3600,
            EvaluationPeriods=1,
            Threshold=0.2,
            ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[f"arn:aws:sns:{REGION}:{acct}:oncall"],
        )


@pytest.fixture(scope="module")
def signal_aws() -> Iterator[tuple[LocalAws, str]]:
    saved = {
        k: os.environ.get(k)
        for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_PROFILE")
    }
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION)
    os.environ.pop("AWS_PROFILE", None)
    aws = LocalAws.start()
    try:
        aws.reset()
        org = aws.session(None).client("organizations", endpoint_url=aws.endpoint_url, region_name=REGION)
        org.create_organization(FeatureSet="ALL")
        acct = org.create_account(Email="m@example.com", AccountName="m")["CreateAccountStatus"]["AccountId"]
        _seed(aws, acct)
        yield aws, acct
    finally:
        aws.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _scan(aws: LocalAws, acct: str, **overrides: Any) -> Inventory:
    values: dict[str, Any] = {
        "accounts": (acct,),
        "regions": (REGION,),
        "endpoint_url": aws.endpoint_url,
        "role_name": "ModelMonitorAuditor",
        "max_attempts": 2,
    }
    values.update(overrides)
    return scan(ScanOptions(**values))


def _verdicts(inventory: Inventory, policy_id: str) -> dict[str, tuple[Verdict, str]]:
    policy = next(p for p in load_policy_set().policies if p.id == policy_id)
    as_of = datetime.fromisoformat(inventory.metadata.finished_at.replace("Z", "+00:00"))
    return {f.resource_name: (f.verdict, f.message) for f in judge_all(inventory, [policy], as_of)}


@pytest.fixture(scope="module")
def baseline(signal_aws: tuple[LocalAws, str]) -> Inventory:
    aws, acct = signal_aws
    aws.faults.clear()
    return _scan(aws, acct)


def test_listmetrics_finds_what_publishing_monitors_published(baseline: Inventory) -> None:
    assert baseline.errors == []
    metrics = {m.name: m.metrics for m in baseline.monitors}
    assert [r.metric_name for r in metrics["ep-ok-dq"] or []] == ["feature_baseline_drift_transaction_amount"]
    assert metrics["ep-mute-dq"] == []
    assert metrics["ep-off-dq"] == []
    # one listing per namespace in use here: the canonical DataQuality one and the alarm's misspelling
    assert baseline.metadata.api_calls["cloudwatch:ListMetrics"] == 2


def test_alarm_on_a_misspelt_namespace_fails_naming_the_published_namespace(baseline: Inventory) -> None:
    verdicts = _verdicts(baseline, "mm-drift-alarm")
    assert verdicts["ep-ok-dq"][0] is Verdict.PASS
    verdict, message = verdicts["ep-typo-dq"]
    assert verdict is Verdict.FAIL
    assert TYPO_NAMESPACE in message
    assert "publishes to aws/sagemaker/Endpoints/data-metrics" in message


def test_publishing_monitor_without_metrics_fails(baseline: Inventory) -> None:
    verdicts = _verdicts(baseline, "mm-metrics-exist")
    assert verdicts["ep-ok-dq"][0] is Verdict.PASS
    assert verdicts["ep-typo-dq"][0] is Verdict.PASS
    assert verdicts["ep-mute-dq"][0] is Verdict.FAIL
    assert verdicts["ep-off-dq"][0] is Verdict.NOT_APPLICABLE


@pytest.mark.parametrize("error", ["AccessDeniedException", "ThrottlingException", TIMEOUT])
def test_listmetrics_faults_give_error_never_pass(signal_aws: tuple[LocalAws, str], error: str) -> None:
    aws, acct = signal_aws
    aws.faults.clear()
    aws.faults.add_rule(error=error, service="cloudwatch", operation="ListMetrics")
    try:
        inventory = _scan(aws, acct, max_attempts=1, read_timeout=1)
    finally:
        aws.faults.clear()
    assert {e.operation for e in inventory.errors} == {"ListMetrics"}
    assert all(e.dataset is Dataset.METRICS for e in inventory.errors)
    (target,) = inventory.targets
    assert target.datasets[Dataset.METRICS] is DatasetStatus.PARTIAL
    assert all(m.metrics is None and Dataset.METRICS in m.missing for m in inventory.monitors)
    for policy_id in ("mm-drift-alarm", "mm-metrics-exist"):
        verdicts = _verdicts(inventory, policy_id)
        assert len(verdicts) == 4, policy_id
        assert {v for v, _ in verdicts.values()} == {Verdict.ERROR}, policy_id
