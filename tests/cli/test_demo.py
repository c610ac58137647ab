"""`auditor demo` end to end: local AWS, sample organization, real scan over HTTP, every report, gate code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.report import FORMATS, asff_report, ocsf_report

README = Path(__file__).resolve().parents[2] / "README.md"


def _without_port(text: str) -> list[str]:
    """The lines without what changes from run to run: the port, and the demo waivers' dates."""
    return [
        re.sub(r"\d{4}-\d{2}-\d{2}", "DATE", re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", line)).rstrip()
        for line in text.strip().splitlines()
    ]


@pytest.mark.e2e
def test_demo_runs_the_whole_job_and_prints_what_the_readme_quotes(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "demo"], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    # The sample estate has deliberate high-severity failures: a real gate exits 1.
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    out = tmp_path / "reports" / "demo"
    for reporter in FORMATS.values():
        assert (out / reporter.filename).stat().st_size > 0, reporter.filename
    assert (out / "inventory.json").is_file() and (out / "run.json").is_file()
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    # Scanned through AssumeRole into every member account of the organization, in both regions.
    assert len({t["account_id"] for t in report["targets"]}) == 4
    assert {t["region"] for t in report["targets"]} == {"us-east-1", "eu-west-1"}
    # The one scan error is seeded: capture written to a bucket of another member account, which the
    # scanner's listing (ExpectedBucketOwner = the endpoint's account) is refused; its check is ERROR
    # naming the bucket, and the exit code stays 1 because failures win.
    (error,) = report["scan_errors"]
    assert (error["operation"], error["error_code"]) == ("ListObjectsV2", "AccessDenied")
    assert "ml-central-capture-" in error["message"]
    capture = [f for f in report["findings"] if f["policy_id"] == "mm-capture-arrives"]
    (unread,) = [f for f in capture if f["verdict"] == "ERROR"]
    assert unread["resource_name"] == "capture-central-bucket" and "ml-central-capture-" in unread["message"]
    statuses = sorted(w["status"] for w in report["waivers"])
    assert statuses == ["active", "expired", "unused"]
    verdicts = {f["verdict"] for f in report["findings"]}
    assert {"PASS", "FAIL", "WAIVED", "NOT_APPLICABLE"} <= verdicts
    assert not list(out.rglob("*.tmp"))
    # The Security Hub and OCSF files are valid as written (botocore's model; py-ocsf-models).
    asff = json.loads((out / "report.asff.json").read_text(encoding="utf-8"))
    assert asff_report.validation_errors(asff) == []
    assert len(asff["Findings"]) == sum(1 for f in report["findings"] if f["verdict"] != "PASS")
    events = json.loads((out / "report.ocsf.json").read_text(encoding="utf-8"))
    assert len(events) == len(report["findings"])
    for event in events:
        ocsf_report.event_class().model_validate(event)
    assert {f["framework_id"] for f in report["frameworks"]} == {
        "eu-ai-act",
        "iso-iec-42001",
        "nist-ai-rmf",
        "sr-11-7",
    }
    # A seeded past (three earlier runs, dated in the past) so the trend section is not empty.
    history = report["history"]
    assert history["runs_before"] == 3 and len(history["trend"]) == 4
    assert [p["run_id"] for p in history["trend"]] == [1, 2, 3, None]
    assert {f["status"] for f in history["findings"]} >= {"new", "still_failing"}
    assert max(f["age_days"] for f in history["findings"]) == 21
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<section id="history">' in html and html.count("<svg") == 3
    assert (out / "history.sqlite").is_file()

    block = README.read_text(encoding="utf-8").split("<!-- DEMO-RUN -->", 1)[1].split("<!-- /DEMO-RUN -->")[0]
    quoted = block.split("$ auditor demo\n", 1)[1].rsplit("```", 1)[0]
    assert _without_port(proc.stdout) == _without_port(quoted)


def test_demo_with_an_unknown_format_exits_2_before_starting(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "demo", "--format", "json,pdf"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "unknown format 'pdf'" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "reports").exists()
