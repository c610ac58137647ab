"""The sample estate: read back through boto3, each endpoint breaks exactly the link its manifest says."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from auditor.emulator import Estate, EstateSpec, LocalAws, build_estate

BRIEF_DEFECTS = {
    "compliant",
    "no_data_capture",
    "capture_input_only",
    "no_data_quality_monitor",
    "schedule_stopped",
    "schedule_failed",
    "last_execution_failed",
    "last_execution_stale",
    "model_quality_no_ground_truth",
    "metrics_disabled",
    "metrics_key_absent",
    "no_drift_alarm",
    "alarm_actions_disabled",
    "alarm_no_actions",
    "alarm_wrong_dimensions",
    "math_alarm_valid",
    "composite_alarm_valid",
    "serverless_endpoint",
    "orphan_schedule",
    "job_definition_without_schedule",
    "alarm_insufficient_data_long",
    "completed_with_violations",
    "hostile_names",
}

# The one link check each endpoint-level defect must fail (and nothing else).
EXPECTED_FAILURES: dict[str, set[str]] = {
    "compliant": set(),
    "math_alarm_valid": set(),
    "composite_alarm_valid": set(),
    "hostile_names": set(),
    "development_endpoint": {"all_four_types"},
    "no_data_capture": {"capture"},
    "capture_input_only": {"capture"},
    "no_data_quality_monitor": {"data_quality_monitor", "all_four_types"},
    "schedule_stopped": {"schedules_scheduled"},
    "schedule_failed": {"schedules_scheduled"},
    "last_execution_failed": {"last_runs_completed"},
    "completed_with_violations": {"last_runs_completed"},
    "last_execution_stale": {"last_runs_fresh"},
    "model_quality_no_ground_truth": {"ground_truth"},
    "metrics_disabled": {"metrics_not_disabled"},
    "metrics_key_absent": {"metrics_key_present"},
    "no_drift_alarm": {"alarm_per_monitor"},
    "alarm_wrong_dimensions": {"alarm_per_monitor"},
    "alarm_actions_disabled": {"alarms_actionable"},
    "alarm_no_actions": {"alarms_actionable"},
    "alarm_insufficient_data_long": {"alarms_reporting"},
}
NAMESPACES = {
    "DataQuality": "aws/sagemaker/Endpoints/data-metrics",
    "ModelQuality": "aws/sagemaker/Endpoints/model-metrics",
    "ModelBias": "aws/sagemaker/Endpoints/bias-metrics",
    "ModelExplainability": "aws/sagemaker/Endpoints/explainability-metrics",
}


@pytest.fixture(scope="module")
def estate(local_aws_server: LocalAws) -> Iterator[tuple[LocalAws, Estate]]:
    local_aws_server.reset()
    local_aws_server.faults.clear()
    yield local_aws_server, build_estate(local_aws_server, EstateSpec())
    local_aws_server.reset()


def clients(aws: LocalAws, account: str, region: str) -> tuple[Any, Any]:
    session = aws.session(account, region)
    return (
        session.client("sagemaker", endpoint_url=aws.endpoint_url),
        session.client("cloudwatch", endpoint_url=aws.endpoint_url),
    )


def describe_job_definition(sm: Any, monitoring_type: str, name: str) -> dict[str, Any]:
    snake = "".join("_" + c.lower() if c.isupper() else c for c in monitoring_type).lstrip("_")
    result: dict[str, Any] = getattr(sm, f"describe_{snake}_job_definition")(JobDefinitionName=name)
    return result


def alarm_watches(alarm: dict[str, Any], namespace: str, endpoint: str, schedule: str) -> bool:
    """True when the alarm (single-metric or metric math) reads this monitor's metric by its dimensions."""
    metrics = [(alarm.get("Namespace"), alarm.get("Dimensions", []))]
    metrics += [
        (q["MetricStat"]["Metric"]["Namespace"], q["MetricStat"]["Metric"].get("Dimensions", []))
        for q in alarm.get("Metrics", [])
        if "MetricStat" in q
    ]
    for ns, dims in metrics:
        values = {d["Name"]: d["Value"] for d in dims}
        if (
            ns == namespace
            and values.get("Endpoint") == endpoint
            and values.get("MonitoringSchedule") == schedule
        ):
            return True
    return False


