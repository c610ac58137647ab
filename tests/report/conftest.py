"""A hand-built EvaluationResult with every verdict, and attacker-controlled strings everywhere."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator

import pytest

from auditor.inventory.model import Dataset, DatasetStatus, Identity, ScanError, ScanMetadata, Target
from auditor.results import (
    CellState,
    CoverageCell,
    CoverageColumn,
    CoverageRow,
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

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
REGION = "eu-west-1"
HOSTILE_NAME = "<img src=x onerror=\"document.title='PWNED'\">"
HOSTILE_TAG = "</script><script>document.body.dataset.pwned=1</script>"
FORMULA_NAME = '=HYPERLINK("http://evil.example","click")'
CONTROL_NAME = "bad\x00\x07\x1b[31mname\ud800"


def endpoint_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:sagemaker:{REGION}:{account}:endpoint/{name}"


def policy(pid: str, severity: Severity, title: str = "") -> PolicyInfo:
    return PolicyInfo(
        id=pid,
        title=title or f"Title of {pid}",
        description=f"What {pid} checks.",
        severity=severity,
        resource_kind=ResourceKind.ENDPOINT,
        remediation=f"Fix {pid} like this.",
        source="builtin",
        references=["https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor.html"],
    )


def finding(
    pid: str,
    verdict: Verdict,
    name: str,
    severity: Severity = Severity.HIGH,
    account: str = ACCOUNT,
    **kw: object,
) -> Finding:
    return Finding(
        policy_id=pid,
        severity=severity,
        verdict=verdict,
        resource_kind=ResourceKind.ENDPOINT,
        resource_arn=endpoint_arn(name, account),
        resource_name=name,
        account_id=account,
        region=REGION,
        message=str(kw.pop("message", f"{pid} on {name}: {verdict.value}")),
        remediation=f"Fix {pid} like this.",
        **kw,  # type: ignore[arg-type]
    )


def base_result(findings: list[Finding] | None = None, **kw: object) -> EvaluationResult:
    return EvaluationResult(
        generated_at="2026-11-27T18:00:00Z",
        tool_version="0.1.0",
        policy_set_digest="sha256:" + "a" * 64,
        inventory_digest="sha256:" + "b" * 64,
        scan=ScanMetadata(
            tool_version="0.1.0",
            started_at="2026-11-27T17:55:00Z",
            finished_at="2026-11-27T17:59:00Z",
            accounts=[ACCOUNT, OTHER_ACCOUNT],
            regions=[REGION],
            identities=[Identity(ACCOUNT, f"arn:aws:sts::{ACCOUNT}:assumed-role/Auditor/s")],
        ),
        policies=[
            policy("MM-DQ-001", Severity.HIGH, "Endpoint has a DataQuality monitor"),
            policy("MM-ALARM-001", Severity.CRITICAL, "Drift alarm notifies someone"),
            policy("MM-CAP-001", Severity.LOW, "Data capture records input and output"),
        ],
        findings=findings if findings is not None else [],
        **kw,  # type: ignore[arg-type]
    )


def _rich_result() -> EvaluationResult:
    waiver = WaiverRef("W-1", "Legacy model, retired in Q1 <b>bold</b>", "team-ml@example.com", "2027-01-31")
    findings = [
        finding("MM-DQ-001", Verdict.PASS, "churn-prod"),
        finding("MM-DQ-001", Verdict.FAIL, HOSTILE_NAME, tags={"team": HOSTILE_TAG}),
        finding("MM-DQ-001", Verdict.WAIVED, "legacy-ep", waiver=waiver),
        finding(
            "MM-DQ-001",
            Verdict.ERROR,
            "fraud-prod",
            account=OTHER_ACCOUNT,
            message="AccessDenied on monitors",
        ),
        finding("MM-ALARM-001", Verdict.FAIL, FORMULA_NAME, severity=Severity.CRITICAL),
        finding("MM-ALARM-001", Verdict.NOT_APPLICABLE, "serverless-ep", severity=Severity.CRITICAL),
        finding(
            "MM-CAP-001", Verdict.FAIL, CONTROL_NAME, severity=Severity.LOW, message="capture\x0b stopped"
        ),
        finding("MM-CAP-001", Verdict.PASS, "churn-prod", severity=Severity.LOW),
    ]
    result = base_result(findings)
    result.targets = [
        Target(ACCOUNT, REGION, {d: DatasetStatus.COMPLETE for d in Dataset}),
        Target(
            OTHER_ACCOUNT,
            REGION,
            {Dataset.ENDPOINTS: DatasetStatus.COMPLETE, Dataset.MONITORS: DatasetStatus.FAILED},
        ),
    ]
    result.scan_errors = [
        ScanError(
            OTHER_ACCOUNT,
            REGION,
            "sagemaker",
            "ListMonitoringSchedules",
            "AccessDenied",
            f"not authorized for {HOSTILE_NAME}",
            dataset=Dataset.MONITORS,
        ),
    ]
    result.waivers = [
        WaiverInfo(
            "W-1",
            "MM-DQ-001",
            "name=legacy-ep",
            waiver.reason,
            waiver.owner,
            waiver.expires,
            WaiverStatus.ACTIVE,
            matched=1,
        ),
        WaiverInfo(
            "W-2", "MM-ALARM-001", f"name={HOSTILE_NAME}", "old", "x", "2025-01-01", WaiverStatus.EXPIRED
        ),
    ]
    ok, missing = CellState.OK, CellState.MISSING
    columns = [
        "data_capture",
        "DataQuality",
        "ModelQuality",
        "ModelBias",
        "ModelExplainability",
        "drift_alarm",
    ]
    result.coverage_columns = [
        CoverageColumn(
            c, {"data_capture": "Data capture", "drift_alarm": "Drift alarm"}.get(c, c), ["MM-DQ-001"]
        )
        for c in columns
    ]

    def row(
        name: str, kind: str, states: list[CellState], account: str = ACCOUNT, **notes: list[str]
    ) -> CoverageRow:
        cells = {c: CoverageCell(s, notes.get(c, [])) for c, s in zip(columns, states, strict=True)}
        return CoverageRow(endpoint_arn(name, account), name, account, REGION, kind, cells)

    result.coverage = [
        row(HOSTILE_NAME, "real_time", [ok, *[missing] * 5], DataQuality=[HOSTILE_TAG]),
        row("churn-prod", "real_time", [ok, ok, CellState.DEGRADED, ok, ok, ok]),
        row("fraud-prod", "real_time", [ok, *[CellState.UNKNOWN] * 5], account=OTHER_ACCOUNT),
        row("serverless-ep", "serverless", [CellState.NOT_APPLICABLE] * 6),
    ]
    return result


@pytest.fixture
def rich_result() -> EvaluationResult:
    """Every verdict, a waiver, a scan error, coverage rows, hostile names and tags."""
    return _rich_result()


@pytest.fixture
def make_result() -> Callable[..., EvaluationResult]:
    """``make_result(findings, **fields)``: a minimal result around the given findings."""
    return base_result


@pytest.fixture
def copy_result() -> Callable[[EvaluationResult], EvaluationResult]:
    return copy.deepcopy


@pytest.fixture
def aws() -> Iterator[object]:
    """A fresh local AWS (moto server + our extension) with dummy credentials in the environment."""
    from auditor.emulator import LocalAws  # the emulator needs the demo extra; only e2e tests use it

    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    saved = {k: os.environ.get(k) for k in [*env, "AWS_PROFILE"]}
    os.environ.update(env)
    os.environ.pop("AWS_PROFILE", None)
    local = LocalAws.start()
    try:
        local.reset()
        yield local
    finally:
        local.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
