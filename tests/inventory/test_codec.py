"""The generic codec and the inventory store: round trips, derived schemas, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from auditor.errors import InputError
from auditor.inventory import store
from auditor.inventory.codec import DecodeError, from_jsonable, to_jsonable
from auditor.inventory.model import (
    Alarm,
    AlarmType,
    DataCapture,
    Dataset,
    DatasetStatus,
    Endpoint,
    Inventory,
    MetricRef,
    Monitor,
    MonitorType,
    ScanMetadata,
    Target,
)


def small_inventory() -> Inventory:
    return Inventory(
        metadata=ScanMetadata(
            tool_version="1", started_at="2026-01-01T00:00:00Z", finished_at="2026-01-01T00:01:00Z"
        ),
        targets=[Target("111111111111", "us-east-1", {Dataset.ALARMS: DatasetStatus.FAILED})],
        endpoints=[
            Endpoint(
                arn="arn:aws:sagemaker:us-east-1:111111111111:endpoint/b",
                name="b <img src=x> Zürich",
                account_id="111111111111",
                region="us-east-1",
                status="InService",
                data_capture=DataCapture(enabled=True, capture_options=["Input", "Output"]),
                tags={"owner": "东京 & co"},
                missing=[Dataset.TAGS],
            ),
            Endpoint(
                arn="arn:aws:sagemaker:us-east-1:111111111111:endpoint/a",
                name="a",
                account_id="111111111111",
                region="us-east-1",
                status="InService",
            ),
        ],
        monitors=[
            Monitor(
                arn="arn:m",
                name="m",
                account_id="111111111111",
                region="us-east-1",
                monitor_type=MonitorType.DATA_QUALITY,
                status="Scheduled",
            )
        ],
        alarms=[
            Alarm(
                arn="arn:al",
                name="al",
                account_id="111111111111",
                region="us-east-1",
                alarm_type=AlarmType.METRIC,
                state="OK",
                threshold=0.5,
                metrics=[MetricRef("aws/sagemaker/Endpoints/data-metrics", "x", {"Endpoint": "a"})],
            )
        ],
    )


def test_round_trip_is_byte_identical_and_sorted() -> None:
    text = store.dumps(small_inventory())
    again = store.dumps(store.loads(text))
    assert again == text
    data = json.loads(text)
    assert [e["name"] for e in data["endpoints"]] == ["a", "b <img src=x> Zürich"]  # sorted by ARN
    assert "东京 & co" in text  # kept as text, not escaped


def test_saved_inventory_validates_against_published_schema() -> None:
    data = json.loads(store.dumps(small_inventory()))
    jsonschema.Draft202012Validator(store.published_schema()).validate(data)


def test_published_schema_equals_derived() -> None:
    assert store.published_schema() == store.derived_schema()


def test_save_writes_atomically(tmp_path: Path) -> None:
    path = tmp_path / "out" / "inventory.json"
    store.save(small_inventory(), path)
    assert store.load(path) == store.loads(path.read_text(encoding="utf-8"))
    assert [p.name for p in path.parent.iterdir()] == ["inventory.json"]  # no temporary file left


@pytest.mark.parametrize(
    ("mutate", "location"),
    [
        (lambda d: d.update(schema_version="9.9"), "schema_version"),
        (lambda d: d["endpoints"][0].update(status=5), "/endpoints/0/status"),
        (lambda d: d["endpoints"][0].update(surprise=1), "/endpoints/0"),
        (lambda d: d["targets"][0]["datasets"].update(nonsense="complete"), "/targets/0/datasets"),
        (lambda d: d["monitors"][0].update(monitor_type="Sideways"), "/monitors/0/monitor_type"),
        (lambda d: d.pop("metadata"), "/"),
    ],
)
def test_invalid_inventory_names_file_and_field(mutate, location: str) -> None:
    data = json.loads(store.dumps(small_inventory()))
    mutate(data)
    with pytest.raises(InputError) as info:
        store.loads(json.dumps(data), "snap.json")
    assert info.value.source == "snap.json"
    assert info.value.location is not None and info.value.location.startswith(location)


def test_not_json_reports_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "schema_version": "1.0",\n  oops\n}', encoding="utf-8")
    with pytest.raises(InputError) as info:
        store.load(path)
    assert info.value.source == str(path) and info.value.line == 3


def test_missing_file_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        store.load(tmp_path / "nope.json")


def test_decode_checks_types_strictly() -> None:
    with pytest.raises(DecodeError) as info:
        from_jsonable(MetricRef, {"namespace": "n", "dimensions": {"a": 1}})
    assert info.value.path == "/dimensions/a"
    with pytest.raises(DecodeError):
        from_jsonable(Alarm, {**to_jsonable(small_inventory().alarms[0]), "threshold": True})
    with pytest.raises(DecodeError, match="required"):
        from_jsonable(MetricRef, {})
