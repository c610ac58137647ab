"""The per-resource documents that policy field paths address, and their types.

Each resource kind is judged through one JSON-like document built from the LINKED inventory:

* endpoint: its fields, plus ``monitors`` (each with ``job_definition`` and ``alarms``);
* monitor: its fields, plus ``endpoint``, ``job_definition`` and ``alarms``;
* job_definition: its fields, plus ``monitors``;
* alarm: its fields, plus ``monitors`` and ``parents`` (the composite alarms that list it as a child);
* target: its fields, plus ``errors`` (the scan errors recorded for that account and region).

The document types are derived from the inventory dataclasses, so a field path can be checked
against the model at load time. Which datasets (``Dataset``) a path needs is declared ONCE here:
every object type names the dataset it comes from, and a few fields override it (tags, the
capture options and KMS key that only the endpoint config has). The engine derives each
policy's requirements from the paths it uses.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any, Union, get_args, get_origin, get_type_hints

from auditor.inventory.model import (
    AWS_ENUM,
    Alarm,
    AwsEnum,
    DataCapture,
    Dataset,
    Endpoint,
    Inventory,
    JobDefinition,
    Monitor,
    ScanError,
    Target,
)
from auditor.results import ResourceKind

# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class AnyType:
    """Unknown structure (``raw`` records, function results): any path below is accepted."""


@dataclass(frozen=True)
class ScalarType:
    name: str  # string | integer | number | boolean | enum
    # Set for an enum-like field (``AwsEnum`` on the model): the values this version knows.
    known: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ListType:
    item: DocType


@dataclass(frozen=True)
class MapType:
    """A mapping with free keys (tags, environment, dimensions)."""

    value: DocType
    dataset: Dataset | None = None


@dataclass(eq=False)
class ObjectType:
    """An object with known fields. ``dataset`` is where its data comes from; ``field_datasets``
    overrides it for single fields."""

    name: str
    fields: dict[str, DocType] = field(default_factory=dict)
    dataset: Dataset | None = None
    field_datasets: dict[str, Dataset] = field(default_factory=dict)


DocType = AnyType | ScalarType | ListType | MapType | ObjectType
ANY = AnyType()

# Declared once: which dataset each part of the model comes from (fail closed on these).
_BASE_DATASETS: dict[type, Dataset] = {
    Endpoint: Dataset.ENDPOINTS,
    Monitor: Dataset.MONITORS,
    JobDefinition: Dataset.JOB_DEFINITIONS,
    Alarm: Dataset.ALARMS,
}
_FIELD_DATASETS: dict[type, dict[str, Dataset]] = {
    Endpoint: {"tags": Dataset.TAGS, "config_kms_key_id": Dataset.ENDPOINT_CONFIGS},
    Monitor: {"tags": Dataset.TAGS},
    # DescribeEndpoint's capture block has no CaptureOptions or content types: the endpoint config has them.
    DataCapture: {
        "capture_options": Dataset.ENDPOINT_CONFIGS,
        "csv_content_types": Dataset.ENDPOINT_CONFIGS,
        "json_content_types": Dataset.ENDPOINT_CONFIGS,
    },
}


def _from_annotation(tp: Any, inherited: Dataset | None) -> DocType:
    origin = get_origin(tp)
    if tp is Any:
        return ANY
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        return _from_annotation(options[0], inherited) if len(options) == 1 else ANY
    if origin is list:
        return ListType(_from_annotation(get_args(tp)[0], inherited))
    if origin is dict:
        return MapType(_from_annotation(get_args(tp)[1], inherited))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return object_type(tp, inherited)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return ScalarType("enum")
    names = {str: "string", int: "integer", float: "number", bool: "boolean"}
    return ScalarType(names.get(tp, "string"))


def object_type(cls: type, inherited: Dataset | None = None) -> ObjectType:
    """The document type of dataclass ``cls`` (without link fields)."""
    dataset = _BASE_DATASETS.get(cls, inherited)
    hints = get_type_hints(cls)
    fields = {
        f.name: _enum_like(_from_annotation(hints[f.name], dataset), f.metadata.get(AWS_ENUM))
        for f in dataclasses.fields(cls)
    }
    return ObjectType(cls.__name__, fields, dataset, dict(_FIELD_DATASETS.get(cls, {})))


def _enum_like(doc_type: DocType, spec: AwsEnum | None) -> DocType:
    """Mark the scalar (or list of scalars) of an enum-like field with the values it knows."""
    if spec is None:
        return doc_type
    if isinstance(doc_type, ListType) and isinstance(doc_type.item, ScalarType):
        return ListType(ScalarType(doc_type.item.name, spec.known))
    if isinstance(doc_type, ScalarType):
        return ScalarType(doc_type.name, spec.known)
    return doc_type


def enum_values(doc_type: DocType) -> tuple[str, ...] | None:
    """The known values when ``doc_type`` is an enum-like field (or a list of one), else None."""
    if isinstance(doc_type, ListType):
        doc_type = doc_type.item
    return doc_type.known if isinstance(doc_type, ScalarType) else None


def _extend(base: ObjectType, name: str, **extra: DocType) -> ObjectType:
    return ObjectType(name, {**base.fields, **extra}, base.dataset, dict(base.field_datasets))


@cache
def document_types() -> dict[ResourceKind, ObjectType]:
    """The document type of every resource kind (including link fields)."""
    endpoint = object_type(Endpoint)
    monitor = object_type(Monitor)
    job_def = object_type(JobDefinition)
    alarm = object_type(Alarm)
    linked_monitor = _extend(monitor, "LinkedMonitor", job_definition=job_def, alarms=ListType(alarm))
    target = object_type(Target)
    target.fields["errors"] = ListType(object_type(ScanError))
    return {
        ResourceKind.ENDPOINT: _extend(endpoint, "EndpointDocument", monitors=ListType(linked_monitor)),
        ResourceKind.MONITOR: _extend(linked_monitor, "MonitorDocument", endpoint=endpoint),
        ResourceKind.JOB_DEFINITION: _extend(job_def, "JobDefinitionDocument", monitors=ListType(monitor)),
        ResourceKind.ALARM: _extend(
            alarm, "AlarmDocument", monitors=ListType(monitor), parents=ListType(alarm)
        ),
        ResourceKind.TARGET: target,
    }


# --------------------------------------------------------------------------- building documents


@cache
def _nested_fields(cls: type) -> tuple[str, ...]:
    """Fields of ``cls`` that hold dataclasses (directly or in lists) and need converting."""
    hints = get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        args = [a for a in (get_args(tp) or (tp,)) if a is not type(None)]
        inner = [get_args(a)[0] if get_origin(a) is list else a for a in args]
        if any(isinstance(a, type) and dataclasses.is_dataclass(a) for a in inner):
            out.append(f.name)
    return tuple(out)


def plain(obj: Any) -> dict[str, Any]:
    """A shallow JSON-like view of a model object.

    Enum members are StrEnums (they compare equal to their wire value), and ``raw`` records are
    already JSON data, so only nested dataclasses are converted: the view costs one dict copy.
    """
    out = dict(vars(obj))
    cls: Any = type(obj)
    for name in _nested_fields(cls):
        value = out[name]
        if isinstance(value, list):
            out[name] = [plain(v) for v in value]
        elif value is not None:
            out[name] = plain(value)
    return out


@dataclass
class Resource:
    """One judged resource: its document and what the engine needs to know about it."""

    kind: ResourceKind
    arn: str
    name: str
    account_id: str
    region: str
    tags: dict[str, str]
    document: dict[str, Any]
    missing: frozenset[Dataset]  # its own missing datasets and those of the linked resources it embeds


def build_resources(inventory: Inventory) -> dict[ResourceKind, list[Resource]]:
    """Build every resource's document once (reused by all policies). Links come from relations.link."""
    endpoints = {e.arn: e for e in inventory.endpoints}
    monitors = {m.arn: m for m in inventory.monitors}
    job_defs = {j.arn: j for j in inventory.job_definitions}
    alarms = {a.arn: a for a in inventory.alarms}
    alarm_by_name = {(a.account_id, a.region, a.name): a for a in inventory.alarms}

    base_ep = {arn: plain(e) for arn, e in endpoints.items()}
    base_mon = {arn: plain(m) for arn, m in monitors.items()}
    base_jd = {arn: plain(j) for arn, j in job_defs.items()}
    base_al = {arn: plain(a) for arn, a in alarms.items()}

    parents: dict[str, list[str]] = {}
    for a in inventory.alarms:
        for child in a.children:
            child_alarm = alarm_by_name.get((a.account_id, a.region, child))
            if child_alarm is not None:
                parents.setdefault(child_alarm.arn, []).append(a.arn)

    linked_mon: dict[str, dict[str, Any]] = {}
    mon_missing: dict[str, frozenset[Dataset]] = {}
    for arn, m in monitors.items():
        jd = job_defs.get(m.job_definition_arn) if m.job_definition_arn else None
        doc = dict(base_mon[arn])
        doc["job_definition"] = base_jd[jd.arn] if jd else None
        doc["alarms"] = [base_al[a] for a in m.alarm_arns if a in base_al]
        linked_mon[arn] = doc
        mon_missing[arn] = frozenset(m.missing) | frozenset(jd.missing if jd else ())

    out: dict[ResourceKind, list[Resource]] = {kind: [] for kind in ResourceKind}
    for arn, e in endpoints.items():
        doc = dict(base_ep[arn])
        doc["monitors"] = [linked_mon[m] for m in e.monitor_arns if m in linked_mon]
        missing = frozenset(e.missing).union(*(mon_missing[m] for m in e.monitor_arns if m in mon_missing))
        out[ResourceKind.ENDPOINT].append(
            Resource(ResourceKind.ENDPOINT, arn, e.name, e.account_id, e.region, e.tags, doc, missing)
        )
    for arn, m in monitors.items():
        doc = dict(linked_mon[arn])
        ep = endpoints.get(m.endpoint_arn) if m.endpoint_arn else None
        doc["endpoint"] = base_ep[ep.arn] if ep else None
        missing = mon_missing[arn] | frozenset(ep.missing if ep else ())
        out[ResourceKind.MONITOR].append(
            Resource(ResourceKind.MONITOR, arn, m.name, m.account_id, m.region, m.tags, doc, missing)
        )
    for arn, j in job_defs.items():
        doc = dict(base_jd[arn])
        doc["monitors"] = [base_mon[m] for m in j.monitor_arns if m in base_mon]
        out[ResourceKind.JOB_DEFINITION].append(
            Resource(
                ResourceKind.JOB_DEFINITION,
                arn,
                j.name,
                j.account_id,
                j.region,
                {},
                doc,
                frozenset(j.missing),
            )
        )
    for arn, a in alarms.items():
        doc = dict(base_al[arn])
        doc["monitors"] = [base_mon[m] for m in a.monitor_arns if m in base_mon]
        doc["parents"] = [base_al[p] for p in parents.get(arn, ())]
        out[ResourceKind.ALARM].append(
            Resource(ResourceKind.ALARM, arn, a.name, a.account_id, a.region, {}, doc, frozenset())
        )
    for t in inventory.targets:
        doc = plain(t)
        doc["errors"] = [plain(err) for err in _target_errors(inventory.errors, t)]
        arn = target_arn(t)
        out[ResourceKind.TARGET].append(
            Resource(
                ResourceKind.TARGET,
                arn,
                f"{t.account_id}/{t.region}",
                t.account_id,
                t.region,
                {},
                doc,
                frozenset(),
            )
        )
    return out


def target_arn(target: Target) -> str:
    """A stable identity for a scanned (account, region): it has no real ARN."""
    return f"target:{target.account_id}:{target.region}"


def _target_errors(errors: Iterable[ScanError], target: Target) -> list[ScanError]:
    # Account-level errors (region None, e.g. AssumeRole) belong to every region of that account.
    return [e for e in errors if e.account_id == target.account_id and e.region in (None, target.region)]
