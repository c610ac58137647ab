"""`auditor policies list/show/validate/test` through the real entry point (exit codes included)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from auditor.cli import main
from auditor.inventory import store
from auditor.policy.loader import builtin_root

from .conftest import inventory_from, minimal_policy
from .test_invalid_inputs import INVALID_POLICIES, INVALID_WAIVERS


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["policies", *args])
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_list_and_show(capsys) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert "mm-drift-alarm" in out and "25 of 25 policies enabled" in out
    code, out, _ = run(capsys, "show", "mm-ground-truth-input")
    assert code == 0
    assert (
        "GroundTruthS3Input.S3Uri" in out
        and "Needs datasets (ERROR when not collected): endpoints, job_definitions, monitors" in out
    )
    code, _, err = run(capsys, "show", "mm-nope")
    assert code == 2 and "no policy with id 'mm-nope'" in err


def test_validate_ok_and_invalid(capsys, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(minimal_policy()), encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(good))
    assert code == 0 and "OK: 1 policies" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(minimal_policy(check={"path": "status", "equal": "x"})), encoding="utf-8")
    code, out, err = run(capsys, "validate", str(bad))
    assert code == 2
    assert err.startswith(f"auditor: error: {bad}:") and "check.equal: unknown operator 'equal'" in err
    assert err.count("\n") == 1  # one line, no traceback


@pytest.mark.parametrize(
    "content",
    [
        "id: [\n",
        yaml.safe_dump(minimal_policy(extra=1)),
        yaml.safe_dump(minimal_policy(check={"path": "name", "regex": "("})),
        yaml.safe_dump(minimal_policy(check={"path": "nope", "exists": True})),
        yaml.safe_dump(minimal_policy(severity=1)),
    ],
    ids=["syntax", "unknown_key", "bad_regex", "unknown_field", "wrong_type"],
)
def test_validate_exit_2_names_file_and_field(capsys, tmp_path: Path, content: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2 and str(path) in err


def test_test_command_builtin_passes(capsys) -> None:
    code, out, _ = run(capsys, "test")
    assert code == 0
    assert "0 failed (25 policies)" in out


def test_test_command_user_policy_with_a_wrong_expectation_exits_1(capsys, tmp_path: Path) -> None:
    src = Path(str(builtin_root())) / "mm-data-quality-monitor"
    dst = tmp_path / "mine"
    shutil.copytree(src, dst)
    policy = yaml.safe_load((dst / "policy.yaml").read_text(encoding="utf-8"))
    policy["id"] = "my-dq"
    (dst / "policy.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    code, out, _ = run(capsys, "test", str(dst))
    assert code == 0 and "0 failed (1 policies)" in out
    (dst / "cases" / "wrong_pass.yaml").write_text(
        "inventory: {endpoints: [{name: e}]}\nexpect: {e: PASS}\n", encoding="utf-8"
    )
    code, out, _ = run(capsys, "test", str(dst))
    assert code == 1
    assert "FAIL  my-dq" in out and "e: expected PASS, got FAIL" in out


@pytest.mark.parametrize(
    ("content", "location", "fragment"),
    [c[1:] for c in INVALID_POLICIES],
    ids=[c[0] for c in INVALID_POLICIES],
)
def test_every_invalid_policy_kind_exits_2_naming_file_and_field(
    capsys, tmp_path: Path, content, location, fragment
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content), encoding="utf-8")
    code, _, err = run(capsys, "validate", "--no-builtin", str(path))
    assert code == 2
    assert err.startswith(f"auditor: error: {path}:")
    if location is not None:
        assert f": {location}: " in err
    assert fragment in err


@pytest.mark.parametrize(
    ("waiver", "location", "fragment"),
    [c[1:] for c in INVALID_WAIVERS],
    ids=[c[0] for c in INVALID_WAIVERS],
)
def test_invalid_waiver_file_stops_evaluate_with_exit_2(
    capsys, tmp_path: Path, waiver, location, fragment
) -> None:
    inventory = tmp_path / "inventory.json"
    store.save(inventory_from({"endpoints": [{"name": "e"}]}), inventory)
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(yaml.safe_dump({"waivers": [waiver]}), encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["evaluate", str(inventory), "--waivers", str(waivers), "--output-dir", str(tmp_path / "out")])
    _, err = capsys.readouterr()
    assert info.value.code == 2
    assert str(waivers) in err and f": {location}: " in err and fragment in err
    assert not (tmp_path / "out").exists()  # stopped before judging or writing anything
