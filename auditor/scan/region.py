"""Collect everything in one (account, region): its collectors at the same time, then the partial datasets.

Every collector gets a thread of its own from the start and waits (``RegionContext.after``) only where
it reads what a collector it ``NEEDS`` left: SageMaker's, CloudWatch's and EventBridge's calls overlap,
and so do the independent calls of one service (job-definition listings need no endpoints). Each
kind's resources are sorted by ARN and the orchestrator sorts errors and disagreements, so the
inventory does not depend on which call finished first.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from auditor.inventory.model import (
    Dataset,
    DatasetStatus,
    ResourceKind,
    ScanError,
    SearchDisagreement,
    Target,
)
from auditor.scan.clients import RegionApi
from auditor.scan.collectors import COLLECTORS, Collector
from auditor.scan.context import RegionContext, declare_needs
from auditor.scan.options import ScanOptions

COMPLETE = DatasetStatus.COMPLETE


@dataclass
class RegionResult:
    """What one (account, region) yielded."""

    target: Target
    resources: dict[ResourceKind, list[Any]] = field(default_factory=dict)  # by kind, sorted by ARN
    search_fallback: str | None = None  # why the fast path was not used, when it was asked for
    disagreements: list[SearchDisagreement] = field(default_factory=list)


def scan_region(api: RegionApi, options: ScanOptions) -> RegionResult:
    """Collect one (account, region). AWS errors are recorded on ``api.errors``; never raises for them."""
    target = Target(
        account_id=api.account_id, region=api.region, datasets={d: DatasetStatus.COMPLETE for d in Dataset}
    )
    ctx = RegionContext(api=api, options=options, target=target)
    run_collectors(ctx, COLLECTORS)
    _mark_partial(target, api.errors)
    for items in ctx.resources.values():
        items.sort(key=lambda r: r.arn)
    return RegionResult(target, ctx.resources, ctx.search_fallback, ctx.disagreements)


def run_collectors(ctx: RegionContext, collectors: tuple[Collector, ...]) -> None:
    """Run ``collectors`` at once, each in its own thread (one may wait for another, so none may wait
    for a free thread), and store what each returns; re-raise the first failure in their order.
    With one call per service at a time they run one after another, in their order."""
    ctx.finished = {c.KIND: threading.Event() for c in collectors}
    ctx.handed = {c.KIND: threading.Event() for c in collectors}

    def run(collector: Collector) -> None:
        declare_needs(collector.NEEDS)
        try:
            ctx.resources[collector.KIND] = list(collector.collect(ctx))
        finally:
            declare_needs(None)
            ctx.hand_on(collector.KIND)  # a failed collector must not leave the others waiting
            ctx.finished[collector.KIND].set()

    if ctx.api.runtime.per_service_concurrency == 1:
        # One call at a time per service: one collector at a time too, so the calls come in a fixed
        # order (what a gentle scan asks for, and what the Stubber contract tests rely on).
        for collector in collectors:
            run(collector)
        return
    with ThreadPoolExecutor(max_workers=len(collectors), thread_name_prefix="collector") as pool:
        futures = [pool.submit(run, c) for c in collectors]
    for future in futures:
        future.result()


def _mark_partial(target: Target, errors: Iterable[ScanError]) -> None:
    """A dataset whose only errors concern single resources -- each kept with the dataset in its
    ``missing`` -- is PARTIAL (not COMPLETE: something could not be read); a FAILED one stays FAILED."""
    for error in errors:
        dataset = error.dataset
        if dataset is not None and error.resource is not None and target.datasets.get(dataset) is COMPLETE:
            target.datasets[dataset] = DatasetStatus.PARTIAL
