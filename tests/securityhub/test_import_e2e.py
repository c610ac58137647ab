"""`auditor securityhub import` end to end: real boto3 over HTTP against the local AWS (Security Hub,
STS AssumeRole), faults injected by the local AWS, results read back with GetFindings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from auditor.cli import cli
from auditor.emulator import LocalAws, build_estate
from auditor.pipeline import OutputOptions, finish, load_judge_inputs
from auditor.scan.options import ScanOptions
from auditor.scan.orchestrator import scan
from auditor.securityhub.importer import ImportOptions, import_findings, targets

from .conftest import CALLER, MEMBER_A, MEMBER_B, asff_findings, enable_hub, stored_findings

pytestmark = pytest.mark.e2e

ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_PROFILE": None,
    "AWS_SESSION_TOKEN": None,
    "AWS_ENDPOINT_URL": None,
}


def _write(tmp_path: Path, findings: list[dict[str, Any]]) -> Path:
    path = tmp_path / "report.asff.json"
    path.write_text(json.dumps({"Findings": findings}))
    return path


def _import(aws: LocalAws, report: Path, *extra: str) -> Result:
    args = ["securityhub", "import", str(report), "--endpoint-url", aws.endpoint_url, *extra]
    return CliRunner().invoke(cli, args, env=ENV)  # type: ignore[arg-type]


def test_demo_estate_findings_import_and_read_back_then_reimport_updates(
    aws: LocalAws, tmp_path: Path
) -> None:
    estate = build_estate(aws)
    options = ScanOptions(
        org=True, role_name=estate.role_name, regions=estate.regions, endpoint_url=aws.endpoint_url
    )
    outcome = finish(
        scan(options),
        load_judge_inputs(),
        OutputOptions(formats=("json", "asff"), output_dir=tmp_path / "run", asff_include_passed=True),
        started_at="2026-11-27T18:00:00Z",
    )
    report = tmp_path / "run" / "report.asff.json"
    findings = json.loads(report.read_text())["Findings"]
    assert len(findings) == len(outcome.result.findings)  # every verdict, passes asked for
    pairs = {(f["AwsAccountId"], f["Region"]) for f in findings}
    assert (
        len({a for a, _ in pairs}) >= 3
        and max(sum(1 for f in findings if (f["AwsAccountId"], f["Region"]) == p) for p in pairs) > 100
    )  # several accounts, and at least one pair needs more than one batch
    enable_hub(aws, pairs)
    aws.faults.reset_calls()

    first = _import(aws, report)
    assert first.exit_code == 0, first.output
    assert f"Imported {len(findings)} of {len(findings)} finding(s); 0 failed" in first.output
    calls = aws.faults.calls()
    assert set(calls) <= {"sts:GetCallerIdentity", "sts:AssumeRole", "securityhub:BatchImportFindings"}

    def read_back() -> dict[str, dict[str, Any]]:
        return {f["Id"]: f for account, region in pairs for f in stored_findings(aws, account, region)}

    stored = read_back()
    assert set(stored) == {f["Id"] for f in findings}
    for f in findings:
        got = stored[f["Id"]]
        assert got["Severity"]["Label"] == f["Severity"]["Label"]
        assert got["Compliance"]["Status"] == f["Compliance"]["Status"]
        assert got["AwsAccountId"] == f["AwsAccountId"]

    # A second run of the same report updates the same findings: nothing is duplicated.
    again = _import(aws, report)
    assert again.exit_code == 0, again.output
    assert len(read_back()) == len(findings)


def test_reimport_updates_provider_fields_and_keeps_the_customers_workflow(
    aws: LocalAws, tmp_path: Path
) -> None:
    findings = asff_findings({(MEMBER_A, "us-east-1"): 3})
    enable_hub(aws, {(MEMBER_A, "us-east-1")})
    assert _import(aws, _write(tmp_path, findings)).exit_code == 0
    changed = [dict(f, Description="now fixed?", Workflow={"Status": "RESOLVED"}) for f in findings]
    assert _import(aws, _write(tmp_path, changed)).exit_code == 0
    stored = stored_findings(aws, MEMBER_A, "us-east-1")
    assert len(stored) == 3
    assert {f["Description"] for f in stored} == {"now fixed?"}
    assert {f["Workflow"]["Status"] for f in stored} == {"NEW"}  # BatchImportFindings cannot change it


def test_throttling_is_retried_and_loses_nothing(aws: LocalAws, tmp_path: Path) -> None:
    findings = asff_findings({(MEMBER_A, "us-east-1"): 150})
    enable_hub(aws, {(MEMBER_A, "us-east-1")})
    aws.faults.add_rule(error="ThrottlingException", operation="securityhub:BatchImportFindings", count=3)
    grouped = targets(findings, "test")
    report = import_findings(
        grouped,
        ImportOptions(endpoint_url=aws.endpoint_url, max_attempts=2, backoff_seconds=0),
        sleep=lambda s: None,
    )
    assert report.failed == []
    assert len(report.imported) == 150
    assert report.retried_calls >= 1  # botocore gave up once; the importer tried the batch again
    assert len(stored_findings(aws, MEMBER_A, "us-east-1")) == 150


def test_persistent_throttling_is_reported_per_finding_and_exits_3(
    aws: LocalAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    findings = asff_findings({(MEMBER_A, "us-east-1"): 120, (MEMBER_B, "eu-west-1"): 5})
    enable_hub(aws, {(MEMBER_A, "us-east-1"), (MEMBER_B, "eu-west-1")})
    aws.faults.add_rule(
        error="ThrottlingException", operation="securityhub:BatchImportFindings", account_id=MEMBER_A
    )
    monkeypatch.setattr("auditor.securityhub.importer.time.sleep", lambda s: None)
    result = _import(aws, _write(tmp_path, findings), "--max-attempts", "1")
    assert result.exit_code == 3, result.output
    assert "Imported 5 of 125 finding(s); 120 failed" in result.output
    listed = [line for line in result.output.splitlines() if "ThrottlingException" in line]
    assert len(listed) == 120  # every finding that did not make it is named
    assert {f["Id"] for f in findings if f["AwsAccountId"] == MEMBER_A} == {
        line.split()[0] for line in listed
    }


def test_one_rejected_batch_is_reported_and_a_rerun_completes_without_duplicates(
    aws: LocalAws, tmp_path: Path
) -> None:
    findings = asff_findings({(MEMBER_A, "us-east-1"): 230})
    enable_hub(aws, {(MEMBER_A, "us-east-1")})
    aws.faults.add_rule(error="AccessDeniedException", operation="securityhub:BatchImportFindings", count=1)
    report = _write(tmp_path, findings)
    first = _import(aws, report)
    assert first.exit_code == 3, first.output
    assert "Imported 130 of 230 finding(s); 100 failed" in first.output
    assert first.output.count("AccessDeniedException") == 100
    assert len(stored_findings(aws, MEMBER_A, "us-east-1")) == 130
    second = _import(aws, report)
    assert second.exit_code == 0, second.output
    assert len(stored_findings(aws, MEMBER_A, "us-east-1")) == 230


def test_access_denied_in_one_account_fails_only_its_findings(aws: LocalAws, tmp_path: Path) -> None:
    findings = asff_findings(
        {(MEMBER_A, "us-east-1"): 4, (MEMBER_B, "us-east-1"): 6, (CALLER, "us-east-1"): 2}
    )
    enable_hub(aws, {(MEMBER_A, "us-east-1"), (MEMBER_B, "us-east-1"), (CALLER, "us-east-1")})
    aws.faults.add_rule(
        error="AccessDeniedException", operation="securityhub:BatchImportFindings", account_id=MEMBER_B
    )
    result = _import(aws, _write(tmp_path, findings))
    assert result.exit_code == 3
    assert f"{MEMBER_B}/us-east-1 (import role): 0 imported, 6 failed" in result.output
    assert f"{MEMBER_A}/us-east-1 (import role): 4 imported, 0 failed" in result.output
    assert f"{CALLER}/us-east-1 (caller): 2 imported, 0 failed" in result.output
    assert len(stored_findings(aws, CALLER, "us-east-1")) == 2


def test_failed_findings_items_are_retried_when_transient_and_reported_otherwise(
    aws: LocalAws, tmp_path: Path
) -> None:
    findings = asff_findings({(MEMBER_A, "us-east-1"): 10})
    enable_hub(aws, {(MEMBER_A, "us-east-1")})
    ids = [f["Id"] for f in findings]
    aws.finding_faults.fail(ids[:3], code="InternalException", times=1)
    aws.finding_faults.fail(ids[3:4], code="InvalidInput", times=5)
    report = import_findings(
        targets(findings, "test"),
        ImportOptions(endpoint_url=aws.endpoint_url, backoff_seconds=0),
        sleep=lambda s: None,
    )
    assert [(r.finding_id, r.error_code) for r in report.failed] == [(ids[3], "InvalidInput")]
    retried = {r.finding_id: r.attempts for r in report.imported if r.attempts > 1}
    assert set(retried) == set(ids[:3])
    assert len(stored_findings(aws, MEMBER_A, "us-east-1")) == 9


def test_account_without_security_hub_is_reported(aws: LocalAws, tmp_path: Path) -> None:
    findings = asff_findings({(MEMBER_A, "us-east-1"): 2, (MEMBER_A, "eu-west-1"): 2})
    enable_hub(aws, {(MEMBER_A, "us-east-1")})
    result = _import(aws, _write(tmp_path, findings))
    assert result.exit_code == 3
    assert result.output.count("InvalidAccessException") == 2
    assert "Imported 2 of 4" in result.output


def test_the_account_rule_is_enforced_by_the_local_aws(aws: LocalAws) -> None:
    """Why the importer enters each account: the caller cannot import another account's findings."""
    (finding,) = asff_findings({(MEMBER_A, "us-east-1"): 1})
    enable_hub(aws, {(CALLER, "us-east-1")})
    client = aws.session(None, "us-east-1").client("securityhub", endpoint_url=aws.endpoint_url)
    response = client.batch_import_findings(Findings=[finding])
    assert response["SuccessCount"] == 0
    assert response["FailedFindings"][0]["ErrorCode"] == "AccessDeniedException"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"Findings": [{"Id": "x"}]}', "not a valid BatchImportFindings input"),
        ('{"something": 1}', "not a report.asff.json, a report.json or an evidence bundle"),
    ],
)
def test_bad_input_exits_2_in_one_line_before_any_call(
    aws: LocalAws, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "report.asff.json"
    path.write_text(content)
    result = _import(aws, path)
    assert result.exit_code == 2
    assert message in result.output and result.output.count("\n") == 1
    assert aws.faults.calls() == {}


def test_a_finding_of_another_product_is_an_input_error(aws: LocalAws, tmp_path: Path) -> None:
    (finding,) = asff_findings({(MEMBER_A, "us-east-1"): 1})
    finding["ProductArn"] = f"arn:aws:securityhub:us-east-1:{MEMBER_B}:product/{MEMBER_B}/default"
    result = _import(aws, _write(tmp_path, [finding]))
    assert result.exit_code == 2
    assert "Findings[0].ProductArn" in result.output
    assert aws.faults.calls() == {}


def test_dry_run_calls_nothing(aws: LocalAws, tmp_path: Path) -> None:
    findings = asff_findings({(MEMBER_A, "us-east-1"): 3, (MEMBER_B, "eu-west-1"): 1})
    result = _import(aws, _write(tmp_path, findings), "--dry-run")
    assert result.exit_code == 0
    assert (
        "Would import 4 finding(s)" in result.output
        and f"{MEMBER_A}/us-east-1: 3 finding(s)" in result.output
    )
    assert aws.faults.calls() == {}


def test_report_json_input_is_rendered_like_format_asff(aws: LocalAws, tmp_path: Path) -> None:
    from auditor.report import json_report

    from .conftest import result_with

    path = tmp_path / "report.json"
    path.write_bytes(json_report.render(result_with({(MEMBER_A, "us-east-1"): 2})))
    enable_hub(aws, {(MEMBER_A, "us-east-1")})
    result = _import(aws, path)
    assert result.exit_code == 0, result.output
    assert len(stored_findings(aws, MEMBER_A, "us-east-1")) == 2


def test_a_report_without_findings_imports_nothing_and_succeeds(aws: LocalAws, tmp_path: Path) -> None:
    result = _import(aws, _write(tmp_path, []))
    assert result.exit_code == 0
    assert "No findings to import" in result.output
    assert aws.faults.calls() == {}
