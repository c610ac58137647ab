"""The engine: one verdict per (policy, resource in scope), fail closed, waivers, as-of semantics."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from auditor.errors import InputError
from auditor.inventory.store import dumps
from auditor.policy.engine import evaluate
from auditor.policy.loader import load_policy_set
from auditor.policy.waivers import parse_waivers
from auditor.results import Severity, Verdict, WaiverStatus

from .conftest import inventory_from, minimal_policy

ESTATE = {
    "finished_at": "2026-11-27T12:00:00Z",
    "endpoints": [
        {"name": "good", "tags": {"team": "risk"}},
        {"name": "bad", "tags": {"team": "risk"}},
        {"name": "legacy", "tags": {"team": "ops"}},
        {"name": "sls", "kind": "serverless"},
        {"name": "down", "status": "OutOfService"},
        {"name": "far", "region": "eu-west-1"},
    ],
    "monitors": [{"name": "good-dq", "monitor_type": "DataQuality", "endpoint_name": "good"}],
    "targets": [{"region": "eu-west-1", "datasets": {"monitors": "failed"}}],
}


def _verdicts(result, policy_id: str = "mm-data-quality-monitor") -> dict[str, Verdict]:
    return {f.resource_name: f.verdict for f in result.findings if f.policy_id == policy_id}


def _waivers(text: str):
    return parse_waivers(text, "waivers.yaml")


def test_one_verdict_per_policy_and_resource_in_scope() -> None:
    result = evaluate(inventory_from(ESTATE), load_policy_set())
    assert _verdicts(result) == {
        "good": Verdict.PASS,
        "bad": Verdict.FAIL,
        "legacy": Verdict.FAIL,
        "sls": Verdict.NOT_APPLICABLE,
        "far": Verdict.ERROR,  # monitors failed in eu-west-1: fail closed
    }
    keys = [(f.policy_id, f.resource_arn) for f in result.findings]
    assert len(keys) == len(set(keys))
    assert keys == sorted(keys)


def test_result_metadata() -> None:
    inventory = inventory_from(ESTATE)
    pset = load_policy_set()
    result = evaluate(inventory, pset)
    assert result.generated_at == "2026-11-27T12:00:00Z"
    assert result.policy_set_digest == pset.digest
    assert result.inventory_digest == hashlib.sha256(dumps(inventory).encode()).hexdigest()
    assert [p.id for p in result.policies] == [p.id for p in pset.policies]
    assert result.targets == inventory.targets and result.scan is inventory.metadata
    # The matrix is a view of the verdicts, made by the same evaluation: one row per endpoint.
    assert sorted(r.endpoint_arn for r in result.coverage) == sorted(e.arn for e in inventory.endpoints)
    assert result.baseline is None
    fail = next(
        f for f in result.findings if f.resource_name == "bad" and f.policy_id == "mm-data-quality-monitor"
    )
    assert fail.remediation and "CreateMonitoringSchedule" in fail.remediation
    assert fail.message == (
        "DataQuality watched by neither; expected ≥ 1 DataQuality monitor in status Scheduled"
        " (replacement_satisfies: false); found none"
    )


def test_waiver_turns_fail_into_waived_and_reports_unused_and_expired() -> None:
    waivers = _waivers("""
waivers:
  - {id: W-legacy, policy: mm-data-quality-monitor, resources: {tags: {team: ops}}, reason: retiring,
     owner: ops@example.com, expires: 2026-12-31}
  - {id: W-old, policy: mm-data-quality-monitor, resources: {arn: "*:endpoint/bad"}, reason: old, owner: me,
     expires: 2026-11-26}
  - {id: W-none, policy: mm-data-quality-monitor, resources: {arn: "*:endpoint/none-*"}, reason: r, owner: o,
     expires: 2027-01-01}
  - {id: W-error, policy: mm-data-quality-monitor, resources: {region: eu-west-1}, reason: r, owner: o,
     expires: 2027-01-01}
