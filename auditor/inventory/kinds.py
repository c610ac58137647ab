"""The resource kinds: one descriptor each, and ``KINDS``, the one list everything "per kind" iterates.

A descriptor says what a kind is (its model class and the inventory field that holds it), where its
data comes from (its dataset, and the fields that other API calls fill), how one is identified (ARN,
name, account, region, tags), how it links to other kinds in a policy document, which endpoints it
belongs to (the coverage matrix aggregates verdicts per endpoint), and how a policy test case names
one. The store, the policy documents and their types, the ``resource:`` enum of the published policy
schema and the policy cases all iterate ``KINDS``. The scanner's collectors (``auditor.scan.collectors``)
each fill one kind, and a test holds the two lists equal.

Adding a kind: its model (``model.py``), its descriptor here, its collector in ``auditor/scan/`` (listed
in ``auditor.scan.collectors.COLLECTORS``), and tests. ARCHITECTURE.md keeps that count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from auditor.inventory.model import (
    Alarm,
    AlarmType,
    DataCapture,
    Dataset,
    Endpoint,
    EventRule,
    Inventory,
    JobDefinition,
    Monitor,
    ResourceKind,
    ScanError,
    Schedule,
    SourceLocation,
    Target,
    Topic,
)


class Index:
    """Lookups over one linked inventory, built once and shared by every link and membership query."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.by_arn: dict[ResourceKind, dict[str, Any]] = {
            spec.kind: {spec.arn_of(r): r for r in spec.items(inventory)} for spec in KINDS
        }
        self._parents: dict[str, list[Alarm]] | None = None
        self._errors: dict[str, list[ScanError]] | None = None

    def get(self, kind: ResourceKind, arns: Iterable[str | None]) -> list[Any]:
        """The resources of ``kind`` with these ARNs, in order, skipping unknown ones."""
        table = self.by_arn[kind]
        return [table[a] for a in arns if a is not None and a in table]

    def alarm_parents(self, alarm: Alarm) -> list[Alarm]:
        """The composite alarms (same account and region) whose rule names ``alarm`` as a child."""
        if self._parents is None:
            by_name = {(a.account_id, a.region, a.name): a for a in self.inventory.alarms}
            parents: dict[str, list[Alarm]] = {}
            for composite in self.inventory.alarms:
                for child in composite.children:
                    found = by_name.get((composite.account_id, composite.region, child))
                    if found is not None:
                        parents.setdefault(found.arn, []).append(composite)
            self._parents = parents
        return self._parents.get(alarm.arn, [])

    def target_errors(self, target: Target) -> list[ScanError]:
        """Scan errors of a target, in inventory order; account-level ones (region None, e.g.
        AssumeRole) belong to every region of the account."""
        if self._errors is None:
            errors: dict[str, list[ScanError]] = {}
            for e in self.inventory.errors:
                errors.setdefault(e.account_id, []).append(e)
            self._errors = errors
        return [e for e in self._errors.get(target.account_id, []) if e.region in (None, target.region)]

    def endpoints_of_monitors(self, monitor_arns: Iterable[str]) -> list[str]:
        """ARNs of the endpoints the given monitors watch (sorted, unique)."""
        monitors = self.get(ResourceKind.MONITOR, monitor_arns)
        return sorted({m.endpoint_arn for m in monitors if m.endpoint_arn})


@dataclass(frozen=True)
class Link:
    """A field of a kind's policy document that holds linked resources (or other records).

    ``nested``: the link is also present when this resource is embedded in another's document (a
    monitor embedded in its endpoint's document keeps its job definition and alarms, not its endpoint).
    """

    name: str
    item: type  # the dataclass of the linked records
    get: Callable[[Any, Index], list[Any]]
    many: bool = True
    nested: bool = False


