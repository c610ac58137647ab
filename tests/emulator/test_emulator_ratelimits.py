"""Rate limits in the local AWS: off by default; when on, a token bucket per (account, region,
operation) answers over-limit calls with each service's real throttling error, seen through boto3."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from auditor.emulator import LocalAws
from auditor.emulator.ratelimits import Limit, RateLimiter, RateLimits

MEMBER_A = "111111111111"
MEMBER_B = "222222222222"
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


def client(aws: LocalAws, service: str, account: str | None = MEMBER_A, region: str = "us-east-1") -> Any:
    return aws.session(account, region).client(service, endpoint_url=aws.endpoint_url, config=NO_RETRIES)


def outcomes(call: Any, n: int, **kwargs: Any) -> list[str]:
    result = []
    for _ in range(n):
        try:
            call(**kwargs)
            result.append("ok")
        except ClientError as exc:
            error, meta = exc.response["Error"], exc.response["ResponseMetadata"]
            result.append(f"{error['Code']} {meta['HTTPStatusCode']} {error['Message']}")
    return result


def test_off_by_default(aws: LocalAws) -> None:
    sm = client(aws, "sagemaker")
    assert outcomes(sm.list_endpoints, 20) == ["ok"] * 20
    assert aws.faults.throttled == 0


def test_sagemaker_throttles_with_throttling_exception(aws: LocalAws) -> None:
    # A fake-slow clock is not possible through HTTP; a tiny rate makes refills negligible instead.
    sm, other_account = client(aws, "sagemaker"), client(aws, "sagemaker", MEMBER_B)
    other_region = client(aws, "sagemaker", region="eu-west-1")
    aws.faults.set_rate_limits(RateLimits(scale=0.01))  # every burst becomes 1 call
    got = outcomes(sm.list_endpoints, 3)
    assert got == ["ok", "ThrottlingException 400 Rate exceeded", "ThrottlingException 400 Rate exceeded"]
    # Buckets are per operation, per account, per region.
    assert outcomes(sm.list_monitoring_schedules, 1) == ["ok"]
    assert outcomes(other_account.list_endpoints, 1) == ["ok"]
    assert outcomes(other_region.list_endpoints, 1) == ["ok"]
    assert aws.faults.throttled == 2


def test_cloudwatch_describe_alarms_allows_its_published_nine_per_second(aws: LocalAws) -> None:
    aws.faults.set_rate_limits(RateLimits())
    cw = client(aws, "cloudwatch")
    got = outcomes(cw.describe_alarms, 15)
    assert got[:9] == ["ok"] * 9  # the burst: one second of 9 TPS
    assert "Throttling 400 Rate exceeded" in got[9:]  # CloudWatch's own code, not ThrottlingException


def test_sts_and_organizations_codes(aws: LocalAws) -> None:
    aws.faults.set_rate_limits(RateLimits(scale=0.01))
    sts = client(aws, "sts", None)
    assert outcomes(sts.get_caller_identity, 2)[1] == "Throttling 400 Rate exceeded"
    org = client(aws, "organizations", None)
    assert outcomes(org.list_roots, 2)[1].startswith("TooManyRequestsException 400")


def test_clear_turns_them_off(aws: LocalAws) -> None:
    sm = client(aws, "sagemaker")
    aws.faults.set_rate_limits(RateLimits(scale=0.01))
    aws.faults.clear()
    assert outcomes(sm.list_endpoints, 5) == ["ok"] * 5


def test_botocore_retries_through_a_throttle(aws: LocalAws) -> None:
    aws.faults.set_rate_limits(RateLimits(overrides={"sagemaker:ListEndpoints": Limit(4, 1, "test")}))
    sm = aws.session(MEMBER_A).client(
        "sagemaker",
        endpoint_url=aws.endpoint_url,
        config=Config(retries={"mode": "standard", "total_max_attempts": 10}),
    )
    for _ in range(5):
        sm.list_endpoints()  # throttled calls are retried with backoff until a token is free
    assert aws.faults.throttled >= 1


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_refills_at_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(overrides={"sagemaker:Search": Limit(2, 2, "test")}), clock=clock)

    def admit() -> str | None:
        return limiter.admit(MEMBER_A, "us-east-1", "sagemaker", "Search")

    assert [admit(), admit(), admit()] == [None, None, "ThrottlingException"]
    clock.now += 0.5  # one token at 2 per second
    assert [admit(), admit()] == [None, "ThrottlingException"]
    clock.now += 10  # refills cap at the burst
    assert [admit(), admit(), admit()] == [None, None, "ThrottlingException"]
    assert limiter.throttled == 3


@pytest.mark.parametrize(
    ("key", "rate", "published"),
    [
        (("cloudwatch", "DescribeAlarms"), 9, True),
        (("cloudwatch", "DescribeAlarmHistory"), 3, True),
        (("cloudwatch", "GetMetricData"), 50, True),
        (("sagemaker", "Search"), 2, False),
        (("sagemaker", "ListMonitoringSchedules"), 2, False),
        (("sagemaker", "DescribeEndpoint"), 5, False),
    ],
)
def test_defaults_say_where_they_come_from(key: tuple[str, str], rate: float, published: bool) -> None:
    limit = RateLimits().limit_for(*key)
    assert limit is not None and limit.rate == rate
    assert limit.source.startswith("published" if published else "assumption")
    assert RateLimits().limit_for("s3", "ListBuckets") is None  # not limited
