"""End-to-end (real boto3, real HTTP, the local AWS): does the signal flow? The metrics a monitor
publishes (ListMetrics) decide which alarms watch it, and a publishing monitor must have them.

One member account, one region:
  ep-ok    DataQuality monitor, publishing on, completed run → metrics; alarm on the canonical namespace
  ep-typo  same, but its alarm is on "/aws/sagemaker/Endpoints/data-metric" (a documented misspelling)
  ep-mute  publishing on and a completed run that published nothing (as a BYOC container that writes
           no metrics): no metrics
  ep-off   publishing Disabled: no metrics, none expected
  ep-fail     10 of its last 12 runs failed (no input data, permissions, capacity); the last completed
  ep-ignored  violations in its last 12 runs, its alarm never left OK
  ep-heard    violations in its last 12 runs, its alarm is in ALARM
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from auditor.emulator import LocalAws
from auditor.emulator.faults import TIMEOUT
from auditor.emulator.metrics import monitor_metric
from auditor.inventory.model import Dataset, DatasetStatus, Inventory
from auditor.results import Verdict
from tests.scan.one_member import (
    REGION,
    create_monitor,
    one_member_aws,
    record_history,
    scan_member,
    verdicts_of,
)

pytestmark = pytest.mark.e2e

TYPO_NAMESPACE = "/aws/sagemaker/Endpoints/data-metric"
NO_DATA = "AlgorithmError: Job inputs had no data"
# Execution histories, oldest first (others: one Completed run).
HISTORIES: dict[str, list[tuple[str, str | None]]] = {
    # 10 of the last 12 failed, the last one completed; an older, 13th failure is outside the history
    "ep-fail": [
        ("Failed", NO_DATA),
        ("Completed", None),
        *[("Failed", NO_DATA)] * 8,
        ("Failed", "ClientError: AccessDenied on s3://capture"),
        ("Failed", "ResourceLimitExceeded: ml.m5.xlarge for processing job usage"),
        ("Completed", None),
    ],
    "ep-ignored": [("CompletedWithViolations", None)] * 12,
    "ep-heard": [("CompletedWithViolations", None)] * 12,
}


def _seed(aws: LocalAws, acct: str) -> None:
    session = aws.session(acct, REGION)
    sm = session.client("sagemaker", endpoint_url=aws.endpoint_url)
    cw = session.client("cloudwatch", endpoint_url=aws.endpoint_url)
    sm.create_model(
        ModelName="model", ExecutionRoleArn=f"arn:aws:iam::{acct}:role/x", PrimaryContainer={"Image": "img"}
    )
    for name, publish in (
        ("ep-ok", "Enabled"),
        ("ep-typo", "Enabled"),
        ("ep-mute", "Enabled"),
        ("ep-off", "Disabled"),
        ("ep-fail", "Enabled"),
        ("ep-ignored", "Enabled"),
        ("ep-heard", "Enabled"),
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
        create_monitor(sm, acct, name, publish=publish)
        # ep-mute: as when a BYOC container writes no metrics, the run published nothing
        history = HISTORIES.get(name, [("Completed", None)])
        record_history(aws, acct, f"{name}-dq", history, _publishes_metrics=name != "ep-mute")
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
        if name == "ep-heard":
            cw.set_alarm_state(AlarmName=f"{name}-drift", StateValue="ALARM", StateReason="drift above 0.2")


@pytest.fixture(scope="module")
def signal_aws() -> Iterator[tuple[LocalAws, str]]:
    with one_member_aws(_seed) as aws_and_account:
        yield aws_and_account


@pytest.fixture(scope="module")
def baseline(signal_aws: tuple[LocalAws, str]) -> Inventory:
    aws, acct = signal_aws
    aws.faults.clear()
    return scan_member(aws, acct)


def test_listmetrics_finds_what_publishing_monitors_published(baseline: Inventory) -> None:
    assert baseline.errors == []
    metrics = {m.name: m.metrics for m in baseline.monitors}
    assert [r.metric_name for r in metrics["ep-ok-dq"] or []] == ["feature_baseline_drift_transaction_amount"]
    assert metrics["ep-mute-dq"] == []
    assert metrics["ep-off-dq"] == []
    # one listing per namespace in use here: the canonical DataQuality one and the alarm's misspelling
    assert baseline.metadata.api_calls["cloudwatch:ListMetrics"] == 2


def test_alarm_on_a_misspelt_namespace_fails_naming_the_published_namespace(baseline: Inventory) -> None:
    verdicts = verdicts_of(baseline, "mm-drift-alarm")
    assert verdicts["ep-ok-dq"][0] is Verdict.PASS
    verdict, message = verdicts["ep-typo-dq"]
    assert verdict is Verdict.FAIL
    assert TYPO_NAMESPACE in message
    assert "publishes to aws/sagemaker/Endpoints/data-metrics" in message


def test_publishing_monitor_without_metrics_fails(baseline: Inventory) -> None:
    verdicts = verdicts_of(baseline, "mm-metrics-exist")
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
        inventory = scan_member(aws, acct, max_attempts=1, read_timeout=3)
    finally:
        aws.faults.clear()
    assert {e.operation for e in inventory.errors} == {"ListMetrics"}
    assert all(e.dataset is Dataset.METRICS for e in inventory.errors)
    (target,) = inventory.targets
    assert target.datasets[Dataset.METRICS] is DatasetStatus.PARTIAL
    assert all(m.metrics is None and Dataset.METRICS in m.missing for m in inventory.monitors)
    for policy_id in ("mm-drift-alarm", "mm-metrics-exist"):
        verdicts = verdicts_of(inventory, policy_id)
        assert len(verdicts) == 7, policy_id
        assert {v for v, _ in verdicts.values()} == {Verdict.ERROR}, policy_id


# --------------------------------------------------------------------------- execution history


def test_execution_history_read_region_wide_in_one_call(baseline: Inventory) -> None:
    """7 hourly schedules: one by one costs 7 calls; region-wide, 12 h 20 min holds ~13 runs each, 91
    executions, one page of 100: 1 call."""
    assert baseline.metadata.api_calls["sagemaker:ListMonitoringExecutions"] == 1
    history = {m.name: m.execution_history for m in baseline.monitors}
    fail = history["ep-fail-dq"]
    assert fail is not None and (fail.runs, fail.failed) == (12, 10)
    assert fail.failure_classes == {"capacity": 1, "no_input_data": 8, "permissions": 1}
    ignored = history["ep-ignored-dq"]
    assert ignored is not None and ignored.completed_with_violations == 12
    ok = history["ep-ok-dq"]
    assert ok is not None and (ok.runs, ok.failed) == (1, 0)


def test_per_schedule_and_region_wide_read_the_same_history(signal_aws: tuple[LocalAws, str]) -> None:
    aws, acct = signal_aws
    aws.faults.clear()
    region_wide = scan_member(aws, acct)
    session = aws.session(acct, REGION)
    sm = session.client("sagemaker", endpoint_url=aws.endpoint_url)
    for monitor in region_wide.monitors:
        one = sm.list_monitoring_executions(
            MonitoringScheduleName=monitor.name, SortBy="ScheduledTime", SortOrder="Descending", MaxResults=12
        )["MonitoringExecutionSummaries"]
        assert [e.status for e in monitor.executions or []] == [
            e["MonitoringExecutionStatus"] for e in one
        ], monitor.name


def test_repeated_failures_fail_and_a_healthy_history_passes(baseline: Inventory) -> None:
    verdicts = verdicts_of(baseline, "mm-repeated-failures")
    verdict, message = verdicts["ep-fail-dq"]
    assert verdict is Verdict.FAIL
    assert "found 10 failed" in message and "no_input_data 8" in message and "{" not in message
    assert verdicts["ep-ok-dq"][0] is Verdict.PASS
    # the one-run view does not see it: the last run completed
    assert verdicts_of(baseline, "mm-last-execution")["ep-fail-dq"][0] is Verdict.PASS


def test_violations_ignored_fail_unless_an_alarm_is_in_alarm(baseline: Inventory) -> None:
    verdicts = verdicts_of(baseline, "mm-violations-ignored")
    assert verdicts["ep-ignored-dq"][0] is Verdict.FAIL
    assert "12 of the last 12 executions" in verdicts["ep-ignored-dq"][1]
    assert verdicts["ep-heard-dq"][0] is Verdict.PASS
    assert verdicts["ep-ok-dq"][0] is Verdict.PASS


@pytest.mark.parametrize("error", ["AccessDeniedException", "ThrottlingException", TIMEOUT])
def test_execution_history_faults_give_error_never_pass(signal_aws: tuple[LocalAws, str], error: str) -> None:
    aws, acct = signal_aws
    aws.faults.clear()
    aws.faults.add_rule(error=error, service="sagemaker", operation="ListMonitoringExecutions")
    try:
        inventory = scan_member(aws, acct, max_attempts=1, read_timeout=3)
    finally:
        aws.faults.clear()
    assert {(e.operation, e.dataset) for e in inventory.errors} == {
        ("ListMonitoringExecutions", Dataset.EXECUTIONS)
    }
    (target,) = inventory.targets
    assert target.datasets[Dataset.EXECUTIONS] is DatasetStatus.FAILED
    assert all(m.execution_history is None and Dataset.EXECUTIONS in m.missing for m in inventory.monitors)
    for policy_id in ("mm-repeated-failures", "mm-violations-ignored"):
        verdicts = verdicts_of(inventory, policy_id)
        assert len(verdicts) == 7, policy_id
        assert {v for v, _ in verdicts.values()} == {Verdict.ERROR}, policy_id
