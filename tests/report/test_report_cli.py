"""`auditor evidence pack|verify` and `auditor diff`, run through click as the `auditor` group wires them."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from auditor.cli.report_cmd import diff, evidence
from auditor.inventory.model import Target
from auditor.report import json_report
from auditor.report.evidence import pack as pack_bundle
from auditor.results import EvaluationResult, Verdict

from .conftest import ACCOUNT, HOSTILE_NAME, OTHER_ACCOUNT, REGION, base_result, finding
from .test_evidence import _report_dir

CLI = click.Group("auditor", commands=[evidence, diff])


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(CLI, argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_pack_then_verify_ok_then_tampered(
    rich_result: EvaluationResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report_dir = _report_dir(rich_result, tmp_path)
    bundle = tmp_path / "evidence.zip"
    code, out, _ = run(["evidence", "pack", str(report_dir), "-o", str(bundle)], capsys)
    assert code == 0 and "sha256" in out and bundle.is_file()
    code, out, _ = run(["evidence", "verify", str(bundle)], capsys)
    assert code == 0 and "OK" in out
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(
                info, data.replace(b"eu-west-1", b"eu-west-2") if info.filename == "report.csv" else data
            )
    code, out, _ = run(["evidence", "verify", str(tampered)], capsys)
    assert code == 1
    assert "TAMPERED" in out and "  report.csv" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["evidence", "verify", "{tmp}/absent.zip"],
        ["evidence", "verify", "{tmp}/not-a-zip.txt"],
        ["evidence", "pack", "{tmp}/absent-dir", "-o", "{tmp}/x.zip"],
        ["diff", "{tmp}/absent.json", "{tmp}/absent.json"],
        ["diff", "{tmp}/not-a-zip.txt", "{tmp}/not-a-zip.txt"],
    ],
)
def test_bad_input_exits_2_with_one_line(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "not-a-zip.txt").write_text("hello")
    code, _, err = run([a.replace("{tmp}", str(tmp_path)) for a in argv], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


def test_diff_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = base_result([finding("ALARM", Verdict.FAIL, "ep-1"), finding("DQ", Verdict.PASS, "\x1b[2Jep-2")])
    new = base_result([finding("ALARM", Verdict.PASS, "ep-1"), finding("DQ", Verdict.FAIL, "\x1b[2Jep-2")])
    (tmp_path / "old.json").write_bytes(json_report.render(old))
    (tmp_path / "new.json").write_bytes(json_report.render(new))
    code, out, _ = run(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")], capsys)
    assert code == 0
    assert "Compliance: 50.0% -> 50.0% (+0.0 points)" in out
    assert "New: 0  Regressed: 1  Still failing: 0  Resolved: 1" in out
    assert "\x1b" not in out  # a hostile name cannot drive the terminal
    code, out, _ = run(
        ["diff", "--format", "json", str(tmp_path / "old.json"), str(tmp_path / "new.json")], capsys
    )
    data = json.loads(out)
    assert [f["policy_id"] for f in data["resolved"]] == ["ALARM"]
    assert [f["policy_id"] for f in data["regressed"]] == ["DQ"]


def test_diff_reads_evidence_bundles(
    rich_result: EvaluationResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report_dir = _report_dir(rich_result, tmp_path)
    bundle = tmp_path / "evidence.zip"
    run(["evidence", "pack", str(report_dir), "-o", str(bundle)], capsys)
    code, out, _ = run(["diff", str(bundle), str(report_dir / "report.json")], capsys)
    assert code == 0 and "New: 0  Regressed: 0" in out
    assert HOSTILE_NAME in out  # plain text output; escaping is the terminal-control kind only


def _tampered_bundle(rich_result: EvaluationResult, tmp_path: Path) -> Path:
    report_dir = _report_dir(rich_result, tmp_path)
    bundle = tmp_path / "evidence.zip"
    pack_bundle(report_dir, bundle)
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data + b"\n" if info.filename == "report.md" else data)
    return tampered


def test_diff_refuses_a_tampered_bundle_naming_the_changed_file(
    rich_result: EvaluationResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tampered = _tampered_bundle(rich_result, tmp_path)
    code, _, err = run(["diff", str(tampered), str(tmp_path / "reports/run1/report.json")], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert "fails verification" in err and "changed: report.md" in err


def test_diff_warns_when_the_runs_scanned_different_targets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    org = base_result(
        [finding("DQ", Verdict.FAIL, "a"), finding("DQ", Verdict.FAIL, "b", account=OTHER_ACCOUNT)],
        targets=[Target(ACCOUNT, REGION), Target(OTHER_ACCOUNT, REGION)],
    )
    one = base_result([finding("DQ", Verdict.FAIL, "a")], targets=[Target(ACCOUNT, REGION)])
    (tmp_path / "org.json").write_bytes(json_report.render(org))
    (tmp_path / "one.json").write_bytes(json_report.render(one))
    code, out, _ = run(["diff", str(tmp_path / "org.json"), str(tmp_path / "one.json")], capsys)
    assert code == 0
    assert "Warning: the runs scanned different targets; only those both scanned are compared:" in out
    only_before = "scanned only before: 1 target(s), 1 failing finding(s) not compared: "
    only_before += f"{OTHER_ACCOUNT}/{REGION}"
    assert only_before in out
    assert "New: 0  Regressed: 0  Still failing: 1  Resolved: 0" in out
    code, out, _ = run(
        ["diff", "--format", "json", str(tmp_path / "org.json"), str(tmp_path / "one.json")], capsys
    )
    data = json.loads(out)
    assert data["targets_only_before"] == [{"account_id": OTHER_ACCOUNT, "region": REGION}]
    assert data["not_compared_before"] == 1 and data["resolved"] == []
