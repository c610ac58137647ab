"""Coverage lost in migration: a history-driven finding per endpoint (``mm-coverage-lost-in-migration``).

Why history-driven and not a YAML policy: a policy judges one inventory, and what was watched in the
previous run is not in it; the run history is read after the judgement (ARCHITECTURE.md), so this check
runs there, on the verdicts the monitor-type policies just gave and on the history of the same scope.

For each endpoint judged by a monitor-type policy (``mm-data-quality-monitor``, ``mm-model-quality-monitor``,
``mm-model-bias-monitor``, ``mm-model-explainability-monitor``), per monitor type:

* the type **was watched** when that policy's verdict on the endpoint was PASS in the scope's previous
  recorded run (with ``replacement_satisfies`` off, a PASS means a Scheduled Model Monitor schedule of the
  type; with it on, a schedule or an actionable replacement);
* it is **lost in migration** when, now, the endpoint has no Model Monitor schedule of that type at all
  (deleted, not merely stopped: a stopped one keeps failing its own policy) and no actionable replacement
  (``Endpoint.replacements``) watches it.

Verdicts: FAIL when a type was lost (the message names the types and who watches now); ERROR when a
monitor-type verdict on the endpoint is ERROR (its data could not be collected); NOT_APPLICABLE when the
history is off or holds no earlier run of this scope (nothing to compare with — never PASS); PASS otherwise.
Endpoints read from templates (not deployed yet) get no verdict: they have no past to lose.
"""

from __future__ import annotations

from auditor.findings import extended
from auditor.history import HistoryOptions, open_history
from auditor.history.timeline import ABSENT, finding_ids, observed_at, replay, scope_of
from auditor.inventory.model import Endpoint, Inventory, ResourceKind
from auditor.results import EvaluationResult, Finding, PolicyInfo, Severity, Verdict

POLICY_ID = "mm-coverage-lost-in-migration"
TYPE_POLICIES = {
    "mm-data-quality-monitor": "DataQuality",
    "mm-model-quality-monitor": "ModelQuality",
    "mm-model-bias-monitor": "ModelBias",
    "mm-model-explainability-monitor": "ModelExplainability",
}
POLICY = PolicyInfo(
    id=POLICY_ID,
    title="No endpoint loses a monitor type in migration (history)",
    description=(
        "A monitor type that watched the endpoint in the previous recorded run of this scope (its "
        "monitor-type policy passed) has no Model Monitor schedule any more and no actionable replacement "
        "monitor: the migration off Model Monitor dropped it. Needs the run history; without an earlier run "
        "of the same scope the check is not applicable."
    ),
    severity=Severity.HIGH,
    resource_kind=ResourceKind.ENDPOINT,
    remediation=(
        "Recreate the deleted schedule (CreateMonitoringSchedule) or finish the replacement: a recogniser "
        "(config recognisers) must match it and its alarm must reach someone (docs/replacements.md)."
    ),
    source="builtin",
    tags=["migration", "history", "coverage"],
    fix="Recreate the schedule or make the replacement actionable.",
)


def _previous_states(
    options: HistoryOptions | None, result: EvaluationResult
) -> tuple[dict[tuple[str, str], str], str | None]:
    """(policy id, resource ARN) -> the state in the scope's previous run, and that run's time; ({}, None)
    when there is no earlier run (or no history)."""
    if options is None or options.path is None or not options.path.exists():
        return {}, None
    scope = scope_of(result)
    db = open_history(options.path, create=False)
    try:
        with db.read():
            timeline = replay(db, scope.key, (observed_at(result), 2**62))
            known = finding_ids(db)
    finally:
        db.close()
    if not timeline.runs:
        return {}, None
    states = {key: timeline.tracks[fid].state for key, fid in known.items() if fid in timeline.tracks}
    return states, timeline.runs[-1].observed_at


def _finding(endpoint: Finding, verdict: Verdict, message: str) -> Finding:
    return Finding(
        policy_id=POLICY_ID,
        severity=POLICY.severity,
        verdict=verdict,
        resource_kind=ResourceKind.ENDPOINT,
        resource_arn=endpoint.resource_arn,
        resource_name=endpoint.resource_name,
        account_id=endpoint.account_id,
        region=endpoint.region,
        message=message,
        remediation=POLICY.remediation if verdict is Verdict.FAIL else "",
        tags=dict(endpoint.tags),
        location=endpoint.location,
    )


