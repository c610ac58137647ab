"""Faults while scanning the local AWS over real HTTP, through the real CLI in a subprocess.

In every case the scan finishes, records each gap as a ScanError, keeps every datum it did get (checked
against a clean scan of the same estate), and the gate exits 3, never 0, unless --allow-incomplete.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from auditor.inventory import store
from auditor.inventory.model import Dataset, DatasetStatus, Inventory, MonitorType
from auditor.inventory.raw import as_dict
from auditor.inventory.relations import link
from auditor.pipeline import JudgeInputs, judge, load_judge_inputs
from auditor.report.gate import ExitCode, exit_code
from auditor.scan import clients
from auditor.scan.orchestrator import scan

from .conftest import Local
from .support import (
    false_passes,
    gaps_are_recorded,
    judged,
    remove_extra_endpoint,
    rewrite_value,
    run_cli,
    scan_args,
    seed_extra_endpoint,
    without_volatile,
)

pytestmark = pytest.mark.e2e

NEW_TYPE = "ModelFairnessDrift"
ErrorKey = tuple[str, str | None, str, str, str]  # account, region, service, operation, error code


@pytest.fixture(scope="module")
def builtin_inputs() -> JudgeInputs:
    return load_judge_inputs()


def gate(inventory: Inventory, inputs: JudgeInputs, *, allow_incomplete: bool = False) -> ExitCode:
    return exit_code(judge(inventory, inputs), allow_incomplete=allow_incomplete)


def error_keys(inventory: Inventory) -> set[ErrorKey]:
    return {(e.account_id, e.region, e.service, e.operation, e.error_code) for e in inventory.errors}


def status(inventory: Inventory, account: str, region: str) -> dict[Dataset, DatasetStatus]:
    return next(t.datasets for t in inventory.targets if (t.account_id, t.region) == (account, region))


def no_duplicates(inventory: Inventory) -> None:
    for kind in ("endpoints", "monitors", "job_definitions", "alarms"):
        arns = [r.arn for r in getattr(inventory, kind)]
        assert len(arns) == len(set(arns)), f"duplicate {kind}"


@dataclass(frozen=True)
class Fault:
    """One fault: how to inject it, what the CLI needs, and the errors it must leave on record."""

    inject: Callable[[Local], None]
    expected: Callable[[Local], set[ErrorKey]]
    args: tuple[str, ...] = ()
    attempts: int | None = None
    read_timeout: float | None = None
    # Instead of ``expected``: (account, error code) of every error, when which calls fail is timing.
    only: Callable[[Local], tuple[str, str]] | None = None
    # What the clean scan would have read had the server always answered as it does under the fault.
    as_served: Callable[[Inventory], Inventory] = lambda inventory: inventory


def _assume_role_fails(local: Local) -> None:
    # --max-workers 1 enters the accounts in sorted order, so the one-shot fault hits the first one.
    local.aws.faults.add_rule(error="AccessDeniedException", service="sts", operation="AssumeRole", count=1)


def _denied_in_one_region(local: Local) -> None:
    local.aws.faults.add_rule(
        error="AccessDeniedException",
        service="sagemaker",
        operation="ListMonitoringSchedules",
        account_id=local.estate.members[1],
        region="eu-west-1",
    )


def _http_500(local: Local) -> None:
    local.aws.faults.add_rule(
        error="InternalFailure",
        service="sagemaker",
        operation="DescribeEndpointConfig",
        account_id=local.estate.members[1],
        region="us-east-1",
    )


def _slow_response(local: Local) -> None:
    local.aws.response_faults.delay(
        "DescribeAlarms", 4.0, account_id=local.estate.members[0], region="eu-west-1"
    )


def _expired_credentials(local: Local) -> None:
    # The member's session token "expires" after its first few calls: the rest are refused.
    local.aws.response_faults.expire_credentials(local.estate.members[0], after_calls=3)


def _refresh_denied(local: Local) -> None:
    # The member's first credentials are about to expire (botocore must refresh them before use),
    # and the role can no longer be assumed: every call in that account needs a refresh that fails.
    member = local.estate.members[0]
    local.aws.response_faults.short_lived_credentials(member, seconds=120)
    local.aws.response_faults.deny_assume_role_after(member, 1)


def _repeated_token(local: Local) -> None:
    local.aws.response_faults.repeat_next_token("DescribeAlarms")


def _new_monitoring_type(local: Local) -> None:
    # A monitoring type AWS might add one day, in every response that carries the type.
    for operation in ("Search", "DescribeMonitoringSchedule", "ListMonitoringSchedules"):
        local.aws.response_faults.rewrite_value(operation, "MonitoringType", "ModelExplainability", NEW_TYPE)


def _describe_job_definition_denied(local: Local) -> None:
    local.aws.faults.add_rule(
        error="AccessDeniedException",
        service="sagemaker",
        operation="DescribeDataQualityJobDefinition",
        account_id=local.estate.members[1],
        region="eu-west-1",
    )


def _served_with_new_type(clean: Inventory) -> Inventory:
    served = copy.deepcopy(clean)
    for monitor in served.monitors:
        if monitor.monitor_type is MonitorType.MODEL_EXPLAINABILITY:
            monitor.monitor_type = None  # kept, with its type unknown to this version
            monitor.raw = rewrite_value(
                as_dict(monitor.raw), "MonitoringType", "ModelExplainability", NEW_TYPE
            )
    return link(served)  # what the linker derives from the types (who watches each endpoint) follows


FAULTS: dict[str, Fault] = {
    "assume-role-fails": Fault(
        _assume_role_fails,
        lambda lo: {(lo.estate.members[0], None, "sts", "AssumeRole", "AccessDenied")},
        args=("--max-workers", "1"),
    ),
    "access-denied-one-operation-one-region": Fault(
        _denied_in_one_region,
        lambda lo: {
            (
                lo.estate.members[1],
                "eu-west-1",
                "sagemaker",
                "ListMonitoringSchedules",
                "AccessDeniedException",
            )
        },
    ),
    "http-500": Fault(
        _http_500,
        lambda lo: {
            (lo.estate.members[1], "us-east-1", "sagemaker", "DescribeEndpointConfig", "InternalFailure")
        },
        attempts=2,
    ),
    "slower-than-read-timeout": Fault(
        _slow_response,
        lambda lo: {(lo.estate.members[0], "eu-west-1", "cloudwatch", "DescribeAlarms", "ReadTimeoutError")},
        attempts=2,
        read_timeout=2,
    ),
    "credentials-expire-mid-scan": Fault(
        _expired_credentials,
        lambda lo: set(),
        only=lambda lo: (lo.estate.members[0], "ExpiredTokenException"),
        args=("--max-workers", "1"),
    ),
    "credentials-cannot-be-refreshed": Fault(
        _refresh_denied,
        lambda lo: set(),
        only=lambda lo: (lo.estate.members[0], "AccessDenied"),
    ),
    "repeated-next-token": Fault(
        _repeated_token,
        lambda lo: {
            (account, region, "cloudwatch", "DescribeAlarms", "RepeatedNextToken")
            for account in lo.estate.members
            for region in lo.estate.regions
        },
    ),
    "unknown-monitoring-type": Fault(
        _new_monitoring_type,
        lambda lo: {
            (account, region, "sagemaker", "DescribeMonitoringSchedule", "UnknownMonitoringType")
            for account in lo.estate.members
            for region in lo.estate.regions
        },
        as_served=_served_with_new_type,
    ),
    # A definition that cannot be described is kept (a stub with `missing`), not dropped.
    "describe-job-definition-denied": Fault(
        _describe_job_definition_denied,
        lambda lo: {
            (
                lo.estate.members[1],
                "eu-west-1",
                "sagemaker",
                "DescribeDataQualityJobDefinition",
                "AccessDeniedException",
            )
        },
        attempts=2,
    ),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_is_recorded_data_is_kept_and_the_gate_exits_3(
    name: str, fresh: Local, builtin_inputs: JudgeInputs, tmp_path: Path
) -> None:
    fault = FAULTS[name]
    assert gate(fresh.clean, builtin_inputs) is ExitCode.OK  # the estate is compliant when nothing fails
    fault.inject(fresh)
    out = tmp_path / "out"
    proc = run_cli(
        scan_args(fresh.aws, fresh.estate, out, *fault.args),
        cwd=tmp_path,
        attempts=fault.attempts,
        read_timeout=fault.read_timeout,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode != 0, (proc.stdout, proc.stderr)
    inventory = store.load(out / "inventory.json")
    if fault.only is not None:
        # Which calls fail depends on thread timing: every error is of this code, in this account.
        account, code = fault.only(fresh)
        assert error_keys(inventory) and {(k[0], k[4]) for k in error_keys(inventory)} == {(account, code)}
        assert all(k[1] is not None for k in error_keys(inventory))  # inside the region scans: mid-scan
    else:
        assert error_keys(inventory) == fault.expected(fresh)
    assert gaps_are_recorded(inventory, fault.as_served(fresh.clean)) == []
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(report["scan_errors"]) == len(inventory.errors)
    no_duplicates(inventory)
    # The gate: 3 (incomplete), and the clean answer (0) only when told to allow an incomplete scan.
    assert (proc.returncode, "Exit code 3" in proc.stdout) == (3, True), (proc.stdout, proc.stderr)
    assert gate(inventory, builtin_inputs) is ExitCode.INCOMPLETE
    assert gate(inventory, builtin_inputs, allow_incomplete=True) is ExitCode.OK


@pytest.fixture
def two_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fewer retries for in-process scans (see support._BOOT for why)."""
    monkeypatch.setattr(clients, "TOTAL_MAX_ATTEMPTS", 2)


