"""The Model Monitor alerts view: every schedule's own alerts (``Monitor.alerts``), for the reports.

AWS creates these alerts with each schedule; one is InAlert when at least DatapointsToAlert of the last
EvaluationPeriod executions failed, and its only action is the Model Dashboard indicator (it notifies
nobody). No policy judges them: what they count, mm-repeated-failures judges from the executions
themselves (classified, over the last 12 runs). The reports show them, InAlert first, so what the Model
Dashboard shows is visible beside the verdicts; a schedule whose alerts could not be read has one row
saying so, listed after the InAlert ones with any status this version does not know (never shown as OK).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from auditor.inventory.model import Inventory

IN_ALERT = "InAlert"
OK = "OK"


@dataclass(slots=True)
class AlertRow:
    """One alert of one monitoring schedule (``alert_name`` None: the schedule's alerts were not read)."""

    account_id: str
    region: str
    monitor_name: str
    monitor_arn: str
    monitor_type: str | None
    endpoint_name: str | None
    alert_name: str | None = None
    status: str | None = None  # InAlert | OK (None: not read, or AWS sent none)
    datapoints_to_alert: int | None = None
    evaluation_period: int | None = None
    dashboard_indicator: bool | None = None


@dataclass(slots=True)
class AlertsView:
    """Every monitor's Model Monitor alerts, InAlert first."""

    rows: list[AlertRow] = field(default_factory=list)
    in_alert: int = 0  # alerts InAlert
    unread: int = 0  # monitors whose alerts could not be read


def _key(row: AlertRow) -> tuple[int, str, str, str, str]:
    # InAlert first, then what could not be read or has a status this version does not know, then OK.
    order = 0 if row.status == IN_ALERT else 2 if row.status == OK else 1
    return (order, row.account_id, row.region, row.monitor_name, row.alert_name or "")


def alerts_view(inventory: Inventory) -> AlertsView:
    """The alerts of every scanned monitor (templates have none: their monitors are skipped)."""
    rows: list[AlertRow] = []
    for monitor in inventory.monitors:
        if monitor.source is not None:
            continue
        base = AlertRow(
            account_id=monitor.account_id,
            region=monitor.region,
            monitor_name=monitor.name,
            monitor_arn=monitor.arn,
            monitor_type=monitor.monitor_type.value if monitor.monitor_type else None,
            endpoint_name=monitor.endpoint_name,
        )
        if monitor.alerts is None:
            rows.append(base)
            continue
        rows.extend(
            replace(
                base,
                alert_name=a.name,
                status=a.status,
                datapoints_to_alert=a.datapoints_to_alert,
                evaluation_period=a.evaluation_period,
                dashboard_indicator=a.dashboard_indicator,
            )
            for a in monitor.alerts
        )
    rows.sort(key=_key)
    return AlertsView(
        rows=rows,
        in_alert=sum(1 for r in rows if r.status == IN_ALERT),
        unread=sum(1 for r in rows if r.alert_name is None),
    )
