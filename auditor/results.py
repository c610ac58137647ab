"""The engine's output and the reporters' only input: verdicts, and the context needed to render them.

Plain data, serialized by the same codec as the inventory. Reporters are pure functions of an
``EvaluationResult``; they never look at the inventory or AWS.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import overload

from auditor.inventory.cost import CostView
from auditor.inventory.migration import MigrationView
from auditor.inventory.model import ResourceKind as ResourceKind
from auditor.inventory.model import ScanError, ScanMetadata, SourceLocation, Target
from auditor.inventory.monitoring_alerts import AlertsView

RESULTS_SCHEMA_VERSION = "1.0"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe: critical=4 ... info=0."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Verdict(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"  # the data needed could not be collected: compliance not established
    WAIVED = "WAIVED"  # would have failed; an unexpired waiver covers it
    NOT_APPLICABLE = "NOT_APPLICABLE"  # in scope, but the check cannot apply (reason given)


class WaiverStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    UNUSED = "unused"  # matched nothing in this run


class CellState(StrEnum):
    """One cell of the coverage matrix. Shown by symbol and colour, never colour alone."""

    OK = "ok"  # every verdict behind it passed
    DEGRADED = "degraded"  # a check failed on something that is in place (broken)
    MISSING = "missing"  # every failing check says the link is absent
    NOT_APPLICABLE = "not_applicable"  # nothing requires it here, or it cannot apply
    UNKNOWN = "unknown"  # a check behind it could not be decided (data not collected)


@dataclass(slots=True)
class WaiverRef:
    """The waiver that applied (or had applied until it expired) to a finding."""

    waiver_id: str
    reason: str
    owner: str
    expires: str  # ISO date
    expired: bool = False


@dataclass(slots=True)
class Finding:
    """The verdict of one policy on one resource."""

    policy_id: str
    severity: Severity
    verdict: Verdict
    resource_kind: ResourceKind
    resource_arn: str
    resource_name: str
    account_id: str
    region: str
    message: str  # for FAIL: what was expected and what was found; for ERROR / N/A: the reason
    remediation: str = ""
    waiver: WaiverRef | None = None  # set on WAIVED, and on FAIL when the waiver has expired
    tags: dict[str, str] = field(default_factory=dict)
    # Where the resource is declared when it was read from a template or plan (None: scanned).
    location: SourceLocation | None = None


@dataclass(slots=True)
class PolicyInfo:
    id: str
    title: str
    description: str
    severity: Severity
    resource_kind: ResourceKind
    remediation: str
    source: str  # "builtin" or the file path it was loaded from
    references: list[str] = field(default_factory=list)
    frameworks: dict[str, list[str]] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    fix: str = ""  # one line: what to do about a failure (reports written before it have none)


@dataclass(slots=True)
class WaiverInfo:
    waiver_id: str
    policy_id: str
    selector: str  # a readable rendering of the resource selector
    reason: str
    owner: str
    expires: str
    status: WaiverStatus
    matched: int = 0


@dataclass(slots=True)
class CoverageColumn:
    """A column of the coverage matrix, declared by the policies that feed it (``coverage:``)."""

    id: str
    title: str
    policies: list[str] = field(default_factory=list)  # the policies whose verdicts fill it


# A coverage note as its parts: policy id, the resource's name when it is not the endpoint, the
# verdict's message, the waiver id when waived. The texts are the ones the findings hold.
NoteParts = tuple[str, str | None, str, str | None]


def note_text(parts: NoteParts) -> str:
    """``mm-dq-monitor on churn-dq: <message> (waived: w-1)``."""
    policy_id, resource_name, message, waiver_id = parts
    where = "" if resource_name is None else f" on {resource_name}"
    text = f"{policy_id}{where}: {message}" if message else f"{policy_id}{where}"
    return text if waiver_id is None else f"{text} (waived: {waiver_id})"


class CellNotes(Sequence[str]):
    """A cell's notes, kept as their parts and written out when read: as text they repeated every
    message beside its policy id (the result of 5,000 synthetic endpoints: 51 MB with the notes as
    text, 42 MB as parts). Compares equal to a list of the same texts."""

    __slots__ = ("_parts",)

    def __init__(self, parts: Iterable[NoteParts]) -> None:
        self._parts = tuple(parts)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [note_text(p) for p in self._parts[index]]
        return note_text(self._parts[index])

    def __len__(self) -> int:
        return len(self._parts)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # compared by value, like the list it stands for

    def __repr__(self) -> str:
        return f"CellNotes({list(self)!r})"


@dataclass(slots=True)
class CoverageCell:
    """The aggregate of one column's verdicts on an endpoint and the resources linked to it."""

    state: CellState
    # Why: failing or unverifiable checks, N/A reasons (a CellNotes from the engine, a list when read).
    notes: Sequence[str] = field(default_factory=list)


