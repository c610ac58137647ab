"""The write path is fenced: the scanner's read-only guard refuses BatchImportFindings, the import's own
guard allows nothing else; the IAM policy and the deploy templates are derived from the same declaration;
batching respects the BatchImportFindings limits."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner

from auditor.cli import cli
from auditor.emulator import LocalAws
from auditor.report import asff_report
from auditor.scan.clients import Runtime
from auditor.scan.guard import ReadOnlyViolation
from auditor.scan.permissions import allowed_operations as scan_allowed_operations
from auditor.scan.permissions import required_actions
from auditor.securityhub import permissions
from auditor.securityhub.importer import batches

from .conftest import MEMBER_A, asff_findings, enable_hub


def _session() -> boto3.Session:
    return boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )


@pytest.mark.e2e
def test_scan_cannot_call_batch_import_findings(aws: LocalAws) -> None:
    assert not [op for op in scan_allowed_operations() if op[0] == "securityhub"]
    assert not [a for a in required_actions() if a.startswith("securityhub:")]
    enable_hub(aws, {("123456789012", "us-east-1")})
    aws.faults.reset_calls()
    runtime = Runtime(
        allowed=scan_allowed_operations(), endpoint_url=aws.endpoint_url, per_service_concurrency=1
    )
    client = runtime.make_client(_session(), "securityhub", "us-east-1")
    with pytest.raises(ReadOnlyViolation):
        client.batch_import_findings(Findings=asff_findings({("123456789012", "us-east-1"): 1}))
    assert aws.faults.calls() == {}  # refused before anything was sent


@pytest.mark.e2e
def test_the_import_guard_allows_nothing_but_its_declared_calls(aws: LocalAws) -> None:
    runtime = Runtime(
        allowed=permissions.allowed_operations(), endpoint_url=aws.endpoint_url, per_service_concurrency=1
    )
    for service, call in (
        ("securityhub", "get_findings"),
        ("securityhub", "batch_update_findings"),
        ("sagemaker", "list_endpoints"),
    ):
        client = runtime.make_client(_session(), service, "us-east-1")
        with pytest.raises(ReadOnlyViolation):
            getattr(client, call)(**({"FindingIdentifiers": [], "Note": {}} if "update" in call else {}))
    assert aws.faults.calls() == {}


def test_iam_policy_securityhub_prints_the_derived_import_policy() -> None:
    result = CliRunner().invoke(cli, ["iam-policy", "--securityhub"])
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert document == permissions.import_policy_document()
    (statement,) = document["Statement"]
    assert statement["Action"] == ["securityhub:BatchImportFindings"]
    hub = json.loads(CliRunner().invoke(cli, ["iam-policy", "--securityhub", "--hub"]).output)
    assert hub["Statement"][1]["Resource"] == "arn:aws:iam::*:role/ModelMonitorAuditorFindingsImport"
    # The read-only policy is unchanged by the flag's existence.
    plain = json.loads(CliRunner().invoke(cli, ["iam-policy"]).output)
    assert not [a for a in plain["Statement"][0]["Action"] if a.startswith("securityhub:")]


def test_batches_hold_at_most_100_findings() -> None:
    findings = asff_findings({(MEMBER_A, "us-east-1"): 250})
    packed, too_large = batches(findings)
    assert [len(b) for b in packed] == [100, 100, 50]
    assert too_large == []
    assert [f["Id"] for b in packed for f in b] == [f["Id"] for f in findings]  # order kept, none lost


def test_batches_respect_the_request_size_and_cut_or_set_aside_big_findings() -> None:
    findings = asff_findings({(MEMBER_A, "us-east-1"): 6})
    size = asff_report.finding_size(findings[0])
    packed, _ = batches(findings, max_bytes=size * 2 + 10)
    assert [len(b) for b in packed] == [2, 2, 2]
    findings[1]["Description"] = "x" * 300_000  # cut to fit
    findings[2]["GeneratorId"] = "g" * 300_000  # cannot be cut: set aside, reported by the importer
    packed, too_large = batches(findings)
    assert [f["Id"] for f in too_large] == [findings[2]["Id"]]
    cut = next(f for b in packed for f in b if f["Id"] == findings[1]["Id"])
    assert cut["Description"].endswith(asff_report.TRUNCATION_MARK)
    assert sum(len(b) for b in packed) == 5


def test_securityhub_help_says_it_writes_and_scan_does_not() -> None:
    text = CliRunner().invoke(cli, ["securityhub", "--help"]).output
    assert "the only commands that write to AWS" in text
    assert "auditor scan" in text and "read-only" in text
    assert "securityhub" not in CliRunner().invoke(cli, ["scan", "--help"]).output.lower()


def test_deploy_templates_exist_for_the_import_role() -> None:
    deploy = Path(__file__).resolve().parents[2] / "deploy"
    assert (deploy / "cloudformation" / "findings-import-role.yaml").is_file()
    assert (deploy / "terraform" / "findings-import-role" / "policy.json").is_file()


def test_a_lone_surrogate_in_a_name_does_not_break_batching() -> None:
    findings = asff_findings({(MEMBER_A, "us-east-1"): 2})
    findings[0]["Resources"][0]["Details"]["Other"]["mm-auditor/resource_name"] = "bad\ud800name"
    packed, too_large = batches(findings)
    assert [len(b) for b in packed] == [2] and too_large == []


def test_only_transient_errors_are_tried_again() -> None:
    from botocore.exceptions import ClientError, EndpointConnectionError, ParamValidationError

    from auditor.securityhub.importer import _transient

    def client_error(code: str, status: int) -> ClientError:
        return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")

    assert _transient(client_error("ThrottlingException", 400))
    assert _transient(client_error("Whatever", 503))
    assert _transient(EndpointConnectionError(endpoint_url="https://securityhub.us-east-1.amazonaws.com"))
    assert not _transient(client_error("AccessDeniedException", 403))
    assert not _transient(client_error("InvalidAccessException", 401))
    assert not _transient(ParamValidationError(report="bad"))
