"""One hardened local AWS for the whole folder: a compliant estate and a clean scan of it to compare with."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from auditor.inventory.model import Inventory
from auditor.scan.options import ScanOptions
from auditor.scan.orchestrator import scan

from .support import ROLE_NAME, CompliantEstate, HardenedAws, seed_compliant_estate, start_hardened_aws

_ENV = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
)


@dataclass(frozen=True)
class Local:
    aws: HardenedAws
    estate: CompliantEstate
    clean: Inventory  # a fault-free scan of the estate

    def options(self, **overrides: object) -> ScanOptions:
        return scan_options(self.aws, self.estate, **overrides)


def scan_options(aws: HardenedAws, estate: CompliantEstate, **overrides: object) -> ScanOptions:
    values: dict[str, object] = {
        "accounts": estate.members,
        "regions": estate.regions,
        "endpoint_url": aws.endpoint_url,
        "role_name": ROLE_NAME,
    }
    values.update(overrides)
    return ScanOptions(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="package")
def local() -> Iterator[Local]:
    saved = {k: os.environ.get(k) for k in _ENV}
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1"
    )
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("AWS_SESSION_TOKEN", None)
    aws = start_hardened_aws()
    try:
        aws.aws.reset()
        estate = seed_compliant_estate(aws.aws)
        clean = scan(scan_options(aws, estate))
        assert clean.errors == [], clean.errors
        yield Local(aws, estate, clean)
    finally:
        aws.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def fresh(local: Local) -> Iterator[Local]:
    """The shared local AWS with no faults before and after the test."""
    local.aws.clear_faults()
    yield local
    local.aws.clear_faults()
