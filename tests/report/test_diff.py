"""diff: new, resolved, still failing and regressed findings between two hand-built runs."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.inventory.model import Target
from auditor.report import json_report, markdown_report
from auditor.report.diff import compare, load_result
from auditor.results import EvaluationResult, TargetRef, Verdict

from .conftest import ACCOUNT, OTHER_ACCOUNT, REGION, base_result, finding


def _pairs(items: list) -> list[tuple[str, str, str]]:  # type: ignore[type-arg]
    return [(f.policy_id, f.resource_name, f.verdict.value) for f in items]


def test_each_category_is_defined_precisely() -> None:
    old = base_result(
        [
            finding("P1", Verdict.PASS, "regresses"),
            finding("P1", Verdict.FAIL, "gets-fixed"),
            finding("P1", Verdict.FAIL, "keeps-failing"),
            finding("P1", Verdict.ERROR, "now-fails"),
            finding("P1", Verdict.FAIL, "gets-deleted"),
            finding("P1", Verdict.WAIVED, "waiver-expires"),
            finding("P1", Verdict.FAIL, "gets-waived"),
            finding("P1", Verdict.PASS, "stays-green"),
        ]
    )
    new = base_result(
        [
            finding("P1", Verdict.FAIL, "regresses"),
            finding("P1", Verdict.PASS, "gets-fixed"),
            finding("P1", Verdict.FAIL, "keeps-failing"),
            finding("P1", Verdict.FAIL, "now-fails"),
            finding("P1", Verdict.FAIL, "waiver-expires"),
            finding("P1", Verdict.WAIVED, "gets-waived"),
            finding("P1", Verdict.PASS, "stays-green"),
            finding("P1", Verdict.ERROR, "brand-new"),
        ]
    )
    c = compare(old, new)
    assert _pairs(c.regressed) == [("P1", "regresses", "FAIL")]
    assert sorted(_pairs(c.new)) == [("P1", "brand-new", "ERROR"), ("P1", "waiver-expires", "FAIL")]
    assert sorted(_pairs(c.still_failing)) == [("P1", "keeps-failing", "FAIL"), ("P1", "now-fails", "FAIL")]
    assert sorted(_pairs(c.resolved)) == [
        ("P1", "gets-deleted", "FAIL"),
        ("P1", "gets-fixed", "FAIL"),
        ("P1", "gets-waived", "FAIL"),
    ]
    assert c.compliance_before == pytest.approx(100 * 2 / 7, abs=0.01)
    assert c.compliance_after == pytest.approx(100 * 2 / 7, abs=0.01)  # 2 PASS of 4 FAIL + 1 ERROR + 2 PASS
    assert c.baseline_generated_at == old.generated_at


def test_identity_is_policy_and_resource() -> None:
    old = base_result([finding("P1", Verdict.FAIL, "a")])
    new = base_result([finding("P2", Verdict.FAIL, "a")])
    c = compare(old, new)
    assert _pairs(c.new) == [("P2", "a", "FAIL")] and _pairs(c.resolved) == [("P1", "a", "FAIL")]


def test_one_fix_between_two_runs_is_exactly_one_resolved_finding() -> None:
    old = base_result([finding("ALARM", Verdict.FAIL, "ep-1"), finding("DQ", Verdict.FAIL, "ep-1")])
    new = base_result([finding("ALARM", Verdict.PASS, "ep-1"), finding("DQ", Verdict.FAIL, "ep-1")])
    c = compare(old, new)
    assert _pairs(c.resolved) == [("ALARM", "ep-1", "FAIL")]
    assert c.new == [] and c.regressed == [] and _pairs(c.still_failing) == [("DQ", "ep-1", "FAIL")]


def test_load_result_reads_report_json_and_rejects_bad_files(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    result = base_result([finding("P1", Verdict.FAIL, "a")])
    path.write_bytes(json_report.render(result))
    assert _pairs(load_result(path).findings) == [("P1", "a", "FAIL")]
    with pytest.raises(InputError, match="no such file"):
        load_result(tmp_path / "absent.json")
    bad_zip = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bad_zip, "w") as zf:
        zf.writestr("other.txt", "x")
    with pytest.raises(InputError, match=r"no report\.json"):
        load_result(bad_zip)


def _org_wide_and_narrow() -> tuple[EvaluationResult, EvaluationResult]:
    """An org-wide run (two accounts) and a later run of one of them, where nothing changed."""
    both = [
        finding("P1", Verdict.FAIL, "a-1"),
        finding("P1", Verdict.PASS, "a-2"),
        finding("P1", Verdict.FAIL, "b-1", account=OTHER_ACCOUNT),
        finding("P1", Verdict.ERROR, "b-2", account=OTHER_ACCOUNT),
    ]
    old = base_result(both, targets=[Target(ACCOUNT, REGION), Target(OTHER_ACCOUNT, REGION)])
    new = base_result(both[:2], targets=[Target(ACCOUNT, REGION)])
    return old, new


def test_only_targets_both_runs_scanned_are_compared() -> None:
    old, new = _org_wide_and_narrow()
    c = compare(old, new)
    assert c.resolved == [] and c.new == [] and c.regressed == []  # not "Resolved: 2"
    assert _pairs(c.still_failing) == [("P1", "a-1", "FAIL")]
    assert c.targets_only_before == [TargetRef(OTHER_ACCOUNT, REGION)] and c.targets_only_now == []
    assert (c.not_compared_before, c.not_compared_now) == (2, 0)
    reverse = compare(new, old)
    assert reverse.new == [] and reverse.targets_only_now == [TargetRef(OTHER_ACCOUNT, REGION)]
    assert reverse.not_compared_now == 2


def test_a_target_scanned_by_both_runs_still_resolves_a_deleted_resource() -> None:
    old = base_result([finding("P1", Verdict.FAIL, "gone")], targets=[Target(ACCOUNT, REGION)])
    new = base_result([], targets=[Target(ACCOUNT, REGION)])
    c = compare(old, new)
    assert _pairs(c.resolved) == [("P1", "gone", "FAIL")] and c.targets_only_before == []


def test_the_scope_is_in_report_json_and_the_markdown_summary() -> None:
    old, new = _org_wide_and_narrow()
    new.baseline = compare(old, new)
    data = json.loads(json_report.render(new))
    assert data["baseline"]["targets_only_before"] == [{"account_id": OTHER_ACCOUNT, "region": REGION}]
    assert data["baseline"]["not_compared_before"] == 2
    assert "Not compared: 1 target(s) scanned only by the baseline and 0 only by this run" in (
        markdown_report.render_text(new)
    )
