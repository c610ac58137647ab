"""Fault and latency injection and the per-operation call counters, seen through real boto3 clients."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from auditor.emulator import LocalAws

MEMBER_A = "111111111111"
MEMBER_B = "222222222222"
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


def client(aws: LocalAws, service: str, account: str | None = MEMBER_A, region: str = "us-east-1") -> Any:
    return aws.session(account, region).client(service, endpoint_url=aws.endpoint_url, config=NO_RETRIES)


def failure(call: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    return exc.value.response["Error"]["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_throttling_on_one_operation_is_a_botocore_throttle(aws: LocalAws) -> None:
    sm = client(aws, "sagemaker")
    aws.faults.add_rule(error="ThrottlingException", operation="Search")
    assert failure(sm.search, Resource="Endpoint") == ("ThrottlingException", 400)
    assert sm.list_endpoints()["Endpoints"] == []  # other operations are untouched


def test_retrying_client_gets_through_a_counted_throttle(aws: LocalAws) -> None:
    sm = aws.session(MEMBER_A).client(
        "sagemaker",
        endpoint_url=aws.endpoint_url,
        config=Config(retries={"mode": "standard", "total_max_attempts": 4}),
    )
    aws.faults.add_rule(error="ThrottlingException", service="sagemaker", operation="ListEndpoints", count=2)
    response = sm.list_endpoints()
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert aws.faults.calls(account_id=MEMBER_A)["sagemaker:ListEndpoints"] == 3


def test_access_denied_for_one_account_only(aws: LocalAws) -> None:
    aws.faults.add_rule(error="AccessDeniedException", service="sagemaker", account_id=MEMBER_A)
    assert failure(client(aws, "sagemaker", MEMBER_A).list_endpoints) == ("AccessDeniedException", 400)
    assert client(aws, "sagemaker", MEMBER_B).list_endpoints()["Endpoints"] == []


def test_internal_failure_is_http_500_in_one_region(aws: LocalAws) -> None:
    aws.faults.add_rule(error="InternalFailure", operation="sagemaker:ListEndpoints", region="eu-west-1")
    assert failure(client(aws, "sagemaker", region="eu-west-1").list_endpoints) == ("InternalFailure", 500)
    assert client(aws, "sagemaker", region="us-east-1").list_endpoints()["Endpoints"] == []


@pytest.mark.parametrize("service_name", ["cloudwatch", "monitoring"])
def test_cloudwatch_accepts_both_spellings(aws: LocalAws, service_name: str) -> None:
    cw = client(aws, "cloudwatch")
    assert cw.meta.service_model.resolved_protocol == "json"  # what botocore 1.43 speaks to CloudWatch
    aws.faults.add_rule(error="ThrottlingException", service=service_name, operation="DescribeAlarms")
    assert failure(cw.describe_alarms) == ("ThrottlingException", 400)
    assert client(aws, "sagemaker").list_endpoints()["Endpoints"] == []


def test_query_protocol_errors_are_xml_with_query_codes(aws: LocalAws) -> None:
    sts = client(aws, "sts", account=None)
    aws.faults.add_rule(error="ThrottlingException", service="sts", operation="AssumeRole", count=1)
    kwargs = {"RoleArn": f"arn:aws:iam::{MEMBER_A}:role/auditor", "RoleSessionName": "test"}
    assert failure(sts.assume_role, **kwargs) == ("Throttling", 400)
    assert sts.assume_role(**kwargs)["Credentials"]["AccessKeyId"]  # the rule fired once only
    aws.faults.add_rule(error="AccessDeniedException", service="sts")
    assert failure(sts.get_caller_identity) == ("AccessDenied", 400)


def test_rate_is_a_repeatable_probability(aws: LocalAws) -> None:
    sm = client(aws, "sagemaker")

    def pattern() -> list[bool]:
        aws.faults.clear()  # re-seeds the RNG
        aws.faults.add_rule(error="ThrottlingException", operation="ListEndpoints", rate=0.5)
        outcome = []
        for _ in range(40):
            try:
                sm.list_endpoints()
                outcome.append(True)
            except ClientError:
                outcome.append(False)
        return outcome

    first = pattern()
    assert 8 <= first.count(False) <= 32
    assert pattern() == first


def test_count_remove_and_clear(aws: LocalAws) -> None:
    sm = client(aws, "sagemaker")
    rule = aws.faults.add_rule(error="InternalFailure", operation="ListEndpoints", count=3)
    outcomes = []
    for _ in range(5):
        try:
            sm.list_endpoints()
            outcomes.append("ok")
        except ClientError:
            outcomes.append("fail")
    assert outcomes == ["fail", "fail", "fail", "ok", "ok"]
    aws.faults.remove_rule(rule)
    with pytest.raises(KeyError):
        aws.faults.remove_rule(rule)
    rule = aws.faults.add_rule(error="InternalFailure", operation="ListEndpoints")
    aws.faults.remove_rule(rule)
    assert sm.list_endpoints()["Endpoints"] == []
    aws.faults.add_rule(error="InternalFailure")
    aws.faults.clear()
    assert sm.list_endpoints()["Endpoints"] == []


def test_invalid_rules_are_rejected(aws: LocalAws) -> None:
    with pytest.raises(ValueError):
        aws.faults.add_rule(error="Teapot")
    with pytest.raises(ValueError):
        aws.faults.add_rule(error="InternalFailure", rate=1.5)
    with pytest.raises(ValueError):
        aws.faults.set_latency(-1)


def test_latency_is_added_to_every_call(aws: LocalAws) -> None:
    sm = client(aws, "sagemaker")
    aws.faults.set_latency(0.3)
    started = time.monotonic()
    sm.list_endpoints()
    assert time.monotonic() - started >= 0.3
    aws.faults.set_latency(0)
    started = time.monotonic()
    sm.list_endpoints()
    assert time.monotonic() - started < 0.3


def test_call_counters_per_account_and_region(aws: LocalAws) -> None:
    client(aws, "sagemaker", MEMBER_A, "us-east-1").list_endpoints()
    client(aws, "sagemaker", MEMBER_A, "eu-west-1").list_endpoints()
    client(aws, "sagemaker", MEMBER_B, "eu-west-1").search(Resource="Endpoint")
    client(aws, "cloudwatch", MEMBER_B, "eu-west-1").describe_alarms()
    assert aws.faults.calls(account_id=MEMBER_A) == {"sagemaker:ListEndpoints": 2}
    assert aws.faults.calls(account_id=MEMBER_B, region="eu-west-1") == {
        "sagemaker:Search": 1,
        "cloudwatch:DescribeAlarms": 1,
    }
    everything = aws.faults.calls()
    assert everything["sagemaker:ListEndpoints"] == 2
    assert everything["sts:AssumeRole"] >= 2  # the member-account sessions
    aws.faults.reset_calls()
    assert aws.faults.calls() == {}
