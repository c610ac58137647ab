"""What a scan covers and how: the one options object every entry point builds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from auditor.errors import InputError
from auditor.fileio import read_text
from auditor.inventory.cost import load_price_table
from auditor.inventory.model import Recogniser
from auditor.inventory.shards import Shard, parse_shard
from auditor.scan.accounts import ACCOUNT_ID, validate_account_ids, validate_ou_ids

DEFAULT_ROLE_NAME = "ModelMonitorAuditor"
# Accounts have their own API rate limits, so scanning more of them at once costs AWS nothing; what it
# costs is threads here (each target runs up to limiter.MAX_CONCURRENCY calls at once). See
# docs/multi-account.md, "Concurrency and rate limits".
DEFAULT_MAX_ACCOUNTS = 32
MAX_ACCOUNTS_LIMIT = 1000
TARGETS_IN_FLIGHT_CAP = 128
DEFAULT_SESSION_NAME = "mm-auditor"

_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")


@dataclass(frozen=True)
class ScanOptions:
    """Options of one scan. Built by ``scan_options_from_flags`` (flags merged with the config file by
    ``auditor.settings``) or directly by a library caller."""

    profile: str | None = None
    profile_source: str = "--profile"  # where ``profile`` came from, for messages (e.g. a config file)
    regions: tuple[str, ...] | Literal["all"] | None = None  # None = the session's default region
    accounts: tuple[str, ...] = ()  # explicit member accounts (entered through AssumeRole)
    org: bool = False  # ACTIVE accounts from AWS Organizations
    ous: tuple[str, ...] = ()  # restrict --org to these OUs, nested OUs included
    role_name: str = DEFAULT_ROLE_NAME
    role_arn_template: str | None = None  # e.g. "arn:aws:iam::{account_id}:role/Audit"
    external_id: str | None = None
    session_name: str = DEFAULT_SESSION_NAME
    endpoint_names: tuple[str, ...] = ()  # targeted scan: exact names or prefixes ending in "*"
    endpoint_tags: tuple[tuple[str, str], ...] = ()  # targeted scan by tag key=value
    use_search: bool = True  # --no-search turns the fast path off
    use_s3: bool = (
        True  # --no-s3: no ListObjectsV2 on data buckets (the S3 checks are "not collected by choice")
    )
    endpoint_url: str | None = None  # for the local AWS; real AWS leaves it None
    max_accounts: int = DEFAULT_MAX_ACCOUNTS  # the global budget of accounts scanned at once
    max_workers: int | None = None  # a fixed cap on (account, region) pairs at once (None: from max_accounts)
    per_service_concurrency: int = 4  # calls in flight per (account, region, service) at the start
    adaptive_concurrency: bool = True  # grow while calls succeed, halve on throttling (AIMD)
    max_attempts: int | None = None  # per API call, retries included (None: 10)
    read_timeout: int | None = None  # seconds per HTTP response (None: 60)
    shard: Shard | None = None  # scan only this shard of the accounts (``auditor merge`` joins them)
    price_list_api: bool = True  # ask pricing:GetProducts for the cost view (else the price table only)
    price_table: str | None = None  # a price table file replacing the bundled one (cost view)
    # The replacement recognisers (config ``recognisers``): which alarms and schedules to read for them
    recognisers: tuple[Recogniser, ...] = ()

    def validate(self) -> None:
        """Check the values AWS would reject anyway, before any call; InputError otherwise."""
        if not _SESSION_NAME.match(self.session_name):
            raise InputError("session name", "must be 2-64 characters of letters, digits and +=,.@_-")
        if self.role_arn_template is None and not _ROLE_NAME.match(self.role_name):
            raise InputError("--role-name", f"{self.role_name!r} is not a valid IAM role name")
        if self.role_arn_template is not None and "{account_id}" not in self.role_arn_template:
            raise InputError("--role-arn-template", "must contain the placeholder {account_id}")
        if self.external_id is not None and not 2 <= len(self.external_id) <= 1224:
            raise InputError("--external-id", "must be 2 to 1224 characters")
        if (self.max_workers is not None and self.max_workers < 1) or self.per_service_concurrency < 1:
            raise InputError("--max-workers", "must be at least 1")
        if not 1 <= self.max_accounts <= MAX_ACCOUNTS_LIMIT:
            raise InputError("--max-accounts", f"must be between 1 and {MAX_ACCOUNTS_LIMIT}")
        if self.max_attempts is not None and not 1 <= self.max_attempts <= 20:
            raise InputError("--max-attempts", "must be between 1 and 20")
        if self.read_timeout is not None and not 1 <= self.read_timeout <= 900:
            raise InputError("--read-timeout", "must be between 1 and 900 seconds")
        if self.price_table is not None:
            load_price_table(Path(self.price_table))  # a missing or malformed table: exit 2 before scanning
        if self.ous and not self.org:
            raise InputError("--ou", "needs --org")
        if self.org and self.accounts:
            raise InputError(
                "--accounts", "cannot be combined with --org (org discovery already chooses the accounts)"
            )

    def targets_in_flight(self, regions: int) -> int:
        """How many (account, region) pairs are scanned at once: ``max_workers`` when given, else every
        region of ``max_accounts`` accounts, capped at TARGETS_IN_FLIGHT_CAP (threads are not free)."""
        if self.max_workers is not None:
            return self.max_workers
        return max(1, min(self.max_accounts * max(1, regions), TARGETS_IN_FLIGHT_CAP))

    @property
    def targeted(self) -> bool:
        """True when the scan is restricted to some endpoints (a release-gate scan)."""
        return bool(self.endpoint_names or self.endpoint_tags)

    def role_arn(self, account_id: str) -> str:
        """The role ARN entered in ``account_id``."""
        if self.role_arn_template:
            return self.role_arn_template.format(account_id=account_id)
        return f"arn:aws:iam::{account_id}:role/{self.role_name}"

    def matches_endpoint(self, name: str, tags: dict[str, str]) -> bool:
        """Whether a targeted scan includes this endpoint (always True for a full scan).

        A name pattern ending in "*" is a prefix. Name patterns and tag filters are alternatives:
        an endpoint is included when it matches any of them.
        """
        if not self.targeted:
            return True
        for pattern in self.endpoint_names:
            if pattern.endswith("*"):
                if name.startswith(pattern[:-1]):
                    return True
            elif name == pattern:
                return True
        return any(tags.get(key) == value for key, value in self.endpoint_tags)

    def describe(self) -> dict[str, object]:
        """The options as plain data for ScanMetadata.options (no secrets: there are none here)."""
        return {
            "profile": self.profile,
            "regions": self.regions if self.regions in (None, "all") else list(self.regions or ()),
            "accounts": list(self.accounts),
            "org": self.org,
            "ous": list(self.ous),
            "role_name": self.role_name,
            "role_arn_template": self.role_arn_template,
            "external_id_set": self.external_id is not None,
            "session_name": self.session_name,
            "endpoint_names": list(self.endpoint_names),
            "endpoint_tags": [f"{k}={v}" for k, v in self.endpoint_tags],
            "search": self.use_search,
            "s3": self.use_s3,
            "endpoint_url": self.endpoint_url,
            "price_list_api": self.price_list_api,
            "price_table": self.price_table,
            "recognisers": [r.name for r in self.recognisers],
        }


MAX_WORKERS_LIMIT = 64
ACCOUNTS_WITH_ORG = (
    "cannot be combined with --org: --org scans every ACTIVE account of the organization (narrow it "
    "with --ou), --accounts only the accounts listed; give one of them"
)


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


def read_accounts_file(path: str) -> tuple[str, ...]:
    """Account ids from a file, one per line (blank lines and ``#`` comments ignored); InputError
    naming the file and line otherwise. For a selection too long for a command line."""
    result: list[str] = []
    for number, line in enumerate(read_text(Path(path)).splitlines(), start=1):
        value = line.split("#", 1)[0].strip()
        if not value:
            continue
        if not ACCOUNT_ID.match(value):
            raise InputError(path, f"{value!r} is not a 12-digit AWS account id", line=number)
        if value not in result:
            result.append(value)
    if not result:
        raise InputError(path, "lists no account id")
    return tuple(result)


def _accounts(kwargs: dict[str, Any]) -> tuple[str, ...]:
    accounts = validate_account_ids(_split(kwargs.get("accounts")))
    path = kwargs.get("accounts_file")
    if not path:
        return accounts
    if accounts:
        raise InputError("--accounts-file", "cannot be combined with --accounts; give one of them")
    if kwargs.get("org"):
        raise InputError("--accounts-file", "cannot be combined with --org; give one of them")
    return read_accounts_file(str(path))


def scan_options_from_flags(**kwargs: Any) -> ScanOptions:
    """ScanOptions from scan flags as the command line gives them (``auditor.cli.scan_options``: strings
    such as "111111111111,222222222222"); InputError on bad values.

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
        accounts=_accounts(kwargs),
        org=org,
        ous=ous,
        role_name=kwargs.get("role_name") or DEFAULT_ROLE_NAME,
        role_arn_template=template,
        external_id=external_id,
        session_name=kwargs.get("session_name") or DEFAULT_SESSION_NAME,
        endpoint_names=_endpoint_names(kwargs.get("endpoint_names")),
        endpoint_tags=_tags(kwargs.get("endpoint_tags")),
        use_search=not kwargs.get("no_search"),
        use_s3=not kwargs.get("no_s3"),
        endpoint_url=kwargs.get("endpoint_url") or None,
        max_workers=int(max_workers) if max_workers is not None else None,
        max_accounts=int(kwargs["max_accounts"])
        if kwargs.get("max_accounts") is not None
        else DEFAULT_MAX_ACCOUNTS,
        max_attempts=kwargs.get("max_attempts"),
        read_timeout=kwargs.get("read_timeout"),
        shard=parse_shard(kwargs["shard"]) if kwargs.get("shard") else None,
        price_list_api=not kwargs.get("no_price_list_api"),
        price_table=kwargs.get("price_table") or None,
        recognisers=tuple(kwargs.get("recognisers") or ()),
    )
    options.validate()
    return options
