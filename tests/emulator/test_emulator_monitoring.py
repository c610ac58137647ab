"""The moto extension: monitoring-schedule operations and the fixed moto answers, over real HTTP."""

from __future__ import annotations

import datetime as dt
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from auditor.emulator import LocalAws

MEMBER_A = "111111111111"
MEMBER_B = "222222222222"
ROLE = "arn:aws:iam::111111111111:role/monitor"
HOURLY = {"ScheduleExpression": "cron(0 * ? * * *)"}
CLUSTER = {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}}
OUTPUT = {
    "MonitoringOutputs": [{"S3Output": {"S3Uri": "s3://b/out", "LocalPath": "/opt/ml/processing/output"}}]
}


def sm(aws: LocalAws, account: str = MEMBER_A, region: str = "us-east-1") -> Any:
    return aws.session(account, region).client("sagemaker", endpoint_url=aws.endpoint_url)


def cw(aws: LocalAws, account: str = MEMBER_A, region: str = "us-east-1") -> Any:
    return aws.session(account, region).client("cloudwatch", endpoint_url=aws.endpoint_url)


def make_endpoint(client: Any, name: str, capture: dict[str, Any] | None = None, tags: Any = None) -> None:
    client.create_model(ModelName=f"{name}-model", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "img"})
    config: dict[str, Any] = {
        "EndpointConfigName": f"{name}-config",
        "ProductionVariants": [
            {
                "VariantName": "main",
                "ModelName": f"{name}-model",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
    }
    if capture is not None:
        config["DataCaptureConfig"] = capture
    client.create_endpoint_config(**config)
    client.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config", Tags=tags or [])


def endpoint_input(endpoint: str) -> dict[str, Any]:
    return {"EndpointInput": {"EndpointName": endpoint, "LocalPath": "/opt/ml/processing/input"}}


def make_job_definition(client: Any, monitoring_type: str, name: str, endpoint: str) -> None:
    common = {
        "JobDefinitionName": name,
        "RoleArn": ROLE,
        "JobResources": CLUSTER,
        "StoppingCondition": {"MaxRuntimeInSeconds": 1800},
    }
    ground_truth = {"GroundTruthS3Input": {"S3Uri": "s3://b/gt"}}
    if monitoring_type == "DataQuality":
        client.create_data_quality_job_definition(
            **common,
            DataQualityAppSpecification={"ImageUri": "img"},
            DataQualityJobInput=endpoint_input(endpoint),
            DataQualityJobOutputConfig=OUTPUT,
        )
    elif monitoring_type == "ModelQuality":
        client.create_model_quality_job_definition(
            **common,
            ModelQualityAppSpecification={"ImageUri": "img", "ProblemType": "BinaryClassification"},
            ModelQualityJobInput={**endpoint_input(endpoint), **ground_truth},
            ModelQualityJobOutputConfig=OUTPUT,
        )
    elif monitoring_type == "ModelBias":
        client.create_model_bias_job_definition(
            **common,
            ModelBiasAppSpecification={"ImageUri": "img", "ConfigUri": "s3://b/analysis.json"},
            ModelBiasJobInput={**endpoint_input(endpoint), **ground_truth},
            ModelBiasJobOutputConfig=OUTPUT,
        )
    else:
        client.create_model_explainability_job_definition(
            **common,
            ModelExplainabilityAppSpecification={"ImageUri": "img", "ConfigUri": "s3://b/analysis.json"},
            ModelExplainabilityJobInput=endpoint_input(endpoint),
            ModelExplainabilityJobOutputConfig=OUTPUT,
        )


def make_schedule(client: Any, name: str, definition: str, monitoring_type: str = "DataQuality") -> str:
    arn: str = client.create_monitoring_schedule(
        MonitoringScheduleName=name,
        MonitoringScheduleConfig={
            "ScheduleConfig": HOURLY,
            "MonitoringJobDefinitionName": definition,
            "MonitoringType": monitoring_type,
        },
        Tags=[{"Key": "team", "Value": "risk & ops"}],
    )["MonitoringScheduleArn"]
    return arn


def error_code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


# ------------------------------------------------------------------------------------------ schedules


def test_listens_on_loopback_only(aws: LocalAws) -> None:
    assert aws.endpoint_url.startswith("http://127.0.0.1:")
    assert aws._server.server_address[0] == "127.0.0.1"


@pytest.mark.parametrize(
    "monitoring_type", ["DataQuality", "ModelQuality", "ModelBias", "ModelExplainability"]
)
def test_create_and_describe_takes_endpoint_from_job_definition(
    aws: LocalAws, assert_shape: Any, monitoring_type: str
) -> None:
    client = sm(aws)
    make_endpoint(client, "churn")
    make_job_definition(client, monitoring_type, "def-1", "churn")
    create = client.create_monitoring_schedule(
        MonitoringScheduleName="mon-1",
        MonitoringScheduleConfig={
            "ScheduleConfig": HOURLY,
            "MonitoringJobDefinitionName": "def-1",
            "MonitoringType": monitoring_type,
        },
    )
    assert_shape("sagemaker", "CreateMonitoringSchedule", create)
    assert create["MonitoringScheduleArn"] == (
        f"arn:aws:sagemaker:us-east-1:{MEMBER_A}:monitoring-schedule/mon-1"
    )

    described = client.describe_monitoring_schedule(MonitoringScheduleName="mon-1")
    assert_shape("sagemaker", "DescribeMonitoringSchedule", described)
    assert described["MonitoringType"] == monitoring_type
    assert described["EndpointName"] == "churn"
    assert described["MonitoringScheduleStatus"] == "Scheduled"
    assert described["MonitoringScheduleConfig"]["MonitoringJobDefinitionName"] == "def-1"
    assert "LastMonitoringExecutionSummary" not in described  # absent until the first run


def test_create_needs_an_existing_job_definition_of_that_type(aws: LocalAws) -> None:
    client = sm(aws)
    make_endpoint(client, "churn")
    make_job_definition(client, "DataQuality", "dq", "churn")
    with pytest.raises(ClientError) as exc:
        make_schedule(client, "mon", "dq", monitoring_type="ModelQuality")
    assert error_code(exc) == "ResourceNotFound"
    with pytest.raises(ClientError) as exc:
        make_schedule(client, "mon", "missing")
    assert error_code(exc) == "ResourceNotFound"


def test_create_twice_is_resource_in_use(aws: LocalAws) -> None:
    client = sm(aws)
    make_endpoint(client, "churn")
    make_job_definition(client, "DataQuality", "dq", "churn")
    make_schedule(client, "mon", "dq")
    with pytest.raises(ClientError) as exc:
        make_schedule(client, "mon", "dq")
    assert error_code(exc) == "ResourceInUse"


def test_embedded_job_definition_defaults_to_data_quality(aws: LocalAws, assert_shape: Any) -> None:
    client = sm(aws)
    make_endpoint(client, "legacy")
    client.create_monitoring_schedule(
        MonitoringScheduleName="byoc",
        MonitoringScheduleConfig={
            "ScheduleConfig": HOURLY,
            "MonitoringJobDefinition": {
                "MonitoringInputs": [endpoint_input("legacy")],
                "MonitoringOutputConfig": OUTPUT,
                "MonitoringResources": CLUSTER,
                "MonitoringAppSpecification": {"ImageUri": "my-container"},
                "RoleArn": ROLE,
                "Environment": {"publish_cloudwatch_metrics": "Enabled"},
            },
        },
    )
    described = client.describe_monitoring_schedule(MonitoringScheduleName="byoc")
    assert_shape("sagemaker", "DescribeMonitoringSchedule", described)
    assert described["MonitoringType"] == "DataQuality"
    assert described["EndpointName"] == "legacy"
    embedded = described["MonitoringScheduleConfig"]["MonitoringJobDefinition"]
    assert embedded["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600}
    assert embedded["Environment"] == {"publish_cloudwatch_metrics": "Enabled"}


def test_update_delete_start_stop(aws: LocalAws, assert_shape: Any) -> None:
    client = sm(aws)
    make_endpoint(client, "a")
    make_endpoint(client, "b")
    make_job_definition(client, "DataQuality", "dq-a", "a")
    make_job_definition(client, "DataQuality", "dq-b", "b")
    make_schedule(client, "mon", "dq-a")
    before = client.describe_monitoring_schedule(MonitoringScheduleName="mon")

    updated = client.update_monitoring_schedule(
        MonitoringScheduleName="mon",
        MonitoringScheduleConfig={
            "ScheduleConfig": {"ScheduleExpression": "cron(0 */6 ? * * *)"},
            "MonitoringJobDefinitionName": "dq-b",
            "MonitoringType": "DataQuality",
        },
    )
    assert_shape("sagemaker", "UpdateMonitoringSchedule", updated)
    after = client.describe_monitoring_schedule(MonitoringScheduleName="mon")
    assert after["EndpointName"] == "b"
    assert after["MonitoringScheduleConfig"]["ScheduleConfig"]["ScheduleExpression"] == "cron(0 */6 ? * * *)"
    assert after["LastModifiedTime"] > before["LastModifiedTime"]

    assert_shape(
        "sagemaker", "StopMonitoringSchedule", client.stop_monitoring_schedule(MonitoringScheduleName="mon")
    )
    assert (
        client.describe_monitoring_schedule(MonitoringScheduleName="mon")["MonitoringScheduleStatus"]
        == "Stopped"
    )
    client.start_monitoring_schedule(MonitoringScheduleName="mon")
    assert (
        client.describe_monitoring_schedule(MonitoringScheduleName="mon")["MonitoringScheduleStatus"]
        == "Scheduled"
    )

    client.delete_monitoring_schedule(MonitoringScheduleName="mon")
    for call in (client.describe_monitoring_schedule, client.delete_monitoring_schedule):
        with pytest.raises(ClientError) as exc:
            call(MonitoringScheduleName="mon")
        assert error_code(exc) == "ResourceNotFound"


@pytest.fixture
def four_schedules(aws: LocalAws) -> Any:
    """Endpoints a and b; a has DQ + MQ schedules, b has DQ + bias; 'b-bias' is stopped."""
    client = sm(aws)
    for endpoint in ("a", "b"):
        make_endpoint(client, endpoint)
        make_job_definition(client, "DataQuality", f"{endpoint}-dq-def", endpoint)
        make_schedule(client, f"{endpoint}-dq", f"{endpoint}-dq-def")
    make_job_definition(client, "ModelQuality", "a-mq-def", "a")
    make_schedule(client, "a-mq", "a-mq-def", "ModelQuality")
    make_job_definition(client, "ModelBias", "b-bias-def", "b")
    make_schedule(client, "b-bias", "b-bias-def", "ModelBias")
    client.stop_monitoring_schedule(MonitoringScheduleName="b-bias")
    return client


def names(response: dict[str, Any]) -> set[str]:
    return {s["MonitoringScheduleName"] for s in response["MonitoringScheduleSummaries"]}


def test_list_without_filters_returns_all_valid_summaries(four_schedules: Any, assert_shape: Any) -> None:
    response = four_schedules.list_monitoring_schedules()
    assert_shape("sagemaker", "ListMonitoringSchedules", response)
    assert names(response) == {"a-dq", "a-mq", "b-dq", "b-bias"}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"EndpointName": "a"}, {"a-dq", "a-mq"}),
        ({"EndpointName": "nope"}, set()),
        ({"MonitoringTypeEquals": "DataQuality"}, {"a-dq", "b-dq"}),
        ({"MonitoringTypeEquals": "ModelBias"}, {"b-bias"}),
        ({"StatusEquals": "Stopped"}, {"b-bias"}),
        ({"StatusEquals": "Scheduled"}, {"a-dq", "a-mq", "b-dq"}),
        ({"NameContains": "-dq"}, {"a-dq", "b-dq"}),
        ({"MonitoringJobDefinitionName": "a-mq-def"}, {"a-mq"}),
        ({"EndpointName": "b", "MonitoringTypeEquals": "DataQuality"}, {"b-dq"}),
    ],
)
def test_list_filters(four_schedules: Any, filters: dict[str, str], expected: set[str]) -> None:
    assert names(four_schedules.list_monitoring_schedules(**filters)) == expected


