"""Declarations to inventory records: the same models, built by the scanner's own normalizers.

CloudFormation properties have the shapes of the SageMaker and CloudWatch APIs (an endpoint config's
properties are a DescribeEndpointConfig response, a job definition's are a Describe<Type>JobDefinition
response, an alarm's are a DescribeAlarms record), so each declaration is turned into the API record
the scanner would have read after deploy and normalized by the same ``build_*`` function: a template
and a scan cannot disagree about what a field means.

What only exists after deploy takes the value a successful deploy gives: an endpoint is InService,
capture Started at its InitialSamplingPercentage (Stopped when EnableCapture is false), a schedule
has the status it declares (default Scheduled), a new alarm is INSUFFICIENT_DATA (the run-time
policies are NOT_APPLICABLE on planned resources anyway).

Each type's properties are described once (``_SPECS``): their types (a string "100" for an integer
is converted as CloudFormation does; anything else that does not fit is an InputError naming the
file, the line and the property) and the record fields each property feeds. A value unknown until
deploy marks those fields unknown on the record, with a message naming the property.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.errors import InputError
from auditor.iac.types import BY_CFN_TYPE, Role, TypeInfo
from auditor.iac.values import Declaration, Unknown, is_placeholder_text, name_of
from auditor.inventory.model import Alarm, Endpoint, JobDefinition, Monitor, MonitorType
from auditor.inventory.raw import as_dict
from auditor.scan.cloudwatch_alarms import build_composite_alarm, build_metric_alarm
from auditor.scan.endpoints import build_endpoint
from auditor.scan.job_definitions import build_named_job_definition
from auditor.scan.monitoring_schedules import build_monitor
from auditor.scan.normalize import tag_dict

# --------------------------------------------------------------------------- property specs


@dataclass(frozen=True)
class Prop:
    """A scalar property, and the record fields it feeds."""

    type: type
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Obj:
    """A mapping property (``props`` empty: any mapping, not read further)."""

    props: Mapping[str, Spec] = field(default_factory=dict)
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListOf:
    item: Spec
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class MapOf:
    """A mapping with free keys (Environment)."""

    value: Spec
    fields: tuple[str, ...] = ()


Spec = Prop | Obj | ListOf | MapOf


def _s(*fields: str) -> Prop:
    return Prop(str, fields)


def _i(*fields: str) -> Prop:
    return Prop(int, fields)


def _b(*fields: str) -> Prop:
    return Prop(bool, fields)


def _f(*fields: str) -> Prop:
    return Prop(float, fields)


_TAG_FIELDS = ("tags",)
_TAGS = ListOf(Obj({"Key": _s(*_TAG_FIELDS), "Value": _s(*_TAG_FIELDS)}), _TAG_FIELDS)
_UNREAD_TAGS = ListOf(Obj({"Key": _s(), "Value": _s()}))

# What an endpoint takes from its endpoint config (the record's fields the scan reads from
# DescribeEndpointConfig): all unknown when the config itself is.
_CONFIG_FIELDS = ("data_capture", "variants", "kind", "config_kms_key_id")

_VARIANT = Obj(
    {
        "VariantName": _s("variants"),
        "ModelName": _s("variants", "kind"),
        "InstanceType": _s("variants"),
        "InitialInstanceCount": _i("variants"),
        "ServerlessConfig": Obj(
            {"MaxConcurrency": _i("variants"), "MemorySizeInMB": _i("variants")}, ("variants", "kind")
        ),
    }
)
_CAPTURE_OPTIONS = ("data_capture.capture_options",)
_DATA_CAPTURE = Obj(
    {
        "EnableCapture": _b("data_capture.enabled", "data_capture.capture_status"),
        "InitialSamplingPercentage": _i("data_capture.current_sampling_percentage"),
        "DestinationS3Uri": _s("data_capture.destination_s3_uri"),
        "KmsKeyId": _s("data_capture.kms_key_id"),
        "CaptureOptions": ListOf(Obj({"CaptureMode": _s(*_CAPTURE_OPTIONS)}), _CAPTURE_OPTIONS),
        "CaptureContentTypeHeader": Obj(
            {
                "CsvContentTypes": ListOf(Prop(str), ("data_capture.csv_content_types",)),
                "JsonContentTypes": ListOf(Prop(str), ("data_capture.json_content_types",)),
            }
        ),
    },
    ("data_capture",),
)


@dataclass(frozen=True)
class _JobParts:
    """The job-definition properties named and embedded definitions share, under different names."""

    network: Spec
    stopping: Spec
    cluster: Spec
    baseline: Spec
    environment: Spec


def _job_parts(pre: str) -> _JobParts:
    """The shared job-definition properties, feeding fields prefixed ``pre``."""

    def s(*names: str) -> Prop:
        return _s(*(pre + n for n in names))

    return _JobParts(
        network=Obj(
            {
                "EnableNetworkIsolation": _b(pre + "network_isolation"),
                "EnableInterContainerTrafficEncryption": _b(pre + "inter_container_traffic_encryption"),
                "VpcConfig": Obj(
                    {
                        "Subnets": ListOf(Prop(str), (pre + "vpc_subnets",)),
                        "SecurityGroupIds": ListOf(Prop(str), (pre + "vpc_security_group_ids",)),
                    }
                ),
            }
        ),
        stopping=Obj({"MaxRuntimeInSeconds": _i(pre + "max_runtime_seconds")}),
        cluster=Obj(
            {
                "InstanceCount": _i(pre + "instance_count"),
                "InstanceType": s("instance_type"),
                "VolumeKmsKeyId": s("volume_kms_key_id"),
            }
        ),
        baseline=Obj(
            {
                "ConstraintsResource": Obj({"S3Uri": s("baseline_constraints_uri")}),
                "StatisticsResource": Obj({"S3Uri": s("baseline_statistics_uri")}),
            }
        ),
        environment=MapOf(Prop(str), (pre + "environment", pre + "publish_cloudwatch_metrics")),
    )


def _named_job_definition(monitor_type: MonitorType) -> Obj:
    t = monitor_type.value
    parts = _job_parts("")
    return Obj(
        {
            "JobDefinitionName": Prop(str),
            "EndpointName": _s("endpoint_name"),
            f"{t}AppSpecification": Obj(
                {"Environment": parts.environment, "ProblemType": _s("problem_type")}
            ),
            f"{t}BaselineConfig": parts.baseline,
            f"{t}JobInput": Obj(
                {
                    "EndpointInput": Obj({"EndpointName": _s("endpoint_name")}),
                    "BatchTransformInput": Obj(
                        {"DataCapturedDestinationS3Uri": _s("batch_transform_input_uri")}
                    ),
                    "GroundTruthS3Input": Obj({"S3Uri": _s("ground_truth_s3_uri")}),
                }
            ),
            f"{t}JobOutputConfig": Obj({"KmsKeyId": _s("output_kms_key_id")}),
            "JobResources": Obj({"ClusterConfig": parts.cluster}),
            "NetworkConfig": parts.network,
            "StoppingCondition": parts.stopping,
        }
    )


# An embedded definition's fields belong to its own JobDefinition record ("jd:" prefix), except those
# the schedule's record also takes (the endpoint it watches).
_JD = "jd:"
_EMBEDDED_PARTS = _job_parts(_JD)
_EMBEDDED = Obj(
    {
        "BaselineConfig": _EMBEDDED_PARTS.baseline,
        "Environment": _EMBEDDED_PARTS.environment,
        "MonitoringInputs": ListOf(
            Obj(
                {
                    "EndpointInput": Obj(
                        {"EndpointName": _s(_JD + "endpoint_name", "endpoint_name", "endpoint")}
                    ),
                    "BatchTransformInput": Obj(
                        {
                            "DataCapturedDestinationS3Uri": _s(
                                _JD + "batch_transform_input_uri", "batch_transform_input_uri"
                            )
                        }
                    ),
                }
            )
        ),
        "MonitoringOutputConfig": Obj({"KmsKeyId": _s(_JD + "output_kms_key_id")}),
        "MonitoringResources": Obj({"ClusterConfig": _EMBEDDED_PARTS.cluster}),
        "NetworkConfig": _EMBEDDED_PARTS.network,
        "StoppingCondition": _EMBEDDED_PARTS.stopping,
    },
    ("job_definition", "job_definition_embedded"),
)

_METRIC = ("dimensions", "metrics", "monitors")  # what decides which monitors an alarm watches
_DIMENSIONS = ListOf(Obj({"Name": _s(*_METRIC), "Value": _s(*_METRIC)}), _METRIC)
_ACTIONS: dict[str, Spec] = {
    "ActionsEnabled": _b("actions_enabled"),
    "AlarmActions": ListOf(Prop(str), ("alarm_actions",)),
    "OKActions": ListOf(Prop(str), ("ok_actions",)),
    "InsufficientDataActions": ListOf(Prop(str), ("insufficient_data_actions",)),
    "AlarmDescription": _s("description"),
    "AlarmName": Prop(str),
}

_SPECS: dict[str, Obj] = {
    "AWS::SageMaker::Endpoint": Obj(
        {
            "EndpointName": Prop(str),
            "EndpointConfigName": _s("endpoint_config_name", *_CONFIG_FIELDS),
            "Tags": _TAGS,
        }
    ),
    "AWS::SageMaker::EndpointConfig": Obj(
        {
            "EndpointConfigName": Prop(str),
            "KmsKeyId": _s("config_kms_key_id"),
            "DataCaptureConfig": _DATA_CAPTURE,
            "ProductionVariants": ListOf(_VARIANT, ("variants", "kind")),
            "ShadowProductionVariants": ListOf(_VARIANT, ("variants",)),
            "AsyncInferenceConfig": Obj({}, ("kind",)),
            "Tags": _UNREAD_TAGS,
        }
    ),
    "AWS::SageMaker::MonitoringSchedule": Obj(
        {
            "MonitoringScheduleName": Prop(str),
            "MonitoringScheduleStatus": _s("status"),
            "EndpointName": _s("endpoint_name", "endpoint"),
            "MonitoringScheduleConfig": Obj(
                {
                    "MonitoringJobDefinitionName": _s("job_definition_name", "job_definition"),
                    "MonitoringType": _s("monitor_type", "job_definition", "alarms", _JD + "monitor_type"),
                    "ScheduleConfig": Obj(
                        {"ScheduleExpression": _s("schedule_expression", "interval_seconds")}
                    ),
                    "MonitoringJobDefinition": _EMBEDDED,
                }
            ),
            "Tags": _TAGS,
        }
    ),
    **{
        f"AWS::SageMaker::{t.value}JobDefinition": Obj(
            {**_named_job_definition(t).props, "Tags": _UNREAD_TAGS}
        )
        for t in MonitorType
    },
    "AWS::CloudWatch::Alarm": Obj(
        {
            **_ACTIONS,
            "Namespace": _s("namespace", "metrics", "monitors"),
            "MetricName": _s("metric_name", "metrics"),
            "Dimensions": _DIMENSIONS,
            "Metrics": ListOf(
                Obj(
                    {
                        "Id": Prop(str),
                        "Expression": _s("expression", "metrics", "monitors"),
                        "ReturnData": Prop(bool),
                        "MetricStat": Obj(
                            {
                                "Metric": Obj(
                                    {
                                        "Namespace": _s(*_METRIC),
                                        "MetricName": _s("metrics"),
                                        "Dimensions": _DIMENSIONS,
                                    }
                                ),
                                "Period": Prop(int),
                                "Stat": Prop(str),
                            }
                        ),
                    }
                ),
                ("metrics", "expression", "monitors"),
            ),
            "Statistic": _s("statistic"),
            "ExtendedStatistic": _s("statistic"),
            "Threshold": _f("threshold"),
            "ComparisonOperator": _s("comparison_operator"),
            "Period": _i("period"),
            "EvaluationPeriods": _i("evaluation_periods"),
            "DatapointsToAlarm": _i("datapoints_to_alarm"),
            "TreatMissingData": _s("treat_missing_data"),
        }
    ),
    "AWS::CloudWatch::CompositeAlarm": Obj(
        {**_ACTIONS, "AlarmRule": _s("alarm_rule", "children", "monitors")}
    ),
}


# --------------------------------------------------------------------------- normalizing


@dataclass
class Normalized:
    """A declaration's properties: API-shaped (unknowns removed), for the record's ``raw``, and the
    record fields that are unknown with the message naming the property."""

    properties: dict[str, Any]
    raw: dict[str, Any]
    unknown: dict[str, str]


class _Walker:
    def __init__(self, decl: Declaration) -> None:
        self.decl = decl
        self.unknown: dict[str, str] = {}

    def mark(self, spec: Spec, path: str, why: Unknown) -> None:
        """``why`` at ``path``: every field the spec (and what it contains) feeds is unknown."""
        decl = self.decl
        where = why.where or decl.property_names.get(path) or path
        message = f"{decl.label}: {where} is unknown until {decl.source_format.deploy_verb} ({why.reason})"
        for name in _all_fields(spec):
            self.unknown.setdefault(name, message)

    def error(self, path: str, message: str) -> InputError:
        decl = self.decl
        where = decl.property_names.get(path) or f"Properties.{path}"
        return InputError(
            decl.location.file, message, location=f"{decl.label}.{where}", line=decl.location.line
        )

    def walk(self, value: Any, spec: Spec, path: str) -> Any:
        """The value coerced to the spec; Unknown leaves are marked and removed (returns _ABSENT)."""
        if isinstance(value, Unknown):
            self.mark(spec, path, value)
            return _ABSENT
        if value is None:
            return None
        if isinstance(spec, Prop):
            return self.scalar(value, spec, path)
        if isinstance(spec, ListOf):
            if not isinstance(value, list):
                raise self.error(path, f"expected a list, got {_describe(value)}")
            items = (self.walk(v, spec.item, f"{path}[{i}]") for i, v in enumerate(value))
            return [v for v in items if v is not _ABSENT and v is not None]  # a null item is no item
        if not isinstance(value, dict):
            raise self.error(path, f"expected a mapping, got {_describe(value)}")
        out: dict[str, Any] = {}
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            if isinstance(spec, MapOf):
                walked = self.walk(item, spec.value, child)
            elif key in spec.props:
                walked = self.walk(item, spec.props[key], child)
            else:
                walked = _scrub(item)  # a property no policy reads: kept as written, minus unknowns
            if walked is not _ABSENT:
                out[key] = walked
        return out

    def scalar(self, value: Any, spec: Prop, path: str) -> Any:
        converted = _coerce(value, spec.type)
        if converted is not _ABSENT:
            return converted
        if isinstance(value, str) and is_placeholder_text(value):
            self.mark(spec, path, Unknown(f"it is taken from {value}, known only after deploy"))
            return _ABSENT
        raise self.error(path, f"expected {_TYPE_NAMES[spec.type]}, got {_describe(value)}")


_ABSENT = object()
_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "a boolean"}


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _coerce(value: Any, kind: type) -> Any:
    """CloudFormation's conversions: numbers and booleans given as strings, numbers as strings."""
    if kind is str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value) if isinstance(value, str | int | float) else _ABSENT
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return _ABSENT
    if isinstance(value, bool):
        return _ABSENT
    if kind is int:
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                return _ABSENT
        return _ABSENT
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return _ABSENT
    return _ABSENT


