"""End-to-end: the sample estate of the local AWS, scanned for real, judged by the built-in pack.

Table-driven from the estate's manifest: every deliberately broken link gives the expected verdict on
exactly the expected resource, and nothing else in the estate is anything but PASS (or NOT_APPLICABLE
where Model Monitor cannot apply), so the compliant endpoints pass every policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from auditor.api import scan
from auditor.emulator import LocalAws
from auditor.emulator.estate import Estate, EstateCase, build_estate
from auditor.inventory.model import Inventory
from auditor.policy.engine import evaluate
from auditor.policy.loader import load_policy_set
from auditor.results import CellState, EvaluationResult, Severity, Verdict
from auditor.scan.options import ScanOptions

pytestmark = pytest.mark.e2e

ENDPOINT_POLICIES = (
    "mm-data-capture",
    "mm-data-quality-monitor",
    "mm-model-quality-monitor",
    "mm-model-bias-monitor",
    "mm-model-explainability-monitor",
)


@dataclass(frozen=True)
class Expect:
    policy_id: str
    on: str  # the manifest line's kind ("endpoint", "monitor", "alarm", "job_definition") or "dq_monitor"
    verdict: Verdict = Verdict.FAIL
    severity: Severity | None = None  # None: the policy's own severity
    message: str = ""  # a fragment the message must contain


# defect id (the estate manifest) -> the verdicts it must produce; defects absent here must produce none.
EXPECTED: dict[str, tuple[Expect, ...]] = {
    "compliant": (),
    "development_endpoint": (),
    "math_alarm_valid": (),
    "composite_alarm_valid": (),
    "hostile_names": (),
    # No alarm actions; an EventBridge rule on its ALARM state change starts a pipeline (the AWS sample).
    "eventbridge_alarm_valid": (),
    # Each endpoint's drift alarm lives in the monitoring account, on its metrics (Metrics[].AccountId).
    "central_monitoring_alarm": (),
    "alarm_topic_unconfirmed": (
        Expect("mm-alarm-actionable", "alarm", message="has no confirmed subscription (1 pending)"),
    ),
    "alarm_topic_deleted": (Expect("mm-alarm-actionable", "alarm", message="does not exist"),),
    "no_data_capture": (Expect("mm-data-capture", "endpoint", message="found enabled=none"),),
    "capture_input_only": (Expect("mm-data-capture", "endpoint", message="options=Input"),),
    "no_data_quality_monitor": (
        Expect(
            "mm-data-quality-monitor",
            "endpoint",
            message="expected ≥ 1 DataQuality monitor in status Scheduled",
        ),
    ),
    "schedule_stopped": (
        Expect("mm-data-quality-monitor", "endpoint", message="DataQuality/Stopped"),
        Expect("mm-schedule-status", "monitor", message="found Stopped"),
    ),
    "schedule_failed": (
        Expect("mm-data-quality-monitor", "endpoint", message="DataQuality/Failed"),
        Expect("mm-schedule-status", "monitor", message="Access denied"),
    ),
    "last_execution_failed": (
        Expect("mm-last-execution", "monitor", severity=Severity.HIGH, message="found Failed"),
        # Its earlier runs completed and published: the newest completed one is judged, its metrics listed.
        Expect("mm-metrics-exist", "monitor", Verdict.PASS, message="in aws/sagemaker/Endpoints/"),
    ),
    "completed_with_violations": (Expect("mm-last-execution", "monitor", severity=Severity.LOW),),
    "last_execution_stale": (Expect("mm-execution-freshness", "monitor"),),
    "model_quality_no_ground_truth": (
        Expect(
            "mm-ground-truth-input", "monitor", severity=Severity.CRITICAL, message="GroundTruthS3Input.S3Uri"
        ),
    ),
    "metrics_disabled": (
        Expect("mm-metrics-publishing", "monitor", severity=Severity.HIGH, message="found Disabled"),
        Expect("mm-metrics-exist", "monitor", Verdict.NOT_APPLICABLE, message="not enabled"),
    ),
    "metrics_key_absent": (
        Expect("mm-metrics-publishing", "monitor", severity=Severity.LOW, message="not set"),
        Expect("mm-metrics-exist", "monitor", Verdict.NOT_APPLICABLE, message="not enabled"),
    ),
    # The last run completed after 10 of the 11 before it failed: mm-last-execution passes, this does not.
    "repeated_failures": (
        Expect(
            "mm-repeated-failures",
            "monitor",
            message="found 10 failed, by reason no_input_data 9, permissions 1",
        ),
    ),
    # Violations in all 12 runs, and the monitor's alarm is not in ALARM.
    "violations_ignored": (
        Expect("mm-violations-ignored", "monitor", message="12 of the last 12 executions"),
        Expect("mm-last-execution", "monitor", severity=Severity.LOW),
    ),
    # The alarm's namespace is another spelling: CloudWatch matches exactly, so it never fires.
    "alarm_misspelt_namespace": (
        Expect(
            "mm-drift-alarm",
            "dq_monitor",
            message="/aws/sagemaker/Endpoints/data-metric, but this monitor publishes to "
            "aws/sagemaker/Endpoints/data-metrics",
        ),
    ),
    # Capture is on and Started, but its newest object is 3 days old (nothing in the 2-day listing).
    "capture_stopped": (Expect("mm-capture-arrives", "endpoint", message="none since"),),
    # Labels last arrived 10 days ago under the ModelQuality job's ground-truth prefix.
    "ground_truth_stale": (
        Expect(
            "mm-ground-truth-arrives", "monitor", message="expected a ground-truth object younger than P7D"
        ),
    ),
    "no_drift_alarm": (Expect("mm-drift-alarm", "monitor", message="MonitoringSchedule="),),
    # The alarm has only the Endpoint dimension, so it never sees the metric: the monitor has no drift alarm.
    "alarm_wrong_dimensions": (Expect("mm-drift-alarm", "dq_monitor"),),
    "alarm_actions_disabled": (Expect("mm-alarm-actionable", "alarm", message="actions_enabled=false"),),
    "alarm_no_actions": (Expect("mm-alarm-actionable", "alarm", message="alarm_actions=none"),),
    "alarm_insufficient_data_long": (Expect("mm-alarm-insufficient-data", "alarm"),),
    "serverless_endpoint": tuple(Expect(p, "endpoint", Verdict.NOT_APPLICABLE) for p in ENDPOINT_POLICIES),
    "orphan_schedule": (Expect("mm-orphan-schedule", "monitor", message="which does not exist"),),
    # Migrated off Model Monitor: with no recogniser declared (this scan) and replacement_satisfies off,
    # the replacement is not seen; tests/scan/test_replacements_e2e.py scans with the demo's recogniser.
    "migrated_to_replacement": (
        Expect("mm-data-quality-monitor", "endpoint", message="DataQuality watched by neither;"),
    ),
    "replacement_not_actionable": (
        Expect("mm-data-quality-monitor", "endpoint", message="DataQuality watched by neither;"),
    ),
    # Its model's container is MultiModel: Model Monitor cannot watch it, so nothing is asked of it.
    "multi_model_endpoint": tuple(
        Expect(p, "endpoint", Verdict.NOT_APPLICABLE, message="multi-model") for p in ENDPOINT_POLICIES
    ),
    # Capture goes to a bucket of another member account: the listing (ExpectedBucketOwner = the endpoint's
    # account) is refused, so whether capture arrives is unknown, never PASS; the region's scan is
    # incomplete, and the ground-truth checks of its monitors (which embed the endpoint) cannot be decided.
    "capture_bucket_other_account": (
        Expect("mm-capture-arrives", "endpoint", Verdict.ERROR, message="bucket ml-central-capture-"),
        Expect("mm-ground-truth-arrives", "mq_monitor", Verdict.ERROR, message="s3_objects"),
        Expect("mm-ground-truth-arrives", "bias_monitor", Verdict.ERROR, message="s3_objects"),
        Expect("mm-scan-completeness", "target", Verdict.ERROR, message="ml-central-capture-"),
    ),
    "job_definition_without_schedule": (Expect("mm-orphan-job-definition", "job_definition"),),
}


@dataclass(frozen=True)
class Judged:
    estate: Estate
    inventory: Inventory
    result: EvaluationResult


@pytest.fixture(scope="module")
def judged() -> Iterator[Judged]:
    aws = LocalAws.start()
    try:
        aws.reset()
        estate = build_estate(aws)
        options = ScanOptions(
            accounts=estate.member_account_ids,
            regions=estate.regions,
            endpoint_url=aws.endpoint_url,
            role_name=estate.role_name,
        )
        inventory = scan(options, session=aws.session())  # no environment variables needed
        yield Judged(estate, inventory, evaluate(inventory, load_policy_set()))
    finally:
        aws.stop()


_MONITOR_OF = {"dq_monitor": "DataQuality", "mq_monitor": "ModelQuality", "bias_monitor": "ModelBias"}


def _resource_arn(judged: Judged, case: EstateCase, on: str) -> str | None:
    if on in _MONITOR_OF or on == "target":
        if case.kind != "endpoint":
            return None
        if on == "target":
            return f"target:{case.account_id}:{case.region}"
        return next(
            m.arn
            for m in judged.inventory.monitors
            if m.endpoint_name == case.name
            and m.account_id == case.account_id
            and m.region == case.region
            and m.monitor_type == _MONITOR_OF[on]
        )
    return case.arn if case.kind == on else None


def _expected(judged: Judged) -> dict[tuple[str, str], Expect]:
    out: dict[tuple[str, str], Expect] = {}
    for case in judged.estate.cases:
        for expect in EXPECTED[case.defect]:
            arn = _resource_arn(judged, case, expect.on)
            if arn is not None:
                out[(expect.policy_id, arn)] = expect
    return out


def test_every_seeded_defect_is_in_the_table(judged: Judged) -> None:
    assert {c.defect for c in judged.estate.cases} <= set(EXPECTED)
    # the one scan error is seeded: the capture bucket of another account
    assert [(e.operation, e.error_code) for e in judged.inventory.errors] == [
        ("ListObjectsV2", "AccessDenied")
    ]


@pytest.mark.parametrize("defect", sorted(d for d, e in EXPECTED.items() if e))
def test_broken_link_gives_its_verdict_on_exactly_that_resource(judged: Judged, defect: str) -> None:
    cases = judged.estate.cases_with(defect)
    assert cases, f"the estate seeds no {defect}"
    expected = {k: v for k, v in _expected(judged).items() if v in EXPECTED[defect]}
    by_key = {(f.policy_id, f.resource_arn): f for f in judged.result.findings}
    assert expected
    for (policy_id, arn), expect in expected.items():
        finding = by_key.get((policy_id, arn))
        assert finding is not None, f"{defect}: no {policy_id} verdict on {arn}"
        assert finding.verdict == expect.verdict, f"{defect}: {policy_id} on {arn}: {finding.message}"
        if expect.severity is not None:
            assert finding.severity == expect.severity
        assert expect.message in finding.message


def test_alerts_travel_the_way_the_messages_say(judged: Judged) -> None:
    by_key = {(f.policy_id, f.resource_name): f for f in judged.result.findings}
    (retrain,) = [c for c in judged.estate.cases_with("eventbridge_alarm_valid") if c.kind == "alarm"]
    finding = by_key[("mm-alarm-actionable", retrain.name)]
    assert finding.verdict is Verdict.PASS
    assert (
        "via EventBridge rule default/drift-retrain-retrain-on-drift → arn:aws:sagemaker:" in finding.message
    )
    central = [c for c in judged.estate.cases_with("central_monitoring_alarm") if c.kind == "alarm"]
    members = {
        c.account_id for c in judged.estate.cases_with("central_monitoring_alarm") if c.kind == "endpoint"
    }
    assert len(central) == 2 and len(members) == 2
    for case in central:
        assert case.account_id not in members
        alarm = next(a for a in judged.inventory.alarms if a.arn == case.arn)
        assert len(alarm.metric_accounts) == 1 and alarm.metric_accounts[0] in members
        assert alarm.monitor_arns, "the monitoring account's alarm links to the member account's monitor"
        message = by_key[("mm-alarm-actionable", case.name)].message
        assert f"in monitoring account {case.account_id} on metrics of {alarm.metric_accounts[0]}" in message
        assert "SNS topic ml-monitoring-alerts" in message and "1 confirmed subscription" in message
    for endpoint in (c for c in judged.estate.cases_with("central_monitoring_alarm") if c.kind == "endpoint"):
        monitor = next(
            m
            for m in judged.inventory.monitors
            if m.endpoint_name == endpoint.name
            and m.account_id == endpoint.account_id
            and m.monitor_type == "DataQuality"
        )
        drift = next(
            f
            for f in judged.result.findings
            if f.policy_id == "mm-drift-alarm" and f.resource_arn == monitor.arn
        )
        assert drift.verdict is Verdict.PASS and "in monitoring account" in drift.message


def test_nothing_else_fails_so_compliant_endpoints_pass_every_policy(judged: Judged) -> None:
    """Exactly the table's verdicts on exactly the table's resources: nothing else is non-PASS."""
    expected = _expected(judged)
    actual = {
        (f.policy_id, f.resource_arn): f.verdict for f in judged.result.findings if f.verdict != Verdict.PASS
    }
    assert actual == {k: e.verdict for k, e in expected.items() if e.verdict != Verdict.PASS}


def test_compliant_endpoints_get_a_pass_from_every_endpoint_and_monitor_policy(judged: Judged) -> None:
    compliant = [c for c in judged.estate.cases if c.defect == "compliant"]
    assert len(compliant) >= 3
    for case in compliant:
        verdicts = {f.policy_id: f.verdict for f in judged.result.findings if f.resource_arn == case.arn}
        assert verdicts == dict.fromkeys((*ENDPOINT_POLICIES, "mm-capture-arrives"), Verdict.PASS), case.name
        monitors = [m for m in judged.inventory.monitors if m.endpoint_arn == case.arn]
        assert {m.monitor_type for m in monitors} == {
            "DataQuality",
            "ModelQuality",
            "ModelBias",
            "ModelExplainability",
        }
        for monitor in monitors:
            on_monitor = {
                f.policy_id: f.verdict for f in judged.result.findings if f.resource_arn == monitor.arn
            }
            assert set(on_monitor.values()) == {Verdict.PASS}, monitor.name
            assert {
                "mm-schedule-status",
                "mm-last-execution",
                "mm-execution-freshness",
                "mm-monitor-baseline",
                "mm-metrics-publishing",
                "mm-schedule-frequency",
                "mm-orphan-schedule",
            } <= set(on_monitor)
        dq = next(m for m in monitors if m.monitor_type == "DataQuality")
        assert {f.policy_id for f in judged.result.findings if f.resource_arn == dq.arn} >= {"mm-drift-alarm"}


def test_scan_completeness_passes_once_per_target(judged: Judged) -> None:
    targets = [f for f in judged.result.findings if f.policy_id == "mm-scan-completeness"]
    assert len(targets) == len(judged.estate.member_account_ids) * len(judged.estate.regions)
    (central,) = [c for c in judged.estate.cases_with("capture_bucket_other_account") if c.kind == "endpoint"]
    incomplete = f"target:{central.account_id}:{central.region}"
    assert {f.verdict for f in targets if f.resource_arn != incomplete} == {Verdict.PASS}


# --------------------------------------------------------------------------- the matrix is a view


def _column_of(
    policy_id: str, resource_arn: str, judged: Judged, columns: dict[str, str | None]
) -> str | None:
    column = columns[policy_id]
    if column is not None:
        return column
    monitor = next((m for m in judged.inventory.monitors if m.arn == resource_arn), None)
    return monitor.monitor_type.value if monitor is not None and monitor.monitor_type else None


def _linked(judged: Judged, endpoint_arn: str) -> set[str]:
    """The endpoint and its monitors, their job definitions and their alarms (from the inventory)."""
    endpoint = next(e for e in judged.inventory.endpoints if e.arn == endpoint_arn)
    monitors = [m for m in judged.inventory.monitors if m.arn in endpoint.monitor_arns]
    return {
        endpoint.arn,
        *(m.arn for m in monitors),
        *(m.job_definition_arn for m in monitors if m.job_definition_arn),
        *(a for m in monitors for a in m.alarm_arns),
    }


@pytest.mark.parametrize(
    "parameters",
    [
        {},
        {"mm-model-quality-monitor": {"production_tag_values": ["production", "development"]}},
        {
            "mm-drift-alarm": {
                "monitor_types": ["DataQuality", "ModelQuality", "ModelBias", "ModelExplainability"]
            }
        },
        {"mm-model-quality-monitor": {"production_tag_values": ["nothing-matches"]}},
    ],
    ids=["defaults", "dev-is-production", "alarm-every-type", "no-production"],
)
def test_every_matrix_cell_is_the_aggregate_of_its_verdicts(judged: Judged, parameters: dict) -> None:
    pset = load_policy_set(parameters=parameters)
    result = evaluate(judged.inventory, pset)
    # Which column each policy feeds, read from the policy files (None: the monitor's type).
    columns: dict[str, str | None] = {}
    for p in pset.policies:
        if p.coverage is not None:
            columns[p.id] = p.coverage.column if isinstance(p.coverage.column, str) else None
    assert len(result.coverage) == len(judged.inventory.endpoints)
    for row in result.coverage:
        linked = _linked(judged, row.endpoint_arn)
        for column_id, cell in row.cells.items():
            verdicts = {
                f.verdict
                for f in result.findings
                if f.policy_id in columns
                and f.resource_arn in linked
                and _column_of(f.policy_id, f.resource_arn, judged, columns) == column_id
            }
            problems = verdicts & {Verdict.FAIL, Verdict.WAIVED}
            if problems:
                expected = {CellState.MISSING, CellState.DEGRADED}
            elif Verdict.ERROR in verdicts:
                expected = {CellState.UNKNOWN}
            elif Verdict.PASS in verdicts:
                expected = {CellState.OK}
            else:
                expected = {CellState.NOT_APPLICABLE}
            assert cell.state in expected, (row.endpoint_name, column_id, cell.state, verdicts, cell.notes)
            if cell.state in (CellState.MISSING, CellState.DEGRADED, CellState.UNKNOWN):
                assert cell.notes, (row.endpoint_name, column_id)


def test_parameters_move_the_matrix(judged: Judged) -> None:
    # dev-sandbox has only a DataQuality monitor: once development counts as production, its
    # ModelQuality cell follows mm-model-quality-monitor from "not required" to "missing".
    parameters = {"mm-model-quality-monitor": {"production_tag_values": ["production", "development"]}}
    default = evaluate(judged.inventory, load_policy_set())
    widened = evaluate(judged.inventory, load_policy_set(parameters=parameters))
    before = {r.endpoint_name: r.cells["ModelQuality"] for r in default.coverage}
    after = {r.endpoint_name: r.cells["ModelQuality"] for r in widened.coverage}
    assert before["dev-sandbox"].state is CellState.NOT_APPLICABLE
    assert after["dev-sandbox"].state is CellState.MISSING
    assert (
        after["dev-sandbox"]
        .notes[0]
        .startswith("mm-model-quality-monitor: ModelQuality watched by neither; expected ≥ 1 ModelQuality")
    )
