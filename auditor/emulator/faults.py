"""Fault and latency injection for the local AWS, as a WSGI middleware around moto's server app.

Every request is identified (service, operation, account, region) from what the client sent:
the SigV4 credential scope gives the access key, region and signing service; ``X-Amz-Target`` gives
the operation for the json protocols and ``Action=`` for the query protocols. The account is the one
moto itself would use for that access key (assumed-role keys belong to the role's account).

Injected errors are shaped like real AWS errors of the request's protocol, so botocore parses the
error code exactly as it would from AWS (and its retry logic sees a real throttle).
"""

from __future__ import annotations

import io
import json
import random
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

import botocore.exceptions
import botocore.session
from moto.iam.models import get_account_id_from

from auditor.emulator.ratelimits import RateLimiter, RateLimits

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# error code -> (HTTP status, message, code used by query/XML protocols such as STS and IAM)
ERRORS: dict[str, tuple[int, str, str]] = {
    "ThrottlingException": (400, "Rate exceeded", "Throttling"),
    "Throttling": (400, "Rate exceeded", "Throttling"),  # CloudWatch, STS (query-compatible code)
    "TooManyRequestsException": (400, "Too many requests", "TooManyRequestsException"),  # Organizations
    "AccessDeniedException": (
        400,
        "User is not authorized to perform this operation (injected by the local AWS)",
        "AccessDenied",
    ),
    "InternalFailure": (500, "An internal error occurred (injected by the local AWS)", "InternalFailure"),
    "InvalidClientTokenId": (
        403,
        "The security token included in the request is invalid (injected by the local AWS)",
        "InvalidClientTokenId",
    ),
}
# Not an AWS error: a matching call is answered only after TIMEOUT_DELAY_SECONDS, so a client whose
# read timeout is shorter gives up (a call that timed out).
TIMEOUT = "Timeout"
TIMEOUT_DELAY_SECONDS = 6.0
_STATUS_LINES = {400: "400 Bad Request", 403: "403 Forbidden", 500: "500 Internal Server Error"}

# Signing names that differ from the name people use for the service.
_SERVICE_ALIASES = {"monitoring": "cloudwatch"}

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


def canonical_service(name: str) -> str:
    """``monitoring`` and ``cloudwatch`` are the same service; everything else is its signing name."""
    lowered = name.lower()
    return _SERVICE_ALIASES.get(lowered, lowered)


@dataclass(frozen=True)
class RequestInfo:
    """Who called what, as the local AWS sees one request."""

    service: str
    operation: str
    account_id: str
    region: str
    protocol: str  # "json" | "query" | "rest"

    @property
    def key(self) -> str:
        return f"{self.service}:{self.operation}"


@dataclass
class _Rule:
    rule_id: int
    error: str
    operation: str | None
    service: str | None
    rate: float
    account_id: str | None
    region: str | None
    remaining: int | None

    def matches(self, info: RequestInfo) -> bool:
        return (
            (self.operation is None or self.operation == info.operation)
            and (self.service is None or self.service == info.service)
            and (self.account_id is None or self.account_id == info.account_id)
            and (self.region is None or self.region == info.region)
            and (self.remaining is None or self.remaining > 0)
        )


