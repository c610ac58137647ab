"""Contract tests: whole-region scans against botocore Stubber responses.

Stubber validates every request against the API's input shape and every fixture against its output
shape, so these fixtures are records the real APIs can return, including ones the local AWS cannot
produce (embedded batch-transform schedules, metric-math and composite alarms, Search records with
inline schedules). Concurrency is 1 so calls happen in a fixed order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from auditor.inventory import store
from auditor.inventory.model import (
    Dataset,
    DatasetStatus,
    EndpointKind,
    Inventory,
    MonitorType,
    ResourceKind,
    ScanMetadata,
)
from auditor.inventory.relations import link
from auditor.scan.clients import RegionApi, Runtime
from auditor.scan.options import ScanOptions
from auditor.scan.permissions import declared_operations
from auditor.scan.region import RegionResult, scan_region

ACCT = "111111111111"
REGION = "eu-west-1"
T0 = dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC)
# Executions are kept within a window back from the scan's own clock: they are dated from this run's start.
RECENT = dt.datetime.now(dt.UTC).replace(microsecond=0)
SM = f"arn:aws:sagemaker:{REGION}:{ACCT}"
EP_ARN = f"{SM}:endpoint/ep"
DQ_SCHED_ARN = f"{SM}:monitoring-schedule/dq-sched"
BATCH_SCHED_ARN = f"{SM}:monitoring-schedule/batch-sched"
DIMS = [{"Name": "Endpoint", "Value": "ep"}, {"Name": "MonitoringSchedule", "Value": "dq-sched"}]


def _endpoint_record() -> dict[str, Any]:
    return {
        "EndpointName": "ep",
        "EndpointArn": EP_ARN,
        "EndpointConfigName": "cfg",
        "EndpointStatus": "InService",
        "CreationTime": T0,
        "LastModifiedTime": T0,
        "ProductionVariants": [
            {"VariantName": "AllTraffic", "CurrentInstanceCount": 1, "CurrentWeight": 1.0}
        ],
        "DataCaptureConfig": {
            "EnableCapture": True,
            "CaptureStatus": "Started",
            "CurrentSamplingPercentage": 100,
            "DestinationS3Uri": "s3://capture/ep",
            "KmsKeyId": "arn:aws:kms:eu-west-1:111111111111:key/cap",
        },
    }


def _dq_schedule() -> dict[str, Any]:
    return {
        "MonitoringScheduleArn": DQ_SCHED_ARN,
        "MonitoringScheduleName": "dq-sched",
        "MonitoringScheduleStatus": "Scheduled",
        "MonitoringType": "DataQuality",
        "CreationTime": T0,
        "LastModifiedTime": T0,
        "EndpointName": "ep",
        "MonitoringScheduleConfig": {
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
            "MonitoringJobDefinitionName": "dq-def",
            "MonitoringType": "DataQuality",
        },
        "LastMonitoringExecutionSummary": {
            "MonitoringScheduleName": "dq-sched",
            "ScheduledTime": T0,
            "CreationTime": T0,
            "LastModifiedTime": T0,
            "MonitoringExecutionStatus": "CompletedWithViolations",
            "EndpointName": "ep",
        },
    }


def _batch_schedule() -> dict[str, Any]:
    return {
        "MonitoringScheduleArn": BATCH_SCHED_ARN,
        "MonitoringScheduleName": "batch-sched",
        "MonitoringScheduleStatus": "Stopped",
        "MonitoringType": "DataQuality",
        "CreationTime": T0,
        "LastModifiedTime": T0,
        "MonitoringScheduleConfig": {
            "ScheduleConfig": {"ScheduleExpression": "cron(0 0/6 ? * * *)"},
            "MonitoringType": "DataQuality",
            "MonitoringJobDefinition": {
                "MonitoringInputs": [
                    {
                        "BatchTransformInput": {
                            "DataCapturedDestinationS3Uri": "s3://batch/capture",
                            "DatasetFormat": {"Csv": {"Header": True}},
                            "LocalPath": "/opt/ml/processing/input",
                        }
                    }
                ],
                "MonitoringOutputConfig": {
                    "MonitoringOutputs": [
                        {"S3Output": {"S3Uri": "s3://out/", "LocalPath": "/opt/ml/processing/output"}}
                    ]
                },
                "MonitoringResources": {
                    "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}
                },
                "MonitoringAppSpecification": {"ImageUri": "123.dkr.ecr.eu-west-1.amazonaws.com/mm:latest"},
                "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
                "RoleArn": f"arn:aws:iam::{ACCT}:role/mm",
            },
        },
    }


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    summary = {
        "MonitoringScheduleName": record["MonitoringScheduleName"],
        "MonitoringScheduleArn": record["MonitoringScheduleArn"],
        "CreationTime": T0,
        "LastModifiedTime": T0,
        "MonitoringScheduleStatus": record["MonitoringScheduleStatus"],
        "MonitoringType": record["MonitoringType"],
    }
    if "EndpointName" in record:
        summary["EndpointName"] = record["EndpointName"]
    name = record["MonitoringScheduleConfig"].get("MonitoringJobDefinitionName")
    if name:
        summary["MonitoringJobDefinitionName"] = name
    return summary


def _endpoint_config() -> dict[str, Any]:
    return {
        "EndpointConfigName": "cfg",
        "EndpointConfigArn": f"{SM}:endpoint-config/cfg",
        "CreationTime": T0,
        "KmsKeyId": "vol-key",
        "ProductionVariants": [
            {
                "VariantName": "AllTraffic",
                "ModelName": "model",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
        "DataCaptureConfig": {
            "EnableCapture": True,
            "InitialSamplingPercentage": 100,
            "DestinationS3Uri": "s3://capture/ep",
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            "CaptureContentTypeHeader": {"JsonContentTypes": ["application/json"]},
        },
    }


def _dq_definition(name: str) -> dict[str, Any]:
    return {
        "JobDefinitionArn": f"{SM}:data-quality-job-definition/{name}",
        "JobDefinitionName": name,
        "CreationTime": T0,
        "DataQualityBaselineConfig": {
            "ConstraintsResource": {"S3Uri": "s3://baseline/constraints.json"},
            "StatisticsResource": {"S3Uri": "s3://baseline/statistics.json"},
        },
        "DataQualityAppSpecification": {
            "ImageUri": "img",
            "Environment": {"publish_cloudwatch_metrics": "Enabled"},
        },
        "DataQualityJobInput": {
            "EndpointInput": {"EndpointName": "ep", "LocalPath": "/opt/ml/processing/input"}
        },
        "DataQualityJobOutputConfig": {
            "MonitoringOutputs": [
                {"S3Output": {"S3Uri": "s3://out/", "LocalPath": "/opt/ml/processing/output"}}
            ],
            "KmsKeyId": "out-key",
        },
        "JobResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 20,
                "VolumeKmsKeyId": "vol-key",
            }
        },
        "NetworkConfig": {"EnableInterContainerTrafficEncryption": True, "EnableNetworkIsolation": True},
        "RoleArn": f"arn:aws:iam::{ACCT}:role/mm",
        "StoppingCondition": {"MaxRuntimeInSeconds": 1800},
    }


def _alarms_page() -> dict[str, Any]:
    cw = f"arn:aws:cloudwatch:{REGION}:{ACCT}:alarm"
    return {
        "MetricAlarms": [
            {
                "AlarmName": "drift",
                "AlarmArn": f"{cw}:drift",
                "ActionsEnabled": True,
                "AlarmActions": [f"arn:aws:sns:{REGION}:{ACCT}:oncall"],
                "StateValue": "OK",
                "StateUpdatedTimestamp": T0,
                "Namespace": "aws/sagemaker/Endpoints/data-metrics",
                "MetricName": "feature_baseline_drift_age",
                "Dimensions": DIMS,
                "Statistic": "Maximum",
                "Period": 3600,
                "EvaluationPeriods": 1,
                "Threshold": 0.2,
                "ComparisonOperator": "GreaterThanThreshold",
            },
            {
                "AlarmName": "math",
                "AlarmArn": f"{cw}:math",
                "StateValue": "INSUFFICIENT_DATA",
                "EvaluationPeriods": 1,
                "Threshold": 1.0,
                "ComparisonOperator": "GreaterThanThreshold",
                "Metrics": [
                    {"Id": "e1", "Expression": "MAX([m1])", "ReturnData": True},
                    {
                        "Id": "m1",
                        "MetricStat": {
                            "Metric": {
                                "Namespace": "aws/sagemaker/Endpoints/data-metrics",
                                "MetricName": "feature_non_null_age",
                                "Dimensions": DIMS,
                            },
                            "Period": 3600,
                            "Stat": "Sum",
                        },
                        "ReturnData": False,
                    },
                ],
            },
            {
                "AlarmName": "wrong-dims",
                "AlarmArn": f"{cw}:wrong-dims",
                "StateValue": "INSUFFICIENT_DATA",
                "Namespace": "aws/sagemaker/Endpoints/data-metrics",
                "MetricName": "feature_baseline_drift_age",
                "Dimensions": DIMS[:1],
            },
            {"AlarmName": "cpu", "AlarmArn": f"{cw}:cpu", "StateValue": "OK", "Namespace": "AWS/EC2"},
        ],
        "CompositeAlarms": [
            {
                "AlarmName": "page-me",
                "AlarmArn": f"{cw}:page-me",
                "AlarmRule": 'ALARM("drift") OR ALARM(cpu)',
                "StateValue": "OK",
                "ActionsEnabled": True,
            }
        ],
    }


def _api() -> RegionApi:
    runtime = Runtime(
        allowed=declared_operations(), endpoint_url="http://127.0.0.1:9", per_service_concurrency=1
    )
    session = boto3.Session(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name=REGION
    )
    api = RegionApi(runtime, session, ACCT, REGION)
    _stub_capture_listing(api)
    return api


def _stub_capture_listing(api: RegionApi) -> None:
    """ListObjectsV2 for ep's capture prefix: one call (data arrived in the last hour), refused by S3
    unless the bucket is the scanned account's (ExpectedBucketOwner)."""
    s3 = Stubber(api.client("s3"))
    newest = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)).replace(second=0, microsecond=0)
    s3.add_response(
        "list_objects_v2",
        {
            "IsTruncated": False,
            "Contents": [{"Key": f"ep/ep/AllTraffic/{newest:%Y/%m/%d/%H}/x.jsonl", "LastModified": newest}],
        },
        {
            "Bucket": "capture",
            "ExpectedBucketOwner": ACCT,
            "MaxKeys": 1000,
            "Prefix": "ep/ep/AllTraffic/",
            "StartAfter": ANY,
        },
    )
    s3.activate()


