"""The read-only guard and the IAM policy, both derived from the scanner modules' declarations."""

from __future__ import annotations

from typing import Any

import boto3
import botocore.session
import pytest

from auditor.scan.clients import Runtime
from auditor.scan.guard import ReadOnlyViolation
from auditor.scan.permissions import (
    SCANNER_MODULES,
    declared_operations,
    iam_policy_document,
    required_actions,
)

WRITE_VERBS = (
    "Create",
    "Delete",
    "Put",
    "Update",
    "Start",
    "Stop",
    "Tag",
    "Untag",
    "Set",
    "Enable",
    "Disable",
)


def _session() -> boto3.Session:
    return boto3.Session(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="us-east-1"
    )


def _runtime() -> Runtime:
    return Runtime(
        allowed=declared_operations(), endpoint_url="http://127.0.0.1:9", per_service_concurrency=1
    )


def test_every_declared_operation_exists_and_is_read_only() -> None:
    loader = botocore.session.get_session()
    for service, operation in declared_operations():
        model = loader.get_service_model(service)
        assert operation in model.operation_names, (service, operation)
        assert not operation.startswith(WRITE_VERBS), operation


def test_every_scanner_module_declares_operations() -> None:
    for module in SCANNER_MODULES:
        assert module.OPERATIONS, module.__name__


@pytest.mark.parametrize(
    ("service", "method", "params"),
    [
        ("sagemaker", "delete_endpoint", {"EndpointName": "ep"}),
        ("cloudwatch", "put_metric_alarm", {"AlarmName": "a"}),  # invalid params: refused before validation
        ("sagemaker", "list_models", {}),  # read-only but not declared: refused too
        # the alert-path readers: their clients refuse writes, and reads they do not declare
        ("events", "put_rule", {"Name": "r"}),
        ("events", "put_targets", {"Rule": "r", "Targets": []}),
        ("events", "test_event_pattern", {"EventPattern": "{}", "Event": "{}"}),  # evaluated locally instead
        ("sns", "publish", {"TopicArn": "arn:aws:sns:us-east-1:111111111111:t", "Message": "m"}),
        ("sns", "subscribe", {"TopicArn": "arn:aws:sns:us-east-1:111111111111:t", "Protocol": "email"}),
        ("sns", "list_subscriptions_by_topic", {"TopicArn": "arn:aws:sns:us-east-1:111111111111:t"}),
    ],
)
def test_guard_refuses_before_anything_is_sent(service: str, method: str, params: dict[str, Any]) -> None:
    runtime = _runtime()
    client = runtime.make_client(_session(), service, "us-east-1")
    sent: list[str] = []
    client.meta.events.register("before-send", lambda request, **_: sent.append(request.url))
    with pytest.raises(ReadOnlyViolation):
        getattr(client, method)(**params)
    assert sent == []
    assert runtime.counter.snapshot() == {}


def test_allowed_operation_is_counted_and_sent() -> None:
    runtime = _runtime()
    client = runtime.make_client(_session(), "sagemaker", "us-east-1")
    sent: list[str] = []

    def short_circuit(request: Any, **_: Any) -> Any:
        sent.append(request.url)
        raise RuntimeError("stop here: the request would have been sent")

    client.meta.events.register("before-send", short_circuit)
    with pytest.raises(RuntimeError):
        client.list_endpoints()
    assert sent == ["http://127.0.0.1:9/"]
    assert runtime.counter.snapshot() == {"sagemaker:ListEndpoints": 1}


def test_policy_document() -> None:
    actions = required_actions()
    assert "sagemaker:Search" in actions and "cloudwatch:DescribeAlarms" in actions
    assert "sts:AssumeRole" not in actions
    assert actions == sorted(set(actions))
    member = iam_policy_document()
    assert member["Statement"][0]["Action"] == actions and member["Statement"][0]["Resource"] == "*"
    assert len(member["Statement"]) == 1
    hub = iam_policy_document(include_assume_role=True)
    assert hub["Statement"][0] == member["Statement"][0]
    assert hub["Statement"][1]["Action"] == [
        "organizations:ListAccounts",
        "organizations:ListAccountsForParent",
        "organizations:ListOrganizationalUnitsForParent",
    ]
    assert hub["Statement"][2]["Action"] == ["pricing:GetProducts"]
    assert hub["Statement"][3]["Action"] == ["sts:AssumeRole"]
    assert hub["Statement"][3]["Resource"] == "arn:aws:iam::*:role/ModelMonitorAuditor"


def test_the_alert_path_reads_are_exactly_these() -> None:
    actions = required_actions()
    assert [a for a in actions if a.startswith(("events:", "sns:"))] == [
        "events:ListEventBuses",
        "events:ListRules",
        "events:ListTargetsByRule",
        "sns:GetTopicAttributes",
    ]


def test_member_role_gets_no_organizations_sts_or_price_list_action() -> None:
    """Member accounts never discover the organization, assume roles or read prices (the scan asks the
    Price List API once, with the hub's credentials): that is the hub's job."""
    actions = required_actions()
    assert not [a for a in actions if a.startswith(("organizations:", "sts:", "pricing:"))], actions
    # ...and the hub policy still has every Organizations and Price List call the scanner declares.
    declared = {f"{svc}:{op}" for svc, op in declared_operations() if svc in ("organizations", "pricing")}
    hub_actions = {a for s in iam_policy_document(include_assume_role=True)["Statement"] for a in s["Action"]}
    assert len(declared) == 4 and declared <= hub_actions
