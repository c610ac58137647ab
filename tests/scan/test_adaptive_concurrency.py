"""Adaptive concurrency: the AIMD limit per (account, region, service, operation) grows while calls
succeed and halves on throttling; a scan against the rate-limited local AWS finishes complete, equal to an
unthrottled one, although the local AWS throttled it."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pytest

from auditor.api import scan
from auditor.emulator import Estate, LocalAws, build_estate
from auditor.emulator.estate import unseeded_errors
from auditor.emulator.ratelimits import RateLimits
from auditor.inventory import store
from auditor.inventory.model import DatasetStatus, Inventory
from auditor.scan.clients import Runtime
from auditor.scan.limiter import AdaptiveLimit, is_throttle
from auditor.scan.options import ScanOptions


def test_additive_increase_per_round_of_successes() -> None:
    limit = AdaptiveLimit(initial=2, maximum=4)
    for _ in range(2):
        with limit.slot():
            pass
        limit.succeeded()
    assert limit.limit == 3  # two successes at limit 2: one step
    for _ in range(3):
        limit.succeeded()
    assert limit.limit == 4
    for _ in range(20):
        limit.succeeded()
    assert limit.limit == 4 and limit.peak == 4  # never above the maximum


def test_multiplicative_decrease_once_per_round() -> None:
    limit = AdaptiveLimit(initial=8, maximum=16)
    tickets = []
    for _ in range(3):
        with limit.slot() as ticket:
            tickets.append(ticket)
    for ticket in tickets:  # three calls of the same round throttled: one halving
        limit.throttled(ticket)
    assert limit.limit == 4 and limit.throttles == 3
    with limit.slot() as later:
        pass
    limit.throttled(later)  # a call started after the halving: halves again
    assert limit.limit == 2
    for _ in range(5):
        with limit.slot() as ticket:
            pass
        limit.throttled(ticket)
    assert limit.limit == 1  # never below one


def test_the_limit_bounds_calls_in_flight() -> None:
    limit = AdaptiveLimit(initial=3, maximum=3)
    in_flight, peak, lock = [0], [0], threading.Lock()

    def call() -> None:
        with limit.slot():
            with lock:
                in_flight[0] += 1
                peak[0] = max(peak[0], in_flight[0])
            time.sleep(0.01)
            with lock:
                in_flight[0] -= 1

    threads = [threading.Thread(target=call) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 3


def test_throttling_codes() -> None:
    assert is_throttle("ThrottlingException") and is_throttle("Throttling")
    assert is_throttle("TooManyRequestsException")
    assert not is_throttle("AccessDeniedException") and not is_throttle(None)


@pytest.fixture(scope="module")
def estate_aws() -> Iterator[tuple[LocalAws, Estate]]:
    with LocalAws.start() as aws:
        aws.reset()
        yield aws, build_estate(aws)


def _body(inventory: Inventory) -> str:
    return re.sub(r'"metadata": \{.*?\n  \},\n', "", store.dumps(inventory), flags=re.DOTALL)


@pytest.mark.parametrize("per_operation", [True, False])
def test_a_throttled_operation_halves_only_its_own_limit(per_operation: bool) -> None:
    # AWS's buckets are per (account, region, operation): a throttled DescribeEndpointConfig says
    # nothing about the job-definition describes of the same service (unless pacing per client).
    runtime = Runtime(allowed=(), endpoint_url=None, per_service_concurrency=4, per_operation=per_operation)
    configs = runtime.limit("111111111111", "eu-west-1", "sagemaker", "DescribeEndpointConfig")
    definitions = runtime.limit("111111111111", "eu-west-1", "sagemaker", "DescribeDataQualityJobDefinition")
    with configs.slot() as ticket:
        configs.throttled(ticket)
    assert configs.limit == 2
    assert definitions.limit == (4 if per_operation else 2)
    assert runtime.config.retries["mode"] == ("standard" if per_operation else "adaptive")


@pytest.mark.e2e
def test_a_rate_limited_scan_is_complete_and_equal(estate_aws: tuple[LocalAws, Estate]) -> None:
    aws, estate = estate_aws
    options = ScanOptions(
        org=True, role_name=estate.role_name, regions=estate.regions, endpoint_url=aws.endpoint_url
    )
    free = scan(options, session=aws.session())
    aws.faults.set_rate_limits(RateLimits(scale=0.3))  # tighter than the defaults: throttles for sure
    try:
        limited = scan(options, session=aws.session())
        throttled = aws.faults.throttled
    finally:
        aws.faults.clear()
    assert throttled > 0
    assert unseeded_errors(limited.errors) == [] and limited.errors == free.errors  # only the seeded one
    # complete, but for the listing the sample refuses on purpose (the capture bucket of another account)
    assert [t.datasets for t in limited.targets] == [t.datasets for t in free.targets]
    assert sum(s is not DatasetStatus.COMPLETE for t in limited.targets for s in t.datasets.values()) == 1
    assert _body(limited) == _body(free)