def _endpoint_summary() -> dict[str, Any]:
    record = _endpoint_record()
    return {
        k: record[k]
        for k in ("EndpointName", "EndpointArn", "CreationTime", "LastModifiedTime", "EndpointStatus")
    }


def _stub_list_endpoints(sm: Stubber) -> None:
    """Fast path: the listing that confirms Search's endpoints (it agrees with the index)."""
    sm.add_response("list_endpoints", {"Endpoints": [_endpoint_summary()]}, {"MaxResults": 100})


MODEL = {
    "ModelName": "model",
    "ModelArn": f"{SM}:model/model",
    "PrimaryContainer": {"Image": "img", "Mode": "SingleModel"},
    "ExecutionRoleArn": "arn:aws:iam::111111111111:role/x",
    "CreationTime": T0,
}
DQ_ALERT = {
    "MonitoringAlertName": "dq-sched-failures",
    "CreationTime": T0,
    "LastModifiedTime": T0,
    "AlertStatus": "OK",
    "DatapointsToAlert": 3,
    "EvaluationPeriod": 3,
    "Actions": {"ModelDashboardIndicator": {"Enabled": True}},
}

# ListMonitoringAlerts always has one (its model's MonitoringAlertSummaries has min length 1)
BATCH_ALERT = {**DQ_ALERT, "MonitoringAlertName": "batch-sched-failures", "AlertStatus": "InAlert"}


