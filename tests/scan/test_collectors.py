"""One collector per collected resource kind: the descriptors and the collectors agree, and every
collector declares the operations it calls (the guard and the IAM policy are derived from them)."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

from auditor.inventory.kinds import KINDS, collected_kinds
from auditor.inventory.model import ResourceKind, Target
from auditor.scan.clients import RegionApi, Runtime
from auditor.scan.collectors import COLLECTORS
from auditor.scan.context import RegionContext
from auditor.scan.guard import Operation
from auditor.scan.options import ScanOptions
from auditor.scan.permissions import SCANNER_MODULES, declared_operations
from auditor.scan.region import run_collectors


def test_every_collected_kind_has_exactly_one_collector() -> None:
    kinds = [c.KIND for c in COLLECTORS]
    assert len(kinds) == len(set(kinds))
    assert set(kinds) == set(collected_kinds())
    assert all(not s.collected or s.kind in kinds for s in KINDS)


def test_collectors_run_in_declaration_order() -> None:
    # A kind is declared after the kinds its collector reads (the descriptor list is dependency-ordered).
    assert [c.KIND for c in COLLECTORS] == list(collected_kinds())


def test_every_collector_declares_its_operations_and_they_reach_the_guard() -> None:
    declared = set(declared_operations())
    for collector in COLLECTORS:
        assert collector.OPERATIONS, collector
        assert set(collector.OPERATIONS) <= declared
        assert collector in SCANNER_MODULES


def _ctx(per_service_concurrency: int = 4) -> RegionContext:
    runtime = Runtime(allowed=(), endpoint_url=None, per_service_concurrency=per_service_concurrency)
    api = RegionApi(runtime, boto3.Session(region_name="eu-west-1"), "111111111111", "eu-west-1")
    return RegionContext(api=api, options=ScanOptions(), target=Target("111111111111", "eu-west-1"))


def test_a_collector_needs_only_kinds_collected_before_it() -> None:
    # The collectors of a region run at once and wait for what they need: needing only earlier kinds
    # keeps those waits free of cycles (no region can deadlock).
    seen: set[ResourceKind] = set()
    for collector in COLLECTORS:
        assert set(collector.NEEDS) <= seen, collector
        seen.add(collector.KIND)


def test_reading_an_undeclared_kind_is_refused_not_raced() -> None:
    ctx = _ctx()

    class Greedy:
        KIND = ResourceKind.TOPIC
        OPERATIONS: tuple[Operation, ...] = ()
        NEEDS: tuple[ResourceKind, ...] = (ResourceKind.ALARM,)

        @staticmethod
        def collect(ctx: RegionContext) -> list[Any]:
            return ctx.of(ResourceKind.ENDPOINT)

    with pytest.raises(RuntimeError, match="endpoint without declaring it in NEEDS"):
        run_collectors(ctx, (Greedy(),))


def test_a_collector_waits_for_what_it_needs_and_a_failure_releases_the_waiters() -> None:
    order: list[str] = []

    class Slow:
        KIND = ResourceKind.ENDPOINT
        OPERATIONS: tuple[Operation, ...] = ()
        NEEDS: tuple[ResourceKind, ...] = ()

        @staticmethod
        def collect(ctx: RegionContext) -> list[Any]:
            time.sleep(0.2)
            order.append("endpoints")
            raise ValueError("boom")

    class Waiting:
        KIND = ResourceKind.MONITOR
        OPERATIONS: tuple[Operation, ...] = ()
        NEEDS: tuple[ResourceKind, ...] = (ResourceKind.ENDPOINT,)

        @staticmethod
        def collect(ctx: RegionContext) -> list[Any]:
            order.append("monitors started")
            found = ctx.of(ResourceKind.ENDPOINT)
            order.append("monitors read")
            return found

    ctx = _ctx()
    with pytest.raises(ValueError, match="boom"):
        run_collectors(ctx, (Slow(), Waiting()))
    assert order == ["monitors started", "endpoints", "monitors read"]
    assert ctx.resources[ResourceKind.MONITOR] == []
