"""What a scan covers and how: the one options object every entry point builds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from auditor.errors import InputError

DEFAULT_ROLE_NAME = "ModelMonitorAuditor"
DEFAULT_SESSION_NAME = "mm-auditor"

_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")


@dataclass(frozen=True)
class ScanOptions:
    """Options of one scan. Built by ``auditor.cli.scan_options.build_scan_options`` or directly."""

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
    endpoint_url: str | None = None  # for the local AWS; real AWS leaves it None
    max_workers: int = 8  # concurrency across (account, region)
    per_service_concurrency: int = 4
    max_attempts: int | None = None  # per API call, retries included (None: 10)
    read_timeout: int | None = None  # seconds per HTTP response (None: 60)

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
        if self.max_workers < 1 or self.per_service_concurrency < 1:
            raise InputError("--max-workers", "must be at least 1")
        if self.max_attempts is not None and not 1 <= self.max_attempts <= 20:
            raise InputError("--max-attempts", "must be between 1 and 20")
        if self.read_timeout is not None and not 1 <= self.read_timeout <= 900:
            raise InputError("--read-timeout", "must be between 1 and 900 seconds")
        if self.ous and not self.org:
            raise InputError("--ou", "needs --org")
        if self.org and self.accounts:
            raise InputError(
                "--accounts", "cannot be combined with --org (org discovery already chooses the accounts)"
            )

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
            "endpoint_url": self.endpoint_url,
        }