def _stub_model_search(sm: Stubber) -> None:
    """Fast path: Search(Resource='Model'): the endpoint's model, and its schedule's alert."""
    schedule = {"MonitoringScheduleName": "dq-sched", "MonitoringAlertSummaries": [DQ_ALERT]}
    record = {"Model": MODEL, "MonitoringSchedules": [schedule]}
    sm.add_response("search", {"Results": [{"Model": record}]}, {"Resource": "Model", "MaxResults": 100})


def _stub_describe_model(sm: Stubber) -> None:
    """Slow path: the model the endpoint config names, described."""
    sm.add_response("describe_model", MODEL, {"ModelName": "model"})


def _stub_alerts(sm: Stubber, schedule: str, alerts: list[dict[str, Any]]) -> None:
    """ListMonitoringAlerts of a schedule Search's model records did not carry."""
    sm.add_response(
        "list_monitoring_alerts",
        {"MonitoringAlertSummaries": alerts},
        {"MonitoringScheduleName": schedule, "MaxResults": 100},
    )


def _stub_config(sm: Stubber) -> None:
    """The endpoint collector reads the endpoint config before the schedules are listed."""
    sm.add_response("describe_endpoint_config", _endpoint_config(), {"EndpointConfigName": "cfg"})


def _stub_unsearched_schedules(sm: Stubber) -> None:
    """Fast path: the schedule listing, and the batch schedule Search cannot return."""
    sm.add_response(
        "list_monitoring_schedules",
        {"MonitoringScheduleSummaries": [_summary(_dq_schedule()), _summary(_batch_schedule())]},
        {"MaxResults": 100},
    )
    sm.add_response(
        "describe_monitoring_schedule", _batch_schedule(), {"MonitoringScheduleName": "batch-sched"}
    )
    sm.add_response("list_tags", {"Tags": []}, {"ResourceArn": BATCH_SCHED_ARN, "MaxResults": 100})


DQ_NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"
DQ_BATCH_NAMESPACE = "aws/sagemaker/ModelMonitoring/data-metrics"


