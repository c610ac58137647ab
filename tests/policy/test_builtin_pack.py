"""The built-in pack: every case runs under pytest, and a meta-test keeps every policy complete."""

from __future__ import annotations

import pytest

from auditor.inventory.store import published_schema
from auditor.policy.cases import PolicyCases, discover, run_case
from auditor.policy.documents import ListType, ObjectType, document_types
from auditor.policy.loader import load_policy_set
from auditor.policy.paths import compile_path
from auditor.policy.yamlsrc import load_yaml
from auditor.results import Verdict

PACK = discover(builtin=True)
CASES = [(pc.spec, label, f) for pc in PACK for label, f in pc.cases]


@pytest.mark.parametrize(("spec", "label", "file"), CASES, ids=[c[1] for c in CASES])
def test_case(spec, label, file) -> None:
    result = run_case(spec, label, file)
    assert result.problems == []


def test_the_pack_covers_every_issue_item() -> None:
    ids = {p.id for p in load_policy_set().policies}
    # items 1-19 of issue 4, with item 18 (orphans) split by resource kind; issue 15: mm-metrics-exist,
    # mm-repeated-failures, mm-violations-ignored, mm-capture-arrives, mm-ground-truth-arrives
    assert len(ids) == 25
    founding = {"mm-data-quality-monitor", "mm-ground-truth-input", "mm-drift-alarm"}
    assert founding <= ids


@pytest.mark.parametrize("pc", PACK, ids=[pc.spec.id for pc in PACK])
def test_meta_every_policy_is_complete(pc: PolicyCases) -> None:
    """c7n-PolicyMetaLint style: nothing is added half-done."""
    names = [label.rsplit("/", 1)[-1] for label, _ in pc.cases]
    passes = [n for n in names if n.endswith("_pass.yaml")]
    fails = [n for n in names if "_fail_" in n]
    assert passes, f"{pc.spec.id} has no *_pass case"
    assert fails, f"{pc.spec.id} has no *_fail_<why> case"
    data = pc.spec.data
    assert data["remediation"].strip(), f"{pc.spec.id} has no remediation"
    assert data.get("fix"), f"{pc.spec.id} has no one-line fix (shown in the report's 'Fix these first')"
    assert data.get("references"), f"{pc.spec.id} has no references"
    # Case names tell the truth: _pass expects a PASS and no FAIL; _fail_ expects a FAIL or ERROR.
    for label, f in pc.cases:
        case, _ = load_yaml(f.read_text(encoding="utf-8"), label)
        verdicts = set(case["expect"].values())
        name = label.rsplit("/", 1)[-1]
        if name.endswith("_pass.yaml"):
            assert Verdict.PASS.value in verdicts and Verdict.FAIL.value not in verdicts, label
        if "_fail_" in name:
            assert verdicts & {Verdict.FAIL.value, Verdict.ERROR.value}, label


@pytest.mark.parametrize("pc", PACK, ids=[pc.spec.id for pc in PACK])
def test_meta_every_field_path_is_known_to_the_inventory_schema(pc: PolicyCases) -> None:
    policy = next(p for p in load_policy_set().available if p.id == pc.spec.id)
    assert policy.paths, f"{policy.id} uses no field path"
    for expression, doc_type in policy.paths:
        compile_path(expression, doc_type)  # raises PathError for a field the model does not have


def test_document_types_match_the_published_inventory_schema() -> None:
    """Paths are checked against types derived from the model; they must agree with inventory.schema.json."""
    defs = published_schema()["$defs"]
    links = {"monitors", "job_definition", "alarms", "endpoint", "endpoints", "parents", "errors"}
    seen: set[str] = set()

    def walk(t: object) -> None:
        if isinstance(t, ListType):
            walk(t.item)
        elif isinstance(t, ObjectType) and t.name not in seen:
            seen.add(t.name)
            schema_name = t.name.removesuffix("Document").removeprefix("Linked")
            props = set(defs[schema_name]["properties"])
            assert set(t.fields) - links <= props, t.name
            assert props <= set(t.fields), t.name
            for f in t.fields.values():
                walk(f)

    for doc_type in document_types().values():
        walk(doc_type)
    assert {"Endpoint", "Monitor", "JobDefinition", "Alarm", "Target", "DataCapture", "LastExecution"} <= {
        n.removesuffix("Document").removeprefix("Linked") for n in seen
    }


def test_cases_exercise_both_outcomes_of_every_policy() -> None:
    """Across its cases every policy produces a PASS and a FAIL (or ERROR) verdict."""
    for pc in PACK:
        seen: set[str] = set()
        for label, f in pc.cases:
            case, _ = load_yaml(f.read_text(encoding="utf-8"), label)
            seen |= set(case["expect"].values())
            assert run_case(pc.spec, label, f).ok
        assert {"PASS", "FAIL"} <= seen or {"PASS", "ERROR"} <= seen, pc.spec.id
