"""The estimated monthly cost of each monitoring schedule, and where it is wasted.

Per schedule::

    monthly USD = price per instance-hour × instance count × runs per month × mean run hours

* **runs per month** from the schedule expression, over an AWS billing month of 730 hours:
  hourly ``cron(0 * ? * * *)`` → 730; every N hours ``cron(0 */N ? * * *)`` → 730 / N; daily
  ``cron(0 H ? * * *)`` → 730 / 24 = 30.42; ``rate(N minutes|hours|days)`` → 730 h / its period;
  ``NOW`` (a one-time run) → 0 (it does not recur: its run is not a monthly cost); a ``Stopped``
  schedule → 0; anything else (day-of-week crons, unparsable) → not estimated, said so.
* **mean run duration**: the mean of ``ProcessingEndTime − CreationTime`` over the processing jobs of
  the schedule's recent executions (read by the scanner); with none, the job definition's
  ``MaxRuntimeInSeconds`` as an upper bound (the estimate is then a ceiling, and says so).
* **price and count**: the job definition's ``ClusterConfig`` instance type and count; the price from
  the inventory's ``Pricing`` (the Price List API, a config-named table, or the bundled table).

Worked example (tested): an hourly schedule on one ``ml.m5.xlarge`` at $0.23/h whose jobs ran 600 s on
average costs 0.23 × 1 × 730 × (600 / 3600) = $27.98 a month; the same schedule daily costs
0.23 × 1 × 30.4167 × (600 / 3600) = $1.17.

**Wasted** cost is shown separately: a schedule whose endpoint does not exist (orphan), whose endpoint
is not in service (``OutOfService``, ``Failed``, ``Deleting``), or whose every recent run failed.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from auditor.errors import InputError
from auditor.fileio import read_text
from auditor.inventory.model import (
    Endpoint,
    InstancePrice,
    Inventory,
    JobDefinition,
    Monitor,
    PriceSource,
    Pricing,
)

HOURS_PER_MONTH = 730.0  # the AWS billing convention (8 760 h / 12)
BUNDLED_TABLE = Path(__file__).parent / "data" / "processing_prices.json"
NOT_SERVING = frozenset({"OutOfService", "Failed", "Deleting"})

_RATE = re.compile(r"rate\(\s*(?P<n>\d+)\s+(?P<unit>minutes?|hours?|days?)\s*\)", re.IGNORECASE)
_UNIT_HOURS = {"minute": 1 / 60, "hour": 1.0, "day": 24.0}


class Waste:
    """Why a schedule's cost is wasted (plain strings, shown in the reports)."""

    ORPHAN = "orphan schedule (its endpoint does not exist)"
    NOT_SERVING = "endpoint not in service"
    FAILING = "every recent run failed"


@dataclass(slots=True)
class MonitorCost:
    """One schedule's estimate, with every factor and where it came from."""

    monitor_arn: str
    monitor_name: str
    account_id: str
    region: str
    endpoint_name: str | None
    monitor_type: str | None
    schedule_expression: str | None
    runs_per_month: float | None
    runs_basis: str
    mean_run_seconds: float | None
    duration_basis: str
    instance_type: str | None
    instance_count: int | None
    usd_per_hour: float | None
    price_source: str | None
    monthly_usd: float | None  # None: not estimated (``note`` says which factor is missing)
    upper_bound: bool = False  # the duration is MaxRuntimeInSeconds, not measured
    waste: str | None = None
    note: str = ""


@dataclass(slots=True)
class CostView:
    """Every schedule's estimate and the totals (of estimated schedules; ``unestimated`` counts the rest)."""

    monitors: list[MonitorCost] = field(default_factory=list)
    total_usd: float = 0.0
    by_account: dict[str, float] = field(default_factory=dict)
    by_endpoint: dict[str, float] = field(default_factory=dict)  # "account/region/endpoint"
    by_monitor_type: dict[str, float] = field(default_factory=dict)
    wasted_usd: float = 0.0
    wasted_by_reason: dict[str, float] = field(default_factory=dict)
    unestimated: int = 0
    price_sources: list[str] = field(default_factory=list)  # which sources the prices came from
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- price tables


