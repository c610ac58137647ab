"""Which regions to scan: the session default, an explicit list, or every enabled SageMaker region."""

from __future__ import annotations

from collections.abc import Iterable

import boto3

from auditor.errors import InputError
from auditor.scan.clients import Runtime
from auditor.scan.guard import Operation
from auditor.scan.sessions import home_region

OPERATIONS: tuple[Operation, ...] = (("ec2", "DescribeRegions"),)


def known_regions(session: boto3.Session) -> set[str]:
    """Every region botocore knows SageMaker in, across partitions."""
    result: set[str] = set()
    for partition in session.get_available_partitions():
        result.update(session.get_available_regions("sagemaker", partition_name=partition))
    return result


def validate_regions(
    session: boto3.Session, values: Iterable[str], source: str = "--regions"
) -> tuple[str, ...]:
    """Deduplicate and check region names against botocore's SageMaker regions; InputError otherwise."""
    known = known_regions(session)
    result: list[str] = []
    for value in values:
        region = value.strip()
        if region not in known:
            raise InputError(source, f"{value!r} is not a region where SageMaker is offered")
        if region not in result:
            result.append(region)
    if not result:
        raise InputError(source, "no region given")
    return tuple(result)


def default_region(session: boto3.Session) -> str:
    """The session's configured region; InputError when none is configured."""
    if not session.region_name:
        raise InputError(
            "--regions", "no default region is configured; pass --regions r1,r2 or --regions all"
        )
    return validate_regions(session, [session.region_name], source="AWS default region")[0]


def enabled_sagemaker_regions(runtime: Runtime, session: boto3.Session) -> list[str]:
    """Regions enabled for the account (ec2 DescribeRegions) where botocore offers SageMaker, sorted.

    Raises the AWS errors for the orchestrator to record.
    """
    ec2 = runtime.make_client(session, "ec2", home_region(session))
    result = ec2.describe_regions()
    enabled = {str(r["RegionName"]) for r in result.get("Regions", [])}
    return sorted(enabled & known_regions(session))