def _all_fields(spec: Spec) -> list[str]:
    out = list(spec.fields)
    if isinstance(spec, Obj):
        for child in spec.props.values():
            out.extend(_all_fields(child))
    elif isinstance(spec, ListOf):
        out.extend(_all_fields(spec.item))
    elif isinstance(spec, MapOf):
        out.extend(_all_fields(spec.value))
    return out


def _scrub(value: Any) -> Any:
    if isinstance(value, Unknown):
        return _ABSENT
    if isinstance(value, dict):
        return {k: v for k, v in ((k, _scrub(v)) for k, v in value.items()) if v is not _ABSENT}
    if isinstance(value, list):
        return [v for v in (_scrub(x) for x in value) if v is not _ABSENT]
    return value


def render_raw(value: Any, verb: str) -> Any:
    """The declared value for a record's ``raw``: unknown leaves as readable text."""
    if isinstance(value, Unknown):
        return f"<unknown until {verb}: {value.reason}>"
    if isinstance(value, dict):
        return {str(k): render_raw(v, verb) for k, v in value.items()}
    if isinstance(value, list):
        return [render_raw(v, verb) for v in value]
    return value


def normalize(decl: Declaration) -> Normalized:
    """Coerce and check a declaration's properties against its type's spec."""
    spec = _SPECS[decl.cfn_type]
    walker = _Walker(decl)
    properties = walker.walk(decl.properties, spec, "")
    raw = {"type": decl.cfn_type, "properties": render_raw(decl.properties, decl.source_format.deploy_verb)}
    return Normalized(properties if isinstance(properties, dict) else {}, raw, walker.unknown)