@dataclass(frozen=True)
class KindSpec:
    """One resource kind (see the module docstring)."""

    kind: ResourceKind
    model: type
    inventory_field: str  # the ``Inventory`` attribute holding the resources
    dataset: Dataset | None  # where its records come from (None: made by the scan itself)
    links: tuple[Link, ...] = ()
    # Fields filled by another call than the kind's own (tags, the endpoint config), per dataclass.
    field_datasets: Mapping[type, Mapping[str, Dataset]] = field(default_factory=dict)
    collected: bool = True  # filled by a scanner collector (targets are made by the orchestrator)
    endpoints: Callable[[Any, Index], list[str]] = lambda _r, _ix: []
    case_defaults: Mapping[str, Any] = field(default_factory=dict)
    case_arn: Callable[[Mapping[str, Any]], str] | None = None  # None: cases cannot declare this kind
    # Datasets the linker found missing for this resource alone (an alarm's unreadable alert path): they
    # block checks on this resource (and on resources that link to it by name), not on the siblings
    # embedded beside it in another resource's document.
    derived_missing: Callable[[Any], Iterable[Dataset]] = lambda _r: ()

    def items(self, inventory: Inventory) -> list[Any]:
        """The resources of this kind in ``inventory``."""
        items: list[Any] = getattr(inventory, self.inventory_field)
        return items

    def arn_of(self, resource: Any) -> str:
        """The resource's identity (a real ARN, or a stable synthetic one for targets)."""
        if isinstance(resource, Target):
            return target_arn(resource)
        return str(resource.arn)

    def name_of(self, resource: Any) -> str:
        if isinstance(resource, Target):
            return f"{resource.account_id}/{resource.region}"
        return str(resource.name)

    def tags_of(self, resource: Any) -> dict[str, str]:
        tags: dict[str, str] = getattr(resource, "tags", {})
        return tags

    def missing_of(self, resource: Any) -> frozenset[Dataset]:
        """Datasets that could not be read for this resource alone (collected, and derived by the linker)."""
        return frozenset(getattr(resource, "missing", ())).union(self.derived_missing(resource))

    def source_of(self, resource: Any) -> SourceLocation | None:
        """Where a resource read from a template is declared; None for a scanned (deployed) one."""
        source: SourceLocation | None = getattr(resource, "source", None)
        return source

    def unknown_of(self, resource: Any) -> dict[str, str]:
        """The resource's fields that are unknown until its template is deployed, with the reason."""
        unknown: dict[str, str] = getattr(resource, "unknown", None) or {}
        return unknown

    def json_sort_key(self, record: Mapping[str, Any]) -> tuple[str, ...]:
        """The order of this kind's records in a saved inventory."""
        if self.kind is ResourceKind.TARGET:
            return (str(record["account_id"]), str(record["region"]))
        return (str(record["arn"]),)


def target_arn(target: Target) -> str:
    """A stable identity for a scanned (account, region): it has no real ARN."""
    return f"target:{target.account_id}:{target.region}"


def _arn(service: str, resource: str) -> Callable[[Mapping[str, Any]], str]:
    def build(item: Mapping[str, Any]) -> str:
        return f"arn:aws:{service}:{item['region']}:{item['account_id']}:{resource.format(**item)}"

    return build


_JOB_DEFINITION_ARN_KIND = {
    "DataQuality": "data-quality-job-definition",
    "ModelQuality": "model-quality-job-definition",
    "ModelBias": "model-bias-job-definition",
    "ModelExplainability": "model-explainability-job-definition",
}


def _job_definition_arn(item: Mapping[str, Any]) -> str:
    kind = _JOB_DEFINITION_ARN_KIND.get(str(item.get("monitor_type") or ""), "data-quality-job-definition")
    return f"arn:aws:sagemaker:{item['region']}:{item['account_id']}:{kind}/{item['name']}"


def _one(arn: str | None) -> list[str | None]:
    return [arn]


KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        kind=ResourceKind.ENDPOINT,
        model=Endpoint,
        inventory_field="endpoints",
        dataset=Dataset.ENDPOINTS,
        links=(Link("monitors", Monitor, lambda e, ix: ix.get(ResourceKind.MONITOR, e.monitor_arns)),),
        field_datasets={
            Endpoint: {
                "tags": Dataset.TAGS,
                "config_kms_key_id": Dataset.ENDPOINT_CONFIGS,
                "capture_arrivals": Dataset.S3_OBJECTS,
                # The replacement monitors need the recognisers' schedules (and the alarms, which
                # an endpoint's other checks already read through its monitors).
                "replacements": Dataset.REPLACEMENTS,
                "watched_by": Dataset.REPLACEMENTS,
                # Multi-model and inference-component endpoints are told from their models and
                # components: when those could not be read, the kind is unverified, not real-time.
                "kind": Dataset.MODELS,
                "models": Dataset.MODELS,
                "inference_components": Dataset.MODELS,
            },
            # DescribeEndpoint's capture block has no CaptureOptions or content types: the config has them.
            DataCapture: {
                "capture_options": Dataset.ENDPOINT_CONFIGS,
                "csv_content_types": Dataset.ENDPOINT_CONFIGS,
                "json_content_types": Dataset.ENDPOINT_CONFIGS,
            },
        },
        endpoints=lambda e, _ix: [e.arn],
        derived_missing=lambda e: e.replacements_missing,
        case_defaults={"status": "InService", "kind": "real_time"},
        case_arn=_arn("sagemaker", "endpoint/{name}"),
    ),
    KindSpec(
        kind=ResourceKind.MONITOR,
        model=Monitor,
        inventory_field="monitors",
        dataset=Dataset.MONITORS,
        links=(
            Link(
                "job_definition",
                JobDefinition,
                lambda m, ix: ix.get(ResourceKind.JOB_DEFINITION, _one(m.job_definition_arn)),
                many=False,
                nested=True,
            ),
            Link("alarms", Alarm, lambda m, ix: ix.get(ResourceKind.ALARM, m.alarm_arns), nested=True),
            Link(
                "endpoint",
                Endpoint,
                lambda m, ix: ix.get(ResourceKind.ENDPOINT, _one(m.endpoint_arn)),
                many=False,
            ),
        ),
        field_datasets={
            Monitor: {
                "tags": Dataset.TAGS,
                "metrics": Dataset.METRICS,
                # Which alarms watch a monitor depends on the namespace its metrics exist under
                # (ListMetrics): when that listing failed, the link is unknown, not empty.
                "alarms": Dataset.METRICS,
                "published_namespace": Dataset.METRICS,
                "misspelt_alarms": Dataset.METRICS,
                "executions": Dataset.EXECUTIONS,
                "execution_history": Dataset.EXECUTIONS,
                "ground_truth_arrival": Dataset.S3_OBJECTS,
                "alerts": Dataset.MODELS,
            }
        },
        endpoints=lambda m, _ix: [m.endpoint_arn] if m.endpoint_arn else [],
        case_defaults={"status": "Scheduled", "monitor_type": None},
        case_arn=_arn("sagemaker", "monitoring-schedule/{name}"),
    ),
    KindSpec(
        kind=ResourceKind.JOB_DEFINITION,
        model=JobDefinition,
        inventory_field="job_definitions",
        dataset=Dataset.JOB_DEFINITIONS,
        links=(Link("monitors", Monitor, lambda j, ix: ix.get(ResourceKind.MONITOR, j.monitor_arns)),),
        endpoints=lambda j, ix: ix.endpoints_of_monitors(j.monitor_arns),
        case_defaults={"monitor_type": None},
        case_arn=_job_definition_arn,
    ),
    KindSpec(
        kind=ResourceKind.ALARM,
        model=Alarm,
        inventory_field="alarms",
        dataset=Dataset.ALARMS,
        links=(
            Link("monitors", Monitor, lambda a, ix: ix.get(ResourceKind.MONITOR, a.monitor_arns)),
            Link("parents", Alarm, lambda a, ix: ix.alarm_parents(a)),
        ),
        # The alert paths are resolved from the EventBridge rules and SNS topics (the alerting dataset).
        field_datasets={Alarm: {"alert_paths": Dataset.ALERTING}},
        derived_missing=lambda a: a.alert_missing,
        endpoints=lambda a, ix: ix.endpoints_of_monitors(a.monitor_arns),
        case_defaults={"alarm_type": AlarmType.METRIC.value, "state": "OK"},
        case_arn=_arn("cloudwatch", "alarm:{name}"),
    ),
    KindSpec(
        kind=ResourceKind.EVENT_RULE,
        model=EventRule,
        inventory_field="event_rules",
        dataset=Dataset.ALERTING,
        case_defaults={"event_bus_name": "default", "state": "ENABLED"},
        case_arn=_arn("events", "rule/{name}"),
    ),
    KindSpec(
        kind=ResourceKind.TOPIC,
        model=Topic,
        inventory_field="topics",
        dataset=Dataset.ALERTING,
        case_arn=_arn("sns", "{name}"),
    ),
    KindSpec(
        kind=ResourceKind.SCHEDULE,
        model=Schedule,
        inventory_field="schedules",
        dataset=Dataset.REPLACEMENTS,
        links=(Link("endpoints", Endpoint, lambda s, ix: ix.get(ResourceKind.ENDPOINT, s.endpoint_arns)),),
        endpoints=lambda s, _ix: list(s.endpoint_arns),
        case_defaults={"group_name": "default", "state": "ENABLED"},
        case_arn=_arn("scheduler", "schedule/{group_name}/{name}"),
    ),
    KindSpec(
        kind=ResourceKind.TARGET,
        model=Target,
        inventory_field="targets",
        dataset=None,
        links=(Link("errors", ScanError, lambda t, ix: ix.target_errors(t)),),
        collected=False,
    ),
)


@cache
def spec_of(kind: ResourceKind) -> KindSpec:
    """The descriptor of ``kind``."""
    return next(s for s in KINDS if s.kind is kind)


def spec_of_model(model: type) -> KindSpec | None:
    """The descriptor whose model class is ``model``, or None for a record that is not a kind."""
    return next((s for s in KINDS if s.model is model), None)


def collected_kinds() -> Sequence[ResourceKind]:
    """The kinds a scanner collector fills, in declaration order."""
    return [s.kind for s in KINDS if s.collected]
