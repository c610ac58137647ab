"""The coverage matrix is a view of the verdicts: each cell aggregates the verdicts of the policies
that feed its column, on the endpoint and on the resources linked to it (issue 13)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from auditor.inventory.codec import from_jsonable, to_jsonable
from auditor.policy.coverage import Contribution, cell
from auditor.policy.engine import evaluate
from auditor.policy.loader import load_policy_set
from auditor.policy.waivers import load_waivers
from auditor.results import (
    CellNotes,
    CellState,
    CoverageCell,
    EvaluationResult,
    Finding,
    ResourceKind,
    Severity,
    Verdict,
    WaiverRef,
)

from .conftest import inventory_from, minimal_policy

OK, BROKEN, MISSING, NA, UNKNOWN = (
    CellState.OK,
    CellState.DEGRADED,
    CellState.MISSING,
    CellState.NOT_APPLICABLE,
    CellState.UNKNOWN,
)
NAMESPACE = {
    "DataQuality": "aws/sagemaker/Endpoints/data-metrics",
    "ModelQuality": "aws/sagemaker/Endpoints/model-metrics",
    "ModelBias": "aws/sagemaker/Endpoints/bias-metrics",
    "ModelExplainability": "aws/sagemaker/Endpoints/explainability-metrics",
}
SNS = "arn:aws:sns:us-east-1:111111111111:oncall"


def watched_endpoint(name: str = "churn", *, alarm_every_monitor: bool = False) -> dict[str, Any]:
    """An endpoint with all four monitors, healthy, and an actionable drift alarm on its DataQuality one."""
    monitors, definitions, alarms = [], [], []
    for monitor_type in NAMESPACE:
        schedule = f"{name}-{monitor_type.lower()}"
        monitors.append(
            {
                "name": schedule,
                "monitor_type": monitor_type,
                "endpoint_name": name,
                "job_definition_name": f"{schedule}-def",
                "schedule_expression": "cron(0 * ? * * *)",
                "interval_seconds": 3600,
                "last_execution": {"status": "Completed", "scheduled_time": "2026-11-27T11:00:00Z"},
                "execution_history": {"runs": 12},
                # labels keep arriving (ListObjectsV2 under the ground-truth prefix)
                "ground_truth_arrival": {
                    "uri": "s3://labels/churn/",
                    "bucket": "labels",
                    "listed_since": "2026-11-13T12:00:00Z",
                    "newest_time": "2026-11-27T10:00:00Z",
                }
                if monitor_type in ("ModelQuality", "ModelBias")
                else None,
                # what the completed, publishing run put into CloudWatch (ListMetrics)
                "metrics": [
                    {
                        "namespace": NAMESPACE[monitor_type],
                        "metric_name": "feature_baseline_drift_age",
                        "dimensions": {"Endpoint": name, "MonitoringSchedule": schedule},
                    }
                ],
            }
        )
        definitions.append(
            {
                "name": f"{schedule}-def",
                "monitor_type": monitor_type,
                "endpoint_name": name,
                "baseline_constraints_uri": f"s3://baselines/{schedule}/constraints.json",
                "baseline_statistics_uri": f"s3://baselines/{schedule}/statistics.json",
                "ground_truth_s3_uri": "s3://labels/churn/"
                if monitor_type in ("ModelQuality", "ModelBias")
                else None,
                "publish_cloudwatch_metrics": "Enabled",
                "network_isolation": True,
                "inter_container_traffic_encryption": True,
                "output_kms_key_id": "alias/mm",
                "volume_kms_key_id": "alias/mm",
            }
        )
        if monitor_type == "DataQuality" or alarm_every_monitor:
            alarms.append(
                {
                    "name": f"{schedule}-drift",
                    "namespace": NAMESPACE[monitor_type],
                    "metric_name": "feature_baseline_drift_age",
                    "dimensions": {"Endpoint": name, "MonitoringSchedule": schedule},
                    "actions_enabled": True,
                    "alarm_actions": [SNS],
                    "state": "OK",
                    "state_updated": "2026-11-20T00:00:00Z",
                }
            )
    return {
        "endpoints": [
            {
                "name": name,
                "tags": {"environment": "production", "risk-tier": "high"},
                "data_capture": {
                    "enabled": True,
                    "capture_status": "Started",
                    "current_sampling_percentage": 20,
                    "destination_s3_uri": "s3://capture/",
                    "capture_options": ["Input", "Output"],
                },
                # captured data keeps arriving (ListObjectsV2 under the variant's prefix)
                "capture_arrivals": [
                    {
                        "uri": f"s3://capture/{name}/AllTraffic/",
                        "bucket": "capture",
                        "listed_since": "2026-11-25T12:00:00Z",
                        "newest_time": "2026-11-27T11:30:00Z",
                        "variant": "AllTraffic",
                    }
                ],
            }
        ],
        "monitors": monitors,
        "job_definitions": definitions,
        "alarms": alarms,
        "topics": [{"name": "oncall", "subscriptions_confirmed": 1}],
    }


def judge(fragment: dict[str, Any], **kwargs: Any) -> EvaluationResult:
    return evaluate(inventory_from(fragment), load_policy_set(**kwargs))


def cells(result: EvaluationResult, endpoint: str = "churn") -> dict[str, CellState]:
    (row,) = [r for r in result.coverage if r.endpoint_name == endpoint]
    return {column: c.state for column, c in row.cells.items()}


def notes(result: EvaluationResult, column: str, endpoint: str = "churn") -> list[str]:
    (row,) = [r for r in result.coverage if r.endpoint_name == endpoint]
    return row.cells[column].notes


# --------------------------------------------------------------------------- the three mismatches


def test_drift_alarm_cell_agrees_with_the_drift_alarm_policy() -> None:
    # Only the DataQuality monitor has an alarm, which is what mm-drift-alarm asks for: every verdict
    # passes, so the cell is in place (main said "broken": no alarm watches the bias/shap monitors).
    result = judge(watched_endpoint())
    failing = [f for f in result.findings if f.verdict is not Verdict.PASS]
    assert failing == [], [(f.policy_id, f.resource_name, f.message) for f in failing]
    assert cells(result) == {
        "data_capture": OK,
        "DataQuality": OK,
        "ModelQuality": OK,
        "ModelBias": OK,
        "ModelExplainability": OK,
        "drift_alarm": OK,
    }


def test_capture_below_the_minimum_is_broken_in_the_matrix_too() -> None:
    fragment = watched_endpoint()
    fragment["endpoints"][0]["data_capture"]["current_sampling_percentage"] = 5
    result = judge(fragment)
    assert cells(result)["data_capture"] is BROKEN  # main said "in place": it only flagged 0 %
    (note,) = notes(result, "data_capture")
    assert note.startswith("mm-data-capture: expected capture enabled") and "sampling percentage=5" in note


def test_a_parameter_override_moves_the_matrix_with_the_verdicts() -> None:
    fragment = watched_endpoint()
    assert cells(judge(fragment))["data_capture"] is OK
    stricter = judge(fragment, parameters={"mm-data-capture": {"min_sampling_percent": 50}})
    assert cells(stricter)["data_capture"] is BROKEN
    assert [f.verdict for f in stricter.findings if f.policy_id == "mm-data-capture"] == [Verdict.FAIL]


# --------------------------------------------------------------------------- states


def test_missing_versus_broken_follows_missing_when() -> None:
    fragment = watched_endpoint()
    fragment["monitors"] = [m for m in fragment["monitors"] if m["monitor_type"] != "DataQuality"]
    fragment["alarms"] = []
    result = judge(fragment)
    assert cells(result)["DataQuality"] is MISSING
    assert cells(result)["data_capture"] is OK

    stopped = watched_endpoint()
    stopped["monitors"][0]["status"] = "Stopped"
    result = judge(stopped)
    assert cells(result)["DataQuality"] is BROKEN
    assert any(n.startswith("mm-schedule-status on churn-dataquality:") for n in notes(result, "DataQuality"))


def test_a_failure_on_a_linked_monitor_breaks_the_column_of_its_type() -> None:
    fragment = watched_endpoint()
    fragment["job_definitions"][1]["ground_truth_s3_uri"] = None  # the ModelQuality definition
    result = judge(fragment)
    assert cells(result)["ModelQuality"] is BROKEN
    assert cells(result)["ModelBias"] is OK
    assert any("mm-ground-truth-input on churn-modelquality" in n for n in notes(result, "ModelQuality"))


def test_missing_drift_alarm_and_silent_alarm() -> None:
    fragment = watched_endpoint()
    fragment["alarms"] = []
    assert cells(judge(fragment))["drift_alarm"] is MISSING

    silent = watched_endpoint()
    silent["alarms"][0]["actions_enabled"] = False
    assert cells(judge(silent))["drift_alarm"] is BROKEN


def test_data_that_could_not_be_collected_makes_the_cell_unknown() -> None:
    fragment = watched_endpoint()
    fragment["targets"] = [{"datasets": {"alarms": "failed"}}]
    result = judge(fragment)
    assert cells(result)["drift_alarm"] is UNKNOWN
    assert cells(result)["DataQuality"] is OK
    assert all("could not be collected" in n for n in notes(result, "drift_alarm"))


def test_serverless_endpoint_cells_are_not_applicable_with_the_reason() -> None:
    result = judge({"endpoints": [{"name": "churn", "kind": "serverless"}]})
    row = cells(result)
    assert row["data_capture"] is NA and row["DataQuality"] is NA
    assert notes(result, "data_capture") == [
        "mm-data-capture: Serverless endpoints cannot be watched by Model Monitor (no data capture)."
    ]


def test_a_waived_failure_still_shows_the_gap(tmp_path: Path) -> None:
    fragment = watched_endpoint()
    fragment["endpoints"][0]["data_capture"]["current_sampling_percentage"] = 5
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - id: W-1\n    policy: mm-data-capture\n    resources: {arn: '*:endpoint/churn'}\n"
        "    reason: sampling raised next sprint\n    owner: ml@example.com\n    expires: 2026-12-31\n"
    )
    result = evaluate(inventory_from(fragment), load_policy_set(), load_waivers(waivers))
    assert [f.verdict for f in result.findings if f.policy_id == "mm-data-capture"] == [Verdict.WAIVED]
    assert cells(result)["data_capture"] is BROKEN
    assert notes(result, "data_capture")[0].endswith("(waived: W-1)")


# --------------------------------------------------------------------------- columns


def test_columns_come_from_the_enabled_policies_in_declared_order() -> None:
    result = judge(watched_endpoint())
    assert [(c.id, c.title) for c in result.coverage_columns] == [
        ("data_capture", "Data capture"),
        ("DataQuality", "DataQuality"),
        ("ModelQuality", "ModelQuality"),
        ("ModelBias", "ModelBias"),
        ("ModelExplainability", "ModelExplainability"),
        ("drift_alarm", "Drift alarm"),
    ]
    only_capture = judge(watched_endpoint(), enable=["mm-data-capture"])
    assert [c.id for c in only_capture.coverage_columns] == ["data_capture"]


def test_a_custom_policy_adds_a_column_with_no_code(write_policy: Any) -> None:
    path = write_policy(
        minimal_policy(
            id="team-owner-tag",
            check={"path": "tags", "key": "owner", "exists": True},
            message="expected an owner tag",
            coverage={"column": "ownership", "title": "Owner", "order": 5},
        )
    )
    fragment = watched_endpoint()
    fragment["endpoints"].append({"name": "owned", "tags": {"owner": "risk"}})
    result = evaluate(inventory_from(fragment), load_policy_set([path]))
    assert result.coverage_columns[0].id == "ownership" and result.coverage_columns[0].title == "Owner"
    assert cells(result)["ownership"] is BROKEN
    assert cells(result, "owned")["ownership"] is OK


def test_a_custom_policy_cannot_feed_a_column_with_a_bad_path(write_policy: Any) -> None:
    from auditor.errors import InputError

    path = write_policy(minimal_policy(coverage={"column": {"path": "no_such_field"}}))
    with pytest.raises(InputError, match=r"coverage\.column\.path: unknown field 'no_such_field'"):
        load_policy_set([path])


# --------------------------------------------------------------------------- the aggregation rule


def _finding(verdict: Verdict, policy: str = "p") -> Finding:
    return Finding(
        policy_id=policy,
        severity=Severity.HIGH,
        verdict=verdict,
        resource_kind=ResourceKind.MONITOR,
        resource_arn=f"arn:{policy}:{verdict.value}",
        resource_name="m",
        account_id="111111111111",
        region="us-east-1",
        message=f"{verdict.value.lower()} message",
        waiver=WaiverRef("W", "r", "o", "2026-12-31") if verdict is Verdict.WAIVED else None,
    )


def _c(verdict: Verdict, missing: bool = False) -> Contribution:
    return Contribution(_finding(verdict), "col", missing, ("arn:e",), on_endpoint=False)


P, F, E, W, N = Verdict.PASS, Verdict.FAIL, Verdict.ERROR, Verdict.WAIVED, Verdict.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("contributions", "state"),
    [
        ([], NA),
        ([_c(N)], NA),
        ([_c(P)], OK),
        ([_c(P), _c(N)], OK),
        ([_c(P), _c(E)], UNKNOWN),
        ([_c(F, missing=True)], MISSING),
        ([_c(F, missing=True), _c(P)], BROKEN),  # some of it is in place
        ([_c(F, missing=True), _c(F)], BROKEN),
        ([_c(F), _c(E)], BROKEN),  # a definite failure wins over an unknown
        ([_c(W)], BROKEN),
        ([_c(W, missing=True)], MISSING),
    ],
)
def test_cell_aggregation_rule(contributions: list[Contribution], state: CellState) -> None:
    result = cell(copy.deepcopy(contributions))
    assert result.state is state
    if state in (BROKEN, MISSING, UNKNOWN):
        assert result.notes  # the verdicts that decided it are named


def test_each_row_names_the_chain_it_shows() -> None:
    fragment = watched_endpoint()
    fragment["endpoints"].append({"name": "bare"})
    result = judge(fragment)
    inventory = inventory_from(fragment)
    expected = {m.arn for m in inventory.monitors}
    expected |= {j.arn for j in inventory.job_definitions} | {a.arn for a in inventory.alarms}
    rows = {r.endpoint_name: r for r in result.coverage}
    assert rows["churn"].chain_arns == sorted(expected)
    assert rows["bare"].chain_arns == []


@pytest.mark.parametrize("status", ["Stopping", "CompletedWithWarnings", None])
def test_a_last_execution_not_known_to_be_healthy_breaks_the_column(status: str | None) -> None:
    """Allow-list: a status AWS adds later, or none at all, is never shown as in place."""
    fragment = watched_endpoint()
    fragment["monitors"][0]["last_execution"] = {"status": status, "scheduled_time": "2026-11-27T11:00:00Z"}
    result = judge(fragment)
    assert cells(result)["DataQuality"] is BROKEN
    assert any(n.startswith("mm-last-execution on churn-dataquality:") for n in notes(result, "DataQuality"))


def test_cell_notes_read_as_the_texts_they_stand_for_and_round_trip_as_a_list() -> None:
    parts = [
        ("mm-data-capture", None, "sampling is 5 %", "W-1"),
        ("mm-drift-alarm", "churn-dq-drift", "", None),
        ("mm-dq-monitor", None, "no DataQuality schedule", None),
    ]
    texts = [
        "mm-data-capture: sampling is 5 % (waived: W-1)",
        "mm-drift-alarm on churn-dq-drift",
        "mm-dq-monitor: no DataQuality schedule",
    ]
    notes = CellNotes(parts)
    assert list(notes) == texts and notes == texts and texts == notes and len(notes) == 3
    assert notes[1] == texts[1] and notes[-1] == texts[-1] and notes[1:] == texts[1:]
    assert notes != texts[:2] and notes != "mm-data-capture"
    kept = CoverageCell(CellState.DEGRADED, notes)
    data = to_jsonable(kept)
    assert data == {"state": "degraded", "notes": texts}
    assert from_jsonable(CoverageCell, data) == kept  # read back as a list, equal to the parts