def _stub_list_metrics(cw: Stubber, namespaces: tuple[str, ...]) -> None:
    """ListMetrics, one listing per namespace in use (sorted); dq-sched has published its drift metric."""
    for namespace in namespaces:
        metrics = []
        if namespace == DQ_NAMESPACE:
            dims = [{"Name": "Endpoint", "Value": "ep"}, {"Name": "MonitoringSchedule", "Value": "dq-sched"}]
            metrics = [
                {"Namespace": namespace, "MetricName": "feature_baseline_drift_age", "Dimensions": dims}
            ]
        cw.add_response(
            "list_metrics",
            {"Metrics": metrics},
            {"Namespace": namespace, "Dimensions": [{"Name": "MonitoringSchedule"}]},
        )


def _stub_executions(sm: Stubber, schedules: tuple[str, ...], *, region_wide: bool) -> None:
    """ListMonitoringExecutions: one region-wide listing, or one call per schedule (in order). dq-sched
    failed an hour ago for lack of input data, after a completed run."""
    now = RECENT
    records = {
        "dq-sched": [
            {
                "MonitoringScheduleName": "dq-sched",
                "ScheduledTime": now - dt.timedelta(hours=hours),
                "CreationTime": now - dt.timedelta(hours=hours),
                "LastModifiedTime": now - dt.timedelta(hours=hours),
                "MonitoringExecutionStatus": status,
                **({"FailureReason": reason} if reason else {}),
            }
            for hours, status, reason in (
                (1, "Failed", "AlgorithmError: Job inputs had no data"),
                (2, "Completed", None),
            )
        ]
    }
    common = {"SortBy": "ScheduledTime", "SortOrder": "Descending", "ScheduledTimeAfter": ANY}
    if region_wide:
        found = [r for name in schedules for r in records.get(name, [])]
        sm.add_response(
            "list_monitoring_executions",
            {"MonitoringExecutionSummaries": found},
            {**common, "MaxResults": 100},
        )
        return
    for name in schedules:
        sm.add_response(
            "list_monitoring_executions",
            {"MonitoringExecutionSummaries": records.get(name, [])},
            {**common, "MonitoringScheduleName": name, "MaxResults": 12},
        )


def _stub_common_tail(
    sm: Stubber,
    cw: Stubber,
    namespaces: tuple[str, ...] = (DQ_NAMESPACE, DQ_BATCH_NAMESPACE),
    *,
    schedules: tuple[str, ...] = ("dq-sched", "batch-sched"),
) -> None:
    """Calls after endpoints and schedules: the schedules' executions (region-wide for two schedules,
    one by one for one), job definitions, alarms, the monitors' metrics."""
    _stub_executions(sm, schedules, region_wide=len(schedules) > 1)
    for monitor_type in MonitorType:
        summaries = []
        if monitor_type is MonitorType.DATA_QUALITY:
            summaries = [
                {
                    "MonitoringJobDefinitionName": name,
                    "MonitoringJobDefinitionArn": f"{SM}:data-quality-job-definition/{name}",
                    "CreationTime": T0,
                    "EndpointName": "ep",
                }
                for name in ("dq-def", "unused-def")
            ]
        sm.add_response(
            f"list_{_snake(monitor_type.value)}_job_definitions",
            {"JobDefinitionSummaries": summaries},
            {"MaxResults": 100},
        )
    sm.add_response(
        "describe_data_quality_job_definition", _dq_definition("dq-def"), {"JobDefinitionName": "dq-def"}
    )
    sm.add_response(
        "describe_data_quality_job_definition",
        _dq_definition("unused-def"),
        {"JobDefinitionName": "unused-def"},
    )
    cw.add_response(
        "describe_alarms",
        _alarms_page(),
        {"AlarmTypes": ["MetricAlarm", "CompositeAlarm"], "MaxRecords": 100},
    )
    _stub_list_metrics(cw, namespaces)
    _stub_topic(cw)  # the drift alarm's SNS action


def _snake(name: str) -> str:
    return {"DataQuality": "data_quality", "ModelQuality": "model_quality", "ModelBias": "model_bias"}.get(
        name, "model_explainability"
    )


RULE_ARN = f"arn:aws:events:{REGION}:{ACCT}:rule/retrain-on-drift"


