"""The one definition of the headline numbers every report format shows.

Compliance % is ``PASS / (PASS + FAIL + ERROR)`` over all verdicts, as a percentage rounded to two
decimals, or ``None`` when that denominator is zero (nothing was judged on its merits):

- FAIL counts against compliance, whether or not a waiver had expired.
- ERROR counts against it too: the data needed could not be collected, so compliance was *not*
  established; counting it as neutral would let a broken scan look healthy (fail closed).
- WAIVED is excluded from both sides. A waiver is an accepted, owned risk: it is neither evidence of
  compliance (counting it as PASS would let waivers inflate the number) nor an open problem
  (counting it as FAIL would punish teams for recording exceptions). Waivers are counted and shown
  separately in every report.
- NOT_APPLICABLE is excluded: the check cannot apply to that resource.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice

from auditor.findings import FindingTable
from auditor.results import EvaluationResult, Finding, Severity, Verdict


@dataclass
class GroupSummary:
    """Verdict counts for one group of findings (one severity, one policy or one account)."""

    key: str
    total: int
    verdicts: dict[Verdict, int]
    compliance_percent: float | None
    failures: int  # FAIL verdicts (waived findings are WAIVED, never FAIL)


@dataclass
class Summary:
    """The summary block of report.json, also used by the HTML and Markdown headlines."""

    total: int
    verdicts: dict[Verdict, int]
    compliance_percent: float | None
    failures_by_severity: dict[Severity, int]
    accounts: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    incomplete: bool = False  # any ERROR verdict or scan error
    by_severity: list[GroupSummary] = field(default_factory=list)
    by_policy: list[GroupSummary] = field(default_factory=list)
    by_account: list[GroupSummary] = field(default_factory=list)


def finding_key(f: Finding) -> tuple[str, str, str, str, str]:
    """The stable order of findings in every report: policy, then resource."""
    return (f.policy_id, f.resource_arn, f.account_id, f.region, f.verdict.value)


def ordered_findings(findings: Iterable[Finding]) -> Sequence[Finding]:
    """``findings`` in the stable report order.

    A table the engine made (``auditor.findings``) and a list already in that order are returned as
    they are, not copied: at 100,000 endpoints a sorted copy with its keys is hundreds of megabytes
    per report.
    """
    if isinstance(findings, FindingTable) and findings.in_report_order:
        return findings
    if isinstance(findings, list) and all(
        finding_key(a) <= finding_key(b) for a, b in zip(findings, islice(findings, 1, None), strict=False)
    ):
        return findings
    return sorted(findings, key=finding_key)


def verdict_counts(findings: Iterable[Finding]) -> dict[Verdict, int]:
    """Count findings per verdict; every verdict is present (zero when absent)."""
    counts = Counter(f.verdict for f in findings)
    return {v: counts.get(v, 0) for v in Verdict}


def compliance_from_counts(counts: dict[Verdict, int]) -> float | None:
    """``PASS / (PASS + FAIL + ERROR)`` in percent, two decimals; None when nothing was judged."""
    judged = counts[Verdict.PASS] + counts[Verdict.FAIL] + counts[Verdict.ERROR]
    if judged == 0:
        return None
    return round(100.0 * counts[Verdict.PASS] / judged, 2)


def compliance_percent(result: EvaluationResult) -> float | None:
    """The run's compliance % (see the module docstring for the definition and why)."""
    return compliance_from_counts(verdict_counts(result.findings))


def _group_summary(key: str, counts: dict[Verdict, int]) -> GroupSummary:
    return GroupSummary(
        key=key,
        total=sum(counts.values()),
        verdicts=counts,
        compliance_percent=compliance_from_counts(counts),
        failures=counts[Verdict.FAIL],
    )


def _count(groups: dict[str, dict[Verdict, int]], key: str, verdict: Verdict) -> None:
    counts = groups.get(key)
    if counts is None:
        counts = groups[key] = dict.fromkeys(Verdict, 0)
    counts[verdict] += 1


def summarize(result: EvaluationResult) -> Summary:
    """Counts by verdict, severity, policy and account, in a stable order (one pass, counting: the
    findings are never grouped into lists)."""
    counts = dict.fromkeys(Verdict, 0)
    failing: Counter[Severity] = Counter()
    by_severity: dict[str, dict[Verdict, int]] = {}
    by_policy: dict[str, dict[Verdict, int]] = {}
    by_account: dict[str, dict[Verdict, int]] = {}
    for f in result.findings:
        counts[f.verdict] += 1
        if f.verdict is Verdict.FAIL:
            failing[f.severity] += 1
        _count(by_severity, f.severity.value, f.verdict)
        _count(by_policy, f.policy_id, f.verdict)
        _count(by_account, f.account_id, f.verdict)
    severity_order = sorted(Severity, key=lambda s: -s.rank)
    return Summary(
        total=sum(counts.values()),
        verdicts=counts,
        compliance_percent=compliance_from_counts(counts),
        failures_by_severity={s: failing.get(s, 0) for s in severity_order},
        accounts=sorted(set(result.scan.accounts) | {t.account_id for t in result.targets}),
        regions=sorted(set(result.scan.regions) | {t.region for t in result.targets}),
        incomplete=is_incomplete(result),
        by_severity=[
            _group_summary(s.value, by_severity.get(s.value) or dict.fromkeys(Verdict, 0))
            for s in severity_order
        ],
        by_policy=[_group_summary(k, v) for k, v in sorted(by_policy.items())],
        by_account=[_group_summary(k, v) for k, v in sorted(by_account.items())],
    )


def is_incomplete(result: EvaluationResult) -> bool:
    """True when some data could not be collected: any ERROR verdict or any recorded scan error."""
    return bool(result.scan_errors) or any(f.verdict is Verdict.ERROR for f in result.findings)


def format_percent(value: float | None) -> str:
    """``97.5%``, or ``n/a`` when nothing was judged."""
    if value is None:
        return "n/a"
    return f"{value:.1f}%"