def load_price_table(path: Path | None = None) -> tuple[dict[str, dict[str, float]], str]:
    """The prices of a table file (``{"date", "source", "prices": {region: {type: usd}}}``) and its
    description; the bundled table when ``path`` is None. A malformed file is an InputError naming it."""
    source = str(path) if path is not None else str(BUNDLED_TABLE)
    try:
        data = json.loads(read_text(path or BUNDLED_TABLE, "price_table"))
    except json.JSONDecodeError as exc:
        raise InputError(source, f"not JSON: {exc}") from exc
    prices = data.get("prices") if isinstance(data, dict) else None
    if not isinstance(prices, dict) or not all(
        isinstance(types, dict)
        and all(isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in types.values())
        for types in prices.values()
    ):
        raise InputError(source, 'expected {"prices": {region: {instance type: USD per hour}}}')
    date = data.get("date", "undated")
    origin = data.get("source", "")
    label = f"{'bundled table' if path is None else f'price table {path}'} dated {date}"
    return (
        {str(r): {str(t): float(v) for t, v in types.items()} for r, types in prices.items()},
        f"{label}: {origin}" if origin else label,
    )


def table_prices(
    wanted: Iterable[tuple[str, str]], path: Path | None = None
) -> tuple[list[InstancePrice], list[tuple[str, str]]]:
    """The prices of ``wanted`` (region, instance type) from a table: found ones, and the ones it lacks."""
    table, description = load_price_table(path)
    source = PriceSource.BUNDLED if path is None else PriceSource.FILE
    found, lacking = [], []
    for region, instance_type in sorted(set(wanted)):
        usd = table.get(region, {}).get(instance_type)
        if usd is None:
            lacking.append((region, instance_type))
        else:
            found.append(InstancePrice(region, instance_type, usd, source, description))
    return found, lacking


def wanted_prices(inventory: Inventory) -> list[tuple[str, str]]:
    """The (region, instance type) pairs of the job definitions the schedules run."""
    return sorted({(d.region, d.instance_type) for d in inventory.job_definitions if d.instance_type})


# --------------------------------------------------------------------------- the arithmetic


def runs_per_month(expression: str | None, interval_seconds: int | None) -> tuple[float | None, str]:
    """Runs per 730-hour month and how they were counted; None when the expression is not countable."""
    if interval_seconds:
        return HOURS_PER_MONTH * 3600 / interval_seconds, f"every {interval_seconds / 3600:g} h"
    text = (expression or "").strip()
    if text.upper() == "NOW":
        return 0.0, "one-time (NOW): not a recurring cost"
    rate = _RATE.fullmatch(text)
    if rate is not None and int(rate.group("n")) > 0:
        hours = int(rate.group("n")) * _UNIT_HOURS[rate.group("unit").lower().rstrip("s")]
        return HOURS_PER_MONTH / hours, f"every {hours:g} h (rate)"
    if not text:
        return None, "no schedule expression"
    return None, f"schedule {text!r} has no fixed interval: not estimated"


def mean_run_seconds(monitor: Monitor, definition: JobDefinition | None) -> tuple[float | None, str, bool]:
    """Mean measured duration of recent runs, else MaxRuntimeInSeconds (an upper bound), and the basis."""
    durations = [e.processing_seconds for e in monitor.executions or [] if e.processing_seconds is not None]
    if durations:
        return sum(durations) / len(durations), f"mean of {len(durations)} recent processing jobs", False
    if definition is not None and definition.max_runtime_seconds:
        return (
            float(definition.max_runtime_seconds),
            "no measured runs: MaxRuntimeInSeconds (upper bound)",
            True,
        )
    return None, "no measured runs and no MaxRuntimeInSeconds", False


def waste_of(monitor: Monitor, endpoint: Endpoint | None) -> str | None:
    """Why this schedule's cost is wasted, or None."""
    if monitor.endpoint_name and endpoint is None:
        return Waste.ORPHAN
    if endpoint is not None and endpoint.status in NOT_SERVING:
        return Waste.NOT_SERVING
    history = monitor.execution_history
    if history is not None and history.runs > 0 and history.failed == history.runs:
        return Waste.FAILING
    return None


