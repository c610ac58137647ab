"""report.json: published schema, round trip, determinism, and bad input."""

from __future__ import annotations

import json
import random
from pathlib import Path

import jsonschema
import pytest

from auditor.errors import InputError
from auditor.report import json_report
from auditor.results import EvaluationResult

from .conftest import HOSTILE_NAME, HOSTILE_TAG


def test_published_schema_equals_the_schema_derived_from_results() -> None:
    published = json.loads(Path(json_report.__file__).with_name("report.schema.json").read_text())
    assert published == json_report.derived_schema(), (
        "regenerate auditor/report/report.schema.json from json_report.derived_schema()"
    )


def test_report_is_valid_against_its_schema_and_carries_summaries(rich_result: EvaluationResult) -> None:
    data = json.loads(json_report.render(rich_result))
    jsonschema.Draft202012Validator(json_report.published_schema()).validate(data)
    assert data["schema_version"] == "1.0"
    assert data["summary"]["verdicts"] == {"PASS": 2, "FAIL": 3, "ERROR": 1, "WAIVED": 1, "NOT_APPLICABLE": 1}
    assert data["summary"]["compliance_percent"] == pytest.approx(33.33)
    assert {g["key"] for g in data["summary"]["by_policy"]} == {"MM-DQ-001", "MM-ALARM-001", "MM-CAP-001"}
    assert data["summary"]["incomplete"] is True
    assert len(data["findings"]) == 8
    assert data["scan_errors"][0]["operation"] == "ListMonitoringSchedules"


def test_round_trip_keeps_every_verdict_and_hostile_strings_exactly(
    rich_result: EvaluationResult, tmp_path: Path
) -> None:
    path = tmp_path / "report.json"
    path.write_bytes(json_report.render(rich_result))
    loaded = json_report.load_report(path)
    assert json_report.render(loaded) == path.read_bytes()
    names = {f.resource_name for f in loaded.findings}
    assert HOSTILE_NAME in names
    assert any(f.tags.get("team") == HOSTILE_TAG for f in loaded.findings)


def test_identical_input_gives_identical_bytes_whatever_the_input_order(
    rich_result: EvaluationResult, copy_result
) -> None:
    shuffled = copy_result(rich_result)
    random.Random(7).shuffle(shuffled.findings)
    random.Random(7).shuffle(shuffled.coverage)
    shuffled.policies.reverse()
    shuffled.waivers.reverse()
    assert json_report.render(shuffled) == json_report.render(rich_result)


def test_only_generated_at_differs_between_runs(rich_result: EvaluationResult, copy_result) -> None:
    later = copy_result(rich_result)
    later.generated_at = "2026-11-28T09:00:00Z"
    a = json.loads(json_report.render(rich_result))
    b = json.loads(json_report.render(later))
    assert a != b
    a.pop("generated_at"), b.pop("generated_at")
    assert a == b


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        pytest.param("{not json", "not valid JSON", id="not-json"),
        pytest.param("[]", "JSON object", id="not-object"),
        pytest.param('{"schema_version": "9.9"}', "unsupported report schema_version", id="future-version"),
    ],
)
def test_bad_report_files_raise_input_error(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "report.json"
    path.write_text(text)
    with pytest.raises(InputError, match=needle):
        json_report.load_report(path)


def test_schema_violation_names_the_field(rich_result: EvaluationResult, tmp_path: Path) -> None:
    data = json.loads(json_report.render(rich_result))
    data["findings"][0]["verdict"] = "MAYBE"
    path = tmp_path / "report.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as info:
        json_report.load_report(path)
    assert info.value.location == "/findings/0/verdict"


def test_missing_file_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        json_report.load_report(tmp_path / "absent.json")
