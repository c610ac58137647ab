"""The collectors: one module per collected resource kind, in the order they run in each region.

Each module declares the kind it fills (``KIND``), the API operations it calls (``OPERATIONS``: the
read-only guard and ``auditor iam-policy`` are derived from them), the kinds whose collectors must have
finished before it reads what they left (``NEEDS``: only kinds listed before it here) and
``collect(ctx)``, which returns its resources. The collectors of one (account, region) run at the same
time; each waits (``ctx.of(kind)`` / ``ctx.after(kind)``) only where it reads a kind it needs. A test
holds this tuple equal to the collected kinds of ``auditor.inventory.kinds.KINDS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from auditor.inventory.model import ResourceKind
from auditor.scan import (
    cloudwatch_alarms,
    endpoints,
    event_rules,
    job_definitions,
    monitoring_schedules,
    scheduler_schedules,
    sns_topics,
)
from auditor.scan.context import RegionContext
from auditor.scan.guard import Operation


class Collector(Protocol):
    """What a collector module provides."""

    KIND: ResourceKind
    OPERATIONS: tuple[Operation, ...]
    NEEDS: tuple[ResourceKind, ...]

    def collect(self, ctx: RegionContext) -> Sequence[Any]: ...


# In dependency order (each NEEDS only kinds above it): schedules need Search's endpoint records,
# definitions the schedules (the listed ones are described before), alarms' metrics the monitors with
# their definitions (and a targeted scan's alarms the selected endpoints), topics are those the alarms
# and the rules name; rules and the Scheduler schedules (read for the replacement recognisers) need nothing.
COLLECTORS: tuple[Collector, ...] = (
    endpoints,
    monitoring_schedules,
    job_definitions,
    cloudwatch_alarms,
    event_rules,
    sns_topics,
    scheduler_schedules,
)
