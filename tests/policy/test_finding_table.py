"""The findings of a run held as a compact table (issue 17: memory at 100,000 endpoints)."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from auditor.findings import FindingTable, TableBuilder, extended, report_key, subject_of
from auditor.inventory.model import SourceLocation
from auditor.policy.documents import ANY
from auditor.policy.engine import evaluate
from auditor.policy.loader import load_policy_set
from auditor.policy.paths import compile_path
from auditor.report.summary import ordered_findings
from auditor.results import Finding, ResourceKind, Severity, Verdict, WaiverRef

from .conftest import inventory_from, minimal_policy

WAIVER = WaiverRef("w-1", "accepted until the migration", "ml-platform", "2027-01-31", expired=False)


def _finding(policy: str, name: str, verdict: Verdict = Verdict.PASS, **more: object) -> Finding:
    values: dict[str, object] = {
        "policy_id": policy,
        "severity": Severity.HIGH,
        "verdict": verdict,
        "resource_kind": ResourceKind.ENDPOINT,
        "resource_arn": f"arn:aws:sagemaker:eu-west-1:111111111111:endpoint/{name}",
        "resource_name": name,
        "account_id": "111111111111",
        "region": "eu-west-1",
        "message": f"{policy} on {name}: {verdict.value}",
    }
    values.update(more)
    return Finding(**values)  # type: ignore[arg-type]


def _monitor(endpoint: str) -> dict[str, object]:
    return {"name": f"{endpoint}-dq", "monitor_type": "DataQuality", "endpoint_name": endpoint}


def _varied() -> list[Finding]:
    return [
        _finding("mm-b", "zeta"),
        _finding("mm-a", "beta", Verdict.FAIL, remediation="Create the schedule.", tags={"team": "risk"}),
        _finding("mm-a", "alpha", Verdict.WAIVED, waiver=WAIVER, severity=Severity.LOW),
        _finding("mm-c", "gamma", Verdict.ERROR, message="AccessDenied on DescribeEndpoint"),
        _finding(
            "mm-b",
            "delta",
            Verdict.NOT_APPLICABLE,
            resource_kind=ResourceKind.MONITOR,
            location=SourceLocation("template.json", 12, "DeltaMonitor"),
        ),
        _finding("mm-a", "empty", message=""),
    ]


def test_a_table_gives_back_every_finding_field_for_field_in_report_order() -> None:
    findings = _varied()
    table = FindingTable(findings, in_report_order=True)
    assert len(table) == len(findings)
    assert list(table) == sorted(findings, key=report_key)
    assert table == sorted(findings, key=report_key)
    assert table[0].resource_name == "alpha" and table[0].waiver == WAIVER
    assert table[-1] == table[len(table) - 1] and table[-1].policy_id == "mm-c"
    assert table[1:3] == sorted(findings, key=report_key)[1:3]
    with pytest.raises(IndexError):
        table[len(table)]


def test_a_finding_read_from_a_table_is_a_copy_changing_it_changes_nothing() -> None:
    table = FindingTable(_varied(), in_report_order=True)
    first = table[0]
    first.verdict = Verdict.PASS
    first.message = "edited"
    assert table[0].verdict is Verdict.WAIVED
    assert table[0].message != "edited"


def test_extend_puts_each_finding_where_report_order_wants_it() -> None:
    findings = _varied()
    table = FindingTable(findings[:3], in_report_order=True)
    table.extend(findings[3:])
    table.append(_finding("mm-0", "first"))
    assert list(table) == sorted([*findings, _finding("mm-0", "first")], key=report_key)
    assert ordered_findings(table) is table


def test_extended_adds_to_a_table_in_place_and_copies_a_list() -> None:
    more = [_finding("mm-z", "late")]
    table = FindingTable(_varied(), in_report_order=True)
    assert extended(table, more) is table and table[-1].policy_id == "mm-z"
    plain = _varied()
    joined = extended(plain, more)
    assert joined == [*plain, *more] and len(plain) == len(_varied())


def test_the_builder_keeps_policy_order_when_asked_and_report_order_otherwise() -> None:
    findings = _varied()
    built = []
    for ordered in (False, True):
        builder = TableBuilder()
        for f in findings:
            builder.add(f, builder.subject(subject_of(f)))
        built.append(builder.finish(None if ordered else ["mm-c", "mm-b", "mm-a"]))
    by_policy, by_report = built
    assert [f.policy_id for f in by_policy] == ["mm-c", "mm-b", "mm-b", "mm-a", "mm-a", "mm-a"]
    assert [f.resource_name for f in by_policy if f.policy_id == "mm-a"] == ["beta", "alpha", "empty"]
    assert list(by_report) == sorted(findings, key=report_key)
    assert by_report.in_report_order and not by_policy.in_report_order


def test_a_table_holds_a_fraction_of_the_memory_of_the_findings_as_objects() -> None:
    def held(make: object) -> int:
        gc.collect()
        tracemalloc.start()
        try:
            kept = make()  # type: ignore[operator]
            size = tracemalloc.get_traced_memory()[0]
            del kept
        finally:
            tracemalloc.stop()
        return size

    # As the engine makes them: 20 policies x 1,000 resources, each resource's strings shared by its
    # verdicts, each message rendered anew (so equal texts are distinct objects), one in fifty distinct.
    resources = [_finding("x", f"ep-{r:04d}") for r in range(1000)]

    def verdict(policy: int, res: Finding) -> Finding:
        text = "".join(["capture at ", str(int(res.resource_name[3:]) % 50), "%"])
        return _finding(
            f"mm-{policy:02d}",
            res.resource_name,
            message=text,
            resource_arn=res.resource_arn,
            resource_name=res.resource_name,
        )

    def objects() -> list[Finding]:
        return [verdict(p, res) for p in range(20) for res in resources]

    def table() -> FindingTable:
        builder = TableBuilder()
        subjects = [builder.subject(subject_of(res)) for res in resources]
        for p in range(20):
            for i, res in enumerate(resources):
                builder.add(verdict(p, res), subjects[i])
        return builder.finish()

    as_objects, as_table = held(objects), held(table)
    assert as_table < as_objects / 4, (as_table, as_objects)


def test_evaluate_returns_a_table_in_report_order_with_the_same_verdicts_as_the_engine(write_policy) -> None:
    endpoints = [{"name": f"ep-{i}"} for i in range(30)]
    monitors = [_monitor(f"ep-{i}") for i in range(30) if i % 3]
    inventory = inventory_from({"endpoints": endpoints, "monitors": monitors})
    policies = load_policy_set([write_policy(minimal_policy())], builtin=False)
    result = evaluate(inventory, policies)
    assert isinstance(result.findings, FindingTable) and result.findings.in_report_order
    keys = [report_key(f) for f in result.findings]
    assert keys == sorted(keys) and len(keys) == 30
    failing = {f.resource_name for f in result.findings if f.verdict is Verdict.FAIL}
    assert failing == {f"ep-{i}" for i in range(0, 30, 3)}


def test_a_path_search_leaves_no_reference_cycle_behind() -> None:
    # The engine turns the cyclic GC off while judging; a JMESPath search that made a new interpreter
    # per call left one reference cycle per verdict, kept until the end of the judgement.
    path = compile_path("length(monitors[?monitor_type == 'DataQuality'])", ANY)
    doc = {"monitors": [{"monitor_type": "DataQuality"}, {"monitor_type": "ModelQuality"}]}
    gc.collect()
    gc.disable()
    try:
        assert [path.get(doc) for _ in range(300)] == [1] * 300
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert unreachable < 30
