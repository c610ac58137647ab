"""report.sarif: valid against the official SARIF 2.1.0 schema (vendored in tests/data)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from auditor.report import sarif_report
from auditor.results import EvaluationResult, Verdict

from .conftest import HOSTILE_NAME, base_result, finding

SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text())


def _validate(data: dict) -> None:  # type: ignore[type-arg]
    jsonschema.Draft4Validator(SCHEMA).validate(data)


def test_valid_against_the_official_schema(rich_result: EvaluationResult) -> None:
    _validate(json.loads(sarif_report.render(rich_result)))


def test_empty_run_is_valid() -> None:
    data = json.loads(sarif_report.render(base_result([])))
    _validate(data)
    assert data["runs"][0]["results"] == []


def test_the_schema_check_can_fail() -> None:
    with pytest.raises(jsonschema.ValidationError):
        _validate({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})


def test_results_kinds_levels_and_suppressions(rich_result: EvaluationResult) -> None:
    run = json.loads(sarif_report.render(rich_result))["runs"][0]
    results = run["results"]
    by_verdict: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    for r in results:
        by_verdict.setdefault(r["properties"]["verdict"], []).append(r)
    assert set(by_verdict) == {"FAIL", "ERROR", "WAIVED"}  # PASS and NOT_APPLICABLE are counted, not listed
    assert run["properties"]["verdicts"]["PASS"] == 2
    levels = sorted((r["properties"]["severity"], r["level"]) for r in by_verdict["FAIL"])
    assert levels == [("critical", "error"), ("high", "error"), ("low", "note")]
    assert all(r["kind"] == "fail" for r in by_verdict["FAIL"])
    assert [(r["kind"], r["level"]) for r in by_verdict["ERROR"]] == [("open", "none")]
    (waived,) = by_verdict["WAIVED"]
    assert waived["suppressions"][0]["status"] == "accepted"
    assert "W-1" in waived["suppressions"][0]["justification"]
    hostile = next(r for r in results if r["locations"][0]["logicalLocations"][0]["name"] == HOSTILE_NAME)
    assert hostile["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].endswith(HOSTILE_NAME)
    # GitHub code scanning rejects the whole file if any result lacks an artifact URI.
    assert all(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "inventory.json" for r in results
    )
    assert run["invocations"][0]["executionSuccessful"] is False


def test_rules_carry_help_and_security_severity(rich_result: EvaluationResult) -> None:
    run = json.loads(sarif_report.render(rich_result))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["MM-ALARM-001", "MM-CAP-001", "MM-DQ-001"]
    alarm = rules[0]
    assert alarm["help"]["text"].startswith("Fix MM-ALARM-001")
    assert alarm["properties"]["security-severity"] == "9.5"
    assert alarm["defaultConfiguration"]["level"] == "error"
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]


def test_finding_of_an_unlisted_policy_gets_a_rule() -> None:
    data = json.loads(sarif_report.render(base_result([finding("OTHER-1", Verdict.FAIL, "x")])))
    _validate(data)
    rules = data["runs"][0]["tool"]["driver"]["rules"]
    assert "OTHER-1" in [r["id"] for r in rules]
    (result,) = data["runs"][0]["results"]
    assert rules[result["ruleIndex"]]["id"] == "OTHER-1"


def test_deterministic(rich_result: EvaluationResult, copy_result) -> None:
    shuffled = copy_result(rich_result)
    shuffled.findings.reverse()
    shuffled.policies.reverse()
    assert sarif_report.render(shuffled) == sarif_report.render(rich_result)
