"""Shared machinery of the hardening tests: a local AWS with extra response faults, a compliant estate,
the CLI in a subprocess, and the "every datum kept, every gap recorded" comparison.

The extra faults (per-operation delay, a NextToken that repeats forever, an enum value rewritten in
responses) live in a test-side WSGI middleware wrapped around the emulator's own FaultMiddleware, so
the emulator still counts every call. They could move into ``auditor/emulator/faults.py``.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from botocore.exceptions import ClientError
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from auditor.emulator import LocalAws, alerting
from auditor.emulator import estate as estate_module
from auditor.emulator.faults import FaultInjector, FaultMiddleware, identify
from auditor.emulator.monitoring import install
from auditor.emulator.server import backend_app
from auditor.inventory.codec import to_jsonable
from auditor.inventory.model import (
    Alarm,
    AlarmType,
    DataCapture,
    Dataset,
    DatasetStatus,
    Endpoint,
    Identity,
    Inventory,
    JobDefinition,
    LastExecution,
    MetricRef,
    Monitor,
    MonitorType,
    ScanError,
    ScanMetadata,
    Target,
)
from auditor.inventory.raw import as_dict
from auditor.inventory.relations import link

REPO = Path(__file__).resolve().parents[2]
REGIONS = ("us-east-1", "eu-west-1")
ROLE_NAME = estate_module.AUDITOR_ROLE_NAME
REPEATED_TOKEN = "hardening-repeated-token"
# Fields the relations step derives from other datasets: they legitimately change when another
# dataset is missing, so "the datum we got" is everything else.
LINK_FIELDS = ("monitor_arns", "endpoint_arn", "job_definition_arn", "alarm_arns")
KIND_DATASET = {
    "endpoints": Dataset.ENDPOINTS,
    "monitors": Dataset.MONITORS,
    "job_definitions": Dataset.JOB_DEFINITIONS,
    "alarms": Dataset.ALARMS,
}

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


# ------------------------------------------------------------------------------------ response faults


@dataclass
class _Delay:
    operation: str
    seconds: float
    account_id: str | None
    region: str | None
    remaining: int | None


@dataclass
class ResponseFaults:
    """Faults the emulator's FaultInjector does not have: they change *what* a response says or
    *when* it arrives, for one operation."""

    delays: list[_Delay] = field(default_factory=list)
    repeat_token_operations: set[str] = field(default_factory=set)
    # operation -> [(key, old value, new value)]: every ``key: old`` in the response becomes ``key: new``
    rewrites: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    # account -> calls still answered before its credentials count as expired
    expiring: dict[str, int] = field(default_factory=dict)
    # role account -> (AssumeRole answers left that carry short-lived credentials, their lifetime in s)
    short_lived: dict[str, tuple[int, int]] = field(default_factory=dict)
    # role account -> AssumeRole calls still allowed before the role refuses (AccessDenied)
    assume_role_allowance: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def delay(
        self,
        operation: str,
        seconds: float,
        *,
        account_id: str | None = None,
        region: str | None = None,
        count: int | None = None,
    ) -> None:
        with self.lock:
            self.delays.append(_Delay(operation, seconds, account_id, region, count))

    def repeat_next_token(self, operation: str) -> None:
        """The service answers every page of ``operation`` with the same NextToken (and page 1 again)."""
        with self.lock:
            self.repeat_token_operations.add(operation)

    def rewrite_value(self, operation: str, key: str, old: str, new: str) -> None:
        with self.lock:
            self.rewrites.setdefault(operation, []).append((key, old, new))

    def expire_credentials(self, account_id: str, *, after_calls: int) -> None:
        """After ``after_calls`` more JSON-protocol calls from ``account_id``, every call from it is
        refused with ExpiredTokenException (the session token ran out mid-scan)."""
        with self.lock:
            self.expiring[account_id] = after_calls

    def short_lived_credentials(self, role_account: str, *, seconds: int, count: int = 1) -> None:
        """The next ``count`` AssumeRole answers for a role in ``role_account`` carry credentials that
        expire ``seconds`` from now (inside botocore's refresh window: the client must refresh)."""
        with self.lock:
            self.short_lived[role_account] = (count, seconds)

    def deny_assume_role_after(self, role_account: str, calls: int) -> None:
        """After ``calls`` more AssumeRole calls into ``role_account``, the role refuses (AccessDenied)."""
        with self.lock:
            self.assume_role_allowance[role_account] = calls

    def assume_role_fault(self, role_account: str) -> tuple[bool, int | None]:
        """(deny this AssumeRole?, lifetime to give its credentials or None)."""
        with self.lock:
            allowance = self.assume_role_allowance.get(role_account)
            if allowance is not None:
                if allowance <= 0:
                    return True, None
                self.assume_role_allowance[role_account] = allowance - 1
            left, seconds = self.short_lived.get(role_account, (0, 0))
            if left > 0:
                self.short_lived[role_account] = (left - 1, seconds)
                return False, seconds
        return False, None

    def expired(self, account_id: str) -> bool:
        with self.lock:
            left = self.expiring.get(account_id)
            if left is None:
                return False
            if left > 0:
                self.expiring[account_id] = left - 1
                return False
            return True

    def clear(self) -> None:
        with self.lock:
            self.short_lived.clear()
            self.assume_role_allowance.clear()
            self.expiring.clear()
            self.delays.clear()
            self.repeat_token_operations.clear()
            self.rewrites.clear()

    def delay_for(self, operation: str, account_id: str, region: str) -> float:
        with self.lock:
            for rule in self.delays:
                if (
                    rule.operation == operation
                    and rule.account_id in (None, account_id)
                    and rule.region in (None, region)
                    and (rule.remaining is None or rule.remaining > 0)
                ):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    return rule.seconds
        return 0.0


def rewrite_value(value: Any, key: str, old: str, new: str) -> Any:
    """``value`` with every ``key: old`` (at any depth) replaced by ``key: new``."""
    if isinstance(value, dict):
        return {
            k: (new if k == key and v == old else rewrite_value(v, key, old, new)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [rewrite_value(v, key, old, new) for v in value]
    return value


class ResponseFaultMiddleware:
    """WSGI middleware applying ``ResponseFaults`` to JSON-protocol calls, outside FaultMiddleware."""

    def __init__(self, app: WsgiApp, faults: ResponseFaults) -> None:
        self._app = app
        self._faults = faults

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        info = identify(environ)
        if info is None:
            return self._app(environ, start_response)
        seconds = self._faults.delay_for(info.operation, info.account_id, info.region)
        if seconds:
            time.sleep(seconds)
        if info.protocol == "json" and self._faults.expired(info.account_id):
            body = json.dumps(
                {
                    "__type": "ExpiredTokenException",
                    "message": "The security token included in the request is expired",
                }
            ).encode()
            start_response(
                "400 Bad Request",
                [
                    ("Content-Type", "application/x-amz-json-1.1"),
                    ("x-amzn-ErrorType", "ExpiredTokenException"),
                    ("Content-Length", str(len(body))),
                ],
            )
            return [body]
        if info.protocol == "query" and info.operation == "AssumeRole":
            return self._assume_role(environ, start_response)
        with self._faults.lock:
            repeat = info.operation in self._faults.repeat_token_operations
            rewrites = list(self._faults.rewrites.get(info.operation, ()))
        if info.protocol != "json" or not (repeat or rewrites):
            return self._app(environ, start_response)
        if repeat:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            request = json.loads(environ["wsgi.input"].read(length) or b"{}")
            request.pop("NextToken", None)  # the service "forgets" the token: page 1 again
            body = json.dumps(request).encode()
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        status, headers, raw = self._call(environ)
        if status.startswith("200"):
            data = json.loads(raw or b"{}")
            if repeat:
                data["NextToken"] = REPEATED_TOKEN
            for rewrite in rewrites:
                data = rewrite_value(data, *rewrite)
            raw = json.dumps(data).encode()
        start_response(status, [*headers, ("Content-Length", str(len(raw)))])
        return [raw]

    def _assume_role(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        role_arn = parse_qs(body.decode("utf-8", "replace")).get("RoleArn", [""])[0]
        role_account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
        deny, lifetime = self._faults.assume_role_fault(role_account)
        if deny:
            error = (
                b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized "
                b"to perform sts:AssumeRole (refused by the hardening tests)</Message></Error>"
                b"<RequestId>hardening</RequestId></ErrorResponse>"
            )
            start_response(
                "403 Forbidden", [("Content-Type", "text/xml"), ("Content-Length", str(len(error)))]
            )
            return [error]
        if lifetime is None:
            return self._app(environ, start_response)
        status, headers, raw = self._call(environ)
        expiry = (datetime.now(UTC) + timedelta(seconds=lifetime)).strftime("%Y-%m-%dT%H:%M:%SZ")
        raw = re.sub(rb"<Expiration>[^<]*</Expiration>", f"<Expiration>{expiry}</Expiration>".encode(), raw)
        start_response(status, [*headers, ("Content-Length", str(len(raw)))])
        return [raw]

    def _call(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        """Call the wrapped app; (status, headers without Content-Length, body)."""
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None

        chunks = self._app(environ, capture)
        try:
            raw = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        return captured["status"], headers, raw


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


@dataclass
class HardenedAws:
    """A LocalAws whose server also applies ``ResponseFaults``."""

    aws: LocalAws
    response_faults: ResponseFaults
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def faults(self) -> FaultInjector:
        return self.aws.faults

    @property
    def endpoint_url(self) -> str:
        return self.aws.endpoint_url

    def clear_faults(self) -> None:
        self.aws.faults.clear()
        self.response_faults.clear()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def start_hardened_aws() -> HardenedAws:
    """moto + the Model Monitor extension + FaultMiddleware + ResponseFaultMiddleware on 127.0.0.1."""
    install()
    alerting.install()
    injector = FaultInjector()
    response_faults = ResponseFaults()
    app = ResponseFaultMiddleware(FaultMiddleware(backend_app(), injector), response_faults)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    aws = LocalAws(server, injector)
    thread = threading.Thread(target=server.serve_forever, name="hardening-aws", daemon=True)
    thread.start()
    return HardenedAws(aws, response_faults, server, thread)


# ------------------------------------------------------------------------------------ estate


@dataclass(frozen=True)
class CompliantEstate:
    """Two member accounts x two regions, two fully compliant production endpoints in each."""

    members: tuple[str, ...]
    regions: tuple[str, ...]


def seed_compliant_estate(aws: LocalAws) -> CompliantEstate:
    """An organization whose every endpoint passes the built-in pack (a clean scan exits 0).

    Uses the emulator's own blueprint of a compliant endpoint (every link in place), so "compliant"
    means the same here as in the emulator's tests.
    """
    spec = estate_module.EstateSpec(accounts=2, regions=REGIONS)
    members = estate_module._create_organization(aws, spec)
    now = datetime.now(UTC).replace(microsecond=0)
    for account_id in members:
        estate_module._create_roles(aws, account_id)
        for region in REGIONS:
            target = estate_module._Target(aws, account_id, region, now, _rng(account_id, region))
            target.create_topic("ml-monitoring-alerts")  # the alarms' action: one confirmed subscription
            for name in ("fraud-scoring", "credit-risk"):
                estate_module._seed_endpoint(target, estate_module._Blueprint(name))
    return CompliantEstate(tuple(sorted(members)), REGIONS)


def _rng(account_id: str, region: str) -> Any:
    import random

    return random.Random(f"hardening:{account_id}:{region}")


@dataclass(frozen=True)
class ExtraEndpoint:
    """An endpoint seeded on top of the compliant estate (and removed again), for cases that change the
    estate: the shared clean scan must stay true for every other test."""

    account_id: str
    region: str
    name: str
    arn: str
    schedule: str | None  # its DataQuality schedule, if it has one
    schedule_arn: str | None


def seed_extra_endpoint(
    aws: LocalAws, account_id: str, region: str, name: str, *, monitored: bool
) -> ExtraEndpoint:
    """A production endpoint of the emulator's blueprint, with only a DataQuality monitor (or none)."""
    target = estate_module._Target(
        aws, account_id, region, datetime.now(UTC).replace(microsecond=0), _rng(name, region)
    )
    blueprint = estate_module._Blueprint(
        name, monitors=("DataQuality",) if monitored else (), dq_alarm="none"
    )
    estate_module._seed_endpoint(target, blueprint)
    endpoint = next(c for c in target.cases if c.kind == "endpoint")
    schedule = f"{name}-dq" if monitored else None
    schedule_arn = (
        endpoint.arn.replace(f":endpoint/{name}", f":monitoring-schedule/{schedule}") if schedule else None
    )
    return ExtraEndpoint(account_id, region, name, endpoint.arn, schedule, schedule_arn)


def remove_extra_endpoint(aws: LocalAws, extra: ExtraEndpoint) -> None:
    """Delete everything ``seed_extra_endpoint`` created (whatever a test already deleted)."""
    sm = aws.session(extra.account_id, extra.region).client("sagemaker", endpoint_url=aws.endpoint_url)
    steps: list[tuple[Callable[..., Any], dict[str, str]]] = [
        (sm.delete_endpoint, {"EndpointName": extra.name}),
        (sm.delete_endpoint_config, {"EndpointConfigName": f"{extra.name}-config"}),
        (sm.delete_model, {"ModelName": f"{extra.name}-model"}),
    ]
    if extra.schedule:
        steps = [
            (sm.delete_monitoring_schedule, {"MonitoringScheduleName": extra.schedule}),
            (sm.delete_data_quality_job_definition, {"JobDefinitionName": f"{extra.schedule}-def"}),
            *steps,
        ]
    for call, params in steps:
        try:
            call(**params)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("ValidationException", "ResourceNotFound"):
                raise


def judged(report: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(policy id, resource ARN) -> verdict, from a report.json."""
    return {(f["policy_id"], f["resource_arn"]): f["verdict"] for f in report["findings"]}


def false_passes(verdicts: dict[tuple[str, str], str], must_not_pass: set[tuple[str, str]]) -> list[str]:
    """Every (policy, resource) whose data was unknown, stale or missing and still got a PASS -- or no
    verdict at all, where one was due (it must be FAIL or ERROR, not vanish)."""
    problems = []
    for key in sorted(must_not_pass):
        verdict = verdicts.get(key)
        if verdict not in ("FAIL", "ERROR"):
            problems.append(f"{key[0]} on {key[1]}: {verdict or 'no verdict'}")
    return problems


# ------------------------------------------------------------------------------------ CLI


def cli_env(**extra: str) -> dict[str, str]:
    """A clean environment for ``python -m auditor``: fake credentials, no profile or config files."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "AUDITOR_")) and k not in ("PYTHONHASHSEED",)
    }
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        NO_COLOR="1",
    )
    env.update(extra)
    return env


# The scanner's retry count and read timeout are module constants of auditor/scan/clients.py with no
# option to set them (10 attempts with exponential backoff, 60 s). A persistent fault costs about a
# minute of backoff at those values, so fault runs lower them before the real CLI starts.
_BOOT = (
    "import sys, auditor.scan.clients as c; c.TOTAL_MAX_ATTEMPTS = {attempts}; "
    "c.READ_TIMEOUT_SECONDS = {read_timeout}; from auditor.entry import main; main(sys.argv[1:])"
)


def cli_command(
    args: list[str], *, attempts: int | None = None, read_timeout: float | None = None
) -> list[str]:
    """The command line of the real CLI, optionally with fewer retries / a shorter read timeout."""
    if attempts is None and read_timeout is None:
        return [sys.executable, "-m", "auditor", *args]
    boot = _BOOT.format(attempts=attempts or 10, read_timeout=read_timeout or 60)
    return [sys.executable, "-c", boot, *args]


def run_cli(
    args: list[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    attempts: int | None = None,
    read_timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m auditor ARGS`` in a subprocess (the real exit code, stdout and stderr)."""
    return subprocess.run(
        cli_command(args, attempts=attempts, read_timeout=read_timeout),
        cwd=cwd,
        env=env or cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def scan_args(aws: HardenedAws | str, estate: CompliantEstate, out: Path, *extra: str) -> list[str]:
    url = aws if isinstance(aws, str) else aws.endpoint_url
    return [
        "scan",
        "--endpoint-url",
        url,
        "--accounts",
        ",".join(estate.members),
        "--regions",
        ",".join(estate.regions),
        "--role-name",
        ROLE_NAME,
        "--output-dir",
        str(out),
        "--format",
        "json",
        *extra,
    ]


_ACCOUNT = "111122223333"
_REGION = "eu-west-1"


def small_inventory() -> Inventory:
    """A small linked inventory with one resource of each kind and one scan error (no AWS needed)."""
    arn = f"arn:aws:sagemaker:{_REGION}:{_ACCOUNT}"
    return link(
        Inventory(
            metadata=ScanMetadata(
                tool_version="0.1.0",
                started_at="2026-11-27T18:00:00Z",
                finished_at="2026-11-27T18:01:00Z",
                accounts=[_ACCOUNT],
                regions=[_REGION],
                identities=[Identity(_ACCOUNT, f"arn:aws:sts::{_ACCOUNT}:assumed-role/Audit/s")],
                api_calls={"sagemaker:Search": 1},
                options={"search": True},
            ),
            targets=[Target(_ACCOUNT, _REGION, {d: DatasetStatus.COMPLETE for d in Dataset}, 2)],
            endpoints=[
                Endpoint(
                    arn=f"{arn}:endpoint/ep",
                    name="ep",
                    account_id=_ACCOUNT,
                    region=_REGION,
                    status="InService",
                    data_capture=DataCapture(True, "Started", 100, "s3://c/", None, ["Input"]),
                    tags={"environment": "production"},
                    raw={"EndpointName": "ep"},
                )
            ],
            monitors=[
                Monitor(
                    arn=f"{arn}:monitoring-schedule/ep-dq",
                    name="ep-dq",
                    account_id=_ACCOUNT,
                    region=_REGION,
                    monitor_type=MonitorType.DATA_QUALITY,
                    status="Scheduled",
                    schedule_expression="cron(0 * ? * * *)",
                    interval_seconds=3600,
                    endpoint_name="ep",
                    job_definition_name="dq",
                    last_execution=LastExecution("Completed", "2026-11-27T17:00:00Z"),
                )
            ],
            job_definitions=[
                JobDefinition(
                    arn=f"{arn}:data-quality-job-definition/dq",
                    name="dq",
                    account_id=_ACCOUNT,
                    region=_REGION,
                    monitor_type=MonitorType.DATA_QUALITY,
                    endpoint_name="ep",
                    environment={"publish_cloudwatch_metrics": "Enabled"},
                )
            ],
            alarms=[
                Alarm(
                    arn=f"arn:aws:cloudwatch:{_REGION}:{_ACCOUNT}:alarm:drift",
                    name="drift",
                    account_id=_ACCOUNT,
                    region=_REGION,
                    alarm_type=AlarmType.METRIC,
                    state="OK",
                    actions_enabled=True,
                    alarm_actions=[f"arn:aws:sns:{_REGION}:{_ACCOUNT}:t"],
                    namespace="aws/sagemaker/Endpoints/data-metrics",
                    metric_name="feature_baseline_drift_age",
                    dimensions={"Endpoint": "ep", "MonitoringSchedule": "ep-dq"},
                    metrics=[MetricRef("aws/sagemaker/Endpoints/data-metrics", "feature_baseline_drift_age")],
                    threshold=1.0,
                )
            ],
            errors=[
                ScanError(_ACCOUNT, _REGION, "sagemaker", "ListTags", "AccessDenied", "no", Dataset.TAGS)
            ],
        )
    )


# ------------------------------------------------------------------------------------ comparison


def _collected(resource: Any) -> dict[str, Any]:
    data: dict[str, Any] = to_jsonable(resource)
    for key in (*LINK_FIELDS, "missing"):
        data.pop(key, None)
    return data


def _subset(small: Any, big: Any) -> bool:
    if isinstance(small, dict) and isinstance(big, dict):
        return all(k in big and _subset(v, big[k]) for k, v in small.items())
    return bool(small == big)


def _by_arn(items: Iterable[Any]) -> dict[str, Any]:
    return {item.arn: item for item in items}


def gaps_are_recorded(faulted: Inventory, clean: Inventory) -> list[str]:
    """Every way ``faulted`` breaks "keep every datum you got, record every gap" against ``clean``.

    - a resource read whole (no ``missing``) equals the clean scan's, apart from derived links;
    - a resource read in part keeps raw fields that equal the clean ones, and an error names its
      account and region;
    - a resource the clean scan has but ``faulted`` lacks sits in a target whose dataset for its kind
      is not COMPLETE, with an error recorded for that account;
    - nothing is invented: every resource of ``faulted`` exists in ``clean``.
    """
    problems: list[str] = []
    error_places = {(e.account_id, e.region) for e in faulted.errors}
    error_accounts = {e.account_id for e in faulted.errors}
    datasets = {(t.account_id, t.region): t.datasets for t in faulted.targets}
    for kind, dataset in KIND_DATASET.items():
        got = _by_arn(getattr(faulted, kind))
        want = _by_arn(getattr(clean, kind))
        for arn in sorted(set(got) - set(want)):
            problems.append(f"{kind}: {arn} is not in the clean scan")
        for arn, expected in sorted(want.items()):
            actual = got.get(arn)
            place = (expected.account_id, expected.region)
            if actual is None:
                status = datasets.get(place, {}).get(dataset)
                if status is DatasetStatus.COMPLETE or status is None:
                    problems.append(f"{kind}: {arn} lost but {place} {dataset.value} is {status}")
                if expected.account_id not in error_accounts:
                    problems.append(f"{kind}: {arn} lost with no error for {expected.account_id}")
                continue
            if not getattr(actual, "missing", []):
                if _collected(actual) != _collected(expected):
                    problems.append(f"{kind}: {arn} differs from the clean scan")
                continue
            if not _subset(as_dict(actual.raw), as_dict(expected.raw)):
                problems.append(f"{kind}: {arn} partial record differs from the clean scan")
            if place not in error_places:
                problems.append(f"{kind}: {arn} is partial with no error for {place}")
    return problems


def without_volatile(inventory: Inventory) -> dict[str, Any]:
    data: dict[str, Any] = to_jsonable(inventory)
    data.pop("metadata")
    return data


def iter_files(folder: Path) -> Iterator[Path]:
    yield from sorted(p for p in folder.rglob("*") if p.is_file())
