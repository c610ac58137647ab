"""report.ocsf.json: every verdict as an OCSF Compliance Finding (class 2003), for security data lakes.

Why Compliance Finding and not Detection Finding (2004): a verdict is the result of evaluating a
resource against a rule that stands for framework requirements (SR 11-7, ISO/IEC 42001, ...), which
is what 2003 describes and carries (``compliance``: standards, requirements, control, check status).
Detection Finding is for detections by correlation or detection engines (threats, alerts); Prowler,
which writes 2004, maps configuration checks onto it because it predates 2003's ``compliance``
object. Every verdict is written (PASS included): a data lake computes compliance from the passes too.

The events are built and validated with the maintained ``py-ocsf-models`` library (the ``ocsf``
extra) rather than hand-written dicts; the OCSF version is the library's (``metadata.version``,
1.5.0 with py-ocsf-models 0.10). The cloud profile is applied (``metadata.profiles: ["cloud"]``,
``cloud``: provider, account, region). Mapping (docs/security-hub.md has the table):

- ``compliance.status_id``: PASS 1 Pass; FAIL and WAIVED 3 Fail; ERROR 2 Warning ("did not yield a
  result due to missing information"); NOT_APPLICABLE 99 Other (``checks[0].status``: Not Applicable).
- ``status_id`` (the finding's workflow): FAIL, ERROR 1 New; WAIVED 3 Suppressed; PASS 4 Resolved;
  NOT_APPLICABLE 5 Archived. Findings resolved since ``--baseline`` are Close events (activity 3).
- ``finding_info.uid`` is the stable id also used as the ASFF ``Id``.
"""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from datetime import datetime
from functools import cache
from typing import Any, assert_never

from auditor.errors import InputError
from auditor.report.asff_report import finding_id, partition_of
from auditor.report.encoding import json_text
from auditor.report.text import safe_strings, safe_text
from auditor.results import (
    EvaluationResult,
    Finding,
    PolicyInfo,
    ResourceKind,
    Severity,
    Verdict,
    requirements_by_policy,
)

LIBRARY = "py_ocsf_models"
INSTALL_HINT = "pip install 'mm-auditor[ocsf]'"
PRODUCT = "mm-auditor"

# The resource type as the source names it (CloudFormation names where one exists).
RESOURCE_TYPES: dict[ResourceKind, str] = {
    ResourceKind.ENDPOINT: "AWS::SageMaker::Endpoint",
    ResourceKind.MONITOR: "AWS::SageMaker::MonitoringSchedule",
    ResourceKind.JOB_DEFINITION: "AWS::SageMaker::MonitoringJobDefinition",
    ResourceKind.ALARM: "AWS::CloudWatch::Alarm",
    ResourceKind.TARGET: "mm-auditor::ScanTarget",  # a scanned (account, region)
}


def check_available() -> None:
    """InputError (exit 2, one line) when py-ocsf-models is not installed."""
    if importlib.util.find_spec(LIBRARY) is None:
        raise InputError("--format ocsf", f"needs the py-ocsf-models library: {INSTALL_HINT}")


@cache
def event_class() -> Any:
    """The OCSF Compliance Finding model with the cloud profile's ``cloud`` attribute added.

    OCSF profiles add attributes to a class; py-ocsf-models has the class, so the profile is applied
    by extending it (the library is designed to be extended).
    """
    check_available()
    from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
    from py_ocsf_models.objects.cloud import Cloud

    class CloudComplianceFinding(ComplianceFinding):  # type: ignore[misc]
        cloud: Cloud

    return CloudComplianceFinding


def ocsf_version() -> str:
    """The OCSF schema version the events follow (py-ocsf-models' OCSF_VERSION)."""
    check_available()
    from py_ocsf_models import OCSF_VERSION

    return str(OCSF_VERSION)


def _severity_id(severity: Severity) -> int:
    match severity:
        case Severity.CRITICAL:
            return 5
        case Severity.HIGH:
            return 4
        case Severity.MEDIUM:
            return 3
        case Severity.LOW:
            return 2
        case Severity.INFO:
            return 1
        case _:
            assert_never(severity)


