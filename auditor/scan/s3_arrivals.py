"""Whether data still arrives: the newest object under each capture and ground-truth prefix (ListObjectsV2).

Data capture writes ``<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file>.jsonl``; ground truth is
read from ``<GroundTruthS3Input.S3Uri>/yyyy/mm/dd/hh/`` (DOMAIN §3, §4). Keys therefore sort by date, and the
newest object is found without a full listing, with a bounded number of calls per prefix:

1. ``StartAfter=<prefix><yyyy/mm/dd/hh of now - recent>``: the recent objects (one call; the usual answer),
   with ``recent`` 1 h for captures (a live endpoint writes every few minutes) and 2 days for ground truth
   (labels usually arrive in daily batches);
2. otherwise each day of the lookback, newest first: ``Prefix=<prefix><yyyy/mm/dd/>``, stopping at the first
   day with an object.

Each listing reads at most ``MAX_PAGES`` pages of 1,000 keys, and the newest ``LastModified`` among them is
kept. Calls per prefix: 1 when data arrived within ``recent``; at most 1 + (lookback days + 1) × MAX_PAGES
otherwise (captures: ≤ 1 + 3 × 2 = 7 with a 2-day lookback, 4 when nothing arrived; ground truth: ≤ 1 +
15 × 2 = 31 with 14 days, 16 when nothing arrived at all -- one per day without labels).

Every call passes ``ExpectedBucketOwner`` = the scanned account, so S3 refuses (403) a bucket owned by another
account instead of listing it. A refused, denied, throttled or timed-out listing is recorded as a ScanError
naming the bucket, and the endpoint or monitor gets ``S3_OBJECTS`` in ``missing``: its verdict is ERROR,
never PASS. With ``--no-s3`` nothing is listed and the dataset is SKIPPED ("not collected by choice").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from auditor.inventory.model import (
    Dataset,
    DatasetStatus,
    Endpoint,
    JobDefinition,
    Monitor,
    MonitorType,
    S3Arrival,
    ScanError,
)
from auditor.scan.clients import AWS_ERRORS, RegionApi
from auditor.scan.context import RegionContext
from auditor.scan.guard import Operation
from auditor.scan.normalize import iso

OPERATIONS: tuple[Operation, ...] = (("s3", "ListObjectsV2"),)  # IAM action: s3:ListBucket

CAPTURE_RECENT = timedelta(hours=1)  # the first listing's window
GROUND_TRUTH_RECENT = timedelta(days=2)
CAPTURE_LOOKBACK = timedelta(days=2)  # mm-capture-arrives judges ages up to this (default 24 h)
GROUND_TRUTH_LOOKBACK = timedelta(days=14)  # mm-ground-truth-arrives judges ages up to this (default 7 d)
MAX_PAGES = 2  # pages of 1,000 keys read per listing (the newest of the first 2,000 keys of a day)
PAGE_SIZE = 1000
GROUND_TRUTH_TYPES = (MonitorType.MODEL_QUALITY, MonitorType.MODEL_BIAS)


@dataclass(frozen=True)
class Location:
    bucket: str
    prefix: str  # ends with "/" (or is empty)

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def parse_s3_uri(uri: str, *parts: str) -> Location | None:
    """``s3://bucket/prefix`` + ``parts`` as a folder location; None when it is not an s3:// URI."""
    if not uri.startswith("s3://"):
        return None
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    if not bucket:
        return None
    segments = [s for s in (prefix.strip("/"), *parts) if s]
    return Location(bucket, "".join(f"{s}/" for s in segments))


_DATE_PATH = re.compile(r"\d{4}/\d{2}/\d{2}/\d{2}/")


def _listing(api: RegionApi, location: Location, **params: Any) -> tuple[datetime | None, str | None]:
    """The newest object (LastModified, key) in up to MAX_PAGES pages of one listing, counting only keys
    on the date path (``<prefix>yyyy/mm/dd/hh/...``): another object under the prefix (a manifest, a
    stray upload) says nothing about whether data arrives."""
    newest: tuple[datetime, str] | None = None
    token: str | None = None
    for _ in range(MAX_PAGES):
        extra = {"ContinuationToken": token} if token else {}
        page = api.call(
            "s3",
            "ListObjectsV2",
            Bucket=location.bucket,
            ExpectedBucketOwner=api.account_id,
            MaxKeys=PAGE_SIZE,
            **params,
            **extra,
        )
        for item in page.get("Contents") or []:
            key, modified = str(item.get("Key", "")), item.get("LastModified")
            if not isinstance(modified, datetime) or not _DATE_PATH.match(key, len(location.prefix)):
                continue
            modified = modified if modified.tzinfo else modified.replace(tzinfo=UTC)
            if newest is None or modified > newest[0]:
                newest = (modified, key)
        token = page.get("NextContinuationToken") if page.get("IsTruncated") else None
        if not token:
            break
    return (newest[0], newest[1]) if newest else (None, None)


