"""The collectors: one module per collected resource kind, in the order they run in each region.

Each module declares the kind it fills (``KIND``), the API operations it calls (``OPERATIONS``: the
read-only guard and ``auditor iam-policy`` are derived from them) and ``collect(ctx)``, which reads
what the collectors before it left in the ``RegionContext`` and returns its resources. A test holds
this tuple equal to the collected kinds of ``auditor.inventory.kinds.KINDS``.
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
    sns_topics,
)
from auditor.scan.context import RegionContext
from auditor.scan.guard import Operation


class Collector(Protocol):
    """What a collector module provides."""

    KIND: ResourceKind
    OPERATIONS: tuple[Operation, ...]

    def collect(self, ctx: RegionContext) -> Sequence[Any]: ...


# In dependency order: schedules need Search's endpoint records, definitions need the schedules,
# alarms of a targeted scan need the selected endpoints and their schedules, topics are those the alarms
# and the rules name.
COLLECTORS: tuple[Collector, ...] = (
    endpoints,
    monitoring_schedules,
    job_definitions,
    cloudwatch_alarms,
    event_rules,
    sns_topics,
)
