"""CloudFormation intrinsic functions, resolved where the value is knowable before deploy.

Resolved: ``Ref`` (parameters, pseudo parameters, resources), ``Fn::GetAtt``, ``Fn::Sub`` (both
forms), ``Fn::Join``, ``Fn::Select``, ``Fn::If`` with the template's ``Conditions`` (``Fn::Equals``,
``Fn::And``, ``Fn::Or``, ``Fn::Not``, ``Condition``), ``Fn::FindInMap`` and ``AWS::NoValue``.
Parameters take their value from ``--parameter KEY=VALUE``, else their ``Default``; pseudo
parameters come from ``--account`` / ``--region`` (``AWS::StackName`` from the file name unless given
as a parameter). Everything else (a parameter without a value, ``Fn::ImportValue``, ``Fn::GetAZs``,
an SSM parameter type, an attribute known only after deploy) is ``Unknown``, with the reason.

A resource's ``Ref`` is its ARN or name (see ``types``), built from its name property, or from the
placeholder ``{{<stack>/<LogicalId>}}`` when CloudFormation generates the name; so every reference to
one resource resolves to the same text, and the linker joins on it. Circular references between
resources (or between conditions) are InputErrors naming the file and the resources, as
CloudFormation rejects them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.errors import InputError
from auditor.iac.types import BY_CFN_TYPE, RefReturns, TypeInfo
from auditor.iac.values import Unknown, placeholder

# A removed value (Ref AWS::NoValue): the property or list item disappears.
NO_VALUE = object()

_SUB_VARIABLE = re.compile(r"\$\{(!?)([^}]*)\}")
_CUSTOM_TYPE = re.compile(r"^(Custom::|AWS::CloudFormation::CustomResource$)")
_DEFAULT_URL_SUFFIX = "amazonaws.com"


@dataclass(frozen=True)
class StackContext:
    """What a template is resolved with: where it comes from and the values given on the command line."""

    source: str  # the file, for messages
    stack_name: str  # AWS::StackName (the file's stem unless given as a parameter)
    key_prefix: str  # unique per template in a run: placeholders are {{<key_prefix>/<LogicalId>}}
    account: str
    region: str
    partition: str
    parameters: Mapping[str, str]


class Resolver:
    """Resolves the intrinsic functions of one template."""

    def __init__(self, template: Mapping[str, Any], ctx: StackContext, lines: Mapping[str, int]) -> None:
        self.ctx = ctx
        self.lines = lines
        self.parameters = _mapping(template.get("Parameters"), ctx.source, "Parameters")
        self.conditions = _mapping(template.get("Conditions"), ctx.source, "Conditions")
        self.mappings = _mapping(template.get("Mappings"), ctx.source, "Mappings")
        self.resources = _mapping(template.get("Resources"), ctx.source, "Resources")
        self._condition_values: dict[str, bool | Unknown] = {}
        self._evaluating: list[str] = []
        self._names: dict[str, str] = {}
        self._where = "Resources"
        self._line: int | None = None

    # ------------------------------------------------------------------ entry points

    def resolve_properties(self, logical_id: str, properties: Any) -> dict[str, Any]:
        """A resource's properties with every intrinsic resolved (Unknown where it cannot be)."""
        self._where = f"Resources.{logical_id}.Properties"
        self._line = self.lines.get(logical_id)
        if properties is None:
            return {}
        if not isinstance(properties, dict):
            raise self._error("Properties must be a mapping")
        resolved = self.resolve(properties)
        return resolved if isinstance(resolved, dict) else {}

    def resource_condition(self, logical_id: str, name: Any) -> bool | Unknown:
        """The value of a resource's ``Condition`` (whether CloudFormation creates it)."""
        self._where = f"Resources.{logical_id}.Condition"
        self._line = self.lines.get(logical_id)
        if not isinstance(name, str):
            raise self._error("Condition must name a condition")
        return self.condition(name)

    def physical_name(self, logical_id: str) -> str:
        """The resource's name: its name property resolved, or the placeholder of its logical id.

        The placeholder also stands in when the name property is unknown until deploy (a parameter
        without a value): references to the resource still resolve to one text, so links hold.
        """
        if logical_id in self._names:
            return self._names[logical_id]
        info = self._info(logical_id)
        body = self.resources.get(logical_id)
        declared = None
        if info is not None and info.name_property and isinstance(body, dict):
            props = body.get("Properties")
            if isinstance(props, dict) and info.name_property in props:
                saved = (self._where, self._line)
                self._where = f"Resources.{logical_id}.Properties.{info.name_property}"
                self._line = self.lines.get(logical_id)
                declared = self.resolve(props[info.name_property])
                self._where, self._line = saved
        if isinstance(declared, str | int | float) and not isinstance(declared, bool) and str(declared):
            name = str(declared)
        else:
            name = placeholder(f"{self.ctx.key_prefix}/{logical_id}")
        self._names[logical_id] = name
        return name

    # ------------------------------------------------------------------ values

    def resolve(self, value: Any) -> Any:
        """``value`` with its intrinsic functions resolved; NO_VALUE for ``Ref: AWS::NoValue``."""
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, arg),) = value.items()
                handler = _FUNCTIONS.get(key)
                if handler is not None:
                    return handler(self, arg)
            out: dict[str, Any] = {}
            for key, item in value.items():
                resolved = self.resolve(item)
                if resolved is not NO_VALUE:
                    out[str(key)] = resolved
            return out
        if isinstance(value, list):
            return [r for r in (self.resolve(v) for v in value) if r is not NO_VALUE]
        return value

    def _text(self, value: Any, what: str) -> str | Unknown:
        """A resolved value as text (for Sub and Join)."""
        if isinstance(value, Unknown):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        raise self._error(f"{what} must be a string, got {type(value).__name__}")

    # ------------------------------------------------------------------ Ref / GetAtt

    def ref(self, target: Any) -> Any:
        if not isinstance(target, str):
            raise self._error("Ref takes the name of a parameter, pseudo parameter or resource")
        if target.startswith("AWS::"):
            return self._pseudo(target)
        if target in self.parameters:
            return self._parameter(target)
        if target in self.resources:
            return self._resource_ref(target)
        raise self._error(f"Ref to {target!r}, which is neither a parameter nor a resource of the template")

    def _pseudo(self, name: str) -> Any:
        ctx = self.ctx
        values: dict[str, Any] = {
            "AWS::AccountId": ctx.account,
            "AWS::Region": ctx.region,
            "AWS::Partition": ctx.partition,
            "AWS::StackName": ctx.stack_name,
            "AWS::URLSuffix": _DEFAULT_URL_SUFFIX + (".cn" if ctx.partition == "aws-cn" else ""),
        }
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in values:
            return values[name]
        if name in ("AWS::StackId", "AWS::NotificationARNs"):
            return Unknown(f"{name} is known only after deploy")
        raise self._error(f"unknown pseudo parameter {name!r}")

    def _parameter(self, name: str) -> Any:
        declaration = self.parameters[name]
        if not isinstance(declaration, dict):
            raise InputError(
                self.ctx.source, "a parameter declaration must be a mapping", location=f"Parameters.{name}"
            )
        kind = str(declaration.get("Type", "String"))
        if kind.startswith("AWS::SSM::Parameter::Value"):
            return Unknown(f"parameter {name} is read from SSM Parameter Store at deploy")
        if name in self.ctx.parameters:
            value: Any = self.ctx.parameters[name]
        elif "Default" in declaration:
            value = declaration["Default"]
        else:
            return Unknown(f"parameter {name} has no value (give --parameter {name}=VALUE)")
        if kind.startswith("List<") or kind == "CommaDelimitedList":
            if isinstance(value, list):
                return [str(v) for v in value]
            return [v.strip() for v in str(value).split(",")] if str(value) else []
        return value if isinstance(value, str | int | float) and not isinstance(value, bool) else str(value)

    def _info(self, logical_id: str) -> TypeInfo | None:
        body = self.resources.get(logical_id)
        kind = body.get("Type") if isinstance(body, dict) else None
        return BY_CFN_TYPE.get(kind) if isinstance(kind, str) else None

    def _resource_ref(self, logical_id: str) -> Any:
        info = self._info(logical_id)
        if info is None:
            if self._is_custom(logical_id):
                return Unknown(f"Ref to the custom resource {logical_id} is known only after deploy")
            return placeholder(f"{self.ctx.key_prefix}/{logical_id}")  # the physical id, whatever type
        name = self.physical_name(logical_id)
        if info.ref is RefReturns.NAME:
            return name
        return self._arn(info, name)

    def _arn(self, info: TypeInfo, name: str) -> str:
        ctx = self.ctx
        return info.arn(partition=ctx.partition, region=ctx.region, account=ctx.account, name=name)

    def _is_custom(self, logical_id: str) -> bool:
        body = self.resources.get(logical_id)
        kind = body.get("Type") if isinstance(body, dict) else None
        return isinstance(kind, str) and _CUSTOM_TYPE.match(kind) is not None

    def get_att(self, arg: Any) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
            raise self._error("Fn::GetAtt takes [LogicalId, Attribute]")
        logical_id = arg[0]
        attribute = self.resolve(arg[1])
        if isinstance(attribute, Unknown):
            return attribute
        if not isinstance(attribute, str) or logical_id not in self.resources:
            raise self._error(f"Fn::GetAtt of {logical_id!r}: no such resource in the template")
        info = self._info(logical_id)
        if info is None:
            if self._is_custom(logical_id):
                return Unknown(f"{logical_id}.{attribute} of a custom resource is known only after deploy")
            return placeholder(f"{self.ctx.key_prefix}/{logical_id}.{attribute}")
        if attribute in info.name_attributes or attribute in info.arn_attributes:
            name = self.physical_name(logical_id)
            return name if attribute in info.name_attributes else self._arn(info, name)
        return Unknown(f"{logical_id}.{attribute} is known only after deploy")

    # ------------------------------------------------------------------ string functions

    def sub(self, arg: Any) -> Any:
        variables: dict[str, Any] = {}
        if isinstance(arg, list):
            if len(arg) != 2 or not isinstance(arg[0], str) or not isinstance(arg[1], dict):
                raise self._error("Fn::Sub takes a string, or [string, {variable: value}]")
            text = arg[0]
            variables = {str(k): self.resolve(v) for k, v in arg[1].items()}
        elif isinstance(arg, str):
            text = arg
        else:
            raise self._error("Fn::Sub takes a string, or [string, {variable: value}]")
        parts: list[str] = []
        pos = 0
        for match in _SUB_VARIABLE.finditer(text):
            parts.append(text[pos : match.start()])
            pos = match.end()
            if match.group(1):  # ${!Literal} stays ${Literal}
                parts.append("${" + match.group(2) + "}")
                continue
            name = match.group(2).strip()
            if name in variables:
                value = variables[name]
            elif "." in name and name.split(".", 1)[0] in self.resources:
                value = self.get_att(name.split(".", 1))
            else:
                value = self.ref(name)
            piece = self._text(value, f"Fn::Sub variable ${{{name}}}")
            if isinstance(piece, Unknown):
                return piece
            parts.append(piece)
        parts.append(text[pos:])
        return "".join(parts)

    def join(self, arg: Any) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            raise self._error("Fn::Join takes [delimiter, [values]]")
        delimiter = self.resolve(arg[0])
        items = self.resolve(arg[1])
        if isinstance(delimiter, Unknown):
            return delimiter
        if isinstance(items, Unknown):
            return items
        if not isinstance(delimiter, str) or not isinstance(items, list):
            raise self._error("Fn::Join takes [delimiter, [values]]")
        texts = [self._text(i, "an Fn::Join value") for i in items]
        unknown = next((t for t in texts if isinstance(t, Unknown)), None)
        if unknown is not None:
            return unknown
        return delimiter.join(str(t) for t in texts)

    def select(self, arg: Any) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            raise self._error("Fn::Select takes [index, [values]]")
        index = self.resolve(arg[0])
        items = self.resolve(arg[1])
        if isinstance(index, Unknown):
            return index
        if isinstance(items, Unknown):
            return items
        try:
            position = int(index)
        except (TypeError, ValueError):
            raise self._error(f"Fn::Select index {index!r} is not a number") from None
        if not isinstance(items, list):
            raise self._error("Fn::Select takes [index, [values]]")
        if not 0 <= position < len(items):
            raise self._error(
                f"Fn::Select index {position} is out of range (the list has {len(items)} items)"
            )
        return items[position]

    def find_in_map(self, arg: Any) -> Any:
        if not (isinstance(arg, list) and len(arg) in (3, 4)):
            raise self._error("Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]")
        keys = [self.resolve(k) for k in arg[:3]]
        unknown = next((k for k in keys if isinstance(k, Unknown)), None)
        if unknown is not None:
            return unknown
        current: Any = self.mappings
        for key in keys:
            if not isinstance(current, dict) or str(key) not in current:
                if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
                    return self.resolve(arg[3]["DefaultValue"])
                raise self._error(f"Fn::FindInMap: no entry {'.'.join(str(k) for k in keys)} in Mappings")
            current = current[str(key)]
        return self.resolve(current)

    # ------------------------------------------------------------------ conditions

    def fn_if(self, arg: Any) -> Any:
        if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
            raise self._error("Fn::If takes [ConditionName, value_if_true, value_if_false]")
        value = self.condition(arg[0])
        if isinstance(value, Unknown):
            when_true, when_false = self.resolve(arg[1]), self.resolve(arg[2])
            return when_true if when_true == when_false else value
        return self.resolve(arg[1] if value else arg[2])

    def condition(self, name: str) -> bool | Unknown:
        """The value of the template condition ``name`` (cached; a circular definition is an error)."""
        if name in self._condition_values:
            return self._condition_values[name]
        if name not in self.conditions:
            raise self._error(f"no condition {name!r} in Conditions")
        if name in self._evaluating:
            cycle = " -> ".join([*self._evaluating[self._evaluating.index(name) :], name])
            raise InputError(
                self.ctx.source,
                f"circular reference between conditions: {cycle}",
                location=f"Conditions.{name}",
            )
        self._evaluating.append(name)
        try:
            value = self._boolean(self.conditions[name])
        finally:
            self._evaluating.pop()
        self._condition_values[name] = value
        return value

    def _boolean(self, expression: Any) -> bool | Unknown:
        if isinstance(expression, dict) and len(expression) == 1:
            ((key, arg),) = expression.items()
            if key == "Condition":
                if not isinstance(arg, str):
                    raise self._error("Condition must name a condition")
                return self.condition(arg)
            if key == "Fn::Equals":
                if not (isinstance(arg, list) and len(arg) == 2):
                    raise self._error("Fn::Equals takes [value, value]")
                left, right = self.resolve(arg[0]), self.resolve(arg[1])
                for side in (left, right):
                    if isinstance(side, Unknown):
                        return side
                return bool(_comparable(left) == _comparable(right))
            if key in ("Fn::And", "Fn::Or"):
                if not isinstance(arg, list) or not 2 <= len(arg) <= 10:
                    raise self._error(f"{key} takes 2 to 10 conditions")
                values = [self._boolean(a) for a in arg]
                decided = [v for v in values if not isinstance(v, Unknown)]
                short: bool = key == "Fn::Or"  # the value that decides: any false for And, any true for Or
                if short in decided:
                    return short
                pending = next((v for v in values if isinstance(v, Unknown)), None)
                return pending if pending is not None else not short
            if key == "Fn::Not":
                if not (isinstance(arg, list) and len(arg) == 1):
                    raise self._error("Fn::Not takes [condition]")
                value = self._boolean(arg[0])
                return value if isinstance(value, Unknown) else not value
        resolved = self.resolve(expression)
        if isinstance(resolved, Unknown):
            return resolved
        if isinstance(resolved, bool):
            return resolved
        if isinstance(resolved, str) and resolved.lower() in ("true", "false"):
            return resolved.lower() == "true"
        raise self._error("a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition")

    # ------------------------------------------------------------------ errors

    def _error(self, message: str) -> InputError:
        return InputError(self.ctx.source, message, location=self._where, line=self._line)


