"""The coverage matrix from hand-linked inventories (link fields filled in as relations.link would)."""

from __future__ import annotations

import pytest

from auditor.coverage import coverage_rows
from auditor.inventory.model import (
    Alarm,
    AlarmType,
    DataCapture,
    Dataset,
    DatasetStatus,
    Endpoint,
    EndpointKind,
    Inventory,
    JobDefinition,
    LastExecution,
    Monitor,
    MonitorType,
    ScanMetadata,
    Target,
)
from auditor.results import CellState, Finding, ResourceKind, Severity, Verdict

ACCOUNT, REGION = "111122223333", "eu-west-1"
PREFIX = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
OK, DEGRADED, MISSING, NA, UNKNOWN = (
    CellState.OK,
    CellState.DEGRADED,
    CellState.MISSING,
    CellState.NOT_APPLICABLE,
    CellState.UNKNOWN,
)


def capture(**kw: object) -> DataCapture:
    fields: dict[str, object] = {
        "enabled": True,
        "capture_status": "Started",
        "current_sampling_percentage": 20,
        "destination_s3_uri": "s3://bucket/capture",
        "capture_options": ["Input", "Output"],
    }
    fields.update(kw)
    return DataCapture(**fields)  # type: ignore[arg-type]


def endpoint(name: str, monitors: list[Monitor] = (), **kw: object) -> Endpoint:  # type: ignore[assignment]
    fields: dict[str, object] = {"kind": EndpointKind.REAL_TIME, "data_capture": capture()}
    fields.update(kw)
    return Endpoint(
        arn=f"{PREFIX}:endpoint/{name}",
        name=name,
        account_id=ACCOUNT,
        region=REGION,
        status="InService",
        monitor_arns=[m.arn for m in monitors],
        **fields,  # type: ignore[arg-type]
    )


def monitor(
    name: str, kind: MonitorType, status: str = "Scheduled", alarms: list[Alarm] = (), **kw: object
) -> Monitor:  # type: ignore[assignment]
    return Monitor(
        arn=f"{PREFIX}:monitoring-schedule/{name}",
        name=name,
        account_id=ACCOUNT,
        region=REGION,
        monitor_type=kind,
        status=status,
        job_definition_arn=f"{PREFIX}:job-definition/{name}-job",
        alarm_arns=[a.arn for a in alarms],
        **kw,  # type: ignore[arg-type]
    )


def job_for(m: Monitor, publish: str | None = "Enabled") -> JobDefinition:
    assert m.job_definition_arn is not None
    return JobDefinition(
        arn=m.job_definition_arn,
        name=f"{m.name}-job",
        account_id=ACCOUNT,
        region=REGION,
        monitor_type=m.monitor_type,
        publish_cloudwatch_metrics=publish,
        baseline_constraints_uri="s3://bucket/baseline/constraints.json",
        ground_truth_s3_uri="s3://bucket/ground-truth"
        if m.monitor_type in (MonitorType.MODEL_QUALITY, MonitorType.MODEL_BIAS)
        else None,
        monitor_arns=[m.arn],
    )


def alarm(name: str, actions: bool = True) -> Alarm:
    return Alarm(
        arn=f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}",
        name=name,
        account_id=ACCOUNT,
        region=REGION,
        alarm_type=AlarmType.METRIC,
        state="OK",
        actions_enabled=actions,
        alarm_actions=[f"arn:aws:sns:{REGION}:{ACCOUNT}:oncall"] if actions else [],
    )


def inventory(
    endpoints: list[Endpoint],
    monitors: list[Monitor] = (),  # type: ignore[assignment]
    alarms: list[Alarm] = (),  # type: ignore[assignment]
    jobs: list[JobDefinition] | None = None,
    datasets: dict[Dataset, DatasetStatus] | None = None,
) -> Inventory:
    return Inventory(
        metadata=ScanMetadata(tool_version="0", started_at="", finished_at=""),
        targets=[Target(ACCOUNT, REGION, datasets or {d: DatasetStatus.COMPLETE for d in Dataset})],
        endpoints=endpoints,
        monitors=list(monitors),
        job_definitions=[job_for(m) for m in monitors] if jobs is None else jobs,
        alarms=list(alarms),
    )


