"""CloudFormation templates (JSON or YAML, CDK output, SAM) to declarations.

Only the resource types in ``auditor.iac.types`` are read; the rest of the template is used to
resolve them (parameters, conditions, mappings, other resources' names). A resource whose
``Condition`` is false is not created and is left out; one whose condition cannot be evaluated
before deploy is read with its existence unknown. A SAM template's ``Transform`` is fine (SAM adds
serverless types only); other transforms, macros and nested stacks are not expanded, and the reader
says so (``TemplateRead.notes``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.errors import InputError
from auditor.iac.cfn_yaml import ParsedFile
from auditor.iac.intrinsics import Resolver, StackContext, check_cycles
from auditor.iac.types import BY_CFN_TYPE
from auditor.iac.values import Declaration, SourceFormat, Unknown, partition_of
from auditor.inventory.model import SourceLocation

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


@dataclass
class TemplateRead:
    """What one template declares, and what the reader could not follow."""

    declarations: list[Declaration] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def is_template(data: Any) -> bool:
    """Whether parsed data is a CloudFormation template (it has a Resources mapping)."""
    return isinstance(data, dict) and isinstance(data.get("Resources"), dict)


def stack_name_of(label: str) -> str:
    """The stack a template file stands for: its name without folders and extensions
    (``cdk.out/Prod.template.json`` -> ``Prod``)."""
    name = label.replace("\\", "/").rsplit("/", 1)[-1]
    for suffix in (".json", ".yaml", ".yml", ".template"):
        name = name.removesuffix(suffix)
    return name.removesuffix(".template") or "stack"


def read_template(
    parsed: ParsedFile,
    source: str,
    *,
    key_prefix: str,
    account: str,
    region: str,
    parameters: Mapping[str, str],
) -> TemplateRead:
    """The declarations of one parsed template (``source`` names the file in messages)."""
    data = parsed.data
    if not is_template(data):
        raise InputError(source, "not a CloudFormation template: no Resources mapping", location="Resources")
    lines = parsed.resource_lines
    result = TemplateRead()
    transforms = data.get("Transform")
    for transform in transforms if isinstance(transforms, list) else [transforms] if transforms else []:
        if transform != SAM_TRANSFORM:
            result.notes.append(f"{source}: Transform {transform!r} is not expanded; its output is not read")
    ctx = StackContext(
        source=source,
        stack_name=str(parameters.get("AWS::StackName") or stack_name_of(source)),
        key_prefix=key_prefix,
        account=account,
        region=region,
        partition=partition_of(region),
        parameters=parameters,
    )
    resources: dict[str, Any] = data["Resources"]
    for logical_id, body in resources.items():
        where = f"Resources.{logical_id}"
        if not isinstance(body, dict) or not isinstance(body.get("Type"), str):
            raise InputError(source, "a resource needs a Type", location=where, line=lines.get(logical_id))
    check_cycles(resources, source, lines)
    resolver = Resolver(data, ctx, lines)
    for logical_id, body in resources.items():
        cfn_type = body["Type"]
        if cfn_type == "AWS::CloudFormation::Stack":
            result.notes.append(f"{source}: nested stack {logical_id} is not read; give its template too")
        info = BY_CFN_TYPE.get(cfn_type)
        if info is None or info.cfn_type.startswith("Terraform::"):
            continue
        exists: Unknown | None = None
        if "Condition" in body:
            created = resolver.resource_condition(logical_id, body["Condition"])
            if created is False:
                continue
            if isinstance(created, Unknown):
                exists = created
        properties = resolver.resolve_properties(logical_id, body.get("Properties"))
        name = resolver.physical_name(logical_id)
        result.declarations.append(
            Declaration(
                cfn_type=cfn_type,
                key=f"{key_prefix}/{logical_id}",
                label=logical_id,
                name=name,
                properties=properties,
                location=SourceLocation(file=source, line=lines.get(logical_id), address=logical_id),
                source_format=SourceFormat.CLOUDFORMATION,
                account_id=account,
                region=region,
                partition=ctx.partition,
                exists=exists,
            )
        )
    return result
