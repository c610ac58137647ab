"""report.html without a browser: CSP, self-containment, escaping, determinism, size at scale."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re

from auditor.report import html_report
from auditor.results import (
    CellState,
    CoverageCell,
    CoverageColumn,
    CoverageRow,
    EvaluationResult,
    Finding,
    ResourceKind,
    Severity,
    Verdict,
)

from .conftest import HOSTILE_NAME, HOSTILE_TAG, base_result, endpoint_arn


def _page(result: EvaluationResult) -> str:
    return html_report.render(result).decode("utf-8")


def _inline(page: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}>(.*?)</{tag}>", page, flags=re.S)


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _data(page: str) -> dict:  # type: ignore[type-arg]
    block = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, flags=re.S)
    assert block is not None
    return json.loads(block.group(1))  # type: ignore[no-any-return]


def test_csp_allows_exactly_the_inline_style_and_script(rich_result: EvaluationResult) -> None:
    page = _page(rich_result)
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert csp is not None
    policy = html.unescape(csp.group(1))
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    (style,) = _inline(page, "style")
    (script,) = _inline(page, "script")  # the executable one; the data block has a type attribute
    assert f"style-src {_sha(style)}" in policy
    assert f"script-src {_sha(script)}" in policy


def test_self_contained_nothing_fetched(rich_result: EvaluationResult) -> None:
    page = _page(rich_result)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page, flags=re.I)
    assert "@import" not in page and "url(" not in page
    assert not re.search(r"\sstyle=", page)  # inline style attributes would need 'unsafe-hashes'
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", page, flags=re.I)  # no event-handler attributes


def test_hostile_values_are_escaped_in_markup_and_in_the_data_block(rich_result: EvaluationResult) -> None:
    page = _page(rich_result)
    assert "<img" not in page
    assert page.count("</script>") == 2  # the data block and the page script, nothing injected
    assert "&lt;img src=x onerror=" in page  # server-rendered (scan error, waiver selector)
    data = _data(page)
    block = re.search(r'id="report-data">(.*?)</script>', page, flags=re.S)
    assert block is not None and "<" not in block.group(1) and ">" not in block.group(1)
    assert HOSTILE_NAME in data["strings"]
    assert any(HOSTILE_TAG in s for s in data["strings"])


def test_headline_and_sections(rich_result: EvaluationResult) -> None:
    page = _page(rich_result)
    assert "33.3%" in page
    for anchor in ('id="coverage"', 'id="findings"', 'id="waivers"', 'id="gaps"', 'id="run"', "@media print"):
        assert anchor in page
    assert 'id="since"' not in page
    assert "ListMonitoringSchedules" in page and "W-2" in page and "expired" in page
    assert "monitors" in page and "failed" in page  # the coverage gap of the second account
    data = _data(page)
    assert len(data["findings"]) == 8 and len(data["coverage"]) == 4


def test_deterministic(rich_result: EvaluationResult, copy_result) -> None:
    shuffled = copy_result(rich_result)
    shuffled.findings.reverse()
    shuffled.coverage.reverse()
    assert html_report.render(shuffled) == html_report.render(rich_result)


def scale_result(endpoints: int = 5000, policies: int = 20) -> EvaluationResult:
    """About the benchmark estate: ``endpoints`` x ``policies`` findings, tags on every endpoint."""
    findings = []
    coverage = []
    states = list(CellState)
    columns = [CoverageColumn(f"column-{i}", f"Column {i}") for i in range(6)]
    for e in range(endpoints):
        account = f"{100000000000 + e % 50}"
        name = f"model-{e:05d}-prod"
        arn = endpoint_arn(name, account)
        tags = {
            "team": f"team-{e % 40}",
            "owner": f"owner{e % 300}@example.com",
            "cost-center": f"cc-{e % 90}",
        }
        for p in range(policies):
            verdict = Verdict.FAIL if (e + p) % 4 == 0 else Verdict.PASS
            message = (
                f"expected >= 1 DataQuality monitor in status Scheduled; found {['none', 'Stopped'][p % 2]}"
                if verdict is Verdict.FAIL
                else ""
            )
            findings.append(
                Finding(
                    policy_id=f"MM-{p:03d}",
                    severity=list(Severity)[p % 5],
                    verdict=verdict,
                    resource_kind=ResourceKind.ENDPOINT,
                    resource_arn=arn,
                    resource_name=name,
                    account_id=account,
                    region="eu-west-1",
                    message=message,
                    remediation="",
                    tags=tags,
                )
            )
        cells = {c.id: CoverageCell(states[(e + i) % 5]) for i, c in enumerate(columns)}
        coverage.append(CoverageRow(arn, name, account, "eu-west-1", "real_time", cells))
    result = base_result(findings)
    result.coverage_columns = columns
    result.coverage = coverage
    return result


def test_stays_small_at_5000_endpoints() -> None:
    data = html_report.render(scale_result())
    assert len(data) < 10 * 1024 * 1024, f"{len(data) / 1e6:.1f} MB"
