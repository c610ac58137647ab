"""The console summary says why: worst policies first, the errors behind exit 3, waivers, what was judged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.cli.run_cmds import summary_lines
from auditor.inventory.model import Inventory, ScanError, ScanMetadata, Target
from auditor.pipeline import RunOutcome
from auditor.report.gate import ExitCode, exit_code
from auditor.results import (
    EvaluationResult,
    Finding,
    PolicyInfo,
    ResourceKind,
    Severity,
    Verdict,
    WaiverInfo,
    WaiverRef,
    WaiverStatus,
)

ACCOUNT, REGION = "111122223333", "eu-west-1"


def _finding(
    pid: str, verdict: Verdict, name: str, severity: Severity = Severity.HIGH, **kw: object
) -> Finding:
    return Finding(
        policy_id=pid,
        severity=severity,
        verdict=verdict,
        resource_kind=ResourceKind.ENDPOINT,
        resource_arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/{name}",
        resource_name=name,
        account_id=ACCOUNT,
        region=REGION,
        message=str(kw.pop("message", f"{pid} on {name}")),
        **kw,  # type: ignore[arg-type]
    )


def _policy(pid: str, severity: Severity) -> PolicyInfo:
    return PolicyInfo(pid, f"Title of {pid}", "", severity, ResourceKind.ENDPOINT, "Do it.", "builtin")


def _lines(
    findings: list[Finding],
    *,
    errors: list[ScanError] | None = None,
    waivers: list[WaiverInfo] | None = None,
    fail_on: Severity = Severity.HIGH,
    saved_from: Path | None = None,
) -> list[str]:
    metadata = ScanMetadata("0.1.0", "2026-11-27T17:55:00Z", "2026-11-27T17:59:00Z", api_calls={"x": 178})
    result = EvaluationResult(
        generated_at="2026-11-27T18:00:00Z",
        tool_version="0.1.0",
        policy_set_digest="sha256:a",
        inventory_digest="sha256:b",
        scan=metadata,
        scan_errors=errors or [],
        policies=[
            _policy("P-CRIT", Severity.CRITICAL),
            _policy("P-HIGH", Severity.HIGH),
            _policy("P-LOW", Severity.LOW),
        ],
        findings=findings,
        waivers=waivers or [],
    )
    inventory = Inventory(metadata=metadata, targets=[Target(ACCOUNT, REGION)], errors=errors or [])
    code = exit_code(result, fail_on=fail_on)
    outcome = RunOutcome(result=result, output_dir=Path("out"), files=[], exit_code=code)
    return summary_lines(outcome, inventory, fail_on=fail_on, saved_from=saved_from)


def test_top_failing_policies_are_ranked_by_severity_before_count() -> None:
    findings = [_finding("P-LOW", Verdict.FAIL, f"l{i}", Severity.LOW) for i in range(6)]
    findings += [_finding("P-HIGH", Verdict.FAIL, f"h{i}") for i in range(5)]
    findings += [_finding("P-CRIT", Verdict.FAIL, "c", Severity.CRITICAL)]
    lines = _lines(findings)
    start = lines.index("Top failing policies (most severe first):")
    assert [line.split()[:3] for line in lines[start + 1 : start + 4]] == [
        ["critical", "1", "P-CRIT"],
        ["high", "5", "P-HIGH"],
        ["low", "6", "P-LOW"],
    ]


def _error(i: int) -> ScanError:
    return ScanError(
        ACCOUNT, REGION if i else None, "sagemaker", f"Op{i}", "AccessDenied", f"denied {i}\nsecond line"
    )


def test_exit_3_prints_the_scan_errors_behind_it() -> None:
    lines = _lines([_finding("P-HIGH", Verdict.PASS, "a")], errors=[_error(i) for i in range(7)])
    text = "\n".join(lines)
    assert lines[-1].startswith("Exit code 3: incomplete: 7 scan error(s)")
    assert "see ERROR verdicts" not in text
    assert "Scan errors (7):" in lines
    assert f"  {ACCOUNT} -  sagemaker:Op0  AccessDenied: denied 0 second line" in lines
    assert f"  {ACCOUNT} {REGION}  sagemaker:Op4  AccessDenied: denied 4 second line" in lines
    assert "Op5" not in text and "  ... and 2 more (see report.html, report.json)" in lines


def test_exit_3_without_scan_errors_names_the_checks_that_could_not_be_decided() -> None:
    findings = [
        _finding("P-HIGH", Verdict.ERROR, "fraud", message="the monitors could not be read (AccessDenied)"),
        _finding("P-LOW", Verdict.ERROR, "below-the-gate", Severity.LOW),
    ]
    lines = _lines(findings)
    assert lines[-1].startswith("Exit code 3: incomplete: 1 check(s) could not be decided, listed above")
    assert "Could not check (1 at or above --fail-on high):" in lines
    assert (
        f"  [high] P-HIGH  fraud ({ACCOUNT}/{REGION}): the monitors could not be read (AccessDenied)" in lines
    )
    assert "below-the-gate" not in "\n".join(lines)


def test_waivers_are_counted_and_each_expired_one_that_failed_again_is_named() -> None:
    expired = WaiverRef("W-2", "PII review", "risk@example.com", "2026-11-20", expired=True)
    findings = [
        _finding("P-HIGH", Verdict.WAIVED, "a", waiver=WaiverRef("W-1", "r", "o", "2027-01-01")),
        _finding("P-HIGH", Verdict.WAIVED, "b", waiver=WaiverRef("W-1", "r", "o", "2027-01-01")),
        _finding("P-HIGH", Verdict.FAIL, "c", waiver=expired),
    ]
    waivers = [
        WaiverInfo("W-1", "P-HIGH", "name=a", "r", "o", "2027-01-01", WaiverStatus.ACTIVE, 2),
        WaiverInfo(
            "W-2", "P-HIGH", "name=c", "PII review", "risk@example.com", "2026-11-20", WaiverStatus.EXPIRED, 1
        ),
        WaiverInfo("W-3", "P-LOW", "name=z", "r", "o", "2027-01-01", WaiverStatus.UNUSED),
        WaiverInfo(
            "W-4", "P-LOW", "name=y", "r", "o", "2025-01-01", WaiverStatus.EXPIRED
        ),  # nothing failed again
    ]
    lines = _lines(findings, waivers=waivers)
    assert "Waivers: 1 active (2 finding(s) waived), 2 expired, 1 unused" in lines
    assert (
        "  W-2 expired 2026-11-20 (P-HIGH, owner risk@example.com): 1 finding(s) it covered FAIL again"
        in lines
    )
    assert "W-4" not in "\n".join(lines)
    assert not any(line.startswith("Waivers") for line in _lines(findings[2:3]))


def test_evaluate_says_it_judged_a_saved_inventory_and_made_no_calls() -> None:
    lines = _lines([_finding("P-HIGH", Verdict.PASS, "a")], saved_from=Path("reports/x/inventory.json"))
    assert lines[0].startswith(
        "Judged the saved inventory reports/x/inventory.json (no AWS calls): 1 account(s)"
    )
    assert lines[1] == (
        "  from the scan finished 2026-11-27T17:59:00Z, which made 178 API calls and recorded 0 scan errors"
    )
    assert not any(line.startswith("Scanned") for line in lines)
    assert _lines([_finding("P-HIGH", Verdict.PASS, "a")])[0].startswith("Scanned 1 account(s)")


def test_hostile_values_cannot_drive_the_terminal() -> None:
    error = ScanError(ACCOUNT, REGION, "sagemaker", "Op", "Denied\x1b]0;pwned\x07", "msg \u202eevil")
    lines = _lines([_finding("P-HIGH", Verdict.FAIL, "ep\x1b[2J")], errors=[error])
    text = "\n".join(lines)
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "Denied\\x1b]0;pwned\\x07: msg \\u202eevil" in text


@pytest.mark.e2e
def test_a_bad_ou_prints_the_real_error_on_the_console(tmp_path: Path) -> None:
    from auditor.emulator import LocalAws

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUDITOR_"))}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    with LocalAws.start() as aws:
        aws.session().client("organizations", endpoint_url=aws.endpoint_url).create_organization(
            FeatureSet="ALL"
        )
        proc = subprocess.run(
            [sys.executable, "-m", "auditor", "scan", "--endpoint-url", aws.endpoint_url, "--org", "--ou",
             "ou-abcd-12345678", "--regions", "us-east-1", "--output-dir", str(tmp_path / "out")],
            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False,
        )  # fmt: skip
    assert proc.returncode == ExitCode.INCOMPLETE, (proc.stdout, proc.stderr)
    assert "organizations:ListAccountsForParent  ParentNotFoundException" in proc.stdout
    assert "see ERROR verdicts" not in proc.stdout
    assert "Exit code 3: incomplete: 1 scan error(s), listed above" in proc.stdout
