"""The local event-pattern matcher against the documented EventBridge semantics (table-driven).

Each row is (pattern, expected) evaluated on one CloudWatch alarm state-change event, the event
alarms send to the default bus; the rows follow the EventBridge user guide's "Event patterns",
"Content filtering in Amazon EventBridge event patterns" and "Comparison operators" pages.
"""

from __future__ import annotations

from typing import Any

import pytest

from auditor.inventory.event_patterns import (
    PatternError,
    alarm_state_change_event,
    matches,
    may_match_alarm_events,
    parse_pattern,
    unknown_operators,
)
from auditor.inventory.model import Alarm, AlarmType, MetricRef

ALARM = Alarm(
    arn="arn:aws:cloudwatch:us-east-1:111111111111:alarm:churn-dq-drift",
    name="churn-dq-drift",
    account_id="111111111111",
    region="us-east-1",
    alarm_type=AlarmType.METRIC,
    state="OK",
    description="Data drift",
    metrics=[
        MetricRef(
            namespace="aws/sagemaker/Endpoints/data-metrics",
            metric_name="feature_baseline_drift_age",
            dimensions={"Endpoint": "churn", "MonitoringSchedule": "churn-dq"},
        )
    ],
)
EVENT = alarm_state_change_event(ALARM)
EVENT["detail"]["count"] = 7  # numeric matching
EVENT["detail"]["sourceIp"] = "10.0.1.20"
EVENT["detail"]["tags"] = ["ml", "prod"]
EVENT["detail"]["nothing"] = None
EVENT["detail"]["empty"] = ""

SAMPLE = {  # aws-samples/amazon-sagemaker-drift-detection
    "source": ["aws.cloudwatch"],
    "detail-type": ["CloudWatch Alarm State Change"],
    "detail": {"alarmName": ["churn-dq-drift"], "state": {"value": ["ALARM"]}},
}

