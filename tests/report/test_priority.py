"""Worst first: the fix-first order, the ranking of failing policies and places, and console links."""

from __future__ import annotations

import pytest

from auditor.policy.loader import load_policy_set
from auditor.report.console_links import console_url, encode_name
from auditor.report.priority import (
    HIGH_RISK_TAG,
    PRODUCTION_TAG,
    blast_radius,
    exposure,
    failing_policies,
    fix_first,
    places,
    top_to_fix,
)
from auditor.results import Severity, Verdict

from .conftest import OTHER_ACCOUNT, base_result, finding

PROD = {"environment": "production"}
PROD_HIGH = {"environment": "prod", "risk-tier": "high"}


def test_blast_radius_reads_the_production_and_risk_tags() -> None:
    assert exposure(PROD_HIGH) == ("production", "high risk")
    assert blast_radius(PROD_HIGH) == 2
    assert blast_radius(PROD) == 1 and blast_radius({"risk-tier": "high"}) == 1
    assert blast_radius({"environment": "staging", "risk-tier": "low"}) == 0
    assert blast_radius({}) == 0


def test_the_tags_are_the_ones_the_builtin_pack_scopes_with() -> None:
    pack = {p.id: p for p in load_policy_set().available}
    quality = pack["mm-model-quality-monitor"].parameters
    assert (
        quality["production_tag_key"].default,
        frozenset(quality["production_tag_values"].default),
    ) == PRODUCTION_TAG
    for pid in ("mm-model-bias-monitor", "mm-model-explainability-monitor"):
        risk = pack[pid].parameters
        assert (risk["risk_tag_key"].default, frozenset(risk["risk_tag_values"].default)) == HIGH_RISK_TAG


def test_fix_first_orders_by_severity_then_blast_radius_then_name() -> None:
    result = base_result(
        [
            finding("MM-CAP-001", Verdict.FAIL, "a-plain-low", Severity.LOW),
            finding("MM-DQ-001", Verdict.FAIL, "b-prod", tags=PROD),
            finding("MM-DQ-001", Verdict.FAIL, "c-prod-high", tags=PROD_HIGH),
            finding("MM-DQ-001", Verdict.FAIL, "a-untagged"),
            finding("MM-DQ-001", Verdict.FAIL, "z-prod-high", tags=PROD_HIGH),
            finding("MM-ALARM-001", Verdict.FAIL, "y-untagged-critical", Severity.CRITICAL),
            # one resource, two failures: one entry, listed worst first
            finding("MM-CAP-001", Verdict.FAIL, "z-prod-high", Severity.LOW, tags=PROD_HIGH),
            finding("MM-ALARM-001", Verdict.FAIL, "z-prod-high", Severity.CRITICAL, tags=PROD_HIGH),
            # never in the list: waived, not applicable, passed, could not check
            finding("MM-DQ-001", Verdict.WAIVED, "w"),
            finding("MM-DQ-001", Verdict.NOT_APPLICABLE, "n", tags=PROD_HIGH),
            finding("MM-DQ-001", Verdict.PASS, "p"),
            finding("MM-DQ-001", Verdict.ERROR, "e", tags=PROD),
        ]
    )
    entries = fix_first(result)
    assert [e.name for e in entries] == [
        "z-prod-high",  # critical, production + high risk
        "y-untagged-critical",
        "c-prod-high",  # high
        "b-prod",
        "a-untagged",
        "a-plain-low",
    ]
    worst = entries[0]
    assert [(p.policy_id, p.severity) for p in worst.problems] == [
        ("MM-ALARM-001", Severity.CRITICAL),
        ("MM-DQ-001", Severity.HIGH),
        ("MM-CAP-001", Severity.LOW),
    ]
    assert worst.exposure == ("production", "high risk")
    assert worst.problems[0].title == "Drift alarm notifies someone"
    assert worst.console_url is not None and worst.console_url.endswith("#/endpoints/z-prod-high")
    assert [e.name for e in fix_first(result, Verdict.ERROR)] == ["e"]
    # The page shows the first few: the same entries, made only for those, and the count of all.
    for limit in (0, 1, 3, 6, 10):
        top, total = top_to_fix(result, Verdict.FAIL, limit)
        assert top == entries[:limit] and total == len(entries) == 6


