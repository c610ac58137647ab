"""report.html without a browser: CSP, self-containment, escaping, determinism, size at scale."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
import json
import re

from auditor.report import html_report
from auditor.report.text import safe_text
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

from .conftest import (
    ACCOUNT,
    CONTROL_NAME,
    FORMULA_NAME,
    HOSTILE_NAME,
    HOSTILE_TAG,
    OTHER_ACCOUNT,
    REGION,
    base_result,
    endpoint_arn,
    finding,
)


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
    assert not re.search(r"""src\s*=\s*["']?(https?:|//)""", page, flags=re.I)
    assert "<link" not in page
    # The only outside addresses are links to the AWS console: navigation on a click, never a fetch,
    # opened without an opener or a referrer.
    links = re.findall(r"""<[^>]*\shref\s*=\s*["']?(?:https?:|//)[^>]*>""", page, flags=re.I)
    assert links
    for tag in links:
        assert tag.startswith("<a ") and 'target="_blank"' in tag and 'rel="noopener noreferrer"' in tag, tag
        assert re.search(r'href="https://[a-z0-9-]+\.console\.aws\.amazon\.com/', tag), tag
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


def _section(page: str, section_id: str) -> str:
    found = re.search(rf'<section id="{section_id}"[^>]*>(.*?)</section>', page, flags=re.S)
    assert found is not None, section_id
    return found.group(1)


def test_the_page_opens_with_the_headline_then_fix_first_then_places_then_the_matrix(
    rich_result: EvaluationResult,
) -> None:
    page = _page(rich_result)
    order = [page.index(f'<section id="{s}"') for s in ("headline", "fix-first", "places", "coverage")]
    assert order == sorted(order)
    assert page.index('<section id="coverage"') < page.index('<section id="findings"')


def test_fix_first_lists_failing_resources_worst_first_with_their_fix(rich_result: EvaluationResult) -> None:
    rich_result.policies[1].fix = "Give the alarm an action."
    fix = _section(_page(rich_result), "fix-first")
    failing, _, unchecked = fix.partition('id="could-not-check"')
    names = re.findall(r"<strong>(.*?)</strong>", failing)
    # critical first, then high, then low; the waived, passed and not-applicable ones are not there
    assert [html.unescape(n) for n in names] == [FORMULA_NAME, HOSTILE_NAME, safe_text(CONTROL_NAME)]
    assert "Give the alarm an action." in failing and "Fix MM-DQ-001 like this." in failing
    assert "legacy-ep" not in failing and "serverless-ep" not in failing and "churn-prod" not in failing
    assert "fraud-prod" in unchecked and "AccessDenied on monitors" in unchecked
    assert "<img" not in fix


def test_fix_first_is_capped_and_links_to_every_failure() -> None:
    findings = [finding("MM-DQ-001", Verdict.FAIL, f"ep-{i:03d}") for i in range(40)]
    fix = _section(_page(base_result(findings)), "fix-first")
    assert fix.count("<tr>") == html_report.FIX_FIRST_CAP + 1  # the header row
    assert "and 15 more failing resource(s)" in fix and 'href="#view:verdict=FAIL&amp;sort=severity"' in fix


def test_cards_and_places_link_to_filtered_findings(rich_result: EvaluationResult) -> None:
    page = _page(rich_result)
    headline = _section(page, "headline")
    for sev in ("critical", "high", "medium", "low", "info"):
        assert f'href="#view:verdict=FAIL&amp;severity={sev}"' in headline
    assert 'href="#view:verdict=ERROR"' in headline and 'href="#view:verdict=WAIVED"' in headline
    places = _section(page, "places")
    rows = re.findall(r"<tr><td.*?</tr>", places, flags=re.S)
    assert f"#view:account={OTHER_ACCOUNT}" not in rows[0]  # the account with the critical failure is first
    assert (
        f'href="#view:verdict=FAIL&amp;severity=critical&amp;account={ACCOUNT}&amp;region={REGION}"'
        in rows[0]
    )


def test_page_data_carries_console_templates_and_endpoint_chains(rich_result: EvaluationResult) -> None:
    monitor = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:monitoring-schedule/legacy-ep-dq"
    (row,) = [c for c in rich_result.coverage if c.endpoint_name == "churn-prod"]
    row.chain_arns = [monitor, "arn:aws:sagemaker:eu-west-1:111122223333:model/not-judged"]
    rich_result.findings.append(finding("MM-DQ-001", Verdict.PASS, "x"))
    rich_result.findings[-1].resource_arn = monitor
    data = _data(_page(rich_result))
    strings = data["strings"]
    by_arn = {strings[r[0]]: r for r in data["resources"]}
    template = strings[by_arn[endpoint_arn("churn-prod")][6]]
    assert template == (
        "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/endpoints/{name}"
    )
    (cov,) = [c for c in data["coverage"] if strings[c[0]] == "churn-prod"]
    assert [strings[data["resources"][i][0]] for i in cov[8]] == [endpoint_arn("churn-prod"), monitor]


def test_coverage_rows_carry_their_joined_notes(rich_result: EvaluationResult) -> None:
    """The notes are made again while the page is written (never held for every row): each row still
    points at its own text, and rows with the same notes share one string."""
    twin = rich_result.coverage[0]
    rich_result.coverage.append(
        dataclasses.replace(twin, endpoint_arn=twin.endpoint_arn + "-twin", endpoint_name="twin")
    )
    data = _data(_page(rich_result))
    strings = data["strings"]
    by_arn = {strings[c[1]]: c for c in data["coverage"]}
    shown = 0
    for row in rich_result.coverage:
        columns = rich_result.coverage_columns
        notes = [f"{col.title}: {note}" for col in columns for note in _cell_notes(row, col.id)]
        index = by_arn[row.endpoint_arn][6]
        assert (strings[index] if index >= 0 else "") == safe_text("; ".join(notes), newlines=True)
        shown += bool(notes)
    assert shown >= 2
    assert by_arn[twin.endpoint_arn][6] == by_arn[twin.endpoint_arn + "-twin"][6]


def _cell_notes(row: CoverageRow, column: str) -> list[str]:
    cell = row.cells.get(column)
    return list(cell.notes) if cell is not None else []


def test_the_string_table_holds_what_is_added_after_it_is_handed_out() -> None:
    strings = html_report._Strings()
    table = strings.table()
    assert len(table) == 0 and list(table) == []
    made: list[str] = []

    def joined() -> str:
        made.append("joined")
        return "DataQuality: no schedule; Alarm: none"

    assert strings("churn") == 0 and strings.later(joined) == 1 and strings.later(joined) == 1
    assert strings.later(lambda: "churn") == 0 and strings.later(lambda: "") == -1
    assert len(table) == 2 and list(table) == ["churn", "DataQuality: no schedule; Alarm: none"]
    assert len(made) == 3  # once per call to later, once more when the table is written: never kept
