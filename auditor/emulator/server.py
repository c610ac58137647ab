"""LocalAws: moto's server app plus our extension and fault middleware, in-process on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
from datetime import datetime
from types import TracebackType
from typing import Any

import boto3
from moto.cloudwatch.models import cloudwatch_backends
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from auditor.emulator import alerting, models, securityhub
from auditor.emulator.faults import FaultInjector, FaultMiddleware
from auditor.emulator.monitoring import install, monitoring_backend
from auditor.emulator.pricing import PriceListMiddleware
from auditor.emulator.ratelimits import RateLimits
from auditor.emulator.s3data import ExpectedOwnerMiddleware, put_object_at

MANAGEMENT_ACCOUNT_ID = "123456789012"  # moto's default account: what plain test credentials map to
# Credentials of the management account (moto accepts anything; these are what `auditor emulator` prints).
FAKE_ACCESS_KEY_ID = "testing"
FAKE_SECRET_ACCESS_KEY = "testing"  # a fake credential: moto accepts anything
# The role LocalAws.session() assumes in a member account to act in it (the role AWS Organizations
# creates in every member account it creates).
ADMIN_ROLE_NAME = "OrganizationAccountAccessRole"


def backend_app() -> Any:
    """moto's services with what this project adds in front of them (the Price List API, S3's
    ExpectedBucketOwner check): the WSGI app that fault injection wraps."""
    return ExpectedOwnerMiddleware(PriceListMiddleware(DomainDispatcherApplication(create_backend_app)))


def _check_port_free(port: int) -> None:
    """Raise OSError when 127.0.0.1:port is taken (werkzeug would print and exit the process instead)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as werkzeug does
        probe.bind(("127.0.0.1", port))


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without the per-request access log on stderr."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class LocalAws:
    """A local AWS: moto server + the Model Monitor extension + fault injection, on 127.0.0.1.

    moto keeps its state in module globals, so every LocalAws in one process shares the same AWS;
    start one per test session (or reset() between uses).
    """

    endpoint_url: str
    faults: FaultInjector
    # Per-finding BatchImportFindings failures (auditor.emulator.securityhub); cleared by reset().
    finding_faults = securityhub.finding_faults

    def __init__(self, server: BaseWSGIServer, faults: FaultInjector) -> None:
        self._server = server
        self.faults = faults
        port = server.server_address[1]
        self.endpoint_url = f"http://127.0.0.1:{port}"
        self._sessions: dict[tuple[str, str], boto3.Session] = {}
        self._sessions_lock = threading.Lock()
        self._thread = threading.Thread(target=server.serve_forever, name="local-aws", daemon=True)

    @classmethod
    def start(cls, *, port: int = 0, latency: float = 0.0, rate_limits: RateLimits | None = None) -> LocalAws:
        """Start serving on 127.0.0.1 (a free port when ``port`` is 0) in a background thread.

        moto keeps its state in process-wide globals, so every LocalAws of a process serves the same
        AWS; a newly started one begins empty (earlier state would otherwise leak into it, e.g. an
        organization that already exists). ``rate_limits`` turns on throttling (off by default; see
        ``auditor.emulator.ratelimits`` and ``faults.set_rate_limits``).
        """
        install()
        alerting.install()
        securityhub.install()
        securityhub.finding_faults.clear()
        moto_api_backend.reset()
        if port:
            _check_port_free(port)
        faults = FaultInjector(latency=latency)
        faults.set_rate_limits(rate_limits)
        app = FaultMiddleware(backend_app(), faults)
        server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_QuietHandler)
        aws = cls(server, faults)
        aws._thread.start()
        return aws

    def stop(self) -> None:
        """Stop serving (state stays in moto's globals until reset())."""
        if self._thread.ident is None:  # built around a server someone else runs (tests/hardening does)
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> LocalAws:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget every resource in every account (moto's own reset; our schedule stores go with it).
        Fault rules and call counters are kept: clear them with ``faults``."""
        moto_api_backend.reset()
        securityhub.finding_faults.clear()
        with self._sessions_lock:
            # Assumed-role keys lived in moto's IAM state; after a reset they would silently map to the
            # default account, so they must be requested again.
            self._sessions.clear()

    def session(self, account_id: str | None = None, region: str = "us-east-1") -> boto3.Session:
        """A boto3 Session for ``account_id`` (None = the management account 123456789012).

        Member-account credentials come from sts:AssumeRole against the local AWS. Clients made from
        the session must be given ``endpoint_url=self.endpoint_url``.
        """
        if account_id is None or account_id == MANAGEMENT_ACCOUNT_ID:
            return boto3.Session(
                aws_access_key_id=FAKE_ACCESS_KEY_ID,
                aws_secret_access_key=FAKE_SECRET_ACCESS_KEY,
                region_name=region,
            )
        with self._sessions_lock:
            cached = self._sessions.get((account_id, region))
        if cached is not None:
            return cached
        sts = self.session(None, region).client("sts", endpoint_url=self.endpoint_url)
        creds = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/{ADMIN_ROLE_NAME}",
            RoleSessionName="local-aws-seeding",
        )["Credentials"]
        session = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=region,
        )
        with self._sessions_lock:
            self._sessions[(account_id, region)] = session
        return session

    def set_schedule_state(
        self,
        account_id: str,
        region: str,
        schedule_name: str,
        *,
        status: str | None = None,
        failure_reason: str | None = None,
        last_execution: dict[str, Any] | None = None,
    ) -> None:
        """Set a monitoring schedule's status / FailureReason, and/or record a last execution
        (a ``MonitoringExecutionSummary``-shaped dict: MonitoringExecutionStatus, ScheduledTime,
        FailureReason, ...; it is also listed by ListMonitoringExecutions). A completed execution of a
        job with publishing on also puts the monitor's metric into CloudWatch; ``"_publishes_metrics":
        False`` in ``last_execution`` makes it a run that published nothing; ``"_processing_seconds": n``
        makes its processing job end ``n`` seconds after its creation (ListProcessingJobs);
        ``"_new_status": True`` accepts a MonitoringExecutionStatus outside today's enum (one AWS adds
        later)."""
        monitoring_backend(account_id, region).set_state(
            schedule_name, status=status, failure_reason=failure_reason, last_execution=last_execution
        )

    def set_monitoring_alert(
        self,
        account_id: str,
        region: str,
        schedule_name: str,
        alert_name: str,
        *,
        status: str,
        datapoints_to_alert: int = 3,
        evaluation_period: int = 3,
    ) -> None:
        """Record one of Model Monitor's own alerts on a schedule (AWS creates them itself; there is no
        Create API): Search(Resource='Model') returns it in the schedule's MonitoringAlertSummaries."""
        models.set_alert(
            account_id,
            region,
            schedule_name,
            alert_name,
            status=status,
            datapoints_to_alert=datapoints_to_alert,
            evaluation_period=evaluation_period,
        )

    def put_object_at(
        self, account_id: str, bucket: str, key: str, when: datetime, region: str = "us-east-1"
    ) -> None:
        """Put an object into ``bucket`` (created in ``account_id`` if needed) with LastModified
        backdated to ``when`` (moto stamps put time): capture or ground truth that stopped at ``when``."""
        put_object_at(account_id, region, bucket, key, when)

    def freeze_search(self, account_id: str, region: str) -> None:
        """Make ``Search`` lag in one account and region, as AWS's eventually consistent index can: it
        keeps answering with the endpoints (and their schedules and tags) of this moment, while List and
        Describe calls see every later change. ``thaw_search`` (or ``reset``) ends it."""
        monitoring_backend(account_id, region).freeze_search()

    def thaw_search(self, account_id: str, region: str) -> None:
        """Search answers with the live state again."""
        monitoring_backend(account_id, region).thaw_search()

    def set_alarm_state_time(self, account_id: str, region: str, alarm_name: str, when: datetime) -> None:
        """Backdate an alarm's StateUpdatedTimestamp (e.g. "INSUFFICIENT_DATA for 3 days")."""
        alarms = cloudwatch_backends[account_id][region].alarms
        if alarm_name not in alarms:
            raise KeyError(f"no alarm {alarm_name!r} in {account_id}/{region}")
        alarms[alarm_name].state_updated_timestamp = when
