"""`auditor evidence pack|verify` and `auditor diff`, run through click as the `auditor` group wires them."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from auditor.cli.report_cmd import diff, evidence
from auditor.report import json_report
from auditor.results import EvaluationResult, Verdict

from .conftest import HOSTILE_NAME, base_result, finding
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
