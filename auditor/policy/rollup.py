"""The per-requirement view of a run: each framework requirement with the verdicts of its policies.

Like the coverage matrix, the rollup is a view of the verdicts, never a second set of rules: a
requirement's status is derived from the findings of the policies its framework file maps to it
(``auditor.results.RequirementStatus`` gives the order). Missing evidence is never a PASS.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from auditor.policy.frameworks import Framework, Requirement
from auditor.results import (
    EvaluationResult,
    FrameworkRollup,
    RequirementRollup,
    RequirementStatus,
    Verdict,
)

_FAILING = (Verdict.FAIL, Verdict.ERROR)


def requirement_status(verdicts: Counter[Verdict], policies_not_run: Sequence[str]) -> RequirementStatus:
    """The status of one requirement from its verdict counts and the mapped policies that did not run."""
    if verdicts[Verdict.FAIL]:
        return RequirementStatus.FAIL
    if verdicts[Verdict.ERROR]:
        return RequirementStatus.ERROR
    if policies_not_run or not sum(verdicts.values()):
        return RequirementStatus.NOT_EVALUATED
    if verdicts[Verdict.WAIVED]:
        return RequirementStatus.WAIVED
    if verdicts[Verdict.PASS]:
        return RequirementStatus.PASS
    return RequirementStatus.NOT_APPLICABLE


class _PolicyVerdicts:
    """What the rollup needs of one policy's findings: counts per verdict and the failing resources."""

    __slots__ = ("failing", "verdicts")

    def __init__(self) -> None:
        self.verdicts: Counter[Verdict] = Counter()
        self.failing: set[str] = set()


def _requirement(req: Requirement, by_policy: dict[str, _PolicyVerdicts], ran: set[str]) -> RequirementRollup:
    mapped = [by_policy[pid] for pid in req.policies if pid in by_policy]
    verdicts: Counter[Verdict] = sum((m.verdicts for m in mapped), Counter())
    not_run = sorted(pid for pid in req.policies if pid not in ran)
    return RequirementRollup(
        requirement_id=req.id,
        title=req.title,
        status=requirement_status(verdicts, not_run),
        policies=sorted(req.policies),
        source=req.source,
        summary=req.summary,
        policies_not_run=not_run,
        verdicts={v: verdicts[v] for v in Verdict},
        failing_resources=sorted(set().union(*(m.failing for m in mapped))),
    )


def rollup(frameworks: Sequence[Framework], result: EvaluationResult) -> list[FrameworkRollup]:
    """One FrameworkRollup per framework (in the given order), requirements in file order.

    A policy "ran" when it is among ``result.policies`` (the enabled policies of the run).
    """
    by_policy: dict[str, _PolicyVerdicts] = defaultdict(_PolicyVerdicts)
    for f in result.findings:
        seen = by_policy[f.policy_id]
        seen.verdicts[f.verdict] += 1
        if f.verdict in _FAILING:
            seen.failing.add(f.resource_arn)
    ran = {p.id for p in result.policies}
    return [
        FrameworkRollup(
            framework_id=fw.id,
            name=fw.name,
            title=fw.title,
            version=fw.version,
            source=fw.source,
            origin=fw.origin,
            requirements=[_requirement(r, by_policy, ran) for r in fw.requirements],
        )
        for fw in frameworks
    ]