class FaultInjector:
    """Per-call latency, error rules and per-operation call counters for the local AWS.

    Thread-safe: the server handles requests on several threads. The random draws for ``rate``
    come from one RNG seeded at construction (and re-seeded by ``clear``), so a test that makes the
    same calls in the same order sees the same faults.
    """

    def __init__(self, *, latency: float = 0.0, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._latency = latency
        self._seed = seed
        self._rng = random.Random(seed)
        self._rules: list[_Rule] = []
        self._next_id = 1
        self._calls: Counter[tuple[str, str, str]] = Counter()
        self._limiter: RateLimiter | None = None

    def set_rate_limits(self, limits: RateLimits | None) -> None:
        """Throttle calls over the per-(account, region, operation) limits (``auditor.emulator.ratelimits``);
        None turns rate limiting off (the default). Buckets start full."""
        with self._lock:
            self._limiter = RateLimiter(limits) if limits is not None else None

    @property
    def throttled(self) -> int:
        """Calls answered with a throttling error by the rate limits (0 when they are off)."""
        limiter = self._limiter
        return limiter.throttled if limiter is not None else 0

    def set_latency(self, seconds: float) -> None:
        """Add ``seconds`` of delay to every call (0 turns it off)."""
        if seconds < 0:
            raise ValueError("latency must be >= 0")
        with self._lock:
            self._latency = seconds

    @property
    def latency(self) -> float:
        return self._latency

    def add_rule(
        self,
        *,
        error: str,
        operation: str | None = None,
        service: str | None = None,
        rate: float = 1.0,
        account_id: str | None = None,
        region: str | None = None,
        count: int | None = None,
    ) -> int:
        """Make matching calls fail with ``error`` (an AWS error code of ERRORS, or TIMEOUT: answered
        too late for a short client read timeout); returns the rule id.

        ``operation`` is the API name (``"Search"``, or ``"sagemaker:Search"``); ``service`` is
        ``sagemaker``, ``cloudwatch``/``monitoring``, ``sts``, ... ; ``rate`` is the probability that
        a matching call fails; ``count`` caps how many times the rule fires. Rules are tried in the
        order they were added; the first one that fires decides the error.
        """
        if error not in ERRORS and error != TIMEOUT:
            raise ValueError(f"unknown error {error!r}; expected one of {sorted([*ERRORS, TIMEOUT])}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        if count is not None and count < 0:
            raise ValueError("count must be >= 0")
        if operation is not None and ":" in operation:
            op_service, operation = operation.split(":", 1)
            service = service or op_service
        with self._lock:
            rule_id = self._next_id
            self._next_id += 1
            self._rules.append(
                _Rule(
                    rule_id=rule_id,
                    error=error,
                    operation=operation,
                    service=canonical_service(service) if service else None,
                    rate=rate,
                    account_id=account_id,
                    region=region,
                    remaining=count,
                )
            )
        return rule_id

    def remove_rule(self, rule_id: int) -> None:
        """Remove one rule; unknown ids raise KeyError."""
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.rule_id != rule_id]
            if len(self._rules) == before:
                raise KeyError(rule_id)

    def clear(self) -> None:
        """Remove every rule, the latency and the rate limits, and re-seed the RNG. Call counters are
        kept."""
        with self._lock:
            self._rules.clear()
            self._limiter = None
            self._latency = 0.0
            self._rng = random.Random(self._seed)

    def calls(self, *, account_id: str | None = None, region: str | None = None) -> dict[str, int]:
        """Calls received per ``"<service>:<Operation>"`` (faulted calls included), optionally for
        one account and/or region."""
        totals: Counter[str] = Counter()
        with self._lock:
            for (acct, reg, key), n in self._calls.items():
                if (account_id is None or acct == account_id) and (region is None or reg == region):
                    totals[key] += n
        return dict(totals)

    def reset_calls(self) -> None:
        """Zero every call counter."""
        with self._lock:
            self._calls.clear()

    def record(self, info: RequestInfo) -> str | None:
        """Count one call and decide whether it fails; returns the error code to inject or None."""
        with self._lock:
            self._calls[(info.account_id, info.region, info.key)] += 1
            for rule in self._rules:
                if not rule.matches(info):
                    continue
                if rule.rate < 1.0 and self._rng.random() >= rule.rate:
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
                return rule.error
            limiter = self._limiter
        if limiter is not None:
            return limiter.admit(info.account_id, info.region, info.service, info.operation)
        return None


def identify(environ: dict[str, Any]) -> RequestInfo | None:
    """Work out service, operation, account and region of a request; None for non-AWS paths
    (``/moto-api/...``) or unsigned requests."""
    if environ.get("PATH_INFO", "").startswith("/moto-api"):
        return None
    match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match is None:
        return None
    access_key, region, signing_service = match.groups()
    service = canonical_service(signing_service)
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        operation, protocol = target.rsplit(".", 1)[-1], "json"
    else:
        action = _query_action(environ)
        if action:
            operation, protocol = action, "query"
        else:
            method = environ.get("REQUEST_METHOD", "GET")
            path = environ.get("PATH_INFO", "/")
            query = str(environ.get("QUERY_STRING", ""))
            operation = rest_operation(service, method, path, query) or f"{method} {path}"
            protocol = "rest"
    return RequestInfo(
        service=service,
        operation=operation,
        account_id=get_account_id_from(access_key),
        region=region,
        protocol=protocol,
    )


@cache
def _rest_routes(service: str) -> tuple[tuple[str, re.Pattern[str], str, dict[str, str]], ...]:
    """(HTTP method, path regex, operation name, query the operation's URI requires) of every operation
    of a rest service, from botocore's model; () for a service botocore does not know by this name."""
    try:
        model = botocore.session.get_session().get_service_model(service)
    except botocore.exceptions.UnknownServiceError:
        return ()
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri, _, required = str(http.get("requestUri", "/")).partition("?")
        needs = {k: v for k, _, v in (p.partition("=") for p in required.split("&") if p)}
        parts = re.split(r"(\{[^}]+\})", uri)
        pattern = "".join(
            ("(.+)" if p.endswith("+}") else "([^/]+)") if p.startswith("{") else re.escape(p) for p in parts
        )
        routes.append((str(http.get("method", "POST")), re.compile(pattern + "/?"), name, needs))
    # Routes that require query parameters first (S3: GET /{Bucket}?list-type=2 is ListObjectsV2,
    # GET /{Bucket} alone is ListObjects).
    return tuple(sorted(routes, key=lambda r: -len(r[3])))


def rest_operation(service: str, method: str, path: str, query: str = "") -> str | None:
    """The API operation a rest-protocol request calls (e.g. securityhub POST /findings/import ->
    BatchImportFindings), so fault rules can name it like any other operation."""
    given = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    for route_method, pattern, name, needs in _rest_routes(service):
        if route_method != method or not pattern.fullmatch(path):
            continue
        if all(k in given and (not v or given[k] == v) for k, v in needs.items()):
            return name
    return None


def _query_action(environ: dict[str, Any]) -> str | None:
    query: dict[str, list[str]] = parse_qs(str(environ.get("QUERY_STRING", "")))
    if query.get("Action"):
        return query["Action"][0]
    content_type = str(environ.get("CONTENT_TYPE", ""))
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return None
    # Read the form body and put it back, so moto can still read it.
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    form = parse_qs(body.decode("utf-8", errors="replace"))
    actions: list[str] = form.get("Action", [])
    return actions[0] if actions else None


def error_response(info: RequestInfo, error: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """An AWS-shaped error for the request's protocol: (status line, headers, body)."""
    status, message, query_code = ERRORS[error]
    request_id = str(uuid.uuid4())
    status_line = _STATUS_LINES[status]
    if info.service == "s3":  # rest-xml: <Error><Code/><Message/></Error>
        body = (
            f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{query_code}</Code>"
            f"<Message>{escape(message)}</Message><RequestId>{request_id}</RequestId></Error>"
        ).encode()
        headers = [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
    elif info.protocol == "query":
        fault_type = "Sender" if status < 500 else "Receiver"
        body = (
            f"<ErrorResponse><Error><Type>{fault_type}</Type><Code>{query_code}</Code>"
            f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    else:
        body = json.dumps({"__type": error, "message": message}).encode()
        headers = [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("x-amzn-ErrorType", error),
            ("x-amzn-RequestId", request_id),
        ]
    headers.append(("Content-Length", str(len(body))))
    return status_line, headers, body


class FaultMiddleware:
    """WSGI middleware: count, delay and possibly fail each AWS call before moto sees it."""

    def __init__(self, app: WsgiApp, injector: FaultInjector) -> None:
        self._app = app
        self._injector = injector

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        info = identify(environ)
        if info is None:
            return self._app(environ, start_response)
        latency = self._injector.latency
        if latency > 0:
            time.sleep(latency)
        error = self._injector.record(info)
        if error == TIMEOUT:
            time.sleep(TIMEOUT_DELAY_SECONDS)
        if error is None or error == TIMEOUT:
            return self._app(environ, start_response)
        status_line, headers, body = error_response(info, error)
        start_response(status_line, headers)
        return [body]