""")
    result = evaluate(inventory_from(ESTATE), load_policy_set(), waivers)
    by_name = {f.resource_name: f for f in result.findings if f.policy_id == "mm-data-quality-monitor"}
    assert by_name["legacy"].verdict == Verdict.WAIVED
    assert by_name["legacy"].waiver is not None and by_name["legacy"].waiver.waiver_id == "W-legacy"
    assert by_name["bad"].verdict == Verdict.FAIL
    assert by_name["bad"].waiver is not None and by_name["bad"].waiver.expired
    assert by_name["bad"].message.startswith("waiver W-old expired on 2026-11-26;")
    assert by_name["far"].verdict == Verdict.ERROR and by_name["far"].waiver is None  # ERROR is never waived
    status = {w.waiver_id: (w.status, w.matched) for w in result.waivers}
    assert status == {
        "W-legacy": (WaiverStatus.ACTIVE, 1),
        "W-old": (WaiverStatus.EXPIRED, 1),
        "W-none": (WaiverStatus.UNUSED, 0),
        "W-error": (WaiverStatus.UNUSED, 0),
    }


def test_waiver_expiry_is_judged_as_of_the_scan() -> None:
    waivers = _waivers("""
waivers:
  - {id: W, policy: mm-data-quality-monitor, resources: {arn: "*:endpoint/bad"}, reason: r, owner: o,
     expires: 2026-11-27}
