"""`auditor evaluate` on a saved inventory: the config file is recorded with the run; files are readable."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from auditor.inventory import store
from auditor.inventory.model import Dataset, DatasetStatus, Endpoint, Inventory, ScanMetadata, Target


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


def test_config_parameters_are_recorded_and_applied(tmp_path: Path) -> None:
    store.save(_inventory(), tmp_path / "inventory.json")
    config = tmp_path / "auditor.yaml"
    config.write_text("parameters:\n  mm-data-capture:\n    min_sampling_percent: 55\nformats: [json]\n")
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "evaluate",
            "inventory.json",
            "--config",
            str(config),
            "--output-dir",
            "out",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr  # the endpoint has no capture and no monitors
    run = json.loads((out / "run.json").read_text())
    (entry,) = run["inputs"]["config"]
    assert (out / entry["path"]).read_bytes() == config.read_bytes()
    report = json.loads((out / "report.json").read_text())
    (capture,) = [f for f in report["findings"] if f["policy_id"] == "mm-data-capture"]
    assert "55" in capture["message"]  # the override reached the policy
    assert not (out / "report.html").exists()  # formats came from the config file


def test_reports_get_the_usual_file_mode(tmp_path: Path) -> None:
    store.save(_inventory(), tmp_path / "inventory.json")
    old = os.umask(0o022)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "auditor", "evaluate", "inventory.json", "--output-dir", "out", "-q"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        os.umask(old)
    assert proc.returncode == 1, proc.stderr
    for name in ("report.json", "report.html", "inventory.json", "run.json"):
        assert stat.S_IMODE((tmp_path / "out" / name).stat().st_mode) == 0o644, name


def test_report_digest_is_the_sha256_of_the_saved_inventory(tmp_path: Path) -> None:
    store.save(_inventory(), tmp_path / "inventory.json")
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "evaluate", "inventory.json", "--output-dir", "out", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    saved = (tmp_path / "out" / "inventory.json").read_bytes()
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["inventory_digest"] == hashlib.sha256(saved).hexdigest()


def _auditor(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_baseline_bundle_is_verified_and_a_tampered_one_is_refused(tmp_path: Path) -> None:
    store.save(_inventory(), tmp_path / "inventory.json")
    first = _auditor("evaluate", "inventory.json", "--output-dir", "first", "-q", cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    assert _auditor("evidence", "pack", "first", "-o", "first.zip", cwd=tmp_path).returncode == 0
    good = _auditor(
        "evaluate", "inventory.json", "--baseline", "first.zip", "--output-dir", "second", "-q", cwd=tmp_path
    )
    assert good.returncode == 1, good.stderr
    assert json.loads((tmp_path / "second" / "report.json").read_text())["baseline"] is not None
    with zipfile.ZipFile(tmp_path / "first.zip") as src, zipfile.ZipFile(tmp_path / "bad.zip", "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "report.json":  # a finding quietly turned into a PASS
                data = data.replace(b'"verdict": "FAIL"', b'"verdict": "PASS"', 1)
            dst.writestr(info, data)
    bad = _auditor(
        "evaluate", "inventory.json", "--baseline", "bad.zip", "--output-dir", "third", "-q", cwd=tmp_path
    )
    assert bad.returncode == 2, (bad.stdout, bad.stderr)
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    assert "bad.zip" in bad.stderr and "fails verification" in bad.stderr
    assert "changed: report.json" in bad.stderr
    assert not (tmp_path / "third").exists()


def _waiver(policy: str, expires: str) -> str:
    return (
        f"waivers:\n  - id: W-1\n    policy: {policy}\n"
        "    resources: {arn: 'arn:aws:sagemaker:*:*:endpoint/churn'}\n"
        f"    reason: migrating\n    owner: ml@example.com\n    expires: {expires}\n"
    )


def test_out_of_range_parameter_in_the_config_is_exit_2_naming_file_field_and_range(tmp_path: Path) -> None:
    store.save(_inventory(), tmp_path / "inventory.json")
    config = tmp_path / "auditor.yaml"
    config.write_text("parameters:\n  mm-data-capture:\n    min_sampling_percent: 200\n")
    proc = _auditor(
        "evaluate", "inventory.json", "--config", "auditor.yaml", "--output-dir", "out", cwd=tmp_path
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == (
        "auditor: error: auditor.yaml: parameters.mm-data-capture.min_sampling_percent: "
        "200 is above the maximum 100 (allowed: 0 to 100)\n"
    )
    assert not (tmp_path / "out").exists()


def test_waiver_mistakes_are_exit_2_and_a_disabled_policy_is_a_warning(tmp_path: Path) -> None:
    store.save(_inventory(), tmp_path / "inventory.json")
    soon = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    (tmp_path / "typo.yaml").write_text(_waiver("mm-data-captur", soon))
    proc = _auditor(
        "evaluate", "inventory.json", "--waivers", "typo.yaml", "--output-dir", "out", cwd=tmp_path
    )
    assert proc.returncode == 2
    assert proc.stderr == (
        "auditor: error: typo.yaml:3: waivers[0].policy: unknown policy 'mm-data-captur' "
        "(did you mean 'mm-data-capture'?)\n"
    )
    (tmp_path / "forever.yaml").write_text(_waiver("mm-data-capture", "9999-12-31"))
    proc = _auditor(
        "evaluate", "inventory.json", "--waivers", "forever.yaml", "--output-dir", "out", cwd=tmp_path
    )
    assert proc.returncode == 2 and "9999-12-31 is more than 365 days away" in proc.stderr
    in_two_years = (datetime.now(UTC).date() + timedelta(days=700)).isoformat()
    (tmp_path / "forever.yaml").write_text(_waiver("mm-data-capture", in_two_years))
    (tmp_path / "auditor.yaml").write_text("waiver_max_days: 800\n")
    proc = _auditor(
        "evaluate",
        "inventory.json",
        "--waivers",
        "forever.yaml",
        "--config",
        "auditor.yaml",
        "-q",
        "--output-dir",
        "out",
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr  # accepted under a longer horizon
    (tmp_path / "disabled.yaml").write_text(_waiver("mm-data-capture", soon))
    proc = _auditor(
        "evaluate",
        "inventory.json",
        "--waivers",
        "disabled.yaml",
        "--disable",
        "mm-data-capture",
        "--output-dir",
        "out",
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == (
        "auditor: warning: disabled.yaml: waiver W-1: policy 'mm-data-capture' is not enabled in this run; "
        "the waiver has nothing to waive\n"
    )
