"""Synthetic linked inventories of any size, built directly as ``Inventory`` objects (no AWS, no moto).

The mix mirrors what the scanner produces for an organization (same field values and raw records as a
scan of the local AWS): most endpoints are production endpoints with a DataQuality and a ModelQuality
monitor (about two monitors per endpoint), named job definitions and drift alarms; the rest are
development endpoints, unmonitored endpoints, and the usual broken links (capture off, a stopped or
failed schedule, a stale last run, no drift alarm, an alarm without actions, metrics publishing off,
no ground truth), serverless endpoints, composite alarms, unused job definitions and orphan schedules.
Everything is drawn from a seeded RNG, so a size always gives the same inventory.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from auditor.inventory.model import (
    Alarm,
    AlarmType,
    DataCapture,
    Dataset,
    DatasetStatus,
    Endpoint,
    EndpointKind,
    Identity,
    Inventory,
    JobDefinition,
    LastExecution,
    MetricRef,
    Monitor,
    MonitorType,
    ScanMetadata,
    Target,
    Topic,
    Variant,
)
from auditor.inventory.relations import CANONICAL_ENDPOINT_NAMESPACES, link

FINISHED = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2")
HOURLY = "cron(0 * ? * * *)"
_JD_ARN_KIND = {
    MonitorType.DATA_QUALITY: "data-quality-job-definition",
    MonitorType.MODEL_QUALITY: "model-quality-job-definition",
    MonitorType.MODEL_BIAS: "model-bias-job-definition",
    MonitorType.MODEL_EXPLAINABILITY: "model-explainability-job-definition",
}
_ABBREV = {
    MonitorType.DATA_QUALITY: "dq",
    MonitorType.MODEL_QUALITY: "mq",
    MonitorType.MODEL_BIAS: "bias",
    MonitorType.MODEL_EXPLAINABILITY: "explain",
}
_PROD_TAGS = {"environment": "production", "risk-tier": "high", "team": "ml-platform"}
_DEV_TAGS = {"environment": "development", "risk-tier": "low", "team": "data-science"}

# (profile, cumulative probability). Profiles other than "compliant" break one link each.
_MIX: tuple[tuple[str, float], ...] = (
    ("compliant", 0.66),
    ("all_four_monitors", 0.70),
    ("development", 0.78),
    ("unmonitored", 0.84),
    ("no_drift_alarm", 0.87),
    ("schedule_stopped", 0.89),
    ("last_execution_failed", 0.91),
    ("last_execution_stale", 0.93),
    ("alarm_no_actions", 0.94),
    ("metrics_disabled", 0.95),
    ("no_ground_truth", 0.96),
    ("capture_off", 0.97),
    ("composite_alarm", 0.99),
    ("serverless", 1.0),
)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Place:
    account_id: str
    region: str
    rng: random.Random

    def arn(self, service: str, kind: str, name: str) -> str:
        sep = ":" if service == "cloudwatch" else "/"
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{kind}{sep}{name}"

    def kms(self, purpose: str) -> str:
        return f"arn:aws:kms:{self.region}:{self.account_id}:key/{purpose}-{self.rng.getrandbits(48):012x}"

    @property
    def bucket(self) -> str:
        return f"s3://ml-monitoring-{self.account_id}-{self.region}"


def _endpoint(p: _Place, name: str, profile: str, created: str) -> Endpoint:
    arn = p.arn("sagemaker", "endpoint", name)
    config = f"{name}-config"
    serverless = profile == "serverless"
    capture: DataCapture | None = None
    raw_capture: dict[str, Any] = {}
    if profile != "capture_off" and not serverless:
        capture = DataCapture(
            enabled=True,
            capture_status="Started",
            current_sampling_percentage=100,
            destination_s3_uri=f"s3://ml-data-capture-{p.account_id}-{p.region}/{name}",
            kms_key_id=p.kms("capture"),
            capture_options=["Input", "Output"],
            csv_content_types=["text/csv"],
            json_content_types=["application/json"],
        )
        raw_capture = {
            "EnableCapture": True,
            "CaptureStatus": "Started",
            "CurrentSamplingPercentage": 100,
            "DestinationS3Uri": capture.destination_s3_uri,
            "KmsKeyId": capture.kms_key_id,
        }
    variant = (
        Variant(
            "AllTraffic", model_name=f"{name}-model", serverless_memory_mb=2048, serverless_max_concurrency=5
        )
        if serverless
        else Variant("AllTraffic", model_name=f"{name}-model", instance_type="ml.m5.xlarge", instance_count=2)
    )
    raw_endpoint: dict[str, Any] = {
        "EndpointName": name,
        "EndpointArn": arn,
        "EndpointConfigName": config,
        "EndpointStatus": "InService",
        "CreationTime": created,
        "LastModifiedTime": created,
        "ProductionVariants": [{"VariantName": "AllTraffic", "CurrentWeight": 1.0, "DesiredWeight": 1.0}],
    }
    if raw_capture:
        raw_endpoint["DataCaptureConfig"] = raw_capture
    return Endpoint(
        arn=arn,
        name=name,
        account_id=p.account_id,
        region=p.region,
        status="InService",
        kind=EndpointKind.SERVERLESS if serverless else EndpointKind.REAL_TIME,
        creation_time=created,
        last_modified_time=created,
        endpoint_config_name=config,
        variants=[variant],
        data_capture=capture,
        config_kms_key_id=None if serverless else p.kms("endpoint-volume"),
        tags=dict(_DEV_TAGS if profile == "development" else _PROD_TAGS),
        raw={
            "endpoint": raw_endpoint,
            "endpoint_config": {
                "EndpointConfigName": config,
                "EndpointConfigArn": p.arn("sagemaker", "endpoint-config", config),
                "CreationTime": created,
            },
        },
    )


def _job_definition(
    p: _Place, endpoint: str, mtype: MonitorType, profile: str, created: str, name: str | None = None
) -> JobDefinition:
    name = name or f"{endpoint}-{_ABBREV[mtype]}-def"
    publish = "Disabled" if profile == "metrics_disabled" and mtype is MonitorType.DATA_QUALITY else "Enabled"
    ground_truth = None
    if mtype is not MonitorType.DATA_QUALITY and profile != "no_ground_truth":
        ground_truth = f"{p.bucket}/{endpoint}/ground-truth"
    output_kms, volume_kms = p.kms("monitor-output"), p.kms("monitor-volume")
    return JobDefinition(
        arn=p.arn("sagemaker", _JD_ARN_KIND[mtype], name),
        name=name,
        account_id=p.account_id,
        region=p.region,
        monitor_type=mtype,
        creation_time=created,
        endpoint_name=endpoint,
        baseline_constraints_uri=f"{p.bucket}/{endpoint}/baseline/constraints.json",
        baseline_statistics_uri=(
            f"{p.bucket}/{endpoint}/baseline/statistics.json" if mtype is MonitorType.DATA_QUALITY else None
        ),
        ground_truth_s3_uri=ground_truth,
        problem_type="BinaryClassification" if mtype is MonitorType.MODEL_QUALITY else None,
        environment={"publish_cloudwatch_metrics": publish},
        publish_cloudwatch_metrics=publish,
        network_isolation=True,
        inter_container_traffic_encryption=True,
        output_kms_key_id=output_kms,
        volume_kms_key_id=volume_kms,
        max_runtime_seconds=3600,
        instance_type="ml.m5.xlarge",
        instance_count=1,
        raw={
            "JobDefinitionName": name,
            "CreationTime": created,
            "RoleArn": f"arn:aws:iam::{p.account_id}:role/SageMakerModelMonitorRole",
            "NetworkConfig": {"EnableInterContainerTrafficEncryption": True, "EnableNetworkIsolation": True},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
            "JobResources": {
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.xlarge",
                    "VolumeKmsKeyId": volume_kms,
                    "VolumeSizeInGB": 20,
                }
            },
        },
    )


def _monitor(
    p: _Place, endpoint: str | None, mtype: MonitorType, profile: str, created: str, name: str
) -> Monitor:
    status = "Stopped" if profile == "schedule_stopped" and mtype is MonitorType.DATA_QUALITY else "Scheduled"
    last_status, age = "Completed", timedelta(minutes=20)
    failure = None
    if mtype is MonitorType.DATA_QUALITY and profile == "last_execution_failed":
        last_status, failure = "Failed", "AlgorithmError: no data captured in the analysis window"
    if mtype is MonitorType.DATA_QUALITY and profile == "last_execution_stale":
        age = timedelta(days=3)
    scheduled = _iso(FINISHED - age)
    arn = p.arn("sagemaker", "monitoring-schedule", name)
    jd_name = f"{endpoint or name}-{_ABBREV[mtype]}-def"
    return Monitor(
        arn=arn,
        name=name,
        account_id=p.account_id,
        region=p.region,
        monitor_type=mtype,
        status=status,
        creation_time=created,
        last_modified_time=created,
        schedule_expression=HOURLY,
        interval_seconds=3600,
        endpoint_name=endpoint,
        job_definition_name=jd_name,
        last_execution=LastExecution(
            status=last_status,
            scheduled_time=scheduled,
            creation_time=scheduled,
            last_modified_time=scheduled,
            failure_reason=failure,
            processing_job_arn=p.arn(
                "sagemaker", "processing-job", f"model-monitoring-{p.rng.getrandbits(40):x}"
            ),
        ),
        tags=dict(_PROD_TAGS),
        raw={
            "MonitoringScheduleName": name,
            "MonitoringScheduleArn": arn,
            "MonitoringScheduleStatus": status,
            "MonitoringType": mtype.value,
            "CreationTime": created,
            "MonitoringScheduleConfig": {
                "MonitoringJobDefinitionName": jd_name,
                "MonitoringType": mtype.value,
                "ScheduleConfig": {"ScheduleExpression": HOURLY},
            },
        },
    )


def _alarm(p: _Place, endpoint: str, schedule: str, mtype: MonitorType, profile: str, created: str) -> Alarm:
    name = f"{schedule}-drift"
    namespace = CANONICAL_ENDPOINT_NAMESPACES[mtype]
    dims = {"Endpoint": endpoint, "MonitoringSchedule": schedule}
    metric = "feature_baseline_drift_transaction_amount" if mtype is MonitorType.DATA_QUALITY else "auc"
    actions = (
        []
        if profile == "alarm_no_actions"
        else [f"arn:aws:sns:{p.region}:{p.account_id}:ml-monitoring-alerts"]
    )
    return Alarm(
        arn=p.arn("cloudwatch", "alarm", name),
        name=name,
        account_id=p.account_id,
        region=p.region,
        alarm_type=AlarmType.METRIC,
        state="OK",
        state_updated=created,
        actions_enabled=True,
        alarm_actions=actions,
        description="Data drift on a production model",
        namespace=namespace,
        metric_name=metric,
        dimensions=dims,
        metrics=[MetricRef(namespace=namespace, metric_name=metric, dimensions=dict(dims))],
        statistic="Maximum",
        threshold=0.2 if mtype is MonitorType.DATA_QUALITY else 0.7,
        comparison_operator="GreaterThanThreshold"
        if mtype is MonitorType.DATA_QUALITY
        else "LessThanThreshold",
        period=3600,
        evaluation_periods=1,
        treat_missing_data="notBreaching",
        raw={
            "AlarmName": name,
            "AlarmArn": p.arn("cloudwatch", "alarm", name),
            "StateValue": "OK",
            "StateReason": "Threshold Crossed: no datapoint was greater than the threshold",
            "Namespace": namespace,
            "MetricName": metric,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        },
    )


def _composite(p: _Place, endpoint: str, child: Alarm, created: str) -> Alarm:
    name = f"{endpoint}-model-health"
    rule = f'ALARM("{child.name}")'
    return Alarm(
        arn=p.arn("cloudwatch", "alarm", name),
        name=name,
        account_id=p.account_id,
        region=p.region,
        alarm_type=AlarmType.COMPOSITE,
        state="OK",
        state_updated=created,
        actions_enabled=True,
        alarm_actions=[f"arn:aws:sns:{p.region}:{p.account_id}:ml-monitoring-alerts"],
        alarm_rule=rule,
        children=[child.name],
        raw={"AlarmName": name, "AlarmRule": rule, "StateValue": "OK"},
    )


def _add_endpoint(inv: Inventory, p: _Place, name: str, profile: str) -> None:
    created = _iso(FINISHED - timedelta(days=p.rng.randint(1, 400)))
    inv.endpoints.append(_endpoint(p, name, profile, created))
    if profile in ("unmonitored", "serverless"):
        return
    if profile == "development":
        types: tuple[MonitorType, ...] = (MonitorType.DATA_QUALITY,)
    elif profile == "all_four_monitors":
        types = tuple(MonitorType)
    else:
        types = (MonitorType.DATA_QUALITY, MonitorType.MODEL_QUALITY)
    for mtype in types:
        schedule = f"{name}-{_ABBREV[mtype]}"
        inv.monitors.append(_monitor(p, name, mtype, profile, created, schedule))
        inv.job_definitions.append(_job_definition(p, name, mtype, profile, created))
        if profile == "no_drift_alarm" and mtype is MonitorType.DATA_QUALITY:
            continue
        if mtype in (MonitorType.DATA_QUALITY, MonitorType.MODEL_QUALITY) and profile != "development":
            alarm = _alarm(p, name, schedule, mtype, profile, created)
            inv.alarms.append(alarm)
            if profile == "composite_alarm" and mtype is MonitorType.DATA_QUALITY:
                alarm.actions_enabled = False  # the composite parent notifies
                inv.alarms.append(_composite(p, name, alarm, created))


def build_inventory(endpoints: int, *, accounts: int | None = None, seed: int = 11) -> Inventory:
    """A linked inventory with ``endpoints`` endpoints over ``accounts`` accounts x 2 regions."""
    rng = random.Random(seed)
    accounts = accounts or max(1, endpoints // 100)  # about 50 endpoints per account and region
    account_ids = [f"{200000000000 + i * 7919:012d}" for i in range(accounts)]
    regions = REGIONS[:2]
    places = [_Place(a, r, random.Random(f"{seed}:{a}:{r}")) for a in account_ids for r in regions]
    inv = Inventory(
        metadata=ScanMetadata(
            tool_version="bench",
            started_at=_iso(FINISHED - timedelta(minutes=5)),
            finished_at=_iso(FINISHED),
            accounts=account_ids,
            regions=list(regions),
            identities=[
                Identity(a, f"arn:aws:sts::{a}:assumed-role/ModelMonitorAuditor/mm-auditor")
                for a in account_ids
            ],
            options={"search": True, "synthetic": True},
        ),
        targets=[
            Target(p.account_id, p.region, {d: DatasetStatus.COMPLETE for d in Dataset}) for p in places
        ],
    )
    # The alarms' SNS topic of each account and region, with a confirmed subscription (as a scan reads it).
    inv.topics = [
        Topic(
            arn=f"arn:aws:sns:{p.region}:{p.account_id}:ml-monitoring-alerts",
            name="ml-monitoring-alerts",
            account_id=p.account_id,
            region=p.region,
            subscriptions_confirmed=1,
            subscriptions_pending=0,
        )
        for p in places
    ]
    for i in range(endpoints):
        p = places[i % len(places)]
        roll = rng.random()
        profile = next(name for name, cumulative in _MIX if roll < cumulative)
        _add_endpoint(inv, p, f"model-{rng.getrandbits(24):06x}-{i:06d}", profile)
        if i % 100 == 50:  # ~1 % unused job definitions, ~1 % orphan schedules (their endpoint was deleted)
            gone = f"retired-{i:06d}"
            created = _iso(FINISHED - timedelta(days=500))
            inv.job_definitions.append(
                _job_definition(p, gone, MonitorType.DATA_QUALITY, "compliant", created)
            )
            orphan = f"{gone}-mq"
            inv.monitors.append(_monitor(p, gone, MonitorType.MODEL_QUALITY, "compliant", created, orphan))
            inv.job_definitions.append(
                _job_definition(p, gone, MonitorType.MODEL_QUALITY, "compliant", created)
            )
    for items in (inv.endpoints, inv.monitors, inv.job_definitions, inv.alarms):
        items.sort(key=lambda r: r.arn)
    return link(inv)