def test_list_sort_by_name(four_schedules: Any) -> None:
    response = four_schedules.list_monitoring_schedules(SortBy="Name", SortOrder="Ascending")
    assert [s["MonitoringScheduleName"] for s in response["MonitoringScheduleSummaries"]] == [
        "a-dq",
        "a-mq",
        "b-bias",
        "b-dq",
    ]


def test_list_pagination_with_max_results_and_next_token(four_schedules: Any) -> None:
    first = four_schedules.list_monitoring_schedules(MaxResults=3, SortBy="Name", SortOrder="Ascending")
    assert len(first["MonitoringScheduleSummaries"]) == 3
    assert first["NextToken"]
    second = four_schedules.list_monitoring_schedules(
        MaxResults=3, SortBy="Name", SortOrder="Ascending", NextToken=first["NextToken"]
    )
    assert names(second) == {"b-dq"}
    assert "NextToken" not in second
    paged = [
        s["MonitoringScheduleName"]
        for page in four_schedules.get_paginator("list_monitoring_schedules").paginate(
            PaginationConfig={"PageSize": 1}
        )
        for s in page["MonitoringScheduleSummaries"]
    ]
    assert sorted(paged) == ["a-dq", "a-mq", "b-bias", "b-dq"]


def test_default_page_size_is_ten(aws: LocalAws) -> None:
    client = sm(aws)
    make_endpoint(client, "e")
    make_job_definition(client, "DataQuality", "dq", "e")
    for i in range(12):
        make_schedule(client, f"mon-{i:02d}", "dq")
    first = client.list_monitoring_schedules()
    assert len(first["MonitoringScheduleSummaries"]) == 10
    assert (
        len(client.list_monitoring_schedules(NextToken=first["NextToken"])["MonitoringScheduleSummaries"])
        == 2
    )


