"""The history in the reports: the HTML section (inline SVG charts, no script, strict CSP unchanged,
readable without colour) checked in headless Chromium, the per-finding history line, report.json."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from headless_chromium import dump_dom

from auditor.history import HistoryOptions, attach, record_run
from auditor.report import html_report, json_report
from auditor.report.html_report import content_security_policy
from auditor.results import EvaluationResult, LifecycleStatus, Verdict

from .conftest import run_at

F, P = Verdict.FAIL, Verdict.PASS
DQ, CAP = "mm-data-quality-monitor", "mm-data-capture"
HOSTILE = "<img src=x onerror=\"document.title='PWNED'\">"


def history_result(tmp_path: Path) -> EvaluationResult:
    """Four weekly runs with changes between them; the last one carries its history view."""
    options = HistoryOptions(path=tmp_path / "history.sqlite")
    weeks = [
        {(DQ, "churn"): F, (CAP, "churn"): P, (DQ, HOSTILE): F, (DQ, "fraud"): F},
        {(DQ, "churn"): F, (CAP, "churn"): F, (DQ, HOSTILE): F, (DQ, "fraud"): P},
        {(DQ, "churn"): F, (CAP, "churn"): P, (DQ, HOSTILE): F, (DQ, "fraud"): P},
        {(DQ, "churn"): F, (CAP, "churn"): F, (DQ, HOSTILE): P, (DQ, "fraud"): P, (DQ, "new-ep"): F},
    ]
    days = ["2026-01-01", "2026-01-08", "2026-01-15", "2026-01-24"]
    result = None
    for day, verdicts in zip(days, weeks, strict=True):
        result = run_at(day, verdicts)
        attach(options, result)
        if day != days[-1]:
            record_run(options, result)
    assert result is not None
    return result


def test_the_history_section_is_inline_svg_without_script_or_inline_style(tmp_path: Path) -> None:
    result = history_result(tmp_path)
    page = html_report.render_text(result)
    section = page.split('<section id="history">', 1)[1].split("</section>", 1)[0]
    # Placed after the worst-first part of the page (summary, fix first, places, the matrix).
    assert (
        page.index('<section id="headline"')
        < page.index('<section id="coverage">')
        < page.index('<section id="history">')
        < page.index('<section id="policies">')
    )
    assert section.count("<svg") == 3 and section.count('role="img"') == 3
    for title in ("Compliance % per run", "New and resolved failures per run", "Open failures by age"):
        assert f">{title}</title>" in section and f"<figcaption>{title}</figcaption>" in section
    assert "<script" not in section and "style=" not in section and "href" not in section
    # The page's script and style are still the only ones, and the CSP is the same strict one.
    assert page.count("<script") == 2
    css = html_report._asset("report.css")
    js = html_report._asset("report.js")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert csp is not None and html.unescape(csp.group(1)) == content_security_policy(css, js)
    assert "unsafe-inline" not in page
    # Without colour: new bars are solid, resolved ones hatched, and the legend says so in words.
    assert 'fill="url(#hatch)"' in section and "<pattern" in section
    assert "new failures (solid)" in section and "resolved (hatched)" in section
    # The numbers are also text: the last compliance value, bar values, and a table per chart.
    assert section.count("<summary>The numbers</summary>") == 3
    assert ">40.0%</text>" in section  # this run: 2 PASS of 5 judged
    # The hostile name is escaped text in the tables, never markup.
    assert "<img" not in section and "&lt;img src=x onerror=" in section


def test_cards_and_tables_tell_new_resolved_and_oldest(tmp_path: Path) -> None:
    result = history_result(tmp_path)
    assert result.history is not None
    statuses = {(h.policy_id, h.resource_arn.rsplit("/", 1)[1]): h.status for h in result.history.findings}
    assert statuses == {
        (DQ, "churn"): LifecycleStatus.STILL_FAILING,  # failing since week 1
        (CAP, "churn"): LifecycleStatus.REOPENED,  # failed in week 2, resolved in week 3
        (DQ, "new-ep"): LifecycleStatus.NEW,
    }
    page = html_report.render_text(result)
    section = page.split('<section id="history">', 1)[1].split("</section>", 1)[0]
    assert "New, regressed and reopened since the last run" in section
    assert "reopened (it failed before and was resolved)" in section  # capture on churn
    assert "Resolved since the last run" in section and "had failed 23 day(s), since 2026-01-01" in section
    assert "Failing the longest" in section and "23 day(s), since 2026-01-01" in section


def test_report_json_carries_the_history_and_loads_back(tmp_path: Path) -> None:
    result = history_result(tmp_path)
    data = json.loads(json_report.render(result))
    history = data["history"]
    assert history["runs_before"] == 3 and history["previous_run_at"] == "2026-01-15T06:00:00Z"
    assert {f["status"] for f in history["findings"]} == {"still_failing", "new", "reopened"}
    assert json_report.loads_report(json.dumps(data)).history == result.history


@pytest.mark.browser
def test_chromium_renders_the_section_and_the_history_line_of_each_finding(tmp_path: Path) -> None:
    result = history_result(tmp_path)
    page = tmp_path / "report.html"
    page.write_bytes(html_report.render(result))
    dom = dump_dom(page, tmp_path / "profile")
    body = re.search(r"<body[^>]*>", dom)
    assert body is not None and 'data-ready="1"' in body.group(0)
    assert "PWNED" not in dom.split("</title>", 1)[0]
    assert dom.count("<svg") == 3
    rows = re.search(r'<tbody id="findings-body">(.*?)</tbody>', dom, flags=re.S)
    assert rows is not None
    assert "History: failing for 23 day(s) (since 2026-01-01)" in rows.group(1)
    assert "History: new since the last run" in rows.group(1)
    assert "History: reopened (it failed before and was resolved)" in rows.group(1)


def test_the_markdown_summary_has_a_history_section(tmp_path: Path) -> None:
    from auditor.report import markdown_report

    text = markdown_report.render_text(history_result(tmp_path))
    section = text.split("### History", 1)[1]
    assert section.startswith(
        "\n\nSince the previous run of this scope (2026-01-15T06:00:00Z): 1 new, 1 regressed or reopened, "
        "1 still failing, 1 resolved; the oldest open failure has failed for 23 days; mean time to remediate"
    )
    assert "Failing since the previous run (new, regressed, reopened):" in section
    assert "new-ep" in section and "&lt;img" not in section.split("Failing since", 1)[0]
