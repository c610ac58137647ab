"""Enum-like fields keep unknown values as read, and the inventory says which ones they are."""

from __future__ import annotations

from auditor.inventory.enums import unknown_values
from auditor.inventory.model import UnknownValue
from auditor.policy.cases import build_inventory
from auditor.policy.yamlsrc import SourceMap

ARN = "arn:aws:sagemaker:us-east-1:111111111111"


def test_known_values_are_not_listed() -> None:
    inventory = build_inventory(
        {
            "endpoints": [{"name": "ep", "data_capture": {"enabled": True, "capture_options": ["Input"]}}],
            "monitors": [{"name": "m", "status": "Stopped", "last_execution": {"status": "Failed"}}],
            "alarms": [{"name": "a", "state": "ALARM", "treat_missing_data": "breaching"}],
        },
        SourceMap("<test>"),
    )
    assert unknown_values(inventory) == []


def test_unknown_and_missing_required_values_are_listed_as_read() -> None:
    inventory = build_inventory(
        {
            "endpoints": [
                {
                    "name": "ep",
                    "status": "InServiceDegraded",
                    "data_capture": {"enabled": True, "capture_options": ["Input", "Everything"]},
                }
            ],
            "monitors": [
                {"name": "m", "status": None, "last_execution": {"status": "CompletedWithWarnings"}},
                {"name": "n", "monitor_type": None},  # no type: allowed (the scanner records why)
            ],
            "job_definitions": [{"name": "jd", "publish_cloudwatch_metrics": "true"}],
        },
        SourceMap("<test>"),
    )
    assert unknown_values(inventory) == [
        UnknownValue(f"{ARN}:data-quality-job-definition/jd", "publish_cloudwatch_metrics", "true"),
        UnknownValue(f"{ARN}:endpoint/ep", "data_capture.capture_options", "Everything"),
        UnknownValue(f"{ARN}:endpoint/ep", "status", "InServiceDegraded"),
        UnknownValue(f"{ARN}:monitoring-schedule/m", "last_execution.status", "CompletedWithWarnings"),
        UnknownValue(f"{ARN}:monitoring-schedule/m", "status", None),
    ]