def test_denied_listing_keeps_the_monitors_search_returned(fresh: Local) -> None:
    second = fresh.estate.members[1]
    _denied_in_one_region(fresh)
    inventory = scan(fresh.options())
    assert status(inventory, second, "eu-west-1")[Dataset.MONITORS] is DatasetStatus.FAILED
    got = {m.arn for m in inventory.monitors if (m.account_id, m.region) == (second, "eu-west-1")}
    want = {m.arn for m in fresh.clean.monitors if (m.account_id, m.region) == (second, "eu-west-1")}
    assert got == want and got


def test_unreadable_endpoint_config_leaves_a_partial_endpoint(fresh: Local, two_attempts: None) -> None:
    second = fresh.estate.members[1]
    _http_500(fresh)
    inventory = scan(fresh.options())
    partial = [e for e in inventory.endpoints if (e.account_id, e.region) == (second, "us-east-1")]
    assert len(partial) == 2
    assert all(Dataset.ENDPOINT_CONFIGS in e.missing for e in partial)
    # Capture is known to run (DescribeEndpoint), its options are unknown (the config was not read).
    assert all(e.data_capture is not None and e.data_capture.capture_options is None for e in partial)
    assert {e.resource for e in inventory.errors} == {e.endpoint_config_name for e in partial}