def _stub_alerting(events: Stubber, sns: Stubber) -> None:
    """The last collectors: EventBridge rules of every bus (targets of the alarm rules), then topics."""
    events.add_response(
        "list_event_buses",
        {"EventBuses": [{"Name": "default", "Arn": f"arn:aws:events:{REGION}:{ACCT}:event-bus/default"}]},
        {},
    )
    pattern = (
        '{"source": ["aws.cloudwatch"], "detail": {"alarmName": ["math"], "state": {"value": ["ALARM"]}}}'
    )
    rules = [
        {"Name": "retrain-on-drift", "Arn": RULE_ARN, "EventPattern": pattern, "State": "ENABLED"},
        {"Name": "nightly", "Arn": f"{RULE_ARN}-x", "ScheduleExpression": "rate(1 day)", "State": "ENABLED"},
    ]
    events.add_response("list_rules", {"Rules": rules}, {"EventBusName": "default"})
    events.add_response(
        "list_targets_by_rule",
        {"Targets": [{"Id": "p", "Arn": f"{SM}:pipeline/retrain"}]},
        {"Rule": "retrain-on-drift", "EventBusName": "default"},
    )
    _SNS_OF[id(events)] = sns


# The SNS stub of a scan, by its events stub; _stub_common_tail queues the topic its alarms name.
_SNS_OF: dict[int, Stubber] = {}
_EVENTS_OF: dict[int, Stubber] = {}  # the events stub of a scan, by its cloudwatch stub


def _stub_topic(cw: Stubber) -> None:
    sns = _SNS_OF[id(_EVENTS_OF[id(cw)])]
    sns.add_response(
        "get_topic_attributes",
        {"Attributes": {"SubscriptionsConfirmed": "2", "SubscriptionsPending": "0"}},
        {"TopicArn": f"arn:aws:sns:{REGION}:{ACCT}:oncall"},
    )


@pytest.fixture
def stubbed() -> Iterator[tuple[RegionApi, Stubber, Stubber]]:
    api = _api()
    sm = Stubber(api.client("sagemaker"))
    cw = Stubber(api.client("cloudwatch"))
    events = Stubber(api.client("events"))
    sns = Stubber(api.client("sns"))
    _stub_alerting(events, sns)
    _EVENTS_OF[id(cw)] = events
    with sm, cw, events, sns:
        yield api, sm, cw
        sm.assert_no_pending_responses()
        cw.assert_no_pending_responses()
        events.assert_no_pending_responses()
        sns.assert_no_pending_responses()


def _fast_path(sm: Stubber, cw: Stubber) -> None:
    schedule = {**_dq_schedule(), "Tags": [{"Key": "team", "Value": "risk"}]}
    endpoint = {
        **_endpoint_record(),
        "MonitoringSchedules": [schedule],
        "Tags": [{"Key": "env", "Value": "prod"}],
    }
    sm.add_response(
        "search",
        {"Results": [{"Endpoint": endpoint}], "TotalHits": {"Value": 1, "Relation": "EqualTo"}},
        {"Resource": "Endpoint", "MaxResults": 100},
    )
    _stub_list_endpoints(sm)
    _stub_model_search(sm)
    _stub_config(sm)
    _stub_unsearched_schedules(sm)
    _stub_alerts(sm, "batch-sched", [BATCH_ALERT])
    _stub_common_tail(sm, cw)


def _slow_path(sm: Stubber, cw: Stubber) -> None:
    sm.add_client_error("search", "AccessDeniedException", "not authorized to perform: sagemaker:Search")
    _stub_list_endpoints(sm)
    sm.add_response("describe_endpoint", _endpoint_record(), {"EndpointName": "ep"})
    sm.add_response(
        "list_tags", {"Tags": [{"Key": "env", "Value": "prod"}]}, {"ResourceArn": EP_ARN, "MaxResults": 100}
    )
    _stub_config(sm)
    _stub_describe_model(sm)
    sm.add_response(
        "list_monitoring_schedules",
        {"MonitoringScheduleSummaries": [_summary(_dq_schedule()), _summary(_batch_schedule())]},
        {"MaxResults": 100},
    )
    sm.add_response("describe_monitoring_schedule", _dq_schedule(), {"MonitoringScheduleName": "dq-sched"})
    sm.add_response(
        "list_tags",
        {"Tags": [{"Key": "team", "Value": "risk"}]},
        {"ResourceArn": DQ_SCHED_ARN, "MaxResults": 100},
    )
    sm.add_response(
        "describe_monitoring_schedule", _batch_schedule(), {"MonitoringScheduleName": "batch-sched"}
    )
    sm.add_response("list_tags", {"Tags": []}, {"ResourceArn": BATCH_SCHED_ARN, "MaxResults": 100})
    _stub_alerts(sm, "dq-sched", [DQ_ALERT])
    _stub_alerts(sm, "batch-sched", [BATCH_ALERT])
    _stub_common_tail(sm, cw)


