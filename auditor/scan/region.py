"""Collect everything in one (account, region): each collector in turn, then the partial datasets."""

from __future__ import annotations

from collections.abc import Iterable
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
from auditor.scan.collectors import COLLECTORS
from auditor.scan.context import RegionContext
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
    for collector in COLLECTORS:
        ctx.resources[collector.KIND] = list(collector.collect(ctx))
    _mark_partial(target, api.errors)
    for items in ctx.resources.values():
        items.sort(key=lambda r: r.arn)
    return RegionResult(target, ctx.resources, ctx.search_fallback, ctx.disagreements)


def _mark_partial(target: Target, errors: Iterable[ScanError]) -> None:
    """A dataset whose only errors concern single resources -- each kept with the dataset in its
    ``missing`` -- is PARTIAL (not COMPLETE: something could not be read); a FAILED one stays FAILED."""
    for error in errors:
        dataset = error.dataset
        if dataset is not None and error.resource is not None and target.datasets.get(dataset) is COMPLETE:
            target.datasets[dataset] = DatasetStatus.PARTIAL