def test_pages_read_before_a_repeated_token_are_kept_on_the_slow_path(fresh: Local) -> None:
    fresh.aws.response_faults.repeat_next_token("ListEndpoints")
    inventory = scan(fresh.options(use_search=False))
    assert {e.error_code for e in inventory.errors} == {"RepeatedNextToken"}
    assert all(t.datasets[Dataset.ENDPOINTS] is DatasetStatus.FAILED for t in inventory.targets)
    # Page 1 held every endpoint; it was read, so it must be in the inventory, once.
    assert {e.arn for e in inventory.endpoints} == {e.arn for e in fresh.clean.endpoints}
    no_duplicates(inventory)


def test_credentials_expiring_mid_scan_are_refreshed_and_nothing_is_lost(
    fresh: Local, tmp_path: Path
) -> None:
    """The refreshable-credentials path: the first session of a member expires within botocore's
    refresh window, so the scanner assumes the role again and carries on."""
    fresh.aws.response_faults.short_lived_credentials(fresh.estate.members[0], seconds=120)
    out = tmp_path / "out"
    proc = run_cli(scan_args(fresh.aws, fresh.estate, out), cwd=tmp_path)
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    inventory = store.load(out / "inventory.json")
    assert inventory.errors == []
    assert without_volatile(inventory) == without_volatile(fresh.clean)
    assert inventory.metadata.api_calls["sts:AssumeRole"] == len(fresh.estate.members) + 1  # one refresh


