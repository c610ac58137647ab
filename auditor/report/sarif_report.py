"""report.sarif: SARIF 2.1.0 for code-scanning views.

Which verdicts become results: FAIL (``kind: fail``, level from the severity), WAIVED (``kind: fail``
with an accepted external suppression carrying the waiver's reason, so viewers show it as
suppressed, never hide it silently) and ERROR (``kind: open``: "insufficient information to decide").
PASS and NOT_APPLICABLE are left out: SARIF consumers turn results into alerts, and ~100k passing
checks would bury the few that matter. Their counts are in ``runs[0].properties``, and report.json
stays the complete record. Resources are logical locations identified by ARN (plus a physical
location on inventory.json, which GitHub code scanning requires); each policy is a rule with its
remediation as help text and a ``security-severity`` score.

Every string in the log (messages, names, tags, justifications) goes through ``safe_text``: code-scanning
views and terminals show them, so control and bidirectional-formatting characters become visible
escapes. Fingerprints are computed from the exact values; report.json keeps those values exact.
A finding on a resource read from a template or plan (``auditor iac``) points at its source instead:
the file (relative to the working directory, which is the repository root in CI) and, for
CloudFormation, the line of the resource's logical id; the logical id or Terraform address is a
second logical location. GitHub code scanning then annotates the pull request that changes it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any, assert_never
from urllib.parse import quote

from auditor.inventory.model import ScanError
from auditor.report.encoding import json_text, utf8
from auditor.report.summary import ordered_findings, summarize
from auditor.report.text import safe_text
from auditor.results import EvaluationResult, Finding, PolicyInfo, ResourceKind, Severity, Verdict

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/mm-auditor/mm-auditor"
# GitHub code scanning rejects a whole SARIF file when a result has no physical location
# ("locationFromSarifResult: expected artifact location"). A cloud resource has no source file, so
# each result also points at the inventory snapshot the verdict was computed from.
EVIDENCE_ARTIFACT = "inventory.json"


def _error_key(error: ScanError) -> str:
    return json.dumps(dataclasses.asdict(error), sort_keys=True, default=str)


def _level(severity: Severity) -> str:
    match severity:
        case Severity.CRITICAL | Severity.HIGH:
            return "error"
        case Severity.MEDIUM:
            return "warning"
        case Severity.LOW | Severity.INFO:
            return "note"
        case _:
            assert_never(severity)


def _security_severity(severity: Severity) -> str:
    """GitHub's bands: >=9 critical, 7-8.9 high, 4-6.9 medium, 0.1-3.9 low, 0 none."""
    match severity:
        case Severity.CRITICAL:
            return "9.5"
        case Severity.HIGH:
            return "8.0"
        case Severity.MEDIUM:
            return "5.5"
        case Severity.LOW:
            return "3.0"
        case Severity.INFO:
            return "0.0"
        case _:
            assert_never(severity)


def _rule(policy: PolicyInfo) -> dict[str, Any]:
    help_lines = [policy.remediation or "No remediation text."]
    if policy.references:
        help_lines += ["", "References:", *(f"- {r}" for r in policy.references)]
    rule: dict[str, Any] = {
        "id": policy.id,
        "shortDescription": {"text": policy.title or policy.id},
        "fullDescription": {"text": policy.description or policy.title or policy.id},
        "help": {"text": "\n".join(help_lines)},
        "defaultConfiguration": {"level": _level(policy.severity)},
        "properties": {
            "security-severity": _security_severity(policy.severity),
            "severity": policy.severity.value,
            "resource-kind": policy.resource_kind.value,
            "tags": sorted({"compliance", "sagemaker-model-monitor", *policy.tags}),
            "frameworks": {k: sorted(v) for k, v in sorted(policy.frameworks.items())},
            "source": policy.source,
        },
    }
    if policy.references:
        rule["helpUri"] = policy.references[0]
    return rule


def _placeholder_policy(f: Finding) -> PolicyInfo:
    """A rule for a finding whose policy is not described in the result (should not happen)."""
    return PolicyInfo(
        id=f.policy_id,
        title=f.policy_id,
        description="",
        severity=f.severity,
        resource_kind=f.resource_kind,
        remediation=f.remediation,
        source="unknown",
    )


def _kind_and_level(f: Finding) -> tuple[str, str] | None:
    match f.verdict:
        case Verdict.FAIL | Verdict.WAIVED:
            return "fail", _level(f.severity)
        case Verdict.ERROR:
            return "open", "none"  # SARIF: a result whose kind is not "fail" has level "none"
        case Verdict.PASS | Verdict.NOT_APPLICABLE:
            return None
        case _:
            assert_never(f.verdict)


