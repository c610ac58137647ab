"""The engine: judge an inventory against a policy set, one verdict per (policy, resource in scope).

For each policy and each resource of its kind:

1. if the scope needs data that was not collected, or reads a value unknown until deploy: ERROR (we
   cannot tell whether it is in scope); else if the scope does not hold: no verdict;
2. a ``phase: runtime`` policy on a resource read from a template or plan: NOT_APPLICABLE, "judged
   after deploy" (it has no executions, alarm states or scan results yet);
3. if the check needs data that was not collected (the resource's target has the dataset
   FAILED / NOT_SCANNED / unrecorded, or the resource or a linked one lists it as missing), or reads
   a value of the resource or a linked one that is unknown until deploy: ERROR naming it;
4. the first ``not_applicable`` rule that holds: NOT_APPLICABLE with its reason;
5. the check holds: PASS; else FAIL (``severity_when`` may lower the severity), or ERROR for a
   policy whose ``failure_verdict`` is ERROR (checks about data collection itself);
6. a matching unexpired waiver turns FAIL into WAIVED; an expired one leaves FAIL and says so.

Documents are built once per resource and shared by every policy; nothing is copied per verdict. They
stream past a chunk at a time (``documents.iter_resources``), so they are never all held at once.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from jmespath import exceptions as jmes_exc

import auditor
from auditor.errors import InputError
from auditor.findings import TableBuilder, subject_of
from auditor.inventory import store
from auditor.inventory.cost import cost_view
from auditor.inventory.migration import migration_view
from auditor.inventory.model import (
    OPTIONAL_DATASETS,
    Dataset,
    DatasetStatus,
    Inventory,
    ScanError,
    Target,
)
from auditor.inventory.monitoring_alerts import alerts_view
from auditor.policy.coverage import MatrixParts, contribution, coverage_matrix
from auditor.policy.documents import Resource, iter_resources
from auditor.policy.loader import PolicySet
from auditor.policy.model import RUNTIME_REASON, Phase, Policy
from auditor.policy.paths import FieldRead
from auditor.policy.waivers import Waiver
from auditor.results import (
    EvaluationResult,
    Finding,
    ResourceKind,
    Verdict,
    WaiverInfo,
    WaiverRef,
    WaiverStatus,
)

ALL_DATASETS = frozenset(Dataset)


def parse_as_of(text: str, source: str = "inventory", location: str = "metadata.finished_at") -> datetime:
    """An ISO-8601 time (Z or offset; naive means UTC) as an aware datetime; InputError otherwise."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(source, f"not an ISO-8601 time: {text!r}", location=location) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def iso_z(moment: datetime) -> str:
    """``2026-11-27T17:45:00Z``."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class _Availability:
    """Which datasets are unavailable for a resource, and why (for ERROR messages)."""

    def __init__(self, targets: Sequence[Target], errors: Sequence[ScanError] = ()) -> None:
        self._targets = {(t.account_id, t.region): t for t in targets}
        self._cache: dict[tuple[str, str, bool], frozenset[Dataset]] = {}
        # Errors recorded for one named resource (e.g. the bucket of its capture listing), by (account,
        # region, dataset, resource name): the ERROR message names what could not be read.
        self._errors: dict[tuple[str, str | None, Dataset, str], list[ScanError]] = {}
        for e in errors:
            if e.dataset is not None and e.resource is not None:
                self._errors.setdefault((e.account_id, e.region, e.dataset, e.resource), []).append(e)

    def skipped(self, res: Resource, needed: frozenset[Dataset]) -> bool:
        """Whether every dataset of ``needed`` was not collected by choice in the resource's target
        (e.g. --no-s3), and none of them failed for the resource itself."""
        target = self._targets.get((res.account_id, res.region))
        if target is None or not needed or needed & res.missing or not needed <= OPTIONAL_DATASETS:
            return False
        if res.kind is ResourceKind.TARGET:  # a target's own verdict needs its data collected
            return False
        return all(target.datasets.get(d) is DatasetStatus.SKIPPED for d in needed)

    def unavailable(self, res: Resource) -> frozenset[Dataset]:
        # PARTIAL: every resource is there, and those not read in full say so in ``missing``. The
        # target itself has no such list: for it, anything short of COMPLETE is unavailable.
        strict = res.kind is ResourceKind.TARGET
        key = (res.account_id, res.region, strict)
        base = self._cache.get(key)
        if base is None:
            target = self._targets.get((res.account_id, res.region))
            if target is None:
                base = ALL_DATASETS
            else:
                statuses = {d: target.datasets.get(d, DatasetStatus.NOT_SCANNED) for d in Dataset}
                usable = (lambda s: s is DatasetStatus.COMPLETE) if strict else (lambda s: s.listed)
                base = frozenset(d for d, s in statuses.items() if not usable(s))
            self._cache[key] = base
        return base | res.missing if res.missing else base

    def explain(self, res: Resource, needed: frozenset[Dataset]) -> str:
        target = self._targets.get((res.account_id, res.region))
        reasons = []
        for d in sorted(needed):
            if d in res.missing:
                own = self._errors.get((res.account_id, res.region, d, res.name), [])
                detail = "; ".join(f"{e.operation} {e.error_code}: {e.message}" for e in own)
                reasons.append(
                    f"{d.value} (could not be read for this resource or a linked one"
                    + (f": {detail})" if detail else ")")
                )
            elif target is None:
                reasons.append(
                    f"{d.value} (account {res.account_id} region {res.region} was not a scan target)"
                )
            else:
                status = target.datasets.get(d)
                state = status.value if status is not None else "not recorded"
                reasons.append(f"{d.value} ({state} in {res.account_id}/{res.region})")
        return "data needed for this check could not be collected: " + "; ".join(reasons)


def _skipped_reason(datasets: frozenset[Dataset]) -> str:
    names = ", ".join(d.value for d in sorted(datasets))
    return f"not collected by choice: {names} (the scan was told not to read it, e.g. --no-s3)"


def _unknown_reads(reads: frozenset[FieldRead], res: Resource) -> str | None:
    """Why the fields ``reads`` covers are unknown until deploy on ``res``; None when all are known."""
    reasons = sorted({why for key, why in res.unknown.items() if key in reads})
    return "; ".join(reasons) if reasons else None


def _judge(
    policy: Policy, res: Resource, unavailable: frozenset[Dataset], avail: _Availability, as_of: float
) -> Finding | None:
    doc = res.document
    runtime_only = policy.phase is Phase.RUNTIME and res.planned
    try:
        if policy.scope is not None:
            blocked = policy.scope_datasets & unavailable
            if blocked:
                return _finding(policy, res, Verdict.ERROR, avail.explain(res, blocked))
            if res.unknown and not runtime_only:
                unknown = _unknown_reads(policy.scope_reads, res)
                if unknown is not None:
                    return _finding(policy, res, Verdict.ERROR, unknown)
            if not policy.scope(doc, as_of):
                return None
        if runtime_only:
            return _finding(policy, res, Verdict.NOT_APPLICABLE, RUNTIME_REASON)
        blocked = policy.check_datasets & unavailable
        if blocked and avail.skipped(res, blocked):
            return _finding(policy, res, Verdict.NOT_APPLICABLE, _skipped_reason(blocked))
        if blocked:
            return _finding(policy, res, Verdict.ERROR, avail.explain(res, blocked))
        if res.unknown:
            unknown = _unknown_reads(policy.check_reads, res)
            if unknown is not None:
                return _finding(policy, res, Verdict.ERROR, unknown)
        for rule in policy.not_applicable:
            if rule.when(doc, as_of):
                return _finding(policy, res, Verdict.NOT_APPLICABLE, rule.reason)
        if policy.check(doc, as_of):
            message = policy.pass_message.render(doc) if policy.pass_message else ""
            return _finding(policy, res, Verdict.PASS, message)
        for sev in policy.severity_when:
            if sev.when(doc, as_of):
                message = (sev.message or policy.message).render(doc)
                finding = _finding(policy, res, policy.failure_verdict, message)
                finding.severity = sev.severity
                return finding
        return _finding(policy, res, policy.failure_verdict, policy.message.render(doc))
    except jmes_exc.JMESPathError as exc:
        return _finding(
            policy, res, Verdict.ERROR, f"the policy could not be evaluated on this resource: {exc}"
        )


def _finding(policy: Policy, res: Resource, verdict: Verdict, message: str) -> Finding:
    return Finding(
        policy_id=policy.id,
        severity=policy.severity,
        verdict=verdict,
        resource_kind=res.kind,
        resource_arn=res.arn,
        resource_name=res.name,
        account_id=res.account_id,
        region=res.region,
        message=message,
        remediation=policy.remediation if verdict in (Verdict.FAIL, Verdict.ERROR) else "",
        tags=res.tags,
        location=res.location,
    )


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    # Documents and findings form no reference cycles; generational GC passes over the hundreds of
    # thousands of fresh dicts they create would otherwise cost more than judging them.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def judge_all(inventory: Inventory, policies: Sequence[Policy], as_of: datetime) -> list[Finding]:
    """Every verdict of ``policies`` on ``inventory`` (no waivers), in policy then resource order."""
    judgement = _judgement(inventory, policies, as_of, None)
    return list(judgement.table.finish([p.id for p in policies]))


class _Judgement:
    """The verdicts of one evaluation, and what the coverage matrix needs of the judged resources."""

    def __init__(self) -> None:
        self.table = TableBuilder()
        self.matrix = MatrixParts()


def _judgement(
    inventory: Inventory, policies: Sequence[Policy], as_of: datetime, waiving: _Waiving | None
) -> _Judgement:
    with _no_cyclic_gc():
        return _judge_all(inventory, policies, as_of, waiving)


def _judge_all(
    inventory: Inventory, policies: Sequence[Policy], as_of: datetime, waiving: _Waiving | None
) -> _Judgement:
    # Resources stream past a chunk at a time (documents are the largest transient: as big as the
    # inventory itself when held whole), and each verdict goes into a compact table as soon as it is
    # made (auditor.findings); the coverage matrix keeps only what its cells need (coverage.MatrixParts).
    avail = _Availability(inventory.targets, inventory.errors)
    stamp = as_of.timestamp()
    by_kind: dict[ResourceKind, list[Policy]] = {}
    for policy in policies:
        by_kind.setdefault(policy.resource_kind, []).append(policy)
    out = _Judgement()
    for kind, items in iter_resources(inventory):
        blocked = [avail.unavailable(r) for r in items]
        subjects = [-1] * len(items)
        for policy in by_kind.get(kind, ()):
            for i, (res, unav) in enumerate(zip(items, blocked, strict=True)):
                finding = _judge(policy, res, unav, avail, stamp)
                if finding is None:
                    continue
                fed = contribution(policy, res, finding, stamp) if policy.coverage is not None else None
                # After the contribution is made (whether a failure says "missing" is judged on the
                # failure) and before it is folded in: a waived failure still shows the gap in the
                # matrix, marked as waived.
                if waiving is not None:
                    waiving.apply(finding)
                if fed is not None:
                    # The matrix's notes keep the message: the table's copy, not one more.
                    finding.message = out.table.text(finding.message)
                    out.matrix.fold(fed)
                if subjects[i] < 0:
                    subjects[i] = out.table.subject(subject_of(finding))
                out.table.add(finding, subjects[i])
        for res in items:
            out.matrix.add(res)
    return out


class _Waiving:
    """Turns covered FAILs into WAIVED (or marks them with an expired waiver), counting what each
    waiver matched."""

    def __init__(self, waivers: Sequence[Waiver], as_of: datetime) -> None:
        self.waivers = list(waivers)
        self.today = as_of.astimezone(UTC).date()
        self.by_policy: dict[str, list[Waiver]] = {}
        for w in waivers:
            self.by_policy.setdefault(w.policy_id, []).append(w)
        self.matched = {w.id: 0 for w in waivers}

    def apply(self, finding: Finding) -> None:
        if finding.verdict != Verdict.FAIL:
            return
        candidates = [
            w
            for w in self.by_policy.get(finding.policy_id, ())
            if w.matches(finding.resource_arn, finding.account_id, finding.region, finding.tags)
        ]
        if not candidates:
            return
        active = [w for w in candidates if not w.expired_on(self.today)]
        waiver = active[0] if active else candidates[0]
        self.matched[waiver.id] += 1
        expired = not active
        finding.waiver = WaiverRef(
            waiver.id, waiver.reason, waiver.owner, waiver.expires.isoformat(), expired
        )
        if expired:
            finding.message = f"waiver {waiver.id} expired on {waiver.expires.isoformat()}; {finding.message}"
        else:
            finding.verdict = Verdict.WAIVED

    def infos(self) -> list[WaiverInfo]:
        infos = []
        for w in self.waivers:
            if w.expired_on(self.today):
                status = WaiverStatus.EXPIRED
            elif self.matched[w.id]:
                status = WaiverStatus.ACTIVE
            else:
                status = WaiverStatus.UNUSED
            infos.append(
                WaiverInfo(
                    w.id,
                    w.policy_id,
                    w.selector_text(),
                    w.reason,
                    w.owner,
                    w.expires.isoformat(),
                    status,
                    self.matched[w.id],
                )
            )
        return infos


def apply_waivers(findings: list[Finding], waivers: Sequence[Waiver], as_of: datetime) -> list[WaiverInfo]:
    """Turn covered FAILs into WAIVED (or mark them with an expired waiver); report every waiver."""
    waiving = _Waiving(waivers, as_of)
    for finding in findings:
        waiving.apply(finding)
    return waiving.infos()


def waive_more(result: EvaluationResult, findings: list[Finding], waivers: Sequence[Waiver]) -> None:
    """Apply ``waivers`` to ``findings`` added to ``result`` after its judgement (the history-driven
    check) and count what they matched in ``result.waivers`` (made from the same waivers, in order)."""
    if not waivers or not findings:
        return
    infos = apply_waivers(findings, waivers, parse_as_of(result.generated_at, "result", "generated_at"))
    for info, more in zip(result.waivers, infos, strict=True):
        info.matched += more.matched
        if more.matched and info.status is WaiverStatus.UNUSED:
            info.status = WaiverStatus.ACTIVE


def evaluate(
    inventory: Inventory,
    policies: PolicySet,
    waivers: Sequence[Waiver] = (),
    *,
    as_of: datetime | None = None,
    inventory_digest: str | None = None,
) -> EvaluationResult:
    """Judge ``inventory`` with ``policies`` and ``waivers``.

    ``as_of`` defaults to the scan's ``finished_at``: re-evaluating a saved snapshot later gives the
    same verdicts (ages, freshness and waiver expiry are judged as of then). The coverage matrix is
    derived from the verdicts here; ``baseline`` is left empty for a later stage.
    ``inventory_digest`` is the SHA-256 of the saved inventory.json; a caller that has just
    serialized the inventory passes it, otherwise it is computed here (serializing costs more than
    judging).
    """
    moment = as_of if as_of is not None else parse_as_of(inventory.metadata.finished_at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    waiving = _Waiving(waivers, moment)
    judgement = _judgement(inventory, policies.policies, moment, waiving)
    findings = judgement.table.finish()  # report order: policy id, then resource ARN
    columns, rows = coverage_matrix(judgement.matrix, policies.policies)
    del judgement  # the matrix's drafts
    costs = cost_view(inventory)
    return EvaluationResult(
        generated_at=iso_z(moment),
        tool_version=auditor.__version__,
        policy_set_digest=policies.digest,
        inventory_digest=inventory_digest or store.sha256(inventory),
        scan=inventory.metadata,
        targets=list(inventory.targets),
        scan_errors=list(inventory.errors),
        policies=[p.info() for p in policies.policies],
        findings=findings,
        waivers=waiving.infos(),
        coverage_columns=columns,
        coverage=rows,
        cost=costs,
        migration=migration_view(inventory, costs),
        monitoring_alerts=alerts_view(inventory),
    )
