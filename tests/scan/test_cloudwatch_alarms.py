"""Alarm parsing: composite rules, SEARCH/Insights expressions, and which alarms are kept."""

from __future__ import annotations

from typing import Any

from auditor.inventory.model import AlarmType
from auditor.scan.cloudwatch_alarms import expression_metrics, rule_children, select_alarms

ACCT = "111111111111"


def _metric(name: str, namespace: str | None = None, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:us-east-1:{ACCT}:alarm:{name}",
        "StateValue": "OK",
        **extra,
    }
    if namespace:
        record["Namespace"] = namespace
    return record


def _composite(name: str, rule: str) -> dict[str, Any]:
    return {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:us-east-1:{ACCT}:alarm:{name}",
        "StateValue": "ALARM",
        "AlarmRule": rule,
    }


def test_rule_children_all_reference_forms() -> None:
    rule = (
        "ALARM(\"a b\") OR OK(plain) AND NOT INSUFFICIENT_DATA('quoted') OR "
        f'ALARM(arn:aws:cloudwatch:us-east-1:{ACCT}:alarm:by-arn) OR ALARM("esc\\"aped") OR TRUE'
    )
    assert rule_children(rule) == sorted(["a b", "plain", "quoted", "by-arn", 'esc"aped'])
    assert rule_children(None) == []


def test_search_and_insights_expressions() -> None:
    search = (
        "MAX(SEARCH('{aws/sagemaker/Endpoints/data-metrics,Endpoint,MonitoringSchedule} "
        'Endpoint="ep" MonitoringSchedule="s" MetricName="feature_baseline_drift_x"\', \'Maximum\', 3600))'
    )
    (ref,) = expression_metrics(search)
    assert ref.namespace == "aws/sagemaker/Endpoints/data-metrics"
    assert ref.dimensions == {"Endpoint": "ep", "MonitoringSchedule": "s"}
    assert ref.metric_name == "feature_baseline_drift_x"
    sql = (
        'SELECT MAX(f1) FROM SCHEMA("aws/sagemaker/Endpoints/model-metrics", Endpoint, MonitoringSchedule) '
        "WHERE Endpoint = 'ep' AND MonitoringSchedule = 's'"
    )
    (ref2,) = expression_metrics(sql)
    assert ref2.namespace == "aws/sagemaker/Endpoints/model-metrics"
    assert ref2.dimensions == {"Endpoint": "ep", "MonitoringSchedule": "s"}
    assert expression_metrics("m1 * 2") == []


def test_select_keeps_model_monitor_alarms_math_and_composites_transitively() -> None:
    dims = [{"Name": "Endpoint", "Value": "ep"}, {"Name": "MonitoringSchedule", "Value": "s"}]
    metric = [
        _metric(
            "drift",
            "aws/sagemaker/Endpoints/data-metrics",
            MetricName="feature_baseline_drift_x",
            Dimensions=dims,
        ),
        _metric("cpu", "AWS/EC2", MetricName="CPUUtilization"),
        _metric(
            "math",
            Metrics=[
                {"Id": "e1", "Expression": "m1 * 100", "ReturnData": True},
                {
                    "Id": "m1",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "aws/sagemaker/Endpoints/model-metrics",
                            "MetricName": "f1",
                            "Dimensions": dims,
                        },
                        "Period": 3600,
                        "Stat": "Average",
                    },
                    "ReturnData": False,
                },
            ],
        ),
    ]
    composite = [
        _composite("outer", 'ALARM("inner")'),
        _composite("inner", 'ALARM("drift") OR ALARM("cpu")'),
        _composite("infra", 'ALARM("cpu")'),
    ]
    kept, others = select_alarms(metric, composite, account_id=ACCT, region="us-east-1")
    assert sorted(a.name for a in kept) == ["drift", "inner", "math", "outer"]
    assert others == 2
    by_name = {a.name: a for a in kept}
    assert by_name["math"].expression == "m1 * 100"
    assert by_name["math"].metrics[0].namespace == "aws/sagemaker/Endpoints/model-metrics"
    assert by_name["inner"].alarm_type is AlarmType.COMPOSITE and by_name["inner"].children == [
        "cpu",
        "drift",
    ]
