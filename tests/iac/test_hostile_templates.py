"""Malformed templates and plans: never a traceback, always an InputError naming the file (hypothesis)."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.errors import InputError
from auditor.iac.cfn_yaml import parse
from auditor.iac.reader import IacOptions, read
from auditor.policy.engine import evaluate
from auditor.policy.loader import load_policy_set

from .conftest import FIXTURES

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
POLICIES = load_policy_set()
TEMPLATE = (FIXTURES / "cloudformation" / "noncompliant.yaml").read_text(encoding="utf-8")
SAM = (FIXTURES / "sam" / "template.yaml").read_text(encoding="utf-8")
PLAN = (FIXTURES / "terraform" / "unknowns.plan.json").read_text(encoding="utf-8")

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
INTRINSICS = st.sampled_from(
    [
        {"Ref": "Stage"},
        {"Ref": "Nothing"},
        {"Ref": "AWS::NoValue"},
        {"Fn::GetAtt": ["WatchedEndpoint", "EndpointName"]},
        {"Fn::GetAtt": "Broken"},
        {"Fn::Sub": "${WatchedEndpoint}-${!x}-${Stage}"},
        {"Fn::Sub": ["${a}", {"a": {"Ref": "Stage"}}]},
        {"Fn::Join": [",", [1, {"Ref": "Stage"}]]},
        {"Fn::Select": [3, []]},
        {"Fn::If": ["Missing", 1, 2]},
        {"Fn::ImportValue": "x"},
        {"Fn::FindInMap": ["a", "b", "c"]},
    ]
)
VALUES = st.recursive(
    SCALARS | INTRINSICS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=15,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out.extend(_paths(value, (*prefix, i)))
    return out


@st.composite
def mutated(draw: st.DrawFn, valid: Any) -> Any:
    data = json.loads(json.dumps(valid))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)))
        if not path:
            continue
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        value = json.loads(json.dumps(draw(VALUES)))  # a copy: later mutations must not touch the constants
        if action == "replace":
            parent[path[-1]] = value
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = value
        else:
            parent.append(value)
    return data


@st.composite
def cut(draw: st.DrawFn, valid: str) -> str:
    text = valid
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 60)))
        noise = draw(st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#,? \n\ta1")), max_size=10))
        text = text[:i] + draw(st.sampled_from(["", noise, text[i:j] * 2])) + text[j:]
    return text


def check(content: bytes, suffix: str) -> None:
    """Read and judge ``content``: it works, or it is an InputError naming the file in one line."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"stack{suffix}"
        path.write_bytes(content)
        try:
            result = read([path], IacOptions(account="123456789012", region="us-east-1"))
            evaluate(result.inventory, POLICIES)
        except InputError as exc:
            assert exc.source.endswith(f"stack{suffix}") or exc.source.startswith(("--", str(path))), (
                exc.source
            )
            assert CONTROL.search(str(exc)) is None, repr(str(exc))


def _yaml(data: Any) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True).encode()


@FUZZ
@given(data=mutated(parse(TEMPLATE, "seed").data) | mutated(parse(SAM, "seed").data))
def test_mutated_templates_never_crash(data: Any) -> None:
    check(_yaml(data), ".template.yaml")
    check(json.dumps(data).encode(), ".template.json")


@FUZZ
@given(text=cut(TEMPLATE))
def test_cut_templates_never_crash(text: str) -> None:
    check(text.encode("utf-8", "surrogatepass"), ".template.yaml")


@FUZZ
@given(data=mutated(json.loads(PLAN)))
def test_mutated_plans_never_crash(data: Any) -> None:
    check(json.dumps(data).encode(), ".json")


def test_deeply_nested_json_is_an_input_error(tmp_path: Path) -> None:
    deep: Any = "x"
    for _ in range(600):
        deep = {"a": deep}
    data = {"Resources": {"Endpoint": {"Type": "AWS::SageMaker::Endpoint", "Properties": {"Other": deep}}}}
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match="JSON nested too deeply"):
        read([path], IacOptions())
