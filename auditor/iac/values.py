"""Values read from templates and plans, and what is known about the resources that declare them.

A template value is plain JSON data, except where it cannot be known before deploy: those leaves are
``Unknown`` (a parameter without a value, ``Fn::ImportValue``, a Terraform value known after apply,
an intrinsic this reader does not evaluate). Both readers produce ``Declaration``s whose properties
have CloudFormation's shape (Terraform arguments are mapped to it), so one converter turns either
into inventory records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from auditor.inventory.model import SourceLocation


@dataclass(frozen=True)
class Unknown:
    """A value known only after deploy. ``reason`` says why; ``where`` names the source property when
    it is not the CloudFormation-shaped path (a Terraform argument such as ``name``)."""

    reason: str
    where: str | None = None


class SourceFormat(StrEnum):
    """The kinds of file ``auditor iac`` reads."""

    CLOUDFORMATION = "cloudformation"  # JSON or YAML templates, CDK output (cdk.out), SAM
    TERRAFORM_PLAN = "terraform-plan"  # terraform show -json PLANFILE

    @property
    def deploy_verb(self) -> str:
        """When unknown values become known: CloudFormation deploys a stack, Terraform applies a plan."""
        return "deploy" if self is SourceFormat.CLOUDFORMATION else "apply"


@dataclass
class Declaration:
    """One resource declared in a template or a plan, with CloudFormation-shaped properties.

    ``key`` is unique in a run (``<stack>/<LogicalId>``, or the Terraform address); ``label`` names it
    in messages (the logical id, or the address); ``name`` is its physical name, or a placeholder
    (``{{<key>}}``) when the name is generated at deploy time. ``exists`` is set when a condition
    decides whether it is created and that condition cannot be evaluated before deploy.
    """

    cfn_type: str
    key: str
    label: str
    name: str
    properties: dict[str, Any]
    location: SourceLocation
    source_format: SourceFormat
    account_id: str
    region: str
    partition: str = "aws"
    exists: Unknown | None = None
    # The Terraform arguments holding each CloudFormation-shaped property, for messages.
    property_names: dict[str, str] = field(default_factory=dict)


def placeholder(key: str) -> str:
    """The stand-in for a name generated at deploy time: ``{{<key>}}``.

    Braces are not allowed in SageMaker or CloudWatch names, so a placeholder cannot collide with a
    real name; every reference to the resource resolves to the same placeholder, so links hold.
    """
    return "{{" + key + "}}"


def is_placeholder_text(text: str) -> bool:
    """Whether ``text`` contains a placeholder (a value that exists only after deploy)."""
    return "{{" in text and "}}" in text


def partition_of(region: str) -> str:
    """The ARN partition of a region (``aws`` unless a China or GovCloud region)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def first_unknown(value: Any) -> Unknown | None:
    """The first Unknown anywhere in ``value`` (depth first), or None."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        for item in value.values():
            found = first_unknown(item)
            if found is not None:
                return found
    elif isinstance(value, list):
        for item in value:
            found = first_unknown(item)
            if found is not None:
                return found
    return None


def name_of(value: Any) -> str | None:
    """A resource name from a value that names it: the name itself, or the last part of an ARN."""
    if not isinstance(value, str) or not value:
        return None
    if value.startswith("arn:") and "/" in value:
        return value.rsplit("/", 1)[1]
    return value