""")
    inventory = inventory_from(ESTATE)
    on_the_day = evaluate(inventory, load_policy_set(), waivers)
    assert _verdicts(on_the_day)["bad"] == Verdict.WAIVED  # applies through its expiry day
    later = evaluate(inventory, load_policy_set(), waivers, as_of=datetime(2026, 11, 28, 0, 30, tzinfo=UTC))
    assert _verdicts(later)["bad"] == Verdict.FAIL
    assert later.generated_at == "2026-11-28T00:30:00Z"


def test_same_snapshot_same_verdicts_months_later() -> None:
    fragment = {
        "finished_at": "2026-11-27T12:00:00Z",
        "endpoints": [{"name": "ep"}],
        "monitors": [
            {
                "name": "m",
                "monitor_type": "DataQuality",
                "endpoint_name": "ep",
                "interval_seconds": 3600,
                "last_execution": {"status": "Completed", "scheduled_time": "2026-11-27T11:30:00Z"},
            }
        ],
    }
    inventory = inventory_from(fragment)
    first = evaluate(inventory, load_policy_set())
    # Re-evaluating the saved snapshot does not depend on the wall clock: as_of defaults to finished_at.
    again = evaluate(inventory, load_policy_set())
    assert [(f.policy_id, f.verdict) for f in first.findings] == [
        (f.policy_id, f.verdict) for f in again.findings
    ]
    fresh = {f.policy_id: f.verdict for f in first.findings}["mm-execution-freshness"]
    assert fresh == Verdict.PASS
    months_later = evaluate(inventory, load_policy_set(), as_of=datetime(2027, 3, 1, tzinfo=UTC))
    assert {f.policy_id: f.verdict for f in months_later.findings}["mm-execution-freshness"] == Verdict.FAIL


def test_enable_disable_by_id_and_tag(write_policy) -> None:
    path = write_policy(minimal_policy(id="t-off", enabled=False, tags=["extra"]))
    default = load_policy_set([path])
    assert default.get("t-off") is None and any(p.id == "t-off" for p in default.available)
    only_extra = load_policy_set([path], enable=["extra"])
    assert [p.id for p in only_extra.policies] == ["t-off"]  # a non-empty enable runs only what it names
    assert [p.id for p in load_policy_set([path], enable=["t-off", "founding"]).policies] == [
        "mm-data-quality-monitor",
        "mm-drift-alarm",
        "mm-ground-truth-input",
        "t-off",
    ]
    no_alerting = load_policy_set(disable=["alerting"])
    assert no_alerting.get("mm-drift-alarm") is None and no_alerting.get("mm-data-capture") is not None
    assert no_alerting.digest != default.digest


def test_parameter_overrides_change_verdicts_and_digest() -> None:
    fragment = {
        "endpoints": [
            {
                "name": "e",
                "data_capture": {
                    "enabled": True,
                    "capture_status": "Started",
                    "current_sampling_percentage": 30,
                    "capture_options": ["InputAndOutput"],
                },
            }
        ]
    }
    inventory = inventory_from(fragment)
    default = load_policy_set(enable=(), disable=())
    strict = load_policy_set(parameters={"mm-data-capture": {"min_sampling_percent": 50}})
    assert default.digest != strict.digest

    def capture(pset):
        return next(f for f in evaluate(inventory, pset).findings if f.policy_id == "mm-data-capture")

    assert capture(default).verdict == Verdict.PASS
    failing = capture(strict)
    assert failing.verdict == Verdict.FAIL and "sampling ≥ 50%" in failing.message


def test_severity_rule_lowers_severity_only_for_its_case() -> None:
    fragment = {
        "endpoints": [{"name": "ep"}],
        "job_definitions": [
            {"name": "unset", "monitor_type": "DataQuality"},
            {"name": "off", "monitor_type": "DataQuality", "publish_cloudwatch_metrics": "Disabled"},
        ],
        "monitors": [
            {
                "name": "a",
                "monitor_type": "DataQuality",
                "endpoint_name": "ep",
                "job_definition_name": "unset",
            },
            {"name": "b", "monitor_type": "DataQuality", "endpoint_name": "ep", "job_definition_name": "off"},
        ],
    }
    findings = {
        f.resource_name: f
        for f in evaluate(inventory_from(fragment), load_policy_set()).findings
        if f.policy_id == "mm-metrics-publishing"
    }
    assert findings["a"].severity == Severity.LOW and findings["b"].severity == Severity.HIGH


def test_scope_that_needs_missing_data_is_error_not_silence() -> None:
    # The ModelQuality policy is scoped by a production tag; without tags we cannot tell, so ERROR.
    fragment = {"endpoints": [{"name": "e"}], "targets": [{"datasets": {"tags": "failed"}}]}
    result = evaluate(inventory_from(fragment), load_policy_set())
    mq = [f for f in result.findings if f.policy_id == "mm-model-quality-monitor"]
    assert [f.verdict for f in mq] == [Verdict.ERROR]
    assert "tags (failed in 111111111111/us-east-1)" in mq[0].message


def test_resource_level_missing_dataset_of_a_linked_monitor_is_error() -> None:
    fragment = {
        "endpoints": [{"name": "e"}],
        "job_definitions": [{"name": "jd", "monitor_type": "ModelQuality"}],
        "monitors": [
            {
                "name": "m",
                "monitor_type": "ModelQuality",
                "endpoint_name": "e",
                "job_definition_name": "jd",
                "missing": ["job_definitions"],
            }
        ],
    }
    result = evaluate(inventory_from(fragment), load_policy_set())
    gt = next(f for f in result.findings if f.policy_id == "mm-ground-truth-input")
    assert gt.verdict == Verdict.ERROR and "could not be read for this resource" in gt.message


def test_a_partial_dataset_is_error_only_for_the_resources_that_miss_it() -> None:
    """PARTIAL: every resource is there; the one that could not be read says so in ``missing``."""
    fragment = {
        "endpoints": [{"name": "read"}, {"name": "unread", "missing": ["endpoint_configs"]}],
        "monitors": [
            {"name": f"{n}-dq", "monitor_type": "DataQuality", "endpoint_name": n} for n in ("read", "unread")
        ],
        "targets": [{"datasets": {"endpoint_configs": "partial"}}],
    }
    result = evaluate(inventory_from(fragment), load_policy_set())
    assert _verdicts(result, "mm-data-capture") == {"read": Verdict.FAIL, "unread": Verdict.ERROR}
    assert _verdicts(result) == {"read": Verdict.PASS, "unread": Verdict.PASS}  # needs no endpoint config
    # The target itself has no `missing`: its own completeness is not established.
    (completeness,) = [f for f in result.findings if f.policy_id == "mm-scan-completeness"]
    assert completeness.verdict is Verdict.ERROR and "endpoint_configs (partial in" in completeness.message


def test_target_not_in_scan_is_error(write_policy) -> None:
    inventory = inventory_from({"endpoints": [{"name": "e"}]})
    inventory.targets = []
    result = evaluate(inventory, load_policy_set([write_policy(minimal_policy())], builtin=False))
    assert [f.verdict for f in result.findings] == [Verdict.ERROR]
    assert "was not a scan target" in result.findings[0].message


def test_policy_files_are_recorded(tmp_path: Path, write_policy) -> None:
    path = write_policy(
        yaml.safe_dump({"policies": [minimal_policy(), minimal_policy(id="t-two")]}), "pack.yaml"
    )
    pset = load_policy_set([tmp_path])
    labels = [label for label, _ in pset.files]
    assert str(path) in labels
    assert any(label == "builtin/mm-drift-alarm/policy.yaml" for label in labels)
    assert {"t-dq", "t-two"} <= {p.id for p in pset.policies}
    assert next(p for p in pset.policies if p.id == "t-two").info().source == str(path)


def test_malformed_scan_time_is_input_error() -> None:
    inventory = inventory_from({"endpoints": [{"name": "e"}]})
    inventory.metadata.finished_at = "yesterday"
    with pytest.raises(InputError) as info:
        evaluate(inventory, load_policy_set())
    assert info.value.location == "metadata.finished_at"