def _judge(
    endpoint: Endpoint,
    verdicts: dict[str, Finding],
    states: dict[tuple[str, str], str],
    previous_at: str,
    monitor_types: dict[str, set[str]],
) -> tuple[Verdict, str]:
    if all(f.verdict is Verdict.NOT_APPLICABLE for f in verdicts.values()):
        return Verdict.NOT_APPLICABLE, verdicts[min(verdicts)].message  # e.g. a serverless endpoint
    errors = [p for p, f in verdicts.items() if f.verdict is Verdict.ERROR]
    if errors:
        return (
            Verdict.ERROR,
            f"not established: {', '.join(sorted(errors))} could not be judged "
            f"({verdicts[errors[0]].message})",
        )
    lost: list[str] = []
    kept: list[str] = []
    for policy_id in sorted(verdicts):
        kind = TYPE_POLICIES[policy_id]
        if states.get((policy_id, endpoint.arn), ABSENT) != Verdict.PASS.value:
            continue
        schedules = monitor_types.get(kind, set())
        working = [
            r.recogniser for r in endpoint.replacements if r.monitor_type.value == kind and r.actionable
        ]
        if not schedules and not working:
            lost.append(f"{kind} (now: {endpoint.watched_by.get(kind, 'neither')})")
        else:
            kept.append(kind)
    if lost:
        return Verdict.FAIL, (
            f"coverage lost in migration: {'; '.join(lost)} watched this endpoint in the previous run "
            f"({previous_at}); no Model Monitor schedule of that type is left and no actionable replacement "
            "watches it"
        )
    if kept:
        return Verdict.PASS, f"still watched since the previous run ({previous_at}): {', '.join(kept)}"
    return (
        Verdict.PASS,
        f"no monitor type watched this endpoint in the previous run ({previous_at}): nothing to lose",
    )


def coverage_lost(
    result: EvaluationResult, inventory: Inventory, history: HistoryOptions | None
) -> list[Finding] | None:
    """This check's findings: one per endpoint judged by a monitor-type policy (planned endpoints have
    none); None when no monitor-type policy judged an endpoint (the check does not run). ``add_coverage_lost``
    puts them in the result (after the waivers)."""
    by_endpoint: dict[str, dict[str, Finding]] = {}
    for f in result.findings:
        if f.policy_id in TYPE_POLICIES and f.resource_kind is ResourceKind.ENDPOINT:
            by_endpoint.setdefault(f.resource_arn, {})[f.policy_id] = f
    if not by_endpoint:
        return None
    states, previous_at = _previous_states(history, result)
    endpoints = {e.arn: e for e in inventory.endpoints}
    monitors = {m.arn: m for m in inventory.monitors}
    added: list[Finding] = []
    for arn, verdicts in sorted(by_endpoint.items()):
        first = verdicts[min(verdicts)]
        endpoint = endpoints.get(arn)
        if endpoint is None or endpoint.source is not None:
            continue  # a planned endpoint (read from a template) has no past to lose
        if history is None or history.path is None:
            added.append(
                _finding(first, Verdict.NOT_APPLICABLE, "the run history is off: nothing to compare with")
            )
            continue
        if previous_at is None:
            added.append(
                _finding(
                    first,
                    Verdict.NOT_APPLICABLE,
                    "no earlier run of this scope in the history: nothing to compare with",
                )
            )
            continue
        types: dict[str, set[str]] = {}
        for monitor_arn in endpoint.monitor_arns:
            monitor = monitors.get(monitor_arn)
            if monitor is not None and monitor.monitor_type is not None:
                types.setdefault(monitor.monitor_type.value, set()).add(monitor.name)
        verdict, message = _judge(endpoint, verdicts, states, previous_at, types)
        added.append(_finding(first, verdict, message))
    return added


def add_coverage_lost(result: EvaluationResult, findings: list[Finding] | None) -> None:
    """Add this check's findings (as ``coverage_lost`` made them) and its policy to ``result``; nothing
    when the check did not run."""
    if findings is None:
        return
    result.findings = extended(result.findings, findings)
    if all(p.id != POLICY_ID for p in result.policies):
        result.policies.append(POLICY)
