"""The Model Monitor alerts view: InAlert first, then what could not be read or is unknown, then OK."""

from __future__ import annotations

from auditor.inventory.model import Inventory, Monitor, MonitoringAlert, MonitorType, ScanMetadata
from auditor.inventory.monitoring_alerts import alerts_view


def _monitor(name: str, alerts: list[MonitoringAlert] | None) -> Monitor:
    return Monitor(
        arn=f"arn:aws:sagemaker:us-east-1:111111111111:monitoring-schedule/{name}",
        name=name,
        account_id="111111111111",
        region="us-east-1",
        monitor_type=MonitorType.DATA_QUALITY,
        status="Scheduled",
        endpoint_name="ep",
        alerts=alerts,
    )


def test_in_alert_first_then_unread_or_unknown_then_ok() -> None:
    inventory = Inventory(
        metadata=ScanMetadata(tool_version="t", started_at="s", finished_at="f"),
        monitors=[
            _monitor("a-ok", [MonitoringAlert("a-ok-failures", "OK", 3, 5, True)]),
            _monitor("b-unread", None),
            _monitor("c-new", [MonitoringAlert("c-new-failures", "Muted", 3, 5, True)]),
            _monitor("d-fires", [MonitoringAlert("d-fires-failures", "InAlert", 3, 5, True)]),
            _monitor("e-none", []),
        ],
    )
    view = alerts_view(inventory)
    assert [(r.monitor_name, r.alert_name, r.status) for r in view.rows] == [
        ("d-fires", "d-fires-failures", "InAlert"),
        ("b-unread", None, None),
        ("c-new", "c-new-failures", "Muted"),
        ("a-ok", "a-ok-failures", "OK"),
    ]
    assert (view.in_alert, view.unread) == (1, 1)
