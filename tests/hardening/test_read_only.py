"""Read-only, in general: every declared operation is a read; every other operation of every service the
scanner uses is refused by the scan session before a request leaves the process; and a real scan sends
the local AWS nothing but declared reads."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError, ParamValidationError

from auditor.emulator.faults import canonical_service
from auditor.scan import sessions
from auditor.scan.clients import RegionApi, Runtime
from auditor.scan.guard import ReadOnlyViolation
from auditor.scan.orchestrator import scan
from auditor.scan.permissions import allowed_operations, declared_operations

from .conftest import Local
from .support import ROLE_NAME

pytestmark = pytest.mark.e2e

READ_PREFIXES = ("List", "Describe", "Get")
ACCOUNT_ENTRY = {("sts", "AssumeRole"), ("sts", "GetCallerIdentity")}
SERVICES = sorted({service for service, _ in declared_operations()})
# The Price List API has no write operation at all: its undeclared operations (reads) are still refused.
WITHOUT_WRITES = {"pricing"}


def _is_read(service: str, operation: str) -> bool:
    return (
        operation.startswith(READ_PREFIXES) or operation == "Search" or (service, operation) in ACCOUNT_ENTRY
    )


def test_every_declared_operation_is_a_read_of_a_real_api() -> None:
    loader = botocore.session.get_session()
    declared = declared_operations()
    assert declared
    for service, operation in declared:
        assert operation in loader.get_service_model(service).operation_names, (service, operation)
        assert _is_read(service, operation), f"{service}:{operation} is not a read"
    assert SERVICES == [
        "cloudwatch",
        "ec2",
        "events",
        "organizations",
        "pricing",
        "s3",
        "sagemaker",
        "scheduler",
        "sns",
        "sts",
    ]


@pytest.fixture(scope="module")
def member_api(local: Local) -> RegionApi:
    """A guarded client factory of a real scan session: AssumeRole into a member account."""
    account = local.estate.members[0]
    runtime = Runtime(
        allowed=allowed_operations(), endpoint_url=local.aws.endpoint_url, per_service_concurrency=1
    )
    entered = sessions.assume_role_session(
        runtime,
        sessions.base_session(None),
        account,
        role_arn=f"arn:aws:iam::{account}:role/{ROLE_NAME}",
        session_name="mm-auditor-hardening",
        external_id=None,
    )
    return RegionApi(runtime, entered.session, account, "us-east-1")


def _undeclared(service: str) -> list[str]:
    model = botocore.session.get_session().get_service_model(service)
    allowed = {op for svc, op in allowed_operations() if svc == service}
    return sorted(op for op in model.operation_names if op not in allowed)


@pytest.mark.parametrize("service", SERVICES)
def test_every_other_operation_is_refused_before_a_request_is_sent(
    service: str, member_api: RegionApi, local: Local
) -> None:
    client = member_api.client(service)
    operations = _undeclared(service)
    writes = [op for op in operations if not _is_read(service, op)]
    assert bool(writes) != (service in WITHOUT_WRITES), f"{service} writes: {writes}"
    assert operations, f"no undeclared operation of {service} to try"
    local.aws.faults.reset_calls()
    refused: list[str] = []
    for operation in operations:
        method: Any = getattr(client, botocore.xform_name(operation))
        with pytest.raises(ReadOnlyViolation) as info:
            method()
        assert f"{service}:{operation}" in str(info.value)
        refused.append(operation)
    assert refused == operations
    assert local.aws.faults.calls() == {}, "a refused call reached the local AWS"
    counted = set(member_api.runtime.counter.snapshot())
    assert not counted & {f"{service}:{op}" for op in operations}, "a refused call was counted as made"


def test_declared_operations_pass_the_guard(member_api: RegionApi, local: Local) -> None:
    local.aws.faults.reset_calls()
    outcomes: dict[str, str] = {}
    for service, operation in declared_operations():
        if (service, operation) == ("sts", "AssumeRole"):
            continue  # entering an account is exercised by the fixture
        method: Any = getattr(member_api.client(service), botocore.xform_name(operation))
        # Past the guard, botocore validates the parameters (none are given) or the local AWS answers.
        try:
            method()
            outcome = "answered"
        except ParamValidationError:
            outcome = "needs parameters"
        except ClientError as exc:
            outcome = f"answered {exc.response['Error']['Code']}"
        outcomes[f"{service}:{operation}"] = outcome
    assert len(outcomes) == len(declared_operations()) - 1
    arrived = set(local.aws.faults.calls())
    declared = {f"{canonical_service(s)}:{op}" for s, op in declared_operations()}
    assert arrived and arrived <= declared


def test_a_real_scan_sends_nothing_but_declared_reads(local: Local) -> None:
    local.aws.clear_faults()
    local.aws.faults.reset_calls()
    inventory = scan(local.options())
    arrived = local.aws.faults.calls()
    declared = {f"{canonical_service(s)}:{op}" for s, op in declared_operations()}
    assert arrived and set(arrived) <= declared, set(arrived) - declared
    assert sum(arrived.values()) == sum(inventory.metadata.api_calls.values())