# ------------------------------------------------------------------------------------------ executions


def test_schedule_state_and_executions(four_schedules: Any, aws: LocalAws, assert_shape: Any) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for hours_ago, status in ((3, "Completed"), (2, "CompletedWithViolations"), (1, "Failed")):
        aws.set_schedule_state(
            MEMBER_A,
            "us-east-1",
            "a-dq",
            last_execution={
                "MonitoringExecutionStatus": status,
                "ScheduledTime": now - dt.timedelta(hours=hours_ago),
                **({"FailureReason": "AlgorithmError: no data captured"} if status == "Failed" else {}),
            },
        )
    aws.set_schedule_state(
        MEMBER_A, "us-east-1", "a-mq", status="Failed", failure_reason="role cannot be assumed"
    )

    described = four_schedules.describe_monitoring_schedule(MonitoringScheduleName="a-dq")
    assert_shape("sagemaker", "DescribeMonitoringSchedule", described)
    last = described["LastMonitoringExecutionSummary"]
    assert last["MonitoringExecutionStatus"] == "Failed"
    assert last["FailureReason"] == "AlgorithmError: no data captured"
    assert last["ScheduledTime"] == now - dt.timedelta(hours=1)
    assert last["EndpointName"] == "a"
    failed = four_schedules.describe_monitoring_schedule(MonitoringScheduleName="a-mq")
    assert (failed["MonitoringScheduleStatus"], failed["FailureReason"]) == (
        "Failed",
        "role cannot be assumed",
    )

    executions = four_schedules.list_monitoring_executions(MonitoringScheduleName="a-dq")
    assert_shape("sagemaker", "ListMonitoringExecutions", executions)
    statuses = [e["MonitoringExecutionStatus"] for e in executions["MonitoringExecutionSummaries"]]
    assert statuses == ["Failed", "CompletedWithViolations", "Completed"]  # newest first
    only_failed = four_schedules.list_monitoring_executions(StatusEquals="Failed")
    assert [e["MonitoringScheduleName"] for e in only_failed["MonitoringExecutionSummaries"]] == ["a-dq"]
    page = four_schedules.list_monitoring_executions(
        MaxResults=2, SortBy="ScheduledTime", SortOrder="Ascending"
    )
    assert [e["MonitoringExecutionStatus"] for e in page["MonitoringExecutionSummaries"]] == [
        "Completed",
        "CompletedWithViolations",
    ]
    rest = four_schedules.list_monitoring_executions(
        MaxResults=2, SortBy="ScheduledTime", SortOrder="Ascending", NextToken=page["NextToken"]
    )
    assert [e["MonitoringExecutionStatus"] for e in rest["MonitoringExecutionSummaries"]] == ["Failed"]
    recent = four_schedules.list_monitoring_executions(ScheduledTimeAfter=now - dt.timedelta(minutes=90))
    assert len(recent["MonitoringExecutionSummaries"]) == 1