ROWS: list[tuple[str, dict[str, Any], bool]] = [
    # exact values: any value of the list (OR), every field (AND), case-sensitive
    ("the AWS drift-detection sample", SAMPLE, True),
    ("exact source", {"source": ["aws.cloudwatch"]}, True),
    ("exact, one of several", {"source": ["aws.ec2", "aws.cloudwatch"]}, True),
    ("exact, case matters", {"source": ["AWS.CloudWatch"]}, False),
    (
        "AND across fields",
        {"source": ["aws.cloudwatch"], "detail-type": ["EC2 Instance State-change"]},
        False,
    ),
    ("another alarm's name", {"detail": {"alarmName": ["other-alarm"]}}, False),
    ("the OK transition only", {"detail": {"state": {"value": ["OK"]}}}, False),
    ("previous state", {"detail": {"previousState": {"value": ["OK"]}}}, True),
    ("null matches null", {"detail": {"nothing": [None]}}, True),
    ("empty string matches empty", {"detail": {"empty": [""]}}, True),
    ("number compared numerically", {"detail": {"count": [7.0]}}, True),
    ("string is not number", {"detail": {"count": ["7"]}}, False),
    # prefix / suffix / equals-ignore-case / wildcard
    ("prefix", {"detail": {"alarmName": [{"prefix": "churn-"}]}}, True),
    ("prefix miss", {"detail": {"alarmName": [{"prefix": "fraud-"}]}}, False),
    ("prefix ignore case", {"detail": {"alarmName": [{"prefix": {"equals-ignore-case": "CHURN-"}}]}}, True),
    ("suffix", {"detail": {"alarmName": [{"suffix": "-drift"}]}}, True),
    ("suffix miss", {"detail": {"alarmName": [{"suffix": "-latency"}]}}, False),
    ("suffix ignore case", {"detail": {"alarmName": [{"suffix": {"equals-ignore-case": "-DRIFT"}}]}}, True),
    ("equals-ignore-case", {"detail": {"state": {"value": [{"equals-ignore-case": "alarm"}]}}}, True),
    ("wildcard", {"detail": {"alarmName": [{"wildcard": "churn-*-drift"}]}}, True),
    ("wildcard miss", {"detail": {"alarmName": [{"wildcard": "fraud-*"}]}}, False),
    ("wildcard on ARN", {"resources": [{"wildcard": "arn:aws:cloudwatch:*:111111111111:alarm:*"}]}, True),
    ("wildcard escaped star is literal", {"detail": {"alarmName": [{"wildcard": "churn\\*"}]}}, False),
    # anything-but: a value, a list, prefix, suffix, wildcard, ignore case
    ("anything-but value", {"detail": {"state": {"value": [{"anything-but": "OK"}]}}}, True),
    ("anything-but the value itself", {"detail": {"state": {"value": [{"anything-but": "ALARM"}]}}}, False),
    (
        "anything-but list",
        {"detail": {"state": {"value": [{"anything-but": ["OK", "INSUFFICIENT_DATA"]}]}}},
        True,
    ),
    (
        "anything-but list holding it",
        {"detail": {"state": {"value": [{"anything-but": ["OK", "ALARM"]}]}}},
        False,
    ),
    ("anything-but prefix", {"detail": {"alarmName": [{"anything-but": {"prefix": "test-"}}]}}, True),
    ("anything-but prefix hit", {"detail": {"alarmName": [{"anything-but": {"prefix": "churn"}}]}}, False),
    ("anything-but suffix", {"detail": {"alarmName": [{"anything-but": {"suffix": "-drift"}}]}}, False),
    ("anything-but wildcard", {"detail": {"alarmName": [{"anything-but": {"wildcard": "*-latency"}}]}}, True),
    (
        "anything-but ignore case",
        {"detail": {"state": {"value": [{"anything-but": {"equals-ignore-case": ["ok", "alarm"]}}]}}},
        False,
    ),
    ("anything-but number", {"detail": {"count": [{"anything-but": 8}]}}, True),
    ("anything-but never matches an absent field", {"detail": {"absent": [{"anything-but": "x"}]}}, False),
    # exists true / false, absent fields
    ("exists true on a present field", {"detail": {"alarmName": [{"exists": True}]}}, True),
    ("exists true on an absent field", {"detail": {"absent": [{"exists": True}]}}, False),
    ("exists false on an absent field", {"detail": {"absent": [{"exists": False}]}}, True),
    ("exists false on a present field", {"detail": {"alarmName": [{"exists": False}]}}, False),
    ("exists false under an absent object", {"detail": {"absent": {"deeper": [{"exists": False}]}}}, True),
    ("an absent field never matches a value", {"detail": {"absent": ["x"]}}, False),
    ("an absent object never matches a value", {"detail": {"absent": {"deeper": ["x"]}}}, False),
    # arrays: the intersection is not empty
    ("array intersects", {"detail": {"tags": ["prod", "staging"]}}, True),
    ("array does not intersect", {"detail": {"tags": ["staging"]}}, False),
    ("resources array", {"resources": [ALARM.arn]}, True),
    ("array of objects (metrics)", {"detail": {"configuration": {"metrics": {"id": ["m0"]}}}}, True),
    (
        "nested metric namespace",
        {
            "detail": {
                "configuration": {
                    "metrics": {"metricStat": {"metric": {"namespace": [{"prefix": "aws/sagemaker/"}]}}}
                }
            }
        },
        True,
    ),
    # numeric, cidr
    ("numeric range", {"detail": {"count": [{"numeric": [">", 0, "<=", 7]}]}}, True),
    ("numeric out of range", {"detail": {"count": [{"numeric": [">", 7]}]}}, False),
    ("numeric on a string", {"detail": {"alarmName": [{"numeric": [">", 0]}]}}, False),
    ("cidr", {"detail": {"sourceIp": [{"cidr": "10.0.0.0/16"}]}}, True),
    ("cidr miss", {"detail": {"sourceIp": [{"cidr": "192.168.0.0/16"}]}}, False),
    # $or, nesting, structure
    (
        "$or one holds",
        {"$or": [{"source": ["aws.ec2"]}, {"detail": {"alarmName": ["churn-dq-drift"]}}]},
        True,
    ),
    ("$or none holds", {"$or": [{"source": ["aws.ec2"]}, {"detail-type": ["x"]}]}, False),
    ("object pattern on a scalar", {"source": {"inner": ["x"]}}, False),
    ("account and region", {"account": ["111111111111"], "region": ["us-east-1"]}, True),
    ("another account", {"account": ["222222222222"]}, False),
    ("empty pattern matches everything", {}, True),
    ("an unknown operator never matches", {"detail": {"alarmName": [{"contains": "churn"}]}}, False),
]


@pytest.mark.parametrize(("label", "pattern", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_documented_semantics(label: str, pattern: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, EVENT) is expected, label


def test_the_alarm_event_is_the_documented_shape() -> None:
    assert EVENT["source"] == "aws.cloudwatch"
    assert EVENT["detail-type"] == "CloudWatch Alarm State Change"
    assert EVENT["resources"] == [ALARM.arn]
    assert EVENT["detail"]["state"]["value"] == "ALARM"
    metric = EVENT["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"]
    assert metric["dimensions"] == {"Endpoint": "churn", "MonitoringSchedule": "churn-dq"}


def test_parse_and_prefilter() -> None:
    assert parse_pattern(None) is None and parse_pattern("  ") is None
    with pytest.raises(PatternError):
        parse_pattern("{not json")
    with pytest.raises(PatternError):
        parse_pattern('["a"]')
    assert may_match_alarm_events(SAMPLE)
    assert may_match_alarm_events({"detail": {"alarmName": ["x"]}})  # no source: every source
    assert not may_match_alarm_events({"source": ["aws.ec2"]})
    assert not may_match_alarm_events({"source": ["aws.cloudwatch"], "detail-type": ["Other"]})
    assert may_match_alarm_events({"$or": [{"source": ["aws.ec2"]}, {"source": [{"prefix": "aws.cloud"}]}]})
    assert unknown_operators({"a": [{"contains": "x"}], "$or": [{"b": [{"frobnicate": 1}]}]}) == [
        "contains",
        "frobnicate",
    ]
    assert unknown_operators(SAMPLE) == []