def link_checks(aws: LocalAws, account: str, region: str, endpoint: str, now: dt.datetime) -> dict[str, bool]:
    """Read one endpoint's links back the way an auditor would, and judge each one."""
    sm, cw = clients(aws, account, region)
    described = sm.describe_endpoint(EndpointName=endpoint)
    config = sm.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    modes = {o["CaptureMode"] for o in config.get("DataCaptureConfig", {}).get("CaptureOptions", [])}
    capture = described.get("DataCaptureConfig", {})
    record = next(
        r["Endpoint"]
        for r in sm.search(Resource="Endpoint", MaxResults=100)["Results"]
        if r["Endpoint"]["EndpointName"] == endpoint
    )
    schedules = record["MonitoringSchedules"]
    definitions = {
        s["MonitoringType"]: describe_job_definition(
            sm, s["MonitoringType"], s["MonitoringScheduleConfig"]["MonitoringJobDefinitionName"]
        )
        for s in schedules
    }
    envs = [d[f"{t}AppSpecification"].get("Environment", {}) for t, d in definitions.items()]
    alarms = cw.describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    composites = alarms["CompositeAlarms"]
    watching = {
        s["MonitoringScheduleName"]: [
            a
            for a in alarms["MetricAlarms"]
            if alarm_watches(a, NAMESPACES[s["MonitoringType"]], endpoint, s["MonitoringScheduleName"])
        ]
        for s in schedules
    }

    def actionable(alarm: dict[str, Any]) -> bool:
        if alarm["ActionsEnabled"] and alarm["AlarmActions"]:
            return True
        return any(
            f'ALARM("{alarm["AlarmName"]}")' in c["AlarmRule"] and c["ActionsEnabled"] and c["AlarmActions"]
            for c in composites
        )

    last_runs = [s.get("LastMonitoringExecutionSummary") for s in schedules]
    return {
        "capture": capture.get("CaptureStatus") == "Started"
        and capture.get("CurrentSamplingPercentage") == 100
        and {"Input", "Output"} <= modes,
        "data_quality_monitor": "DataQuality" in definitions,
        "all_four_types": set(definitions) == set(NAMESPACES),
        "schedules_scheduled": all(s["MonitoringScheduleStatus"] == "Scheduled" for s in schedules),
        "last_runs_completed": all(r and r["MonitoringExecutionStatus"] == "Completed" for r in last_runs),
        "last_runs_fresh": all(r and now - r["ScheduledTime"] < dt.timedelta(hours=1) for r in last_runs),
        "ground_truth": all(
            d[f"{t}JobInput"].get("GroundTruthS3Input", {}).get("S3Uri")
            for t, d in definitions.items()
            if t in ("ModelQuality", "ModelBias")
        ),
        "metrics_not_disabled": all(env.get("publish_cloudwatch_metrics") != "Disabled" for env in envs),
        "metrics_key_present": all("publish_cloudwatch_metrics" in env for env in envs),
        "alarm_per_monitor": all(watching.values()),
        "alarms_actionable": all(actionable(a) for found in watching.values() for a in found),
        "alarms_reporting": all(
            a["StateValue"] != "INSUFFICIENT_DATA"
            or now - a["StateUpdatedTimestamp"] < dt.timedelta(hours=24)
            for found in watching.values()
            for a in found
        ),
    }


def test_manifest_covers_every_defect_of_the_brief(estate: tuple[LocalAws, Estate]) -> None:
    _, built = estate
    assert {c.defect for c in built.cases} >= BRIEF_DEFECTS
    endpoint_cases = [c for c in built.cases if c.kind == "endpoint"]
    assert 20 <= len(endpoint_cases) <= 40
    assert len({(c.account_id, c.region, c.name) for c in endpoint_cases}) == len(endpoint_cases)
    assert {(c.account_id, c.region) for c in endpoint_cases} == {
        (a, r) for a in built.member_account_ids for r in built.regions
    }
    assert len(built.cases_with("compliant")) >= 3
    assert {c.kind for c in built.cases_with("orphan_schedule")} == {"monitor"}
    assert {c.kind for c in built.cases_with("schedule_stopped")} == {"endpoint", "monitor"}
    assert {c.kind for c in built.cases_with("alarm_no_actions")} == {"endpoint", "alarm"}


