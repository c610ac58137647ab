"""Framework mappings as data: the built-in files, their agreement with the policies' tags, validation of
custom files (file, line, field), the per-requirement rollup, and `auditor frameworks list|show`."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from auditor.cli import cli
from auditor.errors import InputError
from auditor.inventory import store
from auditor.inventory.model import Dataset, DatasetStatus, Endpoint, Inventory, ScanMetadata, Target
from auditor.pipeline import judge, load_judge_inputs
from auditor.policy.cases import discover
from auditor.policy.frameworks import builtin_framework_files, load_frameworks
from auditor.policy.loader import builtin_files, load_policy_set
from auditor.policy.rollup import requirement_status, rollup
from auditor.report import json_report
from auditor.results import RequirementStatus, Verdict, requirements_by_policy

BUILTIN_IDS = ["eu-ai-act", "iso-iec-42001", "nist-ai-rmf", "sr-11-7"]


def _custom(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "bank-mrm",
        "name": "Bank MRM",
        "title": "Internal model risk standard",
        "version": "2026",
        "source": "https://intranet.example.com/mrm",
        "requirements": [
            {
                "id": "MRM-7",
                "title": "Drift is alarmed",
                "summary": "Every monitored model has an alarm that reaches a person.",
                "source": "https://intranet.example.com/mrm#7",
                "policies": ["mm-drift-alarm", "mm-alarm-actionable"],
            }
        ],
    }
    data.update(overrides)
    return data


def _write(tmp_path: Path, data: object, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def test_builtin_frameworks_load_and_name_only_builtin_policies() -> None:
    known = {p.id for p in load_policy_set().available}
    fset = load_frameworks(known_policies=known)
    assert [f.id for f in fset.frameworks] == BUILTIN_IDS
    assert {f.name for f in fset.frameworks} == {"EU AI Act", "ISO/IEC 42001", "NIST AI RMF", "SR 11-7"}
    for fw in fset.frameworks:
        assert fw.origin == "builtin"
        assert fw.source.startswith("https://")
        for req in fw.requirements:
            assert req.summary and req.source.startswith("https://") and req.policies


def test_nist_subcategories_are_the_verified_ones() -> None:
    # Checked against the AI RMF Core tables as quoted by several sources (see the file's notes).
    nist = load_frameworks().get("nist-ai-rmf")
    assert nist is not None
    assert [r.id for r in nist.requirements] == [
        "MEASURE 2.4",
        "MEASURE 2.7",
        "MEASURE 2.9",
        "MEASURE 2.11",
        "MANAGE 4.1",
    ]


def test_policy_frameworks_tags_agree_with_the_framework_files() -> None:
    """The framework files are the source of truth; each built-in policy's `frameworks:` tags say the same."""
    fset = load_frameworks()
    from_files: dict[str, set[tuple[str, str]]] = {}
    for fw in fset.frameworks:
        for req in fw.requirements:
            for pid in req.policies:
                from_files.setdefault(pid, set()).add((fw.name, req.id))
    for policy in load_policy_set().available:
        from_tags = {(name, req) for name, reqs in policy.frameworks.items() for req in reqs}
        assert from_tags == from_files.get(policy.id, set()), policy.id


def test_framework_files_are_neither_policies_nor_case_folders() -> None:
    assert not [label for label, _ in builtin_files() if "/frameworks/" in label]
    assert all("frameworks" not in pc.spec.file for pc in discover())
    assert len(builtin_framework_files()) == len(BUILTIN_IDS)


def test_custom_framework_file_is_loaded_beside_the_builtin_ones(tmp_path: Path) -> None:
    path = _write(tmp_path, _custom())
    inputs = load_judge_inputs(framework_paths=[path])
    assert [f.id for f in inputs.frameworks.frameworks] == ["bank-mrm", *BUILTIN_IDS]
    assert (str(path), path) in inputs.frameworks.files
    assert inputs.frameworks.get("bank-mrm").origin == str(path)  # type: ignore[union-attr]