def test_throttling_storm_is_ridden_out_or_recorded(fresh: Local, builtin_inputs: JudgeInputs) -> None:
    """Half of all calls throttled for a while (the first 12 throttles), real retry settings."""
    fresh.aws.faults.reset_calls()
    fresh.aws.faults.add_rule(error="ThrottlingException", rate=0.5, count=12)
    inventory = scan(fresh.options())
    received = sum(fresh.aws.faults.calls().values())
    assert received > sum(inventory.metadata.api_calls.values())  # the storm hit and was retried
    assert gaps_are_recorded(inventory, fresh.clean) == []
    assert {e.error_code for e in inventory.errors} <= {"Throttling", "ThrottlingException"}
    expected = ExitCode.INCOMPLETE if inventory.errors else ExitCode.OK
    assert gate(inventory, builtin_inputs) is expected


def test_allow_incomplete_turns_exit_3_into_the_clean_answer(fresh: Local, tmp_path: Path) -> None:
    _denied_in_one_region(fresh)
    out = tmp_path / "out"
    proc = run_cli(scan_args(fresh.aws, fresh.estate, out, "--allow-incomplete"), cwd=tmp_path)
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    assert "1 scan errors" in proc.stdout
    assert store.load(out / "inventory.json").errors


# ------------------------------------------------------------------ zero false PASS (issue 12 acceptance)


@dataclass
class Truth:
    """What a case did to the estate, and the ground truth it implies."""

    must_not_pass: set[tuple[str, str]]  # (policy, ARN): the data behind it is unknown, stale or missing
    absent: set[str] = field(default_factory=set)  # ARNs that no longer exist: no verdict at all
    cleanup: Callable[[], None] = lambda: None


@dataclass(frozen=True)
class TruthCase:
    setup: Callable[[Local], Truth]
    exit_code: int
    attempts: int | None = None


NEW_EXECUTION_STATUS, NEW_SCHEDULE_STATUS = "CompletedWithWarnings", "Scheduling"
ENDPOINT_COVERAGE = (
    "mm-data-quality-monitor",
    "mm-model-quality-monitor",
    "mm-model-bias-monitor",
    "mm-model-explainability-monitor",
)


def _unknown_values(local: Local) -> Truth:
    """Statuses AWS might add one day, in every response that carries them."""
    rewrites = local.aws.response_faults.rewrite_value
    for operation in ("Search", "DescribeMonitoringSchedule"):
        rewrites(operation, "MonitoringExecutionStatus", "Completed", NEW_EXECUTION_STATUS)
    for operation in ("Search", "DescribeMonitoringSchedule", "ListMonitoringSchedules"):
        rewrites(operation, "MonitoringScheduleStatus", "Scheduled", NEW_SCHEDULE_STATUS)
    clean = local.clean
    return Truth(
        {(p, m.arn) for m in clean.monitors for p in ("mm-last-execution", "mm-schedule-status")}
        | {(p, e.arn) for e in clean.endpoints for p in ENDPOINT_COVERAGE}
    )