def test_organization_accounts_and_auditor_role(estate: tuple[LocalAws, Estate]) -> None:
    aws, built = estate
    assert len(built.member_account_ids) == 3
    assert built.management_account_id not in built.member_account_ids
    org = aws.session().client("organizations", endpoint_url=aws.endpoint_url)
    accounts = [a for page in org.get_paginator("list_accounts").paginate() for a in page["Accounts"]]
    assert {a["Id"] for a in accounts} == {built.management_account_id, *built.member_account_ids}
    assert {a["State"] for a in accounts} == {"ACTIVE"}
    sts = aws.session().client("sts", endpoint_url=aws.endpoint_url)
    for account in built.member_account_ids:
        iam = aws.session(account).client("iam", endpoint_url=aws.endpoint_url)
        assert (
            iam.get_role(RoleName=built.role_name)["Role"]["Arn"]
            == f"arn:aws:iam::{account}:role/{built.role_name}"
        )
        creds = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/{built.role_name}", RoleSessionName="audit"
        )
        assert creds["AssumedRoleUser"]["Arn"].startswith(
            f"arn:aws:sts::{account}:assumed-role/{built.role_name}/"
        )


def test_member_account_ids_are_stable_for_a_seed(
    local_aws_server: LocalAws, estate: tuple[LocalAws, Estate]
) -> None:
    aws, built = estate
    # Rebuilding on a reset AWS with the same seed gives the same ids and manifest; the module's
    # estate is replaced by an identical one, so later tests still see what `built` describes.
    aws.reset()
    again = build_estate(aws, EstateSpec())
    assert again.member_account_ids == built.member_account_ids
    assert [(c.defect, c.kind, c.name) for c in again.cases] == [
        (c.defect, c.kind, c.name) for c in built.cases
    ]


@pytest.mark.parametrize("defect", sorted(EXPECTED_FAILURES))
def test_each_endpoint_breaks_exactly_its_link(estate: tuple[LocalAws, Estate], defect: str) -> None:
    aws, built = estate
    now = dt.datetime.now(dt.UTC)
    endpoints = [c for c in built.cases_with(defect) if c.kind == "endpoint"]
    assert endpoints, f"no endpoint seeded for {defect}"
    for case in endpoints:
        checks = link_checks(aws, case.account_id, case.region, case.name, now)
        failing = {name for name, ok in checks.items() if not ok}
        assert failing == EXPECTED_FAILURES[defect], (case.name, checks)


def test_compliant_endpoints_are_fully_hardened(estate: tuple[LocalAws, Estate]) -> None:
    aws, built = estate
    for case in built.cases_with("compliant"):
        sm, cw = clients(aws, case.account_id, case.region)
        described = sm.describe_endpoint(EndpointName=case.name)
        config = sm.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
        assert config["KmsKeyId"].startswith(f"arn:aws:kms:{case.region}:{case.account_id}:key/")
        assert described["DataCaptureConfig"]["KmsKeyId"]
        tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=case.arn)["Tags"]}
        assert (tags["environment"], tags["risk-tier"]) == ("production", "high")
        schedules = sm.list_monitoring_schedules(EndpointName=case.name)["MonitoringScheduleSummaries"]
        assert {s["MonitoringType"] for s in schedules} == set(NAMESPACES)
        for summary in schedules:
            schedule = sm.describe_monitoring_schedule(
                MonitoringScheduleName=summary["MonitoringScheduleName"]
            )
            assert (
                schedule["MonitoringScheduleConfig"]["ScheduleConfig"]["ScheduleExpression"]
                == "cron(0 * ? * * *)"
            )
            monitoring_type = schedule["MonitoringType"]
            definition = describe_job_definition(
                sm, monitoring_type, schedule["MonitoringScheduleConfig"]["MonitoringJobDefinitionName"]
            )
            assert definition["NetworkConfig"] == {
                "EnableInterContainerTrafficEncryption": True,
                "EnableNetworkIsolation": True,
            }
            assert definition[f"{monitoring_type}JobOutputConfig"]["KmsKeyId"]
            assert definition["JobResources"]["ClusterConfig"]["VolumeKmsKeyId"]
            baseline = definition[f"{monitoring_type}BaselineConfig"]
            assert baseline["ConstraintsResource"]["S3Uri"].endswith("constraints.json")
            assert ("StatisticsResource" in baseline) == (monitoring_type == "DataQuality")
            executions = sm.list_monitoring_executions(
                MonitoringScheduleName=summary["MonitoringScheduleName"]
            )
            assert len(executions["MonitoringExecutionSummaries"]) == 3
        metrics = cw.list_metrics(
            Namespace=NAMESPACES["DataQuality"],
            Dimensions=[{"Name": "MonitoringSchedule", "Value": f"{case.name}-dq"}],
        )["Metrics"]
        assert [m["MetricName"] for m in metrics] == ["feature_baseline_drift_transaction_amount"]


