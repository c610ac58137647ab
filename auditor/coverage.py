"""The coverage matrix: for each endpoint, which links of the monitoring chain exist and work.

Computed from the *linked* inventory (``relations.link`` fills ``Endpoint.monitor_arns``,
``Monitor.job_definition_arn`` and ``Monitor.alarm_arns``). A cell is a description of the estate,
not a verdict: the policies judge; the matrix shows at a glance where coverage is missing.

Cell rules (fail closed: what could not be read is UNKNOWN, never OK or MISSING):
- whole row NOT_APPLICABLE for endpoint kinds Model Monitor cannot watch (serverless, multi-model,
  inference components);
- data capture: OK when enabled, Started and capturing both input and output; DEGRADED when
  configured but disabled, stopped, sampling 0% or missing input or output; MISSING when absent;
- each monitor type: OK when a linked schedule of that type is Scheduled, its last execution is
  known to be healthy (Completed, CompletedWithViolations, or under way; an unknown status is not),
  and its job definition is found, has a baseline (constraints), has a ground-truth
  input where the type needs one (ModelQuality, ModelBias) and does not disable metrics publishing;
  DEGRADED when one exists but none is healthy; MISSING when none;
- drift alarm: OK when every linked monitor has an actionable alarm on its metrics (actions
  enabled, at least one alarm action); DEGRADED when some monitor has none but some alarm exists;
  MISSING when no monitor has any alarm (or there is no monitor);
- UNKNOWN when the dataset a cell needs failed for the endpoint's (account, region), the endpoint
  itself is marked missing that data, or an ERROR verdict was recorded on the resource the cell is
  built from.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.inventory.model import (
    AWS_ENUM,
    EXECUTION_STATUSES,
    Alarm,
    Dataset,
    Endpoint,
    EndpointKind,
    Inventory,
    JobDefinition,
    Monitor,
    MonitorType,
)
from auditor.results import CellState, CoverageRow, Finding, Verdict

_UNMONITORABLE = {
    EndpointKind.SERVERLESS: "serverless endpoints cannot be monitored by Model Monitor",
    EndpointKind.MULTI_MODEL: "multi-model endpoints cannot be monitored by Model Monitor",
    EndpointKind.INFERENCE_COMPONENT: (
        "endpoints hosting inference components are not supported by Model Monitor"
    ),
}
_HEALTHY_SCHEDULE = "Scheduled"
_NEEDS_GROUND_TRUTH = {MonitorType.MODEL_QUALITY, MonitorType.MODEL_BIAS}
# Allow-list: a status AWS adds later, or none at all, is not healthy until this version knows it.
_HEALTHY_EXECUTIONS = {"Completed", "CompletedWithViolations", "InProgress", "Pending"}
_EXECUTION_STATUSES = EXECUTION_STATUSES[AWS_ENUM]
_BEST_FIRST = (CellState.OK, CellState.DEGRADED, CellState.UNKNOWN, CellState.MISSING)


class _Context:
    """Lookups shared by every row."""

    def __init__(self, inventory: Inventory, findings: Sequence[Finding]) -> None:
        self.monitors = {m.arn: m for m in inventory.monitors}
        self.job_definitions = {j.arn: j for j in inventory.job_definitions}
        self.alarms = {a.arn: a for a in inventory.alarms}
        self.datasets = {(t.account_id, t.region): t.datasets for t in inventory.targets}
        self.errored = {f.resource_arn for f in findings if f.verdict is Verdict.ERROR}

    def dataset_ok(self, endpoint: Endpoint, dataset: Dataset) -> bool:
        if dataset in endpoint.missing:
            return False
        status = self.datasets.get((endpoint.account_id, endpoint.region), {}).get(dataset)
        # No target record at all (e.g. a hand-built inventory) means nothing was reported failed;
        # PARTIAL means the endpoint's own ``missing`` (checked above) tells.
        return status is None or status.listed


def _best(states: Sequence[CellState]) -> CellState:
    for state in _BEST_FIRST:
        if state in states:
            return state
    return CellState.MISSING


def _data_capture(endpoint: Endpoint, ctx: _Context, notes: list[str]) -> CellState:
    if not ctx.dataset_ok(endpoint, Dataset.ENDPOINTS) or endpoint.arn in ctx.errored:
        return CellState.UNKNOWN
    capture = endpoint.data_capture
    if capture is None:
        return CellState.MISSING
    problems = []
    if not capture.enabled:
        problems.append("data capture is disabled")
    if capture.capture_status is not None and capture.capture_status != "Started":
        problems.append(f"data capture is {capture.capture_status}")
    if capture.current_sampling_percentage == 0:
        problems.append("data capture samples 0%")
    if capture.capture_options is not None:
        options = set(capture.capture_options)
        if "InputAndOutput" not in options and not {"Input", "Output"} <= options:
            problems.append("data capture does not record both input and output")
    if problems:
        notes.extend(problems)
        return CellState.DEGRADED
    if capture.capture_options is None and not ctx.dataset_ok(endpoint, Dataset.ENDPOINT_CONFIGS):
        notes.append("capture options unknown: the endpoint config could not be read")
        return CellState.UNKNOWN
    return CellState.OK


def _monitor_state(monitor: Monitor, ctx: _Context, endpoint: Endpoint) -> tuple[CellState, str | None]:
    name = monitor.name
    if monitor.arn in ctx.errored:
        return CellState.UNKNOWN, None
    if monitor.status != _HEALTHY_SCHEDULE:
        return CellState.DEGRADED, f"schedule {name} is {monitor.status}"
    last = monitor.last_execution
    if last is not None and last.status not in _HEALTHY_EXECUTIONS:
        if last.status in _EXECUTION_STATUSES.known:
            return CellState.DEGRADED, f"last run of {name} {last.status.lower()}"
        return CellState.DEGRADED, f"last run of {name} has status {last.status} (unknown to this version)"
    job: JobDefinition | None = (
        ctx.job_definitions.get(monitor.job_definition_arn) if monitor.job_definition_arn else None
    )
    if job is None:
        if (
            not ctx.dataset_ok(endpoint, Dataset.JOB_DEFINITIONS)
            or Dataset.JOB_DEFINITIONS in monitor.missing
        ):
            return CellState.UNKNOWN, f"job definition of {name} could not be read"
        return CellState.DEGRADED, f"job definition of {name} not found"
    if job.arn in ctx.errored:
        return CellState.UNKNOWN, None
    if job.publish_cloudwatch_metrics == "Disabled":
        return CellState.DEGRADED, f"{name} does not publish CloudWatch metrics"
    if job.baseline_constraints_uri is None:
        return CellState.DEGRADED, f"{name} has no baseline constraints"
    if monitor.monitor_type in _NEEDS_GROUND_TRUTH and job.ground_truth_s3_uri is None:
        return CellState.DEGRADED, f"{name} has no ground-truth input"
    return CellState.OK, None


def _monitor_cell(
    endpoint: Endpoint, monitors: Sequence[Monitor], kind: MonitorType, ctx: _Context, notes: list[str]
) -> CellState:
    mine = [m for m in monitors if m.monitor_type is kind]
    if not mine:
        complete = ctx.dataset_ok(endpoint, Dataset.MONITORS)
        return CellState.MISSING if complete else CellState.UNKNOWN
    states = []
    for monitor in mine:
        state, note = _monitor_state(monitor, ctx, endpoint)
        states.append(state)
        if note:
            notes.append(note)
    return _best(states)


def _alarm_state(alarm: Alarm, ctx: _Context) -> CellState:
    if alarm.arn in ctx.errored:
        return CellState.UNKNOWN
    if alarm.actions_enabled and alarm.alarm_actions:
        return CellState.OK
    return CellState.DEGRADED


def _alarm_cell(
    endpoint: Endpoint, monitors: Sequence[Monitor], ctx: _Context, notes: list[str]
) -> CellState:
    readable = ctx.dataset_ok(endpoint, Dataset.ALARMS) and ctx.dataset_ok(endpoint, Dataset.MONITORS)
    per_monitor: list[CellState] = []
    for m in sorted(monitors, key=lambda m: m.name):
        alarms = [ctx.alarms[a] for a in m.alarm_arns if a in ctx.alarms]
        if not alarms:
            per_monitor.append(CellState.MISSING if readable else CellState.UNKNOWN)
            if readable:
                notes.append(f"no alarm watches {m.name}")
            continue
        state = _best([_alarm_state(a, ctx) for a in alarms])
        # INSUFFICIENT_DATA can be brief (a new alarm) or permanent (wrong metric); the policies judge
        # how long it has lasted, the matrix only points at it.
        notes.extend(
            f"alarm {a.name} has no data (INSUFFICIENT_DATA)"
            for a in alarms
            if a.state == "INSUFFICIENT_DATA"
        )
        if state is CellState.DEGRADED:
            notes.append(f"no alarm on {m.name} notifies anyone (actions disabled or empty)")
        per_monitor.append(state)
    if not per_monitor:
        return CellState.MISSING if readable else CellState.UNKNOWN
    if all(s is CellState.OK for s in per_monitor):
        return CellState.OK
    if CellState.UNKNOWN in per_monitor:
        return CellState.UNKNOWN
    if all(s is CellState.MISSING for s in per_monitor):
        return CellState.MISSING
    return CellState.DEGRADED


def _chain(monitors: Sequence[Monitor]) -> list[str]:
    """The ARNs of the linked monitors, their job definitions and alarms (sorted)."""
    arns = {m.arn for m in monitors}
    arns.update(m.job_definition_arn for m in monitors if m.job_definition_arn)
    arns.update(a for m in monitors for a in m.alarm_arns)
    return sorted(arns)


def _row(endpoint: Endpoint, ctx: _Context) -> CoverageRow:
    notes: list[str] = []
    monitors = [ctx.monitors[a] for a in endpoint.monitor_arns if a in ctx.monitors]
    base = {
        "endpoint_arn": endpoint.arn,
        "endpoint_name": endpoint.name,
        "account_id": endpoint.account_id,
        "region": endpoint.region,
        "kind": endpoint.kind.value,
    }
    reason = _UNMONITORABLE.get(endpoint.kind)
    if reason is not None:
        na = CellState.NOT_APPLICABLE
        return CoverageRow(
            **base,
            data_capture=na,
            data_quality=na,
            model_quality=na,
            model_bias=na,
            model_explainability=na,
            drift_alarm=na,
            notes=[reason],
            chain_arns=_chain(monitors),
        )
    return CoverageRow(
        **base,
        data_capture=_data_capture(endpoint, ctx, notes),
        data_quality=_monitor_cell(endpoint, monitors, MonitorType.DATA_QUALITY, ctx, notes),
        model_quality=_monitor_cell(endpoint, monitors, MonitorType.MODEL_QUALITY, ctx, notes),
        model_bias=_monitor_cell(endpoint, monitors, MonitorType.MODEL_BIAS, ctx, notes),
        model_explainability=_monitor_cell(endpoint, monitors, MonitorType.MODEL_EXPLAINABILITY, ctx, notes),
        drift_alarm=_alarm_cell(endpoint, monitors, ctx, notes),
        notes=list(dict.fromkeys(notes)),
        chain_arns=_chain(monitors),
    )


def coverage_rows(inventory: Inventory, findings: Sequence[Finding] = ()) -> list[CoverageRow]:
    """One row per endpoint, ordered by account, region and ARN (rules in the module docstring)."""
    ctx = _Context(inventory, findings)
    endpoints = sorted(inventory.endpoints, key=lambda e: (e.account_id, e.region, e.arn))
    return [_row(e, ctx) for e in endpoints]
