"""Credentials: the base session (default chain or --profile) and member accounts via AssumeRole.

Member-account credentials are botocore RefreshableCredentials whose refresh calls AssumeRole
again, so a scan that outlives the session duration keeps working.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    ProfileNotFound,
)
from botocore.exceptions import ConnectionError as BotoCoreConnectionError
from botocore.session import get_session

from auditor.errors import IncompleteError, InputError
from auditor.inventory.model import Identity
from auditor.scan.clients import Runtime
from auditor.scan.guard import Operation

OPERATIONS: tuple[Operation, ...] = (
    ("sts", "GetCallerIdentity"),
    ("sts", "AssumeRole"),
)

DEFAULT_STS_REGION = "us-east-1"


# The codes with which STS refuses the credentials themselves (or the caller's set-up): only these
# are the user's to fix (exit 2). Anything else -- throttling, a 5xx, an unknown code -- that outlasts
# botocore's retries means STS could not be asked, not that the credentials are bad (exit 3).
REJECTED_CREDENTIALS_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "AuthFailure",
        "ExpiredToken",
        "ExpiredTokenException",
        "IncompleteSignature",
        "InvalidAccessKeyId",
        "InvalidClientTokenId",
        "InvalidToken",
        "MissingAuthenticationToken",
        "RegionDisabledException",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
    }
)


class CredentialsUnavailableError(InputError):
    """Even the base credentials cannot be used (none found, or rejected by STS).

    A subclass of InputError so the CLI's existing handler prints it in one line with exit 2.
    """

    def __init__(self, message: str) -> None:
        super().__init__("AWS credentials", message)


class StsUnavailableError(IncompleteError):
    """STS could not be asked who the credentials are (throttled, failing or unreachable after every
    retry): nothing was scanned, and it is not the credentials' fault (exit 3)."""


@dataclass
class AccountSession:
    """A ready session for one account and the identity it acts as (ARN only, never keys)."""

    account_id: str
    session: boto3.Session
    identity: Identity


PROFILE_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")  # botocore's order of precedence


def base_session(profile: str | None, *, source: str = "--profile") -> boto3.Session:
    """The default boto3 credential chain, or ``profile``; InputError when the profile does not exist.

    ``source`` names where ``profile`` came from (the option, or a config file). Without one, a
    missing profile can only come from the environment, and the message names that variable.
    """
    try:
        return boto3.Session(profile_name=profile) if profile else boto3.Session()
    except ProfileNotFound as exc:
        name = profile or exc.kwargs.get("profile")
        if not profile:
            variable = next((v for v in PROFILE_VARIABLES if os.environ.get(v)), None)
            source = f"{variable}={os.environ[variable]}" if variable else "AWS profile"
        raise InputError(
            source, f"profile {name!r} not found in the AWS config files (~/.aws/config, ~/.aws/credentials)"
        ) from None


def home_region(session: boto3.Session) -> str:
    """The region used for global-ish calls (STS, Organizations, EC2 DescribeRegions)."""
    return session.region_name or DEFAULT_STS_REGION


def caller_identity(runtime: Runtime, session: boto3.Session) -> Identity:
    """GetCallerIdentity of the base credentials; CredentialsUnavailableError when they are unusable."""
    if session.get_credentials() is None:
        raise CredentialsUnavailableError(
            "no AWS credentials found (environment, shared config/credentials files, SSO or instance role)"
        )
    sts = runtime.make_client(session, "sts", home_region(session))
    attempts = runtime.config.retries["total_max_attempts"]
    try:
        result = sts.get_caller_identity()  # retried by the client's config, like every scanner call
    except NoCredentialsError:
        raise CredentialsUnavailableError("no AWS credentials found") from None
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code") or "Unknown")
        if code in REJECTED_CREDENTIALS_CODES:
            raise CredentialsUnavailableError(f"the AWS credentials were rejected by STS ({code})") from None
        raise StsUnavailableError(
            f"STS GetCallerIdentity failed with {code} after {attempts} attempt(s) (not a credentials "
            "problem); nothing was scanned, try again later"
        ) from None
    except (BotoCoreConnectionError, HTTPClientError) as exc:
        raise StsUnavailableError(
            f"cannot reach STS after {attempts} attempt(s) ({type(exc).__name__}); nothing was scanned, "
            "check the network (or --endpoint-url) and try again"
        ) from None
    except BotoCoreError as exc:
        raise CredentialsUnavailableError(f"cannot use the AWS credentials: {exc}") from None
    return Identity(account_id=str(result["Account"]), arn=str(result["Arn"]))


class _AssumeRoleFetcher:
    """Calls AssumeRole; used for the first credentials and for every refresh."""

    def __init__(self, sts: Any, role_arn: str, session_name: str, external_id: str | None) -> None:
        self._sts = sts
        self._role_arn = role_arn
        self._session_name = session_name
        self._external_id = external_id
        self._lock = threading.Lock()
        self.assumed_arn: str | None = None

    def __call__(self) -> dict[str, str]:
        params: dict[str, Any] = {"RoleArn": self._role_arn, "RoleSessionName": self._session_name}
        if self._external_id:
            params["ExternalId"] = self._external_id
        with self._lock:
            result = self._sts.assume_role(**params)
        creds = result["Credentials"]
        self.assumed_arn = str(result.get("AssumedRoleUser", {}).get("Arn") or self._role_arn)
        expiration = creds["Expiration"]
        expiry = expiration.isoformat() if isinstance(expiration, datetime) else str(expiration)
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": expiry,
        }


def assume_role_session(
    runtime: Runtime,
    base: boto3.Session,
    account_id: str,
    *,
    role_arn: str,
    session_name: str,
    external_id: str | None,
) -> AccountSession:
    """Enter ``account_id`` through AssumeRole with self-refreshing credentials.

    The first AssumeRole happens here, so a role that cannot be assumed raises ClientError now
    (the orchestrator records it and marks the account's targets NOT_SCANNED).
    """
    sts = runtime.make_client(base, "sts", home_region(base))
    fetcher = _AssumeRoleFetcher(sts, role_arn, session_name, external_id)
    credentials = RefreshableCredentials.create_from_metadata(
        metadata=fetcher(), refresh_using=fetcher, method="sts-assume-role"
    )
    botocore_session = get_session()
    botocore_session._credentials = credentials  # the documented way to inject refreshable credentials
    # One model loader for every account: a new session would parse the service models again
    # (0.1-0.2 s of CPU per account, measured by the scan benchmark).
    botocore_session.register_component("data_loader", runtime.loader)
    session = boto3.Session(botocore_session=botocore_session, region_name=base.region_name)
    return AccountSession(
        account_id=account_id,
        session=session,
        identity=Identity(account_id=account_id, arn=fetcher.assumed_arn or role_arn),
    )