def estimate(
    monitor: Monitor,
    definition: JobDefinition | None,
    endpoint: Endpoint | None,
    prices: dict[tuple[str, str], InstancePrice],
) -> MonitorCost:
    """One schedule's monthly estimate (``monthly_usd`` None, with the reason in ``note``, when a factor
    is unknown)."""
    runs: float | None
    if monitor.status == "Stopped":
        runs, runs_basis = 0.0, "schedule Stopped: no runs"
    else:
        runs, runs_basis = runs_per_month(monitor.schedule_expression, monitor.interval_seconds)
    seconds, duration_basis, upper = mean_run_seconds(monitor, definition)
    instance_type = definition.instance_type if definition is not None else None
    count = definition.instance_count if definition is not None else None
    price = prices.get((monitor.region, instance_type)) if instance_type else None
    missing = []
    if runs is None:
        missing.append(runs_basis)
    if definition is None:
        missing.append("job definition not read")
    elif not instance_type or not count:
        missing.append("instance type / count unknown")
    elif price is None:
        missing.append(f"no price for {instance_type} in {monitor.region}")
    if seconds is None and runs != 0.0:
        missing.append(duration_basis)
    monthly = None
    if not missing and runs is not None and price is not None and count:
        monthly = 0.0 if runs == 0.0 else price.usd_per_hour * count * runs * (seconds or 0.0) / 3600
    return MonitorCost(
        monitor_arn=monitor.arn,
        monitor_name=monitor.name,
        account_id=monitor.account_id,
        region=monitor.region,
        endpoint_name=monitor.endpoint_name,
        monitor_type=monitor.monitor_type.value if monitor.monitor_type else None,
        schedule_expression=monitor.schedule_expression,
        runs_per_month=runs,
        runs_basis=runs_basis,
        mean_run_seconds=seconds,
        duration_basis=duration_basis,
        instance_type=instance_type,
        instance_count=count,
        usd_per_hour=price.usd_per_hour if price is not None else None,
        price_source=price.detail or price.source.value if price is not None else None,
        monthly_usd=monthly,
        upper_bound=upper and monthly is not None,
        waste=waste_of(monitor, endpoint),
        note="; ".join(missing),
    )


def _add(totals: dict[str, float], key: str, usd: float) -> None:
    totals[key] = totals.get(key, 0.0) + usd


def cost_view(inventory: Inventory) -> CostView:
    """Every schedule's estimate with totals per account, endpoint and monitor type, and the waste."""
    definitions = {d.arn: d for d in inventory.job_definitions}
    endpoints = {e.arn: e for e in inventory.endpoints}
    pricing = inventory.pricing or Pricing(notes=["prices not resolved for this inventory"])
    prices = {(p.region, p.instance_type): p for p in pricing.prices}
    view = CostView(
        notes=list(pricing.notes)
        + [f"{t.account_id}/{t.region}: {note}" for t in inventory.targets for note in t.cost_notes]
    )
    view.price_sources = sorted({p.source.value for p in pricing.prices})
    wasted: dict[str, float] = defaultdict(float)
    for monitor in sorted(inventory.monitors, key=lambda m: m.arn):
        definition = definitions.get(monitor.job_definition_arn or "")
        endpoint = endpoints.get(monitor.endpoint_arn or "")
        cost = estimate(monitor, definition, endpoint, prices)
        view.monitors.append(cost)
        if cost.monthly_usd is None:
            view.unestimated += 1
            continue
        view.total_usd += cost.monthly_usd
        _add(view.by_account, monitor.account_id, cost.monthly_usd)
        if monitor.endpoint_name:
            _add(
                view.by_endpoint,
                f"{monitor.account_id}/{monitor.region}/{monitor.endpoint_name}",
                cost.monthly_usd,
            )
        _add(view.by_monitor_type, cost.monitor_type or "unknown", cost.monthly_usd)
        if cost.waste is not None:
            view.wasted_usd += cost.monthly_usd
            wasted[cost.waste] += cost.monthly_usd
    view.wasted_by_reason = dict(sorted(wasted.items()))
    return view