def _inventory(result: RegionResult, api: RegionApi) -> Inventory:
    inv = Inventory(
        metadata=ScanMetadata(tool_version="t", started_at="s", finished_at="f"),
        targets=[result.target],
        endpoints=result.resources[ResourceKind.ENDPOINT],
        monitors=result.resources[ResourceKind.MONITOR],
        job_definitions=result.resources[ResourceKind.JOB_DEFINITION],
        alarms=result.resources[ResourceKind.ALARM],
        event_rules=result.resources[ResourceKind.EVENT_RULE],
        topics=result.resources[ResourceKind.TOPIC],
        errors=api.errors,
    )
    return link(inv)


def test_fast_path_region_scan(stubbed: tuple[RegionApi, Stubber, Stubber]) -> None:
    api, sm, cw = stubbed
    _fast_path(sm, cw)
    result = scan_region(api, ScanOptions())
    inv = _inventory(result, api)

    assert result.search_fallback is None
    assert api.errors == []
    assert all(status is DatasetStatus.COMPLETE for status in result.target.datasets.values())
    (ep,) = inv.endpoints
    assert ep.kind is EndpointKind.REAL_TIME and ep.tags == {"env": "prod"}
    assert ep.data_capture is not None and ep.data_capture.capture_options == ["Input", "Output"]
    assert ep.monitor_arns == [DQ_SCHED_ARN]
    monitors = {m.name: m for m in inv.monitors}
    dq, batch = monitors["dq-sched"], monitors["batch-sched"]
    assert dq.tags == {"team": "risk"} and dq.interval_seconds == 3600
    assert dq.job_definition_arn == f"{SM}:data-quality-job-definition/dq-def"
    assert dq.alarm_arns == sorted(
        f"arn:aws:cloudwatch:{REGION}:{ACCT}:alarm:{n}" for n in ("drift", "math", "page-me")
    )
    assert batch.endpoint_arn is None and batch.batch_transform_input_uri == "s3://batch/capture"
    assert batch.job_definition_arn == f"{BATCH_SCHED_ARN}/embedded-job-definition"
    assert batch.interval_seconds == 6 * 3600
    unused = next(j for j in inv.job_definitions if j.name == "unused-def")
    assert unused.monitor_arns == []
    assert sorted(a.name for a in inv.alarms) == ["drift", "math", "page-me", "wrong-dims"]
    assert result.target.other_alarm_count == 1
    assert [m.metric_name for m in dq.metrics or []] == ["feature_baseline_drift_age"]
    assert batch.metrics == [] and dq.published_namespace == DQ_NAMESPACE
    assert batch.published_namespace == DQ_BATCH_NAMESPACE
    # two schedules (hourly, 6-hourly): one region-wide listing, not two
    assert api.runtime.counter.snapshot()["sagemaker:ListMonitoringExecutions"] == 1
    assert dq.execution_history is not None and dq.execution_history.failure_classes == {"no_input_data": 1}
    assert (dq.execution_history.runs, dq.execution_history.failed) == (2, 1)
    assert batch.execution_history is not None and batch.execution_history.runs == 0
    # one Search of the endpoints, one of the models (the model's record carries dq-sched's alert; the
    # batch schedule's is listed)
    assert api.runtime.counter.snapshot()["sagemaker:Search"] == 2
    assert [(m.name, m.container_modes) for m in ep.models or []] == [("model", ["SingleModel"])]
    assert [(a.name, a.status) for a in dq.alerts or []] == [("dq-sched-failures", "OK")]
    assert [(a.name, a.status) for a in batch.alerts or []] == [("batch-sched-failures", "InAlert")]
    # Alert paths: the drift alarm's topic has confirmed subscriptions; the math alarm has no action but
    # an EventBridge rule on its ALARM state starts a pipeline; the scheduled rule is only counted.
    (rule,) = inv.event_rules
    assert rule.name == "retrain-on-drift" and [t.arn for t in rule.targets] == [f"{SM}:pipeline/retrain"]
    assert result.target.other_rule_count == 1
    (topic,) = inv.topics
    assert (topic.name, topic.exists, topic.subscriptions_confirmed) == ("oncall", True, 2)
    paths = {a.name: [(p.via.value, p.status.value) for p in a.alert_paths] for a in inv.alarms}
    assert paths["drift"] == [("sns", "delivers")]
    assert paths["math"] == [("eventbridge", "delivers")]
    store.loads(store.dumps(inv))  # schema-valid


def _scan(path: Callable[[Stubber, Stubber], None]) -> tuple[Inventory, RegionApi]:
    api = _api()
    sm, cw = Stubber(api.client("sagemaker")), Stubber(api.client("cloudwatch"))
    events, sns = Stubber(api.client("events")), Stubber(api.client("sns"))
    _stub_alerting(events, sns)
    _EVENTS_OF[id(cw)] = events
    with sm, cw, events, sns:
        path(sm, cw)
        inventory = _inventory(scan_region(api, ScanOptions()), api)
        for stubber in (sm, cw, events, sns):
            stubber.assert_no_pending_responses()
        return inventory, api


