"""End to end over HTTP: replacement monitors recognised by the config's recognisers, judged.

One member account of the local AWS holds, besides the SNS topic ``oncall`` (one confirmed
subscription):

* ``ep-migrated``: no Model Monitor schedule; an Evidently drift alarm (custom namespace, EndpointName
  dimension) whose SNS action reaches ``oncall``, and a Scheduler schedule whose Lambda target's Input
  names the endpoint;
* ``ep-half``: no Model Monitor schedule; the same alarm and schedule, but the alarm has no action;
* ``ep-both``: a DataQuality schedule and the actionable replacement;
* ``ep-plain``: only a DataQuality schedule (no replacement);
* ``ep-anomaly``: no schedule; an anomaly-detection-band alarm (metric math, ThresholdMetricId) on the
  custom namespace with an action, and its schedule; for ModelQuality, an alarm on ``Quality/Custom``
  with an action and an enabled EventBridge rule running a SageMaker pipeline with the endpoint in
  its Input (``ep-migrated`` has the same, but its rule is disabled).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from auditor.emulator import LocalAws
from auditor.emulator.faults import TIMEOUT
from auditor.history import HistoryOptions
from auditor.inventory.cost import cost_view
from auditor.inventory.migration import migration_view
from auditor.inventory.model import (
    AlarmMatcher,
    Dataset,
    DatasetStatus,
    Inventory,
    MonitorType,
    Recogniser,
    RuleMatcher,
    ScheduleField,
    ScheduleMatcher,
)
from auditor.pipeline import OutputOptions, finish, load_judge_inputs
from auditor.policy.engine import evaluate, judge_all
from auditor.policy.loader import load_policy_set
from auditor.report import FORMATS
from auditor.results import CellState, Verdict
from tests.headless_chromium import dump_dom
from tests.scan.one_member import REGION, create_monitor, one_member_aws, scan_member

pytestmark = pytest.mark.e2e

NAMESPACE = "Evidently/DataDrift"
EVIDENTLY = Recogniser(
    name="evidently",
    monitor_type=MonitorType.DATA_QUALITY,
    alarm=AlarmMatcher(namespace="Evidently/*", dimension="EndpointName"),
    schedule=ScheduleMatcher(endpoint_in=[ScheduleField.INPUT], target_services=["lambda"]),
)
# A schedule alone (no alarm matcher): recognised, never actionable.
SCHEDULE_ONLY = Recogniser(
    name="quality-job",
    monitor_type=MonitorType.MODEL_QUALITY,
    schedule=ScheduleMatcher(endpoint_in=[ScheduleField.NAME]),
)
# An alarm on a custom namespace and an EventBridge rule whose SageMaker pipeline target's Input names
# the endpoint.
PIPELINE = Recogniser(
    name="pipeline-quality",
    monitor_type=MonitorType.MODEL_QUALITY,
    alarm=AlarmMatcher(namespace="Quality/Custom"),
    rule=RuleMatcher(endpoint_in=[ScheduleField.INPUT], target_services=["sagemaker"]),
)
RECOGNISERS = (EVIDENTLY, SCHEDULE_ONLY, PIPELINE)
ON = {"mm-data-quality-monitor": {"replacement_satisfies": True}}


def _endpoint(sm: Any, name: str) -> None:
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


def _dq_schedule(sm: Any, acct: str, name: str) -> None:
    create_monitor(sm, acct, name)


def _seed(aws: LocalAws, acct: str) -> None:
    session = aws.session(acct, REGION)
    sm = session.client("sagemaker", endpoint_url=aws.endpoint_url)
    cw = session.client("cloudwatch", endpoint_url=aws.endpoint_url)
    sns = session.client("sns", endpoint_url=aws.endpoint_url)
    scheduler = session.client("scheduler", endpoint_url=aws.endpoint_url)
    topic = sns.create_topic(Name="oncall")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=f"arn:aws:lambda:{REGION}:{acct}:function:page")
    sm.create_model(
        ModelName="model", ExecutionRoleArn=f"arn:aws:iam::{acct}:role/x", PrimaryContainer={"Image": "img"}
    )
    for name in ("ep-migrated", "ep-half", "ep-both", "ep-plain", "ep-anomaly"):
        _endpoint(sm, name)
    for name in ("ep-both", "ep-plain"):
        _dq_schedule(sm, acct, name)
    for name in ("ep-migrated", "ep-half", "ep-both"):
        cw.put_metric_alarm(
            AlarmName=f"{name}-evidently",
            Namespace=NAMESPACE,
            MetricName="share_of_drifted_columns",
            Dimensions=[{"Name": "EndpointName", "Value": name}],
            Statistic="Maximum",
            Period=3600,
            EvaluationPeriods=1,
            Threshold=0.3,
            ComparisonOperator="GreaterThanThreshold",
            ActionsEnabled=name != "ep-half",
            AlarmActions=[] if name == "ep-half" else [topic],
        )
    cw.put_metric_alarm(  # an anomaly-detection band on the custom metric
        AlarmName="ep-anomaly-band",
        ComparisonOperator="GreaterThanUpperThreshold",
        EvaluationPeriods=1,
        ThresholdMetricId="band",
        ActionsEnabled=True,
        AlarmActions=[topic],
        Metrics=[
            {
                "Id": "m1",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "Evidently/Anomaly",
                        "MetricName": "drift_score",
                        "Dimensions": [{"Name": "EndpointName", "Value": "ep-anomaly"}],
                    },
                    "Period": 3600,
                    "Stat": "Average",
                },
                "ReturnData": True,
            },
            {"Id": "band", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)", "ReturnData": True},
        ],
    )
    for name in ("ep-migrated", "ep-half", "ep-both", "ep-anomaly"):
        scheduler.create_schedule(
            Name=f"evidently-{name}-hourly",
            ScheduleExpression="rate(1 hour)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={
                "Arn": f"arn:aws:lambda:{REGION}:{acct}:function:evidently-drift",
                "RoleArn": f"arn:aws:iam::{acct}:role/scheduler",
                "Input": json.dumps({"endpoint_name": name}),
            },
        )
    events = session.client("events", endpoint_url=aws.endpoint_url)
    for name, state in (("ep-anomaly", "ENABLED"), ("ep-migrated", "DISABLED")):
        cw.put_metric_alarm(
            AlarmName=f"{name}-quality",
            Namespace="Quality/Custom",
            MetricName="accuracy",
            Dimensions=[{"Name": "EndpointName", "Value": name}],
            Statistic="Average",
            Period=86400,
            EvaluationPeriods=1,
            Threshold=0.8,
            ComparisonOperator="LessThanThreshold",
            ActionsEnabled=True,
            AlarmActions=[topic],
        )
        events.put_rule(Name=f"quality-daily-{name}", ScheduleExpression="rate(1 day)", State=state)
        events.put_targets(
            Rule=f"quality-daily-{name}",
            Targets=[
                {
                    "Id": "pipeline",
                    "Arn": f"arn:aws:sagemaker:{REGION}:{acct}:pipeline/model-quality",
                    "RoleArn": f"arn:aws:iam::{acct}:role/events",
                    "Input": json.dumps({"EndpointName": name}),
                }
            ],
        )
    # named for ep-plain: the schedule-only recogniser matches it, never actionable
    scheduler.create_schedule(
        Name="ep-plain-quality",
        ScheduleExpression="rate(1 day)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": f"arn:aws:lambda:{REGION}:{acct}:function:quality",
            "RoleArn": f"arn:aws:iam::{acct}:role/s",
        },
    )


@pytest.fixture(scope="module")
def member() -> Iterator[tuple[LocalAws, str]]:
    with one_member_aws(_seed) as pair:
        yield pair


@pytest.fixture(scope="module")
def inventory(member: tuple[LocalAws, str]) -> Inventory:
    aws, acct = member
    aws.faults.clear()
    return scan_member(aws, acct, recognisers=RECOGNISERS)


def _verdicts(
    inventory: Inventory, policy_id: str, parameters: dict[str, dict[str, object]] | None = None
) -> dict[str, tuple[Verdict, str]]:
    policy = next(p for p in load_policy_set(parameters=parameters).policies if p.id == policy_id)
    as_of = datetime.fromisoformat(inventory.metadata.finished_at.replace("Z", "+00:00"))
    return {f.resource_name: (f.verdict, f.message) for f in judge_all(inventory, [policy], as_of)}


def test_replacements_are_recognised_and_judged_with_the_parameter_on(inventory: Inventory) -> None:
    assert inventory.errors == []
    verdicts = _verdicts(inventory, "mm-data-quality-monitor", ON)
    assert verdicts["ep-migrated"][0] is Verdict.PASS
    assert "DataQuality watched by replacement evidently;" in verdicts["ep-migrated"][1]
    assert verdicts["ep-anomaly"][0] is Verdict.PASS  # an anomaly-detection band counts too
    assert verdicts["ep-both"][0] is Verdict.PASS
    assert "watched by both (Model Monitor and replacement evidently)" in verdicts["ep-both"][1]
    assert verdicts["ep-plain"] == (Verdict.PASS, verdicts["ep-plain"][1])
    assert "watched by Model Monitor;" in verdicts["ep-plain"][1]
    # half-migrated: the replacement's alarm reaches no one, so nothing watches the endpoint
    assert verdicts["ep-half"][0] is Verdict.FAIL
    assert "watched by neither (replacement evidently is not actionable" in verdicts["ep-half"][1]
    assert "none reaching anyone" in verdicts["ep-half"][1]


def test_the_parameter_off_counts_only_model_monitor(inventory: Inventory) -> None:
    verdicts = _verdicts(inventory, "mm-data-quality-monitor")
    assert verdicts["ep-migrated"][0] is Verdict.FAIL
    assert "watched by replacement evidently; expected ≥ 1 DataQuality monitor" in verdicts["ep-migrated"][1]
    assert verdicts["ep-both"][0] is Verdict.PASS and verdicts["ep-plain"][0] is Verdict.PASS
    assert verdicts["ep-half"][0] is Verdict.FAIL


def test_a_schedule_alone_is_recognised_but_never_watches(inventory: Inventory) -> None:
    plain = next(e for e in inventory.endpoints if e.name == "ep-plain")
    (replacement,) = [r for r in plain.replacements if r.recogniser == "quality-job"]
    assert not replacement.actionable and replacement.schedules == ["default/ep-plain-quality"]
    assert plain.watched_by["ModelQuality"].startswith("neither (replacement quality-job is not actionable")
    assert "a schedule or rule alone alerts no one" in plain.watched_by["ModelQuality"]
    # the Evidently schedules named the endpoint only in their Input (read with GetSchedule)
    migrated = next(s for s in inventory.schedules if s.name == "evidently-ep-migrated-hourly")
    assert migrated.endpoint_arns == [next(e.arn for e in inventory.endpoints if e.name == "ep-migrated")]
    calls = inventory.metadata.api_calls
    assert calls["scheduler:ListSchedules"] == 1 and calls["scheduler:GetSchedule"] == 5


def test_an_eventbridge_rule_naming_the_endpoint_is_a_trigger(inventory: Inventory) -> None:
    by_name = {e.name: e for e in inventory.endpoints}
    (replacement,) = [r for r in by_name["ep-anomaly"].replacements if r.recogniser == "pipeline-quality"]
    assert replacement.actionable and replacement.rules == ["default/quality-daily-ep-anomaly"]
    assert by_name["ep-anomaly"].watched_by["ModelQuality"] == "replacement pipeline-quality"
    # the same alarm, but its rule is disabled: no trigger, not recognised
    assert not [r for r in by_name["ep-migrated"].replacements if r.recogniser == "pipeline-quality"]
    assert "pipeline-quality" not in by_name["ep-migrated"].watched_by["ModelQuality"]
    assert by_name["ep-migrated"].watched_by["ModelQuality"].startswith("neither")
    rule = next(r for r in inventory.event_rules if r.name == "quality-daily-ep-anomaly")
    assert (
        rule.schedule_expression == "rate(1 day)"
        and rule.targets[0].input == '{"EndpointName": "ep-anomaly"}'
    )


def test_the_migration_view_shows_the_replacement(inventory: Inventory) -> None:
    rows = {
        (r.endpoint_name, r.monitor_type): r for r in migration_view(inventory, cost_view(inventory)).rows
    }
    migrated = rows[("ep-migrated", "DataQuality")]
    assert migrated.schedules == [] and migrated.replacement_actionable
    assert migrated.replacement.startswith("replacement evidently (actionable)")
    assert migrated.lost_if_deleted[0].startswith("nothing: replacement evidently watches this endpoint")
    both = rows[("ep-both", "DataQuality")]
    assert both.schedules == ["ep-both-dq"] and both.replacement_actionable
    assert both.lost_if_deleted[0].startswith("nothing: replacement evidently")
    half = rows[("ep-half", "DataQuality")]
    assert not half.replacement_actionable and "NOT actionable" in half.replacement
    plain = rows[("ep-plain", "DataQuality")]
    assert plain.replacement == "none recognised"
    assert any("DataQuality checks of ep-plain-dq" in line for line in plain.lost_if_deleted)


def test_no_recogniser_no_scheduler_call(member: tuple[LocalAws, str]) -> None:
    aws, acct = member
    aws.faults.clear()
    inventory = scan_member(aws, acct)
    assert not any(k.startswith("scheduler:") for k in inventory.metadata.api_calls)
    assert inventory.schedules == []
    assert not any(a.namespace == NAMESPACE for a in inventory.alarms)  # custom alarms only counted
    verdicts = _verdicts(inventory, "mm-data-quality-monitor", ON)
    assert verdicts["ep-migrated"][0] is Verdict.FAIL and "watched by neither;" in verdicts["ep-migrated"][1]


@pytest.mark.parametrize(
    ("error", "operation"),
    [
        ("AccessDeniedException", "scheduler:ListSchedules"),
        ("ThrottlingException", "scheduler:ListSchedules"),
        (TIMEOUT, "scheduler:ListSchedules"),
    ],
)
def test_schedules_not_read_are_error_never_pass(
    member: tuple[LocalAws, str], error: str, operation: str
) -> None:
    aws, acct = member
    aws.faults.clear()
    aws.faults.add_rule(error=error, operation=operation, account_id=acct)
    try:
        inventory = scan_member(aws, acct, recognisers=RECOGNISERS, read_timeout=3)
    finally:
        aws.faults.clear()
    (target,) = inventory.targets
    assert target.datasets[Dataset.REPLACEMENTS] is DatasetStatus.FAILED
    for parameters in (ON, None):
        verdicts = _verdicts(inventory, "mm-data-quality-monitor", parameters)
        for name in ("ep-migrated", "ep-half", "ep-both", "ep-plain"):
            assert verdicts[name][0] is Verdict.ERROR, (name, verdicts[name])
            assert "replacements (failed in" in verdicts[name][1]


def test_one_schedule_unreadable_is_error_for_its_endpoints(member: tuple[LocalAws, str]) -> None:
    aws, acct = member
    aws.faults.clear()
    aws.faults.add_rule(error="AccessDeniedException", operation="scheduler:GetSchedule", account_id=acct)
    try:
        inventory = scan_member(aws, acct, recognisers=RECOGNISERS)
    finally:
        aws.faults.clear()
    (target,) = inventory.targets
    assert target.datasets[Dataset.REPLACEMENTS] is DatasetStatus.PARTIAL
    assert all(s.missing == [Dataset.REPLACEMENTS] for s in inventory.schedules)
    verdicts = _verdicts(inventory, "mm-data-quality-monitor", ON)
    # without the Input the Evidently schedules match no endpoint: their replacements are unknown
    for name in ("ep-migrated", "ep-half", "ep-both", "ep-plain", "ep-anomaly"):
        assert verdicts[name][0] is Verdict.ERROR, (name, verdicts[name])
        assert "replacements (could not be read for this resource" in verdicts[name][1]


# ----------------------------------------------------------------------- coverage lost in migration


def _run(
    inventory: Inventory, tmp: Path, history: HistoryOptions | None, waivers: Path | None = None
) -> dict[str, tuple[Verdict, str]]:
    """The whole judgement (pipeline.finish: reports, history read and recorded) with the DataQuality
    replacement parameter on; the coverage-lost verdicts by endpoint name."""
    inputs = load_judge_inputs(parameters=ON, waivers_path=waivers)
    output = OutputOptions(formats=("json",), output_dir=tmp)
    outcome = finish(inventory, inputs, output, started_at="2026-12-01T00:00:00Z", history=history)
    if waivers is not None:  # what the report says of the waiver
        report = json.loads((tmp / "report.json").read_text())
        assert [(w["waiver_id"], w["status"], w["matched"]) for w in report["waivers"]] == [
            ("W-LOST", "active", 1)
        ]
    return {
        f.resource_name: (f.verdict, f.message)
        for f in outcome.result.findings
        if f.policy_id == "mm-coverage-lost-in-migration"
    }


def test_coverage_lost_in_migration_is_a_fail_with_history(
    member: tuple[LocalAws, str], tmp_path: Path
) -> None:
    aws, acct = member
    aws.faults.clear()
    history = HistoryOptions(path=tmp_path / "history.sqlite")
    before = scan_member(aws, acct, recognisers=RECOGNISERS)
    first = _run(before, tmp_path / "run1", history)
    # the first run has nothing to compare with: NOT_APPLICABLE, never PASS
    assert {v for v, _ in first.values()} == {Verdict.NOT_APPLICABLE}
    assert "no earlier run of this scope in the history" in first["ep-plain"][1]
    sm = aws.session(acct, REGION).client("sagemaker", endpoint_url=aws.endpoint_url)
    try:
        # ep-plain: its only DataQuality schedule deleted, no replacement; ep-both: deleted, but its
        # Evidently replacement is actionable
        sm.delete_monitoring_schedule(MonitoringScheduleName="ep-plain-dq")
        sm.delete_monitoring_schedule(MonitoringScheduleName="ep-both-dq")
        after = scan_member(aws, acct, recognisers=RECOGNISERS)
        # the same second run with a waiver for the loss, on a copy of the history (a waivable finding)
        shutil.copy(tmp_path / "history.sqlite", tmp_path / "copy.sqlite")
        waivers = tmp_path / "waivers.yaml"
        waivers.write_text(
            "waivers:\n  - id: W-LOST\n    policy: mm-coverage-lost-in-migration\n"
            '    resources: {arn: "arn:aws:sagemaker:*:*:endpoint/ep-plain"}\n'
            "    reason: DataQuality moves to the Evidently stack next sprint\n"
            "    owner: ml-platform@example.com\n"
            f"    expires: {(datetime.now(UTC) + timedelta(days=30)).date().isoformat()}\n"
        )
        waived = _run(after, tmp_path / "run2w", HistoryOptions(path=tmp_path / "copy.sqlite"), waivers)
        second = _run(after, tmp_path / "run2", history)
    finally:
        for name in ("ep-plain", "ep-both"):
            sm.create_monitoring_schedule(
                MonitoringScheduleName=f"{name}-dq",
                MonitoringScheduleConfig={
                    "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
                    "MonitoringJobDefinitionName": f"{name}-def",
                    "MonitoringType": "DataQuality",
                },
            )
    assert second["ep-plain"][0] is Verdict.FAIL
    assert second["ep-plain"][1].startswith("coverage lost in migration: DataQuality (now: neither)")
    assert waived["ep-plain"] == (Verdict.WAIVED, second["ep-plain"][1])
    assert waived["ep-both"] == second["ep-both"]
    assert second["ep-both"] == (Verdict.PASS, second["ep-both"][1])
    assert "still watched since the previous run" in second["ep-both"][1]
    assert second["ep-migrated"][0] is Verdict.PASS  # watched by its replacement in both runs
    # half-migrated: not watched before either, so nothing was lost in this migration step
    assert (
        second["ep-half"] == (Verdict.PASS, second["ep-half"][1])
        and "nothing to lose" in second["ep-half"][1]
    )


def test_coverage_lost_without_history_is_not_applicable(inventory: Inventory, tmp_path: Path) -> None:
    verdicts = _run(inventory, tmp_path, None)
    assert verdicts and {v for v, _ in verdicts.values()} == {Verdict.NOT_APPLICABLE}
    assert verdicts["ep-plain"][1] == "the run history is off: nothing to compare with"


def test_the_coverage_matrix_shows_who_watches(inventory: Inventory) -> None:
    result = evaluate(inventory, load_policy_set(parameters=ON))
    cells = {row.endpoint_name: row.cells["DataQuality"] for row in result.coverage}
    assert cells["ep-migrated"].state is CellState.OK
    assert cells["ep-migrated"].notes == [
        "mm-data-quality-monitor: DataQuality watched by replacement evidently; found none"
    ]
    # (ep-both and ep-plain are "broken": their schedules have no baseline, mm-monitor-baseline)
    assert cells["ep-anomaly"].state is CellState.OK
    assert "watched by replacement evidently;" in cells["ep-anomaly"].notes[0]
    assert cells["ep-half"].state is CellState.MISSING
    assert "watched by neither (replacement evidently is not actionable" in cells["ep-half"].notes[0]


def test_the_migration_report_shows_the_replacement_in_every_format(
    inventory: Inventory, tmp_path: Path
) -> None:
    result = evaluate(inventory, load_policy_set(parameters=ON))
    document = json.loads(FORMATS["migration-json"].render(result))
    rows = {(r["endpoint_name"], r["monitor_type"]): r for r in document["migration"]["rows"]}
    assert rows[("ep-migrated", "DataQuality")]["replacement_actionable"] is True
    assert rows[("ep-half", "DataQuality")]["replacement_actionable"] is False
    text = FORMATS["migration-csv"].render(result).decode("utf-8")
    by_name = {(r["endpoint_name"], r["monitor_type"]): r for r in csv.DictReader(io.StringIO(text))}
    migrated = by_name[("ep-migrated", "DataQuality")]
    assert migrated["replacement_provides"].startswith("replacement evidently (actionable)")
    assert migrated["lost_if_deleted_now"].startswith("nothing: replacement evidently")
    assert by_name[("ep-plain", "DataQuality")]["replacement_provides"] == "none recognised"
    page = tmp_path / "migration.html"
    page.write_bytes(FORMATS["migration-html"].render(result))
    dom = dump_dom(page, tmp_path / "profile")
    row = re.search(
        r'<tr class="[a-z]+" data-endpoint="ep-half" data-type="DataQuality">(.*?)</tr>', dom, re.S
    )
    assert row is not None and "replacement evidently (NOT actionable)" in row.group(1)
    row = re.search(
        r'<tr class="[a-z]+" data-endpoint="ep-migrated" data-type="DataQuality">(.*?)</tr>', dom, re.S
    )
    assert row is not None and "replacement evidently (actionable)" in row.group(1)


@pytest.mark.parametrize("operation", ["cloudwatch:DescribeAlarms", "events:ListRules"])
def test_alarms_or_rules_not_read_leave_the_replacements_unknown(
    member: tuple[LocalAws, str], operation: str
) -> None:
    aws, acct = member
    aws.faults.clear()
    aws.faults.add_rule(error="AccessDeniedException", operation=operation, account_id=acct)
    try:
        inventory = scan_member(aws, acct, recognisers=RECOGNISERS)
        without = scan_member(aws, acct)
    finally:
        aws.faults.clear()
    verdicts = _verdicts(inventory, "mm-data-quality-monitor", ON)
    for name in ("ep-migrated", "ep-half", "ep-both", "ep-plain", "ep-anomaly"):
        assert verdicts[name][0] is Verdict.ERROR, (name, verdicts[name])
        assert "replacements (could not be read for this resource" in verdicts[name][1]
    # without recognisers the monitor-type policies do not depend on them
    assert _verdicts(without, "mm-data-quality-monitor")["ep-plain"][0] is Verdict.PASS
