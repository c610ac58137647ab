"""The Frameworks section of report.html (its own template, included before Waivers), checked in a real
headless Chromium: every requirement with its status, counts and failing resources, hostile text inert."""

from __future__ import annotations

import re
from pathlib import Path

from headless_chromium import dump_dom

from auditor.report import html_report
from auditor.results import (
    EvaluationResult,
    FrameworkRollup,
    RequirementRollup,
    RequirementStatus,
    Verdict,
)

from .conftest import HOSTILE_NAME, endpoint_arn


def _with_frameworks(result: EvaluationResult) -> EvaluationResult:
    failing = [endpoint_arn(f"ep-{i:02d}") for i in range(12)]
    result.frameworks = [
        FrameworkRollup(
            framework_id="sr-11-7",
            name="SR 11-7",
            title="Supervisory Guidance on Model Risk Management",
            version="2011-04-04",
            source="https://www.federalreserve.gov/supervisionreg/srletters/sr1107.htm",
            origin="builtin",
            requirements=[
                RequirementRollup(
                    requirement_id="Ongoing monitoring",
                    title="Ongoing monitoring of models in use",
                    status=RequirementStatus.FAIL,
                    policies=["MM-ALARM-001", "MM-DQ-001"],
                    source="https://www.federalreserve.gov/supervisionreg/srletters/sr1107a1.pdf",
                    summary="Keep checking models in production.",
                    verdicts={Verdict.PASS: 3, Verdict.FAIL: 12, Verdict.ERROR: 0},
                    failing_resources=failing,
                ),
                RequirementRollup(
                    requirement_id="Outcomes analysis",
                    title="Outcomes analysis",
                    status=RequirementStatus.NOT_EVALUATED,
                    policies=["MM-CAP-001", "mm-ground-truth-input"],
                    policies_not_run=["mm-ground-truth-input"],
                    verdicts={Verdict.PASS: 1},
                ),
            ],
        ),
        FrameworkRollup(
            framework_id="bank",
            name=HOSTILE_NAME,
            title=f"Internal {HOSTILE_NAME}",
            version="1",
            source="javascript:alert(1)",
            origin="/etc/frameworks/bank.yaml",
            requirements=[
                RequirementRollup(
                    requirement_id=HOSTILE_NAME,
                    title="t",
                    status=RequirementStatus.WAIVED,
                    policies=["MM-DQ-001"],
                    source="javascript:document.title='PWNED'",
                    verdicts={Verdict.WAIVED: 1},
                )
            ],
        ),
    ]
    return result


def _section(html: str) -> str:
    found = re.search(r'<section id="frameworks">.*?</section>', html, flags=re.S)
    assert found is not None, "no Frameworks section"
    return found.group(0)


def test_frameworks_section_sits_before_waivers(rich_result: EvaluationResult) -> None:
    html = html_report.render_text(_with_frameworks(rich_result))
    assert html.index('<section id="frameworks">') < html.index('<section id="waivers">')
    assert html.count('<section id="frameworks">') == 1


def test_frameworks_section_in_chromium(rich_result: EvaluationResult, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_bytes(html_report.render(_with_frameworks(rich_result)))
    dom = dump_dom(page, tmp_path / "profile")
    body = re.search(r"<body[^>]*>", dom)
    assert body is not None and 'data-ready="1"' in body.group(0)  # the page's own script ran
    assert "PWNED" not in re.search(r"<title>(.*?)</title>", dom, flags=re.S).group(1)  # type: ignore[union-attr]
    section = _section(dom)
    rows = re.findall(
        r'<tr data-requirement="([^"]*)" data-status="([A-Z_]+)">(.*?)</tr>', section, flags=re.S
    )
    assert [(r[0], r[1]) for r in rows] == [
        ("Ongoing monitoring", "FAIL"),
        ("Outcomes analysis", "NOT_EVALUATED"),
        ("&lt;img src=x onerror=&quot;document.title='PWNED'&quot;&gt;", "WAIVED"),  # an attribute value
    ]
    ongoing, outcomes, hostile = (r[2] for r in rows)
    assert "Failing" in ongoing and "12:" in ongoing
    assert endpoint_arn("ep-09") in ongoing and endpoint_arn("ep-10") not in ongoing
    assert "and 2 more in report.json" in ongoing
    counts = re.findall(r'<td class="num">(\d+)</td>', ongoing)
    assert counts == ["3", "12", "0", "0", "0"]  # Passed, Failed, Could not check, Waived, N/A
    assert 'href="https://www.federalreserve.gov/supervisionreg/srletters/sr1107a1.pdf"' in ongoing
    assert "Not evaluated" in outcomes and "mm-ground-truth-input (did not run)" in outcomes
    assert "Met with waivers" in hostile
    assert "javascript:" not in section  # a source that is not https:// is never a link
    assert "<img" not in section and "&lt;img src=x" in section
    assert "from /etc/frameworks/bank.yaml" in section


def test_section_says_when_no_frameworks_were_loaded(rich_result: EvaluationResult) -> None:
    rich_result.frameworks = []
    section = _section(html_report.render_text(rich_result))
    assert "No framework mappings were loaded" in section
