"""Terraform plans (``terraform show -json PLANFILE``) to declarations and deletions.

Format (Terraform "JSON Output Format"): ``format_version`` "1.x" is read (a minor version only adds
properties; another major version is refused, as the format's own rule says). ``planned_values``
(the root module and its ``child_modules``) gives each resource instance's known values;
``resource_changes`` gives its actions and ``after_unknown`` (values known only after apply);
``configuration`` gives each argument's expression, whose ``references`` name the resources a value
comes from. A value unknown until apply that names another resource of the plan (an endpoint's
generated name, say) is resolved through those references to that resource's name, or to its
placeholder ``{{<address>}}``: a schedule links to its endpoint by reference. Resources to be
deleted (actions ``["delete"]``, and the old object of a replacement) become ``Deletion``s.

Arguments are mapped to the CloudFormation shape of the same resource, so one converter reads both:
``awscc_*`` attributes are CloudFormation's properties in snake_case (nested attributes are
objects); the AWS provider's nested blocks are lists of one object (unwrapped, except the blocks
that repeat), a few arguments are renamed (``name``, ``kms_key_arn``), maps of tags and dimensions
become lists of key/value pairs, and a metric alarm's ``metric_query`` becomes ``Metrics``. The AWS
provider defaults ``enable_capture`` to false (CloudFormation: true).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.errors import InputError
from auditor.iac.cfn_yaml import ParsedFile
from auditor.iac.types import BY_TERRAFORM_TYPE, Role, TypeInfo
from auditor.iac.values import Declaration, SourceFormat, Unknown, partition_of, placeholder
from auditor.inventory.model import MonitorType, SourceLocation

_FORMAT_VERSION = re.compile(r"^1\.\d+$")
ACCEPTED_FORMAT = "1.x"
KNOWN_AFTER_APPLY = "computed by the provider"

# AWS provider blocks that repeat (kept as lists); every other nested block has at most one item.
_LIST_BLOCKS = frozenset(
    {
        "capture_options",
        "production_variants",
        "shadow_production_variants",
        "monitoring_outputs",
        "monitoring_inputs",
        "metric_query",
    }
)
# Attributes whose keys are data (not argument names): kept as written.
_MAP_ATTRIBUTES = frozenset({"environment"})
# Keys whose CloudFormation name is not the plain PascalCase of the snake_case name.
_KEY_NAMES = {
    "memory_size_in_mb": "MemorySizeInMB",
    "volume_size_in_gb": "VolumeSizeInGB",
    "ok_actions": "OKActions",
    "max_payload_in_mb": "MaxPayloadInMB",
    "kms_key_arn": "KmsKeyId",  # aws_sagemaker_endpoint_configuration
}
# Arguments that exist only in Terraform (or are computed identities): not carried over.
_DROPPED = frozenset({"id", "arn", "tags_all", "region", "name_prefix", "timeouts"})
# ... except where the argument is the resource's own data (an EventBridge target's ARN).
_KEPT = {"aws_cloudwatch_event_target": frozenset({"arn"})}
# The argument that holds a resource's name, per Terraform type prefix (awscc uses CloudFormation's).
_AWS_NAME = {
    "aws_cloudwatch_metric_alarm": "alarm_name",
    "aws_cloudwatch_composite_alarm": "alarm_name",
}

_ADDRESS = re.compile(
    r"^(?P<modules>(?:module\.[^.\[]+(?:\[[^\]]*\])?\.)*)(?P<type>[^.\[]+)\.(?P<name>[^.\[]+)(?P<index>\[[^\]]*\])?$"
)
_MODULE = re.compile(r"module\.([^.\[]+)(?:\[[^\]]*\])?\.")
_REFERENCE = re.compile(
    r"^(?P<type>[a-z][a-z0-9_]*)\.(?P<name>[A-Za-z0-9_-]+)(?P<index>\[[^\]]*\])?(?:\.(?P<attribute>[A-Za-z0-9_]+))?"
)
_NOT_RESOURCES = frozenset({"var", "local", "module", "data", "count", "each", "path", "terraform", "self"})


@dataclass(frozen=True)
class _Path:
    """Where a value is: its Terraform argument path, the attribute name, its CloudFormation path."""

    tf: str
    key: str
    cfn: str

    def child(self, key: str, cfn_key: str) -> _Path:
        return _Path(f"{self.tf}.{key}", key, f"{self.cfn}.{cfn_key}")

    def item(self, index: int, single_block: bool) -> _Path:
        # a block of one item is unwrapped: its CloudFormation path has no index
        return _Path(f"{self.tf}[{index}]", self.key, self.cfn if single_block else f"{self.cfn}[{index}]")


@dataclass(frozen=True)
class Deletion:
    """A resource the plan deletes: removed from a merged inventory by its identity."""

    role: Role
    account_id: str
    region: str
    name: str
    monitor_type: MonitorType | None
    address: str
    file: str


@dataclass
class PlanRead:
    declarations: list[Declaration] = field(default_factory=list)
    deletions: list[Deletion] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def is_plan(data: Any) -> bool:
    """Whether parsed JSON is a Terraform plan (or something claiming Terraform's JSON format)."""
    return (
        isinstance(data, dict)
        and "format_version" in data
        and ("planned_values" in data or "resource_changes" in data or "terraform_version" in data)
    )


@dataclass
class _Instance:
    address: str
    modules: tuple[str, ...]
    tf_type: str
    name: str
    index: str | None
    values: dict[str, Any]
    unknown: Any = None
    actions: tuple[str, ...] = ("create",)
    before: dict[str, Any] | None = None


_Parsed = tuple[tuple[str, ...], str, str, str | None]


def _obj(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (optional parts read leniently)."""
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _new_instance(address: str, parsed: _Parsed, values: dict[str, Any]) -> _Instance:
    modules, tf_type, name, index = parsed
    return _Instance(address, modules, tf_type, name, index, values)


def _parse_address(address: str) -> _Parsed | None:
    match = _ADDRESS.match(address)
    if match is None:
        return None
    modules = tuple(_MODULE.findall(match.group("modules")))
    return modules, match.group("type"), match.group("name"), match.group("index")


def _walk_modules(module: Any, source: str, out: dict[str, _Instance]) -> None:
    if not isinstance(module, dict):
        return
    for resource in _items(module.get("resources")):
        if not isinstance(resource, dict) or resource.get("mode", "managed") != "managed":
            continue
        address = resource.get("address")
        parsed = _parse_address(address) if isinstance(address, str) else None
        if parsed is None or not isinstance(address, str):
            raise InputError(
                source, f"a resource with an unreadable address {address!r}", location="planned_values"
            )
        values = resource.get("values")
        out[address] = _new_instance(address, parsed, values if isinstance(values, dict) else {})
    for child in _items(module.get("child_modules")):
        _walk_modules(child, source, out)


def read_plan(parsed: ParsedFile, source: str, *, account: str, region: str | None) -> PlanRead:
    """The declarations and deletions of one plan (``source`` names the file in messages)."""
    data = parsed.data
    version = data.get("format_version") if isinstance(data, dict) else None
    if not isinstance(version, str) or not _FORMAT_VERSION.match(version):
        raise InputError(
            source,
            f"unsupported Terraform JSON format_version {version!r} (this auditor reads {ACCEPTED_FORMAT}, "
            "the format of terraform show -json since Terraform 1.1)",
            location="format_version",
        )
    if "planned_values" not in data and "resource_changes" not in data:
        raise InputError(
            source, "a Terraform state, not a plan: give the output of terraform show -json PLANFILE"
        )
    for key, kind in (("planned_values", dict), ("resource_changes", list), ("configuration", dict)):
        if data.get(key) is not None and not isinstance(data[key], kind):
            what = "an object" if kind is dict else "a list"
            raise InputError(source, f"{key} must be {what}", location=key)
    instances: dict[str, _Instance] = {}
    _walk_modules(_obj(data.get("planned_values")).get("root_module"), source, instances)
    result = PlanRead()
    for i, change in enumerate(_items(data.get("resource_changes"))):
        _apply_change(change, i, source, instances, result)
    default_region = region or _provider_region(data) or "unknown"
    reader = _PlanReader(data, source, account, default_region, instances, result)
    reader.run()
    return result


def _apply_change(
    change: Any, i: int, source: str, instances: dict[str, _Instance], result: PlanRead
) -> None:
    where = f"resource_changes[{i}]"
    if not isinstance(change, dict) or not isinstance(change.get("change"), dict):
        raise InputError(source, "a resource change needs a change object", location=where)
    if change.get("mode", "managed") != "managed" or change.get("deposed"):
        return
    address = change.get("address")
    parsed = _parse_address(address) if isinstance(address, str) else None
    if parsed is None or not isinstance(address, str):
        raise InputError(source, f"a resource change with an unreadable address {address!r}", location=where)
    body = change["change"]
    actions = body.get("actions")
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise InputError(source, "actions must be a list of strings", location=f"{where}.change.actions")
    before = body.get("before") if isinstance(body.get("before"), dict) else None
    if "create" not in actions and "update" not in actions and "no-op" not in actions:
        if "delete" in actions:
            instances.pop(address, None)
            instance = _new_instance(address, parsed, {})
            instance.actions, instance.before = tuple(actions), before
            instances.setdefault(f"\0deleted\0{address}", instance)
        return
    after = body.get("after") if isinstance(body.get("after"), dict) else {}
    instance = instances.get(address) or _new_instance(address, parsed, after)
    instances[address] = instance
    instance.unknown = body.get("after_unknown")
    instance.actions = tuple(actions)
    instance.before = before


def _provider_region(data: Mapping[str, Any]) -> str | None:
    """The region every default AWS / AWSCC provider configuration sets as a constant, if they agree."""
    configs = _obj(_obj(data.get("configuration")).get("provider_config")).values()
    regions = set()
    for config in configs:
        if isinstance(config, dict) and config.get("name") in ("aws", "awscc") and not config.get("alias"):
            region = _obj(_obj(config.get("expressions")).get("region")).get("constant_value")
            if isinstance(region, str):
                regions.add(region)
    return regions.pop() if len(regions) == 1 else None


def _pascal(key: str) -> str:
    return _KEY_NAMES.get(key) or "".join(part[:1].upper() + part[1:] for part in key.split("_"))


class _PlanReader:
    def __init__(
        self,
        data: Mapping[str, Any],
        source: str,
        account: str,
        region: str,
        instances: dict[str, _Instance],
        result: PlanRead,
    ) -> None:
        self.data = data
        self.source = source
        self.account = account
        self.region = region
        self.instances = instances
        self.result = result
        self.names: dict[str, str] = {}
        self.regions: dict[str, str] = {}

    def run(self) -> None:
        planned = {a: i for a, i in self.instances.items() if not a.startswith("\0deleted\0")}
        for address, instance in planned.items():
            info = BY_TERRAFORM_TYPE.get(instance.tf_type)
            if info is None:
                continue
            self.names[address] = self._name(instance, info, instance.values) or placeholder(address)
            region = instance.values.get("region")
            self.regions[address] = region if isinstance(region, str) and region else self.region
        for address, instance in self.instances.items():
            info = BY_TERRAFORM_TYPE.get(instance.tf_type)
            if info is None:
                continue
            if instance.before is not None and "delete" in instance.actions:
                self._deletion(instance, info)
            if address in planned:
                self._declaration(instance, info)

    def _name(self, instance: _Instance, info: TypeInfo, values: Mapping[str, Any]) -> str | None:
        argument = self._name_argument(instance.tf_type, info)
        value = values.get(argument) if argument else None
        return value if isinstance(value, str) and value else None

    def _name_argument(self, tf_type: str, info: TypeInfo) -> str | None:
        if tf_type.startswith("awscc_"):
            return _snake(info.name_property) if info.name_property else None
        if tf_type in _AWS_NAME:
            return _AWS_NAME[tf_type]
        return "name" if info.name_property else None

    def _deletion(self, instance: _Instance, info: TypeInfo) -> None:
        before = instance.before or {}
        name = self._name(instance, info, before)
        if name is None:
            return
        region = before.get("region") if isinstance(before.get("region"), str) else self.region
        self.result.deletions.append(
            Deletion(
                info.role, self.account, str(region), name, info.monitor_type, instance.address, self.source
            )
        )

    # ------------------------------------------------------------------ values

    def _declaration(self, instance: _Instance, info: TypeInfo) -> None:
        property_names: dict[str, str] = {}
        awscc = instance.tf_type.startswith("awscc_")
        name_argument = self._name_argument(instance.tf_type, info)
        properties: dict[str, Any] = {}
        unknown = instance.unknown if isinstance(instance.unknown, dict) else {}
        if instance.unknown is True:
            unknown = {k: True for k in instance.values}
        for key in sorted(set(instance.values) | set(unknown)):
            if (key in _DROPPED and key not in _KEPT.get(instance.tf_type, ())) or (
                key == name_argument and not awscc
            ):
                continue
            at = _Path(key, key, _pascal(key))
            value = self._convert(instance.values.get(key), unknown.get(key), at, awscc, property_names)
            if value is not None:
                properties[_pascal(key)] = value
        if name_argument and info.name_property:
            properties.pop(_pascal(name_argument), None)
            properties[info.name_property] = self.names[instance.address]
        _tags_to_list(properties)
        if info.cfn_type == "AWS::CloudWatch::Alarm" and not awscc:
            _metric_queries(properties)
        if info.cfn_type == "AWS::SageMaker::EndpointConfig" and not awscc:
            capture = properties.get("DataCaptureConfig")
            if isinstance(capture, dict) and capture.get("EnableCapture") is None:
                capture["EnableCapture"] = False  # the AWS provider's default (CloudFormation: true)
        self._resolve_references(instance, info, properties)
        self.result.declarations.append(
            Declaration(
                cfn_type=info.cfn_type,
                key=instance.address,
                label=instance.address,
                name=self.names[instance.address],
                properties=properties,
                location=SourceLocation(file=self.source, line=None, address=instance.address),
                source_format=SourceFormat.TERRAFORM_PLAN,
                account_id=self.account,
                region=self.regions[instance.address],
                partition=partition_of(self.regions[instance.address]),
                property_names=property_names,
            )
        )

    def _convert(self, value: Any, unknown: Any, at: _Path, awscc: bool, names: dict[str, str]) -> Any:
        """A Terraform value in CloudFormation's shape; Unknown where ``after_unknown`` says so.

        ``names`` collects, for each CloudFormation-shaped path, the Terraform argument it came from
        (so a message names what the user wrote).
        """
        names.setdefault(at.cfn, at.tf)
        if unknown is True:
            return Unknown(KNOWN_AFTER_APPLY, where=at.tf)
        if isinstance(value, dict) or isinstance(unknown, dict):
            value = value if isinstance(value, dict) else {}
            marks = unknown if isinstance(unknown, dict) else {}
            # a map attribute (not the objects of a list, like awscc's [{key, value}] tags)
            free_keys = (
                at.key in _MAP_ATTRIBUTES or at.key in ("tags", "dimensions")
            ) and not at.tf.endswith("]")
            out = {}
            for k in sorted(set(value) | set(marks)):
                cfn_key = k if free_keys else _pascal(k)
                converted = self._convert(value.get(k), marks.get(k), at.child(k, cfn_key), awscc, names)
                if converted is not None or free_keys:
                    out[cfn_key] = converted
            return out
        if isinstance(value, list) or isinstance(unknown, list):
            items = value if isinstance(value, list) else []
            marks_list = unknown if isinstance(unknown, list) else []
            count = max(len(items), len(marks_list))
            if count == 0:
                return None  # an empty list, or a block that is not there
            first = items[0] if items else marks_list[0]
            single_block = not awscc and at.key not in _LIST_BLOCKS and isinstance(first, dict)
            converted_items = [
                self._convert(
                    items[i] if i < len(items) else None,
                    marks_list[i] if i < len(marks_list) else None,
                    at.item(i, single_block),
                    awscc,
                    names,
                )
                for i in range(count)
            ]
            converted_items = [c for c in converted_items if c is not None]
            if single_block:
                return converted_items[0] if converted_items else None  # a block of at most one item
            return converted_items
        return value

    # ------------------------------------------------------------------ references

    def _resolve_references(self, instance: _Instance, info: TypeInfo, properties: dict[str, Any]) -> None:
        """Replace unknown names of other plan resources by their names (or placeholders)."""
        expected = _REFERENCE_FIELDS.get(info.cfn_type, {})
        config = self._configuration(instance)

        def visit(value: Any, path: tuple[str, ...], siblings: Mapping[str, Any] | None) -> Any:
            if isinstance(value, Unknown):
                key = ".".join(path)
                if info.role is Role.ALARM and key in _DIMENSION_PATHS and siblings is not None:
                    targets = _DIMENSION_TARGETS.get(str(siblings.get("Name")))
                else:
                    targets = expected.get(key)
                if targets and value.where:
                    resolved = self._by_reference(instance, config, value.where, targets)
                    if resolved is not None:
                        # a whole action list known only after apply: the one topic it references
                        return [resolved] if key in _ACTION_LISTS and siblings is not None else resolved
                return value
            if isinstance(value, dict):
                return {k: visit(v, (*path, k), value) for k, v in value.items()}
            if isinstance(value, list):
                return [visit(v, path, None) for v in value]
            return value

        resolved = visit(properties, (), None)
        properties.clear()
        properties.update(_explained(resolved, config))

    def _configuration(self, instance: _Instance) -> Mapping[str, Any]:
        module = _obj(_obj(self.data.get("configuration")).get("root_module"))
        for name in instance.modules:
            module = _obj(_obj(_obj(module.get("module_calls")).get(name)).get("module"))
        for resource in _items(module.get("resources")):
            if (
                isinstance(resource, dict)
                and resource.get("address") == f"{instance.tf_type}.{instance.name}"
            ):
                expressions = resource.get("expressions")
                return expressions if isinstance(expressions, dict) else {}
        return {}

    def _by_reference(
        self, instance: _Instance, expressions: Mapping[str, Any], tf_path: str, targets: frozenset[str]
    ) -> str | None:
        references = _references_at(expressions, tf_path)
        found: dict[str, tuple[_Instance, str | None]] = {}
        for reference in references:
            match = _REFERENCE.match(reference)
            if match is None or match.group("type") in _NOT_RESOURCES:
                continue
            info = BY_TERRAFORM_TYPE.get(match.group("type"))
            if info is None or info.cfn_type not in targets:
                continue
            target = self._instance(instance, match.group("type"), match.group("name"), match.group("index"))
            if target is not None:
                previous = found.get(target.address)
                attribute = match.group("attribute") or (previous[1] if previous else None)
                found[target.address] = (target, attribute)
        if len(found) != 1:
            return None
        ((address, (target, attribute)),) = found.items()
        info = BY_TERRAFORM_TYPE[target.tf_type]
        name = self.names[address]
        if attribute == "arn":
            region = self.regions[address]
            return info.arn(partition=partition_of(region), region=region, account=self.account, name=name)
        return name

    def _instance(self, referrer: _Instance, tf_type: str, name: str, index: str | None) -> _Instance | None:
        candidates = [
            i
            for a, i in self.instances.items()
            if not a.startswith("\0deleted\0")
            and i.modules == referrer.modules
            and (i.tf_type, i.name) == (tf_type, name)
        ]
        if index is not None:
            candidates = [i for i in candidates if i.index == index]
        if len(candidates) == 1:
            return candidates[0]
        same_index = [i for i in candidates if i.index is not None and i.index == referrer.index]
        return same_index[0] if len(same_index) == 1 else None


def _explained(value: Any, expressions: Mapping[str, Any]) -> Any:
    """``value`` with each remaining Unknown saying what its value comes from (the references)."""
    if isinstance(value, Unknown):
        refs = [r for r in _references_at(expressions, value.where or "") if "." in r]
        # the most specific references: "a.b.attr" rather than the "a.b" it implies
        shown = [r for r in refs if not any(o != r and o.startswith(r + ".") for o in refs)]
        if shown and value.reason == KNOWN_AFTER_APPLY:
            return Unknown(f"it comes from {', '.join(shown)}", where=value.where)
        return value
    if isinstance(value, dict):
        return {k: _explained(v, expressions) for k, v in value.items()}
    if isinstance(value, list):
        return [_explained(v, expressions) for v in value]
    return value


def _references_at(expressions: Mapping[str, Any], tf_path: str) -> list[str]:
    """The references of the expression that sets ``tf_path`` (or of the attribute containing it)."""
    steps = [s for s in re.split(r"\.|\[(\d+)\]", tf_path) if s]
    current: Any = expressions
    for step in steps:
        if isinstance(current, dict) and ("references" in current or "constant_value" in current):
            break  # an attribute's expression covers everything inside its value
        if isinstance(current, dict):
            current = current.get(step)
        elif isinstance(current, list) and step.isdigit():
            current = current[int(step)] if int(step) < len(current) else None
        else:
            return []
    if isinstance(current, dict):
        refs = current.get("references")
        return [r for r in refs if isinstance(r, str)] if isinstance(refs, list) else []
    return []


def _snake(name: str) -> str:
    out = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    return out.lower()


def _tags_to_list(properties: dict[str, Any]) -> None:
    tags = properties.get("Tags")
    if isinstance(tags, dict):
        properties["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]


def _name_value(mapping: Any) -> Any:
    if isinstance(mapping, dict):
        return [{"Name": k, "Value": v} for k, v in mapping.items()]
    return mapping


def _metric_queries(properties: dict[str, Any]) -> None:
    """The AWS provider's alarm shape to CloudFormation's: dimensions maps and ``metric_query``."""
    if "Dimensions" in properties:
        properties["Dimensions"] = _name_value(properties["Dimensions"])
    queries = properties.pop("MetricQuery", None)
    if queries is None:
        return
    metrics = []
    for query in queries if isinstance(queries, list) else [queries]:
        if not isinstance(query, dict):
            metrics.append(query)
            continue
        item = {k: v for k, v in query.items() if k != "Metric"}
        metric = query.get("Metric")
        if isinstance(metric, dict):
            item["MetricStat"] = {
                "Metric": {
                    k: (_name_value(v) if k == "Dimensions" else v)
                    for k, v in metric.items()
                    if k in ("Namespace", "MetricName", "Dimensions")
                },
                **{k: v for k, v in metric.items() if k in ("Period", "Stat", "Unit")},
            }
        elif isinstance(metric, Unknown):
            item["MetricStat"] = metric
        metrics.append(item)
    properties["Metrics"] = metrics


_TOPIC = frozenset({"AWS::SNS::Topic"})
_ACTION_LISTS = ("AlarmActions", "OKActions", "InsufficientDataActions")
_JOB_DEFINITIONS = frozenset(f"AWS::SageMaker::{t.value}JobDefinition" for t in MonitorType)
_ENDPOINT = frozenset({"AWS::SageMaker::Endpoint"})
_DIMENSION_TARGETS = {
    "Endpoint": _ENDPOINT,
    "MonitoringSchedule": frozenset({"AWS::SageMaker::MonitoringSchedule"}),
}
_DIMENSION_PATHS = frozenset({"Dimensions.Value", "Metrics.MetricStat.Metric.Dimensions.Value"})
# CloudFormation-shaped paths (list items share their list's path) that name another resource; an
# alarm's dimension values name the resource their dimension name says (_DIMENSION_TARGETS).
_REFERENCE_FIELDS: dict[str, dict[str, frozenset[str]]] = {
    "AWS::SageMaker::Endpoint": {"EndpointConfigName": frozenset({"AWS::SageMaker::EndpointConfig"})},
    "AWS::SNS::Subscription": {"TopicArn": _TOPIC},
    "Terraform::Events::Target": {"Arn": _TOPIC, "Rule": frozenset({"AWS::Events::Rule"})},
    **{
        alarm: {key: _TOPIC for key in _ACTION_LISTS}
        for alarm in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")
    },
    "AWS::SageMaker::MonitoringSchedule": {
        "EndpointName": _ENDPOINT,
        "MonitoringScheduleConfig.MonitoringJobDefinitionName": _JOB_DEFINITIONS,
        "MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringInputs.EndpointInput.EndpointName": (
            _ENDPOINT
        ),
    },
    **{
        f"AWS::SageMaker::{t.value}JobDefinition": {
            f"{t.value}JobInput.EndpointInput.EndpointName": _ENDPOINT
        }
        for t in MonitorType
    },
}