def test_set_schedule_state_rejects_unknown_values(four_schedules: Any, aws: LocalAws) -> None:
    with pytest.raises(ValueError):
        aws.set_schedule_state(MEMBER_A, "us-east-1", "a-dq", status="Running")
    with pytest.raises(ValueError):
        aws.set_schedule_state(
            MEMBER_A, "us-east-1", "a-dq", last_execution={"MonitoringExecutionStatus": "Ok"}
        )


# ------------------------------------------------------------------------------------------ isolation, reset


def test_accounts_and_regions_are_isolated(aws: LocalAws) -> None:
    client = sm(aws, MEMBER_A, "us-east-1")
    make_endpoint(client, "e")
    make_job_definition(client, "DataQuality", "dq", "e")
    make_schedule(client, "mon", "dq")
    assert names(sm(aws, MEMBER_A, "us-east-1").list_monitoring_schedules()) == {"mon"}
    assert names(sm(aws, MEMBER_B, "us-east-1").list_monitoring_schedules()) == set()
    assert names(sm(aws, MEMBER_A, "eu-west-1").list_monitoring_schedules()) == set()
    assert names(sm(aws, None, "us-east-1").list_monitoring_schedules()) == set()
    with pytest.raises(ClientError):
        sm(aws, MEMBER_B).describe_monitoring_schedule(MonitoringScheduleName="mon")
    identity = aws.session(MEMBER_B).client("sts", endpoint_url=aws.endpoint_url).get_caller_identity()
    assert identity["Account"] == MEMBER_B


