"""Malformed policy, waiver, config and inventory files: never a traceback, always an InputError that
names the file (property-based, with hypothesis), and through the CLI exit 2 with one line."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from auditor.config import EXAMPLE, load_config
from auditor.errors import InputError
from auditor.inventory import store
from auditor.pipeline import judge, load_judge_inputs
from auditor.policy.loader import load_policy_set
from auditor.policy.waivers import load_waivers
from auditor.policy.yamlsrc import load_yaml
from auditor.report import json_report
from auditor.report.diff import load_result

from .support import REPO, run_cli, small_inventory

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples on every CI run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

VALID_POLICY = (REPO / "policies" / "mm-schedule-status" / "policy.yaml").read_text(encoding="utf-8")
VALID_WAIVERS = """\
waivers:
  - id: W-2026-014
    policy: mm-model-quality-monitor
    resources: {arn: "arn:aws:sagemaker:*:111122223333:endpoint/legacy-*", tags: {team: ml}}
    reason: Legacy model, replaced by churn-v4 in December
    owner: ml-platform@example.com
    expires: 2026-12-31
"""
VALID_CONFIG = (
    EXAMPLE.replace("accounts: []", "accounts: ['111111111111']")
    .replace("regions: []", "regions: [eu-west-1]")
    .replace("fail_on: high", "fail_on: medium")
)


VALID_INVENTORY = store.dumps(small_inventory())
_BUILTIN = load_judge_inputs()
VALID_REPORT = json_report.render(judge(small_inventory(), _BUILTIN)).decode("utf-8")


def _load_policy(path: Path) -> object:
    return load_policy_set([path], builtin=False)


LOADERS: dict[str, tuple[Callable[[Path], object], str, str]] = {
    # kind: (loader, a valid file, its suffix)
    "policy": (_load_policy, VALID_POLICY, ".yaml"),
    "waivers": (load_waivers, VALID_WAIVERS, ".yaml"),
    "config": (load_config, VALID_CONFIG, ".yaml"),
    "inventory": (store.load, VALID_INVENTORY, ".json"),
    "baseline": (load_result, VALID_REPORT, ".json"),  # a previous report.json given as --baseline
}


def check_loader(kind: str, content: bytes, *, record: bool = True) -> None:
    """Load ``content`` as a ``kind`` file: it loads, or raises InputError naming the file; nothing else."""
    loader, _, suffix = LOADERS[kind]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(content)
        try:
            loader(path)
            if record:
                event("loaded")
        except InputError as exc:
            if record:  # what the examples reached, for --hypothesis-show-statistics
                event(f"InputError: {exc.message.split(':')[0][:40]}")
            assert exc.source == str(path), f"the error names {exc.source!r}, not the file"
            assert str(exc).startswith(str(path))
            # The CLI prints it as one line: no line break of any kind, no terminal control characters.
            assert CONTROL.search(str(exc)) is None, repr(str(exc))


# ----------------------------------------------------------------------------------- strategies

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)
YAML_NOISE = st.text(alphabet=st.sampled_from([*":-[]{}&*!|>'\"#%@`,? \n\t\\", "a", "1", "é", "\x00"]))


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into ``data`` (dict keys and list indexes), the root included."""
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out.extend(_paths(value, (*prefix, i)))
    return out


@st.composite
def mutated_structure(draw: st.DrawFn, valid: Any) -> Any:
    """The valid document with one to three nodes replaced, deleted or given an extra key."""
    data = json.loads(json.dumps(valid))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)))
        if not path:
            data = draw(JSON_VALUES)
            continue
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(JSON_VALUES)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = draw(JSON_VALUES)
        else:
            parent.append(draw(JSON_VALUES))
    return data


@st.composite
def mutated_text(draw: st.DrawFn, valid: str) -> str:
    """The valid text with slices deleted, replaced or repeated, or cut short."""
    text = valid
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 80)))
        action = draw(st.sampled_from(["delete", "insert", "repeat", "truncate"]))
        if action == "delete":
            text = text[:i] + text[j:]
        elif action == "insert":
            text = text[:i] + draw(YAML_NOISE | st.text(max_size=20)) + text[j:]
        elif action == "repeat":
            text = text[:j] + text[i:j] + text[j:]
        else:
            text = text[:i]
    return text


def _parse(kind: str) -> Any:
    _, valid, _ = LOADERS[kind]
    return json.loads(valid) if LOADERS[kind][2] == ".json" else load_yaml(valid, "seed")[0]


