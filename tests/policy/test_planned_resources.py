"""Resources read from templates: runtime policies wait for the deploy, unknown values are ERROR."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.inventory.model import ResourceKind
from auditor.policy.documents import document_types
from auditor.policy.engine import judge_all
from auditor.policy.loader import load_policy_set
from auditor.policy.model import Phase, field_closure
from auditor.policy.paths import compile_path
from auditor.results import Verdict

from .conftest import inventory_from, minimal_policy

AS_OF = datetime(2026, 11, 27, 12, tzinfo=UTC)
SOURCE = {"file": "stack.yaml", "line": 12, "address": "Monitor"}


def _verdicts(fragment: dict, policy_id: str) -> dict[str, tuple[Verdict, str]]:
    policy = next(p for p in load_policy_set().policies if p.id == policy_id)
    findings = judge_all(inventory_from(fragment), [policy], AS_OF)
    return {f.resource_name: (f.verdict, f.message) for f in findings}


def test_a_runtime_policy_is_not_applicable_on_a_planned_resource_and_judged_on_a_deployed_one() -> None:
    failed = {"status": "Failed", "scheduled_time": "2026-11-27T11:00:00Z"}
    fragment = {
        "endpoints": [{"name": "ep"}],
        "monitors": [
            {"name": "planned", "monitor_type": "DataQuality", "endpoint_name": "ep", "source": SOURCE},
            {
                "name": "deployed",
                "monitor_type": "DataQuality",
                "endpoint_name": "ep",
                "last_execution": failed,
            },
        ],
    }
    verdicts = _verdicts(fragment, "mm-last-execution")
    assert verdicts["planned"] == (Verdict.NOT_APPLICABLE, "judged after deploy")
    assert verdicts["deployed"][0] is Verdict.FAIL


def test_the_built_in_runtime_policies() -> None:
    runtime = {p.id for p in load_policy_set().policies if p.phase is Phase.RUNTIME}
    assert runtime == {
        "mm-last-execution",
        "mm-execution-freshness",
        "mm-metrics-exist",
        "mm-repeated-failures",
        "mm-violations-ignored",
        "mm-alarm-insufficient-data",
        "mm-scan-completeness",
        "mm-capture-arrives",
        "mm-ground-truth-arrives",
    }


def test_a_check_reading_an_unknown_value_is_error_naming_the_property() -> None:
    why = "Config: DataCaptureConfig.InitialSamplingPercentage is unknown until apply"
    capture = {"enabled": True, "capture_status": "Started", "capture_options": ["Input", "Output"]}
    fragment = {
        "endpoints": [
            {
                "name": "ep",
                "source": SOURCE,
                "data_capture": capture,
                "unknown": {"data_capture.current_sampling_percentage": why},
            }
        ]
    }
    assert _verdicts(fragment, "mm-data-capture")["ep"] == (Verdict.ERROR, why)
    # A policy that does not read the value is judged as usual.
    assert _verdicts(fragment, "mm-data-quality-monitor")["ep"][0] is Verdict.FAIL


def test_an_unknown_block_blocks_the_fields_inside_it_but_not_a_test_of_its_presence(write_policy) -> None:
    why = "DataCaptureConfig is unknown until apply"
    fragment = {"endpoints": [{"name": "ep", "source": SOURCE, "unknown": {"data_capture.enabled": why}}]}
    assert _verdicts(fragment, "mm-data-capture")["ep"] == (Verdict.ERROR, why)
    presence = write_policy(minimal_policy(check={"path": "data_capture", "exists": True}))
    policy = load_policy_set([presence], builtin=False).policies[0]
    (finding,) = judge_all(inventory_from(fragment), [policy], AS_OF)
    assert finding.verdict is Verdict.FAIL  # no capture block at all is known: the enabled flag is not


def test_unknown_values_of_linked_resources_block_the_checks_that_read_them() -> None:
    why = "ModelQualityJobDefinition: GroundTruthS3Input.S3Uri is unknown until apply"
    fragment = {
        "endpoints": [{"name": "ep"}],
        "monitors": [
            {
                "name": "mq",
                "monitor_type": "ModelQuality",
                "endpoint_name": "ep",
                "job_definition_name": "mq-jd",
                "source": SOURCE,
            }
        ],
        "job_definitions": [
            {
                "name": "mq-jd",
                "monitor_type": "ModelQuality",
                "source": SOURCE,
                "unknown": {"ground_truth_s3_uri": why},
            }
        ],
    }
    assert _verdicts(fragment, "mm-ground-truth-input")["mq"] == (Verdict.ERROR, why)
    # The monitor's schedule status is known: the status policy is judged.
    assert _verdicts(fragment, "mm-schedule-status")["mq"][0] is Verdict.PASS


def test_a_monitor_whose_existence_is_unknown_blocks_the_endpoint_checks_that_look_for_monitors() -> None:
    why = "Monitor: Condition IsProd is unknown until deploy"
    fragment = {
        "endpoints": [{"name": "ep", "source": SOURCE}],
        "monitors": [
            {
                "name": "dq",
                "monitor_type": "DataQuality",
                "endpoint_name": "ep",
                "source": SOURCE,
                "unknown": {"": why},
            }
        ],
    }
    assert _verdicts(fragment, "mm-data-quality-monitor")["ep"] == (Verdict.ERROR, why)


def test_an_unknown_link_blocks_the_checks_that_follow_it() -> None:
    why = "Schedule: EndpointName is unknown until apply, so which endpoint it watches is unknown"
    fragment = {"endpoints": [{"name": "ep", "source": SOURCE, "unknown": {"monitors": why}}]}
    assert _verdicts(fragment, "mm-data-quality-monitor")["ep"] == (Verdict.ERROR, why)
    assert _verdicts(fragment, "mm-data-capture")["ep"][0] is Verdict.FAIL  # reads no link


def test_findings_carry_the_source_location() -> None:
    fragment = {"endpoints": [{"name": "ep", "source": SOURCE}, {"name": "scanned"}]}
    policy = next(p for p in load_policy_set().policies if p.id == "mm-data-quality-monitor")
    findings = {f.resource_name: f for f in judge_all(inventory_from(fragment), [policy], AS_OF)}
    location = findings["ep"].location
    assert location is not None and (location.file, location.line, location.address) == (
        "stack.yaml",
        12,
        "Monitor",
    )
    assert findings["scanned"].location is None


def test_a_path_knows_which_record_fields_it_reads() -> None:
    endpoint = document_types()[ResourceKind.ENDPOINT]
    compiled = compile_path("monitors[].job_definition.ground_truth_s3_uri", endpoint)
    assert compiled.reads == {
        (ResourceKind.ENDPOINT, "monitors"),
        (ResourceKind.MONITOR, ""),
        (ResourceKind.MONITOR, "job_definition"),
        (ResourceKind.JOB_DEFINITION, ""),
        (ResourceKind.JOB_DEFINITION, "ground_truth_s3_uri"),
    }
    nested = compile_path("data_capture.current_sampling_percentage", endpoint)
    assert nested.reads == {
        (ResourceKind.ENDPOINT, "data_capture"),
        (ResourceKind.ENDPOINT, "data_capture.current_sampling_percentage"),
    }


def test_field_closure_adds_every_containing_field_and_the_record() -> None:
    closure = field_closure({(ResourceKind.ENDPOINT, "data_capture.enabled")})
    assert closure == {
        (ResourceKind.ENDPOINT, ""),
        (ResourceKind.ENDPOINT, "data_capture"),
        (ResourceKind.ENDPOINT, "data_capture.enabled"),
    }


def test_an_unknown_phase_is_an_input_error(write_policy, tmp_path: Path) -> None:
    path = write_policy(minimal_policy(phase="later"))
    with pytest.raises(InputError, match="phase"):
        load_policy_set([path], builtin=False)
