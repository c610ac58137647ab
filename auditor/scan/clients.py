"""Shared, guarded, counted AWS clients: one per (account, region, service).

AWS throttles each operation on its own (a bucket per account, region and operation), so the scanner
paces each operation on its own too: botocore's adaptive rate limiter (CUBIC over a token bucket),
one per operation of a client (``OperationPacer``) instead of botocore's one per client, under which
a throttled DescribeEndpointConfig slowed the job-definition describes of the same client. An adaptive
limit per (account, region, service, operation) (``limiter.AdaptiveLimit``: AIMD) bounds how many calls
are in flight at once; botocore tells it about every throttled attempt before it retries.
``PACE_PER_OPERATION = False`` restores the per-client pacing (the benchmark compares the two).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.loaders import create_loader
from botocore.retries import adaptive, bucket, standard, throttling

from auditor.inventory.model import Dataset, ScanError
from auditor.scan.guard import Operation, install_guard
from auditor.scan.limiter import MAX_CONCURRENCY, AdaptiveLimit, is_throttle
from auditor.scan.pagination import PaginationError, pages

# Errors that mean "AWS (or the network) said no"; anything else is a bug and propagates.
AWS_ERRORS: tuple[type[Exception], ...] = (ClientError, BotoCoreError, PaginationError)

CONNECT_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 60
TOTAL_MAX_ATTEMPTS = 10
PACE_PER_OPERATION = True  # read when a Runtime is made (module doc)


def client_config(
    max_pool_connections: int,
    *,
    max_attempts: int | None = None,
    read_timeout: int | None = None,
    per_operation: bool = False,
) -> Config:
    """The botocore config of every scanner client: adaptive retries (standard ones when an
    ``OperationPacer`` does the pacing per operation), bounded timeouts.

    ``None`` takes the module defaults (TOTAL_MAX_ATTEMPTS, READ_TIMEOUT_SECONDS).
    """
    mode = "standard" if per_operation else "adaptive"
    return Config(
        retries={"mode": mode, "total_max_attempts": max_attempts or TOTAL_MAX_ATTEMPTS},
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=read_timeout or READ_TIMEOUT_SECONDS,
        max_pool_connections=max_pool_connections,
        user_agent_extra="mm-auditor",
    )


class ScanCancelled(Exception):
    """The scan was abandoned; not an AWS error, so nothing records it and it unwinds every worker."""


class CallCounter:
    """Thread-safe count of API calls per "service:Operation"."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, service: str, operation: str) -> None:
        with self._lock:
            self._counts[f"{service}:{operation}"] += 1

    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))


_CURRENT = threading.local()  # the (limit, ticket) of the call this thread is making


def _observe_attempt(response: Any = None, **_: Any) -> None:
    """botocore's ``needs-retry`` event, before its own handler: tell the call's limit about a throttle."""
    if response is None:
        return
    code = response[1].get("Error", {}).get("Code") if isinstance(response[1], dict) else None
    current = getattr(_CURRENT, "call", None)
    if current is not None and is_throttle(code):
        limit, ticket = current
        limit.throttled(ticket)


class OperationPacer:
    """botocore's adaptive rate limiter, one per operation of one client (built as botocore builds
    its one per client): it starts unlimited, and after a throttle sends that operation's calls at a
    rate it adjusts (CUBIC) to what the operation is answered at."""

    def __init__(self) -> None:
        self._limiters: dict[str, Any] = {}
        self._lock = threading.Lock()

    def install(self, client: Any) -> None:
        client.meta.events.register("before-send", self._sending)
        client.meta.events.register("needs-retry", self._received)

    def _limiter(self, event_name: str) -> Any:
        operation = event_name.rsplit(".", 1)[-1]
        with self._lock:
            found = self._limiters.get(operation)
            if found is None:
                clock = bucket.Clock()
                found = adaptive.ClientRateLimiter(
                    rate_adjustor=throttling.CubicCalculator(
                        starting_max_rate=0, start_time=clock.current_time()
                    ),
                    rate_clocker=adaptive.RateClocker(clock),
                    token_bucket=bucket.TokenBucket(max_rate=1, clock=clock),
                    throttling_detector=standard.ThrottlingErrorDetector(
                        retry_event_adapter=standard.RetryEventAdapter()
                    ),
                    clock=clock,
                )
                self._limiters[operation] = found
            return found

    def _sending(self, event_name: str, **kwargs: Any) -> None:
        self._limiter(event_name).on_sending_request(**kwargs)

    def _received(self, event_name: str, **kwargs: Any) -> None:
        self._limiter(event_name).on_receiving_response(**kwargs)


