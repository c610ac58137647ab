"""The metrics CloudWatch has for each monitor: ListMetrics on the Model Monitor namespaces.

CloudWatch matches namespaces exactly, and the documented spellings disagree (DOMAIN §2.1), so the
namespace a monitor publishes to is confirmed per (account, region): one ListMetrics listing (pages of
500, filtered on the ``MonitoringSchedule`` dimension name) per namespace of interest, which is the
canonical namespace of each (type, real-time/batch) that has a monitor here, plus every other Model
Monitor spelling an alarm here uses. ListMetrics shows metrics that had data in about the last two
weeks. A listing that fails leaves the monitors it concerns with ``metrics`` None and ``METRICS`` in
their ``missing`` (their alarm links and metric checks are then ERROR, never PASS).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from auditor.inventory.model import Alarm, Dataset, MetricRef, Monitor
from auditor.inventory.relations import (
    canonical_namespace,
    model_monitor_namespace,
    namespace_family_matches,
)
from auditor.scan.clients import RegionApi
from auditor.scan.guard import Operation

OPERATIONS: tuple[Operation, ...] = (("cloudwatch", "ListMetrics"),)


def namespaces_to_list(monitors: Iterable[Monitor], alarms: Iterable[Alarm]) -> list[str]:
    """The namespaces worth one listing: canonical ones of the monitors' (type, mode), and every Model
    Monitor spelling the alarms read (sorted)."""
    wanted = {ns for m in monitors if (ns := canonical_namespace(m)) is not None}
    for alarm in alarms:
        wanted.update(
            ref.namespace for ref in alarm.metrics if model_monitor_namespace(ref.namespace) is not None
        )
    return sorted(wanted)


def list_namespace(api: RegionApi, namespace: str) -> list[MetricRef] | None:
    """Every metric under ``namespace`` with a MonitoringSchedule dimension; None (error recorded,
    naming the namespace) when the listing failed."""
    found = api.collect(
        "cloudwatch",
        "ListMetrics",
        "Metrics",
        dataset=Dataset.METRICS,
        resource=namespace,
        Namespace=namespace,
        Dimensions=[{"Name": "MonitoringSchedule"}],
    )
    if not found.complete:
        return None
    return [_metric_ref(item) for item in found.items]


def _metric_ref(item: dict[str, Any]) -> MetricRef:
    dims = {str(d["Name"]): str(d.get("Value", "")) for d in item.get("Dimensions") or [] if "Name" in d}
    return MetricRef(
        namespace=str(item.get("Namespace") or ""),
        metric_name=str(item["MetricName"]) if item.get("MetricName") else None,
        dimensions=dict(sorted(dims.items())),
    )


def fill_monitor_metrics(api: RegionApi, monitors: list[Monitor], alarms: list[Alarm]) -> None:
    """Set ``metrics`` on every monitor of one (account, region) from the ListMetrics listings.

    A monitor's metrics are those on a spelling of its own namespace carrying its MonitoringSchedule
    and (real-time) Endpoint dimensions. A monitor whose canonical namespace or any listed spelling of
    it could not be listed gets ``metrics`` None and ``METRICS`` in ``missing``.
    """
    listed: dict[str, list[MetricRef] | None] = {
        ns: list_namespace(api, ns) for ns in namespaces_to_list(monitors, alarms)
    }
    by_schedule: dict[str, list[MetricRef]] = {}
    for metrics in listed.values():
        for ref in metrics or []:
            by_schedule.setdefault(ref.dimensions.get("MonitoringSchedule", ""), []).append(ref)
    for monitor in monitors:
        family = [ns for ns in listed if namespace_family_matches(ns, monitor)]
        if any(listed[ns] is None for ns in family) or not family:
            monitor.metrics = None
            if family:
                monitor.missing = sorted(set(monitor.missing) | {Dataset.METRICS})
            continue
        monitor.metrics = sorted(
            (ref for ref in by_schedule.get(monitor.name, []) if _belongs(ref, monitor)),
            key=lambda r: (r.namespace, r.metric_name or "", sorted(r.dimensions.items())),
        )


def _belongs(ref: MetricRef, monitor: Monitor) -> bool:
    if not namespace_family_matches(ref.namespace, monitor):
        return False
    return monitor.endpoint_name is None or ref.dimensions.get("Endpoint") == monitor.endpoint_name
