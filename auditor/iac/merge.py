"""One inventory from the templates' records, optionally over a saved scan (``--inventory``).

Merging: a record from a template replaces the deployed one with the same identity (kind, account,
region, name; job definitions also by type; an embedded job definition goes with its schedule); a
plan's deletions remove theirs; then the links are recomputed by the scanner's linker
(``relations.link``), so a planned alarm watches a deployed monitor exactly as a scanned one would.

Unknown links: a value that decides a link and is unknown until deploy (a schedule's endpoint name,
an alarm's dimensions, a composite rule) makes the link unknown on both sides: the schedule's
``endpoint`` and every endpoint's ``monitors`` in its account and region, and so on. A check that
follows such a link is then ERROR, never a PASS or FAIL on a link that may or may not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from auditor.iac.convert import Converted
from auditor.iac.terraform import Deletion
from auditor.iac.types import Role
from auditor.inventory.model import (
    Alarm,
    AlarmType,
    Dataset,
    DatasetStatus,
    Endpoint,
    Inventory,
    InventorySource,
    JobDefinition,
    Monitor,
    ScanMetadata,
    SourceLocation,
    Target,
)
from auditor.inventory.relations import link

Identity = tuple[str, ...]


def identity(record: Endpoint | Monitor | JobDefinition | Alarm) -> Identity:
    """What makes two records the same resource, whether scanned or declared."""
    place = (record.account_id, record.region)
    if isinstance(record, Endpoint):
        return ("endpoint", *place, record.name)
    if isinstance(record, Monitor):
        return ("monitor", *place, record.name)
    if isinstance(record, JobDefinition):
        if record.embedded:
            return ("embedded", *place, record.name)  # named after its schedule
        return ("job_definition", *place, str(record.monitor_type or ""), record.name)
    return ("alarm", *place, record.name)


def deletion_identities(deletion: Deletion) -> list[Identity]:
    """The identities a plan's deletion removes (a schedule takes its embedded definition along)."""
    place = (deletion.account_id, deletion.region)
    match deletion.role:
        case Role.ENDPOINT:
            return [("endpoint", *place, deletion.name)]
        case Role.MONITOR:
            return [("monitor", *place, deletion.name), ("embedded", *place, deletion.name)]
        case Role.JOB_DEFINITION:
            return [("job_definition", *place, str(deletion.monitor_type or ""), deletion.name)]
        case Role.ALARM:
            return [("alarm", *place, deletion.name)]
        case Role.ENDPOINT_CONFIG | Role.ALERTING:
            return []


@dataclass(frozen=True)
class MergeInputs:
    converted: Converted
    deletions: Sequence[Deletion]
    base: Inventory | None
    started_at: str
    finished_at: str
    tool_version: str
    options: dict[str, Any]


def merge(inputs: MergeInputs) -> Inventory:
    """The inventory to judge: the declared records over the base (if any), linked."""
    converted, base = inputs.converted, inputs.base
    planned: list[Endpoint | Monitor | JobDefinition | Alarm] = [
        *converted.endpoints,
        *converted.monitors,
        *converted.job_definitions,
        *converted.alarms,
    ]
    replaced = {identity(r) for r in planned}
    for record in converted.monitors:
        replaced.add(("embedded", record.account_id, record.region, record.name))  # its old inline definition
    removed = replaced | {i for d in inputs.deletions for i in deletion_identities(d)}

    def keep(records: Iterable[Any]) -> list[Any]:
        return [r for r in records if identity(r) not in removed]

    if base is not None:
        # Everything else the scan read stays as read (alert paths' rules and topics, the recognisers'
        # schedules, prices, errors): ``replace`` carries every field, including ones added later.
        inventory = replace(
            base,
            metadata=_merged_metadata(base.metadata, inputs),
            targets=list(base.targets),
            endpoints=keep(base.endpoints) + converted.endpoints,
            monitors=keep(base.monitors) + converted.monitors,
            job_definitions=keep(base.job_definitions) + converted.job_definitions,
            alarms=keep(base.alarms) + converted.alarms,
            event_rules=list(base.event_rules),
            topics=list(base.topics),
            schedules=list(base.schedules),
            errors=list(base.errors),
        )
    else:
        inventory = Inventory(
            metadata=ScanMetadata(
                tool_version=inputs.tool_version,
                started_at=inputs.started_at,
                finished_at=inputs.finished_at,
                options=inputs.options,
                source=InventorySource.TEMPLATES,
            ),
            endpoints=list(converted.endpoints),
            monitors=list(converted.monitors),
            job_definitions=list(converted.job_definitions),
            alarms=list(converted.alarms),
        )
    _add_targets(inventory, planned)
    inventory.metadata.accounts = sorted({t.account_id for t in inventory.targets})
    inventory.metadata.regions = sorted({t.region for t in inventory.targets})
    link(inventory)
    unknown_links(inventory)
    return inventory


