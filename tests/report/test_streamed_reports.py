"""Formats written in pieces (report.json, report.html, inventory.json) give exactly the bytes of
their whole-text renderers, hostile names and lone surrogates included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor import jsonstream
from auditor.inventory import store
from auditor.inventory.model import Inventory
from auditor.report import FORMATS
from auditor.results import EvaluationResult, Verdict

from .conftest import _rich_result, base_result, finding


def _streamed_formats() -> list[str]:
    return [name for name, r in FORMATS.items() if r.stream is not None]


def test_the_large_formats_are_streamed() -> None:
    assert {"json", "html"} <= set(_streamed_formats())


@pytest.mark.parametrize("name", _streamed_formats())
def test_streamed_report_equals_rendered(name: str, rich_result: EvaluationResult, tmp_path: Path) -> None:
    reporter = FORMATS[name]
    assert reporter.stream is not None
    reporter.stream(rich_result, tmp_path / reporter.filename)
    assert (tmp_path / reporter.filename).read_bytes() == reporter.render(rich_result)


@pytest.mark.parametrize("name", _streamed_formats())
def test_streamed_report_with_a_lone_surrogate_and_markup(name: str, tmp_path: Path) -> None:
    hostile = 'x\ud800</script><page-data/>&"'
    result = base_result(
        [
            finding("MM-DQ-001", Verdict.FAIL, hostile, message=hostile, tags={hostile: hostile}),
            finding("MM-DQ-001", Verdict.PASS, "plain"),
        ]
    )
    reporter = FORMATS[name]
    assert reporter.stream is not None
    reporter.stream(result, tmp_path / reporter.filename)
    written = (tmp_path / reporter.filename).read_bytes()
    assert written == reporter.render(result)
    if name == "html":
        assert written.count(b"<page-data/>") == 0  # the placeholder never leaks, even when a name spells it


def test_streamed_inventory_equals_dumps(tmp_path: Path) -> None:
    result = _rich_result()
    inventory = Inventory(metadata=result.scan, targets=result.targets, errors=result.scan_errors)
    digest = store.write(inventory, tmp_path / "inventory.json")
    text = store.dumps(inventory)
    assert (tmp_path / "inventory.json").read_text(encoding="utf-8") == text
    assert digest == store.sha256(inventory)
    assert store.loads(text) == inventory


def test_items_serialize_as_json_dumps_does() -> None:
    records = [3, 1]
    value = {"z": jsonstream.Items(records, lambda r: {"n": r, "l": [r, {}], "s": "é\n<"}), "a": {"q": []}}
    expected = {"z": [{"n": r, "l": [r, {}], "s": "é\n<"} for r in records], "a": {"q": []}}
    assert "".join(jsonstream.chunks(value, ensure_ascii=False)) == json.dumps(
        expected, sort_keys=True, indent=2, ensure_ascii=False
    )


def test_nested_items_serialize_as_json_dumps_does_and_never_as_one_piece() -> None:
    """A record holding a long list (a framework requirement's failing resources) is written in pieces."""
    arns = [f"arn:aws:sagemaker:us-east-1:111111111111:endpoint/e{i}" for i in range(500)]
    records = [{"id": "r2", "failing": arns, "v": {}}, {"id": "r1", "failing": [], "v": {"PASS": 1}}]

    def convert(r: dict[str, object]) -> dict[str, object]:
        return {**r, "failing": jsonstream.Items(r["failing"], str)}  # type: ignore[arg-type]

    frameworks = jsonstream.Items(records, convert, nested=True)
    value = {"frameworks": frameworks, "empty": jsonstream.Items([], str)}
    pieces = list(jsonstream.chunks(value, ensure_ascii=False))
    assert "".join(pieces) == json.dumps(
        {"frameworks": records, "empty": []}, sort_keys=True, indent=2, ensure_ascii=False
    )
    assert max(len(p) for p in pieces) < 200  # one ARN at a time, not the list's 30 kB