@dataclass(slots=True)
class CoverageRow:
    """One endpoint's row in the coverage matrix: a view of the verdicts, never a second judgement."""

    endpoint_arn: str
    endpoint_name: str
    account_id: str
    region: str
    kind: str
    cells: dict[str, CoverageCell] = field(default_factory=dict)  # column id -> cell
    # Every resource linked to the endpoint (monitors, job definitions, alarms, ...): the chain the row shows.
    chain_arns: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TargetRef:
    """An (account, region) a run scanned."""

    account_id: str
    region: str


@dataclass(slots=True)
class BaselineComparison:
    """What changed since a previous report (``--baseline``).

    Only findings in the (account, region) targets both runs scanned are compared: a target only
    one run scanned is listed in ``targets_only_before`` / ``targets_only_now`` instead, and its
    failing findings are counted in ``not_compared_before`` / ``not_compared_now`` (so a narrower
    scan does not count as "resolved").
    """

    baseline_generated_at: str
    new: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)
    still_failing: list[Finding] = field(default_factory=list)
    regressed: list[Finding] = field(default_factory=list)
    compliance_before: float | None = None
    compliance_after: float | None = None
    targets_only_before: list[TargetRef] = field(default_factory=list)
    targets_only_now: list[TargetRef] = field(default_factory=list)
    not_compared_before: int = 0
    not_compared_now: int = 0


class RequirementStatus(StrEnum):
    """A framework requirement's status, rolled up from the verdicts of the policies mapped to it.

    Decided in this order: FAIL (any FAIL), ERROR (any ERROR: compliance not established),
    NOT_EVALUATED (a mapped policy did not run, or nothing was judged: the evidence is incomplete),
    WAIVED (met only thanks to waivers), PASS, NOT_APPLICABLE (every verdict N/A). Never PASS on
    missing evidence.
    """

    FAIL = "FAIL"
    ERROR = "ERROR"
    NOT_EVALUATED = "NOT_EVALUATED"
    WAIVED = "WAIVED"
    PASS = "PASS"
    NOT_APPLICABLE = "NOT_APPLICABLE"


@dataclass(slots=True)
class RequirementRollup:
    """One requirement of a framework: its status and the verdicts behind it."""

    requirement_id: str
    title: str
    status: RequirementStatus
    policies: list[str]  # the policy ids mapped to the requirement
    source: str = ""
    summary: str = ""
    policies_not_run: list[str] = field(default_factory=list)  # mapped, but disabled or not loaded
    verdicts: dict[Verdict, int] = field(default_factory=dict)
    failing_resources: list[str] = field(default_factory=list)  # ARNs with a FAIL or ERROR verdict


@dataclass(slots=True)
class FrameworkRollup:
    """A framework (SR 11-7, ISO/IEC 42001, ...) with the status of each of its requirements."""

    framework_id: str
    name: str
    title: str
    version: str
    source: str
    origin: str  # "builtin" or the file it was loaded from
    requirements: list[RequirementRollup] = field(default_factory=list)


