"""The verdicts of a run, held compactly: ``FindingTable``.

At 100,000 endpoints a run has millions of verdicts. As ``Finding`` objects (thirteen references and
a message string each) they were, after the inventory, the largest thing a run held: about a quarter
of a kilobyte per verdict. A table keeps them as columns of small integers (policy, resource,
severity and verdict, message, remediation) over shared pools: each policy id, each text and each
resource (kind, ARN, name, account, region, tags, source location) is stored once. That is about
15 bytes per verdict, plus the distinct texts.

Readers see a read-only ``Sequence[Finding]``: indexing or iterating makes a fresh ``Finding`` each
time, so changing one read from a table changes nothing in it. The engine builds tables with
``TableBuilder``; ``evaluate`` returns one in report order (policy id, then resource ARN), and
``extend`` (findings added after the judgement, such as the history-driven check) keeps that order.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from auditor.inventory.model import ResourceKind, SourceLocation
from auditor.results import Finding, Severity, Verdict, WaiverRef

_SEVERITIES = tuple(Severity)
_VERDICTS = tuple(Verdict)
_SEVERITY_CODE = {s: i for i, s in enumerate(_SEVERITIES)}
_VERDICT_CODE = {v: i for i, v in enumerate(_VERDICTS)}
_VERDICT_BITS = 3  # 5 verdicts

# kind, ARN, name, account, region, tags, source location: what a finding says of its resource
Subject = tuple[ResourceKind, str, str, str, str, dict[str, str], SourceLocation | None]


def subject_of(f: Finding) -> Subject:
    return (f.resource_kind, f.resource_arn, f.resource_name, f.account_id, f.region, f.tags, f.location)


def report_key(f: Finding) -> tuple[str, str]:
    """The order of a table made in report order: policy id, then resource ARN."""
    return (f.policy_id, f.resource_arn)


class _Pool:
    """The strings and resources a table's columns point into (shared by the tables of one build)."""

    __slots__ = ("policy_ids", "policy_index", "subjects", "text_index", "texts")

    def __init__(self) -> None:
        self.policy_ids: list[str] = []
        self.policy_index: dict[str, int] = {}
        self.texts: list[str] = [""]
        self.text_index: dict[str, int] = {"": 0}
        self.subjects: list[Subject] = []

    def policy(self, policy_id: str) -> int:
        found = self.policy_index.get(policy_id)
        if found is None:
            found = self.policy_index[policy_id] = len(self.policy_ids)
            self.policy_ids.append(policy_id)
        return found

    def text(self, text: str) -> int:
        found = self.text_index.get(text)
        if found is None:
            found = self.text_index[text] = len(self.texts)
            self.texts.append(text)
        return found

    def subject(self, subject: Subject) -> int:
        self.subjects.append(subject)
        return len(self.subjects) - 1


class _Columns:
    __slots__ = ("code", "message", "policy", "remediation", "subject", "waivers")

    def __init__(self) -> None:
        self.policy = array("H")
        self.subject = array("I")
        self.code = array("B")
        self.message = array("I")
        self.remediation = array("I")
        self.waivers: dict[int, WaiverRef] = {}  # row -> the waiver that applied (few rows have one)

    def add(self, pool: _Pool, f: Finding, subject: int) -> None:
        if f.waiver is not None:
            self.waivers[len(self.code)] = f.waiver
        self.policy.append(pool.policy(f.policy_id))
        self.subject.append(subject)
        self.code.append(_SEVERITY_CODE[f.severity] << _VERDICT_BITS | _VERDICT_CODE[f.verdict])
        self.message.append(pool.text(f.message))
        self.remediation.append(pool.text(f.remediation))

    def __len__(self) -> int:
        return len(self.code)

    def take(self, source: _Columns, rows: Iterable[int]) -> None:
        """Append ``source``'s rows in the order given."""
        for row in rows:
            waiver = source.waivers.get(row)
            if waiver is not None:
                self.waivers[len(self.code)] = waiver
            self.policy.append(source.policy[row])
            self.subject.append(source.subject[row])
            self.code.append(source.code[row])
            self.message.append(source.message[row])
            self.remediation.append(source.remediation[row])


