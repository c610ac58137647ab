"""An unknown value in a saved inventory never passes: the repro of issue 12 item 1, through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.inventory import store
from auditor.policy.cases import build_inventory
from auditor.policy.yamlsrc import SourceMap

_COMPLIANT_MONITOR = {
    "endpoints": [{"name": "ep"}],
    "job_definitions": [
        {
            "name": "dq-jd",
            "monitor_type": "DataQuality",
            "baseline_constraints_uri": "s3://b/c.json",
            "baseline_statistics_uri": "s3://b/s.json",
            "publish_cloudwatch_metrics": "Enabled",
        }
    ],
    "monitors": [
        {
            "name": "dq",
            "monitor_type": "DataQuality",
            "endpoint_name": "ep",
            "job_definition_name": "dq-jd",
            "last_execution": {"status": "Completed", "scheduled_time": "2026-11-27T11:00:00Z"},
        }
    ],
}


def _evaluate(tmp_path: Path, status: str | None) -> tuple[subprocess.CompletedProcess[str], list[dict]]:
    saved = tmp_path / "inventory.json"
    store.save(build_inventory(_COMPLIANT_MONITOR, SourceMap("<test>")), saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["monitors"][0]["last_execution"]["status"] = status  # the hand edit of the issue
    saved.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "evaluate", str(saved), "--output-dir", str(out), "--format=json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads((out / "report.json").read_text(encoding="utf-8")) if out.is_dir() else {}
    findings = [f for f in report.get("findings", []) if f["policy_id"] == "mm-last-execution"]
    return proc, findings


def test_completed_passes(tmp_path: Path) -> None:
    proc, findings = _evaluate(tmp_path, "Completed")
    assert [f["verdict"] for f in findings] == ["PASS"], proc.stderr


@pytest.mark.parametrize("status", ["Unknown", "CompletedWithWarnings", None])
def test_an_unknown_or_missing_last_execution_status_is_not_pass_and_not_exit_0(
    tmp_path: Path, status: str | None
) -> None:
    proc, findings = _evaluate(tmp_path, status)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)  # a high-severity FAIL: the gate fails
    (finding,) = findings
    assert finding["verdict"] == "FAIL" and finding["severity"] == "high"
    assert f"found {status or 'none'}" in finding["message"]
