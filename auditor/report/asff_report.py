"""report.asff.json: the findings in the AWS Security Finding Format, ready for Security Hub.

The file is the input of Security Hub's ``BatchImportFindings`` (``{"Findings": [...]}``), sorted by
``Id``, validated in the tests against botocore's model of that operation. Which verdicts become
findings, and how (docs/security-hub.md has the table):

- FAIL: ``Compliance.Status`` FAILED, ``Workflow.Status`` NEW, ``RecordState`` ACTIVE.
- ERROR: NOT_AVAILABLE (compliance could not be established; never PASSED), NEW, ACTIVE.
- WAIVED: FAILED (the check still fails), ``Workflow.Status`` SUPPRESSED, ACTIVE; the waiver is in
  ``ProductFields``. Waivers are shown, never hidden, so a waived finding is never archived.
- NOT_APPLICABLE: NOT_AVAILABLE, ARCHIVED (as Security Hub archives its own not-applicable checks).
- PASS: only with ``include_passed``: PASSED, RESOLVED, ACTIVE.
- Resolved since ``--baseline`` (failing before, not now): ARCHIVED, whatever the options, so the
  finding imported by an earlier run stops being active. When the resource is gone the old finding
  is sent again, archived.

``Id`` is stable: the same (policy, resource ARN, account, region) gives the same Id in every run,
so a re-import updates the finding instead of adding one. Texts are single-line and cut to the
ASFF field limits deterministically (``truncate``).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any, assert_never

from auditor.report.encoding import json_text, utf8
from auditor.report.text import safe_strings
from auditor.results import (
    EvaluationResult,
    Finding,
    PolicyInfo,
    ResourceKind,
    Severity,
    Verdict,
    requirements_by_policy,
)

ASFF_SCHEMA_VERSION = "2018-10-08"
PRODUCT_NAME = "mm-auditor"
COMPANY_NAME = "mm-auditor"
FIELD_PREFIX = "mm-auditor/"  # ProductFields keys

# ASFF field limits (AWS Security Hub user guide, "ASFF required/optional attributes").
TITLE_MAX = 256
DESCRIPTION_MAX = 1024
RECOMMENDATION_MAX = 512
PRODUCT_FIELD_VALUE_MAX = 2047  # values must be under 2048 characters
OTHER_DETAIL_VALUE_MAX = 1023  # Details.Other values under 1024 characters
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
MAX_TAGS = 50
MAX_RELATED_REQUIREMENTS = 32
RELATED_REQUIREMENT_MAX = 256
# BatchImportFindings: at most 100 findings and 6 MB per call, 240 KB per finding. Sizes are those
# of the compact JSON; 240 * 1000 is below both readings of "240 KB".
MAX_FINDING_BYTES = 240_000
MAX_BATCH_FINDINGS = 100
MAX_BATCH_BYTES = 6_000_000

TRUNCATION_MARK = "… [truncated]"

# The resource types ASFF defines that our resources are; everything else is "Other". A test checks
# each is a member of botocore's ResourceDetails shape (the list of supported types).
RESOURCE_TYPES: dict[ResourceKind, str] = {
    ResourceKind.ENDPOINT: "Other",  # ASFF has no SageMaker endpoint type (only notebook instances)
    ResourceKind.MONITOR: "Other",
    ResourceKind.JOB_DEFINITION: "Other",
    ResourceKind.ALARM: "AwsCloudWatchAlarm",
    ResourceKind.TARGET: "Other",  # a scanned (account, region)
}

TYPE_STANDARDS = "Software and Configuration Checks/Industry and Regulatory Standards"
TYPE_BEST_PRACTICES = "Software and Configuration Checks/AWS Security Best Practices"


def truncate(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with a visible mark (same input, same output)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - len(TRUNCATION_MARK)] + TRUNCATION_MARK


def severity_label(severity: Severity) -> str:
    match severity:
        case Severity.CRITICAL:
            return "CRITICAL"
        case Severity.HIGH:
            return "HIGH"
        case Severity.MEDIUM:
            return "MEDIUM"
        case Severity.LOW:
            return "LOW"
        case Severity.INFO:
            return "INFORMATIONAL"
        case _:
            assert_never(severity)


@dataclass(frozen=True)
class _State:
    compliance: str
    workflow: str
    record: str


def _state(verdict: Verdict) -> _State:
    match verdict:
        case Verdict.FAIL:
            return _State("FAILED", "NEW", "ACTIVE")
        case Verdict.ERROR:
            return _State("NOT_AVAILABLE", "NEW", "ACTIVE")
        case Verdict.WAIVED:
            return _State("FAILED", "SUPPRESSED", "ACTIVE")
        case Verdict.NOT_APPLICABLE:
            return _State("NOT_AVAILABLE", "NEW", "ARCHIVED")
        case Verdict.PASS:
            return _State("PASSED", "RESOLVED", "ACTIVE")
        case _:
            assert_never(verdict)


def partition_of(arn: str, region: str) -> str:
    """The AWS partition of a resource: from its ARN, else from the region name."""
    if arn.startswith("arn:"):
        parts = arn.split(":")
        if len(parts) > 2 and parts[1]:
            return parts[1]
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def finding_id(f: Finding) -> str:
    """The stable ASFF Id of a finding: the same policy, resource, account and region give the same Id."""
    digest = hashlib.sha256(utf8(f"{f.policy_id}\n{f.resource_arn}\n{f.account_id}\n{f.region}")).hexdigest()[
        :32
    ]
    return f"mm-auditor/{f.account_id}/{f.region}/{f.policy_id}/{digest}"


def product_arn(account_id: str, region: str, partition: str = "aws") -> str:
    """The ARN of the default product of ``account_id`` in ``region`` (custom findings go there)."""
    return f"arn:{partition}:securityhub:{region}:{account_id}:product/{account_id}/default"


def _framework_names(result: EvaluationResult, policy_id: str) -> list[str]:
    return sorted({fw.name for fw in result.frameworks for r in fw.requirements if policy_id in r.policies})


def _types(framework_names: list[str]) -> list[str]:
    """ASFF finding types (namespace/category/classifier): one per framework the policy is evidence for."""
    if not framework_names:
        return [TYPE_BEST_PRACTICES]
    return [f"{TYPE_STANDARDS}/{name}" for name in framework_names][:50]


def _description(f: Finding, policy: PolicyInfo | None) -> str:
    text = f.message or (policy.title if policy else "") or f"{f.policy_id}: {f.verdict.value}"
    if f.waiver is not None:
        w = f.waiver
        state = "expired" if w.expired else "active"
        text += f" Waiver {w.waiver_id} ({state}, owner {w.owner}, expires {w.expires}): {w.reason}"
    return truncate(text, DESCRIPTION_MAX)


def _product_fields(f: Finding, result: EvaluationResult, change: str | None) -> dict[str, str]:
    fields = {
        "verdict": f.verdict.value,
        "policy_id": f.policy_id,
        "resource_kind": f.resource_kind.value,
        "resource_name": f.resource_name,
        "tool_version": result.tool_version,
        "policy_set_digest": result.policy_set_digest,
        "inventory_digest": result.inventory_digest,
    }
    if change is not None:
        fields["change"] = change
    if f.waiver is not None:
        w = f.waiver
        fields |= {
            "waiver_id": w.waiver_id,
            "waiver_owner": w.owner,
            "waiver_expires": w.expires,
            "waiver_expired": "true" if w.expired else "false",
            "waiver_reason": w.reason,
        }
    return {
        truncate(FIELD_PREFIX + k, 127): truncate(v, PRODUCT_FIELD_VALUE_MAX) or "-"
        for k, v in sorted(fields.items())
    }


def _tags(tags: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in sorted(tags.items())[:MAX_TAGS]:
        k, v = truncate(key, TAG_KEY_MAX), truncate(value, TAG_VALUE_MAX)
        if k and v:  # ASFF strings must not be blank
            out[k] = v
    return out


def _resource(f: Finding) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "Type": RESOURCE_TYPES[f.resource_kind],
        "Id": f.resource_arn,
        "Partition": partition_of(f.resource_arn, f.region),
        "Region": f.region,
        "Details": {
            "Other": {
                "mm-auditor/resource_kind": f.resource_kind.value,
                "mm-auditor/resource_name": truncate(f.resource_name, OTHER_DETAIL_VALUE_MAX) or "-",
            }
        },
    }
    tags = _tags(f.tags)
    if tags:
        resource["Tags"] = tags
    return resource


def asff_finding(
    f: Finding,
    result: EvaluationResult,
    *,
    policy: PolicyInfo | None,
    requirements: list[str],
    archived: bool = False,
    change: str | None = None,
) -> dict[str, Any]:
    """One ASFF finding for ``f``; ``archived`` forces RecordState ARCHIVED (resolved since the baseline)."""
    state = _state(f.verdict)
    partition = partition_of(f.resource_arn, f.region)
    types = _types(_framework_names(result, f.policy_id))
    label = severity_label(f.severity)
    severity = {"Label": label, "Original": f.severity.value}
    out: dict[str, Any] = {
        "SchemaVersion": ASFF_SCHEMA_VERSION,
        "Id": finding_id(f),
        "ProductArn": product_arn(f.account_id, f.region, partition),
        "ProductName": PRODUCT_NAME,
        "CompanyName": COMPANY_NAME,
        "Region": f.region,
        "GeneratorId": f.policy_id,
        "AwsAccountId": f.account_id,
        "Types": types,
        "FirstObservedAt": result.generated_at,
        "LastObservedAt": result.generated_at,
        "CreatedAt": result.generated_at,
        "UpdatedAt": result.generated_at,
        "Severity": severity,
        # Security Hub only takes Severity and Types from a finding provider through these on update.
        "FindingProviderFields": {"Severity": dict(severity), "Types": list(types)},
        "Title": truncate((policy.title if policy else "") or f.policy_id, TITLE_MAX),
        "Description": _description(f, policy),
        "ProductFields": _product_fields(f, result, change),
        "Resources": [_resource(f)],
        "Compliance": {"Status": state.compliance},
        "Workflow": {"Status": "RESOLVED" if archived and f.verdict is Verdict.PASS else state.workflow},
        "RecordState": "ARCHIVED" if archived else state.record,
    }
    if requirements:
        out["Compliance"]["RelatedRequirements"] = [
            truncate(r, RELATED_REQUIREMENT_MAX) for r in requirements[:MAX_RELATED_REQUIREMENTS]
        ]
    remediation = f.remediation or (policy.remediation if policy and f.verdict is Verdict.WAIVED else "")
    if remediation.strip():
        recommendation: dict[str, str] = {"Text": truncate(remediation, RECOMMENDATION_MAX)}
        if policy and policy.references:
            recommendation["Url"] = policy.references[0]
        out["Remediation"] = {"Recommendation": recommendation}
    return out


def to_findings(result: EvaluationResult, *, include_passed: bool = False) -> list[dict[str, Any]]:
    """The ASFF findings of ``result`` (see the module docstring for which verdicts), sorted by Id."""
    policies = {p.id: p for p in result.policies}
    requirements = requirements_by_policy(result)
    resolved: dict[tuple[str, str], Finding] = {}
    if result.baseline is not None:
        resolved = {(f.policy_id, f.resource_arn): f for f in result.baseline.resolved}
    out: dict[str, dict[str, Any]] = {}
    for f in result.findings:
        key = (f.policy_id, f.resource_arn)
        was_failing = key in resolved
        archived = was_failing and f.verdict in (Verdict.PASS, Verdict.NOT_APPLICABLE)
        if f.verdict is Verdict.PASS and not (include_passed or archived):
            continue
        out_f = asff_finding(
            f,
            result,
            policy=policies.get(f.policy_id),
            requirements=requirements.get(f.policy_id, []),
            archived=archived,
            change="resolved" if was_failing else None,
        )
        out[out_f["Id"]] = out_f
        resolved.pop(key, None)
    for old in resolved.values():  # failing before, absent now (the resource or the policy is gone)
        out_f = asff_finding(
            old,
            result,
            policy=policies.get(old.policy_id),
            requirements=requirements.get(old.policy_id, []),
            archived=True,
            change="resolved",
        )
        out.setdefault(out_f["Id"], out_f)
    # Security Hub shows these strings to people: no raw control or bidirectional character.
    return [safe_strings(out[k]) for k in sorted(out)]


def render(result: EvaluationResult, *, include_passed: bool = False) -> bytes:
    """report.asff.json bytes: ``{"Findings": [...]}`` (sorted keys, UTF-8, final newline)."""
    return (json_text({"Findings": to_findings(result, include_passed=include_passed)}) + "\n").encode(
        "utf-8"
    )


# --------------------------------------------------------------------------- size and validation


def finding_size(finding: dict[str, Any]) -> int:
    """Bytes of the finding as sent (compact JSON, UTF-8; a lone surrogate counts its 3 bytes)."""
    text = json.dumps(finding, separators=(",", ":"), ensure_ascii=False)
    return len(text.encode("utf-8", errors="surrogatepass"))


def fit_to_size(finding: dict[str, Any], max_bytes: int = MAX_FINDING_BYTES) -> dict[str, Any] | None:
    """``finding`` within ``max_bytes``: long free-text fields are cut (deterministically, with a mark)
    in a fixed order until it fits; None when even that is not enough (the caller reports it failed).
    """
    if finding_size(finding) <= max_bytes:
        return finding
    out: dict[str, Any] = json.loads(json.dumps(finding))
    steps = (
        ("Description", 256),
        ("ProductFields", 256),
        ("Remediation", 256),
        ("Resources", 256),
        ("Note", 256),
    )
    for key, limit in steps:
        if key not in out:
            continue
        out[key] = _shrink(out[key], limit)
        if finding_size(out) <= max_bytes:
            return out
    return None


def _shrink(value: Any, limit: int) -> Any:
    if isinstance(value, str):
        return truncate(value, limit)
    if isinstance(value, list):
        return [_shrink(v, limit) for v in value]
    if isinstance(value, dict):
        return {k: _shrink(v, limit) for k, v in value.items()}
    return value


@cache
def _import_shape() -> Any:
    import botocore.session  # the service model ships with botocore: no AWS call

    model = botocore.session.get_session().get_service_model("securityhub")
    return model.operation_model("BatchImportFindings").input_shape


def validation_errors(document: dict[str, Any]) -> list[str]:
    """Problems of a ``BatchImportFindings`` input (``{"Findings": [...]}``) against botocore's model.

    botocore's own ParamValidator checks required members and types; enums and the model's string
    patterns (e.g. ASFF strings must not be blank) are checked here too. [] means valid.
    """
    from botocore.validate import ParamValidator

    shape = _import_shape()
    report = ParamValidator().validate(document, shape)
    errors = [line for line in report.generate_report().splitlines() if line] if report.has_errors() else []
    _strict(document, shape, "", errors)
    return errors


def _strict(value: Any, shape: Any, path: str, errors: list[str]) -> None:
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                _strict(value[name], member, f"{path}.{name}" if path else name, errors)
    elif kind == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            _strict(item, shape.member, f"{path}[{i}]", errors)
    elif kind == "map" and isinstance(value, dict):
        for k, v in value.items():
            _strict(k, shape.key, f"{path} key {k!r}", errors)
            _strict(v, shape.value, f"{path}.{k}", errors)
    elif kind == "string" and isinstance(value, str):
        enum = getattr(shape, "enum", None)
        if enum and value not in enum:
            errors.append(f"Invalid value for {path}: {value!r} (valid: {', '.join(enum)})")
        pattern = shape.metadata.get("pattern")
        if pattern and re.fullmatch(pattern, value) is None:
            errors.append(f"Invalid value for {path}: {value[:80]!r} does not match {pattern}")
