"""report.md: escaped, capped, with the baseline section when present."""

from __future__ import annotations

from auditor.report import markdown_report
from auditor.report.diff import compare
from auditor.results import EvaluationResult, Severity, Verdict

from .conftest import HOSTILE_NAME, base_result, finding


def test_headline_tables_and_escaping(rich_result: EvaluationResult) -> None:
    text = markdown_report.render(rich_result).decode()
    assert text.startswith("## Model Monitor compliance: 33.3% (3 failing check(s))")
    assert "| 1 | 1 | 0 | 1 | 0 |" in text  # failures by severity: critical high medium low info
    assert "### Top failing policies" in text and "### Scan errors" in text
    assert HOSTILE_NAME not in text
    assert "&lt;img src=x onerror=" in text
    assert "<img" not in text and "</script>" not in text
    assert "\x1b" not in text and "\x00" not in text


def test_md_escape_neutralizes_markup_mentions_and_links() -> None:
    out = markdown_report.md_escape(
        "a|b *c* [x](javascript:alert(1)) <b> @org/team http://evil.example\nnext"
    )
    assert "\\|" in out and "\\*c\\*" in out and "\\[x\\]" in out
    assert "<b>" not in out and "&lt;b&gt;" in out
    assert "@org" not in out and "http://" not in out
    assert "\n" not in out


def test_output_is_capped() -> None:
    findings = [finding("P1", Verdict.FAIL, f"endpoint-{i:05d}-" + "x" * 200) for i in range(3000)]
    text = markdown_report.render(base_result(findings)).decode()
    assert len(text) <= markdown_report.MAX_CHARS
    assert "and 2950 more" in text


def test_since_last_run_section() -> None:
    old = base_result([finding("P1", Verdict.PASS, "a"), finding("P1", Verdict.FAIL, "b")])
    new = base_result([finding("P1", Verdict.FAIL, "a"), finding("P1", Verdict.PASS, "b")])
    new.baseline = compare(old, new)
    text = markdown_report.render(new).decode()
    assert "### Since last run" in text
    assert "| 0 | 1 | 0 | 1 |" in text  # new, regressed, still failing, resolved


def test_clean_run_says_passed() -> None:
    text = markdown_report.render(
        base_result([finding("P1", Verdict.PASS, "a", severity=Severity.LOW)])
    ).decode()
    assert "100.0% (no failing checks)" in text


def test_top_failing_policies_rank_by_severity_before_count() -> None:
    findings = [finding("MM-DQ-001", Verdict.FAIL, f"ep-{i}") for i in range(3)]
    findings += [finding("MM-CAP-001", Verdict.FAIL, f"ep-{i}", Severity.LOW) for i in range(5)]
    findings += [finding("MM-ALARM-001", Verdict.FAIL, "one", Severity.CRITICAL)]
    text = markdown_report.render(base_result(findings)).decode()
    top = text.split("### Top failing policies", 1)[1].split("###", 1)[0]
    rows = [line for line in top.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [row.split(" | ")[1] for row in rows] == ["MM-ALARM-001", "MM-DQ-001", "MM-CAP-001"]
    assert rows[0].startswith("| critical |")


def test_not_applicable_checks_are_not_listed() -> None:
    text = markdown_report.render(
        base_result(
            [finding("P1", Verdict.NOT_APPLICABLE, "serverless-ep"), finding("P1", Verdict.FAIL, "a")]
        )
    ).decode()
    assert "serverless-ep" not in text