# --------------------------------------------------------------------------- records


@dataclass
class Converted:
    """The records made from a run's declarations."""

    endpoints: list[Endpoint] = field(default_factory=list)
    monitors: list[Monitor] = field(default_factory=list)
    job_definitions: list[JobDefinition] = field(default_factory=list)
    alarms: list[Alarm] = field(default_factory=list)


_Key = tuple[str, str, str]  # (account, region, name)


class _Converter:
    def __init__(self, declarations: list[Declaration]) -> None:
        self.declarations = declarations
        self.normalized: dict[str, Normalized] = {}
        self.configs: dict[_Key, Declaration] = {}
        self.job_definitions: dict[_Key, list[Declaration]] = {}
        for decl in declarations:
            info = BY_CFN_TYPE[decl.cfn_type]
            key = (decl.account_id, decl.region, decl.name)
            if info.role is Role.ENDPOINT_CONFIG:
                self.configs[key] = decl
            elif info.role is Role.JOB_DEFINITION:
                self.job_definitions.setdefault(key, []).append(decl)

    def props(self, decl: Declaration) -> Normalized:
        found = self.normalized.get(decl.key)
        if found is None:
            found = self.normalized[decl.key] = normalize(decl)
        return found

    def run(self) -> Converted:
        out = Converted()
        builders: dict[Role, Callable[[Declaration, TypeInfo, Converted], None]] = {
            Role.ENDPOINT: self.endpoint,
            Role.MONITOR: self.monitor,
            Role.JOB_DEFINITION: self.job_definition,
            Role.ALARM: self.alarm,
        }
        for decl in self.declarations:
            info = BY_CFN_TYPE[decl.cfn_type]
            build = builders.get(info.role)
            if build is not None:
                build(decl, info, out)
        return out

    # ------------------------------------------------------------------ endpoints

    def endpoint(self, decl: Declaration, info: TypeInfo, out: Converted) -> None:
        own = self.props(decl)
        unknown = dict(own.unknown)
        config_name = name_of(own.properties.get("EndpointConfigName"))
        config: dict[str, Any] | None = None
        raw: dict[str, Any] = {"declared": own.raw}
        config_decl = self.configs.get((decl.account_id, decl.region, config_name or ""))
        if config_decl is not None:
            normalized = self.props(config_decl)
            config = dict(normalized.properties)
            raw["endpoint_config"] = {**as_dict(normalized.raw), "source": _where(config_decl)}
            for name, why in normalized.unknown.items():
                unknown.setdefault(name, why)
        elif "endpoint_config_name" not in unknown:
            why = (
                f"{decl.label}: its endpoint config {config_name} is not declared in the templates read, so "
                f"what it configures is unknown until {decl.source_format.deploy_verb}"
                if config_name
                else f"{decl.label}: it names no endpoint config (EndpointConfigName)"
            )
            for name in _CONFIG_FIELDS:
                unknown.setdefault(name, why)
        record: dict[str, Any] = {
            "EndpointName": decl.name,
            "EndpointArn": info.arn(
                partition=decl.partition, region=decl.region, account=decl.account_id, name=decl.name
            ),
            "EndpointStatus": "InService",
        }
        if config_name:
            record["EndpointConfigName"] = config_name
        capture = (config or {}).get("DataCaptureConfig")
        if isinstance(capture, dict):
            enabled = capture.get("EnableCapture", True)  # CloudFormation's default (Terraform's is mapped)
            record["DataCaptureConfig"] = {
                "EnableCapture": enabled,
                "CaptureStatus": "Started" if enabled else "Stopped",
                "CurrentSamplingPercentage": capture.get("InitialSamplingPercentage"),
                "DestinationS3Uri": capture.get("DestinationS3Uri"),
                "KmsKeyId": capture.get("KmsKeyId"),
            }
        endpoint = build_endpoint(
            record,
            account_id=decl.account_id,
            region=decl.region,
            tags=_tags(own.properties),
            config=config if config is not None else ({} if config_name else None),
            missing=[],
        )
        endpoint.raw = raw
        _planned(endpoint, decl, unknown)
        out.endpoints.append(endpoint)

    # ------------------------------------------------------------------ monitors

    def monitor(self, decl: Declaration, info: TypeInfo, out: Converted) -> None:
        own = self.props(decl)
        props = own.properties
        config = dict(props.get("MonitoringScheduleConfig") or {})
        named = name_of(config.get("MonitoringJobDefinitionName"))
        if named is not None:
            config["MonitoringJobDefinitionName"] = named
        target = self._named_definition(decl, named, config.get("MonitoringType"))
        if config.get("MonitoringType") is None and target is not None:
            monitor_type = BY_CFN_TYPE[target.cfn_type].monitor_type
            config["MonitoringType"] = monitor_type.value if monitor_type else None
        endpoint_name = name_of(props.get("EndpointName"))
        unknown = dict(own.unknown)
        if endpoint_name is None and "endpoint_name" not in unknown and named is not None:
            # The schedule names no endpoint: the one its job definition's input names.
            why: str | None
            if target is not None:
                definition = self.props(target)
                endpoint_name = _endpoint_of_definition(definition.properties, BY_CFN_TYPE[target.cfn_type])
                why = definition.unknown.get("endpoint_name")
            else:
                verb = decl.source_format.deploy_verb
                why = (
                    f"{decl.label}: its job definition {named} is not declared in the templates read, so the "
                    f"endpoint it watches is unknown until {verb}"
                )
            if endpoint_name is None and why is not None:
                unknown.setdefault("endpoint_name", why)
                unknown.setdefault("endpoint", why)
        embedded = config.get("MonitoringJobDefinition")
        if isinstance(embedded, dict):
            for item in embedded.get("MonitoringInputs") or []:
                endpoint_input = item.get("EndpointInput") if isinstance(item, dict) else None
                if isinstance(endpoint_input, dict) and "EndpointName" in endpoint_input:
                    endpoint_input["EndpointName"] = name_of(endpoint_input["EndpointName"])
        arn = info.arn(partition=decl.partition, region=decl.region, account=decl.account_id, name=decl.name)
        record: dict[str, Any] = {
            "MonitoringScheduleArn": arn,
            "MonitoringScheduleName": decl.name,
            "MonitoringScheduleStatus": props.get("MonitoringScheduleStatus", "Scheduled"),
            "MonitoringScheduleConfig": config,
        }
        if config.get("MonitoringType"):
            record["MonitoringType"] = config["MonitoringType"]
        if endpoint_name:
            record["EndpointName"] = endpoint_name
        monitor, embedded_def, error = build_monitor(
            record, account_id=decl.account_id, region=decl.region, tags=_tags(props), missing=[]
        )
        if error is not None:
            allowed = ", ".join(t.value for t in MonitorType)
            raise _Walker(decl).error(
                "MonitoringScheduleConfig.MonitoringType",
                f"{error.message} (MonitoringType must be one of {allowed})",
            )
        monitor.raw = {"declared": own.raw}
        schedule_unknown = {k: v for k, v in unknown.items() if not k.startswith(_JD)}
        _planned(monitor, decl, schedule_unknown)
        out.monitors.append(monitor)
        if embedded_def is not None:
            embedded_def.raw = {"declared": own.raw.get("properties", {}).get("MonitoringScheduleConfig", {})}
            definition_unknown = {k.removeprefix(_JD): v for k, v in unknown.items() if k.startswith(_JD)}
            _planned(embedded_def, decl, definition_unknown)
            out.job_definitions.append(embedded_def)

    def _named_definition(self, decl: Declaration, name: str | None, type_text: Any) -> Declaration | None:
        candidates = self.job_definitions.get((decl.account_id, decl.region, name or ""), [])
        if isinstance(type_text, str):
            candidates = [c for c in candidates if c.cfn_type == f"AWS::SageMaker::{type_text}JobDefinition"]
        return candidates[0] if len(candidates) == 1 else None

    # ------------------------------------------------------------------ job definitions

    def job_definition(self, decl: Declaration, info: TypeInfo, out: Converted) -> None:
        own = self.props(decl)
        monitor_type = info.monitor_type
        assert monitor_type is not None  # every job-definition type fixes its monitoring type
        arn = info.arn(partition=decl.partition, region=decl.region, account=decl.account_id, name=decl.name)
        props = dict(own.properties)
        job_input = props.get(f"{monitor_type.value}JobInput")
        if isinstance(job_input, dict) and isinstance(job_input.get("EndpointInput"), dict):
            endpoint_input = dict(job_input["EndpointInput"])
            endpoint_input["EndpointName"] = name_of(endpoint_input.get("EndpointName"))
            props[f"{monitor_type.value}JobInput"] = {**job_input, "EndpointInput": endpoint_input}
        record = {**props, "JobDefinitionArn": arn, "JobDefinitionName": decl.name}
        definition = build_named_job_definition(
            record, monitor_type=monitor_type, account_id=decl.account_id, region=decl.region
        )
        if definition.endpoint_name is None:
            definition.endpoint_name = name_of(props.get("EndpointName"))
        definition.raw = {"declared": own.raw}
        _planned(definition, decl, dict(own.unknown))
        out.job_definitions.append(definition)

    # ------------------------------------------------------------------ alarms

    def alarm(self, decl: Declaration, info: TypeInfo, out: Converted) -> None:
        own = self.props(decl)
        arn = info.arn(partition=decl.partition, region=decl.region, account=decl.account_id, name=decl.name)
        record = {
            **own.properties,
            "AlarmArn": arn,
            "AlarmName": decl.name,
            "StateValue": "INSUFFICIENT_DATA",  # a new alarm has no data yet
            "ActionsEnabled": own.properties.get("ActionsEnabled", True),  # CloudFormation's default
        }
        region, account = decl.region, decl.account_id
        if decl.cfn_type == "AWS::CloudWatch::CompositeAlarm":
            alarm = build_composite_alarm(record, account_id=account, region=region)
        else:
            alarm = build_metric_alarm(record, account_id=account, region=region)
        alarm.raw = {"declared": own.raw}
        _planned(alarm, decl, dict(own.unknown))
        out.alarms.append(alarm)


