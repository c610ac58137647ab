"""API rate limits for the local AWS: a token bucket per (account, region, operation), as AWS meters
its control-plane APIs, answering an over-limit call with the service's real throttling error.

Off by default (tests and the demo never throttle); the benchmarks turn it on to measure the scanner
against the ceiling real AWS imposes. Every figure below says where it comes from:

- CloudWatch: the published quotas (CloudWatch user guide, "CloudWatch service quotas", DOMAIN §5):
  DescribeAlarms and DescribeAlarmsForMetric 9 TPS, DescribeAlarmHistory 3 TPS, ListMetrics 25 TPS,
  GetMetricData 50 TPS, GetMetricStatistics 400 TPS -- per account and region, adjustable.
- SageMaker: AWS publishes no per-API rate (DOMAIN §5). ASSUMPTION: List*/Search 2 TPS (the figure an
  SDK maintainer mentions for some List APIs, sagemaker-python-sdk#2071), every other operation
  (Describe*, ListTags is a List) 5 TPS ("low single digits").
- STS, Organizations: ASSUMPTION 20 TPS per operation (the scanner makes one AssumeRole per
  account and a few discovery calls; these only matter for very large organizations).

The burst (bucket size) is ASSUMED to be one second of the rate (never below 1): AWS does not publish
bucket sizes, and a bucket as large as the rate is the conservative choice for a lower bound.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """A token bucket: ``rate`` calls per second sustained, ``burst`` calls at once from full."""

    rate: float
    burst: float
    source: str  # "published: ..." or "assumption: ..."

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("a limit needs rate > 0 and burst >= 1")


def _limit(rate: float, source: str) -> Limit:
    return Limit(rate=rate, burst=max(1.0, rate), source=source)


_CW = "published: CloudWatch service quotas (DOMAIN §5)"
_SM_LIST = "assumption: ~2 TPS for SageMaker List APIs (sagemaker-python-sdk#2071, anecdotal)"
_SM_OTHER = "assumption: SageMaker control plane, low single-digit TPS (no published figure)"
_OTHER = "assumption: no figure used here; generous, rarely on a scan's critical path"

# "<service>:<Operation>" -> limit; then "<service>:List*" style prefixes; then the service default.
OPERATION_LIMITS: dict[str, Limit] = {
    "cloudwatch:DescribeAlarms": _limit(9, _CW),
    "cloudwatch:DescribeAlarmsForMetric": _limit(9, _CW),
    "cloudwatch:DescribeAlarmHistory": _limit(3, _CW),
    "cloudwatch:ListMetrics": _limit(25, _CW),
    "cloudwatch:GetMetricData": _limit(50, _CW),
    "cloudwatch:GetMetricStatistics": _limit(400, _CW),
}
PREFIX_LIMITS: dict[str, Limit] = {
    "sagemaker:List": _limit(2, _SM_LIST),
    "sagemaker:Search": _limit(2, _SM_LIST),
}
SERVICE_LIMITS: dict[str, Limit] = {
    "sagemaker": _limit(5, _SM_OTHER),
    "cloudwatch": _limit(9, "assumption: as DescribeAlarms (" + _CW + ")"),
    "sts": _limit(20, _OTHER),
    "organizations": _limit(20, _OTHER),
}

# The error code each service answers a throttled call with (DOMAIN §5; botocore retries all of them).
THROTTLE_CODES: dict[str, str] = {
    "sagemaker": "ThrottlingException",
    "cloudwatch": "Throttling",
    "sts": "Throttling",
    "organizations": "TooManyRequestsException",
}
DEFAULT_THROTTLE_CODE = "ThrottlingException"


@dataclass(frozen=True)
class RateLimits:
    """Which limit applies to a call. ``scale`` multiplies every rate and burst (e.g. 0.5 to model an
    account that shares its quota with other tools); ``overrides`` replace single entries."""

    scale: float = 1.0
    overrides: Mapping[str, Limit] | None = None

    def limit_for(self, service: str, operation: str) -> Limit | None:
        """The limit of ``service:operation`` (None: not limited -- a service with no entry)."""
        key = f"{service}:{operation}"
        found = (self.overrides or {}).get(key) or OPERATION_LIMITS.get(key)
        if found is None:
            found = next((lim for p, lim in PREFIX_LIMITS.items() if key.startswith(p)), None)
        if found is None:
            found = (self.overrides or {}).get(service) or SERVICE_LIMITS.get(service)
        if found is None:
            return None
        if self.scale == 1.0:
            return found
        return Limit(found.rate * self.scale, max(1.0, found.burst * self.scale), found.source)


class _Bucket:
    __slots__ = ("tokens", "updated")

    def __init__(self, tokens: float, now: float) -> None:
        self.tokens = tokens
        self.updated = now


class RateLimiter:
    """Token buckets per (account, region, service, operation); thread-safe."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str, str, str], _Bucket] = {}
        self.throttled = 0  # calls answered with a throttling error

    def admit(self, account_id: str, region: str, service: str, operation: str) -> str | None:
        """Take a token for this call; None when it may proceed, else the throttling error code."""
        limit = self.limits.limit_for(service, operation)
        if limit is None:
            return None
        key = (account_id, region, service, operation)
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(limit.burst, now)
            bucket.tokens = min(limit.burst, bucket.tokens + (now - bucket.updated) * limit.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            self.throttled += 1
        return THROTTLE_CODES.get(service, DEFAULT_THROTTLE_CODE)
