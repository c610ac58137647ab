"""Security Hub in the local AWS: the BatchImportFindings rules an import relies on, and fault rules that
name rest-json operations."""

from __future__ import annotations

import botocore.exceptions
import pytest

from auditor.emulator import LocalAws
from auditor.emulator.faults import rest_operation

MEMBER_A = "111111111111"


def _finding(account: str, finding_id: str = "f-1", region: str = "us-east-1") -> dict[str, object]:
    return {
        "SchemaVersion": "2018-10-08",
        "Id": finding_id,
        "ProductArn": f"arn:aws:securityhub:{region}:{account}:product/{account}/default",
        "GeneratorId": "g",
        "AwsAccountId": account,
        "CreatedAt": "2026-01-01T00:00:00Z",
        "UpdatedAt": "2026-01-01T00:00:00Z",
        "Title": "t",
        "Description": "d",
        "Resources": [{"Type": "Other", "Id": "r"}],
        "Severity": {"Label": "HIGH"},
        "Workflow": {"Status": "NEW"},
    }


def _client(aws: LocalAws, account: str | None = None, region: str = "us-east-1") -> object:
    return aws.session(account, region).client("securityhub", endpoint_url=aws.endpoint_url)


def test_rest_operations_are_named_from_the_botocore_model() -> None:
    assert rest_operation("securityhub", "POST", "/findings/import") == "BatchImportFindings"
    assert rest_operation("securityhub", "POST", "/findings") == "GetFindings"
    assert rest_operation("securityhub", "GET", "/nowhere") is None
    assert rest_operation("no-such-service", "POST", "/") is None


@pytest.mark.e2e
def test_import_needs_an_enabled_hub_and_the_callers_own_account(aws: LocalAws) -> None:
    client = _client(aws, MEMBER_A)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        client.batch_import_findings(Findings=[_finding(MEMBER_A)])  # type: ignore[attr-defined]
    assert caught.value.response["Error"]["Code"] == "InvalidAccessException"
    client.enable_security_hub()  # type: ignore[attr-defined]
    other = client.batch_import_findings(Findings=[_finding("999999999999", "f-2"), _finding(MEMBER_A)])  # type: ignore[attr-defined]
    assert other["SuccessCount"] == 1
    assert [(f["Id"], f["ErrorCode"]) for f in other["FailedFindings"]] == [("f-2", "AccessDeniedException")]
    wrong_region = client.batch_import_findings(Findings=[_finding(MEMBER_A, "f-3", region="eu-west-1")])  # type: ignore[attr-defined]
    assert wrong_region["FailedFindings"][0]["ErrorCode"] == "AccessDeniedException"


@pytest.mark.e2e
def test_fault_rules_and_per_finding_faults_reach_batch_import_findings(aws: LocalAws) -> None:
    client = _client(aws)
    client.enable_security_hub()  # type: ignore[attr-defined]
    rule = aws.faults.add_rule(
        error="AccessDeniedException", operation="securityhub:BatchImportFindings", count=1
    )
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        client.batch_import_findings(Findings=[_finding("123456789012")])  # type: ignore[attr-defined]
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    aws.faults.remove_rule(rule)
    aws.finding_faults.fail(["f-1"], code="InternalException", times=1)
    first = client.batch_import_findings(Findings=[_finding("123456789012")])  # type: ignore[attr-defined]
    assert first["FailedFindings"][0]["ErrorCode"] == "InternalException"
    second = client.batch_import_findings(Findings=[_finding("123456789012")])  # type: ignore[attr-defined]
    assert second["SuccessCount"] == 1
    assert aws.faults.calls()["securityhub:BatchImportFindings"] == 3
