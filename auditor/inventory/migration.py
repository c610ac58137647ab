"""The migration view: per endpoint and monitor type, what Model Monitor provides now, what a replacement
provides, what deleting the schedules now would lose, and the monthly cost deleting them would save.

Everything here is read from the inventory (never guessed):

* **Model Monitor provides**: the schedules of that endpoint and type, each with its status, how often
  it runs, its last execution's status, whether it publishes CloudWatch metrics, and its alarms with the
  number of alert paths that reach someone (``DELIVERS`` / ``COUNTED``, as ``alert_paths`` decides).
* **Replacement provides**: the replacement monitors the config's recognisers matched to the endpoint
  for that type (``Endpoint.replacements``, ``auditor.inventory.replacements``): each named, with its
  alarms and schedules and whether it is actionable (an alarm reaching someone). An endpoint whose
  Model Monitor schedules are already gone but that has a replacement gets a row too.
* **Lost if deleted now**: nothing when an actionable replacement watches the endpoint for that type;
  otherwise every check the schedules run and every alarm that watches only them; a schedule that
  watches nothing useful (orphan, endpoint not serving, every recent run failed) loses nothing worth
  keeping, and the row says why.
* **Monthly saving**: the sum of the schedules' estimates (``auditor.inventory.cost``); None when any
  of them could not be estimated (the row's ``saving_note`` says which).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.inventory.cost import CostView, MonitorCost
from auditor.inventory.model import Alarm, AlertStatus, Endpoint, Inventory, Monitor, Replacement

NO_RECOGNISERS = "none recognised (no recognisers configured: see docs/replacements.md)"
NO_REPLACEMENT = "none recognised"
_REACHES = (AlertStatus.DELIVERS, AlertStatus.COUNTED)


@dataclass(slots=True)
class MigrationRow:
    """One (endpoint, monitor type): Model Monitor today, the replacement, the loss and the saving."""

    account_id: str
    region: str
    endpoint_name: str  # the name the schedules give (the endpoint may not exist: orphan)
    endpoint_status: str | None  # None: the endpoint does not exist
    monitor_type: str
    schedules: list[str] = field(default_factory=list)
    model_monitor: list[str] = field(default_factory=list)  # one line per schedule
    actionable_alarms: int = 0  # alarms on these schedules with an alert path that reaches someone
    replacement: str = NO_RECOGNISERS
    replacement_actionable: bool = False  # an actionable replacement watches this (endpoint, type)
    lost_if_deleted: list[str] = field(default_factory=list)
    monthly_saving_usd: float | None = None
    saving_note: str = ""
    waste: str | None = None  # why the schedules' cost is wasted (every schedule of the row), if so


@dataclass(slots=True)
class MigrationView:
    """Every row, and the totals of what deleting would save."""

    rows: list[MigrationRow] = field(default_factory=list)
    total_saving_usd: float = 0.0  # over the rows with an estimate
    wasted_saving_usd: float = 0.0  # the part of it that is wasted today
    rows_with_loss: int = 0
    rows_without_estimate: int = 0
    price_sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _actionable(alarm: Alarm) -> bool:
    """An alarm with an alert path that reaches someone (as ``alert_paths`` resolved it)."""
    return any(p.status in _REACHES for p in alarm.alert_paths)


def _schedule_line(monitor: Monitor, cost: MonitorCost | None, alarms: list[Alarm]) -> str:
    last = monitor.last_execution.status if monitor.last_execution is not None else "never ran"
    publishing = {True: "publishes metrics", False: "publishes no metrics", None: "metrics not read"}[
        None if monitor.metrics is None else bool(monitor.metrics)
    ]
    reach = sum(1 for a in alarms if _actionable(a))
    runs = cost.runs_basis if cost is not None else (monitor.schedule_expression or "no schedule expression")
    return (
        f"{monitor.name}: {monitor.status or 'status unknown'}, {runs}, last run {last}, {publishing}, "
        f"{len(alarms)} alarm(s), {reach} reaching someone"
    )


def _replacement_text(replacements: list[Replacement], recognised: bool) -> str:
    if not replacements:
        return NO_REPLACEMENT if recognised else NO_RECOGNISERS
    return "; ".join(
        f"replacement {r.recogniser} ({'actionable' if r.actionable else 'NOT actionable'}): {r.detail}"
        for r in replacements
    )


def _losses(
    monitors: list[Monitor], alarms: list[Alarm], waste: str | None, replacements: list[Replacement]
) -> list[str]:
    working = [r.recogniser for r in replacements if r.actionable]
    if working:
        return [
            f"nothing: replacement {', '.join(working)} watches this endpoint (its alarm reaches someone)"
        ]
    if not monitors:
        return ["nothing left to lose: no Model Monitor schedule, and no actionable replacement"]
    if waste is not None:
        return [f"nothing worth keeping: {waste}"]
    lost = [
        f"{m.monitor_type.value if m.monitor_type else 'unknown-type'} checks of {m.name} "
        f"({m.schedule_expression or 'no schedule'})"
        for m in monitors
        if m.status != "Stopped"
    ]
    lost += [
        f"alarm {a.name} (watches only these schedules)"
        for a in alarms
        if set(a.monitor_arns) <= {m.arn for m in monitors}
    ]
    return lost or ["nothing running: every schedule is Stopped"]


def migration_view(inventory: Inventory, costs: CostView) -> MigrationView:
    """The rows, one per (account, region, endpoint name, monitor type) that has a schedule."""
    endpoints: dict[tuple[str, str, str], Endpoint] = {
        (e.account_id, e.region, e.name): e for e in inventory.endpoints
    }
    alarms_by_arn = {a.arn: a for a in inventory.alarms}
    cost_by_arn = {c.monitor_arn: c for c in costs.monitors}
    groups: dict[tuple[str, str, str, str], list[Monitor]] = {}
    for monitor in inventory.monitors:
        if not monitor.endpoint_name:
            continue  # batch-transform monitors watch no endpoint
        kind = monitor.monitor_type.value if monitor.monitor_type else "unknown"
        groups.setdefault((monitor.account_id, monitor.region, monitor.endpoint_name, kind), []).append(
            monitor
        )
    for migrated in inventory.endpoints:  # migrated already: a replacement, and no schedule left
        for replacement in migrated.replacements:
            key = (migrated.account_id, migrated.region, migrated.name, replacement.monitor_type.value)
            groups.setdefault(key, [])
    recognised = bool(inventory.metadata.recognisers)
    view = MigrationView(price_sources=list(costs.price_sources), notes=list(costs.notes))
    for (account, region, name, kind), monitors in sorted(groups.items()):
        monitors.sort(key=lambda m: m.name)
        endpoint = endpoints.get((account, region, name))
        costs_here = [cost_by_arn.get(m.arn) for m in monitors]
        alarms = sorted(
            {a.arn: a for m in monitors for arn in m.alarm_arns if (a := alarms_by_arn.get(arn))}.values(),
            key=lambda a: a.name,
        )
        wastes = {c.waste if c is not None else None for c in costs_here}
        waste = wastes.pop() if len(wastes) == 1 else None
        replacements = [
            r for r in (endpoint.replacements if endpoint is not None else []) if r.monitor_type.value == kind
        ]
        row = MigrationRow(
            account_id=account,
            region=region,
            endpoint_name=name,
            endpoint_status=endpoint.status if endpoint is not None else None,
            monitor_type=kind,
            schedules=[m.name for m in monitors],
            model_monitor=[
                _schedule_line(m, c, [alarms_by_arn[a] for a in m.alarm_arns if a in alarms_by_arn])
                for m, c in zip(monitors, costs_here, strict=True)
            ],
            actionable_alarms=sum(1 for a in alarms if _actionable(a)),
            replacement=_replacement_text(replacements, recognised),
            replacement_actionable=any(r.actionable for r in replacements),
            lost_if_deleted=_losses(monitors, alarms, waste, replacements),
            waste=waste,
        )
        unestimated = [
            m.name for m, c in zip(monitors, costs_here, strict=True) if c is None or c.monthly_usd is None
        ]
        if unestimated:
            notes = [c.note for c in costs_here if c is not None and c.monthly_usd is None]
            row.saving_note = (
                f"not estimated for {', '.join(unestimated)}: {'; '.join(notes) or 'no estimate'}"
            )
            view.rows_without_estimate += 1
        else:
            row.monthly_saving_usd = sum(c.monthly_usd or 0.0 for c in costs_here if c is not None)
            if any(c is not None and c.upper_bound for c in costs_here):
                row.saving_note = "upper bound (no measured runs: MaxRuntimeInSeconds)"
            view.total_saving_usd += row.monthly_saving_usd
            if waste is not None:
                view.wasted_saving_usd += row.monthly_saving_usd
        if waste is None and any(not line.startswith("nothing") for line in row.lost_if_deleted):
            view.rows_with_loss += 1
        view.rows.append(row)
    return view
