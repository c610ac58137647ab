"""Search is an eventually consistent index: the List calls of the same scan are authoritative.

End-to-end against the local AWS, whose Search is made to lag (``LocalAws.freeze_search``) in one
account and region while the estate changes: a schedule deleted, one stopped, an endpoint deleted, one
created. The scan keeps what ListEndpoints / ListMonitoringSchedules say, re-reads what Search has
stale, and records every disagreement.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from auditor.inventory.model import Dataset, Disagreement, Inventory
from auditor.pipeline import judge, load_judge_inputs
from auditor.results import Verdict
from auditor.scan.options import ScanOptions
from auditor.scan.orchestrator import scan

pytestmark = pytest.mark.e2e

REGION = "us-east-1"


@pytest.fixture(scope="module")
def lagging(small_estate: Any) -> Iterator[Any]:
    """In the first member's us-east-1: Search frozen, then the estate changed under it."""
    aws, account = small_estate.aws, small_estate.members[0]
    sm = aws.session(account, REGION).client("sagemaker", endpoint_url=aws.endpoint_url)
    sm.create_endpoint_config(
        EndpointConfigName="doomed-cfg",
        ProductionVariants=[
            {
                "VariantName": "v",
                "ModelName": "model",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sm.create_endpoint(EndpointName="doomed", EndpointConfigName="doomed-cfg")
    aws.freeze_search(account, REGION)
    sm.delete_monitoring_schedule(MonitoringScheduleName="ep-b-mq")  # Search still returns it
    sm.stop_monitoring_schedule(MonitoringScheduleName="ep-a-dq")  # Search still says Scheduled
    sm.delete_endpoint(EndpointName="doomed")  # Search still returns it
    sm.create_endpoint(
        EndpointName="late",
        EndpointConfigName="doomed-cfg",
        Tags=[{"Key": "environment", "Value": "production"}],
    )  # not in Search yet
    try:
        yield small_estate
    finally:
        aws.thaw_search(account, REGION)


def _options(estate: Any, **overrides: Any) -> ScanOptions:
    values: dict[str, Any] = {
        "accounts": estate.members,
        "regions": estate.regions,
        "endpoint_url": estate.aws.endpoint_url,
        "role_name": "ModelMonitorAuditor",
    }
    values.update(overrides)
    return ScanOptions(**values)


def _here(items: list[Any], account: str) -> dict[str, Any]:
    return {r.name: r for r in items if (r.account_id, r.region) == (account, REGION)}


def _disagreements(inventory: Inventory) -> set[tuple[str, Dataset, str, Disagreement]]:
    return {(d.account_id, d.dataset, d.name, d.kind) for d in inventory.metadata.search_disagreements}


def test_the_lists_win_and_every_disagreement_is_recorded(lagging: Any) -> None:
    account = lagging.members[0]
    inventory = scan(_options(lagging))
    assert inventory.errors == []
    assert _disagreements(inventory) == {
        (account, Dataset.ENDPOINTS, "doomed", Disagreement.NOT_LISTED),
        (account, Dataset.ENDPOINTS, "late", Disagreement.NOT_IN_SEARCH),
        (account, Dataset.MONITORS, "ep-b-mq", Disagreement.NOT_LISTED),
        (account, Dataset.MONITORS, "ep-a-dq", Disagreement.STALE),
    }
    stale = next(d for d in inventory.metadata.search_disagreements if d.kind is Disagreement.STALE)
    assert "MonitoringScheduleStatus Scheduled in Search, Stopped listed" in stale.detail
    endpoints, monitors = _here(inventory.endpoints, account), _here(inventory.monitors, account)
    assert set(endpoints) == {"ep-a", "ep-b", "late"}
    assert endpoints["late"].tags == {"environment": "production"} and endpoints["late"].status == "InService"
    assert "ep-b-mq" not in monitors and monitors["ep-a-dq"].status == "Stopped"
    # Nothing else disagreed: the other targets are exactly as Search said.
    assert all(
        d.account_id == account and d.region == REGION for d in inventory.metadata.search_disagreements
    )
    # Only the resources Search had wrong were described one by one.
    calls = inventory.metadata.api_calls
    assert calls["sagemaker:DescribeEndpoint"] == 1  # "late"
    orphans = sum(1 for m in inventory.monitors if m.endpoint_arn is None)
    assert calls["sagemaker:DescribeMonitoringSchedule"] == orphans + 1  # + the stale ep-a-dq

    result = judge(inventory, load_judge_inputs())
    verdicts = {(f.policy_id, f.resource_name, f.account_id, f.region): f.verdict for f in result.findings}
    assert verdicts[("mm-schedule-status", "ep-a-dq", account, REGION)] is Verdict.FAIL  # not Search's PASS
    assert not [k for k in verdicts if k[1] in ("ep-b-mq", "doomed") and k[2:] == (account, REGION)]
    assert verdicts[("mm-data-quality-monitor", "late", account, REGION)] is Verdict.FAIL  # judged


def test_a_targeted_scan_confirms_search_too(lagging: Any) -> None:
    account = lagging.members[0]
    inventory = scan(
        _options(lagging, accounts=(account,), regions=(REGION,), endpoint_names=("ep-a", "late"))
    )
    assert set(_here(inventory.endpoints, account)) == {"ep-a", "late"}
    assert _here(inventory.monitors, account)["ep-a-dq"].status == "Stopped"
    assert _disagreements(inventory) == {
        (account, Dataset.ENDPOINTS, "late", Disagreement.NOT_IN_SEARCH),
        (account, Dataset.MONITORS, "ep-a-dq", Disagreement.STALE),
    }
    by_tag = scan(
        _options(
            lagging, accounts=(account,), regions=(REGION,), endpoint_tags=(("environment", "development"),)
        )
    )
    assert set(_here(by_tag.endpoints, account)) == {"ep-b"}
    assert _here(by_tag.monitors, account) == {}  # its only schedule is gone, whatever Search says
