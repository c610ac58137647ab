"""Cost arithmetic against hand-computed values (issue 20: hourly, daily cron, rate, no history)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.inventory.cost import Waste, cost_view, load_price_table, runs_per_month, table_prices
from auditor.inventory.executions import summarize
from auditor.inventory.model import (
    Endpoint,
    InstancePrice,
    Inventory,
    JobDefinition,
    LastExecution,
    Monitor,
    MonitorType,
    PriceSource,
    Pricing,
    ScanMetadata,
)

ACCOUNT = "111111111111"
REGION = "us-east-1"
PRICE = 0.23  # ml.m5.xlarge, set explicitly so the arithmetic does not depend on the bundled table


def _endpoint(name: str, status: str = "InService") -> Endpoint:
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/{name}"
    return Endpoint(arn=arn, name=name, account_id=ACCOUNT, region=REGION, status=status)


def _definition(name: str, *, count: int = 1, max_runtime: int | None = 3600) -> JobDefinition:
    return JobDefinition(
        arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:data-quality-job-definition/{name}",
        name=name,
        account_id=ACCOUNT,
        region=REGION,
        monitor_type=MonitorType.DATA_QUALITY,
        instance_type="ml.m5.xlarge",
        instance_count=count,
        max_runtime_seconds=max_runtime,
    )


def _monitor(
    name: str,
    expression: str,
    interval: int | None,
    definition: JobDefinition,
    endpoint: Endpoint | None,
    durations: list[float | None],
    *,
    endpoint_name: str = "ep",
    status: str = "Scheduled",
    failed: bool = False,
) -> Monitor:
    executions = [
        LastExecution(status="Failed" if failed else "Completed", processing_seconds=d) for d in durations
    ]
    return Monitor(
        arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:monitoring-schedule/{name}",
        name=name,
        account_id=ACCOUNT,
        region=REGION,
        monitor_type=MonitorType.DATA_QUALITY,
        status=status,
        schedule_expression=expression,
        interval_seconds=interval,
        endpoint_name=endpoint_name,
        endpoint_arn=endpoint.arn if endpoint is not None else None,
        job_definition_arn=definition.arn,
        executions=executions,
        execution_history=summarize(executions),
    )


def _inventory(
    monitors: list[Monitor], definitions: list[JobDefinition], endpoints: list[Endpoint]
) -> Inventory:
    price = InstancePrice(REGION, "ml.m5.xlarge", PRICE, PriceSource.FILE, "test table")
    return Inventory(
        metadata=ScanMetadata(
            tool_version="t", started_at="2026-12-02T00:00:00Z", finished_at="2026-12-02T00:00:00Z"
        ),
        endpoints=endpoints,
        monitors=monitors,
        job_definitions=definitions,
        pricing=Pricing(prices=[price]),
    )


def test_hourly_daily_rate_and_missing_history_against_hand_computed_values() -> None:
    ep = _endpoint("ep")
    one, two = _definition("one"), _definition("two", count=2, max_runtime=1800)
    monitors = [
        # hourly: 730 runs × (500 + 700) / 2 = 600 s → 0.23 × 1 × 730 × 600 / 3600 = 27.983333
        _monitor("hourly", "cron(0 * ? * * *)", 3600, one, ep, [500.0, 700.0]),
        # daily: 730 / 24 = 30.416667 runs × 600 s → 0.23 × 30.416667 / 6 = 1.1659722
        _monitor("daily", "cron(0 3 ? * * *)", 86400, one, ep, [600.0, None]),
        # rate(6 hours): 730 / 6 = 121.666667 runs × 900 s × 2 instances → 0.23·2·121.666667·0.25 = 13.991667
        _monitor("rate", "rate(6 hours)", None, two, ep, [900.0]),
        # no history: MaxRuntimeInSeconds 1800 s, daily, 2 instances → 0.23 × 2 × 30.416667 × 0.5 = 6.9958333
        _monitor("nohistory", "cron(0 0 ? * * *)", 86400, two, ep, []),
    ]
    view = cost_view(_inventory(monitors, [one, two], [ep]))
    costs = {c.monitor_name: c for c in view.monitors}
    assert costs["hourly"].runs_per_month == pytest.approx(730)
    assert costs["hourly"].mean_run_seconds == pytest.approx(600)
    assert costs["hourly"].monthly_usd == pytest.approx(27.983333, abs=1e-6)
    assert costs["daily"].runs_per_month == pytest.approx(30.416667, abs=1e-6)
    assert costs["daily"].mean_run_seconds == pytest.approx(600)  # the job without an end is not counted
    assert costs["daily"].monthly_usd == pytest.approx(1.1659722, abs=1e-6)
    assert costs["rate"].runs_per_month == pytest.approx(121.666667, abs=1e-6)
    assert costs["rate"].monthly_usd == pytest.approx(13.991667, abs=1e-6)
    assert costs["nohistory"].monthly_usd == pytest.approx(6.9958333, abs=1e-6)
    assert costs["nohistory"].upper_bound is True
    assert "MaxRuntimeInSeconds" in costs["nohistory"].duration_basis
    assert costs["hourly"].upper_bound is False
    total = 27.983333 + 1.1659722 + 13.991667 + 6.9958333
    assert view.total_usd == pytest.approx(total, abs=1e-5)
    assert view.by_account == {ACCOUNT: pytest.approx(total, abs=1e-5)}
    assert view.by_endpoint == {f"{ACCOUNT}/{REGION}/ep": pytest.approx(total, abs=1e-5)}
    assert view.by_monitor_type == {"DataQuality": pytest.approx(total, abs=1e-5)}
    assert view.wasted_usd == 0.0
    assert view.unestimated == 0


def test_wasted_cost_is_shown_separately() -> None:
    ok, stopped = _endpoint("ok"), _endpoint("stopped", status="OutOfService")
    d = _definition("d")
    monitors = [
        _monitor("healthy", "cron(0 * ? * * *)", 3600, d, ok, [600.0], endpoint_name="ok"),
        _monitor("orphan", "cron(0 * ? * * *)", 3600, d, None, [600.0], endpoint_name="gone"),
        _monitor("stopped-ep", "cron(0 * ? * * *)", 3600, d, stopped, [600.0], endpoint_name="stopped"),
        _monitor(
            "failing", "cron(0 * ? * * *)", 3600, d, ok, [600.0, 600.0], endpoint_name="ok", failed=True
        ),
    ]
    view = cost_view(_inventory(monitors, [d], [ok, stopped]))
    hourly = 27.983333
    assert {c.monitor_name: c.waste for c in view.monitors} == {
        "healthy": None,
        "orphan": Waste.ORPHAN,
        "stopped-ep": Waste.NOT_SERVING,
        "failing": Waste.FAILING,
    }
    assert view.total_usd == pytest.approx(4 * hourly, abs=1e-5)
    assert view.wasted_usd == pytest.approx(3 * hourly, abs=1e-5)
    assert set(view.wasted_by_reason) == {Waste.ORPHAN, Waste.NOT_SERVING, Waste.FAILING}


def test_one_time_stopped_and_uncountable_schedules() -> None:
    ep, d = _endpoint("ep"), _definition("d")
    monitors = [
        _monitor("once", "NOW", None, d, ep, [600.0]),
        _monitor("stopped", "cron(0 * ? * * *)", 3600, d, ep, [600.0], status="Stopped"),
        _monitor("weekdays", "cron(0 9 ? * MON-FRI *)", None, d, ep, [600.0]),
    ]
    view = cost_view(_inventory(monitors, [d], [ep]))
    costs = {c.monitor_name: c for c in view.monitors}
    assert costs["once"].monthly_usd == 0.0 and "one-time" in costs["once"].runs_basis
    assert costs["stopped"].monthly_usd == 0.0
    assert costs["weekdays"].monthly_usd is None and "no fixed interval" in costs["weekdays"].note
    assert view.unestimated == 1


def test_a_missing_price_or_definition_is_not_estimated() -> None:
    ep = _endpoint("ep")
    d = _definition("d")
    other = _definition("other")
    other.instance_type = "ml.p4d.24xlarge"
    monitors = [
        _monitor("noprice", "cron(0 * ? * * *)", 3600, other, ep, [600.0]),
        _monitor("nodef", "cron(0 * ? * * *)", 3600, d, ep, [600.0]),
    ]
    view = cost_view(_inventory(monitors, [other], [ep]))
    costs = {c.monitor_name: c for c in view.monitors}
    assert costs["noprice"].monthly_usd is None and "no price for ml.p4d.24xlarge" in costs["noprice"].note
    assert costs["nodef"].monthly_usd is None and "job definition not read" in costs["nodef"].note
    assert view.unestimated == 2 and view.total_usd == 0.0


@pytest.mark.parametrize(
    ("expression", "interval", "runs"),
    [
        ("cron(0 * ? * * *)", 3600, 730.0),
        ("cron(0 */4 ? * * *)", 4 * 3600, 182.5),
        ("rate(30 minutes)", None, 1460.0),
        ("rate(1 day)", None, 730 / 24),
        ("NOW", None, 0.0),
        (None, None, None),
    ],
)
def test_runs_per_month(expression: str | None, interval: int | None, runs: float | None) -> None:
    assert runs_per_month(expression, interval)[0] == (pytest.approx(runs) if runs is not None else None)


def test_bundled_table_is_dated_and_a_file_overrides_it(tmp_path: Path) -> None:
    table, description = load_price_table()
    assert table["us-east-1"]["ml.m5.xlarge"] > 0
    assert description.startswith("bundled table dated 20")
    override = tmp_path / "prices.json"
    override.write_text(json.dumps({"date": "2026-01-01", "prices": {"us-east-1": {"ml.m5.xlarge": 0.5}}}))
    found, lacking = table_prices([("us-east-1", "ml.m5.xlarge"), ("us-east-1", "ml.x.none")], override)
    assert [(p.usd_per_hour, p.source) for p in found] == [(0.5, PriceSource.FILE)]
    assert "dated 2026-01-01" in found[0].detail
    assert lacking == [("us-east-1", "ml.x.none")]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"prices": {"us-east-1": {"ml.m5.xlarge": "cheap"}}}))
    with pytest.raises(InputError):
        load_price_table(bad)
