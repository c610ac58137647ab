"""Adaptive concurrency per (account, region, service, operation): AIMD, as TCP finds a link's capacity.

AWS throttles each operation on its own, so each (account, region, service, operation) -- or each
(account, region, service) when ``auditor.scan.clients.PACE_PER_OPERATION`` is off -- starts with
``initial`` calls in flight and grows by one each time as many calls as the current limit have
succeeded without a throttle (additive increase: about one step per round trip), up to ``maximum``.
A throttled attempt -- botocore reports it before retrying -- halves the limit (multiplicative
decrease, never below 1), at most once per round of calls, so one burst of throttles counts as one
signal. botocore's retries (back-off) and its adaptive client-side rate limiter, one per operation
(``clients.OperationPacer``), then space the calls that were refused.

Concurrency cannot hold a call rate below one call per latency; that is what botocore's client-side
rate limiter is for. The limiter here keeps the number in flight where the service answers without
throttling, and lets it grow where the service has room (e.g. CloudWatch allows more than SageMaker).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Defaults (see docs/multi-account.md, "Concurrency and rate limits"): start where the fixed limit was,
# never exceed what one (account, region, service) can plausibly serve without throttling.
INITIAL_CONCURRENCY = 4
MAX_CONCURRENCY = 16

# Error codes that mean "slow down" (botocore's standard retry mode's throttling codes, DOMAIN §5).
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)


class AdaptiveLimit:
    """An AIMD bound on the calls in flight for one (account, region, service). Thread-safe."""

    def __init__(self, initial: int = INITIAL_CONCURRENCY, maximum: int = MAX_CONCURRENCY) -> None:
        if not 1 <= initial <= maximum:
            raise ValueError("need 1 <= initial <= maximum")
        self.maximum = maximum
        self._limit = float(initial)
        self._in_flight = 0
        self._successes = 0
        self._started = 0  # calls started so far
        self._decreased_at = -1  # ``_started`` when the limit was last halved
        self._cond = threading.Condition()
        self.throttles = 0
        self.peak = initial  # the highest limit reached (reported by the benchmarks)

    @property
    def limit(self) -> int:
        with self._cond:
            return int(self._limit)

    @contextmanager
    def slot(self) -> Iterator[int]:
        """Hold one of the limit's places for a call; yields the call's sequence number."""
        with self._cond:
            while self._in_flight >= int(self._limit):
                self._cond.wait()
            self._in_flight += 1
            self._started += 1
            ticket = self._started
        try:
            yield ticket
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify()

    def succeeded(self) -> None:
        """A call finished without being throttled on its last attempt: additive increase."""
        with self._cond:
            self._successes += 1
            if self._successes >= int(self._limit) and self._limit < self.maximum:
                self._limit += 1
                self._successes = 0
                self.peak = max(self.peak, int(self._limit))
                self._cond.notify()

    def throttled(self, ticket: int) -> None:
        """An attempt of call ``ticket`` was throttled: halve the limit, once per round of calls (the
        calls already in flight when it was halved do not halve it again)."""
        with self._cond:
            self.throttles += 1
            self._successes = 0
            if ticket <= self._decreased_at:
                return
            self._limit = max(1.0, self._limit / 2)
            self._decreased_at = self._started


def is_throttle(code: str | None) -> bool:
    """Whether an AWS error code means "slow down"."""
    return code in THROTTLING_CODES
