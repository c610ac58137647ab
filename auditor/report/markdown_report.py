"""report.md: a short summary for a CI job page or a pull-request comment.

Every value from the estate (names, tags, messages) is escaped: control and bidirectional-formatting
characters become visible escapes (``safe_text``), HTML-significant characters become entities,
Markdown punctuation is backslash-escaped, line breaks become spaces and ``@`` is broken so a
resource named ``@org/team`` cannot notify anyone. The output is capped below GitHub's
65,536-character comment limit; report.html and report.json hold everything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from auditor.report.encoding import utf8
from auditor.report.priority import failing_policies
from auditor.report.summary import format_percent, ordered_findings, summarize
from auditor.report.text import safe_text
from auditor.results import EvaluationResult, Finding, LifecycleStatus, Verdict, WaiverStatus

MAX_CHARS = 60_000
MAX_FINDING_ROWS = 50
MAX_POLICY_ROWS = 10
MAX_ERROR_ROWS = 20
MAX_CELL = 300

# Only what can start markup mid-line: emphasis, code, links, tables, strikethrough. Values never
# start a line (they sit in table cells or after text), so block markers need no escaping.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_escape(value: str, limit: int = MAX_CELL) -> str:
    """``value`` as inert Markdown text, one line, at most ``limit`` characters (before escaping)."""
    text = " ".join(safe_text(value, newlines=True).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    # A zero-width space stops @mentions and autolinked URLs in GitHub comments.
    return text.replace("@", "@\u200b").replace("://", ":\u200b//")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _finding_rows(findings: Sequence[Finding]) -> list[list[str]]:
    return [
        [
            f.severity.value,
            f.verdict.value,
            md_escape(f.policy_id, 80),
            md_escape(f.resource_name, 100)
            + (f" ({md_escape(f.location.describe(), 120)})" if f.location else ""),
            md_escape(f"{f.account_id}/{f.region}", 40),
            md_escape(f.message),
        ]
        for f in findings
    ]


def _more(total: int, shown: int) -> list[str]:
    return ["", f"_…and {total - shown} more; see report.html._"] if total > shown else []


def _baseline_section(result: EvaluationResult) -> list[str]:
    b = result.baseline
    if b is None:
        return []
    lines = [
        "",
        "### Since last run",
        "",
        f"Compared with the report of {md_escape(b.baseline_generated_at, 40)}: compliance "
        f"{format_percent(b.compliance_before)} → {format_percent(b.compliance_after)}.",
        *(
            [
                "",
                f"Not compared: {len(b.targets_only_before)} target(s) scanned only by the baseline and "
                f"{len(b.targets_only_now)} only by this run; their findings are not counted below.",
            ]
            if b.targets_only_before or b.targets_only_now
            else []
        ),
        "",
        *_table(
            ["New", "Regressed", "Still failing", "Resolved"],
            [[str(len(b.new)), str(len(b.regressed)), str(len(b.still_failing)), str(len(b.resolved))]],
        ),
    ]
    changed = ordered_findings([*b.regressed, *b.new])
    if changed:
        shown = changed[:MAX_FINDING_ROWS]
        lines += ["", "New and regressed findings:", ""]
        lines += _table(
            ["Severity", "Verdict", "Policy", "Resource", "Account/Region", "Explanation"],
            _finding_rows(shown),
        )
        lines += _more(len(changed), len(shown))
    return lines


def _history_section(result: EvaluationResult) -> list[str]:
    """What the run history says: counts since the previous run and the failures that are not old."""
    h = result.history
    if h is None:
        return []
    status = {(x.policy_id, x.resource_arn): x for x in h.findings}
    counts = {s: sum(1 for x in h.findings if x.status is s) for s in LifecycleStatus}
    oldest = max((x.age_days for x in h.findings), default=None)
    since = (
        f"Since the previous run of this scope ({md_escape(h.previous_run_at, 40)})"
        if h.previous_run_at
        else "First run of this scope in the history"
    )
    mttr = "n/a" if h.mean_days_to_resolve is None else f"{h.mean_days_to_resolve:.1f} days"
    lines = [
        "",
        "### History",
        "",
        f"{since}: {counts[LifecycleStatus.NEW]} new, "
        f"{counts[LifecycleStatus.REGRESSED] + counts[LifecycleStatus.REOPENED]} regressed or reopened, "
        f"{counts[LifecycleStatus.STILL_FAILING]} still failing, {len(h.resolved)} resolved"
        + (f"; the oldest open failure has failed for {oldest} days" if oldest is not None else "")
        + f"; mean time to remediate {mttr}.",
    ]
    changed = ordered_findings(
        f
        for f in result.findings
        if (x := status.get((f.policy_id, f.resource_arn))) is not None
        and x.status is not LifecycleStatus.STILL_FAILING
    )
    if changed and h.previous_run_at:
        shown = changed[:MAX_FINDING_ROWS]
        lines += ["", "Failing since the previous run (new, regressed, reopened):", ""]
        lines += _table(
            ["Severity", "Verdict", "Policy", "Resource", "Account/Region", "Explanation"],
            _finding_rows(shown),
        )
        lines += _more(len(changed), len(shown))
    return lines


def render_text(result: EvaluationResult) -> str:
    """The Markdown summary as text (capped at ``MAX_CHARS``)."""
    s = summarize(result)
    fails = s.verdicts[Verdict.FAIL]
    # Reporters do not know the gate's --fail-on, so the headline counts rather than judges.
    status = f"{fails} failing check(s)" if fails else ("incomplete" if s.incomplete else "no failing checks")
    lines = [
        f"## Model Monitor compliance: {format_percent(s.compliance_percent)} ({status})",
        "",
        f"{s.total} checks across {len(s.accounts)} account(s) and {len(s.regions)} region(s): "
        + ", ".join(f"{s.verdicts[v]} {v.value}" for v in Verdict)
        + ".",
        "",
        "Compliance % = PASS / (PASS + FAIL + ERROR); waived and not-applicable checks are not counted.",
    ]
    if s.incomplete:
        lines += [
            "",
            f"**Incomplete:** {s.verdicts[Verdict.ERROR]} check(s) could not be decided and "
            f"{len(result.scan_errors)} scan error(s) were recorded; compliance was not fully established.",
        ]
    lines += ["", "### Failures by severity", ""]
    lines += _table(
        [sev.value for sev in s.failures_by_severity], [[str(n) for n in s.failures_by_severity.values()]]
    )
    checked = {g.key: g.total for g in s.by_policy}
    top = failing_policies(result)  # the most severe first, then the most failures
    if top:
        shown_p = top[:MAX_POLICY_ROWS]
        lines += ["", "### Top failing policies", ""]
        lines += _table(
            ["Severity", "Policy", "Title", "Failures", "Checked"],
            [
                [
                    p.severity.value,
                    md_escape(p.policy_id, 80),
                    md_escape(p.title, 120),
                    str(p.failures),
                    str(checked.get(p.policy_id, 0)),
                ]
                for p in shown_p
            ],
        )
        lines += _more(len(top), len(shown_p))
    failing = sorted(
        (f for f in result.findings if f.verdict in (Verdict.FAIL, Verdict.ERROR)),
        key=lambda f: (-f.severity.rank, f.verdict is Verdict.ERROR, f.policy_id, f.resource_arn),
    )
    if failing:
        shown = failing[:MAX_FINDING_ROWS]
        lines += ["", "### Failing and undecided checks", ""]
        lines += _table(
            ["Severity", "Verdict", "Policy", "Resource", "Account/Region", "Explanation"],
            _finding_rows(shown),
        )
        lines += _more(len(failing), len(shown))
    lines += _baseline_section(result)
    lines += _history_section(result)
    if result.scan_errors:
        errors = result.scan_errors[:MAX_ERROR_ROWS]
        lines += ["", "### Scan errors", ""]
        lines += _table(
            ["Account", "Region", "Operation", "Error"],
            [
                [
                    md_escape(e.account_id, 20),
                    md_escape(e.region or "-", 30),
                    md_escape(f"{e.service}:{e.operation}", 80),
                    md_escape(f"{e.error_code}: {e.message}"),
                ]
                for e in errors
            ],
        )
        lines += _more(len(result.scan_errors), len(errors))
    if result.waivers:
        by_status = {st: sum(w.status is st for w in result.waivers) for st in WaiverStatus}
        lines += ["", "Waivers: " + ", ".join(f"{n} {st.value}" for st, n in by_status.items()) + "."]
    lines += [
        "",
        f"<sub>mm-auditor {md_escape(result.tool_version, 40)}"
        f" · generated {md_escape(result.generated_at, 40)}"
        f" · policy set {md_escape(result.policy_set_digest[:19], 24)}</sub>",
    ]
    text = "\n".join(lines) + "\n"
    if len(text) > MAX_CHARS:
        cut = text.rfind("\n", 0, MAX_CHARS - 200)
        text = text[:cut] + "\n\n_Summary truncated; see report.html for everything._\n"
    return text


def render(result: EvaluationResult) -> bytes:
    """report.md bytes (UTF-8)."""
    return utf8(render_text(result))
