"""The scan options of `auditor scan` (and anything else that scans) as a click decorator. Their values
become a ScanOptions through ``auditor.settings`` (merged with the config file) and
``auditor.scan.options.scan_options_from_flags``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from auditor.scan.options import DEFAULT_ROLE_NAME

F = TypeVar("F", bound=Callable[..., Any])


_OPTIONS: tuple[Callable[[F], F], ...] = (
    click.option(
        "--profile",
        default=None,
        metavar="NAME",
        help="AWS named profile (from ~/.aws/config, SSO profiles included). Default: the standard "
        "boto3 credential chain (environment, profile, SSO, instance role).",
    ),
    click.option(
        "--regions",
        default=None,
        metavar="R1,R2|all",
        help="Comma-separated regions to scan, or 'all' for every region enabled for the account "
        "where SageMaker is offered. Default: the session's default region.",
    ),
    click.option(
        "--accounts",
        default=None,
        metavar="ID,ID",
        help="Comma-separated 12-digit member account ids, each entered through STS AssumeRole. "
        "Default: only the account of the current credentials.",
    ),
    click.option(
        "--accounts-file",
        default=None,
        metavar="PATH",
        help="A file of 12-digit member account ids, one per line ('#' comments allowed), for a "
        "selection too long for --accounts.",
    ),
    click.option(
        "--shard",
        default=None,
        metavar="I/N",
        help="Scan only shard I of N of the selected accounts (a stable hash of each account id), "
        "for one job of a CI matrix or an array job; join the shards' inventory.json files with "
        "`auditor merge`.",
    ),
    click.option(
        "--org",
        is_flag=True,
        default=False,
        help="Scan every ACTIVE account of the AWS Organization (run from the management account "
        "or a delegated administrator), entering each through AssumeRole.",
    ),
    click.option(
        "--ou",
        "ous",
        multiple=True,
        metavar="OU_ID",
        help="With --org: only accounts in this organizational unit, nested OUs included. Repeatable.",
    ),
    click.option(
        "--role-name",
        default=None,
        metavar="NAME",
        help=f"Name of the read-only role assumed in each member account (default: {DEFAULT_ROLE_NAME}).",
    ),
    click.option(
        "--role-arn-template",
        default=None,
        metavar="TEMPLATE",
        help="Role ARN to assume, with {account_id} as placeholder, e.g. "
        "'arn:aws:iam::{account_id}:role/path/Audit'. Overrides --role-name.",
    ),
    click.option(
        "--external-id",
        default=None,
        metavar="ID",
        help="ExternalId passed to AssumeRole when the member roles require one.",
    ),
    click.option(
        "--endpoint",
        "endpoint_names",
        multiple=True,
        metavar="NAME|PREFIX*",
        help="Targeted scan: only this endpoint (exact name, or a prefix ending in '*') with its "
        "monitors, job definitions and alarms. Repeatable; for release gates.",
    ),
    click.option(
        "--endpoint-tag",
        "endpoint_tags",
        multiple=True,
        metavar="KEY=VALUE",
        help="Targeted scan: only endpoints carrying this tag. Repeatable; combined with --endpoint "
        "as alternatives (an endpoint matching any of them is scanned).",
    ),
    click.option(
        "--no-search",
        is_flag=True,
        default=False,
        help="Do not use the SageMaker Search fast path; list and describe each resource instead "
        "(slower, more API calls). The scanner falls back on its own when Search is denied.",
    ),
    click.option(
        "--no-s3",
        is_flag=True,
        default=False,
        help="Do not list objects in the data-capture and ground-truth buckets (no s3:ListBucket needed); "
        "the checks that data still arrives are then NOT_APPLICABLE, 'not collected by choice'.",
    ),
    click.option(
        "--max-workers",
        type=int,
        default=None,
        metavar="N",
        help="A fixed number of (account, region) pairs scanned at once (default: every region of "
        "--max-accounts accounts, at most 128).",
    ),
    click.option(
        "--max-accounts",
        type=int,
        default=None,
        metavar="N",
        help="How many accounts are scanned at once (default: 32). Each account has its own API rate "
        "limits; calls per (account, region, service) adapt to them (start at 4, grow to 16 while "
        "calls succeed, halve on throttling).",
    ),
    click.option(
        "--max-attempts",
        type=int,
        default=None,
        metavar="N",
        help="Attempts per API call, retries of throttled and failed calls included (default: 10; "
        "lower it in a release gate to fail fast on an unreachable account).",
    ),
    click.option(
        "--read-timeout",
        type=int,
        default=None,
        metavar="SECONDS",
        help="How long to wait for each AWS response before retrying (default: 60).",
    ),
    click.option(
        "--endpoint-url",
        default=None,
        metavar="URL",
        help="Send every AWS call to this URL (the local AWS from `auditor emulator`). Real AWS "
        "needs no value; boto3 also honours AWS_ENDPOINT_URL.",
    ),
)


def scan_options(f: F) -> F:
    """Add every scan option to a click command (parameters feed ``build_scan_options``)."""
    for option in reversed(_OPTIONS):
        f = option(f)
    return f
