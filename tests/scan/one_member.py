"""A local AWS with an organization of one member account, scanned and judged by single policies: what the
end-to-end tests of one check (signal flow, S3 arrivals) share."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from auditor.emulator import LocalAws
from auditor.inventory.model import Inventory
from auditor.policy.engine import judge_all
from auditor.policy.loader import load_policy_set
from auditor.results import Verdict
from auditor.scan.options import ScanOptions
from auditor.scan.orchestrator import scan

REGION = "us-east-1"
_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_PROFILE")


@contextmanager
def one_member_aws(seed: Callable[[LocalAws, str], None]) -> Iterator[tuple[LocalAws, str]]:
    """A started local AWS holding an organization with one member account, seeded by ``seed``; the
    process's AWS environment is restored afterwards."""
    saved = {k: os.environ.get(k) for k in _ENV}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION)
    os.environ.pop("AWS_PROFILE", None)
    aws = LocalAws.start()
    try:
        aws.reset()
        org = aws.session(None).client("organizations", endpoint_url=aws.endpoint_url, region_name=REGION)
        org.create_organization(FeatureSet="ALL")
        acct = org.create_account(Email="m@example.com", AccountName="m")["CreateAccountStatus"]["AccountId"]
        seed(aws, acct)
        yield aws, acct
    finally:
        aws.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def scan_member(aws: LocalAws, acct: str, **overrides: Any) -> Inventory:
    """The real scanner over HTTP on the member account in REGION (``overrides``: ScanOptions fields)."""
    values: dict[str, Any] = {
        "accounts": (acct,),
        "regions": (REGION,),
        "endpoint_url": aws.endpoint_url,
        "role_name": "ModelMonitorAuditor",
        "max_attempts": 2,
    }
    values.update(overrides)
    return scan(ScanOptions(**values))


def verdicts_of(inventory: Inventory, policy_id: str) -> dict[str, tuple[Verdict, str]]:
    """Resource name -> (verdict, message) of one built-in policy, judged as of the scan's end."""
    policy = next(p for p in load_policy_set().policies if p.id == policy_id)
    as_of = datetime.fromisoformat(inventory.metadata.finished_at.replace("Z", "+00:00"))
    return {f.resource_name: (f.verdict, f.message) for f in judge_all(inventory, [policy], as_of)}
