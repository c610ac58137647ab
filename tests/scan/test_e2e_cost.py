"""End-to-end (real boto3, real HTTP, the local AWS): the cost view's inputs.

The sample organization (3 member accounts x 2 regions) runs every monitor on one ml.m5.xlarge; its
executions' processing jobs ran 540 s (data quality), 660 s (model quality), 900 s (bias), 1200 s
(explainability), 180 s when failed. The local AWS's Price List prices ml.m5.xlarge at $0.24/h in
us-east-1 and $0.268/h in eu-west-1 (the bundled table says 0.23 and 0.257: a test can tell them apart).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.emulator import LocalAws
from auditor.emulator.estate import Estate, build_estate, unseeded_errors
from auditor.inventory.cost import cost_view
from auditor.inventory.model import Inventory, PriceSource
from auditor.scan.options import ScanOptions
from auditor.scan.orchestrator import scan
from tests.scan.one_member import local_aws

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sample() -> Iterator[tuple[LocalAws, Estate]]:
    with local_aws() as aws:
        yield aws, build_estate(aws)


def _scan(sample: tuple[LocalAws, Estate], **overrides: Any) -> Inventory:
    aws, estate = sample
    values: dict[str, Any] = {
        "org": True,
        "role_name": estate.role_name,
        "regions": tuple(estate.regions),
        "endpoint_url": aws.endpoint_url,
        "max_attempts": 1,
    }
    values.update(overrides)
    return scan(ScanOptions(**values), session=aws.session())


@pytest.fixture(scope="module")
def baseline(sample: tuple[LocalAws, Estate]) -> Inventory:
    sample[0].faults.clear()
    return _scan(sample)


def test_durations_come_from_one_listing_per_region(baseline: Inventory) -> None:
    calls = baseline.metadata.api_calls
    # 3 accounts x 2 regions: one ListProcessingJobs page each (< 100 jobs per region)
    assert calls["sagemaker:ListProcessingJobs"] == 6
    assert "sagemaker:DescribeProcessingJob" not in calls
    measured = [e.processing_seconds for m in baseline.monitors for e in m.executions or []]
    assert measured and all(s in (180.0, 540.0, 660.0, 900.0, 1200.0) for s in measured if s is not None)
    view = cost_view(baseline)
    dq = next(c for c in view.monitors if c.monitor_name == "dev-sandbox-dq")
    assert dq.mean_run_seconds == pytest.approx(540.0) and dq.upper_bound is False


def test_prices_come_from_the_price_list_api(baseline: Inventory) -> None:
    assert baseline.pricing is not None and baseline.pricing.notes == []
    prices = {(p.region, p.instance_type): (p.usd_per_hour, p.source) for p in baseline.pricing.prices}
    assert prices == {
        ("eu-west-1", "ml.m5.xlarge"): (0.268, PriceSource.PRICE_LIST_API),
        ("us-east-1", "ml.m5.xlarge"): (0.24, PriceSource.PRICE_LIST_API),
    }
    # one GetProducts per (region, instance type) in use, whatever the number of accounts
    assert baseline.metadata.api_calls["pricing:GetProducts"] == 2
    view = cost_view(baseline)
    dq = next(c for c in view.monitors if c.monitor_name == "dev-sandbox-dq")
    # hourly, 540 s, one instance: 0.268 (eu-west-1) or 0.24 (us-east-1) x 730 x 0.15
    assert dq.monthly_usd == pytest.approx(dq.usd_per_hour * 730 * 0.15)
    assert view.price_sources == ["price-list-api"]
    assert view.wasted_usd > 0 and set(view.wasted_by_reason) == {
        "orphan schedule (its endpoint does not exist)"
    }


@pytest.mark.parametrize("error", ["AccessDeniedException", "ThrottlingException", "InternalFailure"])
def test_price_list_failure_falls_back_to_the_bundled_table_and_never_fails_the_scan(
    sample: tuple[LocalAws, Estate], error: str
) -> None:
    aws, _ = sample
    aws.faults.clear()
    aws.faults.add_rule(error=error, service="pricing", operation="GetProducts")
    try:
        inventory = _scan(sample)
    finally:
        aws.faults.clear()
    assert (
        unseeded_errors(inventory.errors) == []
    )  # a pricing failure is no scan error: the exit code does not change
    assert inventory.pricing is not None
    assert {p.source for p in inventory.pricing.prices} == {PriceSource.BUNDLED}
    assert {(p.region, p.usd_per_hour) for p in inventory.pricing.prices} == {
        ("eu-west-1", 0.257),
        ("us-east-1", 0.23),
    }
    assert any(f"Price List API failed ({error})" in n for n in inventory.pricing.notes)
    view = cost_view(inventory)
    assert view.price_sources == ["bundled"] and view.unestimated == 0
    assert all("bundled table dated" in (c.price_source or "") for c in view.monitors)


def test_a_config_named_table_replaces_the_bundled_one_when_the_api_is_off(
    sample: tuple[LocalAws, Estate], tmp_path: Path
) -> None:
    table = tmp_path / "prices.json"
    table.write_text(
        json.dumps({"date": "2026-12-01", "prices": {"us-east-1": {"ml.m5.xlarge": 1.0}}}), encoding="utf-8"
    )
    sample[0].faults.clear()
    inventory = _scan(sample, price_list_api=False, price_table=str(table))
    assert "pricing:GetProducts" not in inventory.metadata.api_calls
    assert inventory.pricing is not None
    assert [(p.region, p.usd_per_hour, p.source) for p in inventory.pricing.prices] == [
        ("us-east-1", 1.0, PriceSource.FILE)
    ]
    assert "no price for ml.m5.xlarge in eu-west-1 in the table: not estimated" in inventory.pricing.notes
    view = cost_view(inventory)
    eu = [c for c in view.monitors if c.region == "eu-west-1"]
    assert eu and all(c.monthly_usd is None for c in eu)
    assert view.unestimated == len(eu)


def test_a_failed_listing_of_processing_jobs_gives_the_upper_bound_and_a_note(
    sample: tuple[LocalAws, Estate],
) -> None:
    aws, _ = sample
    aws.faults.clear()
    aws.faults.add_rule(error="AccessDeniedException", service="sagemaker", operation="ListProcessingJobs")
    try:
        inventory = _scan(sample)
    finally:
        aws.faults.clear()
    assert unseeded_errors(inventory.errors) == []
    assert all(e.processing_seconds is None for m in inventory.monitors for e in m.executions or [])
    view = cost_view(inventory)
    dq = next(c for c in view.monitors if c.monitor_name == "dev-sandbox-dq")
    assert dq.upper_bound is True and "MaxRuntimeInSeconds" in dq.duration_basis
    assert sum("ListProcessingJobs failed (AccessDeniedException)" in n for n in view.notes) == 6
