"""API records kept compact (auditor.inventory.raw): what a reader sees is exactly the record given."""

from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, datetime
from typing import Any

from auditor.inventory import store
from auditor.inventory.model import Endpoint, Inventory, Monitor, MonitorType, ScanMetadata
from auditor.inventory.raw import RawRecord, as_dict, compact
from auditor.policy.documents import plain

ARN = "arn:aws:sagemaker:us-east-1:111111111111:endpoint/churn"


def _record() -> dict[str, Any]:
    return {
        "EndpointName": "churn",
        "EndpointArn": ARN,
        "EndpointStatus": "InService",
        "ProductionVariants": [
            {"VariantName": "AllTraffic", "CurrentWeight": 1.0, "CurrentInstanceCount": 2}
        ],
        "DataCaptureConfig": {
            "EnableCapture": True,
            "CaptureStatus": "Started",
            "CurrentSamplingPercentage": 100,
        },
        "Unicode": "modèle ✓",
        "Nothing": None,
        "Big": 12345678901234567890,
        "Fraction": 0.1,
        "CreationTime": "2026-11-01T12:00:00Z",
    }


def test_a_record_reads_back_equal_with_its_keys_in_order() -> None:
    record = _record()
    kept = RawRecord.of(record)
    assert kept == record and record == kept
    assert list(kept) == list(record)
    assert kept["ProductionVariants"][0]["CurrentWeight"] == 1.0
    assert kept.get("Missing", "default") == "default" and "EndpointName" in kept and len(kept) == len(record)
    assert dict(kept.items()) == record and list(kept.values()) == list(record.values())
    assert kept != {**record, "EndpointStatus": "Failed"}


def test_each_read_is_a_fresh_copy() -> None:
    kept = RawRecord.of(_record())
    kept.data()["EndpointStatus"] = "Failed"
    kept["ProductionVariants"].append({"VariantName": "Shadow"})
    assert kept == _record()


def _endpoint() -> Endpoint:
    return Endpoint(
        arn=ARN,
        name="churn",
        account_id="111111111111",
        region="us-east-1",
        status="InService",
        raw=_record(),
    )


def _inventory(endpoint: Endpoint, monitor: Monitor) -> Inventory:
    metadata = ScanMetadata(
        tool_version="0", started_at="2026-12-02T00:00:00Z", finished_at="2026-12-02T00:00:00Z"
    )
    return Inventory(metadata=metadata, endpoints=[endpoint], monitors=[monitor])


def test_a_resource_keeps_its_record_compact_and_saves_it_unchanged() -> None:
    endpoint = _endpoint()
    assert isinstance(endpoint.raw, RawRecord)
    monitor = Monitor(
        arn=ARN.replace("endpoint/churn", "monitoring-schedule/churn-dq"),
        name="churn-dq",
        account_id="111111111111",
        region="us-east-1",
        monitor_type=MonitorType.DATA_QUALITY,
        status="Scheduled",
    )
    assert monitor.raw == {} and not isinstance(monitor.raw, RawRecord)  # nothing to compact
    saved = json.loads(store.dumps(_inventory(endpoint, monitor)))
    assert saved["endpoints"][0]["raw"] == _record()
    reloaded = store.loads(store.dumps(_inventory(endpoint, monitor)))
    assert isinstance(reloaded.endpoints[0].raw, RawRecord) and reloaded.endpoints[0].raw == _record()


def test_a_policy_document_gets_the_record_as_a_dict() -> None:
    endpoint = _endpoint()
    doc = plain(endpoint)
    assert type(doc["raw"]) is dict and doc["raw"] == _record()
    doc["raw"]["EndpointStatus"] = "Failed"  # a document is the reader's own
    assert endpoint.raw["EndpointStatus"] == "InService"


def test_what_json_cannot_carry_is_kept_as_it_was() -> None:
    odd = {"When": datetime(2026, 11, 1, tzinfo=UTC)}
    assert compact(odd) is odd
    already = RawRecord.of(_record())
    assert compact(already) is already
    assert as_dict(odd) is odd and as_dict(already) == _record()


def test_a_kept_record_is_a_fraction_of_the_dict() -> None:
    records = [{**_record(), "EndpointName": f"churn-{i}", "EndpointArn": f"{ARN}-{i}"} for i in range(2000)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        as_dicts = [json.loads(json.dumps(r)) for r in records]
        dict_bytes = tracemalloc.get_traced_memory()[0] - before
        before = tracemalloc.get_traced_memory()[0]
        kept = [RawRecord.of(r) for r in records]
        kept_bytes = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(as_dicts) == len(kept)
    assert kept_bytes < dict_bytes / 4, (kept_bytes, dict_bytes)
