"""`auditor iam-policy`: print the least-privilege IAM policy the scanner needs (or, on request, the
separate write permissions of the Security Hub import and of change notifications)."""

from __future__ import annotations

import json

import click

from auditor.errors import InputError
from auditor.history.notify import check_topic_arn, notify_policy_document
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
def iam_policy(
    hub: bool, role_name: str | None, securityhub: bool, notify: bool, topic_arn: str | None
) -> None:
    """Print the read-only IAM policy (JSON) derived from the scanner's declared API operations.

    Attach it to the role assumed in each member account (or to the single-account identity).
    The same declarations drive the read-only guard, so the policy and the guard cannot differ.
    With --securityhub: the import role's policy, derived from the import's own guarded allow-list.
    With --notify: the separate write permission that change notifications to SNS need.
    """
    if securityhub and notify:
        raise InputError("--notify", "cannot be combined with --securityhub: they are two separate policies")
    if topic_arn is not None and not notify:
        raise InputError("--topic-arn", "needs --notify")
    if notify:
        if topic_arn is not None:
            check_topic_arn(topic_arn, "--topic-arn")
        click.echo(json.dumps(notify_policy_document(topic_arn or "arn:aws:sns:*:*:*"), indent=2))
        return
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
