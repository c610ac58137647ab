"""S3 in the local AWS: what moto does not do for the capture and ground-truth checks.

* ``ExpectedBucketOwner``: S3 refuses (403 AccessDenied) a request whose ``x-amz-expected-bucket-owner``
  header names another account than the bucket's owner; moto ignores the header, so this middleware
  refuses it before moto sees the request.
* Object ages: moto stamps ``LastModified`` at put time; ``put_object_at`` backdates it, so an estate can
  hold capture that stopped arriving days ago.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from moto.s3.models import s3_backends

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def bucket_owner(bucket: str) -> str | None:
    """The account that owns ``bucket`` in the local AWS (None: no such bucket)."""
    found = s3_backends.bucket_accounts.get(bucket)
    return str(found[1]) if found else None


def _bucket_of(environ: dict[str, Any]) -> str | None:
    host = str(environ.get("HTTP_HOST", "")).split(":", 1)[0]
    if host.count(".") >= 1 and not host.replace(".", "").isdigit() and not host.startswith("localhost"):
        return host.split(".", 1)[0]  # virtual-hosted style: bucket.host
    path = str(environ.get("PATH_INFO", "/")).lstrip("/")
    return path.split("/", 1)[0] or None


class ExpectedOwnerMiddleware:
    """Refuse S3 requests whose ExpectedBucketOwner is not the bucket's owner, as S3 does."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        expected = environ.get("HTTP_X_AMZ_EXPECTED_BUCKET_OWNER")
        if expected:
            bucket = _bucket_of(environ)
            owner = bucket_owner(bucket) if bucket else None
            if owner is not None and owner != expected:
                body = (
                    "<?xml version='1.0' encoding='UTF-8'?><Error><Code>AccessDenied</Code>"
                    f"<Message>Access Denied</Message><BucketName>{escape(bucket or '')}</BucketName>"
                    "</Error>"
                ).encode()
                start_response(
                    "403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))]
                )
                return [body]
        return self._app(environ, start_response)


def ensure_bucket(account_id: str, region: str, bucket: str) -> None:
    """Create ``bucket`` in ``account_id`` unless it exists (in moto's state, as the seeding of schedule
    states does; the scanner reads it over HTTP)."""
    if bucket_owner(bucket) is None:
        s3_backends[account_id]["aws"].create_bucket(bucket, region)


def put_object_at(account_id: str, region: str, bucket: str, key: str, when: datetime) -> None:
    """Put a small object into ``bucket`` (created in ``account_id`` if needed) with LastModified
    backdated to ``when`` (moto stamps put time)."""
    ensure_bucket(account_id, region, bucket)
    owner = bucket_owner(bucket) or account_id
    stored = s3_backends[owner]["aws"].put_object(bucket, key, b'{"captureData": {}}\n')
    stored.last_modified = when.astimezone(UTC).replace(tzinfo=None)  # moto keeps naive UTC datetimes