def test_resources_without_endpoints(estate: tuple[LocalAws, Estate]) -> None:
    aws, built = estate
    (orphan,) = built.cases_with("orphan_schedule")
    sm, _ = clients(aws, orphan.account_id, orphan.region)
    schedule = sm.describe_monitoring_schedule(MonitoringScheduleName=orphan.name)
    assert schedule["MonitoringScheduleArn"] == orphan.arn
    endpoints = {e["EndpointName"] for e in sm.list_endpoints(MaxResults=100)["Endpoints"]}
    assert schedule["EndpointName"] not in endpoints

    unused = built.cases_with("job_definition_without_schedule")
    assert len(unused) == 2
    for case in unused:
        sm, _ = clients(aws, case.account_id, case.region)
        used = {
            s["MonitoringJobDefinitionName"]
            for s in sm.list_monitoring_schedules(MaxResults=100)["MonitoringScheduleSummaries"]
        }
        assert case.name not in used
        assert ":" in case.arn and case.arn.endswith(f"/{case.name}")


def test_serverless_endpoint_has_no_capture_or_monitors(estate: tuple[LocalAws, Estate]) -> None:
    aws, built = estate
    (case,) = built.cases_with("serverless_endpoint")
    sm, _ = clients(aws, case.account_id, case.region)
    described = sm.describe_endpoint(EndpointName=case.name)
    assert described["ProductionVariants"][0]["CurrentServerlessConfig"] == {
        "MemorySizeInMB": 2048,
        "MaxConcurrency": 5,
    }
    assert "DataCaptureConfig" not in described
    assert sm.list_monitoring_schedules(EndpointName=case.name)["MonitoringScheduleSummaries"] == []


def test_hostile_names_survive_the_round_trip(estate: tuple[LocalAws, Estate]) -> None:
    aws, built = estate
    endpoint = next(c for c in built.cases_with("hostile_names") if c.kind == "endpoint")
    alarm = next(c for c in built.cases_with("hostile_names") if c.kind == "alarm")
    sm, cw = clients(aws, endpoint.account_id, endpoint.region)
    tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=endpoint.arn)["Tags"]}
    assert tags["owner"] == "<img src=x onerror=alert(1)>"
    assert "Zürich & 東京" in tags["description"]
    found = cw.describe_alarms(AlarmNames=[alarm.name])["MetricAlarms"]
    assert [a["AlarmName"] for a in found] == ["hostile-names drift <\"Zürich\" & '東京'>"]
    assert "Zürich & 東京" in found[0]["AlarmDescription"]


def test_scale_estate(local_aws_server: LocalAws, estate: tuple[LocalAws, Estate]) -> None:
    aws = local_aws_server
    aws.reset()
    built = build_estate(aws, EstateSpec(accounts=2, regions=("us-east-1",), endpoints_per_region=15, seed=3))
    try:
        assert len(built.member_account_ids) == 2
        endpoint_cases = [c for c in built.cases if c.kind == "endpoint"]
        assert len(endpoint_cases) == 30
        schedules = 0
        for account in built.member_account_ids:
            sm, cw = clients(aws, account, "us-east-1")
            pages = sm.get_paginator("list_endpoints").paginate()
            assert sum(len(p["Endpoints"]) for p in pages) == 15
            pages = sm.get_paginator("list_monitoring_schedules").paginate()
            schedules += sum(len(p["MonitoringScheduleSummaries"]) for p in pages)
            assert cw.describe_alarms(MaxRecords=100)["MetricAlarms"]
        assert 30 <= schedules <= 60  # about two monitors per endpoint, some endpoints unmonitored
    finally:
        # leave the module's curated estate in place for any test that runs after this one
        aws.reset()
        build_estate(aws, EstateSpec())


