"""A local AWS with an organization of one member account, scanned and judged by single policies: what the
end-to-end tests of one check (signal flow, S3 arrivals) share."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from auditor.emulator import LocalAws
from auditor.inventory.model import Inventory
from auditor.policy.engine import judge_all
from auditor.policy.loader import load_policy_set
from auditor.results import Verdict
from auditor.scan.options import ScanOptions
from auditor.scan.orchestrator import scan

REGION = "us-east-1"
_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_PROFILE")


@contextmanager
def local_aws() -> Iterator[LocalAws]:
    """A started, empty local AWS with test credentials in the process's environment (no profile); the
    environment is restored and the server stopped afterwards."""
    saved = {k: os.environ.get(k) for k in _ENV}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION)
    os.environ.pop("AWS_PROFILE", None)
    aws = LocalAws.start()
    try:
        aws.reset()
        yield aws
    finally:
        aws.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def one_member_aws(seed: Callable[[LocalAws, str], None]) -> Iterator[tuple[LocalAws, str]]:
    """A started local AWS holding an organization with one member account, seeded by ``seed``; the
    process's AWS environment is restored afterwards."""
    with local_aws() as aws:
        org = aws.session(None).client("organizations", endpoint_url=aws.endpoint_url, region_name=REGION)
        org.create_organization(FeatureSet="ALL")
        acct = org.create_account(Email="m@example.com", AccountName="m")["CreateAccountStatus"]["AccountId"]
        seed(aws, acct)
        yield aws, acct


def scan_member(aws: LocalAws, acct: str, **overrides: Any) -> Inventory:
    """The real scanner over HTTP on the member account in REGION (``overrides``: ScanOptions fields)."""
    values: dict[str, Any] = {
        "accounts": (acct,),
        "regions": (REGION,),
        "endpoint_url": aws.endpoint_url,
        "role_name": "ModelMonitorAuditor",
        "max_attempts": 2,
    }
    values.update(overrides)
    return scan(ScanOptions(**values))


def verdicts_of(inventory: Inventory, policy_id: str) -> dict[str, tuple[Verdict, str]]:
    """Resource name -> (verdict, message) of one built-in policy, judged as of the scan's end."""
    policy = next(p for p in load_policy_set().policies if p.id == policy_id)
    as_of = datetime.fromisoformat(inventory.metadata.finished_at.replace("Z", "+00:00"))
    return {f.resource_name: (f.verdict, f.message) for f in judge_all(inventory, [policy], as_of)}


def create_monitor(
    sm: Any,
    account: str,
    endpoint: str,
    *,
    monitoring_type: str = "DataQuality",
    definition: str | None = None,
    schedule: str | None = None,
    publish: str = "Enabled",
    ground_truth_uri: str | None = None,
) -> str:
    """A job definition of ``monitoring_type`` (DataQuality, or ModelQuality with ``ground_truth_uri``)
    for ``endpoint`` and its hourly schedule, over HTTP; returns the schedule name (default
    ``<endpoint>-dq`` / ``-mq``, the definition ``<endpoint>-def``)."""
    definition = definition or f"{endpoint}-def"
    schedule = schedule or f"{endpoint}-{'dq' if monitoring_type == 'DataQuality' else 'mq'}"
    endpoint_input = {"EndpointName": endpoint, "LocalPath": "/opt/ml/processing/input"}
    common: dict[str, Any] = {
        "JobDefinitionName": definition,
        "JobResources": {
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}
        },
        "RoleArn": f"arn:aws:iam::{account}:role/mm",
    }
    output = {
        "MonitoringOutputs": [{"S3Output": {"S3Uri": "s3://out/", "LocalPath": "/opt/ml/processing/output"}}]
    }
    if monitoring_type == "DataQuality":
        sm.create_data_quality_job_definition(
            **common,
            DataQualityAppSpecification={
                "ImageUri": "img",
                "Environment": {"publish_cloudwatch_metrics": publish},
            },
            DataQualityJobInput={"EndpointInput": endpoint_input},
            DataQualityJobOutputConfig=output,
        )
    elif monitoring_type == "ModelQuality":
        sm.create_model_quality_job_definition(
            **common,
            ModelQualityAppSpecification={"ImageUri": "img", "ProblemType": "BinaryClassification"},
            ModelQualityJobInput={
                "EndpointInput": endpoint_input,
                "GroundTruthS3Input": {"S3Uri": ground_truth_uri},
            },
            ModelQualityJobOutputConfig=output,
        )
    else:
        raise ValueError(f"create_monitor does not make {monitoring_type} monitors")
    sm.create_monitoring_schedule(
        MonitoringScheduleName=schedule,
        MonitoringScheduleConfig={
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
            "MonitoringJobDefinitionName": definition,
            "MonitoringType": monitoring_type,
        },
    )
    return schedule


def record_history(
    aws: LocalAws,
    account: str,
    schedule: str,
    history: list[tuple[str, str | None]],
    **extra: Any,
) -> None:
    """Record ``history`` ((status, failure reason), oldest first) as the schedule's executions: the newest
    ran 30 minutes ago, the others hourly before it. ``extra``: more fields of every execution."""
    now = datetime.now(UTC).replace(microsecond=0)
    for age, (status, reason) in zip(range(len(history) - 1, -1, -1), history, strict=True):
        execution: dict[str, Any] = {
            "MonitoringExecutionStatus": status,
            "ScheduledTime": now - timedelta(minutes=30) - timedelta(hours=age),
            **extra,
        }
        if reason:
            execution["FailureReason"] = reason
        aws.set_schedule_state(account, REGION, schedule, last_execution=execution)
