"""The sharded GitHub Actions example (examples/github-actions-sharded-scan.yml), its `run:` blocks
executed as written against the local AWS: every matrix job scans its shard, the merge job joins them
and judges the organization; with one shard's artifact missing the merge job fails (exit 2)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.emulator import LocalAws, build_estate

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "examples" / "github-actions-sharded-scan.yml"

pytestmark = pytest.mark.e2e


def _workflow() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _auditor_steps(job: dict[str, Any]) -> list[str]:
    return [
        str(s["run"]) for s in job["steps"] if "auditor " in str(s.get("run", "")) and "pip" not in s["run"]
    ]


def test_the_matrix_lists_every_shard_once() -> None:
    data = _workflow()
    shards = int(data["env"]["SHARDS"])
    assert data["jobs"]["scan"]["strategy"]["matrix"]["shard"] == list(range(1, shards + 1))
    assert data["jobs"]["scan"]["strategy"]["fail-fast"] is False
    assert data["jobs"]["merge"]["needs"] == "scan"


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_workflow_commands_scan_merge_and_judge(tmp_path: Path) -> None:
    data = _workflow()
    shards = int(data["env"]["SHARDS"])
    (scan_step,) = _auditor_steps(data["jobs"]["scan"])
    (merge_step,) = _auditor_steps(data["jobs"]["merge"])
    with LocalAws.start() as aws:
        aws.reset()
        estate = build_estate(aws)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "AUDITOR_CONFIG"} | {
            "AWS_ENDPOINT_URL": aws.endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "SHARDS": str(shards),
            "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        }
        for shard in range(1, shards + 1):
            script = scan_step.replace("${{ matrix.shard }}", str(shard))
            # The local AWS offers SageMaker in every region; scanning the estate's keeps the test short.
            script = script.replace("--regions all", "--regions " + ",".join(estate.regions))
            proc = _bash(script, tmp_path, env)
            assert proc.returncode == 0, f"{script}\n{proc.stdout}\n{proc.stderr}"
            # actions/download-artifact with a pattern: one folder per artifact.
            artifact = tmp_path / "shards" / f"inventory-shard-{shard}"
            artifact.mkdir(parents=True)
            shutil.copy(tmp_path / f"shard-{shard}" / "inventory.json", artifact / "inventory.json")

    merged = _bash(merge_step, tmp_path, env)
    assert merged.returncode == 1, merged.stderr  # the sample estate has high-severity failures
    assert "Traceback" not in merged.stderr
    report = json.loads((tmp_path / "org-report" / "report.json").read_text(encoding="utf-8"))
    everyone = {estate.management_account_id, *estate.member_account_ids}
    assert {t["account_id"] for t in report["targets"]} == everyone
    assert (tmp_path / "org-report" / "junit.xml").is_file()

    # One shard job failed: its artifact is missing, so the merge job fails instead of judging less.
    shutil.rmtree(tmp_path / "shards" / "inventory-shard-2")
    shutil.rmtree(tmp_path / "org-report")
    refused = _bash(merge_step, tmp_path, env)
    assert refused.returncode == 2
    assert f"shard 2/{shards} missing" in refused.stderr
    assert not (tmp_path / "org-report").exists()
