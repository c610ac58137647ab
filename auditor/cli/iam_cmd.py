"""`auditor iam-policy`: print the least-privilege IAM policy the scanner needs."""

from __future__ import annotations

import json

import click

from auditor.scan.options import DEFAULT_ROLE_NAME
from auditor.scan.permissions import iam_policy_document


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
    default=DEFAULT_ROLE_NAME,
    show_default=True,
    metavar="NAME",
    help="With --hub: the member role name the AssumeRole statement is scoped to.",
)
def iam_policy(hub: bool, role_name: str) -> None:
    """Print the read-only IAM policy (JSON) derived from the scanner's declared API operations.

    Attach it to the role assumed in each member account (or to the single-account identity).
    The same declarations drive the read-only guard, so the policy and the guard cannot differ.
    """
    document = iam_policy_document(
        include_assume_role=hub, role_arn_pattern=f"arn:aws:iam::*:role/{role_name}"
    )
    click.echo(json.dumps(document, indent=2))
