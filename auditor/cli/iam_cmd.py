"""`auditor iam-policy`: print the least-privilege IAM policy the scanner needs."""

from __future__ import annotations

import json

import click

from auditor.scan.options import DEFAULT_ROLE_NAME
from auditor.scan.permissions import iam_policy_document
from auditor.securityhub.permissions import DEFAULT_IMPORT_ROLE_NAME, import_policy_document


@click.command("iam-policy")
@click.option(
    "--hub",
    is_flag=True,
    default=False,
    help="The hub identity's policy (the one that runs a multi-account scan): adds sts:AssumeRole on the "
    "member-account roles and the Organizations actions of --org, which member roles never need.",
)
@click.option(
    "--role-name",
    default=None,
    metavar="NAME",
    help=f"With --hub: the member role name the AssumeRole statement is scoped to (default: "
    f"{DEFAULT_ROLE_NAME}, or {DEFAULT_IMPORT_ROLE_NAME} with --securityhub).",
)
@click.option(
    "--securityhub",
    is_flag=True,
    default=False,
    help="The policy of the Security Hub import role instead (securityhub:BatchImportFindings only), "
    "for `auditor securityhub import`. Never attach it to the scanner's read-only role.",
)
def iam_policy(hub: bool, role_name: str | None, securityhub: bool) -> None:
    """Print the read-only IAM policy (JSON) derived from the scanner's declared API operations.

    Attach it to the role assumed in each member account (or to the single-account identity).
    The same declarations drive the read-only guard, so the policy and the guard cannot differ.
    With --securityhub: the import role's policy, derived from the import's own guarded allow-list.
    """
    if securityhub:
        name = role_name or DEFAULT_IMPORT_ROLE_NAME
        click.echo(
            json.dumps(
                import_policy_document(
                    include_assume_role=hub, role_arn_pattern=f"arn:aws:iam::*:role/{name}"
                ),
                indent=2,
            )
        )
        return
    document = iam_policy_document(
        include_assume_role=hub, role_arn_pattern=f"arn:aws:iam::*:role/{role_name or DEFAULT_ROLE_NAME}"
    )
    click.echo(json.dumps(document, indent=2))
