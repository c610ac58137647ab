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

OPERATIONS: tuple[Operation, ...] = (("sagemaker", "Search"),)


def search_endpoints(api: RegionApi) -> list[dict[str, Any]]:
    """Every ``SearchRecord.Endpoint`` of the region. Raises the AWS errors (the caller falls back)."""
    found: list[dict[str, Any]] = []
    for page in api.pages("sagemaker", "Search", Resource="Endpoint", MaxResults=100):
        found.extend(r["Endpoint"] for r in page.get("Results", []) if r.get("Endpoint"))
    return found
