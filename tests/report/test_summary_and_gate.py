"""The compliance definition and the CI gate's exit-code matrix."""

from __future__ import annotations

import pytest

from auditor.inventory.model import ScanError
from auditor.report.gate import ExitCode, exit_code
from auditor.report.summary import compliance_percent, summarize
from auditor.results import Severity, Verdict, WaiverRef

from .conftest import ACCOUNT, OTHER_ACCOUNT, REGION, base_result, finding


def test_compliance_counts_error_against_and_excludes_waived_and_not_applicable() -> None:
    result = base_result(
        [
            finding("P1", Verdict.PASS, "a"),
            finding("P1", Verdict.PASS, "b"),
            finding("P1", Verdict.FAIL, "c"),
            finding("P1", Verdict.ERROR, "d"),
            finding("P1", Verdict.WAIVED, "e"),
            finding("P1", Verdict.NOT_APPLICABLE, "f"),
        ]
    )
    assert compliance_percent(result) == 50.0


def test_compliance_is_none_when_nothing_was_judged() -> None:
    assert compliance_percent(base_result([finding("P1", Verdict.NOT_APPLICABLE, "a")])) is None
    assert compliance_percent(base_result([])) is None


def test_summary_groups_by_severity_policy_and_account() -> None:
    result = base_result(
        [
            finding("P1", Verdict.FAIL, "a", severity=Severity.CRITICAL),
            finding("P1", Verdict.PASS, "b", severity=Severity.CRITICAL, account=OTHER_ACCOUNT),
            finding("P2", Verdict.FAIL, "a", severity=Severity.LOW),
        ]
    )
    s = summarize(result)
    assert s.failures_by_severity[Severity.CRITICAL] == 1
    assert s.failures_by_severity[Severity.LOW] == 1
    assert list(s.failures_by_severity) == [
        Severity.CRITICAL,
        Severity.HIGH,
        Severity.MEDIUM,
        Severity.LOW,
        Severity.INFO,
    ]
    assert [(g.key, g.failures, g.total) for g in s.by_policy] == [("P1", 1, 2), ("P2", 1, 1)]
    assert [(g.key, g.compliance_percent) for g in s.by_account] == [(ACCOUNT, 0.0), (OTHER_ACCOUNT, 100.0)]
    assert s.by_severity[0].key == "critical" and s.by_severity[0].total == 2
    assert s.accounts == [ACCOUNT, OTHER_ACCOUNT] and s.regions == [REGION]
    assert not s.incomplete


def _scan_error() -> ScanError:
    return ScanError(ACCOUNT, REGION, "sagemaker", "ListEndpoints", "AccessDenied", "denied")


EXPIRED = WaiverRef("W1", "temporary", "me", "2020-01-01", expired=True)
ACTIVE = WaiverRef("W1", "temporary", "me", "2099-01-01")


@pytest.mark.parametrize(
    ("findings", "scan_errors", "fail_on", "allow_incomplete", "expected"),
    [
        pytest.param(
            [(Verdict.PASS, Severity.CRITICAL)], False, Severity.HIGH, False, ExitCode.OK, id="clean"
        ),
        pytest.param(
            [(Verdict.FAIL, Severity.MEDIUM)],
            False,
            Severity.HIGH,
            False,
            ExitCode.OK,
            id="failure-below-threshold",
        ),
        pytest.param(
            [(Verdict.FAIL, Severity.HIGH)],
            False,
            Severity.HIGH,
            False,
            ExitCode.FAILURES,
            id="failure-at-threshold",
        ),
        pytest.param(
            [(Verdict.FAIL, Severity.CRITICAL)],
            False,
            Severity.HIGH,
            False,
            ExitCode.FAILURES,
            id="failure-above-threshold",
        ),
        pytest.param(
            [(Verdict.FAIL, Severity.LOW)], False, Severity.LOW, False, ExitCode.FAILURES, id="fail-on-low"
        ),
        pytest.param(
            [(Verdict.FAIL, Severity.INFO)], False, Severity.INFO, False, ExitCode.FAILURES, id="fail-on-info"
        ),
        pytest.param(
            [(Verdict.WAIVED, Severity.CRITICAL)], False, Severity.HIGH, False, ExitCode.OK, id="waived"
        ),
        pytest.param(
            [(Verdict.NOT_APPLICABLE, Severity.CRITICAL)],
            False,
            Severity.HIGH,
            False,
            ExitCode.OK,
            id="not-applicable",
        ),
        pytest.param(
            [(Verdict.ERROR, Severity.HIGH)],
            False,
            Severity.HIGH,
            False,
            ExitCode.INCOMPLETE,
            id="incomplete",
        ),
        pytest.param(
            [(Verdict.ERROR, Severity.HIGH)], False, Severity.HIGH, True, ExitCode.OK, id="incomplete-allowed"
        ),
        pytest.param(
            [(Verdict.ERROR, Severity.LOW)],
            False,
            Severity.HIGH,
            False,
            ExitCode.OK,
            id="error-below-threshold-cannot-change-the-answer",
        ),
        pytest.param(
            [(Verdict.PASS, Severity.HIGH)],
            True,
            Severity.HIGH,
            False,
            ExitCode.INCOMPLETE,
            id="scan-error-only",
        ),
        pytest.param(
            [(Verdict.PASS, Severity.HIGH)], True, Severity.HIGH, True, ExitCode.OK, id="scan-error-allowed"
        ),
        pytest.param(
            [(Verdict.FAIL, Severity.HIGH), (Verdict.ERROR, Severity.HIGH)],
            True,
            Severity.HIGH,
            False,
            ExitCode.FAILURES,
            id="failures-take-precedence-over-incomplete",
        ),
        pytest.param(
            [(Verdict.FAIL, Severity.LOW), (Verdict.ERROR, Severity.HIGH)],
            False,
            Severity.HIGH,
            False,
            ExitCode.INCOMPLETE,
            id="low-failure-high-error",
        ),
    ],
)
def test_exit_code_matrix(
    findings: list[tuple[Verdict, Severity]],
    scan_errors: bool,
    fail_on: Severity,
    allow_incomplete: bool,
    expected: ExitCode,
) -> None:
    result = base_result(
        [finding("P1", v, f"ep-{i}", severity=s) for i, (v, s) in enumerate(findings)],
    )
    if scan_errors:
        result.scan_errors = [_scan_error()]
    assert exit_code(result, fail_on=fail_on, allow_incomplete=allow_incomplete) is expected


def test_fail_with_expired_waiver_fails_the_gate_and_active_waiver_does_not() -> None:
    expired = base_result([finding("P1", Verdict.FAIL, "a", waiver=EXPIRED)])
    waived = base_result([finding("P1", Verdict.WAIVED, "a", waiver=ACTIVE)])
    assert exit_code(expired) is ExitCode.FAILURES
    assert exit_code(waived) is ExitCode.OK


def test_default_threshold_is_high() -> None:
    result = base_result([finding("P1", Verdict.FAIL, "a", severity=Severity.MEDIUM)])
    assert exit_code(result) is ExitCode.OK
    result.findings[0].severity = Severity.HIGH
    assert exit_code(result) is ExitCode.FAILURES
    assert int(ExitCode.INVALID_INPUT) == 2
