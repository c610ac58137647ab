"""`auditor demo` end to end: local AWS, sample organization, real scan over HTTP, every report, gate code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.report import FORMATS

README = Path(__file__).resolve().parents[2] / "README.md"


def _without_port(text: str) -> list[str]:
    return [
        re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", line).rstrip() for line in text.strip().splitlines()
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
    assert report["scan_errors"] == []
    statuses = sorted(w["status"] for w in report["waivers"])
    assert statuses == ["active", "expired", "unused"]
    verdicts = {f["verdict"] for f in report["findings"]}
    assert {"PASS", "FAIL", "WAIVED", "NOT_APPLICABLE"} <= verdicts
    assert not list(out.rglob("*.tmp"))
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
