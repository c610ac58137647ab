"""Worst first: which failing resources to fix first, which policies fail worst, and where.

Every human-facing list ranks by severity before anything else, so a single critical failure is never
buried under many low ones:

- ``fix_first``: one entry per failing resource (its failures listed together), ordered by its most
  severe failure, then ``blast_radius`` (production and high-risk resources first), then name;
- ``failing_policies``: policies by the severity of their failures, then how many;
- ``places``: (account, region) pairs, the one with the most severe failures first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from auditor.report.console_links import console_url
from auditor.report.summary import compliance_from_counts
from auditor.results import EvaluationResult, Finding, ResourceKind, Severity, Verdict

# The tags the built-in pack already uses to put endpoints in scope: mm-model-quality-monitor's
# production_tag_key/values and mm-model-bias-monitor's risk_tag_key/values (their defaults;
# tests/report/test_priority.py keeps these equal to the pack).
PRODUCTION_TAG = ("environment", frozenset({"production", "prod"}))
HIGH_RISK_TAG = ("risk-tier", frozenset({"high"}))


def exposure(tags: Mapping[str, str]) -> tuple[str, ...]:
    """Why a failure on a resource with these tags matters more: ``production``, ``high risk``, both, none."""
    labels = []
    for label, (key, values) in (("production", PRODUCTION_TAG), ("high risk", HIGH_RISK_TAG)):
        if tags.get(key) in values:
            labels.append(label)
    return tuple(labels)


def blast_radius(tags: Mapping[str, str]) -> int:
    """2 for a production, high-risk resource; 1 for either; 0 otherwise (untagged, or an alarm)."""
    return len(exposure(tags))


def _severity_first(severity: Severity) -> int:
    return -severity.rank


@dataclass(frozen=True)
class Problem:
    """One failure (or check that could not be decided) of a resource."""

    policy_id: str
    title: str
    severity: Severity
    fix: str  # the policy's one-line fix
    message: str  # what was expected and found, or why it could not be checked


@dataclass(frozen=True)
class ResourceToFix:
    """A resource with its failing checks, most severe first."""

    arn: str
    name: str
    kind: ResourceKind
    account_id: str
    region: str
    exposure: tuple[str, ...]
    problems: tuple[Problem, ...]

    @property
    def severity(self) -> Severity:
        return self.problems[0].severity

    @property
    def console_url(self) -> str | None:
        return console_url(self.arn)


def fix_first(result: EvaluationResult, verdict: Verdict = Verdict.FAIL) -> list[ResourceToFix]:
    """The resources with a ``verdict`` finding (FAIL: non-waived failures; ERROR: could not check),
    one entry each, ordered by most severe finding, then blast radius, then name and ARN."""
    return top_to_fix(result, verdict, None)[0]


def top_to_fix(
    result: EvaluationResult, verdict: Verdict, limit: int | None
) -> tuple[list[ResourceToFix], int]:
    """The first ``limit`` entries of ``fix_first`` (all with None) and how many there are in all.

    Two passes: the order needs only each resource's worst severity, exposure and name; the entries
    (every problem of the resource) are made for the first ``limit`` only: at 100,000 endpoints the
    failing resources are tens of thousands and the page shows a few dozen.
    """
    ranks: dict[str, tuple[int, int, str, str]] = {}
    for f in result.findings:
        if f.verdict is not verdict:
            continue
        rank = ranks.get(f.resource_arn)
        worst = _severity_first(f.severity)
        if rank is None:
            ranks[f.resource_arn] = (worst, -len(exposure(f.tags)), f.resource_name, f.resource_arn)
        elif worst < rank[0]:
            ranks[f.resource_arn] = (worst, *rank[1:])
    order = sorted(ranks.values())
    chosen = {rank[3]: i for i, rank in enumerate(order if limit is None else order[:limit])}
    policies = {p.id: p for p in result.policies}
    by_resource: dict[str, list[Finding]] = {}
    for f in result.findings:
        if f.verdict is verdict and f.resource_arn in chosen:
            by_resource.setdefault(f.resource_arn, []).append(f)
    entries = []
    for arn, findings in sorted(by_resource.items(), key=lambda kv: chosen[kv[0]]):
        findings.sort(key=lambda f: (_severity_first(f.severity), f.policy_id))
        first = findings[0]
        problems = []
        for f in findings:
            info = policies.get(f.policy_id)
            problems.append(
                Problem(
                    policy_id=f.policy_id,
                    title=info.title if info else f.policy_id,
                    severity=f.severity,
                    fix=(info.fix if info else "") or f.remediation,
                    message=f.message,
                )
            )
        entries.append(
            ResourceToFix(
                arn=arn,
                name=first.resource_name,
                kind=first.resource_kind,
                account_id=first.account_id,
                region=first.region,
                exposure=exposure(first.tags),
                problems=tuple(problems),
            )
        )
    return entries, len(order)


@dataclass(frozen=True)
class PolicyFailures:
    policy_id: str
    title: str
    severity: Severity  # the most severe of its FAIL verdicts
    failures: int


def failing_policies(result: EvaluationResult) -> list[PolicyFailures]:
    """Policies with non-waived FAIL verdicts: most severe failure first, then most failures, then id."""
    titles = {p.id: p.title for p in result.policies}
    counts: Counter[str] = Counter()
    worst: dict[str, Severity] = {}
    for f in result.findings:
        if f.verdict is Verdict.FAIL:
            counts[f.policy_id] += 1
            if f.policy_id not in worst or f.severity.rank > worst[f.policy_id].rank:
                worst[f.policy_id] = f.severity
    ranked = [PolicyFailures(pid, titles.get(pid, ""), worst[pid], n) for pid, n in counts.items()]
    ranked.sort(key=lambda p: (_severity_first(p.severity), -p.failures, p.policy_id))
    return ranked


@dataclass(frozen=True)
class Place:
    """The verdicts of one (account, region)."""

    account_id: str
    region: str
    failures: dict[Severity, int]  # FAIL verdicts per severity, most severe first
    verdicts: dict[Verdict, int]
    compliance_percent: float | None

    @property
    def worst_first_key(self) -> tuple[object, ...]:
        return (
            *(-n for n in self.failures.values()),
            -self.verdicts[Verdict.ERROR],
            self.account_id,
            self.region,
        )


def places(result: EvaluationResult) -> list[Place]:
    """Every scanned (account, region), and any other a finding names, most severe failures first
    (counted in one pass: the findings are never grouped into lists)."""
    verdicts: dict[tuple[str, str], Counter[Verdict]] = {
        (t.account_id, t.region): Counter() for t in result.targets
    }
    failing: dict[tuple[str, str], Counter[Severity]] = {}
    for f in result.findings:
        where = (f.account_id, f.region)
        counted = verdicts.get(where)
        if counted is None:
            counted = verdicts[where] = Counter()
        counted[f.verdict] += 1
        if f.verdict is Verdict.FAIL:
            failing.setdefault(where, Counter())[f.severity] += 1
    out = [
        _place(account, region, counts, failing.get((account, region), Counter()))
        for (account, region), counts in verdicts.items()
    ]
    out.sort(key=lambda p: p.worst_first_key)
    return out


def _place(account: str, region: str, verdicts: Counter[Verdict], failing: Counter[Severity]) -> Place:
    counts = {v: verdicts.get(v, 0) for v in Verdict}
    return Place(
        account_id=account,
        region=region,
        failures={s: failing.get(s, 0) for s in sorted(Severity, key=_severity_first)},
        verdicts=counts,
        compliance_percent=compliance_from_counts(counts),
    )
