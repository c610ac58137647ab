"""The engine's output and the reporters' only input: verdicts, and the context needed to render them.

Plain data, serialized by the same codec as the inventory. Reporters are pure functions of an
``EvaluationResult``; they never look at the inventory or AWS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from auditor.inventory.model import ResourceKind as ResourceKind
from auditor.inventory.model import ScanError, ScanMetadata, SourceLocation, Target

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


@dataclass
class WaiverRef:
    """The waiver that applied (or had applied until it expired) to a finding."""

    waiver_id: str
    reason: str
    owner: str
    expires: str  # ISO date
    expired: bool = False


@dataclass
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


@dataclass
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


@dataclass
class WaiverInfo:
    waiver_id: str
    policy_id: str
    selector: str  # a readable rendering of the resource selector
    reason: str
    owner: str
    expires: str
    status: WaiverStatus
    matched: int = 0


@dataclass
class CoverageColumn:
    """A column of the coverage matrix, declared by the policies that feed it (``coverage:``)."""

    id: str
    title: str
    policies: list[str] = field(default_factory=list)  # the policies whose verdicts fill it


@dataclass
class CoverageCell:
    """The aggregate of one column's verdicts on an endpoint and the resources linked to it."""

    state: CellState
    notes: list[str] = field(default_factory=list)  # why: failing or unverifiable checks, N/A reasons


@dataclass
class CoverageRow:
    """One endpoint's row in the coverage matrix: a view of the verdicts, never a second judgement."""

    endpoint_arn: str
    endpoint_name: str
    account_id: str
    region: str
    kind: str
    cells: dict[str, CoverageCell] = field(default_factory=dict)  # column id -> cell


@dataclass
class BaselineComparison:
    """What changed since a previous report (``--baseline``)."""

    baseline_generated_at: str
    new: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)
    still_failing: list[Finding] = field(default_factory=list)
    regressed: list[Finding] = field(default_factory=list)
    compliance_before: float | None = None
    compliance_after: float | None = None


@dataclass
class EvaluationResult:
    generated_at: str
    tool_version: str
    policy_set_digest: str
    inventory_digest: str
    scan: ScanMetadata
    targets: list[Target] = field(default_factory=list)
    scan_errors: list[ScanError] = field(default_factory=list)
    policies: list[PolicyInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    waivers: list[WaiverInfo] = field(default_factory=list)
    coverage_columns: list[CoverageColumn] = field(default_factory=list)
    coverage: list[CoverageRow] = field(default_factory=list)
    baseline: BaselineComparison | None = None
    schema_version: str = RESULTS_SCHEMA_VERSION