# verdict -> (compliance status_id, compliance caption, finding status_id, finding caption)
def _statuses(verdict: Verdict) -> tuple[int, str, int, str]:
    match verdict:
        case Verdict.PASS:
            return 1, "Pass", 4, "Resolved"
        case Verdict.FAIL:
            return 3, "Fail", 1, "New"
        case Verdict.WAIVED:
            return 3, "Fail", 3, "Suppressed"
        case Verdict.ERROR:
            return 2, "Warning", 1, "New"
        case Verdict.NOT_APPLICABLE:
            return 99, "Not Applicable", 5, "Archived"
        case _:
            assert_never(verdict)


def _epoch_ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def _event(
    f: Finding,
    result: EvaluationResult,
    policy: PolicyInfo | None,
    requirements: list[str],
    *,
    closed: bool,
) -> Any:
    from py_ocsf_models.events.findings.activity_id import ActivityID
    from py_ocsf_models.events.findings.compliance_finding_type_id import ComplianceFindingTypeID
    from py_ocsf_models.objects.account import Account, TypeID
    from py_ocsf_models.objects.check import Check
    from py_ocsf_models.objects.cloud import Cloud
    from py_ocsf_models.objects.compliance import Compliance
    from py_ocsf_models.objects.finding_info import FindingInformation
    from py_ocsf_models.objects.metadata import Metadata
    from py_ocsf_models.objects.product import Product
    from py_ocsf_models.objects.remediation import Remediation
    from py_ocsf_models.objects.resource_details import ResourceDetails

    compliance_id, compliance_caption, status_id, status = _statuses(f.verdict)
    if closed:  # resolved since the baseline: passing now, not applicable now, or gone
        status_id, status = (4, "Resolved") if f.verdict is Verdict.PASS else (5, "Archived")
    activity = ActivityID.Close if closed else ActivityID.Create
    time_ms = _epoch_ms(result.generated_at)
    when = datetime.fromisoformat(result.generated_at.replace("Z", "+00:00"))
    uid = finding_id(f)  # from the raw finding: the same Id as in report.asff.json
    f = _safe_finding(f)
    policy = _safe_policy(policy) if policy is not None else None
    title = (policy.title if policy else "") or f.policy_id
    standards = sorted(_framework_names(result, f.policy_id))
    severity_id = _severity_id(f.severity)
    remediation_text = f.remediation or (policy.remediation if policy and f.verdict is Verdict.WAIVED else "")
    unmapped: dict[str, Any] = {
        "verdict": f.verdict.value,
        "resource_kind": f.resource_kind.value,
        "tool_version": result.tool_version,
        "policy_set_digest": result.policy_set_digest,
        "inventory_digest": result.inventory_digest,
    }
    if closed:
        unmapped["change"] = "resolved"
    if f.waiver is not None:
        w = f.waiver
        unmapped["waiver"] = {
            "id": w.waiver_id,
            "reason": w.reason,
            "owner": w.owner,
            "expires": w.expires,
            "expired": w.expired,
        }
    cls = event_class()
    return cls(
        class_name="Compliance Finding",  # the OCSF caption (the library's default is the enum name)
        activity_id=activity,
        activity_name=activity.name,
        type_uid=ComplianceFindingTypeID(200300 + int(activity)),
        type_name=f"Compliance Finding: {activity.name}",
        time=time_ms,
        time_dt=when,
        severity_id=severity_id,
        severity=f.severity.value.capitalize() if f.severity is not Severity.INFO else "Informational",
        status_id=status_id,
        status=status,
        status_code=f.verdict.value,
        status_detail=f.message or None,
        message=f.message or title,
        metadata=Metadata(
            product=Product(name=PRODUCT, vendor_name=PRODUCT, version=result.tool_version, uid=PRODUCT),
            profiles=["cloud"],
            event_code=f.policy_id,
            uid=f"{uid}@{result.generated_at}",
            version=ocsf_version(),
        ),
        finding_info=FindingInformation(
            uid=uid,
            title=title,
            desc=f.message or title,
            types=[f"{PRODUCT}/{f.resource_kind.value}"],
            created_time=time_ms,
            created_time_dt=when,
            first_seen_time=time_ms,
            first_seen_time_dt=when,
            last_seen_time=time_ms,
            last_seen_time_dt=when,
            src_url=policy.references[0] if policy and policy.references else None,
        ),
        compliance=Compliance(
            control=f.policy_id,
            desc=(policy.description.strip() if policy else None) or None,
            standards=standards or None,
            requirements=requirements or None,
            status_id=compliance_id,
            checks=[
                Check(
                    uid=f.policy_id,
                    name=title,
                    severity=f.severity.value,
                    severity_id=severity_id,
                    standards=standards or None,
                    status=compliance_caption,
                    status_id=compliance_id,
                )
            ],
        ),
        remediation=(
            Remediation(desc=remediation_text, references=list(policy.references) if policy else None)
            if remediation_text.strip()
            else None
        ),
        resources=[
            ResourceDetails(
                uid=f.resource_arn,
                name=f.resource_name,
                type=RESOURCE_TYPES[f.resource_kind],
                region=f.region,
                cloud_partition=partition_of(f.resource_arn, f.region),
                labels=[f"{k}={v}" for k, v in sorted(f.tags.items())] or None,
                data={"resource_kind": f.resource_kind.value, "tags": dict(sorted(f.tags.items()))},
            )
        ],
        cloud=Cloud(
            provider="AWS",
            region=f.region,
            account=Account(
                name=f.account_id, uid=f.account_id, type_id=TypeID.AWS_Account, type="AWS Account"
            ),
        ),
        unmapped={"mm_auditor": unmapped},
    )


