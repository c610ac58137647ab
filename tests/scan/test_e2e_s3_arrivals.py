"""End-to-end (real boto3, real HTTP, the local AWS): do captured data and ground truth still arrive?

One member account, one region, a bucket ``cap-<acct>`` it owns and a bucket ``foreign-cap`` owned by the
management account:
  ep-live     capture objects written 20 minutes ago                      → mm-capture-arrives PASS
  ep-stopped  last capture object 3 days ago (and a fresh manifest.json beside the date folders)
                                                                          → FAIL (none in the listing)
  ep-stale    last capture object 30 hours ago                            → FAIL (older than 24 h)
  ep-foreign  capture into another account's bucket: refused (ExpectedBucketOwner) → ERROR naming it
  ep-mq       ModelQuality monitor, labels 2 days old                     → mm-ground-truth-arrives PASS
  ep-mq-old   ModelQuality monitor, labels 10 days old                    → FAIL
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from auditor.emulator import LocalAws
from auditor.emulator.faults import TIMEOUT
from auditor.emulator.server import MANAGEMENT_ACCOUNT_ID
from auditor.inventory.model import Dataset, DatasetStatus, Inventory
from auditor.results import Verdict
from tests.scan.one_member import REGION, create_monitor, one_member_aws, scan_member, verdicts_of

pytestmark = pytest.mark.e2e

FOREIGN = "foreign-cap"
# endpoint -> age of its newest captured object (None: its bucket is another account's)
CAPTURE_AGES: dict[str, timedelta | None] = {
    "ep-live": timedelta(minutes=20),
    "ep-stopped": timedelta(days=3),
    "ep-stale": timedelta(hours=30),
    "ep-foreign": None,
    "ep-mq": timedelta(minutes=10),
    "ep-mq-old": timedelta(minutes=10),
}
LABEL_AGES = {"ep-mq": timedelta(days=2), "ep-mq-old": timedelta(days=10)}


def _key(prefix: str, when: datetime) -> str:
    return f"{prefix}{when:%Y/%m/%d/%H}/{when:%M%S}-capture.jsonl"


def _seed(aws: LocalAws, acct: str) -> None:
    session = aws.session(acct, REGION)
    sm = session.client("sagemaker", endpoint_url=aws.endpoint_url)
    s3 = session.client("s3", endpoint_url=aws.endpoint_url)
    bucket = f"cap-{acct}"
    s3.create_bucket(Bucket=bucket)
    aws.session(None, REGION).client("s3", endpoint_url=aws.endpoint_url).create_bucket(Bucket=FOREIGN)
    aws.put_object_at(
        MANAGEMENT_ACCOUNT_ID,
        FOREIGN,
        _key("data/ep-foreign/AllTraffic/", datetime.now(UTC)),
        datetime.now(UTC),
    )
    sm.create_model(
        ModelName="model", ExecutionRoleArn=f"arn:aws:iam::{acct}:role/x", PrimaryContainer={"Image": "img"}
    )
    now = datetime.now(UTC).replace(microsecond=0)
    for name, age in CAPTURE_AGES.items():
        destination = f"s3://{FOREIGN}/data" if age is None else f"s3://{bucket}/data"
        sm.create_endpoint_config(
            EndpointConfigName=f"{name}-cfg",
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": "model",
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": 1,
                }
            ],
            DataCaptureConfig={
                "EnableCapture": True,
                "InitialSamplingPercentage": 100,
                "DestinationS3Uri": destination,
                "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            },
        )
        sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-cfg")
        if age is not None:
            # an older object too, so the newest (not the first) must be found
            for when in (now - age - timedelta(hours=5), now - age):
                aws.put_object_at(acct, bucket, _key(f"data/{name}/AllTraffic/", when), when)
    # a fresh object beside the date folders (sorts after them) is not captured data
    aws.put_object_at(acct, bucket, "data/ep-stopped/AllTraffic/manifest.json", now)
    for name, age in LABEL_AGES.items():
        when = now - age
        aws.put_object_at(acct, bucket, _key(f"labels/{name}/", when), when)
        create_monitor(
            sm, acct, name, monitoring_type="ModelQuality", ground_truth_uri=f"s3://{bucket}/labels/{name}"
        )


@pytest.fixture(scope="module")
def s3_aws() -> Iterator[tuple[LocalAws, str]]:
    with one_member_aws(_seed) as aws_and_account:
        yield aws_and_account


@pytest.fixture(scope="module")
def baseline(s3_aws: tuple[LocalAws, str]) -> Inventory:
    aws, acct = s3_aws
    aws.faults.clear()
    return scan_member(aws, acct)


def test_capture_arrival_working_and_broken(baseline: Inventory) -> None:
    verdicts = verdicts_of(baseline, "mm-capture-arrives")
    assert verdicts["ep-live"][0] is Verdict.PASS
    assert verdicts["ep-stopped"][0] is Verdict.FAIL
    assert "none since" in verdicts["ep-stopped"][1]
    assert verdicts["ep-stale"][0] is Verdict.FAIL
    live = next(e for e in baseline.endpoints if e.name == "ep-live")
    assert live.capture_arrivals is not None
    (arrival,) = live.capture_arrivals
    assert arrival.uri.endswith("/data/ep-live/AllTraffic/") and arrival.variant == "AllTraffic"
    # the newest of the two objects, not the first listed
    assert arrival.newest_time is not None and arrival.newest_key is not None
    age = datetime.now(UTC) - datetime.fromisoformat(arrival.newest_time.replace("Z", "+00:00"))
    assert timedelta(minutes=15) < age < timedelta(hours=1)


def test_bucket_in_another_account_is_error_naming_it(baseline: Inventory) -> None:
    verdict, message = verdicts_of(baseline, "mm-capture-arrives")["ep-foreign"]
    assert verdict is Verdict.ERROR
    assert FOREIGN in message and "AccessDenied" in message
    (error,) = [e for e in baseline.errors if e.resource == "ep-foreign"]
    assert error.operation == "ListObjectsV2" and error.dataset is Dataset.S3_OBJECTS
    (target,) = baseline.targets
    assert target.datasets[Dataset.S3_OBJECTS] is DatasetStatus.PARTIAL


def test_ground_truth_arrival_working_and_broken(baseline: Inventory) -> None:
    verdicts = verdicts_of(baseline, "mm-ground-truth-arrives")
    assert verdicts["ep-mq-mq"][0] is Verdict.PASS
    assert verdicts["ep-mq-old-mq"][0] is Verdict.FAIL
    assert "expected a ground-truth object younger than P7D" in verdicts["ep-mq-old-mq"][1]


def test_listing_is_bounded(s3_aws: tuple[LocalAws, str]) -> None:
    aws, acct = s3_aws
    aws.faults.clear()
    aws.faults.reset_calls()
    scan_member(aws, acct)
    calls = aws.faults.calls(account_id=acct)
    # captures: fresh (ep-live, ep-mq, ep-mq-old) 1 call each; ep-stopped 1 + 3 days (nothing in the
    # 2-day lookback); ep-stale (30 h) 1 + 1 or 2 days; ep-foreign refused at its first call.
    # labels: ep-mq (2 days) 1 call (the 2-day recent window); ep-mq-old (10 days) 1 + 11 days.
    listed = calls.get("s3:ListObjectsV2", 0)
    assert 3 + 4 + 2 + 1 + 1 + 12 <= listed <= 3 + 4 + 3 + 1 + 1 + 12


def test_no_s3_reads_nothing_and_is_not_applicable(s3_aws: tuple[LocalAws, str]) -> None:
    aws, acct = s3_aws
    aws.faults.clear()
    aws.faults.reset_calls()
    inventory = scan_member(aws, acct, use_s3=False)
    assert aws.faults.calls(account_id=acct).get("s3:ListObjectsV2", 0) == 0
    (target,) = inventory.targets
    assert target.datasets[Dataset.S3_OBJECTS] is DatasetStatus.SKIPPED
    for policy_id in ("mm-capture-arrives", "mm-ground-truth-arrives"):
        verdicts = verdicts_of(inventory, policy_id)
        assert verdicts, policy_id
        assert {v for v, _ in verdicts.values()} == {Verdict.NOT_APPLICABLE}, policy_id
        assert all("not collected by choice" in m for _, m in verdicts.values())


@pytest.mark.parametrize("error", ["AccessDeniedException", "ThrottlingException", TIMEOUT])
def test_s3_faults_give_error_never_pass(s3_aws: tuple[LocalAws, str], error: str) -> None:
    aws, acct = s3_aws
    aws.faults.clear()
    aws.faults.add_rule(error=error, service="s3", operation="ListObjectsV2")
    try:
        inventory = scan_member(aws, acct, max_attempts=1, read_timeout=3)
    finally:
        aws.faults.clear()
    assert {e.operation for e in inventory.errors} == {"ListObjectsV2"}
    for policy_id in ("mm-capture-arrives", "mm-ground-truth-arrives"):
        verdicts = verdicts_of(inventory, policy_id)
        assert verdicts, policy_id
        assert {v for v, _ in verdicts.values()} == {Verdict.ERROR}, policy_id
        assert all("bucket " in m for _, m in verdicts.values()), policy_id