def _endpoint_of_definition(props: Mapping[str, Any], info: TypeInfo) -> str | None:
    monitor_type = info.monitor_type
    job_input = props.get(f"{monitor_type.value}JobInput") if monitor_type else None
    endpoint_input = job_input.get("EndpointInput") if isinstance(job_input, dict) else None
    if isinstance(endpoint_input, dict):
        return name_of(endpoint_input.get("EndpointName"))
    return name_of(props.get("EndpointName"))


def _tags(props: Mapping[str, Any]) -> dict[str, str]:
    tags = props.get("Tags")
    return tag_dict(tags) if isinstance(tags, list) else {}


def _where(decl: Declaration) -> str:
    line = f":{decl.location.line}" if decl.location.line else ""
    return f"{decl.location.file}{line} {decl.label}"


def _planned(
    record: Endpoint | Monitor | JobDefinition | Alarm, decl: Declaration, unknown: dict[str, str]
) -> None:
    record.source = decl.location
    if decl.exists is not None:
        verb = decl.source_format.deploy_verb
        unknown.setdefault(
            "", f"{decl.label}: whether it is created is unknown until {verb} ({decl.exists.reason})"
        )
    record.unknown = dict(sorted(unknown.items()))


def convert(declarations: list[Declaration]) -> Converted:
    """The inventory records of the declarations of the inventory's kinds (alerting types are skipped)."""
    return _Converter(declarations).run()
