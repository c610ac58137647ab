"""What the Security Hub import may call, and the IAM policy derived from it.

The import's clients are guarded by this allow-list (``auditor.scan.guard.install_guard``), and
``auditor iam-policy --securityhub`` prints the policy made from the same declaration, so the two
cannot drift apart. The scanner's read-only allow-list does not include any of it.
"""

from __future__ import annotations

from typing import Any

from auditor.scan.guard import Operation

DEFAULT_IMPORT_ROLE_NAME = "ModelMonitorAuditorFindingsImport"

# The import role's only write: BatchImportFindings into its own account's default product.
IMPORT_ROLE_OPERATIONS: tuple[Operation, ...] = (("securityhub", "BatchImportFindings"),)
# The identity that runs the import: who am I, and enter each finding's account.
RUNNER_OPERATIONS: tuple[Operation, ...] = (("sts", "GetCallerIdentity"), ("sts", "AssumeRole"))


def allowed_operations() -> frozenset[Operation]:
    """The import guard's allow-list."""
    return frozenset(IMPORT_ROLE_OPERATIONS + RUNNER_OPERATIONS)


def import_policy_document(
    *,
    include_assume_role: bool = False,
    role_arn_pattern: str = f"arn:aws:iam::*:role/{DEFAULT_IMPORT_ROLE_NAME}",
) -> dict[str, Any]:
    """The IAM policy of the import role; ``include_assume_role`` adds the runner's sts:AssumeRole."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ModelMonitorAuditorFindingsImport",
            "Effect": "Allow",
            "Action": sorted(f"{svc}:{op}" for svc, op in IMPORT_ROLE_OPERATIONS),
            # Resource-level scoping of BatchImportFindings is not relied on (UNVERIFIED which resource
            # type it takes); Security Hub itself only accepts, with the default product ARN, findings
            # whose AwsAccountId is the caller's account, so the role can only write its own findings.
            "Resource": "*",
        }
    ]
    if include_assume_role:
        statements.append(
            {
                "Sid": "ModelMonitorAuditorAssumeFindingsImportRole",
                "Effect": "Allow",
                "Action": ["sts:AssumeRole"],
                "Resource": role_arn_pattern,
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}