def test_reset_clears_schedules(aws: LocalAws) -> None:
    client = sm(aws)
    make_endpoint(client, "e")
    make_job_definition(client, "DataQuality", "dq", "e")
    make_schedule(client, "mon", "dq")
    aws.reset()
    assert names(sm(aws).list_monitoring_schedules()) == set()
    client = sm(aws)
    make_endpoint(client, "e")
    make_job_definition(client, "DataQuality", "dq", "e")
    make_schedule(client, "mon", "dq")
    # moto's own HTTP reset endpoint clears our store as well
    urllib.request.urlopen(urllib.request.Request(f"{aws.endpoint_url}/moto-api/reset", method="POST"))
    assert names(sm(aws).list_monitoring_schedules()) == set()


# ------------------------------------------------------------------------------------------ moto fixes


def test_describe_endpoint_capture_summary(aws: LocalAws, assert_shape: Any) -> None:
    client = sm(aws)
    capture = {
        "InitialSamplingPercentage": 100,
        "DestinationS3Uri": "s3://b/capture",
        "KmsKeyId": "alias/capture",
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
    }
    make_endpoint(client, "on", capture)
    make_endpoint(client, "off")
    make_endpoint(client, "disabled", {**capture, "EnableCapture": False, "InitialSamplingPercentage": 20})

    on = client.describe_endpoint(EndpointName="on")
    assert_shape("sagemaker", "DescribeEndpoint", on)
    assert on["DataCaptureConfig"] == {
        "EnableCapture": True,
        "CaptureStatus": "Started",
        "CurrentSamplingPercentage": 100,
        "DestinationS3Uri": "s3://b/capture",
        "KmsKeyId": "alias/capture",
    }
    assert "DataCaptureConfig" not in client.describe_endpoint(EndpointName="off")
    disabled = client.describe_endpoint(EndpointName="disabled")["DataCaptureConfig"]
    assert (disabled["EnableCapture"], disabled["CaptureStatus"]) == (False, "Stopped")


