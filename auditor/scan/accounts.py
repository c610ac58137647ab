"""Which accounts to scan: the caller's own, an explicit list, or ACTIVE accounts of the organization."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import boto3

from auditor.errors import InputError
from auditor.scan.clients import Runtime
from auditor.scan.guard import Operation
from auditor.scan.pagination import pages
from auditor.scan.sessions import home_region

OPERATIONS: tuple[Operation, ...] = (
    ("organizations", "ListAccounts"),
    ("organizations", "ListAccountsForParent"),
    ("organizations", "ListOrganizationalUnitsForParent"),
)

ACCOUNT_ID = re.compile(r"^\d{12}$")
OU_ID = re.compile(r"^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$")


def validate_account_ids(values: Iterable[str], source: str = "--accounts") -> tuple[str, ...]:
    """Strip, deduplicate (keeping order) and check 12-digit account ids; InputError otherwise."""
    result: list[str] = []
    for value in values:
        account = value.strip()
        if not ACCOUNT_ID.match(account):
            raise InputError(source, f"{value!r} is not a 12-digit AWS account id")
        if account not in result:
            result.append(account)
    return tuple(result)


def validate_ou_ids(values: Iterable[str], source: str = "--ou") -> tuple[str, ...]:
    """Check OU (or root) ids such as ``ou-ab12-cdef3456``; InputError otherwise."""
    result: list[str] = []
    for value in values:
        ou = value.strip()
        if not OU_ID.match(ou):
            raise InputError(source, f"{value!r} is not an organizational unit id (ou-xxxx-xxxxxxxx)")
        if ou not in result:
            result.append(ou)
    return tuple(result)


def _is_active(account: dict[str, Any]) -> bool:
    # `State` replaced `Status` (retired 2026-09-09); older responses only carry `Status`.
    state = account.get("State") or account.get("Status")
    return state == "ACTIVE"


def organization_accounts(runtime: Runtime, session: boto3.Session, ous: tuple[str, ...] = ()) -> list[str]:
    """ACTIVE account ids of the organization, or of the given OUs and their nested OUs (sorted).

    Raises the AWS errors (ClientError, ...) for the orchestrator to record.
    """
    org = runtime.make_client(session, "organizations", home_region(session))
    found: set[str] = set()
    if not ous:
        for page in pages(org.list_accounts, {}):
            found.update(str(a["Id"]) for a in page.get("Accounts", []) if _is_active(a))
        return sorted(found)
    queue = list(ous)
    visited: set[str] = set()
    while queue:
        parent = queue.pop()
        if parent in visited:
            continue
        visited.add(parent)
        for page in pages(org.list_accounts_for_parent, {"ParentId": parent}):
            found.update(str(a["Id"]) for a in page.get("Accounts", []) if _is_active(a))
        for page in pages(org.list_organizational_units_for_parent, {"ParentId": parent}):
            queue.extend(str(ou["Id"]) for ou in page.get("OrganizationalUnits", []))
    return sorted(found)
