"""report.html in a real headless Chromium: hostile values never execute, the page's own script does.

Without Chromium these tests skip with the reason, except under CI=true or AUDITOR_REQUIRE_BROWSER=1
(.ci/run), where they fail (tests/headless_chromium.py).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from headless_chromium import Chromium, dump_dom, dump_dom_url, page_in_browser

from auditor.report import html_report
from auditor.report.console_links import console_url, encode_name
from auditor.report.diff import compare
from auditor.results import EvaluationResult, Finding, ResourceKind, Severity, Verdict

from .conftest import ACCOUNT, HOSTILE_NAME, OTHER_ACCOUNT, REGION, finding
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
    assert len(findings) == 5  # the default view hides the 2 PASS and the NOT_APPLICABLE verdicts
    text = "".join(findings)
    assert "AccessDenied on monitors" in text and "v-WAIVED" in text
    assert "v-NOT_APPLICABLE" not in text
    assert "Showing 5 of 5 matching findings (8 in total)." in dom


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
        pytest.param("verdict=NOPE&severity=%22%3E%3Cimg", 5, id="unknown-values-ignored"),
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


# ------------------------------------------------------------------ worst first, links that filter

_STATE = """(async () => {
  await new Promise(r => setTimeout(r, 100));  // a followed link is applied on hashchange, a task later
  const rows = Array.from(document.querySelectorAll("#findings-body tr"));
  const scope = document.getElementById("f-scope");
  return {
    hash: location.hash,
    groups: rows.filter(tr => tr.className === "group")
      .map(tr => tr.querySelector(".mono").textContent.trim()),
    rows: rows.filter(tr => tr.className !== "group").map(tr => tr.textContent),
    scope: scope.hidden ? "" : document.getElementById("f-scope-text").textContent,
  };
})()"""


def _click(browser: Chromium, selector: str) -> dict[str, Any]:
    found = browser.evaluate(
        f"(() => {{ const a = document.querySelector({json.dumps(selector)});"
        " if (a) { a.click(); } return !!a; })()"
    )
    assert found, f"nothing matches {selector}"
    state: dict[str, Any] = browser.evaluate(_STATE)
    return state


def _chained(result: EvaluationResult) -> str:
    """Give churn-prod a failing monitor linked in its coverage row (its own checks pass)."""
    monitor = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:monitoring-schedule/churn-prod-dq"
    result.findings.append(
        Finding(
            "MM-DQ-001",
            Severity.HIGH,
            Verdict.FAIL,
            ResourceKind.MONITOR,
            monitor,
            "churn-prod-dq",
            ACCOUNT,
            REGION,
            "monitor message",
        )
    )
    (row,) = [c for c in result.coverage if c.endpoint_name == "churn-prod"]
    row.chain_arns = [monitor]
    return row.endpoint_arn


def test_findings_are_grouped_worst_policy_first(rich_result: EvaluationResult, tmp_path: Path) -> None:
    with page_in_browser(_render(rich_result, tmp_path).as_uri()) as browser:
        state = browser.evaluate(_STATE)
    assert state["groups"] == ["MM-ALARM-001", "MM-DQ-001", "MM-CAP-001"]  # critical, high, low


def test_severity_cards_filter_the_findings_and_the_address_keeps_the_filter(
    rich_result: EvaluationResult, tmp_path: Path
) -> None:
    page = _render(rich_result, tmp_path)
    with page_in_browser(page.as_uri()) as browser:
        state = _click(browser, "a.card[href*='severity=critical']")
        assert state["hash"] == "#view:verdict=FAIL&severity=critical"
        assert len(state["rows"]) == 1 and "HYPERLINK" in state["rows"][0]
        # Another filter changes the address; the card applies its view again when clicked again.
        browser.evaluate(
            "(() => { const s = document.getElementById('f-verdict'); s.value = '';"
            " s.dispatchEvent(new Event('change')); })()"
        )
        assert browser.evaluate("location.hash") == "#view:verdict=&severity=critical"
        assert len(_click(browser, "a.card[href*='severity=critical']")["rows"]) == 1
        state = _click(browser, "a.card[href='#view:verdict=ERROR']")
        assert len(state["rows"]) == 1 and "AccessDenied on monitors" in state["rows"][0]
    # The address of a view opens the same view.
    with page_in_browser(page.as_uri() + "#view:verdict=FAIL&severity=critical") as browser:
        assert len(browser.evaluate(_STATE)["rows"]) == 1


def test_account_region_breakdown_filters_the_findings(rich_result: EvaluationResult, tmp_path: Path) -> None:
    with page_in_browser(_render(rich_result, tmp_path).as_uri()) as browser:
        first = browser.evaluate("document.querySelector('table.places tbody tr td').textContent")
        assert first == ACCOUNT  # the account and region with the critical failure come first
        state = _click(browser, f"table.places a[href='#view:account={OTHER_ACCOUNT}']")
        assert [("fraud-prod" in r) for r in state["rows"]] == [True]  # its only problem: an ERROR
        state = _click(browser, "table.places a[href*='severity=critical']")
        assert state["hash"] == f"#view:verdict=FAIL&severity=critical&account={ACCOUNT}&region={REGION}"
        assert len(state["rows"]) == 1


def test_a_matrix_cell_shows_the_findings_of_its_endpoint_chain(
    rich_result: EvaluationResult, tmp_path: Path
) -> None:
    endpoint = _chained(rich_result)
    with page_in_browser(_render(rich_result, tmp_path).as_uri()) as browser:
        cell = browser.evaluate(
            "Array.from(document.querySelectorAll('#coverage-body tr'))"
            ".find(tr => tr.textContent.indexOf('churn-prod') >= 0)"
            ".querySelector('a.cell').getAttribute('href')"
        )
        assert cell == "#view:ep=" + encode_name(endpoint)
        state = _click(browser, f"a.cell[href='{cell}']")
        assert len(state["rows"]) == 1 and "churn-prod-dq" in state["rows"][0]  # its own checks pass
        assert "churn-prod" in state["scope"]
        browser.evaluate(
            "(() => { const s = document.getElementById('f-verdict'); s.value = '';"
            " s.dispatchEvent(new Event('change')); })()"
        )
        state = browser.evaluate(_STATE)
        assert len(state["rows"]) == 3 and state["hash"] == "#view:verdict=&ep=" + encode_name(endpoint)
        state = _click(browser, "#f-scope-clear")
        assert state["scope"] == "" and len(state["rows"]) == 9


def test_console_links_open_safely_and_match_the_generator(
    rich_result: EvaluationResult, tmp_path: Path
) -> None:
    with page_in_browser(_render(rich_result, tmp_path).as_uri() + "#view:verdict=") as browser:
        links = browser.evaluate(
            "Array.from(document.querySelectorAll('#findings-body a.console, #coverage-body a.console'))"
            ".map(a => [a.closest('tr').querySelector('.mono.muted').textContent,"
            " a.getAttribute('href'), a.getAttribute('rel'), a.getAttribute('target')])"
        )
        pwned = browser.evaluate("document.body.dataset.pwned || document.title.indexOf('PWNED') >= 0")
    assert links and not pwned
    findings_links = [link for link in links if link[0].startswith("arn:")]
    assert findings_links
    for arn, href, rel, target in findings_links:
        assert href == console_url(arn), arn  # the page and the generator build the same URL
        assert rel == "noopener noreferrer" and target == "_blank"
    assert any("%3Cimg" in href for _, href, _, _ in links)  # the hostile name is encoded, inert


def test_not_applicable_rows_have_no_severity_badge(rich_result: EvaluationResult, tmp_path: Path) -> None:
    page = _render(rich_result, tmp_path)
    dom = dump_dom_url(page.as_uri() + "#view:verdict=NOT_APPLICABLE", tmp_path / "profile")
    (row,) = _findings(dom)
    assert "v-NOT_APPLICABLE" in row and 'class="sev' not in row