def _merged_metadata(base: ScanMetadata, inputs: MergeInputs) -> ScanMetadata:
    # The scan's times stay: run-time policies judge the deployed resources as of the scan, so the
    # merged judgement is reproducible from the saved files.
    return ScanMetadata(
        tool_version=inputs.tool_version,
        started_at=base.started_at,
        finished_at=base.finished_at,
        accounts=list(base.accounts),
        regions=list(base.regions),
        identities=list(base.identities),
        api_calls=dict(base.api_calls),
        options={**base.options, **inputs.options},
        source=InventorySource.TEMPLATES_AND_SCAN,
        recognisers=list(base.recognisers),  # the scan's replacement recognisers, re-applied by link
    )


def _add_targets(inventory: Inventory, planned: Sequence[Endpoint | Monitor | JobDefinition | Alarm]) -> None:
    """A target for every (account, region) only templates put resources in: everything was read."""
    known = {(t.account_id, t.region) for t in inventory.targets}
    first: dict[tuple[str, str], SourceLocation | None] = {}
    for record in planned:
        first.setdefault((record.account_id, record.region), record.source)
    for (account, region), source in sorted(first.items()):
        if (account, region) in known:
            continue
        where = SourceLocation(file=source.file) if source is not None else None
        inventory.targets.append(
            Target(
                account_id=account,
                region=region,
                datasets={d: DatasetStatus.COMPLETE for d in Dataset},
                source=where,
            )
        )


def _unknown(record: Any, path: str) -> str | None:
    found: str | None = record.unknown.get(path)
    return found


def _mark(records: Iterable[Any], field: str, why: str) -> None:
    for record in records:
        if field not in record.unknown:
            record.unknown = dict(sorted({**record.unknown, field: why}.items()))


def unknown_links(inventory: Inventory) -> None:
    """Spread unknown link-deciding values to both ends of the links they decide (see the module doc)."""
    by_place: dict[tuple[str, str], dict[str, list[Any]]] = {}
    for name, records in (
        ("endpoints", inventory.endpoints),
        ("monitors", inventory.monitors),
        ("job_definitions", inventory.job_definitions),
        ("alarms", inventory.alarms),
    ):
        for record in records:
            by_place.setdefault((record.account_id, record.region), {}).setdefault(name, []).append(record)

    def peers(record: Any, kind: str) -> list[Any]:
        return by_place.get((record.account_id, record.region), {}).get(kind, [])

    for monitor in inventory.monitors:
        if not monitor.unknown:
            continue
        endpoint_why = _unknown(monitor, "endpoint_name")
        if endpoint_why is not None:
            _mark([monitor], "endpoint", endpoint_why)
            _mark(peers(monitor, "endpoints"), "monitors", endpoint_why)
            _mark(peers(monitor, "alarms"), "monitors", endpoint_why)  # alarms match Endpoint dimensions
        definition_why = _unknown(monitor, "job_definition_name") or _unknown(monitor, "monitor_type")
        if definition_why is not None:
            _mark([monitor], "job_definition", definition_why)
            _mark(peers(monitor, "job_definitions"), "monitors", definition_why)
        type_why = _unknown(monitor, "monitor_type")
        if type_why is not None:
            _mark([monitor], "alarms", type_why)
            _mark(peers(monitor, "alarms"), "monitors", type_why)
    _undeclared_endpoints(inventory)
    for alarm in inventory.alarms:
        why = _unknown(alarm, "monitors")
        if why is not None:
            _mark(peers(alarm, "monitors"), "alarms", why)
        rule_why = _unknown(alarm, "children")
        if rule_why is not None:
            _mark(peers(alarm, "alarms"), "parents", rule_why)
    _composites_of_unknown_children(inventory)


def _undeclared_endpoints(inventory: Inventory) -> None:
    """A declared schedule watching an endpoint no template declares, where no scan says what is deployed:
    whether that endpoint exists is known only after deploy (it may be deployed by another stack)."""
    template_only = {(t.account_id, t.region) for t in inventory.targets if t.source is not None}
    for monitor in inventory.monitors:
        if (
            monitor.source is not None
            and monitor.endpoint_name
            and monitor.endpoint_arn is None
            and (monitor.account_id, monitor.region) in template_only
            and "endpoint" not in monitor.unknown
        ):
            why = (
                f"{monitor.source.address}: the endpoint {monitor.endpoint_name} it watches is not declared "
                "in the templates read, and no scan of its account and region was merged (--inventory): "
                "whether it exists is known only after deploy"
            )
            _mark([monitor], "endpoint", why)


def _composites_of_unknown_children(inventory: Inventory) -> None:
    """A composite alarm watches what its children watch: unknown when a child's monitors are."""
    by_name = {(a.account_id, a.region, a.name): a for a in inventory.alarms}
    changed = True
    while changed:
        changed = False
        for alarm in inventory.alarms:
            if alarm.alarm_type is not AlarmType.COMPOSITE or "monitors" in alarm.unknown:
                continue
            for child_name in alarm.children:
                child = by_name.get((alarm.account_id, alarm.region, child_name))
                why = _unknown(child, "monitors") if child is not None else None
                if why is not None:
                    _mark([alarm], "monitors", why)
                    changed = True
                    break
