"""End-to-end: the real scanner over real HTTP against the local AWS (moto + our extension)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from auditor.inventory import store
from auditor.inventory.model import Dataset, DatasetStatus, Inventory
from auditor.scan import regions, sessions
from auditor.scan.clients import RegionApi, Runtime
from auditor.scan.guard import ReadOnlyViolation
from auditor.scan.options import ScanOptions
from auditor.scan.orchestrator import scan
from auditor.scan.permissions import allowed_operations
from auditor.scan.progress import ScanProgress

pytestmark = pytest.mark.e2e


def _options(estate: Any, **overrides: object) -> ScanOptions:
    values: dict[str, object] = {
        "accounts": estate.members,
        "regions": estate.regions,
        "endpoint_url": estate.aws.endpoint_url,
        "role_name": "ModelMonitorAuditor",
    }
    values.update(overrides)
    return ScanOptions(**values)  # type: ignore[arg-type]


def _without_metadata(inventory: Inventory) -> str:
    text = store.dumps(inventory)
    return re.sub(r'"metadata": \{.*?\n  \},\n', "", text, flags=re.DOTALL)


@pytest.fixture(scope="module")
def baseline(small_estate: Any) -> Inventory:
    small_estate.aws.faults.clear()
    return scan(_options(small_estate))


def test_several_accounts_and_regions_through_assume_role(small_estate: Any, baseline: Inventory) -> None:
    inv = baseline
    assert inv.errors == []
    assert {(t.account_id, t.region) for t in inv.targets} == {
        (a, r) for a in small_estate.members for r in small_estate.regions
    }
    assert all(s is DatasetStatus.COMPLETE for t in inv.targets for s in t.datasets.values())
    assert len(inv.endpoints) == 2 * 2 * 2  # ep-a, ep-b per member and region
    assert len(inv.monitors) == 4 * 4
    for acct in small_estate.members:
        assert any(
            i.account_id == acct and ":assumed-role/ModelMonitorAuditor/" in i.arn
            for i in inv.metadata.identities
        )
    assert inv.metadata.regions == list(small_estate.regions)
    assert inv.metadata.api_calls["sts:AssumeRole"] == 2
    # per (account, region): one Search of the endpoints and one of the models (fewer than 100 each)
    assert inv.metadata.api_calls["sagemaker:Search"] == 2 * 4


def test_relations_are_resolved(small_estate: Any, baseline: Inventory) -> None:
    acct, region = small_estate.members[0], "eu-west-1"
    monitors = {m.name: m for m in baseline.monitors if (m.account_id, m.region) == (acct, region)}
    alarms = {a.arn: a.name for a in baseline.alarms if (a.account_id, a.region) == (acct, region)}
    assert sorted(alarms[a] for a in monitors["ep-a-dq"].alarm_arns) == [
        "ep-a-drift",
        "ep-a-math",
        "ep-a-page",
    ]
    assert monitors["ep-a-inline"].job_definition_embedded
    assert (
        monitors["ep-a-inline"].job_definition_arn == f"{monitors['ep-a-inline'].arn}/embedded-job-definition"
    )
    assert monitors["orphan-dq"].endpoint_arn is None and monitors["orphan-dq"].endpoint_name == "ep-gone"
    assert monitors["ep-b-mq"].job_definition_arn is not None
    wrong = next(
        a
        for a in baseline.alarms
        if a.name == "ep-a-wrong-dims" and a.account_id == acct and a.region == region
    )
    assert wrong.monitor_arns == []
    target = next(t for t in baseline.targets if (t.account_id, t.region) == (acct, region))
    assert target.other_alarm_count == 1
    unused = next(
        j
        for j in baseline.job_definitions
        if j.name == "dq-unused" and j.account_id == acct and j.region == region
    )
    assert unused.monitor_arns == []
    ep_a = next(
        e for e in baseline.endpoints if e.name == "ep-a" and e.account_id == acct and e.region == region
    )
    assert ep_a.data_capture is not None and ep_a.data_capture.capture_options == ["Input", "Output"]
    assert ep_a.data_capture.capture_status == "Started" and ep_a.config_kms_key_id == "k"
    assert ep_a.tags == {"environment": "production"}


def test_fast_path_and_no_search_give_the_same_inventory(small_estate: Any, baseline: Inventory) -> None:
    slow = scan(_options(small_estate, use_search=False))
    assert _without_metadata(slow) == _without_metadata(baseline)
    assert "sagemaker:Search" not in slow.metadata.api_calls
    assert slow.metadata.api_calls["sagemaker:DescribeEndpoint"] == 8


def test_inventory_validates_and_round_trips_byte_identical(baseline: Inventory, tmp_path: object) -> None:
    text = store.dumps(baseline)
    again = store.dumps(store.loads(text))
    assert again == text


def test_no_credentials_in_the_inventory(baseline: Inventory) -> None:
    text = store.dumps(baseline)
    assert re.search(r"\b(AKIA|ASIA|FSIA)[A-Z0-9]{12,}", text) is None
    for word in ("SecretAccessKey", "SessionToken", "AccessKeyId", "aws_secret_access_key"):
        assert word not in text


def test_failed_assume_role_and_denied_operation_are_recorded(small_estate: Any, baseline: Inventory) -> None:
    faults = small_estate.aws.faults
    first, second = small_estate.members
    faults.clear()
    # max_workers=1 enters accounts in sorted order, so the one-shot AssumeRole fault hits `first`.
    faults.add_rule(error="AccessDeniedException", service="sts", operation="AssumeRole", count=1)
    faults.add_rule(
        error="AccessDeniedException",
        service="cloudwatch",
        operation="DescribeAlarms",
        account_id=second,
        region="eu-west-1",
    )
    try:
        inv = scan(_options(small_estate, max_workers=1))
    finally:
        faults.clear()
    errors = {(e.account_id, e.region, e.operation, e.error_code) for e in inv.errors}
    assert errors == {
        (first, None, "AssumeRole", "AccessDenied"),
        (second, "eu-west-1", "DescribeAlarms", "AccessDeniedException"),
    }
    status = {(t.account_id, t.region): t.datasets for t in inv.targets}
    for region in small_estate.regions:
        assert set(status[(first, region)].values()) == {DatasetStatus.NOT_SCANNED}
    assert status[(second, "eu-west-1")][Dataset.ALARMS] is DatasetStatus.FAILED
    others = {d: s for d, s in status[(second, "eu-west-1")].items() if d is not Dataset.ALARMS}
    assert set(others.values()) == {DatasetStatus.COMPLETE}
    assert set(status[(second, "us-east-1")].values()) == {DatasetStatus.COMPLETE}
    # Everything else is complete and identical to the clean scan.
    expected = [e for e in baseline.endpoints if e.account_id == second]
    assert [e.arn for e in inv.endpoints] == [e.arn for e in expected]
    assert not any(a.account_id == second and a.region == "eu-west-1" for a in inv.alarms)
    assert [m.arn for m in inv.monitors] == [m.arn for m in baseline.monitors if m.account_id == second]


def test_twenty_percent_throttling_still_completes(small_estate: Any, baseline: Inventory) -> None:
    faults = small_estate.aws.faults
    faults.clear()
    faults.reset_calls()
    faults.add_rule(error="ThrottlingException", rate=0.2)
    try:
        inv = scan(_options(small_estate))
        throttled = faults.calls()
    finally:
        faults.clear()
    assert inv.errors == []
    assert _without_metadata(inv) == _without_metadata(baseline)
    # Retries happened: the server saw more requests than the scanner made calls.
    assert sum(throttled.values()) > sum(inv.metadata.api_calls.values())


def test_org_discovery_and_nested_ous(small_estate: Any) -> None:
    inv = scan(_options(small_estate, accounts=(), org=True, regions=("us-east-1",)))
    assert inv.metadata.accounts == sorted([*small_estate.members, "123456789012"])
    assert inv.errors == []
    assert {e.account_id for e in inv.endpoints} == set(small_estate.members)
    nested = scan(
        _options(small_estate, accounts=(), org=True, ous=(small_estate.parent_ou,), regions=("us-east-1",))
    )
    assert nested.metadata.accounts == [small_estate.nested_member]


def test_targeted_scan(small_estate: Any, baseline: Inventory) -> None:
    inv = scan(_options(small_estate, endpoint_names=("ep-a",)))
    assert {e.name for e in inv.endpoints} == {"ep-a"} and len(inv.endpoints) == 4
    assert {m.name for m in inv.monitors} == {"ep-a-dq", "ep-a-inline"}
    assert {j.name for j in inv.job_definitions} == {"dq-a", "ep-a-inline"}
    assert {a.name for a in inv.alarms} == {"ep-a-drift", "ep-a-math", "ep-a-page", "ep-a-wrong-dims"}
    assert not any(k.startswith("sagemaker:List") and "JobDefinitions" in k for k in inv.metadata.api_calls)
    by_tag = scan(_options(small_estate, endpoint_tags=(("environment", "development"),), use_search=False))
    assert {e.name for e in by_tag.endpoints} == {"ep-b"}
    assert {m.name for m in by_tag.monitors} == {"ep-b-mq"}


@pytest.mark.parametrize(
    ("service", "method", "params", "key"),
    [
        ("sagemaker", "delete_endpoint", {"EndpointName": "ep-a"}, "sagemaker:DeleteEndpoint"),
        (
            "cloudwatch",
            "put_metric_alarm",
            {
                "AlarmName": "evil",
                "Namespace": "x",
                "MetricName": "y",
                "Statistic": "Sum",
                "Period": 60,
                "EvaluationPeriods": 1,
                "Threshold": 1.0,
                "ComparisonOperator": "GreaterThanThreshold",
            },
            "cloudwatch:PutMetricAlarm",
        ),
    ],
)
def test_write_through_the_scan_session_is_refused_before_the_server(
    small_estate: Any, service: str, method: str, params: dict[str, Any], key: str
) -> None:
    acct = small_estate.members[0]
    runtime = Runtime(
        allowed=allowed_operations(), endpoint_url=small_estate.aws.endpoint_url, per_service_concurrency=1
    )
    base = sessions.base_session(None)
    entered = sessions.assume_role_session(
        runtime,
        base,
        acct,
        role_arn=f"arn:aws:iam::{acct}:role/ModelMonitorAuditor",
        session_name="mm-auditor-test",
        external_id=None,
    )
    api = RegionApi(runtime, entered.session, acct, "us-east-1")
    small_estate.aws.faults.reset_calls()
    with pytest.raises(ReadOnlyViolation):
        getattr(api.client(service), method)(**params)
    assert small_estate.aws.faults.calls().get(key, 0) == 0
    assert small_estate.aws.faults.calls() == {}
    # The endpoint is still there, read through the same guarded session.
    assert api.call("sagemaker", "DescribeEndpoint", EndpointName="ep-a")["EndpointStatus"] == "InService"


def test_member_credentials_refresh_through_assume_role(small_estate: Any) -> None:
    acct = small_estate.members[0]
    runtime = Runtime(
        allowed=allowed_operations(), endpoint_url=small_estate.aws.endpoint_url, per_service_concurrency=1
    )
    entered = sessions.assume_role_session(
        runtime,
        sessions.base_session(None),
        acct,
        role_arn=f"arn:aws:iam::{acct}:role/ModelMonitorAuditor",
        session_name="mm-auditor",
        external_id="ext-id",
    )
    credentials = entered.session.get_credentials()
    first = credentials.get_frozen_credentials().access_key
    assert runtime.counter.snapshot() == {"sts:AssumeRole": 1}
    # Pretend the session is about to expire: the next use must call AssumeRole again.
    credentials._expiry_time = datetime.now(UTC) + timedelta(seconds=30)
    second = credentials.get_frozen_credentials().access_key
    assert runtime.counter.snapshot() == {"sts:AssumeRole": 2}
    assert second != first
    api = RegionApi(runtime, entered.session, acct, "us-east-1")
    assert api.call("sagemaker", "DescribeEndpoint", EndpointName="ep-a")["EndpointName"] == "ep-a"


def test_regions_all_is_enabled_regions_where_sagemaker_is_offered(small_estate: Any) -> None:
    runtime = Runtime(
        allowed=allowed_operations(), endpoint_url=small_estate.aws.endpoint_url, per_service_concurrency=1
    )
    base = sessions.base_session(None)
    found = regions.enabled_sagemaker_regions(runtime, base)
    assert "us-east-1" in found and "eu-west-1" in found
    assert found == sorted(found)
    assert set(found) <= regions.known_regions(base)


def test_progress_reports_every_target(small_estate: Any) -> None:
    seen: list[ScanProgress] = []
    scan(_options(small_estate, regions=("us-east-1",)), progress=seen.append)
    assert seen[0].targets_done == 0 and seen[0].targets_total == 2
    last = seen[-1]
    assert (last.targets_done, last.accounts_done, last.accounts_total) == (2, 2, 2)
    assert last.api_calls > 0 and last.errors == 0
    assert "accounts 2/2" in last.describe()


def test_search_denied_in_one_region_falls_back_without_a_gap(small_estate: Any, baseline: Inventory) -> None:
    faults = small_estate.aws.faults
    second = small_estate.members[1]
    faults.clear()
    faults.add_rule(
        error="AccessDeniedException",
        service="sagemaker",
        operation="Search",
        account_id=second,
        region="us-east-1",
    )
    try:
        inv = scan(_options(small_estate))
    finally:
        faults.clear()
    assert inv.errors == []
    assert _without_metadata(inv) == _without_metadata(baseline)
    assert inv.metadata.options["search_fallback"] == [f"{second}/us-east-1:AccessDeniedException"]
    assert inv.metadata.api_calls["sagemaker:DescribeEndpoint"] == 2  # only that region went the slow way


def test_fast_path_describes_each_config_and_definition_once(baseline: Inventory) -> None:
    calls = baseline.metadata.api_calls
    targets = len(baseline.targets)
    # one page per region of endpoints and one of models (fewer than 100 of either)
    assert calls["sagemaker:Search"] == 2 * targets
    assert "sagemaker:DescribeModel" not in calls  # every model the variants name was in Search
    assert calls["cloudwatch:DescribeAlarms"] == targets
    assert calls["sagemaker:DescribeEndpointConfig"] == len(
        {(e.account_id, e.region, e.endpoint_config_name) for e in baseline.endpoints}
    )
    named = [j for j in baseline.job_definitions if not j.embedded]
    described = sum(
        v for k, v in calls.items() if k.startswith("sagemaker:Describe") and k.endswith("JobDefinition")
    )
    assert described == len(named)
    assert "sagemaker:DescribeEndpoint" not in calls  # nothing per endpoint: Search and the index agree
    # The listings that confirm Search: one page per region each (fewer than 100 of either).
    assert calls["sagemaker:ListEndpoints"] == calls["sagemaker:ListMonitoringSchedules"] == targets
    assert baseline.metadata.search_disagreements == []
    # Only schedules Search cannot return (the orphans) are described, and their tags listed, one by one.
    orphans = sum(1 for m in baseline.monitors if m.endpoint_arn is None)
    assert calls["sagemaker:DescribeMonitoringSchedule"] == orphans == calls["sagemaker:ListTags"]
    # and only their alerts are listed: the others came with Search's model records
    assert calls["sagemaker:ListMonitoringAlerts"] == orphans


def test_collectors_at_once_and_one_at_a_time_give_the_same_inventory(
    small_estate: Any, baseline: Inventory
) -> None:
    # The collectors of a region overlap (and their calls finish in any order); one call per service at
    # a time runs them one after another. Either way the inventory is the same, byte for byte.
    faults = small_estate.aws.faults
    faults.clear()
    faults.set_latency(0.02)  # calls in flight long enough to overlap
    try:
        overlapping = scan(_options(small_estate))
        in_order = scan(_options(small_estate, per_service_concurrency=1, adaptive_concurrency=False))
    finally:
        faults.clear()
    assert overlapping.errors == [] and in_order.errors == []
    assert _without_metadata(overlapping) == _without_metadata(baseline)
    assert _without_metadata(in_order) == _without_metadata(baseline)