def test_search_endpoint_returns_schedules_and_tags(
    four_schedules: Any, aws: LocalAws, assert_shape: Any
) -> None:
    client = sm(aws)
    make_endpoint(client, "c", tags=[{"Key": "owner", "Value": "<img src=x onerror=alert(1)>"}])
    response = client.search(Resource="Endpoint", MaxResults=100)
    assert_shape("sagemaker", "Search", response)
    records = {r["Endpoint"]["EndpointName"]: r["Endpoint"] for r in response["Results"]}
    assert set(records) == {"a", "b", "c"}
    assert {s["MonitoringScheduleName"] for s in records["a"]["MonitoringSchedules"]} == {"a-dq", "a-mq"}
    assert records["c"]["MonitoringSchedules"] == []
    assert records["c"]["Tags"] == [{"Key": "owner", "Value": "<img src=x onerror=alert(1)>"}]
    assert records["a"]["EndpointArn"].endswith(":endpoint/a")
    schedule = records["a"]["MonitoringSchedules"][0]
    assert schedule["Tags"] == [{"Key": "team", "Value": "risk & ops"}]
    assert schedule["MonitoringScheduleConfig"]["ScheduleConfig"] == HOURLY

    pages = list(
        client.get_paginator("search").paginate(Resource="Endpoint", PaginationConfig={"PageSize": 2})
    )
    assert [len(p["Results"]) for p in pages] == [2, 1]


def test_a_frozen_search_index_lags_behind_list_and_describe(
    four_schedules: Any, aws: LocalAws, assert_shape: Any
) -> None:
    """Search is eventually consistent on AWS; freeze_search makes the local one lag, and only Search."""
    client = sm(aws)
    make_endpoint(client, "gone")
    aws.freeze_search(MEMBER_A, "us-east-1")
    client.delete_monitoring_schedule(MonitoringScheduleName="a-dq")
    client.stop_monitoring_schedule(MonitoringScheduleName="a-mq")
    client.delete_endpoint(EndpointName="gone")
    make_endpoint(client, "new")
    response = client.search(Resource="Endpoint", MaxResults=100)
    assert_shape("sagemaker", "Search", response)
    records = {r["Endpoint"]["EndpointName"]: r["Endpoint"] for r in response["Results"]}
    assert set(records) == {"a", "b", "gone"}  # "new" is not indexed yet, "gone" still is
    indexed = {s["MonitoringScheduleName"]: s for s in records["a"]["MonitoringSchedules"]}
    assert set(indexed) == {"a-dq", "a-mq"} and indexed["a-mq"]["MonitoringScheduleStatus"] == "Scheduled"
    # The authoritative calls see the live state.
    listed = {
        s["MonitoringScheduleName"]: s
        for s in client.list_monitoring_schedules()["MonitoringScheduleSummaries"]
    }
    assert "a-dq" not in listed and listed["a-mq"]["MonitoringScheduleStatus"] == "Stopped"
    assert {e["EndpointName"] for e in client.list_endpoints()["Endpoints"]} == {"a", "b", "new"}
    # Other accounts and regions are not affected; thawing brings Search up to date.
    assert sm(aws, region="eu-west-1").search(Resource="Endpoint")["Results"] == []
    aws.thaw_search(MEMBER_A, "us-east-1")
    live = {r["Endpoint"]["EndpointName"] for r in client.search(Resource="Endpoint")["Results"]}
    assert live == {"a", "b", "new"}


