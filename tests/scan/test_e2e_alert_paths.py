"""End-to-end: how an alert travels, scanned over real HTTP from the local AWS and judged by the pack.

One organization, one region: workload account A (alarms wired every way, working and broken),
workload account B (monitors whose drift alarms live only in the monitoring account M), and M, which
also hosts a central event bus. Account 999999999999 is outside the scan. Every wiring has a working
and a broken variant, plus an alarm that reaches nobody at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from auditor.api import scan
from auditor.emulator import LocalAws
from auditor.inventory.model import Inventory
from auditor.policy.engine import evaluate
from auditor.policy.loader import load_policy_set
from auditor.results import EvaluationResult, Finding, Verdict
from auditor.scan.options import ScanOptions
from tests.scan.one_member import create_monitor

pytestmark = pytest.mark.e2e

REGION = "us-east-1"
OUTSIDE = "999999999999"
NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"
SAMPLE_PATTERN = {  # aws-samples/amazon-sagemaker-drift-detection
    "source": ["aws.cloudwatch"],
    "detail-type": ["CloudWatch Alarm State Change"],
    "detail": {"alarmName": ["eb-ok"], "state": {"value": ["ALARM"]}},
}


@dataclass(frozen=True)
class Org:
    aws: LocalAws
    a: str  # workload account with every local wiring
    b: str  # workload account alarmed from the monitoring account
    m: str  # the monitoring account


def _clients(aws: LocalAws, account: str) -> dict[str, Any]:
    session = aws.session(account, REGION)
    return {
        s: session.client(s, endpoint_url=aws.endpoint_url)
        for s in ("sagemaker", "cloudwatch", "sns", "events")
    }


def _endpoint_with_monitor(sm: Any, account: str, name: str) -> str:
    """An endpoint and its DataQuality schedule; returns the schedule name."""
    sm.create_model(
        ModelName=name, ExecutionRoleArn=f"arn:aws:iam::{account}:role/x", PrimaryContainer={"Image": "i"}
    )
    variant = {
        "VariantName": "v",
        "ModelName": name,
        "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1,
    }
    sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[variant])
    sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
    return create_monitor(sm, account, name, definition=f"{name}-dq-def")


def _dims(endpoint: str, schedule: str) -> list[dict[str, str]]:
    return [{"Name": "Endpoint", "Value": endpoint}, {"Name": "MonitoringSchedule", "Value": schedule}]


def _alarm(cw: Any, name: str, endpoint: str, schedule: str, actions: list[str], **extra: Any) -> None:
    cw.put_metric_alarm(
        AlarmName=name,
        Namespace=NAMESPACE,
        MetricName="feature_baseline_drift_age",
        Dimensions=_dims(endpoint, schedule),
        Statistic="Maximum",
        Period=3600,
        EvaluationPeriods=1,
        Threshold=0.2,
        ComparisonOperator="GreaterThanThreshold",
        ActionsEnabled=True,
        AlarmActions=actions,
        **extra,
    )


def _central_alarm(cw: Any, name: str, owner: str | None, endpoint: str, schedule: str, topic: str) -> None:
    query: dict[str, Any] = {
        "Id": "drift",
        "MetricStat": {
            "Metric": {
                "Namespace": NAMESPACE,
                "MetricName": "feature_baseline_drift_age",
                "Dimensions": _dims(endpoint, schedule),
            },
            "Period": 3600,
            "Stat": "Maximum",
        },
        "ReturnData": True,
    }
    if owner is not None:
        query["AccountId"] = owner
    cw.put_metric_alarm(
        AlarmName=name,
        Metrics=[query],
        EvaluationPeriods=1,
        Threshold=0.2,
        ComparisonOperator="GreaterThanThreshold",
        ActionsEnabled=True,
        AlarmActions=[topic],
    )


def _topic(sns: Any, name: str, protocol: str = "lambda") -> str:
    arn: str = sns.create_topic(Name=name)["TopicArn"]
    endpoint = (
        "arn:aws:lambda:us-east-1:111111111111:function:page" if protocol == "lambda" else "a@example.com"
    )
    sns.subscribe(TopicArn=arn, Protocol=protocol, Endpoint=endpoint)
    return arn


def _rule(
    events: Any, name: str, alarm: str, targets: list[str], *, bus: str = "default", state: str = "ENABLED"
) -> None:
    pattern = dict(SAMPLE_PATTERN, detail={"alarmName": [alarm], "state": {"value": ["ALARM"]}})
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern), State=state)
    if targets:
        events.put_targets(
            Rule=name,
            EventBusName=bus,
            Targets=[{"Id": f"t{i}", "Arn": arn} for i, arn in enumerate(targets)],
        )


def _seed(aws: LocalAws) -> Org:
    org = aws.session().client("organizations", endpoint_url=aws.endpoint_url, region_name=REGION)
    org.create_organization(FeatureSet="ALL")
    a, b, m = (
        org.create_account(Email=f"{n}@example.com", AccountName=n)["CreateAccountStatus"]["AccountId"]
        for n in ("workload-a", "workload-b", "monitoring")
    )
    ca, cb, cm = _clients(aws, a), _clients(aws, b), _clients(aws, m)

    # --- account A: SNS and EventBridge wirings, on its monitor ep-dq
    schedule = _endpoint_with_monitor(ca["sagemaker"], a, "ep")
    cw, sns, events = ca["cloudwatch"], ca["sns"], ca["events"]
    oncall = _topic(sns, "oncall")
    quiet = _topic(sns, "quiet", protocol="email")  # pending until someone confirms
    gone = _topic(sns, "gone")
    sns.delete_topic(TopicArn=gone)
    _alarm(cw, "sns-ok", "ep", schedule, [oncall])
    _alarm(cw, "sns-unconfirmed", "ep", schedule, [quiet])
    _alarm(cw, "sns-deleted", "ep", schedule, [gone])
    _alarm(cw, "sns-outside", "ep", schedule, [f"arn:aws:sns:{REGION}:{OUTSIDE}:theirs"])
    pipeline = f"arn:aws:sagemaker:{REGION}:{a}:pipeline/retrain"
    for name in ("eb-ok", "eb-no-target", "eb-disabled", "eb-cross-ok", "eb-cross-outside", "none"):
        _alarm(cw, name, "ep", schedule, [])
    _rule(events, "retrain-on-drift", "eb-ok", [pipeline])
    _rule(events, "no-target", "eb-no-target", [])
    _rule(events, "disabled", "eb-disabled", [pipeline], state="DISABLED")
    _rule(events, "to-central", "eb-cross-ok", [f"arn:aws:events:{REGION}:{m}:event-bus/central"])
    _rule(events, "to-outside", "eb-cross-outside", [f"arn:aws:events:{REGION}:{OUTSIDE}:event-bus/default"])
    events.put_rule(Name="ec2-only", EventPattern='{"source": ["aws.ec2"]}', State="ENABLED")  # counted only

    # --- account M: the central bus (a rule there pages the on-call topic) and the central alarms
    cm["events"].create_event_bus(Name="central")
    central_oncall = _topic(cm["sns"], "central-oncall")
    _rule(cm["events"], "page", "eb-cross-ok", [central_oncall], bus="central")

    # --- account B: monitors whose only drift alarms live in M
    watched = _endpoint_with_monitor(cb["sagemaker"], b, "ep-b")
    misaddressed = _endpoint_with_monitor(cb["sagemaker"], b, "ep-c")
    _central_alarm(cm["cloudwatch"], "central-ok", b, "ep-b", watched, central_oncall)
    # broken: the query does not name B's account, so it reads M's own (empty) metrics
    _central_alarm(cm["cloudwatch"], "central-no-account", None, "ep-c", misaddressed, central_oncall)
    return Org(aws, a, b, m)


@dataclass(frozen=True)
class Judged:
    org: Org
    inventory: Inventory
    result: EvaluationResult

    def finding(self, policy_id: str, name: str) -> Finding:
        return next(f for f in self.result.findings if f.policy_id == policy_id and f.resource_name == name)


def _judge(org: Org) -> Judged:
    options = ScanOptions(
        accounts=(org.a, org.b, org.m),
        regions=(REGION,),
        endpoint_url=org.aws.endpoint_url,
        role_name="ModelMonitorAuditor",
    )
    inventory = scan(options, session=org.aws.session())
    return Judged(org, inventory, evaluate(inventory, load_policy_set()))


@pytest.fixture(scope="module")
def org() -> Iterator[Org]:
    aws = LocalAws.start()
    try:
        aws.reset()
        yield _seed(aws)
    finally:
        aws.stop()


@pytest.fixture(scope="module")
def judged(org: Org) -> Judged:
    org.aws.faults.clear()
    return _judge(org)


ACTIONABLE = {
    # SNS: working, then reaching nobody
    "sns-ok": (
        Verdict.PASS,
        "sns-ok reaches someone via SNS topic oncall ({a}) with 1 confirmed subscription",
    ),
    "sns-unconfirmed": (Verdict.FAIL, "SNS topic quiet ({a}) has no confirmed subscription (1 pending)"),
    "sns-deleted": (Verdict.FAIL, "SNS topic gone ({a}) does not exist"),
    "sns-outside": (Verdict.FAIL, f"unverifiable, account {OUTSIDE} region {REGION} is outside the scan"),
    # EventBridge: the AWS sample's rule, then the ways it breaks
    "eb-ok": (
        Verdict.PASS,
        "via EventBridge rule default/retrain-on-drift → arn:aws:sagemaker:us-east-1:{a}:pipeline/retrain",
    ),
    "eb-no-target": (Verdict.FAIL, "EventBridge rule default/no-target has no target"),
    "eb-disabled": (Verdict.FAIL, "paths: none"),
    "eb-cross-ok": (
        Verdict.PASS,
        "EventBridge rule default/to-central → event bus central ({m}/us-east-1) → "
        "EventBridge rule central/page → SNS topic central-oncall ({m}) with 1 confirmed subscription",
    ),
    "eb-cross-outside": (Verdict.FAIL, f"event bus default ({OUTSIDE}/{REGION}): unverifiable"),
    # reachable by nothing
    "none": (Verdict.FAIL, "alarm_actions=none, paths: none"),
    # the monitoring account's alarm on B's metrics
    "central-ok": (
        Verdict.PASS,
        "central-ok (in monitoring account {m} on metrics of {b}) reaches someone via "
        "SNS topic central-oncall",
    ),
}


@pytest.mark.parametrize("alarm", sorted(ACTIONABLE))
def test_each_wiring_working_and_broken(judged: Judged, alarm: str) -> None:
    verdict, fragment = ACTIONABLE[alarm]
    finding = judged.finding("mm-alarm-actionable", alarm)
    org = judged.org
    assert finding.verdict is verdict, finding.message
    assert fragment.format(a=org.a, b=org.b, m=org.m) in finding.message


def test_the_scan_reads_rules_and_topics_per_account_not_per_alarm(judged: Judged) -> None:
    inv = judged.inventory
    assert inv.errors == []
    calls = inv.metadata.api_calls
    assert calls["events:ListEventBuses"] == 3  # one per (account, region)
    assert calls["events:ListRules"] == 4  # A's default; M's default and central; B's default
    assert (
        calls["events:ListTargetsByRule"] == 5
    )  # enabled alarm rules only: 4 in A (not disabled, not ec2-only), 1 in M
    # the topics of their own account named by alarms or rules: A's oncall, quiet, gone; M's central-oncall
    assert calls["sns:GetTopicAttributes"] == 4
    assert {t.name: t.exists for t in inv.topics} == {
        "oncall": True,
        "quiet": True,
        "gone": False,
        "central-oncall": True,
    }
    target_a = next(t for t in inv.targets if t.account_id == judged.org.a)
    assert target_a.other_rule_count == 1  # the EC2 rule is counted, not stored


def test_org_wide_join_links_the_monitoring_accounts_alarm(judged: Judged) -> None:
    org = judged.org
    ok = judged.finding("mm-drift-alarm", "ep-b-dq")
    assert ok.verdict is Verdict.PASS
    assert f"watched by central-ok (in monitoring account {org.m} on metrics of {org.b})" in ok.message
    broken = judged.finding("mm-drift-alarm", "ep-c-dq")
    assert broken.verdict is Verdict.FAIL  # its only alarm reads the monitoring account's own metrics
    alarm = next(a for a in judged.inventory.alarms if a.name == "central-ok")
    assert alarm.account_id == org.m and alarm.metric_accounts == [org.b]
    assert [m.account_id for m in alarm.metrics] == [org.b]  # Metrics[].AccountId survived the round trip
    assert not any(f.resource_name == "central-no-account" for f in judged.result.findings)  # watches nothing


def test_unreadable_topics_or_rules_are_error_never_pass(org: Org) -> None:
    org.aws.faults.clear()
    org.aws.faults.add_rule(
        error="AccessDeniedException", operation="sns:GetTopicAttributes", account_id=org.a
    )
    org.aws.faults.add_rule(error="AccessDeniedException", operation="events:ListRules", account_id=org.m)
    try:
        judged = _judge(org)
    finally:
        org.aws.faults.clear()
    verdicts = {f.resource_name: f for f in judged.result.findings if f.policy_id == "mm-alarm-actionable"}
    # A's topics unreadable: the SNS-wired alarms are ERROR naming the dataset
    for name in ("sns-ok", "sns-unconfirmed", "sns-deleted"):
        assert verdicts[name].verdict is Verdict.ERROR, verdicts[name].message
        assert "alerting" in verdicts[name].message
    # M's rules unreadable: the alarm forwarded to M's bus, and M's own alarms, are ERROR
    assert verdicts["eb-cross-ok"].verdict is Verdict.ERROR
    assert verdicts["central-ok"].verdict is Verdict.ERROR
    assert verdicts["eb-ok"].verdict is Verdict.PASS  # A's own rules were read
    assert {e.operation for e in judged.inventory.errors} == {"GetTopicAttributes", "ListRules"}
