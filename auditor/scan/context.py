"""What the collectors of one (account, region) share: the API, the options, the target, what earlier
collectors produced, and what the Search fast path handed on.

The collectors of one (account, region) run at the same time (``auditor.scan.region``); each reads
what the collectors of the kinds it ``NEEDS`` left here (the endpoint collector's Search records carry
the schedules, the schedule collector leaves the embedded job definitions for the job-definition
collector) and returns its own kind. ``of(kind)`` / ``after(kind)`` wait until the collector of
``kind`` has finished, so a collector calls them just before it uses what that collector left (it can
make its own independent calls first), and may only name the kinds it declared.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from auditor.inventory.model import (
    Dataset,
    DatasetStatus,
    Disagreement,
    JobDefinition,
    MonitoringAlert,
    ResourceKind,
    SearchDisagreement,
    Target,
)
from auditor.scan.clients import RegionApi
from auditor.scan.options import ScanOptions

_CURRENT = threading.local()  # ``needs``: the kinds the collector running in this thread declared

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class ScheduleInput:
    """A schedule record (Search's or DescribeMonitoringSchedule's), its tags (None: unreadable) and
    the datasets missing for it."""

    record: dict[str, Any]
    tags: dict[str, str] | None
    missing: list[Dataset] = field(default_factory=list)


@dataclass
class RegionContext:
    """One (account, region) being collected."""

    api: RegionApi
    options: ScanOptions
    target: Target
    resources: dict[ResourceKind, list[Any]] = field(default_factory=dict)  # by kind, as collected
    search_fallback: str | None = None  # why the fast path was not used, when it was asked for
    disagreements: list[SearchDisagreement] = field(default_factory=list)
    # Handed on by the endpoint collector: schedules Search returned inline, and the names of the
    # endpoints whose record came from Search.
    searched_schedules: dict[str, ScheduleInput] = field(default_factory=dict)
    endpoints_from_search: set[str] = field(default_factory=set)
    selected_endpoints: set[str] = field(default_factory=set)  # the endpoints a targeted scan kept
    # Model Monitor's own alerts by schedule name, from Search(Resource='Model'); None: not read.
    model_alerts: dict[str, list[MonitoringAlert]] | None = None
    # Handed on by the schedule collector: the definitions embedded in schedules.
    embedded_definitions: list[JobDefinition] = field(default_factory=list)
    # Set by ``auditor.scan.region`` while collectors run: one event per kind, set when its collector
    # has finished (empty when a collector is called on its own, e.g. in a test: nothing to wait for).
    finished: dict[ResourceKind, threading.Event] = field(default_factory=dict)
    # Set once the collector of a kind has handed on what it leaves in the fields above (at the latest
    # when it has finished): the endpoint collector does after its listings, before describing configs.
    handed: dict[ResourceKind, threading.Event] = field(default_factory=dict)

    def after(self, kind: ResourceKind) -> None:
        """Wait until the collector of ``kind`` has finished (and everything it hands on is here).

        A collector may only wait for the kinds in its ``NEEDS`` (declared, and earlier in
        ``COLLECTORS``: that order is what keeps the waits free of cycles)."""
        self._wait(kind, self.finished)

    def handed_on(self, kind: ResourceKind) -> None:
        """Wait until the collector of ``kind`` has handed on what it leaves in this context's fields
        (not its resources: use ``of`` for those). Same rule as ``after``."""
        self._wait(kind, self.handed)

    def hand_on(self, kind: ResourceKind) -> None:
        """Called by the collector of ``kind``: what it hands on in this context's fields is complete."""
        event = self.handed.get(kind)
        if event is not None:
            event.set()

    def _wait(self, kind: ResourceKind, events: dict[ResourceKind, threading.Event]) -> None:
        needs: tuple[ResourceKind, ...] | None = getattr(_CURRENT, "needs", None)
        if needs is not None and kind not in needs:
            raise RuntimeError(f"a collector read {kind.value} without declaring it in NEEDS")
        event = events.get(kind)
        if event is not None:
            event.wait()

    def of(self, kind: ResourceKind) -> list[Any]:
        """What the collector of ``kind`` produced, once it has finished (see ``after``)."""
        self.after(kind)
        return self.resources.get(kind, [])

    def failed(self, dataset: Dataset) -> None:
        """Mark a dataset of this target as failed: data is missing or partial (fail closed)."""
        self.target.datasets[dataset] = DatasetStatus.FAILED

    def disagree(self, dataset: Dataset, name: str, kind: Disagreement, detail: str) -> None:
        """Record that Search disagreed with the authoritative calls about one resource."""
        self.disagreements.append(
            SearchDisagreement(self.target.account_id, self.target.region, dataset, name, kind, detail)
        )

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """Run ``fn`` over ``items`` with bounded concurrency (errors are recorded inside ``fn``)."""
        items = list(items)
        if len(items) <= 1:
            return [fn(i) for i in items]
        # As many threads as the adaptive limit may grow to; the limit itself decides how many call.
        with ThreadPoolExecutor(max_workers=min(len(items), self.api.runtime.max_concurrency)) as pool:
            return list(pool.map(fn, items))


def declare_needs(needs: tuple[ResourceKind, ...] | None) -> None:
    """Record (None: clear) the kinds the collector about to run in this thread may wait for."""
    _CURRENT.needs = needs
