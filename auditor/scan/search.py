"""The fast path: one paginated Search(Resource='Endpoint') per region.

Each result carries the endpoint (incl. the running data-capture summary and serverless config),
its monitoring schedules (with MonitoringScheduleConfig, LastMonitoringExecutionSummary and
tags) and its tags, 100 endpoints per call. It does not carry endpoint-config details or named
job definitions; those are described once each by the orchestrator.
"""

from __future__ import annotations

from typing import Any

from auditor.scan.clients import RegionApi
from auditor.scan.guard import Operation
from auditor.scan.normalize import iso

OPERATIONS: tuple[Operation, ...] = (("sagemaker", "Search"),)


def search_endpoints(api: RegionApi) -> list[dict[str, Any]]:
    """Every ``SearchRecord.Endpoint`` of the region. Raises the AWS errors (the caller falls back)."""
    found: list[dict[str, Any]] = []
    for page in api.pages("sagemaker", "Search", Resource="Endpoint", MaxResults=100):
        found.extend(r["Endpoint"] for r in page.get("Results", []) if r.get("Endpoint"))
    return found


def stale_detail(search_record: dict[str, Any], summary: dict[str, Any], status_key: str) -> str | None:
    """How Search's record differs from the List summary (status, modification time), or None.

    Search is an eventually consistent index: the List calls are authoritative. Times are compared to
    the second: the two APIs' precision may differ (UNVERIFIED), and a record re-read for nothing
    would cost a call per resource.
    """
    found, listed = search_record.get(status_key), summary.get(status_key)
    differences = []
    if found != listed:
        differences.append(f"{status_key} {found} in Search, {listed} listed")
    found_time, listed_time = (
        _second(search_record.get("LastModifiedTime")),
        _second(summary.get("LastModifiedTime")),
    )
    if found_time != listed_time:
        differences.append(f"LastModifiedTime {found_time} in Search, {listed_time} listed")
    if not differences:
        return None
    return "; ".join(differences) + ": read again with Describe"


def _second(value: Any) -> str | None:
    text = iso(value)
    return text[:19] if text is not None else None
