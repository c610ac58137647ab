"""The coverage matrix: a view of the verdicts, never a second set of rules.

Each policy may declare the column it feeds (``coverage:`` in its file). A cell is the aggregate of
that column's verdicts on the endpoint and on the resources linked to it (its monitors, their job
definitions and alarms: each kind's descriptor says which endpoints a resource belongs to):

1. any FAIL or WAIVED verdict (a waiver accepts the gap; it does not close it): MISSING when every
   one of them is a failure the policy calls "missing" (``missing_when``) and nothing in the cell
   passed, otherwise DEGRADED ("broken");
2. otherwise any ERROR: UNKNOWN (the data needed could not be collected);
3. otherwise any PASS: OK;
4. otherwise (only NOT_APPLICABLE verdicts, or none: no policy requires it here): NOT_APPLICABLE.

The notes of a cell are the messages of the verdicts that decided it (failures with their waiver,
errors, or not-applicable reasons; for an OK cell, only the pass messages on the endpoint of the
policies that declare ``coverage.pass_note``, e.g. who watches it: Model Monitor, a replacement,
both). Columns come from the enabled policies' declarations, so parameters and custom policies (and
custom columns) flow in with no code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from auditor.inventory.model import ResourceKind
from auditor.policy.documents import Resource
from auditor.policy.model import Policy
from auditor.results import (
    CellNotes,
    CellState,
    CoverageCell,
    CoverageColumn,
    CoverageRow,
    Finding,
    NoteParts,
    Verdict,
    note_text,
)

DEFAULT_ORDER = 1000  # columns that declare no order come after the ones that do, by id


@dataclass(slots=True)
class Contribution:
    """One verdict that feeds a matrix column."""

    finding: Finding
    column: str
    missing: bool  # on failure, the policy says the link is absent (not broken)
    endpoint_arns: tuple[str, ...]
    on_endpoint: bool  # the verdict is about the endpoint itself
    pass_note: bool = False  # on PASS, its message is the OK cell's note (the policy's coverage.pass_note)


def contribution(policy: Policy, resource: Resource, finding: Finding, as_of: float) -> Contribution | None:
    """What ``finding`` contributes to the matrix, or None when its policy feeds no column."""
    spec = policy.coverage
    if spec is None or not resource.endpoint_arns:
        return None
    column = spec.column_of(resource.document)
    if column is None:
        return None
    missing = False
    if finding.verdict is Verdict.FAIL and spec.missing_when is not None:
        missing = bool(spec.missing_when(resource.document, as_of))
    on_endpoint = resource.kind is ResourceKind.ENDPOINT
    return Contribution(finding, column, missing, resource.endpoint_arns, on_endpoint, spec.pass_note)


def _columns(policies: Sequence[Policy], used: Iterable[str]) -> list[CoverageColumn]:
    titles: dict[str, str] = {}
    orders: dict[str, int] = {}
    feeders: dict[str, set[str]] = {}
    for policy in policies:
        spec = policy.coverage
        if spec is None:
            continue
        if isinstance(spec.column, str):
            feeders.setdefault(spec.column, set()).add(policy.id)
            if spec.title and spec.column not in titles:
                titles[spec.column] = spec.title
            if spec.order is not None:
                orders[spec.column] = min(orders.get(spec.column, spec.order), spec.order)
    for column in used:
        feeders.setdefault(column, set())
    return [
        CoverageColumn(column, titles.get(column, column), sorted(ids))
        for column, ids in sorted(feeders.items(), key=lambda kv: (orders.get(kv[0], DEFAULT_ORDER), kv[0]))
    ]


def _note(c: Contribution) -> NoteParts:
    f = c.finding
    waived = f.waiver.waiver_id if f.verdict is Verdict.WAIVED and f.waiver is not None else None
    return (f.policy_id, None if c.on_endpoint else f.resource_name, f.message, waived)


_NO_NOTES = CellNotes(())  # read-only: one for every cell without a note
_Entry = tuple[bool, str, str, NoteParts]  # (not on the endpoint, policy id, resource ARN, note)


def _entry(c: Contribution) -> _Entry:
    return (not c.on_endpoint, c.finding.policy_id, c.finding.resource_arn, _note(c))


class _Draft:
    """One cell's verdicts folded as they arrive: what decides its state and the notes it could show,
    never the findings themselves (most verdicts are passes that leave only a flag)."""

    __slots__ = ("all_missing", "errors", "not_applicable", "pass_notes", "passed", "problems")

    def __init__(self) -> None:
        self.passed = False
        self.all_missing = True
        self.problems: list[_Entry] = []
        self.errors: list[_Entry] = []
        self.pass_notes: list[_Entry] = []
        self.not_applicable: list[_Entry] = []

    def add(self, c: Contribution) -> None:
        verdict = c.finding.verdict
        if verdict is Verdict.PASS:
            self.passed = True
            if c.pass_note and c.on_endpoint and c.finding.message:
                self.pass_notes.append(_entry(c))
        elif verdict in (Verdict.FAIL, Verdict.WAIVED):
            self.problems.append(_entry(c))
            self.all_missing = self.all_missing and c.missing
        elif verdict is Verdict.ERROR:
            self.errors.append(_entry(c))
        else:
            self.not_applicable.append(_entry(c))

    def cell(self) -> CoverageCell:
        if self.problems:
            missing = self.all_missing and not self.passed
            state = CellState.MISSING if missing else CellState.DEGRADED
            deciding = self.problems
        elif self.errors:
            state, deciding = CellState.UNKNOWN, self.errors
        elif self.passed:
            state, deciding = CellState.OK, self.pass_notes
        else:
            state, deciding = CellState.NOT_APPLICABLE, self.not_applicable
        notes: dict[str, NoteParts] = {}  # one note per text, in order
        for entry in sorted(deciding, key=lambda e: e[:3]):
            notes.setdefault(note_text(entry[3]), entry[3])
        return CoverageCell(state, CellNotes(notes.values()) if notes else _NO_NOTES)


def cell(contributions: Sequence[Contribution]) -> CoverageCell:
    """The state and notes of one cell from the verdicts that feed it (rules in the module docstring)."""
    draft = _Draft()
    for c in contributions:
        draft.add(c)
    return draft.cell()


@dataclass(slots=True)
class _EndpointRef:
    arn: str
    name: str
    account_id: str
    region: str
    kind: str  # the endpoint's kind field (real-time, serverless, ...) as its row shows it


class MatrixParts:
    """What the matrix needs of the judged resources, gathered as they stream past the engine: each
    endpoint's identity, each endpoint's chain (the other resources that belong to it) and the verdicts
    that feed a column; never the documents."""

    def __init__(self) -> None:
        self.endpoints: list[_EndpointRef] = []
        self.chains: dict[str, set[str]] = {}
        self.cells: dict[tuple[str, str], _Draft] = {}  # (endpoint ARN, column) -> its verdicts so far

    def fold(self, c: Contribution) -> None:
        """Add a verdict to the cells it feeds (after its waiver was applied)."""
        for arn in c.endpoint_arns:
            draft = self.cells.get((arn, c.column))
            if draft is None:
                draft = self.cells[(arn, c.column)] = _Draft()
            draft.add(c)

    def add(self, res: Resource) -> None:
        if res.kind is ResourceKind.ENDPOINT:
            kind = str(res.document.get("kind", ""))
            self.endpoints.append(_EndpointRef(res.arn, res.name, res.account_id, res.region, kind))
            return
        for endpoint_arn in res.endpoint_arns:
            self.chains.setdefault(endpoint_arn, set()).add(res.arn)


def coverage_matrix(
    parts: MatrixParts, policies: Sequence[Policy]
) -> tuple[list[CoverageColumn], list[CoverageRow]]:
    """The columns and one row per endpoint (ordered by account, region and ARN).

    A row also names its chain: every other resource that belongs to the endpoint (its monitors,
    their job definitions and alarms, whatever the kinds' descriptors link), for the reports.
    """
    columns = _columns(policies, sorted({column for _, column in parts.cells}))
    rows = []
    for e in sorted(parts.endpoints, key=lambda r: (r.account_id, r.region, r.arn)):
        rows.append(
            CoverageRow(
                endpoint_arn=e.arn,
                endpoint_name=e.name,
                account_id=e.account_id,
                region=e.region,
                kind=e.kind,
                cells={col.id: _cell_of(parts, e.arn, col.id) for col in columns},
                chain_arns=sorted(parts.chains.get(e.arn, ())),
            )
        )
    return columns, rows


def _cell_of(parts: MatrixParts, endpoint_arn: str, column: str) -> CoverageCell:
    draft = parts.cells.get((endpoint_arn, column))
    return (draft or _Draft()).cell()
