"""Deny-lists over enum-like fields: the loader warns (never an error), and the built-in pack has none."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auditor.inventory import store
from auditor.inventory.model import (
    AWS_ENUM,
    Alarm,
    DataCapture,
    Endpoint,
    JobDefinition,
    LastExecution,
    Monitor,
)
from auditor.policy.loader import load_policy_set

from .conftest import inventory_from, minimal_policy

WritePolicy = Callable[..., Path]


def test_no_builtin_policy_judges_an_enum_like_field_by_a_deny_list() -> None:
    """The meta-test of issue 12: every built-in policy judges statuses, types and modes by what is
    known to be good."""
    warnings = [w for p in load_policy_set().available for w in p.warnings]
    assert warnings == []


def test_the_fields_aws_can_extend_are_declared_enum_like() -> None:
    declared = {
        (cls.__name__, f.name)
        for cls in (Endpoint, DataCapture, Monitor, LastExecution, JobDefinition, Alarm)
        for f in dataclasses.fields(cls)
        if AWS_ENUM in f.metadata
    }
    assert {
        ("Endpoint", "status"),
        ("DataCapture", "capture_status"),
        ("DataCapture", "capture_options"),
        ("Monitor", "status"),
        ("Monitor", "monitor_type"),
        ("LastExecution", "status"),
        ("JobDefinition", "monitor_type"),
        ("JobDefinition", "problem_type"),
        ("Alarm", "state"),
    } <= declared


def _monitor_policy(check: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return minimal_policy(
        id="t-mon", resource="monitor", check=check, message="found ${last_execution.status}", **extra
    )


@pytest.mark.parametrize(
    "check",
    [
        {"path": "last_execution.status", "not_in": ["Failed", "Stopped"]},
        {"path": "status", "not_equals": "Stopped"},
        {"not": {"path": "last_execution.status", "equals": "Failed"}},
        {"not": {"path": "last_execution.status", "in": ["Failed", "Stopped"]}},
        {"all": [{"path": "name", "exists": True}, {"not": {"any": [{"path": "status", "in": ["X"]}]}}]},
        {"none": "alarms", "where": {"path": "state", "equals": "ALARM"}},
        {"count": "alarms", "where": {"path": "state", "in": ["ALARM"]}, "equals": 0},
        {"some": "alarms", "where": {"path": "state", "not_equals": "ALARM"}},
        {"value": {"path": "monitor_type"}, "not_equals": "DataQuality"},
        {"not": {"path": "endpoint.data_capture.capture_options", "contains": "Input"}},
    ],
)
def test_a_deny_list_over_an_enum_like_field_is_a_warning(
    write_policy: WritePolicy, check: dict[str, Any]
) -> None:
    path = write_policy(_monitor_policy(check))
    pset = load_policy_set([path], builtin=False)  # loads: a warning, not an error
    (warning,) = pset.warnings
    assert warning.startswith(f"warning: {path}:") and ": check" in warning, warning
    assert "deny-list" in warning and "would pass" in warning and "allow-list" in warning


@pytest.mark.parametrize(
    "check",
    [
        {"path": "last_execution.status", "in": ["Completed"]},
        {"path": "status", "equals": "Scheduled"},
        {"not": {"path": "last_execution.status", "not_in": ["Completed"]}},  # a double negation
        {"path": "name", "not_in": ["legacy"]},  # not enum-like
        {"path": "tags", "key": "team", "not_equals": "x"},  # a free mapping
        {"some": "alarms", "where": {"path": "state", "in": ["OK", "ALARM"]}},
        {"count": "alarms", "where": {"path": "state", "equals": "OK"}, "gte": 1},
        {"path": "last_execution", "exists": True},
    ],
)
def test_allow_lists_and_other_fields_are_not_warned_about(
    write_policy: WritePolicy, check: dict[str, Any]
) -> None:
    path = write_policy(_monitor_policy(check))
    assert load_policy_set([path], builtin=False).warnings == []


def test_not_applicable_and_severity_rules_are_linted_but_scope_is_not(write_policy: WritePolicy) -> None:
    policy = _monitor_policy(
        {"path": "status", "equals": "Scheduled"},
        scope={"path": "status", "not_equals": "Deleting"},  # widens what is judged: fail-safe
        not_applicable=[{"when": {"path": "status", "not_in": ["Scheduled"]}, "reason": "r"}],
        severity_when=[{"when": {"not": {"path": "status", "equals": "Failed"}}, "severity": "low"}],
    )
    warnings = load_policy_set([write_policy(policy)], builtin=False).warnings
    assert len(warnings) == 2
    assert "not_applicable[0].when" in warnings[0] and "be NOT_APPLICABLE" in warnings[0]
    assert "severity_when[0].when" in warnings[1] and "get this severity" in warnings[1]


def test_validate_prints_the_warning_on_stderr_and_exits_0(write_policy: WritePolicy) -> None:
    path = write_policy(_monitor_policy({"path": "last_execution.status", "not_in": ["Failed"]}))
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "policies", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "OK: 1 policies" in proc.stdout
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(f"auditor: warning: {path}:") and "not_in" in line


def test_evaluate_prints_the_warnings_of_the_policies_it_runs(
    write_policy: WritePolicy, tmp_path: Path
) -> None:
    saved = tmp_path / "inventory.json"
    store.save(
        inventory_from({"endpoints": [{"name": "ep"}], "monitors": [{"name": "m", "endpoint_name": "ep"}]}),
        saved,
    )
    path = write_policy(_monitor_policy({"path": "status", "not_equals": "Stopped"}))
    base = [sys.executable, "-m", "auditor", "evaluate", str(saved), "--no-builtin", "--policies", str(path)]
    for quiet in (False, True):
        out = tmp_path / f"out-{quiet}"
        args = [*base, "--output-dir", str(out), "--format", "json", *(["--quiet"] if quiet else [])]
        proc = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
        assert proc.returncode == 0, proc.stderr  # a warning never changes the verdicts or the exit code
        warnings = [line for line in proc.stderr.splitlines() if line.startswith("auditor: warning:")]
        assert len(warnings) == (0 if quiet else 1), proc.stderr