def _stale_search(local: Local) -> Truth:
    """Search lags in one account and region while a schedule is deleted, one stopped, an endpoint
    deleted and one created (on endpoints added for the case, removed after it)."""
    aws, account, region = local.aws.aws, local.estate.members[0], "us-east-1"
    deleted_schedule = seed_extra_endpoint(aws, account, region, "stale-a", monitored=True)
    stopped_schedule = seed_extra_endpoint(aws, account, region, "stale-b", monitored=True)
    deleted_endpoint = seed_extra_endpoint(aws, account, region, "stale-d", monitored=False)
    extras = [deleted_schedule, stopped_schedule, deleted_endpoint]

    def cleanup() -> None:
        aws.thaw_search(account, region)
        for extra in extras:
            remove_extra_endpoint(aws, extra)

    try:
        aws.freeze_search(account, region)
        sm = aws.session(account, region).client("sagemaker", endpoint_url=aws.endpoint_url)
        sm.delete_monitoring_schedule(MonitoringScheduleName=deleted_schedule.schedule)
        sm.stop_monitoring_schedule(MonitoringScheduleName=stopped_schedule.schedule)
        sm.delete_endpoint(EndpointName=deleted_endpoint.name)
        extras.append(seed_extra_endpoint(aws, account, region, "stale-c", monitored=False))  # not indexed
    except BaseException:
        cleanup()
        raise
    created = extras[-1]
    return Truth(
        must_not_pass={
            ("mm-data-quality-monitor", deleted_schedule.arn),
            ("mm-data-quality-monitor", stopped_schedule.arn),
            ("mm-schedule-status", str(stopped_schedule.schedule_arn)),
            ("mm-data-quality-monitor", created.arn),  # judged, though Search never returned it
        },
        absent={str(deleted_schedule.schedule_arn), deleted_endpoint.arn},
        cleanup=cleanup,
    )


def _dropped_resource(local: Local) -> Truth:
    _describe_job_definition_denied(local)
    account, region = local.estate.members[1], "eu-west-1"
    definitions = [
        j
        for j in local.clean.job_definitions
        if (j.account_id, j.region, j.monitor_type) == (account, region, MonitorType.DATA_QUALITY)
    ]
    users = [m for m in local.clean.monitors if m.job_definition_arn in {j.arn for j in definitions}]
    return Truth(
        {
            (p, j.arn)
            for j in definitions
            for p in ("mm-job-kms", "mm-job-network-security", "mm-orphan-job-definition")
        }
        | {(p, m.arn) for m in users for p in ("mm-monitor-baseline", "mm-metrics-publishing")}
    )


TRUTH_CASES: dict[str, TruthCase] = {
    "unknown-value": TruthCase(_unknown_values, exit_code=1),
    "stale-search": TruthCase(_stale_search, exit_code=1),
    "dropped-resource": TruthCase(_dropped_resource, exit_code=3, attempts=2),
}


@pytest.mark.parametrize("name", list(TRUTH_CASES))
def test_no_false_pass_on_unknown_stale_or_missing_data(name: str, fresh: Local, tmp_path: Path) -> None:
    """A false PASS is a PASS on a (policy, resource) whose data was unknown, stale or missing: there is
    none, those verdicts are FAIL or ERROR (never vanished), and resources that are gone are not judged."""
    case = TRUTH_CASES[name]
    truth = case.setup(fresh)
    try:
        out = tmp_path / "out"
        proc = run_cli(scan_args(fresh.aws, fresh.estate, out), cwd=tmp_path, attempts=case.attempts)
    finally:
        truth.cleanup()
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == case.exit_code, (proc.stdout, proc.stderr)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    verdicts = judged(report)
    assert truth.must_not_pass and false_passes(verdicts, truth.must_not_pass) == []
    assert not [key for key in verdicts if key[1] in truth.absent]
    inventory = store.load(out / "inventory.json")
    if name == "unknown-value":  # kept as read, and the inventory says so
        unknown = {(u.resource, u.field, u.value) for u in inventory.metadata.unknown_values}
        assert {(m.arn, "status", NEW_SCHEDULE_STATUS) for m in fresh.clean.monitors} <= unknown
        assert {
            (m.arn, "last_execution.status", NEW_EXECUTION_STATUS) for m in fresh.clean.monitors
        } <= unknown
    if name == "stale-search":
        kinds = {(d.name, d.kind.value) for d in inventory.metadata.search_disagreements}
        assert kinds == {
            ("stale-a-dq", "not_listed"),
            ("stale-b-dq", "stale"),
            ("stale-d", "not_listed"),
            ("stale-c", "not_in_search"),
        }