def cells(row: object) -> tuple[CellState, ...]:
    return tuple(
        getattr(row, f)
        for f in (
            "data_capture",
            "data_quality",
            "model_quality",
            "model_bias",
            "model_explainability",
            "drift_alarm",
        )
    )


def _fully_monitored(name: str = "full") -> tuple[Endpoint, list[Monitor], list[Alarm]]:
    alarms = [alarm(f"{name}-{t.value}-alarm") for t in MonitorType]
    monitors = [monitor(f"{name}-{t.value}", t, alarms=[a]) for t, a in zip(MonitorType, alarms, strict=True)]
    return endpoint(name, monitors), monitors, alarms


def test_fully_monitored_endpoint_pass() -> None:
    ep, monitors, alarms = _fully_monitored()
    (row,) = coverage_rows(inventory([ep], monitors, alarms))
    assert cells(row) == (OK,) * 6
    assert row.notes == [] and row.endpoint_name == "full" and row.kind == "real_time"


def test_bare_endpoint_fail_everything_missing() -> None:
    (row,) = coverage_rows(inventory([endpoint("bare", data_capture=None)]))
    assert cells(row) == (MISSING,) * 6


def test_serverless_endpoint_is_not_applicable_with_a_reason() -> None:
    (row,) = coverage_rows(inventory([endpoint("sls", kind=EndpointKind.SERVERLESS, data_capture=None)]))
    assert cells(row) == (NA,) * 6
    assert "serverless" in row.notes[0]


def test_failed_monitor_dataset_makes_monitor_and_alarm_cells_unknown() -> None:
    datasets = {d: DatasetStatus.COMPLETE for d in Dataset} | {Dataset.MONITORS: DatasetStatus.FAILED}
    (row,) = coverage_rows(inventory([endpoint("ep")], datasets=datasets))
    assert cells(row) == (OK, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN)


def test_capture_problems_fail_degraded() -> None:
    rows = coverage_rows(
        inventory(
            [
                endpoint("a-stopped", data_capture=capture(capture_status="Stopped")),
                endpoint("b-input-only", data_capture=capture(capture_options=["Input"])),
                endpoint("c-disabled", data_capture=capture(enabled=False)),
                endpoint("d-both", data_capture=capture(capture_options=["InputAndOutput"])),
            ]
        )
    )
    assert [r.data_capture for r in rows] == [DEGRADED, DEGRADED, DEGRADED, OK]
    assert "data capture is Stopped" in rows[0].notes
    assert "data capture does not record both input and output" in rows[1].notes


def test_capture_options_unknown_when_endpoint_config_could_not_be_read() -> None:
    ep = endpoint("ep", data_capture=capture(capture_options=None), missing=[Dataset.ENDPOINT_CONFIGS])
    (row,) = coverage_rows(inventory([ep]))
    assert row.data_capture is UNKNOWN


def test_broken_monitors_fail_degraded() -> None:
    stopped = monitor("stopped", MonitorType.DATA_QUALITY, status="Stopped")
    failing = monitor("failing", MonitorType.MODEL_QUALITY, last_execution=LastExecution(status="Failed"))
    silent = monitor("silent", MonitorType.MODEL_BIAS)
    orphan = monitor("orphan", MonitorType.MODEL_EXPLAINABILITY)
    jobs = [job_for(stopped), job_for(failing), job_for(silent, publish="Disabled")]  # orphan's job is gone
    ep = endpoint("ep", [stopped, failing, silent, orphan])
    (row,) = coverage_rows(inventory([ep], [stopped, failing, silent, orphan], jobs=jobs))
    assert cells(row) == (OK, DEGRADED, DEGRADED, DEGRADED, DEGRADED, MISSING)
    assert "no alarm watches stopped" in row.notes
    assert "schedule stopped is Stopped" in row.notes
    assert "last run of failing failed" in row.notes
    assert "silent does not publish CloudWatch metrics" in row.notes
    assert "job definition of orphan not found" in row.notes


@pytest.mark.parametrize("status", ["Stopping", "CompletedWithWarnings", None])
def test_a_last_execution_not_known_to_be_healthy_is_degraded(status: str | None) -> None:
    """Allow-list: a status AWS adds later, or none at all, is never shown as OK."""
    m = monitor("m", MonitorType.DATA_QUALITY, last_execution=LastExecution(status=status))
    ep = endpoint("ep", [m])
    (row,) = coverage_rows(inventory([ep], [m], jobs=[job_for(m)]))
    assert row.data_quality is DEGRADED
    assert any(note.startswith("last run of m ") for note in row.notes), row.notes