def _hour() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)


def test_search_denied_falls_back_to_the_same_inventory() -> None:
    # The S3 listing windows start on the hour of the scan's clock (s3_arrivals): two scans on either side
    # of an hour boundary differ there, so a pair that straddles one is scanned again.
    for _ in range(2):
        started = _hour()
        (slow, api), (fast, _) = _scan(_slow_path), _scan(_fast_path)
        if _hour() == started:
            break
    assert store.dumps(slow) == store.dumps(fast)
    assert api.errors == []  # a denied Search is not a data gap: the fallback collected everything


def test_per_resource_failures_are_recorded_on_the_resource(
    stubbed: tuple[RegionApi, Stubber, Stubber],
) -> None:
    api, sm, cw = stubbed
    endpoint = {**_endpoint_record(), "MonitoringSchedules": [], "Tags": []}
    sm.add_response(
        "search", {"Results": [{"Endpoint": endpoint}]}, {"Resource": "Endpoint", "MaxResults": 100}
    )
    _stub_list_endpoints(sm)
    _stub_model_search(sm)
    sm.add_client_error("describe_endpoint_config", "AccessDeniedException", "denied")
    sm.add_client_error("list_monitoring_schedules", "ThrottlingException", "Rate exceeded")
    for monitor_type in MonitorType:
        sm.add_response(
            f"list_{_snake(monitor_type.value)}_job_definitions",
            {"JobDefinitionSummaries": []},
            {"MaxResults": 100},
        )
    cw.add_client_error("describe_alarms", "AccessDenied", "denied", http_status_code=403)
    result = scan_region(api, ScanOptions())
    assert result.target.datasets[Dataset.MONITORS] is DatasetStatus.FAILED
    assert result.target.datasets[Dataset.ALARMS] is DatasetStatus.FAILED
    assert result.target.datasets[Dataset.ENDPOINTS] is DatasetStatus.COMPLETE
    # The endpoint is there; only its config could not be read, and it says so.
    assert result.target.datasets[Dataset.ENDPOINT_CONFIGS] is DatasetStatus.PARTIAL
    (ep,) = result.resources[ResourceKind.ENDPOINT]
    assert ep.missing == [Dataset.ENDPOINT_CONFIGS]
    codes = sorted((e.operation, e.error_code, e.dataset) for e in api.errors)
    assert codes == [
        ("DescribeAlarms", "AccessDenied", Dataset.ALARMS),
        ("DescribeEndpointConfig", "AccessDeniedException", Dataset.ENDPOINT_CONFIGS),
        ("ListMonitoringSchedules", "ThrottlingException", Dataset.MONITORS),
    ]
    assert next(e for e in api.errors if e.operation == "DescribeEndpointConfig").resource == "cfg"