class Runtime:
    """Scan-wide state shared by every client: allow-list, counter, config, adaptive limits.

    ``per_service_concurrency`` is where each (account, region, service) starts; with ``adaptive`` it
    grows up to ``max_concurrency`` while calls succeed and halves on throttling, without it stays.
    """

    def __init__(
        self,
        *,
        allowed: Collection[Operation],
        endpoint_url: str | None,
        per_service_concurrency: int,
        max_attempts: int | None = None,
        read_timeout: int | None = None,
        adaptive: bool = True,
        max_concurrency: int = MAX_CONCURRENCY,
        per_operation: bool | None = None,
    ) -> None:
        self.allowed = frozenset(allowed)
        self.per_operation = PACE_PER_OPERATION if per_operation is None else per_operation
        self.endpoint_url = endpoint_url
        self.per_service_concurrency = max(1, per_service_concurrency)
        self.max_concurrency = (
            max(self.per_service_concurrency, max_concurrency) if adaptive else self.per_service_concurrency
        )
        self.counter = CallCounter()
        # Set when the scan is abandoned (Ctrl-C): every worker stops at its next call.
        self.cancelled = threading.Event()
        self.loader = create_loader()  # service models, parsed once and shared by every account session
        self.config = client_config(
            max(10, self.max_concurrency),
            max_attempts=max_attempts,
            read_timeout=read_timeout,
            per_operation=self.per_operation,
        )
        self._lock = threading.Lock()
        self._client_lock = threading.Lock()
        self._limits: dict[tuple[str, ...], AdaptiveLimit] = {}

    def make_client(self, session: boto3.Session, service: str, region: str | None) -> Any:
        """A new guarded, counted client (callers cache it; see ``RegionApi``)."""
        # boto3 Sessions are not thread-safe; creating clients from one session in several
        # threads at once can fail, so client creation is serialized (the clients themselves are).
        with self._client_lock:
            client = session.client(
                service, region_name=region, endpoint_url=self.endpoint_url, config=self.config
            )
        install_guard(client, service, self.allowed, self.counter.add)
        client.meta.events.register_first("needs-retry", _observe_attempt)
        if self.per_operation:
            OperationPacer().install(client)
        return client

    def limit(self, account_id: str, region: str, service: str, operation: str) -> AdaptiveLimit:
        """The adaptive bound on calls in flight for one (account, region, service, operation), or
        (account, region, service) when pacing per client."""
        key = (
            (account_id, region, service, operation) if self.per_operation else (account_id, region, service)
        )
        with self._lock:
            found = self._limits.get(key)
            if found is None:
                found = AdaptiveLimit(self.per_service_concurrency, self.max_concurrency)
                self._limits[key] = found
            return found

    def limits(self) -> dict[tuple[str, ...], AdaptiveLimit]:
        """Every limit so far (for the benchmarks: peaks and throttles)."""
        with self._lock:
            return dict(self._limits)


@dataclass(frozen=True)
class Collected:
    """The items of a paginated listing, and whether every page was read."""

    items: list[dict[str, Any]]
    complete: bool


class RegionApi:
    """Calls into one (account, region): cached clients, bounded concurrency, error recording."""

    def __init__(self, runtime: Runtime, session: boto3.Session, account_id: str, region: str) -> None:
        self.runtime = runtime
        self.session = session
        self.account_id = account_id
        self.region = region
        self.errors: list[ScanError] = []
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        with self._lock:
            client = self._clients.get(service)
            if client is None:
                client = self.runtime.make_client(self.session, service, self.region)
                self._clients[service] = client
            return client

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """One API call; raises the AWS_ERRORS for the caller to record, ScanCancelled once cancelled."""
        if self.runtime.cancelled.is_set():
            raise ScanCancelled
        method = getattr(self.client(service), _snake(operation))
        limit = self.runtime.limit(self.account_id, self.region, service, operation)
        with limit.slot() as ticket:
            _CURRENT.call = (limit, ticket)
            try:
                result: dict[str, Any] = method(**params)
            except ClientError as exc:
                if not is_throttle(exc.response.get("Error", {}).get("Code")):
                    limit.succeeded()  # an answer that is not "slow down" (e.g. access denied)
                raise
            finally:
                _CURRENT.call = None
        limit.succeeded()
        result.pop("ResponseMetadata", None)
        return result

    def pages(self, service: str, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every page of a paginated call (NextToken); raises the AWS_ERRORS mid-way."""

        def one(**request: Any) -> dict[str, Any]:
            return self.call(service, operation, **request)

        return pages(one, params)

    def collect(
        self,
        service: str,
        operation: str,
        result_key: str,
        *,
        dataset: Dataset | None,
        resource: str | None = None,
        **params: Any,
    ) -> Collected:
        """Every item under ``result_key`` across all pages.

        When a page fails, the error is recorded and the items of the pages read before it are
        kept (``complete`` is False): the caller marks the data as partial but loses nothing.
        """
        items: list[dict[str, Any]] = []
        try:
            for page in self.pages(service, operation, **params):
                items.extend(page.get(result_key, []))
        except AWS_ERRORS as exc:
            self.record(exc, service, operation, dataset=dataset, resource=resource)
            return Collected(items, complete=False)
        return Collected(items, complete=True)

    def record(
        self,
        exc: Exception,
        service: str,
        operation: str,
        *,
        dataset: Dataset | None,
        resource: str | None = None,
    ) -> ScanError:
        """Turn an AWS error into a ScanError for this (account, region) and keep it."""
        error = scan_error(exc, self.account_id, self.region, service, operation, dataset, resource)
        with self._lock:
            self.errors.append(error)
        return error


def scan_error(
    exc: Exception,
    account_id: str,
    region: str | None,
    service: str,
    operation: str,
    dataset: Dataset | None,
    resource: str | None = None,
) -> ScanError:
    """Build a ScanError from a botocore/pagination error (never includes credentials)."""
    code, message = error_code_and_message(exc)
    return ScanError(
        account_id=account_id,
        region=region,
        service=service,
        operation=operation,
        error_code=code,
        message=message,
        dataset=dataset,
        resource=resource,
    )


def error_code_and_message(exc: Exception) -> tuple[str, str]:
    """The AWS error code and message of a ClientError, or a class-based code for other errors."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return str(err.get("Code") or "Unknown"), str(err.get("Message") or exc)[:500]
    if isinstance(exc, PaginationError):
        return exc.code, exc.message
    return type(exc).__name__, str(exc)[:500]


def is_access_denied(exc: Exception) -> bool:
    """Whether the error is an authorization failure (as opposed to throttling or a fault)."""
    code, _ = error_code_and_message(exc)
    return code in {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"}


_SNAKE_CACHE: dict[str, str] = {}


def _snake(operation: str) -> str:
    name = _SNAKE_CACHE.get(operation)
    if name is None:
        name = xform_name(operation)
        _SNAKE_CACHE[operation] = name
    return name