class FindingTable(Sequence[Finding]):
    """A run's findings as a read-only sequence of ``Finding`` (module docstring)."""

    __slots__ = ("_columns", "_pool", "in_report_order")

    def __init__(self, findings: Iterable[Finding] = (), *, in_report_order: bool = False) -> None:
        self._pool = _Pool()
        self._columns = _Columns()
        self.in_report_order = in_report_order
        items = sorted(findings, key=report_key) if in_report_order else findings
        for f in items:
            self._columns.add(self._pool, f, self._pool.subject(subject_of(f)))

    def _make(self, row: int) -> Finding:
        pool, cols = self._pool, self._columns
        kind, arn, name, account, region, tags, location = pool.subjects[cols.subject[row]]
        code = cols.code[row]
        return Finding(
            policy_id=pool.policy_ids[cols.policy[row]],
            severity=_SEVERITIES[code >> _VERDICT_BITS],
            verdict=_VERDICTS[code & ((1 << _VERDICT_BITS) - 1)],
            resource_kind=kind,
            resource_arn=arn,
            resource_name=name,
            account_id=account,
            region=region,
            message=pool.texts[cols.message[row]],
            remediation=pool.texts[cols.remediation[row]],
            waiver=cols.waivers.get(row),
            tags=tags,
            location=location,
        )

    def __len__(self) -> int:
        return len(self._columns)

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> list[Finding]: ...

    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        if isinstance(index, slice):
            return [self._make(row) for row in range(len(self))[index]]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("finding index out of range")
        return self._make(index)

    def __iter__(self) -> Iterator[Finding]:
        return (self._make(row) for row in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FindingTable | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FindingTable({len(self)} findings)"

    def append(self, finding: Finding) -> None:
        self.extend([finding])

    def extend(self, findings: Iterable[Finding]) -> None:
        """Add findings; a table in report order puts each where that order wants it."""
        added = sorted(findings, key=report_key) if self.in_report_order else list(findings)
        if not added:
            return
        extra = _Columns()
        for f in added:
            extra.add(self._pool, f, self._pool.subject(subject_of(f)))
        if not self.in_report_order:
            self._columns.take(extra, range(len(extra)))
            return
        # Insertion points in this table (each found by bisecting on the report key), then one merge.
        positions = [bisect_right(self, report_key(f), key=report_key) for f in added]
        merged = _Columns()
        start = 0
        for i, position in enumerate(positions):
            merged.take(self._columns, range(start, position))
            merged.take(extra, (i,))
            start = position
        merged.take(self._columns, range(start, len(self._columns)))
        self._columns = merged


class TableBuilder:
    """Builds the findings of one judgement: one column set per policy, joined at the end in the order
    asked for. Resources are registered once (``subject``) and referred to by every verdict on them."""

    def __init__(self) -> None:
        self._pool = _Pool()
        self._by_policy: dict[str, _Columns] = {}

    def subject(self, subject: Subject) -> int:
        return self._pool.subject(subject)

    def text(self, text: str) -> str:
        """The table's own copy of ``text`` (one object per distinct text, shared by every verdict that
        says it): what else keeps a verdict's message keeps that copy, not a duplicate."""
        return self._pool.texts[self._pool.text(text)]

    def add(self, finding: Finding, subject: int) -> None:
        columns = self._by_policy.get(finding.policy_id)
        if columns is None:
            columns = self._by_policy[finding.policy_id] = _Columns()
        columns.add(self._pool, finding, subject)

    def finish(self, policy_order: Sequence[str] | None = None) -> FindingTable:
        """The table: with ``policy_order``, policies in that order and each policy's verdicts in the
        order they were added; without it, report order (policy id, then resource ARN)."""
        table = FindingTable(in_report_order=policy_order is None)
        table._pool = self._pool
        subjects = self._pool.subjects
        order = policy_order if policy_order is not None else sorted(self._by_policy)
        for policy_id in order:
            columns = self._by_policy.pop(policy_id, None)
            if columns is None:
                continue
            rows: Iterable[int] = range(len(columns))
            if policy_order is None:
                by_arn = columns.subject
                rows = sorted(rows, key=lambda row: subjects[by_arn[row]][1])
            table._columns.take(columns, rows)
        self._pool.text_index = {}  # only needed while building; an extend adds texts without it
        return table


def extended(findings: Sequence[Finding], more: Iterable[Finding]) -> Sequence[Finding]:
    """``findings`` with ``more`` added: a table takes them in (keeping its order), a list is copied."""
    if isinstance(findings, FindingTable):
        findings.extend(more)
        return findings
    return [*findings, *more]
