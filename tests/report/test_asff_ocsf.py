"""report.asff.json and report.ocsf.json: validated offline (botocore's BatchImportFindings model; the
py-ocsf-models classes), stable ids, the verdict mapping, the baseline's resolved findings, truncation."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest

from auditor.errors import InputError
from auditor.report import FORMATS, ReportOptions, asff_report, ocsf_report, resolve_formats
from auditor.report.diff import compare
from auditor.results import (
    EvaluationResult,
    FrameworkRollup,
    RequirementRollup,
    RequirementStatus,
    ResourceKind,
    Verdict,
)

from .conftest import ACCOUNT, REGION, base_result, endpoint_arn, finding


def _frameworks() -> list[FrameworkRollup]:
    return [
        FrameworkRollup(
            framework_id="sr-11-7",
            name="SR 11-7",
            title="t",
            version="v",
            source="https://example.com",
            origin="builtin",
            requirements=[
                RequirementRollup(
                    "Ongoing monitoring", "t", RequirementStatus.FAIL, ["MM-DQ-001", "MM-CAP-001"]
                )
            ],
        )
    ]


def _result(rich: EvaluationResult) -> EvaluationResult:
    rich.frameworks = _frameworks()
    return rich


def _by_verdict(findings: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f["ProductFields"]["mm-auditor/verdict"]: f for f in findings}


def test_asff_document_is_a_valid_batch_import_findings_input(rich_result: EvaluationResult) -> None:
    document = json.loads(asff_report.render(_result(rich_result), include_passed=True))
    assert asff_report.validation_errors(document) == []
    assert len(document["Findings"]) == len(rich_result.findings)
    # botocore can serialize it into the real request (no AWS call).
    client = botocore.session.get_session().create_client(
        "securityhub", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    op = client.meta.service_model.operation_model("BatchImportFindings")
    request = client._serializer.serialize_to_request(document, op)
    assert request["url_path"] == "/findings/import"


def test_validation_catches_what_botocore_alone_would_not(rich_result: EvaluationResult) -> None:
    document = json.loads(asff_report.render(_result(rich_result)))
    first = document["Findings"][0]
    first["Severity"]["Label"] = "SEVERE"  # not in the enum
    first["Title"] = "   "  # blank: the model's NonEmptyString pattern
    del first["Resources"]  # required
    errors = asff_report.validation_errors(document)
    assert any("Resources" in e for e in errors)
    assert any("SEVERE" in e for e in errors)
    assert any("Findings[0].Title" in e for e in errors)


def test_one_finding_per_non_pass_verdict_unless_passes_are_asked_for(rich_result: EvaluationResult) -> None:
    result = _result(rich_result)
    default = asff_report.to_findings(result)
    non_pass = [f for f in result.findings if f.verdict is not Verdict.PASS]
    assert len(default) == len(non_pass)
    assert {f["ProductFields"]["mm-auditor/verdict"] for f in default} == {
        "FAIL",
        "ERROR",
        "WAIVED",
        "NOT_APPLICABLE",
    }
    with_passed = asff_report.to_findings(result, include_passed=True)
    passed = [f for f in with_passed if f["ProductFields"]["mm-auditor/verdict"] == "PASS"]
    assert len(passed) == 2
    assert all(f["Compliance"]["Status"] == "PASSED" and f["RecordState"] == "ACTIVE" for f in passed)
    # The config key / flag reaches the file through the registry.
    assert FORMATS["asff"].output(result, ReportOptions(asff_include_passed=True)) == asff_report.render(
        result, include_passed=True
    )


def test_verdict_mapping_workflow_record_state_and_fields(rich_result: EvaluationResult) -> None:
    result = _result(rich_result)
    findings = asff_report.to_findings(result)
    by = _by_verdict(findings)
    fail, error, waived, na = by["FAIL"], by["ERROR"], by["WAIVED"], by["NOT_APPLICABLE"]
    assert (fail["Compliance"]["Status"], fail["Workflow"]["Status"], fail["RecordState"]) == (
        "FAILED",
        "NEW",
        "ACTIVE",
    )
    assert error["Compliance"]["Status"] == "NOT_AVAILABLE" and error["RecordState"] == "ACTIVE"
    assert waived["Workflow"]["Status"] == "SUPPRESSED" and waived["Compliance"]["Status"] == "FAILED"
    assert waived["ProductFields"]["mm-auditor/waiver_id"] == "W-1"
    assert waived["RecordState"] == "ACTIVE"  # a waiver is shown, never archived away
    assert na["RecordState"] == "ARCHIVED" and na["Compliance"]["Status"] == "NOT_AVAILABLE"
    dq = next(f for f in findings if f["GeneratorId"] == "MM-DQ-001")
    assert dq["Compliance"]["RelatedRequirements"] == ["SR 11-7 Ongoing monitoring"]
    assert dq["Types"] == ["Software and Configuration Checks/Industry and Regulatory Standards/SR 11-7"]
    assert dq["FindingProviderFields"]["Severity"] == dq["Severity"] == {"Label": "HIGH", "Original": "high"}
    alarm = next(f for f in findings if f["GeneratorId"] == "MM-ALARM-001")
    assert "RelatedRequirements" not in alarm["Compliance"]  # the policy maps to no framework requirement
    assert alarm["Severity"]["Label"] == "CRITICAL"
    assert fail["Remediation"]["Recommendation"]["Text"].startswith("Fix ")
    assert fail["Remediation"]["Recommendation"]["Url"].startswith("https://")
    assert fail["ProductArn"] == f"arn:aws:securityhub:{REGION}:{ACCOUNT}:product/{ACCOUNT}/default"
    assert fail["AwsAccountId"] == ACCOUNT and fail["Region"] == REGION


@pytest.mark.parametrize(
    ("kind", "asff_type"),
    [
        (ResourceKind.ENDPOINT, "Other"),
        (ResourceKind.MONITOR, "Other"),
        (ResourceKind.JOB_DEFINITION, "Other"),
        (ResourceKind.ALARM, "AwsCloudWatchAlarm"),
        (ResourceKind.TARGET, "Other"),
    ],
)
def test_resource_types_are_asff_types_or_other(kind: ResourceKind, asff_type: str) -> None:
    assert asff_report.RESOURCE_TYPES[kind] == asff_type
    details = botocore.session.get_session().get_service_model("securityhub").shape_for("ResourceDetails")
    assert asff_type in details.members  # "Other" included: a supported type has a Details member


def test_ids_are_stable_across_runs_and_distinct_per_resource(rich_result: EvaluationResult) -> None:
    first = asff_report.to_findings(_result(rich_result))
    later = base_result([*rich_result.findings])
    later.generated_at = "2027-03-01T00:00:00Z"
    later.policies = rich_result.policies
    later.frameworks = _frameworks()
    second = asff_report.to_findings(later)
    assert [f["Id"] for f in first] == [f["Id"] for f in second]
    assert len({f["Id"] for f in first}) == len(first)
    assert first[0]["UpdatedAt"] != second[0]["UpdatedAt"]
    assert all(len(f["Id"]) <= 512 for f in first)


def test_findings_resolved_since_the_baseline_are_archived(rich_result: EvaluationResult) -> None:
    old = base_result(
        [
            finding("MM-DQ-001", Verdict.FAIL, "churn-prod"),  # PASS now
            finding("MM-DQ-001", Verdict.FAIL, "deleted-ep"),  # gone now
            finding("MM-DQ-001", Verdict.FAIL, "legacy-ep"),  # WAIVED now
        ]
    )
    result = _result(rich_result)
    result.baseline = compare(old, result)
    findings = asff_report.to_findings(result)  # passes not asked for
    by_arn = {(f["GeneratorId"], f["Resources"][0]["Id"]): f for f in findings}
    now_passing = by_arn[("MM-DQ-001", endpoint_arn("churn-prod"))]
    assert now_passing["RecordState"] == "ARCHIVED" and now_passing["Compliance"]["Status"] == "PASSED"
    gone = by_arn[("MM-DQ-001", endpoint_arn("deleted-ep"))]
    assert gone["RecordState"] == "ARCHIVED" and gone["ProductFields"]["mm-auditor/change"] == "resolved"
    waived = by_arn[("MM-DQ-001", endpoint_arn("legacy-ep"))]
    assert waived["RecordState"] == "ACTIVE" and waived["Workflow"]["Status"] == "SUPPRESSED"
    assert asff_report.validation_errors({"Findings": findings}) == []


def test_long_text_is_cut_deterministically_within_the_asff_limits(rich_result: EvaluationResult) -> None:
    long = "x" * 5000
    result = base_result([finding("MM-DQ-001", Verdict.FAIL, "ep", message=long, tags={"k": long})])
    result.policies[0].remediation = long
    one = asff_report.to_findings(result)
    (f,) = one
    assert len(f["Description"]) == asff_report.DESCRIPTION_MAX
    assert f["Description"].endswith(asff_report.TRUNCATION_MARK)
    assert len(f["Resources"][0]["Tags"]["k"]) == asff_report.TAG_VALUE_MAX
    assert asff_report.to_findings(result) == one  # same input, same output
    assert asff_report.validation_errors({"Findings": one}) == []


def test_fit_to_size_shrinks_free_text_or_gives_up() -> None:
    big = {"Id": "a", "Description": "d" * 300_000, "ProductFields": {"k": "v" * 2000}}
    fitted = asff_report.fit_to_size(big)
    assert fitted is not None and asff_report.finding_size(fitted) <= asff_report.MAX_FINDING_BYTES
    assert fitted["Description"].endswith(asff_report.TRUNCATION_MARK)
    hopeless = {"Id": "a", "GeneratorId": "g" * 300_000}
    assert asff_report.fit_to_size(hopeless) is None


# --------------------------------------------------------------------------- OCSF


def test_ocsf_events_validate_with_py_ocsf_models(rich_result: EvaluationResult) -> None:
    result = _result(rich_result)
    events = json.loads(ocsf_report.render(result))
    assert len(events) == len(result.findings)  # every verdict, PASS included
    cls = ocsf_report.event_class()
    for event in events:
        model = cls.model_validate(event)
        # Nothing was dropped as unknown: the validated model dumps back to the same event.
        assert model.model_dump(mode="json", exclude_none=True) == event
        assert event["class_uid"] == 2003 and event["category_uid"] == 2
        assert event["type_uid"] == 200300 + event["activity_id"]
        assert event["metadata"]["version"] == ocsf_report.ocsf_version() == "1.5.0"
        assert event["metadata"]["profiles"] == ["cloud"]
        assert event["cloud"]["provider"] == "AWS"


def test_ocsf_mapping_shares_ids_with_asff(rich_result: EvaluationResult) -> None:
    result = _result(rich_result)
    events = {
        "/".join(
            (e["compliance"]["control"], e["unmapped"]["mm_auditor"]["verdict"], e["resources"][0]["name"])
        ): e
        for e in ocsf_report.to_events(result)
    }
    asff_ids = {f["Id"] for f in asff_report.to_findings(result, include_passed=True)}
    assert {e["finding_info"]["uid"] for e in events.values()} == asff_ids
    waived = events["MM-DQ-001/WAIVED/legacy-ep"]
    assert waived["status_id"] == 3 and waived["compliance"]["status_id"] == 3
    assert waived["unmapped"]["mm_auditor"]["waiver"]["id"] == "W-1"
    error = events["MM-DQ-001/ERROR/fraud-prod"]
    assert error["compliance"]["status_id"] == 2  # Warning: no result for missing information
    passed = events["MM-DQ-001/PASS/churn-prod"]
    assert passed["compliance"]["status_id"] == 1
    na = events["MM-ALARM-001/NOT_APPLICABLE/serverless-ep"]
    assert na["compliance"]["status_id"] == 99 and na["compliance"]["checks"][0]["status"] == "Not Applicable"
    dq = next(e for e in events.values() if e["compliance"]["control"] == "MM-DQ-001")
    assert dq["compliance"]["requirements"] == ["SR 11-7 Ongoing monitoring"]
    assert dq["compliance"]["standards"] == ["SR 11-7"]


def test_ocsf_close_events_for_findings_resolved_since_the_baseline(rich_result: EvaluationResult) -> None:
    old = base_result(
        [finding("MM-DQ-001", Verdict.FAIL, "churn-prod"), finding("MM-DQ-001", Verdict.FAIL, "gone")]
    )
    result = _result(rich_result)
    result.baseline = compare(old, result)
    events = ocsf_report.to_events(result)
    closed = {e["resources"][0]["name"]: e for e in events if e["activity_id"] == 3}
    assert set(closed) == {"churn-prod", "gone"}
    assert closed["gone"]["status_id"] == 5 and closed["churn-prod"]["status_id"] == 4
    assert closed["gone"]["type_uid"] == 200303


def test_ocsf_format_without_the_library_is_a_one_line_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = ocsf_report.importlib.util.find_spec
    monkeypatch.setattr(
        ocsf_report.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "py_ocsf_models" else real(name, *a),
    )
    with pytest.raises(InputError) as caught:
        resolve_formats(["json", "ocsf"])
    assert "pip install 'mm-auditor[ocsf]'" in str(caught.value)
    assert "\n" not in str(caught.value)
    resolve_formats(["json", "asff"])  # the other formats need nothing extra