def test_the_fix_line_is_the_policy_s_or_the_finding_s_remediation() -> None:
    result = base_result([finding("MM-DQ-001", Verdict.FAIL, "a"), finding("UNKNOWN-1", Verdict.FAIL, "b")])
    result.policies[0].fix = "Create a DataQuality monitoring schedule."
    fixes = {e.name: e.problems[0].fix for e in fix_first(result)}
    assert fixes == {"a": "Create a DataQuality monitoring schedule.", "b": "Fix UNKNOWN-1 like this."}


def test_failing_policies_rank_by_severity_before_count() -> None:
    findings = [finding("MM-DQ-001", Verdict.FAIL, f"ep-{i}") for i in range(3)]
    findings += [finding("MM-CAP-001", Verdict.FAIL, f"ep-{i}", Severity.LOW) for i in range(5)]
    findings += [finding("MM-ALARM-001", Verdict.FAIL, "one", Severity.CRITICAL)]
    findings += [finding("MM-ALARM-001", Verdict.WAIVED, f"w-{i}", Severity.CRITICAL) for i in range(9)]
    ranked = failing_policies(base_result(findings))
    assert [(p.policy_id, p.severity, p.failures) for p in ranked] == [
        ("MM-ALARM-001", Severity.CRITICAL, 1),
        ("MM-DQ-001", Severity.HIGH, 3),
        ("MM-CAP-001", Severity.LOW, 5),
    ]


def test_places_put_the_worst_account_and_region_first() -> None:
    result = base_result(
        [
            finding("MM-CAP-001", Verdict.FAIL, f"low-{i}", Severity.LOW) for i in range(4)
        ]  # the first account: 4 low failures
        + [finding("MM-DQ-001", Verdict.FAIL, "x", account=OTHER_ACCOUNT)]
        + [finding("MM-DQ-001", Verdict.PASS, "y", account=OTHER_ACCOUNT)]
    )
    ranked = places(result)
    assert [p.account_id for p in ranked] == [OTHER_ACCOUNT, "111122223333"]
    assert ranked[0].failures[Severity.HIGH] == 1 and ranked[0].compliance_percent == 50.0
    assert ranked[1].failures[Severity.LOW] == 4


@pytest.mark.parametrize(
    ("arn", "url"),
    [
        (
            "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/churn-prod",
            "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/endpoints/churn-prod",
        ),
        (
            "arn:aws:sagemaker:us-east-1:111122223333:monitoring-schedule/churn-dq",
            "https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1"
            "#/monitoring-schedules/churn-dq",
        ),
        (
            "arn:aws:sagemaker:us-east-1:111122223333:model-quality-job-definition/churn-mq-def",
            "https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/model-monitor",
        ),
        (
            "arn:aws:cloudwatch:us-east-1:111122223333:alarm:churn drift: high/low",
            "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
            "#alarmsV2:alarm/churn%20drift%3A%20high%2Flow",
        ),
        (
            'arn:aws:cloudwatch:us-east-1:111122223333:alarm:<img src=x onerror="x()">',
            "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
            "#alarmsV2:alarm/%3Cimg%20src%3Dx%20onerror%3D%22x()%22%3E",
        ),
    ],
)
def test_console_links_are_derived_from_the_arn(arn: str, url: str) -> None:
    assert console_url(arn) == url


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:sagemaker:eu-west-1:111122223333:model/churn",  # a kind we do not link
        "arn:aws-cn:sagemaker:cn-north-1:111122223333:endpoint/churn",  # another partition
        "arn:aws:sagemaker:evil.example/x:111122223333:endpoint/churn",  # the region builds the host
        "arn:aws:sagemaker:eu-west-1:1234:endpoint/churn",
        "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/",
        "arn:aws:cloudwatch:us-east-1:111122223333:alarm:\u202ename",  # shown escaped: not linked
        "arn:aws::111122223333:account/eu-west-1",  # a scan target
        "not an arn",
    ],
)
def test_anything_unknown_gets_no_link(arn: str) -> None:
    assert console_url(arn) is None


def test_names_are_encoded_as_encode_uri_component_does() -> None:
    assert encode_name("a-z_A.Z!~*'()0 9/é") == "a-z_A.Z!~*'()0%209%2F%C3%A9"