def test_one_healthy_monitor_of_a_type_is_enough() -> None:
    stopped = monitor("old", MonitorType.DATA_QUALITY, status="Stopped")
    healthy = monitor("new", MonitorType.DATA_QUALITY)
    (row,) = coverage_rows(inventory([endpoint("ep", [stopped, healthy])], [stopped, healthy]))
    assert row.data_quality is OK


def test_alarm_without_actions_fail_degraded() -> None:
    quiet = alarm("quiet", actions=False)
    m = monitor("dq", MonitorType.DATA_QUALITY, alarms=[quiet])
    (row,) = coverage_rows(inventory([endpoint("ep", [m])], [m], [quiet]))
    assert row.drift_alarm is DEGRADED
    assert any("notifies anyone" in n for n in row.notes)


def test_alarm_without_data_is_noted_but_still_in_place() -> None:
    stuck = alarm("stuck")
    stuck.state = "INSUFFICIENT_DATA"
    m = monitor("dq", MonitorType.DATA_QUALITY, alarms=[stuck])
    (row,) = coverage_rows(inventory([endpoint("ep", [m])], [m], [stuck]))
    assert row.drift_alarm is OK
    assert "alarm stuck has no data (INSUFFICIENT_DATA)" in row.notes


def test_error_verdict_on_a_monitor_makes_its_cell_unknown() -> None:
    ep, monitors, alarms = _fully_monitored()
    dq = next(m for m in monitors if m.monitor_type is MonitorType.DATA_QUALITY)
    error = Finding(
        policy_id="P",
        severity=Severity.HIGH,
        verdict=Verdict.ERROR,
        resource_kind=ResourceKind.MONITOR,
        resource_arn=dq.arn,
        resource_name=dq.name,
        account_id=ACCOUNT,
        region=REGION,
        message="could not read",
    )
    (row,) = coverage_rows(inventory([ep], monitors, alarms), [error])
    assert row.data_quality is UNKNOWN and row.model_quality is OK


def test_rows_are_ordered_and_one_per_endpoint() -> None:
    eps = [endpoint(n) for n in ("zeta", "alpha", "mid")]
    rows = coverage_rows(inventory(eps))
    assert [r.endpoint_name for r in rows] == ["alpha", "mid", "zeta"]


def test_job_definition_without_baseline_or_ground_truth_fail_degraded() -> None:
    mq = monitor("mq", MonitorType.MODEL_QUALITY)
    dq = monitor("dq", MonitorType.DATA_QUALITY)
    mq_job, dq_job = job_for(mq), job_for(dq)
    mq_job.ground_truth_s3_uri = None
    dq_job.baseline_constraints_uri = None
    (row,) = coverage_rows(inventory([endpoint("ep", [mq, dq])], [mq, dq], jobs=[mq_job, dq_job]))
    assert (row.data_quality, row.model_quality) == (DEGRADED, DEGRADED)
    assert "mq has no ground-truth input" in row.notes and "dq has no baseline constraints" in row.notes


def test_drift_alarm_is_degraded_when_one_monitor_has_no_alarm() -> None:
    watched = alarm("mq-alarm")
    dq = monitor("dq", MonitorType.DATA_QUALITY)
    mq = monitor("mq", MonitorType.MODEL_QUALITY, alarms=[watched])
    (row,) = coverage_rows(inventory([endpoint("ep", [dq, mq])], [dq, mq], [watched]))
    assert row.drift_alarm is DEGRADED
    assert "no alarm watches dq" in row.notes


def test_each_row_names_the_chain_it_shows() -> None:
    ep, monitors, alarms = _fully_monitored()
    (row,) = coverage_rows(inventory([ep], monitors, alarms))
    expected = {m.arn for m in monitors} | {m.job_definition_arn for m in monitors} | {a.arn for a in alarms}
    assert row.chain_arns == sorted(expected)
    (bare,) = coverage_rows(inventory([endpoint("bare")]))
    assert bare.chain_arns == []