def _dump(kind: str, data: Any) -> bytes:
    if LOADERS[kind][2] == ".json":
        return json.dumps(data).encode()
    return yaml.safe_dump(data, allow_unicode=True).encode()


def _file_strategy(kind: str) -> st.SearchStrategy[bytes]:
    _, valid, _ = LOADERS[kind]
    return st.one_of(
        st.binary(max_size=600),
        JSON_VALUES.map(lambda data: _dump(kind, data)),
        mutated_structure(_parse(kind)).map(lambda data: _dump(kind, data)),
        mutated_text(valid).map(lambda text: text.encode("utf-8", "surrogatepass")),
    )


# ----------------------------------------------------------------------------------- properties


@pytest.mark.parametrize("kind", list(LOADERS))
def test_the_valid_seed_loads(kind: str) -> None:
    loader, valid, suffix = LOADERS[kind]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_text(valid, encoding="utf-8")
        assert loader(path) is not None


@FUZZ
@given(content=_file_strategy("policy"))
def test_policy_loader_never_crashes(content: bytes) -> None:
    check_loader("policy", content)


@FUZZ
@given(content=_file_strategy("waivers"))
def test_waiver_loader_never_crashes(content: bytes) -> None:
    check_loader("waivers", content)


@FUZZ
@given(content=_file_strategy("config"))
def test_config_loader_never_crashes(content: bytes) -> None:
    check_loader("config", content)


@FUZZ
@given(content=_file_strategy("inventory"))
def test_inventory_loader_never_crashes(content: bytes) -> None:
    check_loader("inventory", content)


@FUZZ
@given(content=_file_strategy("baseline"))
def test_baseline_report_loader_never_crashes(content: bytes) -> None:
    check_loader("baseline", content)


DEEP_YAML = ("[" * 5000 + "]" * 5000).encode()
DEEP_JSON = ("[" * 100_000 + "]" * 100_000).encode()
ALIAS_BOMB = (
    "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
).encode()


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        pytest.param("policy", DEEP_YAML, id="policy-deep-nesting"),
        pytest.param("waivers", DEEP_YAML, id="waivers-deep-nesting"),
        pytest.param("config", DEEP_YAML, id="config-deep-nesting"),
        pytest.param("policy", ALIAS_BOMB, id="policy-alias-bomb"),
        pytest.param("waivers", ALIAS_BOMB, id="waivers-alias-bomb"),
        pytest.param("config", ALIAS_BOMB, id="config-alias-bomb"),
        pytest.param("inventory", DEEP_JSON, id="inventory-deep-nesting"),
        pytest.param("baseline", DEEP_JSON, id="baseline-deep-nesting"),
    ],
)
def test_pathological_files_are_input_errors(kind: str, content: bytes) -> None:
    check_loader(kind, content, record=False)


# ----------------------------------------------------------------------------------- the CLI

CLI_SAMPLES = {
    "binary": b"\x89PNG\r\n\x1a\n\x00\xff\xfe garbage",
    "wrong-structure": b"- just\n- a list\n",
    "truncated": None,  # the valid file cut inside its first bracket
}


def _cli_case(kind: str, sample: str, folder: Path) -> tuple[list[str], Path]:
    _, valid, suffix = LOADERS[kind]
    content = CLI_SAMPLES[sample]
    if content is None:
        cut = min(i for i in (valid.find("["), valid.find("{")) if i >= 0) + 3
        content = valid[:cut].encode()
    bad = folder / f"bad-{kind}{suffix}"
    bad.write_bytes(content)
    inventory = folder / "inventory.json"
    inventory.write_text(VALID_INVENTORY, encoding="utf-8")
    out = ["--output-dir", str(folder / "out")]
    if kind == "policy":
        return ["evaluate", str(inventory), "--policies", str(bad), *out], bad
    if kind == "waivers":
        return ["evaluate", str(inventory), "--waivers", str(bad), *out], bad
    if kind == "config":
        return ["evaluate", str(inventory), "--config", str(bad), *out], bad
    if kind == "baseline":
        return ["evaluate", str(inventory), "--baseline", str(bad), *out], bad
    return ["evaluate", str(bad), *out], bad


@pytest.mark.parametrize("sample", list(CLI_SAMPLES))
@pytest.mark.parametrize("kind", list(LOADERS))
def test_cli_exits_2_with_one_line_naming_the_file(kind: str, sample: str, tmp_path: Path) -> None:
    args, bad = _cli_case(kind, sample, tmp_path)
    proc = run_cli(args, cwd=tmp_path, timeout=60)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"auditor: error: {bad}"), lines[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()  # inputs are checked before anything is written
