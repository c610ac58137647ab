"""The recognisers' matching rules (auditor.inventory.replacements), on hand-built records."""

from __future__ import annotations

import pytest

from auditor.inventory.model import (
    Alarm,
    AlarmMatcher,
    AlarmType,
    EventRule,
    MetricRef,
    MonitorType,
    Recogniser,
    Replacement,
    RuleMatcher,
    RuleTarget,
    Schedule,
    ScheduleField,
    ScheduleMatcher,
)
from auditor.inventory.replacements import (
    alarm_endpoints,
    names_segment,
    namespace_matches,
    rule_names,
    schedule_names,
    watched_by,
)

LAMBDA = "arn:aws:lambda:us-east-1:111111111111:function:evidently-churn"


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("evidently-churn-hourly", "churn", True),
        ("arn:aws:lambda:us-east-1:1:function:churn", "churn", True),
        ("churn", "churn", True),
        ("churnx-hourly", "churn", False),  # not a whole segment
        ("xchurn", "churn", False),
        ("churn-v2-hourly", "churn-v2", True),
        (None, "churn", False),
    ],
)
def test_names_segment(text: str | None, name: str, expected: bool) -> None:
    assert names_segment(text, name) is expected


@pytest.mark.parametrize(
    ("pattern", "namespace", "expected"),
    [
        ("Evidently/DataDrift", "Evidently/DataDrift", True),
        ("Evidently/DataDrift", "evidently/datadrift", False),  # CloudWatch matches exactly
        ("Evidently/*", "Evidently/DataDrift", True),
        ("Evidently/*", "Other/DataDrift", False),
        ("Evidently/*", None, False),
    ],
)
def test_namespace_matches(pattern: str, namespace: str | None, expected: bool) -> None:
    assert namespace_matches(pattern, namespace) is expected


def _alarm(namespace: str, dims: dict[str, str], kind: AlarmType = AlarmType.METRIC) -> Alarm:
    return Alarm(
        arn="arn:aws:cloudwatch:us-east-1:1:alarm:a",
        name="a",
        account_id="1",
        region="us-east-1",
        alarm_type=kind,
        state="OK",
        metrics=[MetricRef(namespace=namespace, metric_name="m", dimensions=dims)],
    )


def test_alarm_endpoints_need_the_namespace_and_the_dimension() -> None:
    r = Recogniser("r", MonitorType.DATA_QUALITY, alarm=AlarmMatcher("Evidently/*", "EndpointName"))
    assert alarm_endpoints(r, _alarm("Evidently/Drift", {"EndpointName": "churn"})) == {"churn"}
    assert alarm_endpoints(r, _alarm("Evidently/Drift", {"Endpoint": "churn"})) == set()
    assert alarm_endpoints(r, _alarm("Other", {"EndpointName": "churn"})) == set()
    assert (
        alarm_endpoints(r, _alarm("Evidently/Drift", {"EndpointName": "churn"}, AlarmType.COMPOSITE)) == set()
    )


def _schedule(state: str | None = "ENABLED", target: str = LAMBDA, given: str | None = None) -> Schedule:
    return Schedule(
        arn="arn:aws:scheduler:us-east-1:1:schedule/default/s",
        name="nightly",
        account_id="1",
        region="us-east-1",
        group_name="default",
        state=state,
        target_arn=target,
        target_input=given,
    )


def test_schedule_matchers() -> None:
    by_input = Recogniser("r", MonitorType.DATA_QUALITY, schedule=ScheduleMatcher([ScheduleField.INPUT]))
    assert schedule_names(by_input, _schedule(given='{"endpoint": {"name": "churn"}}'), "churn")
    assert not schedule_names(by_input, _schedule(given='{"churn": 1}'), "churn")  # keys do not count
    assert not schedule_names(by_input, _schedule(given="churn"), "churn")  # not JSON
    assert not schedule_names(by_input, _schedule(state="DISABLED", given='"churn"'), "churn")
    assert not schedule_names(by_input, _schedule(state=None, given='"churn"'), "churn")
    by_arn = Recogniser(
        "r", MonitorType.DATA_QUALITY, schedule=ScheduleMatcher([ScheduleField.TARGET_ARN], None, ["lambda"])
    )
    assert schedule_names(by_arn, _schedule(), "churn")
    states = "arn:aws:states:us-east-1:1:stateMachine:evidently-churn"
    assert not schedule_names(by_arn, _schedule(target=states), "churn")  # not a Lambda target
    grouped = Recogniser(
        "r", MonitorType.DATA_QUALITY, schedule=ScheduleMatcher([ScheduleField.TARGET_ARN], "ml-*")
    )
    assert not schedule_names(grouped, _schedule(), "churn")  # the default group


def test_rule_matchers_look_at_enabled_rules_and_the_allowed_targets() -> None:
    rule = EventRule(
        arn="arn:aws:events:us-east-1:1:rule/q",
        name="quality-daily",
        account_id="1",
        region="us-east-1",
        event_bus_name="default",
        state="ENABLED",
        targets=[
            RuleTarget("t1", "arn:aws:sagemaker:us-east-1:1:pipeline/q", '{"EndpointName": "churn"}'),
            RuleTarget("t2", "arn:aws:sns:us-east-1:1:topic", '{"EndpointName": "fraud"}'),
        ],
    )
    r = Recogniser(
        "r", MonitorType.MODEL_QUALITY, rule=RuleMatcher([ScheduleField.INPUT], None, ["sagemaker"])
    )
    assert rule_names(r, rule, "churn")
    assert not rule_names(r, rule, "fraud")  # only in an SNS target, which the matcher does not look at
    rule.state = "DISABLED"
    assert not rule_names(r, rule, "churn")


def test_watched_by_wording() -> None:
    working = Replacement("ev", MonitorType.DATA_QUALITY, True)
    idle = Replacement("ev", MonitorType.DATA_QUALITY, False, detail="alarm(s) x, none reaching anyone")
    assert watched_by(True, []) == "Model Monitor"
    assert watched_by(False, [working]) == "replacement ev"
    assert watched_by(True, [working]) == "both (Model Monitor and replacement ev)"
    assert watched_by(False, []) == "neither"
    assert watched_by(False, [idle]) == (
        "neither (replacement ev is not actionable: alarm(s) x, none reaching anyone)"
    )
    assert watched_by(True, [idle]) == "Model Monitor"