def _comparable(value: Any) -> Any:
    # Fn::Equals compares strings: a number parameter "10" equals the literal 10.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _mapping(value: Any, source: str, section: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(source, f"{section} must be a mapping", location=section)
    return value


def _not_evaluated(name: str) -> Callable[[Resolver, Any], Any]:
    def handler(_resolver: Resolver, _arg: Any) -> Any:
        return Unknown(f"{name} is evaluated by CloudFormation at deploy")

    return handler


_FUNCTIONS: dict[str, Callable[[Resolver, Any], Any]] = {
    "Ref": Resolver.ref,
    "Fn::GetAtt": Resolver.get_att,
    "Fn::Sub": Resolver.sub,
    "Fn::Join": Resolver.join,
    "Fn::Select": Resolver.select,
    "Fn::If": Resolver.fn_if,
    "Fn::FindInMap": Resolver.find_in_map,
    **{
        name: _not_evaluated(name)
        for name in (
            "Fn::ImportValue",
            "Fn::GetAZs",
            "Fn::Cidr",
            "Fn::Base64",
            "Fn::Split",
            "Fn::Transform",
            "Fn::ToJsonString",
            "Fn::Length",
        )
    },
}


# --------------------------------------------------------------------------- cycles


def references(value: Any, resources: Mapping[str, Any]) -> set[str]:
    """The logical ids ``value`` refers to (Ref, Fn::GetAtt, Fn::Sub variables)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if len(item) == 1:
                ((key, arg),) = item.items()
                if key == "Ref" and isinstance(arg, str) and arg in resources:
                    found.add(arg)
                elif key == "Fn::GetAtt":
                    target = (
                        arg.split(".", 1)[0]
                        if isinstance(arg, str)
                        else (arg[0] if isinstance(arg, list) and arg else None)
                    )
                    if isinstance(target, str) and target in resources:
                        found.add(target)
                elif key == "Fn::Sub":
                    text = arg if isinstance(arg, str) else (arg[0] if isinstance(arg, list) and arg else "")
                    local = (
                        set(arg[1])
                        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict)
                        else set()
                    )
                    for match in _SUB_VARIABLE.finditer(text if isinstance(text, str) else ""):
                        name = match.group(2).strip().split(".", 1)[0]
                        if not match.group(1) and name in resources and name not in local:
                            found.add(name)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def check_cycles(resources: Mapping[str, Any], source: str, lines: Mapping[str, int]) -> None:
    """InputError naming the resources of the first circular dependency (references and DependsOn)."""
    edges: dict[str, list[str]] = {}
    for logical_id, body in resources.items():
        targets = references(body.get("Properties") if isinstance(body, dict) else None, resources)
        depends = body.get("DependsOn") if isinstance(body, dict) else None
        for name in [depends] if isinstance(depends, str) else depends if isinstance(depends, list) else []:
            if isinstance(name, str) and name in resources:
                targets.add(name)
        edges[logical_id] = sorted(targets)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in resources:
        if state.get(start):
            continue
        path: list[str] = []
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            node, i = stack.pop()
            if i == 0:
                state[node] = 1
                path.append(node)
            if i < len(edges[node]):
                stack.append((node, i + 1))
                nxt = edges[node][i]
                if state.get(nxt) == 1:
                    cycle = [*path[path.index(nxt) :], nxt]
                    raise InputError(
                        source,
                        f"circular dependency between resources: {' -> '.join(cycle)}",
                        location=f"Resources.{nxt}",
                        line=lines.get(nxt),
                    )
                if not state.get(nxt):
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                path.pop()