def newest_object(
    api: RegionApi,
    location: Location,
    now: datetime,
    lookback: timedelta,
    recent: timedelta,
    *,
    variant: str | None = None,
) -> S3Arrival:
    """The newest object under ``location``'s date folders (raises the AWS_ERRORS for the caller)."""
    since = (now - lookback).replace(minute=0, second=0, microsecond=0)  # keys are per hour
    newest, key = _listing(
        api,
        location,
        Prefix=location.prefix,
        StartAfter=location.prefix + (now - recent).strftime("%Y/%m/%d/%H"),
    )
    day = now
    while newest is None and day.date() >= since.date():
        newest, key = _listing(api, location, Prefix=location.prefix + day.strftime("%Y/%m/%d/"))
        day -= timedelta(days=1)
    return S3Arrival(
        uri=location.uri,
        bucket=location.bucket,
        listed_since=iso(since) or "",
        newest_time=iso(newest),
        newest_key=key,
        variant=variant,
    )


def _read(
    api: RegionApi,
    location: Location,
    owner: str,
    now: datetime,
    lookback: timedelta,
    recent: timedelta,
    variant: str | None = None,
) -> S3Arrival | None:
    """``newest_object``, or None with a ScanError naming the bucket (recorded for ``owner``)."""
    try:
        return newest_object(api, location, now, lookback, recent, variant=variant)
    except AWS_ERRORS as exc:
        error = api.record(exc, "s3", "ListObjectsV2", dataset=Dataset.S3_OBJECTS, resource=owner)
        error.message = f"bucket {location.bucket} ({location.uri}): {error.message}"
        return None


def skip_if_not_wanted(ctx: RegionContext) -> bool:
    """True (and the dataset marked SKIPPED, "not collected by choice") when the scan runs with --no-s3."""
    if ctx.options.use_s3:
        return False
    ctx.target.datasets[Dataset.S3_OBJECTS] = DatasetStatus.SKIPPED
    return True


def fill_capture_arrivals(
    ctx: RegionContext, endpoints: list[Endpoint], *, now: datetime | None = None
) -> None:
    """Set ``capture_arrivals`` (one per production variant) on every endpoint with capture enabled."""
    if skip_if_not_wanted(ctx):
        return
    now = now or datetime.now(UTC)
    api = ctx.api

    def fill(endpoint: Endpoint) -> None:
        capture = endpoint.data_capture
        if capture is None or not capture.enabled or not capture.destination_s3_uri:
            return
        arrivals: list[S3Arrival] = []
        for variant in (v for v in endpoint.variants if not v.shadow):
            location = parse_s3_uri(capture.destination_s3_uri, endpoint.name, variant.name)
            arrival = (
                None
                if location is None
                else _read(api, location, endpoint.name, now, CAPTURE_LOOKBACK, CAPTURE_RECENT, variant.name)
            )
            if arrival is None:
                if location is None:
                    api.errors.append(_bad_uri(api, endpoint.name, capture.destination_s3_uri))
                endpoint.missing = sorted(set(endpoint.missing) | {Dataset.S3_OBJECTS})
                return
            arrivals.append(arrival)
        endpoint.capture_arrivals = arrivals

    ctx.map(fill, endpoints)


def fill_ground_truth_arrivals(
    ctx: RegionContext,
    monitors: list[Monitor],
    definitions: list[JobDefinition],
    *,
    now: datetime | None = None,
) -> None:
    """Set ``ground_truth_arrival`` on every ModelQuality / ModelBias monitor whose job definition names
    a ground-truth prefix."""
    if skip_if_not_wanted(ctx):
        return
    now = now or datetime.now(UTC)
    api = ctx.api
    by_name = {(d.monitor_type, d.name): d for d in definitions if not d.embedded}

    def fill(monitor: Monitor) -> None:
        if monitor.monitor_type not in GROUND_TRUTH_TYPES or monitor.job_definition_name is None:
            return
        definition = by_name.get((monitor.monitor_type, monitor.job_definition_name))
        if definition is None or not definition.ground_truth_s3_uri:
            return
        location = parse_s3_uri(definition.ground_truth_s3_uri)
        arrival = (
            None
            if location is None
            else _read(api, location, monitor.name, now, GROUND_TRUTH_LOOKBACK, GROUND_TRUTH_RECENT)
        )
        if arrival is None:
            if location is None:
                api.errors.append(_bad_uri(api, monitor.name, definition.ground_truth_s3_uri))
            monitor.missing = sorted(set(monitor.missing) | {Dataset.S3_OBJECTS})
            return
        monitor.ground_truth_arrival = arrival

    ctx.map(fill, monitors)


def _bad_uri(api: RegionApi, owner: str, uri: str) -> ScanError:
    return ScanError(
        account_id=api.account_id,
        region=api.region,
        service="s3",
        operation="ListObjectsV2",
        error_code="InvalidS3Uri",
        message=f"not an s3:// URI, nothing can be listed: {uri!r}",
        dataset=Dataset.S3_OBJECTS,
        resource=owner,
    )
