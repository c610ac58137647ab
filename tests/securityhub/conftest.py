"""Fixtures for the Security Hub import tests: the local AWS, reset before each test, and findings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from auditor.emulator import LocalAws
from auditor.emulator.server import MANAGEMENT_ACCOUNT_ID
from auditor.inventory.model import ScanMetadata
from auditor.report import asff_report
from auditor.results import EvaluationResult, Finding, PolicyInfo, ResourceKind, Severity, Verdict

MEMBER_A = "111111111111"
MEMBER_B = "222222222222"
REGIONS = ("us-east-1", "eu-west-1")


@pytest.fixture(scope="session")
def local_aws_server() -> Iterator[LocalAws]:
    aws = LocalAws.start()
    yield aws
    aws.stop()


@pytest.fixture
def aws(local_aws_server: LocalAws, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalAws]:
    """The local AWS, reset, with the management account's dummy credentials in the environment."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    local_aws_server.reset()
    local_aws_server.faults.clear()
    local_aws_server.faults.reset_calls()
    yield local_aws_server
    local_aws_server.faults.clear()


def result_with(counts: dict[tuple[str, str], int]) -> EvaluationResult:
    """A result with ``n`` FAIL findings per (account, region)."""
    findings = [
        Finding(
            policy_id="mm-data-capture",
            severity=Severity.HIGH,
            verdict=Verdict.FAIL,
            resource_kind=ResourceKind.ENDPOINT,
            resource_arn=f"arn:aws:sagemaker:{region}:{account}:endpoint/ep-{i:03d}",
            resource_name=f"ep-{i:03d}",
            account_id=account,
            region=region,
            message="capture is off",
            remediation="Enable data capture.",
        )
        for (account, region), n in counts.items()
        for i in range(n)
    ]
    return EvaluationResult(
        generated_at="2026-11-27T18:00:00Z",
        tool_version="0.1.0",
        policy_set_digest="d",
        inventory_digest="i",
        scan=ScanMetadata(
            tool_version="0.1.0", started_at="2026-11-27T17:00:00Z", finished_at="2026-11-27T18:00:00Z"
        ),
        policies=[
            PolicyInfo(
                id="mm-data-capture",
                title="Data capture is on",
                description="d",
                severity=Severity.HIGH,
                resource_kind=ResourceKind.ENDPOINT,
                remediation="Enable data capture.",
                source="builtin",
            )
        ],
        findings=findings,
    )


def asff_findings(counts: dict[tuple[str, str], int]) -> list[dict[str, Any]]:
    return asff_report.to_findings(result_with(counts))


def enable_hub(aws: LocalAws, pairs: set[tuple[str, str]]) -> None:
    for account, region in pairs:
        aws.session(account, region).client(
            "securityhub", endpoint_url=aws.endpoint_url
        ).enable_security_hub()


def stored_findings(aws: LocalAws, account: str, region: str) -> list[dict[str, Any]]:
    client = aws.session(account, region).client("securityhub", endpoint_url=aws.endpoint_url)
    out: list[dict[str, Any]] = []
    for page in client.get_paginator("get_findings").paginate():
        out.extend(page["Findings"])
    return out


CALLER = MANAGEMENT_ACCOUNT_ID