def _logical_kind(kind: ResourceKind) -> str:
    return f"aws:sagemaker:{kind.value}" if kind is not ResourceKind.ALARM else "aws:cloudwatch:alarm"


def _result(f: Finding, rule_index: int, kind: str, level: str) -> dict[str, Any]:
    text = f.message
    if f.remediation and f.verdict is not Verdict.ERROR:
        text += f" Remediation: {f.remediation}"
    fingerprint = hashlib.sha256(utf8(f"{f.policy_id}\n{f.resource_arn}")).hexdigest()
    logical: list[dict[str, Any]] = [
        {
            "fullyQualifiedName": f.resource_arn,
            "name": f.resource_name,
            "kind": _logical_kind(f.resource_kind),
        }
    ]
    artifact, line = EVIDENCE_ARTIFACT, 1
    if f.location is not None:
        artifact, line = quote(f.location.file), f.location.line or 1  # a relative URI reference
        if f.location.address:
            logical.append({"name": f.location.address, "kind": "declaration"})
    out: dict[str, Any] = {
        "ruleId": f.policy_id,
        "ruleIndex": rule_index,
        "kind": kind,
        "level": level,
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact},
                    "region": {"startLine": line},
                },
                "logicalLocations": logical,
            }
        ],
        "partialFingerprints": {"policyResource/v1": fingerprint},
        "properties": {
            "verdict": f.verdict.value,
            "severity": f.severity.value,
            "account_id": f.account_id,
            "region": f.region,
            "resource-tags": dict(sorted(f.tags.items())),
        },
    }
    if f.waiver is not None:
        w = f.waiver
        out["properties"]["waiver"] = {
            "id": w.waiver_id,
            "reason": w.reason,
            "owner": w.owner,
            "expires": w.expires,
            "expired": w.expired,
        }
        if f.verdict is Verdict.WAIVED:
            out["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": (
                        f"{w.reason} (waiver {w.waiver_id}, owner {w.owner}, expires {w.expires})"
                    ),
                }
            ]
    return out


def _shown(value: Any) -> Any:
    """``value`` with every string in it (dict keys included) passed through ``safe_text``."""
    if isinstance(value, str):
        return safe_text(value, newlines=True)
    if isinstance(value, dict):
        return {_shown(k): _shown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown(v) for v in value]
    return value


def to_sarif(result: EvaluationResult) -> dict[str, Any]:
    """The SARIF log as JSON-compatible data (every string made safe to show)."""
    shown: dict[str, Any] = _shown(_log(result))
    return shown


def _log(result: EvaluationResult) -> dict[str, Any]:
    policies = {p.id: p for p in result.policies}
    findings = ordered_findings(result.findings)
    for f in findings:
        if f.policy_id not in policies:
            policies[f.policy_id] = _placeholder_policy(f)
    rule_ids = sorted(policies)
    rule_index = {rid: i for i, rid in enumerate(rule_ids)}
    results = []
    for f in findings:
        kl = _kind_and_level(f)
        if kl is not None:
            results.append(_result(f, rule_index[f.policy_id], *kl))
    summary = summarize(result)
    invocation: dict[str, Any] = {
        "executionSuccessful": not summary.incomplete,
        "toolExecutionNotifications": [
            {
                "level": "error",
                "message": {
                    "text": f"{e.service}:{e.operation} failed in {e.account_id}/{e.region or '-'}: "
                    f"{e.error_code}: {e.message}"
                },
                "properties": {"dataset": e.dataset.value if e.dataset else None, "resource": e.resource},
            }
            for e in sorted(result.scan_errors, key=_error_key)
        ],
    }
    if result.scan.started_at:
        invocation["startTimeUtc"] = result.scan.started_at
    if result.scan.finished_at:
        invocation["endTimeUtc"] = result.scan.finished_at
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mm-auditor",
                        "version": result.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(policies[rid]) for rid in rule_ids],
                    }
                },
                "invocations": [invocation],
                "results": results,
                "properties": {
                    "generated_at": result.generated_at,
                    "policy_set_digest": result.policy_set_digest,
                    "inventory_digest": result.inventory_digest,
                    "compliance_percent": summary.compliance_percent,
                    "verdicts": {k.value: v for k, v in summary.verdicts.items()},
                    "accounts": summary.accounts,
                    "regions": summary.regions,
                },
            }
        ],
    }


def render(result: EvaluationResult) -> bytes:
    """report.sarif bytes (sorted keys, UTF-8)."""
    return (json_text(to_sarif(result)) + "\n").encode("utf-8")