def test_deleted_job_definition_is_a_fact_but_an_unreadable_one_is_a_gap(
    stubbed: tuple[RegionApi, Stubber, Stubber],
) -> None:
    api, sm, cw = stubbed
    gone = {
        **_dq_schedule(),
        "MonitoringScheduleName": "gone",
        "MonitoringScheduleArn": f"{SM}:monitoring-schedule/gone",
    }
    gone["MonitoringScheduleConfig"] = {
        **gone["MonitoringScheduleConfig"],
        "MonitoringJobDefinitionName": "gone-def",
    }
    denied = {
        **_dq_schedule(),
        "MonitoringScheduleName": "denied",
        "MonitoringScheduleArn": f"{SM}:monitoring-schedule/denied",
    }
    denied["MonitoringScheduleConfig"] = {
        **denied["MonitoringScheduleConfig"],
        "MonitoringJobDefinitionName": "secret-def",
    }
    endpoint = {**_endpoint_record(), "MonitoringSchedules": [gone, denied], "Tags": []}
    sm.add_response(
        "search", {"Results": [{"Endpoint": endpoint}]}, {"Resource": "Endpoint", "MaxResults": 100}
    )
    _stub_list_endpoints(sm)
    _stub_model_search(sm)
    sm.add_response("describe_endpoint_config", _endpoint_config(), {"EndpointConfigName": "cfg"})
    sm.add_response(
        "list_monitoring_schedules",
        {"MonitoringScheduleSummaries": [_summary(gone), _summary(denied)]},
        {"MaxResults": 100},
    )
    _stub_alerts(sm, "gone", [DQ_ALERT])
    _stub_alerts(sm, "denied", [DQ_ALERT])
    _stub_executions(sm, ("gone", "denied"), region_wide=True)
    for monitor_type in MonitorType:
        sm.add_response(
            f"list_{_snake(monitor_type.value)}_job_definitions",
            {"JobDefinitionSummaries": []},
            {"MaxResults": 100},
        )
    sm.add_client_error(
        "describe_data_quality_job_definition",
        "ResourceNotFound",
        "Job definition gone-def does not exist",
        expected_params={"JobDefinitionName": "gone-def"},
    )
    sm.add_client_error(
        "describe_data_quality_job_definition",
        "AccessDeniedException",
        "denied",
        expected_params={"JobDefinitionName": "secret-def"},
    )
    cw.add_response(
        "describe_alarms",
        {"MetricAlarms": [], "CompositeAlarms": []},
        {"AlarmTypes": ["MetricAlarm", "CompositeAlarm"], "MaxRecords": 100},
    )
    _stub_list_metrics(cw, (DQ_NAMESPACE,))
    result = scan_region(api, ScanOptions())
    inv = _inventory(result, api)
    monitors = {m.name: m for m in inv.monitors}
    assert monitors["gone"].missing == [] and monitors["gone"].job_definition_arn is None
    assert monitors["denied"].missing == [Dataset.JOB_DEFINITIONS]
    # The unreadable definition is kept, linked, with its ARN built from the schedule's.
    (stub,) = inv.job_definitions
    assert stub.arn == f"{SM}:data-quality-job-definition/secret-def" == monitors["denied"].job_definition_arn
    assert (stub.name, stub.monitor_type, stub.endpoint_name) == (
        "secret-def",
        MonitorType.DATA_QUALITY,
        "ep",
    )
    assert stub.missing == [Dataset.JOB_DEFINITIONS] and stub.monitor_arns == [monitors["denied"].arn]
    assert result.target.datasets[Dataset.JOB_DEFINITIONS] is DatasetStatus.PARTIAL
    assert [(e.operation, e.error_code, e.resource) for e in api.errors] == [
        ("DescribeDataQualityJobDefinition", "AccessDeniedException", "secret-def")
    ]


def test_stale_search_records_are_read_again_and_ghosts_dropped(
    stubbed: tuple[RegionApi, Stubber, Stubber],
) -> None:
    """Search still has an endpoint that is gone and old states of the others; the lists win."""
    api, sm, cw = stubbed
    t1 = T0 + dt.timedelta(minutes=5)
    ghost = {**_endpoint_record(), "EndpointName": "ghost", "EndpointArn": f"{SM}:endpoint/ghost"}
    endpoint = {**_endpoint_record(), "MonitoringSchedules": [_dq_schedule()], "Tags": []}
    sm.add_response(
        "search",
        {"Results": [{"Endpoint": endpoint}, {"Endpoint": {**ghost, "Tags": []}}]},
        {"Resource": "Endpoint", "MaxResults": 100},
    )
    updating = {**_endpoint_summary(), "EndpointStatus": "Updating", "LastModifiedTime": t1}
    sm.add_response("list_endpoints", {"Endpoints": [updating]}, {"MaxResults": 100})
    sm.add_response(
        "describe_endpoint",
        {**_endpoint_record(), "EndpointStatus": "Updating", "LastModifiedTime": t1},
        {"EndpointName": "ep"},
    )
    sm.add_response(
        "list_tags", {"Tags": [{"Key": "env", "Value": "prod"}]}, {"ResourceArn": EP_ARN, "MaxResults": 100}
    )
    _stub_model_search(sm)
    _stub_config(sm)
    stopped = {**_dq_schedule(), "MonitoringScheduleStatus": "Stopped", "LastModifiedTime": t1}
    sm.add_response(
        "list_monitoring_schedules", {"MonitoringScheduleSummaries": [_summary(stopped)]}, {"MaxResults": 100}
    )
    sm.add_response("describe_monitoring_schedule", stopped, {"MonitoringScheduleName": "dq-sched"})
    sm.add_response("list_tags", {"Tags": []}, {"ResourceArn": DQ_SCHED_ARN, "MaxResults": 100})
    _stub_common_tail(sm, cw, (DQ_NAMESPACE,), schedules=("dq-sched",))
    result = scan_region(api, ScanOptions())
    assert api.errors == []
    (ep,) = result.resources[ResourceKind.ENDPOINT]
    assert (ep.name, ep.status, ep.tags) == ("ep", "Updating", {"env": "prod"})
    (dq,) = result.resources[ResourceKind.MONITOR]
    assert dq.status == "Stopped"
    assert dq.execution_history is not None and dq.execution_history.runs == 2  # read one by one
    assert {(d.dataset, d.name, d.kind.value) for d in result.disagreements} == {
        (Dataset.ENDPOINTS, "ghost", "not_listed"),
        (Dataset.ENDPOINTS, "ep", "stale"),
        (Dataset.MONITORS, "dq-sched", "stale"),
    }
