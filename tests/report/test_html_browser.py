"""report.html in a real headless Chromium: hostile values never execute, the page's own script does.

Without Chromium these tests skip with the reason, except under CI=true or AUDITOR_REQUIRE_BROWSER=1
(.ci/run), where they fail (tests/headless_chromium.py).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from headless_chromium import dump_dom, dump_dom_url

from auditor.report import html_report
from auditor.report.diff import compare
from auditor.results import EvaluationResult, Verdict

from .conftest import HOSTILE_NAME, finding
from .test_html_report import scale_result

pytestmark = pytest.mark.browser


def _tbody_rows(dom: str, tbody_id: str) -> list[str]:
    body = re.search(rf'<tbody id="{tbody_id}">(.*?)</tbody>', dom, flags=re.S)
    assert body is not None, f"no tbody {tbody_id}"
    return re.findall(r"<tr[ >].*?</tr>", body.group(1), flags=re.S)


def _render(result: EvaluationResult, tmp_path: Path) -> Path:
    page = tmp_path / "report.html"
    page.write_bytes(html_report.render(result))
    return page


def test_hostile_payloads_never_execute_while_the_page_script_runs(
    rich_result: EvaluationResult, tmp_path: Path
) -> None:
    dom = dump_dom(_render(rich_result, tmp_path), tmp_path / "profile")
    body = re.search(r"<body[^>]*>", dom)
    assert body is not None
    assert 'data-ready="1"' in body.group(0), "the page's own script did not finish"
    assert "pwned" not in body.group(0)
    assert "PWNED" not in re.search(r"<title>(.*?)</title>", dom, flags=re.S).group(1)  # type: ignore[union-attr]
    assert "<img" not in dom
    assert "&lt;img src=x onerror=" in dom  # shown as text
    assert "&lt;/script&gt;&lt;script&gt;document.body.dataset.pwned=1" in dom


def test_rendered_dom_has_coverage_rows_and_findings(rich_result: EvaluationResult, tmp_path: Path) -> None:
    dom = dump_dom(_render(rich_result, tmp_path), tmp_path / "profile")
    coverage = _tbody_rows(dom, "coverage-body")
    assert len(coverage) == 4
    assert "churn-prod" in "".join(coverage) and "c-degraded" in "".join(coverage)
    assert all(row.count('class="cell c-') == 6 for row in coverage)
    rows = _tbody_rows(dom, "findings-body")
    groups = [r for r in rows if 'class="group"' in r]
    assert len(groups) == 3  # one header per policy
    findings = [r for r in rows if 'class="group"' not in r]
    assert len(findings) == 6  # the default view hides the 2 PASS verdicts
    text = "".join(findings)
    assert "AccessDenied on monitors" in text and "v-WAIVED" in text
    assert "Showing 6 of 6 matching findings (8 in total)." in dom


def test_since_last_run_section_is_rendered(
    rich_result: EvaluationResult, copy_result, tmp_path: Path
) -> None:
    old = copy_result(rich_result)
    old.findings = [finding("MM-DQ-001", Verdict.PASS, HOSTILE_NAME)]
    rich_result.baseline = compare(old, rich_result)
    dom = dump_dom(_render(rich_result, tmp_path), tmp_path / "profile")
    since = re.search(r'<section id="since">(.*?)</section>', dom, flags=re.S)
    assert since is not None
    assert "Regressed" in since.group(1) and "&lt;img src=x" in since.group(1)
    assert "<img" not in dom


def test_usable_at_5000_endpoints(tmp_path: Path) -> None:
    page = _render(scale_result(), tmp_path)
    started = time.monotonic()
    dom = dump_dom(page, tmp_path / "profile")
    elapsed = time.monotonic() - started
    assert 'data-ready="1"' in dom
    assert len(_tbody_rows(dom, "coverage-body")) == 250  # paged, not 5,000 rows at once
    assert "matching findings (100000 in total)" in dom
    assert elapsed < 60, f"took {elapsed:.0f}s to load"


def _findings(dom: str) -> list[str]:
    return [r for r in _tbody_rows(dom, "findings-body") if 'class="group"' not in r]


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        pytest.param("verdict=PASS", 2, id="verdict"),
        pytest.param("verdict=&severity=critical", 2, id="severity-all-verdicts"),
        pytest.param("account=444455556666", 1, id="account"),
        pytest.param("verdict=&q=churn-prod", 2, id="free-text"),
        pytest.param("policy=MM-CAP-001", 1, id="policy"),
        pytest.param("q=%3Cimg", 1, id="hostile-text-search"),
        pytest.param("verdict=NOPE&severity=%22%3E%3Cimg", 6, id="unknown-values-ignored"),
    ],
)
def test_filters_from_a_shared_link(
    view: str, expected: int, rich_result: EvaluationResult, tmp_path: Path
) -> None:
    page = _render(rich_result, tmp_path)
    dom = dump_dom_url(page.as_uri() + "#view:" + view, tmp_path / "profile")
    assert len(_findings(dom)) == expected
    assert "<img" not in dom


def test_sort_and_coverage_gap_filter(rich_result: EvaluationResult, tmp_path: Path) -> None:
    page = _render(rich_result, tmp_path)
    dom = dump_dom_url(
        page.as_uri() + "#view:verdict=&sort=name&policy=MM-DQ-001&cells=_gaps", tmp_path / "p"
    )
    names = [re.search(r"<td class=\"wrap\"><div>(.*?)</div>", r).group(1) for r in _findings(dom)]  # type: ignore[union-attr]
    assert names == sorted(names) and len(names) == 4
    coverage = _tbody_rows(dom, "coverage-body")
    assert len(coverage) == 3  # missing, degraded and unknown cells; all-N/A serverless is not a gap
    assert "serverless-ep" not in "".join(coverage)
