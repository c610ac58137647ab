"""Hand-built runs of one small estate at chosen times, for the history tests (no AWS needed)."""

from __future__ import annotations

from auditor.inventory.model import ScanMetadata
from auditor.results import EvaluationResult, Finding, ResourceKind, Severity, Verdict

ACCOUNT = "111122223333"
REGION = "eu-west-1"


def arn(name: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/{name}"


def finding(policy: str, name: str, verdict: Verdict, severity: Severity = Severity.HIGH) -> Finding:
    return Finding(
        policy_id=policy,
        severity=severity,
        verdict=verdict,
        resource_kind=ResourceKind.ENDPOINT,
        resource_arn=arn(name),
        resource_name=name,
        account_id=ACCOUNT,
        region=REGION,
        message=f"{policy} on {name}",
    )


def run_at(
    when: str,
    verdicts: dict[tuple[str, str], Verdict],
    *,
    regions: tuple[str, ...] = (REGION,),
    options: dict[str, object] | None = None,
) -> EvaluationResult:
    """A result whose scan ended at ``when`` (``2026-01-05`` or a full ISO time) with these verdicts."""
    at = when if "T" in when else f"{when}T06:00:00Z"
    return EvaluationResult(
        generated_at=at,
        tool_version="0.1.0",
        policy_set_digest="sha256:" + "a" * 64,
        inventory_digest="sha256:" + "b" * 64,
        scan=ScanMetadata(
            tool_version="0.1.0",
            started_at=at,
            finished_at=at,
            accounts=[ACCOUNT],
            regions=list(regions),
            options=dict(options or {}),
        ),
        findings=[finding(p, n, v) for (p, n), v in sorted(verdicts.items())],
    )