def test_custom_frameworks_come_without_the_builtin_ones_under_no_builtin(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    src = Path(str(next(f for label, f in builtin_files() if "mm-drift-alarm" in label)))
    policy.write_text(src.read_text())
    path = _write(
        tmp_path, _custom(requirements=[{**_custom()["requirements"][0], "policies": ["mm-drift-alarm"]}])
    )  # type: ignore[index]
    inputs = load_judge_inputs(policy_paths=[policy], builtin=False, framework_paths=[path])
    assert [f.id for f in inputs.frameworks.frameworks] == ["bank-mrm"]


@pytest.mark.parametrize(
    ("data", "location", "message"),
    [
        (_custom(requirements=[]), "requirements", "should be non-empty"),
        (_custom(source="http://insecure.example.com"), "source", "does not match"),
        (_custom(owner="me"), "owner", "unknown key 'owner'"),
        (_custom(id="Bank MRM"), "id", "does not match"),
        (
            _custom(requirements=[{**_custom()["requirements"][0], "policies": ["mm-no-such-policy"]}]),  # type: ignore[index]
            "requirements[0].policies[0]",
            "unknown policy id 'mm-no-such-policy'",
        ),
        (
            _custom(requirements=[_custom()["requirements"][0]] * 2),  # type: ignore[index]
            "requirements[1].id",
            "duplicate requirement id 'MRM-7'",
        ),
        (_custom(id="sr-11-7", name="Other"), "id", "duplicate framework id 'sr-11-7'"),
        (_custom(name="SR 11-7"), "name", "duplicate framework name 'SR 11-7'"),
    ],
)
def test_invalid_framework_file_names_file_line_and_field(
    tmp_path: Path, data: dict[str, object], location: str, message: str
) -> None:
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as caught:
        load_judge_inputs(framework_paths=[path])
    err = caught.value
    assert err.source == str(path)
    assert err.location == location
    assert message in err.message
    assert err.line is not None


def test_yaml_syntax_error_in_a_framework_file_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "id: x\nrequirements: [\n")
    with pytest.raises(InputError) as caught:
        load_frameworks([path])
    assert caught.value.source == str(path) and caught.value.line is not None


def test_requirement_status_order_never_passes_on_missing_evidence() -> None:
    c = Counter
    assert requirement_status(c({Verdict.FAIL: 1, Verdict.ERROR: 1}), []) is RequirementStatus.FAIL
    assert requirement_status(c({Verdict.ERROR: 1, Verdict.PASS: 5}), []) is RequirementStatus.ERROR
    assert requirement_status(c({Verdict.PASS: 5}), ["mm-x"]) is RequirementStatus.NOT_EVALUATED
    assert requirement_status(c(), []) is RequirementStatus.NOT_EVALUATED
    assert requirement_status(c({Verdict.PASS: 5, Verdict.WAIVED: 1}), []) is RequirementStatus.WAIVED
    assert requirement_status(c({Verdict.PASS: 5, Verdict.NOT_APPLICABLE: 1}), []) is RequirementStatus.PASS
    assert requirement_status(c({Verdict.NOT_APPLICABLE: 2}), []) is RequirementStatus.NOT_APPLICABLE


def _inventory() -> Inventory:
    complete = dict.fromkeys(Dataset, DatasetStatus.COMPLETE)
    return Inventory(
        metadata=ScanMetadata(
            tool_version="t", started_at="2026-11-27T10:00:00Z", finished_at="2026-11-27T10:01:00Z"
        ),
        targets=[Target("111111111111", "us-east-1", complete)],
        endpoints=[
            Endpoint(
                arn="arn:aws:sagemaker:us-east-1:111111111111:endpoint/churn",
                name="churn",
                account_id="111111111111",
                region="us-east-1",
                status="InService",
            )
        ],
    )