def test_list_job_definitions_endpoint_name_and_filters(aws: LocalAws, assert_shape: Any) -> None:
    client = sm(aws)
    operations = {
        "DataQuality": "ListDataQualityJobDefinitions",
        "ModelQuality": "ListModelQualityJobDefinitions",
        "ModelBias": "ListModelBiasJobDefinitions",
        "ModelExplainability": "ListModelExplainabilityJobDefinitions",
    }
    for endpoint in ("x", "y"):
        make_endpoint(client, endpoint)
        for monitoring_type in operations:
            make_job_definition(client, monitoring_type, f"{endpoint}-{monitoring_type}", endpoint)
    for monitoring_type, operation in operations.items():
        method = getattr(
            client, "list_" + "".join("_" + c.lower() if c.isupper() else c for c in operation[4:])[1:]
        )
        everything = method()
        assert_shape("sagemaker", operation, everything)
        assert {
            (d["MonitoringJobDefinitionName"], d["EndpointName"])
            for d in everything["JobDefinitionSummaries"]
        } == {
            (f"x-{monitoring_type}", "x"),
            (f"y-{monitoring_type}", "y"),
        }
        assert [d["EndpointName"] for d in method(EndpointName="y")["JobDefinitionSummaries"]] == ["y"]
        assert len(method(NameContains="x-")["JobDefinitionSummaries"]) == 1
        first = method(MaxResults=1)
        assert len(first["JobDefinitionSummaries"]) == 1
        assert len(method(MaxResults=1, NextToken=first["NextToken"])["JobDefinitionSummaries"]) == 1


@pytest.mark.parametrize(
    "monitoring_type", ["DataQuality", "ModelQuality", "ModelBias", "ModelExplainability"]
)
def test_describe_job_definitions_match_botocore_shape(
    aws: LocalAws, assert_shape: Any, monitoring_type: str
) -> None:
    client = sm(aws)
    make_endpoint(client, "e")
    make_job_definition(client, monitoring_type, "d", "e")
    snake = "".join("_" + c.lower() if c.isupper() else c for c in monitoring_type)[1:]
    response = getattr(client, f"describe_{snake}_job_definition")(JobDefinitionName="d")
    assert_shape("sagemaker", f"Describe{monitoring_type}JobDefinition", response)