def _framework_names(result: EvaluationResult, policy_id: str) -> set[str]:
    return {fw.name for fw in result.frameworks for r in fw.requirements if policy_id in r.policies}


def to_events(result: EvaluationResult) -> list[dict[str, Any]]:
    """Every verdict as a validated OCSF event (JSON-compatible dicts, sorted by finding uid), plus a
    Close event for each finding resolved since the baseline whose resource is gone."""
    policies = {p.id: p for p in result.policies}
    requirements = requirements_by_policy(result)
    resolved: dict[tuple[str, str], Finding] = {}
    if result.baseline is not None:
        resolved = {(f.policy_id, f.resource_arn): f for f in result.baseline.resolved}
    events: list[tuple[str, dict[str, Any]]] = []
    for f in result.findings:
        closed = resolved.pop((f.policy_id, f.resource_arn), None) is not None and f.verdict in (
            Verdict.PASS,
            Verdict.NOT_APPLICABLE,
        )
        event = _event(f, result, policies.get(f.policy_id), requirements.get(f.policy_id, []), closed=closed)
        events.append((finding_id(f), _dump(event)))
    for old in resolved.values():
        if any(finding_id(old) == uid for uid, _ in events):
            continue
        event = _event(
            old, result, policies.get(old.policy_id), requirements.get(old.policy_id, []), closed=True
        )
        events.append((finding_id(old), _dump(event)))
    return [e for _, e in sorted(events, key=lambda item: item[0])]


def _safe_finding(f: Finding) -> Finding:
    # Consumers show these strings to people, and pydantic cannot encode a lone surrogate: every
    # text goes through safe_text before it reaches the model (the finding id stays the raw one's).
    return replace(
        f,
        resource_arn=safe_text(f.resource_arn),
        resource_name=safe_text(f.resource_name),
        message=safe_text(f.message),
        remediation=safe_text(f.remediation),
        tags={safe_text(k): safe_text(v) for k, v in f.tags.items()},
    )


def _safe_policy(p: PolicyInfo) -> PolicyInfo:
    return replace(
        p,
        title=safe_text(p.title),
        description=safe_text(p.description),
        remediation=safe_text(p.remediation),
        fix=safe_text(p.fix),
    )


def _dump(event: Any) -> dict[str, Any]:
    # mode="json" rather than model_dump_json(): a lone surrogate (possible in AWS names) stays a str
    # here, and json_text keeps it exact; pydantic's own encoder would raise on it.
    data: dict[str, Any] = safe_strings(event.model_dump(mode="json", exclude_none=True))
    return data


def render(result: EvaluationResult) -> bytes:
    """report.ocsf.json bytes: a JSON array of OCSF events (sorted keys, UTF-8, final newline)."""
    return (json_text(to_events(result)) + "\n").encode("utf-8")