def test_every_read_of_the_estate_matches_botocore_shapes(
    estate: tuple[LocalAws, Estate], assert_shape: Any
) -> None:
    aws, built = estate
    for account in built.member_account_ids:
        for region in built.regions:
            sm, cw = clients(aws, account, region)
            search = sm.search(Resource="Endpoint", MaxResults=100)
            assert_shape("sagemaker", "Search", search)
            for record in search["Results"]:
                name = record["Endpoint"]["EndpointName"]
                assert_shape("sagemaker", "DescribeEndpoint", sm.describe_endpoint(EndpointName=name))
            schedules = sm.list_monitoring_schedules(MaxResults=100)
            assert_shape("sagemaker", "ListMonitoringSchedules", schedules)
            for summary in schedules["MonitoringScheduleSummaries"]:
                schedule_name = summary["MonitoringScheduleName"]
                described = sm.describe_monitoring_schedule(MonitoringScheduleName=schedule_name)
                assert_shape("sagemaker", "DescribeMonitoringSchedule", described)
                executions = sm.list_monitoring_executions(MonitoringScheduleName=schedule_name)
                assert_shape("sagemaker", "ListMonitoringExecutions", executions)
            alarms = cw.describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"], MaxRecords=100)
            assert_shape("cloudwatch", "DescribeAlarms", alarms)


def test_estate_spec_needs_accounts_and_regions(local_aws_server: LocalAws) -> None:
    with pytest.raises(ValueError):
        build_estate(local_aws_server, EstateSpec(accounts=0))
    with pytest.raises(ValueError):
        build_estate(local_aws_server, EstateSpec(regions=()))


def test_multi_model_endpoint_capture_in_another_account_and_alerts(estate: tuple[LocalAws, Estate]) -> None:
    """Issue 15's sample rows, read back through boto3: the multi-model endpoint's model, a capture bucket
    owned by another member account (S3 refuses a listing that expects the endpoint's account), and Model
    Monitor's own alerts in Search's model records (one InAlert)."""
    aws, built = estate
    (mme,) = [c for c in built.cases_with("multi_model_endpoint") if c.kind == "endpoint"]
    sm, _ = clients(aws, mme.account_id, mme.region)
    config = sm.describe_endpoint_config(EndpointConfigName=f"{mme.name}-config")
    model = sm.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    assert model["PrimaryContainer"]["Mode"] == "MultiModel"

    (central,) = [c for c in built.cases_with("capture_bucket_other_account") if c.kind == "endpoint"]
    sm, _ = clients(aws, central.account_id, central.region)
    uri = sm.describe_endpoint(EndpointName=central.name)["DataCaptureConfig"]["DestinationS3Uri"]
    bucket = uri.removeprefix("s3://").split("/", 1)[0]
    owner = next(a for a in built.member_account_ids if bucket.endswith(a))
    assert owner != central.account_id
    s3 = aws.session(central.account_id, central.region).client("s3", endpoint_url=aws.endpoint_url)
    with pytest.raises(s3.exceptions.ClientError, match="AccessDenied"):
        s3.list_objects_v2(Bucket=bucket, Prefix=f"{central.name}/", ExpectedBucketOwner=central.account_id)
    assert (
        s3.list_objects_v2(Bucket=bucket, Prefix=f"{central.name}/", ExpectedBucketOwner=owner)["KeyCount"]
        == 2
    )

    statuses: dict[str, str] = {}
    for account in built.member_account_ids:
        for region in built.regions:
            sm, _ = clients(aws, account, region)
            for result in sm.search(Resource="Model", MaxResults=100)["Results"]:
                for schedule in result["Model"].get("MonitoringSchedules", []):
                    for alert in schedule["MonitoringAlertSummaries"]:
                        statuses[schedule["MonitoringScheduleName"]] = alert["AlertStatus"]
    assert statuses == {
        "dq-failing-runs-dq": "InAlert",
        "fraud-scoring-dq": "OK",
        "credit-risk-dq": "OK",
        "churn-predict-dq": "OK",
    }