@dataclass(slots=True)
class EvaluationResult:
    generated_at: str
    tool_version: str
    policy_set_digest: str
    inventory_digest: str
    scan: ScanMetadata
    targets: list[Target] = field(default_factory=list)
    scan_errors: list[ScanError] = field(default_factory=list)
    policies: list[PolicyInfo] = field(default_factory=list)
    # A FindingTable (auditor/findings.py) when the engine made it: read-only, in report order.
    findings: Sequence[Finding] = field(default_factory=list)
    waivers: list[WaiverInfo] = field(default_factory=list)
    coverage_columns: list[CoverageColumn] = field(default_factory=list)
    coverage: list[CoverageRow] = field(default_factory=list)
    baseline: BaselineComparison | None = None
    frameworks: list[FrameworkRollup] = field(default_factory=list)
    schema_version: str = RESULTS_SCHEMA_VERSION
    history: HistoryView | None = None  # from the run history (auditor/history), read before rendering
    cost: CostView | None = None  # the monitors' estimated monthly cost (auditor/inventory/cost.py)
    migration: MigrationView | None = None  # what deleting the schedules would lose and save
    # Model Monitor's own alerts per schedule (auditor/inventory/monitoring_alerts.py); shown, not judged
    monitoring_alerts: AlertsView | None = None


# --------------------------------------------------------------------------- run history
# What the run history (``auditor/history``) knew when this run was judged: read from the history
# database before the reports are rendered, so the reporters stay pure functions of the results.
# "Failing" means FAIL or ERROR, as in ``auditor/report/diff.py``; a finding is (policy, resource ARN).


class LifecycleStatus(StrEnum):
    """Where a failing finding stands compared with the history."""

    NEW = "new"  # failing for the first time in this history (absent, waived or N/A before)
    REGRESSED = "regressed"  # passed in the previous run, and never failed before
    REOPENED = "reopened"  # failed in an earlier run, was resolved, and fails again
    STILL_FAILING = "still_failing"  # failing in the previous run too


@dataclass(slots=True)
class FindingHistory:
    """The lifecycle of one failing finding of this run."""

    policy_id: str
    resource_arn: str
    status: LifecycleStatus
    first_seen: str  # when it first failed in this history (this run's time when new)
    open_since: str  # when the current failing period began
    age_days: int  # whole days from open_since to this run
    times_reopened: int = 0


@dataclass(slots=True)
class ResolvedFinding:
    """A finding that failed in the previous run and does not any more (passes, is waived, or is gone)."""

    policy_id: str
    resource_arn: str
    resource_name: str
    account_id: str
    region: str
    severity: Severity
    open_since: str
    open_days: int  # how long it had been failing when it was resolved
    now: str  # its verdict in this run, or "absent" when the resource or policy is gone


@dataclass(slots=True)
class TrendPoint:
    """One run of the series (the last point is this run)."""

    observed_at: str  # the scan's end time
    verdicts: dict[Verdict, int]
    compliance_percent: float | None
    newly_failing: int  # failing in this run and not in the one before (new, regressed, reopened)
    resolved: int  # failing in the run before and not in this one
    run_id: int | None = None  # None for this run (recorded after the reports are written)


@dataclass(slots=True)
class AgeBucket:
    """Open (failing) findings of this run by how long they have been failing."""

    label: str
    min_days: int
    max_days: int | None  # None: no upper bound
    count: int


@dataclass(slots=True)
class HistoryView:
    """The history of this run's scope (same accounts, regions and endpoint filters) up to this run."""

    scope: str  # what the runs of this series audit, e.g. "accounts=org regions=all"
    observed_at: str  # this run's time: the scan's end
    runs_before: int  # runs of this scope recorded before this one
    previous_run_at: str | None = None
    findings: list[FindingHistory] = field(default_factory=list)  # every failing finding of this run
    resolved: list[ResolvedFinding] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    age_buckets: list[AgeBucket] = field(default_factory=list)
    mean_days_to_resolve: float | None = None  # over every failing period resolved so far
    resolved_periods: int = 0


def requirements_by_policy(result: EvaluationResult) -> dict[str, list[str]]:
    """policy id -> the requirements it is evidence for, as ``"<framework name> <requirement id>"``.

    Derived from the rollup in the result (the framework files of the run), for ASFF and OCSF.
    """
    out: dict[str, list[str]] = {}
    for fw in result.frameworks:
        for req in fw.requirements:
            for pid in req.policies:
                out.setdefault(pid, []).append(f"{fw.name} {req.requirement_id}")
    return out
