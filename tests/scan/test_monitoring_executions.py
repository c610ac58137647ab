"""The arithmetic of reading execution histories: one call per schedule, or one per 100 executions."""

from __future__ import annotations

from datetime import timedelta

from auditor.inventory.model import Monitor, MonitorType
from auditor.scan.monitoring_executions import HISTORY_SIZE, plan, window_of

HOUR = 3600


def _monitor(name: str, interval: int | None) -> Monitor:
    return Monitor(
        arn=f"arn:aws:sagemaker:us-east-1:111111111111:monitoring-schedule/{name}",
        name=name,
        account_id="111111111111",
        region="us-east-1",
        monitor_type=MonitorType.DATA_QUALITY,
        status="Scheduled",
        interval_seconds=interval,
        endpoint_name="ep",
    )


def test_window_is_history_size_intervals_plus_the_late_start() -> None:
    assert HISTORY_SIZE == 12
    assert window_of(_monitor("h", HOUR)) == timedelta(hours=12, minutes=20)
    assert window_of(_monitor("now", None)) is None


def test_forty_hourly_schedules_are_read_region_wide() -> None:
    chosen = plan([_monitor(f"m{i}", HOUR) for i in range(40)])
    # 12 h 20 min holds 13 runs of each: 520 executions, 6 pages of 100, against 40 calls one by one
    assert (chosen.region_wide, chosen.region_wide_calls, chosen.per_schedule_calls) == (True, 6, 40)


def test_one_daily_schedule_widens_the_window_so_one_by_one_wins() -> None:
    chosen = plan([_monitor(f"m{i}", HOUR) for i in range(40)] + [_monitor("daily", 24 * HOUR)])
    # 12 days 20 min: 289 runs per hourly schedule, 40 x 289 + 13 = 11 573 executions, 116 pages
    assert (chosen.region_wide, chosen.region_wide_calls, chosen.per_schedule_calls) == (False, 116, 41)


def test_a_schedule_without_interval_is_read_one_by_one() -> None:
    chosen = plan([_monitor(f"m{i}", HOUR) for i in range(10)] + [_monitor("once", None)])
    assert (chosen.region_wide, chosen.region_wide_calls) == (False, None)


def test_a_single_schedule_is_one_call_either_way_and_read_one_by_one() -> None:
    assert plan([_monitor("only", HOUR)]).region_wide is False
    assert plan([]).per_schedule_calls == 0
