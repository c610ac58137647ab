"""Templates and plans merged over a real scan of the local AWS (``auditor iac --inventory``).

The deployed estate is created in the local AWS through boto3, scanned by the real scanner over
HTTP and saved; the plans and templates are then judged over it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.inventory import store
from auditor.inventory.model import AlertStatus, EventRule, Inventory, Topic
from auditor.policy.engine import evaluate
from auditor.policy.loader import load_policy_set
from auditor.results import EvaluationResult, Verdict

from .conftest import ACCOUNT, FIXTURES, REGION, read_paths, verdicts, write

pytestmark = pytest.mark.e2e

IMAGE = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The saved scan of a deployed production endpoint with a DataQuality monitor and no drift alarm."""
    from auditor.emulator import LocalAws  # the local AWS needs the demo extra; only e2e tests use it
    from auditor.scan.options import ScanOptions
    from auditor.scan.orchestrator import scan

    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}
    saved = {k: os.environ.get(k) for k in [*env, "AWS_PROFILE"]}
    os.environ.update(env)
    os.environ.pop("AWS_PROFILE", None)
    aws = LocalAws.start()
    try:
        _seed(aws.session(None, REGION).client("sagemaker", endpoint_url=aws.endpoint_url))
        inventory = scan(ScanOptions(regions=(REGION,), endpoint_url=aws.endpoint_url))
        path = tmp_path_factory.mktemp("scan") / "inventory.json"
        store.save(inventory, path)
        yield path
    finally:
        aws.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _seed(sm: Any) -> None:
    sm.create_model(
        ModelName="prod-model",
        ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/r",
        PrimaryContainer={"Image": "x"},
    )
    sm.create_endpoint_config(
        EndpointConfigName="prod-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "prod-model",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
        DataCaptureConfig={
            "EnableCapture": True,
            "InitialSamplingPercentage": 100,
            "DestinationS3Uri": "s3://capture/prod",
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        },
    )
    sm.create_endpoint(
        EndpointName="prod",
        EndpointConfigName="prod-config",
        Tags=[{"Key": "environment", "Value": "production"}],
    )
    sm.create_data_quality_job_definition(
        JobDefinitionName="prod-dq-def",
        DataQualityAppSpecification={
            "ImageUri": IMAGE,
            "Environment": {"publish_cloudwatch_metrics": "Enabled"},
        },
        DataQualityJobInput={
            "EndpointInput": {"EndpointName": "prod", "LocalPath": "/opt/ml/processing/input"}
        },
        DataQualityJobOutputConfig={
            "MonitoringOutputs": [{"S3Output": {"S3Uri": "s3://m/prod", "LocalPath": "/out"}}]
        },
        JobResources={
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}
        },
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r",
    )
    sm.create_monitoring_schedule(
        MonitoringScheduleName="prod-dq",
        MonitoringScheduleConfig={
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
            "MonitoringJobDefinitionName": "prod-dq-def",
            "MonitoringType": "DataQuality",
        },
    )


def _judged(inventory: Inventory) -> EvaluationResult:
    return evaluate(inventory, load_policy_set())


def _plan(resources: list[dict[str, Any]]) -> str:
    """A plan of ``resources`` (address, type, name, actions, before, after, after_unknown)."""
    planned = [
        {
            "address": r["address"],
            "mode": "managed",
            "type": r["type"],
            "name": r["name"],
            "values": r["after"],
        }
        for r in resources
        if r["after"] is not None
    ]
    changes = [
        {
            "address": r["address"],
            "mode": "managed",
            "type": r["type"],
            "name": r["name"],
            "change": {
                "actions": r["actions"],
                "before": r["before"],
                "after": r["after"],
                "after_unknown": r.get("after_unknown", {}),
            },
        }
        for r in resources
    ]
    return json.dumps(
        {
            "format_version": "1.2",
            "terraform_version": "1.9.5",
            "planned_values": {"root_module": {"resources": planned}},
            "resource_changes": changes,
            "configuration": {"root_module": {"resources": []}},
        }
    )


DRIFT_ALARM = {
    "address": "aws_cloudwatch_metric_alarm.prod_drift",
    "type": "aws_cloudwatch_metric_alarm",
    "name": "prod_drift",
    "actions": ["create"],
    "before": None,
    "after": {
        "alarm_name": "prod-drift",
        "namespace": "aws/sagemaker/Endpoints/data-metrics",
        "metric_name": "feature_baseline_drift_total",
        "dimensions": {"Endpoint": "prod", "MonitoringSchedule": "prod-dq"},
        "statistic": "Maximum",
        "period": 3600,
        "evaluation_periods": 1,
        "threshold": 0.1,
        "comparison_operator": "GreaterThanThreshold",
        "actions_enabled": True,
        "alarm_actions": [f"arn:aws:sns:{REGION}:{ACCOUNT}:ml-alerts"],
        "metric_query": [],
    },
    "after_unknown": {"arn": True, "id": True},
}


def test_the_scan_alone_has_no_drift_alarm(scanned: Path) -> None:
    result = _judged(store.load(scanned))
    assert verdicts(result, "mm-drift-alarm") == {"prod-dq": Verdict.FAIL}
    assert verdicts(result, "mm-data-quality-monitor") == {"prod": Verdict.PASS}


