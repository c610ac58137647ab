"""The operations the scanner may call, and the least-privilege IAM policy derived from them.

Both the read-only guard's allow-list and the IAM policy come from the OPERATIONS tuples the
scanner modules declare, so they cannot drift apart.
"""

from __future__ import annotations

from typing import Any, Protocol

from auditor.scan import accounts, pricing, regions, search, sessions, tags
from auditor.scan.collectors import COLLECTORS
from auditor.scan.guard import Operation
from auditor.scan.options import DEFAULT_ROLE_NAME


class CallsAws(Protocol):
    """A module that calls AWS declares the operations it calls."""

    OPERATIONS: tuple[Operation, ...]


# Every module that calls AWS: the account-level steps, the shared helpers, and the collectors (one
# per collected resource kind, see auditor.scan.collectors). No import-time registration.
SCANNER_MODULES: tuple[CallsAws, ...] = (sessions, accounts, regions, search, tags, pricing, *COLLECTORS)

# boto3 service name -> IAM action prefix (they differ for some services, not for these).
IAM_PREFIX = {
    "sagemaker": "sagemaker",
    "cloudwatch": "cloudwatch",
    "sts": "sts",
    "organizations": "organizations",
    "ec2": "ec2",
    "events": "events",
    "sns": "sns",
    "pricing": "pricing",
    "s3": "s3",
    "scheduler": "scheduler",
}
# Operations whose IAM action is not named after them.
IAM_ACTION = {("s3", "ListObjectsV2"): "ListBucket"}


def _action(svc: str, op: str) -> str:
    return f"{IAM_PREFIX[svc]}:{IAM_ACTION.get((svc, op), op)}"


# Called only by the hub identity (the one that runs the scan), never inside a member account: STS
# (GetCallerIdentity needs no permission; AssumeRole is scoped to the member roles), AWS
# Organizations (account discovery for --org, in the management or delegated-administrator account)
# and the Price List API (the cost view's prices, once per scan: auditor.scan.pricing).
_HUB_ONLY_SERVICES = frozenset({"sts", "organizations", "pricing"})


def _hub_only(operation: Operation) -> bool:
    return operation[0] in _HUB_ONLY_SERVICES


def declared_operations() -> list[Operation]:
    """Every (service, operation) any scanner module declares, sorted and unique."""
    ops: set[Operation] = set()
    for module in SCANNER_MODULES:
        ops.update(module.OPERATIONS)
    return sorted(ops)


def allowed_operations() -> frozenset[Operation]:
    """The read-only guard's allow-list."""
    return frozenset(declared_operations())


def required_actions() -> list[str]:
    """IAM actions the scanning identity needs in each scanned account (sorted)."""
    return sorted({_action(svc, op) for svc, op in declared_operations() if not _hub_only((svc, op))})


def organizations_actions() -> list[str]:
    """IAM actions of the --org account discovery: the hub's, never a member role's (sorted)."""
    return _actions_of("organizations")


def price_list_actions() -> list[str]:
    """IAM actions of the cost view's prices: the hub's, never a member role's (sorted)."""
    return _actions_of("pricing")


def _actions_of(service: str) -> list[str]:
    return sorted(_action(svc, op) for svc, op in declared_operations() if svc == service)


def iam_policy_document(
    *, include_assume_role: bool = False, role_arn_pattern: str = f"arn:aws:iam::*:role/{DEFAULT_ROLE_NAME}"
) -> dict[str, Any]:
    """The least-privilege IAM policy of a member role; ``include_assume_role`` makes it the hub's:
    it adds the Organizations actions of ``--org``, the Price List API read of the cost view (without
    it the scan takes prices from the table and says so) and sts:AssumeRole on the member roles."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ModelMonitorAuditorReadOnly",
            "Effect": "Allow",
            "Action": required_actions(),
            # Resource "*" is required: Search, List* and composite alarms in DescribeAlarms
            # do not support resource-level restriction.
            "Resource": "*",
        }
    ]
    if include_assume_role:
        statements.append(
            {
                "Sid": "ModelMonitorAuditorOrganizations",
                "Effect": "Allow",
                "Action": organizations_actions(),
                # Organizations List* calls do not support resource-level restriction.
                "Resource": "*",
            }
        )
        statements.append(
            {
                "Sid": "ModelMonitorAuditorPriceList",
                "Effect": "Allow",
                "Action": price_list_actions(),
                # The Price List API does not support resource-level restriction.
                "Resource": "*",
            }
        )
        statements.append(
            {
                "Sid": "ModelMonitorAuditorAssumeMemberRole",
                "Effect": "Allow",
                "Action": ["sts:AssumeRole"],
                "Resource": role_arn_pattern,
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}