def test_rollup_of_a_run_lists_status_counts_and_failing_resources(tmp_path: Path) -> None:
    inputs = load_judge_inputs(framework_paths=[_write(tmp_path, _custom())], disable=["mm-alarm-actionable"])
    result = judge(_inventory(), inputs)
    by_id = {f.framework_id: f for f in result.frameworks}
    assert list(by_id) == ["bank-mrm", *BUILTIN_IDS]
    (custom,) = by_id["bank-mrm"].requirements
    # No monitor, so mm-drift-alarm judged nothing; mm-alarm-actionable was disabled.
    assert custom.status is RequirementStatus.NOT_EVALUATED
    assert custom.policies_not_run == ["mm-alarm-actionable"]
    art12 = next(r for r in by_id["eu-ai-act"].requirements if r.requirement_id == "Art. 12")
    assert art12.status is RequirementStatus.FAIL  # the endpoint has no data capture
    assert art12.verdicts[Verdict.FAIL] == 1
    assert art12.failing_resources == ["arn:aws:sagemaker:us-east-1:111111111111:endpoint/churn"]
    assert "SR 11-7 Ongoing monitoring" in requirements_by_policy(result)["mm-data-capture"]
    # The rollup travels in report.json and validates against the published schema.
    document = json_report.render(result).decode()
    again = json_report.loads_report(document)
    assert again.frameworks == result.frameworks


def test_rollup_is_empty_without_frameworks() -> None:
    inputs = load_judge_inputs()
    result = judge(_inventory(), inputs)
    assert rollup([], result) == []


def test_evaluate_with_a_custom_framework_copies_it_into_the_evidence_inputs(tmp_path: Path) -> None:
    store.save(_inventory(), tmp_path / "inventory.json")
    _write(tmp_path, _custom())
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "evaluate",
            "inventory.json",
            "--frameworks",
            "bank.yaml",
            "--format",
            "json,frameworks-csv",
            "--output-dir",
            "out",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [f["framework_id"] for f in report["frameworks"]] == ["bank-mrm", *BUILTIN_IDS]
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    copied = {e["source"] for e in run["inputs"]["frameworks"]}
    assert "bank.yaml" in copied and "builtin/frameworks/sr-11-7.yaml" in copied
    rows = (tmp_path / "out" / "frameworks.csv").read_text().splitlines()
    assert rows[0].startswith("framework_id,framework,")
    assert len(rows) == 1 + 1 + 12  # header, the custom requirement, the 12 built-in ones


def test_evaluate_with_an_invalid_framework_exits_2_in_one_line(tmp_path: Path) -> None:
    store.save(_inventory(), tmp_path / "inventory.json")
    _write(tmp_path, _custom(requirements=[{**_custom()["requirements"][0], "policies": ["nope-x"]}]))  # type: ignore[index]
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "evaluate", "inventory.json", "--frameworks", "bank.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "bank.yaml:" in proc.stderr and "requirements[0].policies[0]" in proc.stderr
    assert not (tmp_path / "reports").exists()


def test_frameworks_list_and_show() -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["frameworks", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [row["id"] for row in json.loads(listed.output)] == BUILTIN_IDS
    shown = runner.invoke(cli, ["frameworks", "show", "sr-11-7"])
    assert shown.exit_code == 0
    assert "Ongoing monitoring: Ongoing monitoring of models in use" in shown.output
    assert "mm-ground-truth-input" in shown.output
    missing = runner.invoke(cli, ["frameworks", "show", "pci-dss"])
    assert missing.exit_code == 2


def test_config_keys_for_frameworks_and_asff_passes(tmp_path: Path) -> None:
    from auditor.config import load_config
    from auditor.settings import OutputFlags, build_output_options

    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "auditor.yaml").write_text("frameworks: [maps/bank.yaml]\nasff_include_passed: true\n")
    config = load_config(conf / "auditor.yaml")
    assert config.frameworks == [str(conf / "maps" / "bank.yaml")]
    options = build_output_options(config, OutputFlags(formats=("asff",)))
    assert options.asff_include_passed is True
    flag_off = build_output_options(config, OutputFlags(formats=("asff",), asff_include_passed=False))
    assert flag_off.asff_include_passed is False
