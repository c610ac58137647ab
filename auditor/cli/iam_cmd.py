"""`auditor iam-policy`: print the least-privilege IAM policy the scanner needs."""

from __future__ import annotations

import json

import click

from auditor.history.notify import check_topic_arn, notify_policy_document
from auditor.scan.options import DEFAULT_ROLE_NAME
from auditor.scan.permissions import iam_policy_document


@click.command("iam-policy")
@click.option(
    "--hub",
    is_flag=True,
    default=False,
    help="Add sts:AssumeRole on the member-account roles (for the identity that runs a multi-account scan).",
)
@click.option(
    "--role-name",
    default=DEFAULT_ROLE_NAME,
    show_default=True,
    metavar="NAME",
    help="With --hub: the member role name the AssumeRole statement is scoped to.",
)
@click.option(
    "--notify",
    is_flag=True,
    default=False,
    help="Print instead the sns:Publish permission for change notifications (for the identity that runs "
    "the auditor in the audit account; never for member accounts).",
)
@click.option(
    "--topic-arn",
    default=None,
    metavar="ARN",
    help="With --notify: the SNS topic the permission is scoped to (default: any topic).",
)
def iam_policy(hub: bool, role_name: str, notify: bool, topic_arn: str | None) -> None:
    """Print the read-only IAM policy (JSON) derived from the scanner's declared API operations.

    Attach it to the role assumed in each member account (or to the single-account identity).
    The same declarations drive the read-only guard, so the policy and the guard cannot differ.
    With --notify: the separate write permission that change notifications to SNS need.
    """
    if notify:
        if topic_arn is not None:
            check_topic_arn(topic_arn, "--topic-arn")
        click.echo(json.dumps(notify_policy_document(topic_arn or "arn:aws:sns:*:*:*"), indent=2))
        return
    document = iam_policy_document(
        include_assume_role=hub, role_arn_pattern=f"arn:aws:iam::*:role/{role_name}"
    )
    click.echo(json.dumps(document, indent=2))
