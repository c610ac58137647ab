"""The scan options shared by `auditor scan` (and anything else that scans): a click decorator
and the conversion of its parameters into a validated ScanOptions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

import click

from auditor.errors import InputError
from auditor.scan.accounts import validate_account_ids, validate_ou_ids
from auditor.scan.options import DEFAULT_ROLE_NAME, DEFAULT_SESSION_NAME, ScanOptions

F = TypeVar("F", bound=Callable[..., Any])

MAX_WORKERS_LIMIT = 64
ACCOUNTS_WITH_ORG = (
    "cannot be combined with --org: --org scans every ACTIVE account of the organization (narrow it "
    "with --ou), --accounts only the accounts listed; give one of them"
)

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
        "--max-workers",
        type=int,
        default=None,
        metavar="N",
        help="How many (account, region) pairs are scanned at once (default: 8).",
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


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _regions(value: str | None) -> tuple[str, ...] | Literal["all"] | None:
    parts = _split(value)
    if not parts:
        return None
    if [p.lower() for p in parts] == ["all"]:
        return "all"
    if "all" in (p.lower() for p in parts):
        raise InputError("--regions", "'all' cannot be combined with region names")
    return tuple(parts)


def _tags(values: tuple[str, ...] | None) -> tuple[tuple[str, str], ...]:
    result: list[tuple[str, str]] = []
    for value in values or ():
        key, sep, tag_value = value.partition("=")
        if not sep or not key.strip():
            raise InputError("--endpoint-tag", f"{value!r} is not KEY=VALUE")
        result.append((key.strip(), tag_value))
    return tuple(result)


def _endpoint_names(values: tuple[str, ...] | None) -> tuple[str, ...]:
    result: list[str] = []
    for value in values or ():
        name = value.strip()
        if not name or name == "*" or "*" in name[:-1]:
            raise InputError("--endpoint", f"{value!r} is not an endpoint name or a prefix ending in '*'")
        result.append(name)
    return tuple(result)


def build_scan_options(**kwargs: Any) -> ScanOptions:
    """ScanOptions from the click parameters of ``scan_options``; InputError on bad values.

    Unknown keys are ignored so a command can pass its whole ``**kwargs``.
    """
    template = kwargs.get("role_arn_template")
    if template is not None and "{account_id}" not in template:
        raise InputError("--role-arn-template", "must contain the placeholder {account_id}")
    max_workers = kwargs.get("max_workers")
    if max_workers is not None and not 1 <= int(max_workers) <= MAX_WORKERS_LIMIT:
        raise InputError("--max-workers", f"must be between 1 and {MAX_WORKERS_LIMIT}")
    ous = validate_ou_ids(kwargs.get("ous") or ())
    org = bool(kwargs.get("org"))
    if ous and not org:
        raise InputError("--ou", "needs --org")
    # Two flags that contradict each other are an error, never a silent choice.
    if org and _split(kwargs.get("accounts")):
        raise InputError("--accounts", ACCOUNTS_WITH_ORG)
    if template is not None and kwargs.get("role_name"):
        raise InputError(
            "--role-arn-template",
            "cannot be combined with --role-name (the template names the whole role ARN); give one of them",
        )
    external_id = kwargs.get("external_id")
    if external_id is not None and not 2 <= len(external_id) <= 1224:
        raise InputError("--external-id", "must be 2 to 1224 characters")
    options = ScanOptions(
        profile=kwargs.get("profile") or None,
        profile_source=kwargs.get("profile_source") or "--profile",
        regions=_regions(kwargs.get("regions")),
        accounts=validate_account_ids(_split(kwargs.get("accounts"))),
        org=org,
        ous=ous,
        role_name=kwargs.get("role_name") or DEFAULT_ROLE_NAME,
        role_arn_template=template,
        external_id=external_id,
        session_name=kwargs.get("session_name") or DEFAULT_SESSION_NAME,
        endpoint_names=_endpoint_names(kwargs.get("endpoint_names")),
        endpoint_tags=_tags(kwargs.get("endpoint_tags")),
        use_search=not kwargs.get("no_search"),
        endpoint_url=kwargs.get("endpoint_url") or None,
        max_workers=int(max_workers) if max_workers is not None else 8,
        max_attempts=kwargs.get("max_attempts"),
        read_timeout=kwargs.get("read_timeout"),
    )
    options.validate()
    return options