def test_a_plan_that_adds_an_alarm_for_an_existing_monitor_passes(scanned: Path, tmp_path: Path) -> None:
    plan = write(tmp_path, _plan([DRIFT_ALARM]), "plan.json")
    read = read_paths(plan, account=None, region=None, base=store.load(scanned))
    result = _judged(read.inventory)
    assert verdicts(result, "mm-drift-alarm") == {"prod-dq": Verdict.PASS}
    monitor = next(m for m in read.inventory.monitors if m.name == "prod-dq")
    (alarm,) = read.inventory.alarms
    assert monitor.source is None and alarm.source is not None  # deployed monitor, planned alarm
    assert alarm.account_id == ACCOUNT and alarm.region == REGION  # from the scan's single target
    # the deployed monitor keeps its run-time judgement; the planned alarm waits for the deploy
    assert verdicts(result, "mm-alarm-insufficient-data") == {"prod-drift": Verdict.NOT_APPLICABLE}
    assert read.inventory.metadata.source.value == "templates+scan"


def test_a_plan_that_deletes_the_schedule_of_a_production_endpoint_fails(
    scanned: Path, tmp_path: Path
) -> None:
    deletion = {
        "address": "aws_sagemaker_monitoring_schedule.prod_dq",
        "type": "aws_sagemaker_monitoring_schedule",
        "name": "prod_dq",
        "actions": ["delete"],
        "before": {
            "name": "prod-dq",
            "monitoring_schedule_config": [
                {"monitoring_job_definition_name": "prod-dq-def", "monitoring_type": "DataQuality"}
            ],
        },
        "after": None,
    }
    read = read_paths(write(tmp_path, _plan([deletion]), "plan.json"), base=store.load(scanned))
    assert read.deleted == ["aws_sagemaker_monitoring_schedule.prod_dq"]
    assert "prod-dq" not in {m.name for m in read.inventory.monitors}
    result = _judged(read.inventory)
    assert verdicts(result, "mm-data-quality-monitor") == {"prod": Verdict.FAIL}
    assert verdicts(result, "mm-orphan-job-definition") == {"prod-dq-def": Verdict.FAIL}


def test_a_template_resource_replaces_the_deployed_one(scanned: Path, tmp_path: Path) -> None:
    template = write(
        tmp_path,
        """\
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      EndpointConfigName: prod-config-v2
      ProductionVariants:
        - {VariantName: AllTraffic, ModelName: m, InstanceType: ml.m5.large, InitialInstanceCount: 1}
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties: {EndpointName: prod, EndpointConfigName: !GetAtt Config.EndpointConfigName}
""",
    )
    base = store.load(scanned)
    assert verdicts(_judged(base), "mm-data-capture") == {"prod": Verdict.PASS}
    read = read_paths(template, base=base)
    (endpoint,) = [e for e in read.inventory.endpoints if e.name == "prod"]
    assert endpoint.source is not None and endpoint.endpoint_config_name == "prod-config-v2"
    result = _judged(read.inventory)
    assert verdicts(result, "mm-data-capture") == {"prod": Verdict.FAIL}  # the new config drops capture
    assert verdicts(result, "mm-data-quality-monitor") == {
        "prod": Verdict.PASS
    }  # the deployed schedule stays


def test_a_schedule_for_an_endpoint_the_scan_does_not_have_is_an_orphan(scanned: Path) -> None:
    read = read_paths(FIXTURES / "cloudformation" / "noncompliant.yaml", base=store.load(scanned))
    assert verdicts(_judged(read.inventory), "mm-orphan-schedule")["retired-dq"] is Verdict.FAIL


def test_the_merged_inventory_saves_and_reloads(scanned: Path, tmp_path: Path) -> None:
    plan = write(tmp_path, _plan([DRIFT_ALARM]), "plan.json")
    read = read_paths(plan, base=store.load(scanned))
    path = tmp_path / "merged.json"
    store.save(read.inventory, path)
    again = store.load(path)
    assert store.dumps(again) == store.dumps(read.inventory)
    assert _judged(again).findings == _judged(read.inventory).findings


def test_what_else_the_scan_read_stays_in_the_merge(scanned: Path, tmp_path: Path) -> None:
    """Topics and rules (alert paths), the recognisers' schedules and the prices of the scan are kept: a
    planned alarm whose action is a topic the scan read reaches its confirmed subscribers (before, the merge
    dropped the topics and the path was only taken as declared)."""
    base = store.load(scanned)
    assert base.pricing is not None  # the scan resolved the prices of its processing instances
    topic_arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:ml-alerts"  # DRIFT_ALARM's action
    base.topics.append(Topic(topic_arn, "ml-alerts", ACCOUNT, REGION, subscriptions_confirmed=2))
    base.event_rules.append(
        EventRule(
            f"arn:aws:events:{REGION}:{ACCOUNT}:rule/drift", "drift", ACCOUNT, REGION, "default", "ENABLED"
        )
    )
    plan = write(tmp_path, _plan([DRIFT_ALARM]), "plan.json")
    merged = read_paths(plan, base=base).inventory
    assert [t.arn for t in merged.topics] == [topic_arn]
    assert [r.name for r in merged.event_rules] == ["drift"]
    assert merged.pricing == base.pricing and merged.schedules == base.schedules
    assert verdicts(_judged(merged), "mm-alarm-actionable") == {"prod-drift": Verdict.PASS}
    (alarm,) = merged.alarms
    assert [(p.status, p.detail) for p in alarm.alert_paths] == [
        (AlertStatus.DELIVERS, f"SNS topic ml-alerts ({ACCOUNT}) with 2 confirmed subscriptions")
    ]
    base.topics.clear()  # the same plan over a scan that did not read the topic: taken as declared
    (unread,) = read_paths(plan, base=base).inventory.alarms
    assert [p.status for p in unread.alert_paths] == [AlertStatus.COUNTED]