def test_tags_on_schedule_arns(four_schedules: Any) -> None:
    arn = four_schedules.describe_monitoring_schedule(MonitoringScheduleName="a-dq")["MonitoringScheduleArn"]
    four_schedules.add_tags(ResourceArn=arn, Tags=[{"Key": "environment", "Value": "production"}])
    tags = four_schedules.list_tags(ResourceArn=arn)["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"team": "risk & ops", "environment": "production"}


def put_metric_alarm(client: Any, name: str) -> None:
    client.put_metric_alarm(
        AlarmName=name,
        Namespace="aws/sagemaker/Endpoints/data-metrics",
        MetricName="feature_baseline_drift_age",
        Dimensions=[{"Name": "Endpoint", "Value": "a"}, {"Name": "MonitoringSchedule", "Value": "a-dq"}],
        Statistic="Maximum",
        Period=3600,
        EvaluationPeriods=1,
        Threshold=0.2,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=["arn:aws:sns:us-east-1:111111111111:oncall"],
    )


def test_composite_alarms_and_alarm_types(aws: LocalAws, assert_shape: Any) -> None:
    client = cw(aws)
    put_metric_alarm(client, "drift-a")
    put_metric_alarm(client, "drift-b")
    composite = client.put_composite_alarm(
        AlarmName="any-drift",
        AlarmRule='ALARM("drift-a") OR ALARM("drift-b")',
        AlarmActions=["arn:aws:sns:us-east-1:111111111111:oncall"],
        ActionsEnabled=True,
    )
    assert_shape("cloudwatch", "PutCompositeAlarm", composite)

    default = client.describe_alarms()
    assert_shape("cloudwatch", "DescribeAlarms", default)
    assert {a["AlarmName"] for a in default["MetricAlarms"]} == {"drift-a", "drift-b"}
    assert default["CompositeAlarms"] == []

    both = client.describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    assert_shape("cloudwatch", "DescribeAlarms", both)
    assert [a["AlarmName"] for a in both["CompositeAlarms"]] == ["any-drift"]
    assert both["CompositeAlarms"][0]["AlarmRule"] == 'ALARM("drift-a") OR ALARM("drift-b")'
    only_composite = client.describe_alarms(AlarmTypes=["CompositeAlarm"])
    assert only_composite["MetricAlarms"] == []

    pages = list(
        client.get_paginator("describe_alarms").paginate(
            AlarmTypes=["MetricAlarm", "CompositeAlarm"], PaginationConfig={"PageSize": 2}
        )
    )
    assert len(pages) == 2
    assert sum(len(p["MetricAlarms"]) + len(p["CompositeAlarms"]) for p in pages) == 3


def test_state_value_filter_and_backdated_state_time(aws: LocalAws) -> None:
    client = cw(aws)
    put_metric_alarm(client, "drift-a")
    put_metric_alarm(client, "drift-b")
    client.set_alarm_state(AlarmName="drift-b", StateValue="INSUFFICIENT_DATA", StateReason="no data")
    insufficient = client.describe_alarms(StateValue="INSUFFICIENT_DATA", AlarmNamePrefix="drift")
    assert [a["AlarmName"] for a in insufficient["MetricAlarms"]] == ["drift-b"]

    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    aws.set_alarm_state_time(MEMBER_A, "us-east-1", "drift-b", when)
    alarm = client.describe_alarms(AlarmNames=["drift-b"])["MetricAlarms"][0]
    assert alarm["StateUpdatedTimestamp"] == when
    with pytest.raises(KeyError):
        aws.set_alarm_state_time(MEMBER_A, "us-east-1", "nope", when)


def test_children_and_parents_of_composite_alarms(aws: LocalAws) -> None:
    client = cw(aws)
    for name in ("drift-a", "drift-b", "unrelated"):
        put_metric_alarm(client, name)
    client.put_composite_alarm(AlarmName="any-drift", AlarmRule="ALARM(\"drift-a\") OR OK('drift-b')")
    client.put_composite_alarm(AlarmName="outer", AlarmRule='ALARM("any-drift") AND NOT ALARM(unrelated)')

    children = client.describe_alarms(ChildrenOfAlarmName="any-drift")
    assert {a["AlarmName"] for a in children["MetricAlarms"]} == {"drift-a", "drift-b"}
    assert children["CompositeAlarms"] == []
    outer_children = client.describe_alarms(ChildrenOfAlarmName="outer")
    assert {a["AlarmName"] for a in outer_children["MetricAlarms"]} == {"unrelated"}
    assert [a["AlarmName"] for a in outer_children["CompositeAlarms"]] == ["any-drift"]
    parents = client.describe_alarms(ParentsOfAlarmName="drift-b")
    assert parents["MetricAlarms"] == []
    assert [a["AlarmName"] for a in parents["CompositeAlarms"]] == ["any-drift"]
    not_composite = client.describe_alarms(ChildrenOfAlarmName="drift-a")
    assert (not_composite["MetricAlarms"], not_composite["CompositeAlarms"]) == ([], [])
