"""report.csv: one row per verdict, formula injection neutralized, deterministic."""

from __future__ import annotations

import csv
import io

from auditor.report import csv_report
from auditor.results import EvaluationResult

from .conftest import FORMULA_NAME, HOSTILE_TAG


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_one_row_per_verdict_with_waiver_columns(rich_result: EvaluationResult) -> None:
    rows = _rows(csv_report.render(rich_result))
    assert len(rows) == len(rich_result.findings)
    assert tuple(rows[0]) == csv_report.COLUMNS
    waived = [r for r in rows if r["verdict"] == "WAIVED"]
    assert [(r["waiver_id"], r["waiver_expired"]) for r in waived] == [("W-1", "false")]
    assert sorted(r["verdict"] for r in rows) == sorted(f.verdict.value for f in rich_result.findings)


def test_cells_that_a_spreadsheet_would_run_are_prefixed(rich_result: EvaluationResult) -> None:
    rows = _rows(csv_report.render(rich_result))
    hostile = [r for r in rows if FORMULA_NAME in r["resource_name"]]
    assert hostile and all(r["resource_name"] == "'" + FORMULA_NAME for r in hostile)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    assert any(HOSTILE_TAG in r["tags"] for r in rows)


def test_guard_cell_covers_every_trigger() -> None:
    for trigger in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert csv_report.guard_cell(trigger) == "'" + trigger
    assert csv_report.guard_cell("endpoint-1") == "endpoint-1"


def test_deterministic(rich_result: EvaluationResult, copy_result) -> None:
    shuffled = copy_result(rich_result)
    shuffled.findings.reverse()
    assert csv_report.render(shuffled) == csv_report.render(rich_result)
