"""Resolve the links between inventory resources, once, so policies never re-derive them.

endpoint ↔ monitors (same account, region and endpoint name), monitor ↔ job definition (named by
type + name, or the embedded one), and alarm ↔ monitors: an alarm watches monitor M when one of its
metrics is on the namespace M publishes to (see ``namespace_matches``: exactly a namespace CloudWatch
lists M's metrics under, or, before any exist, the canonical spelling for M's type -- the real-time
endpoint namespace, or the batch namespace for monitors without an endpoint) and its dimensions include
``Endpoint=<M.endpoint_name>`` and ``MonitoringSchedule=<M.name>`` (batch: ``MonitoringSchedule``
only). A metric with only one of the two dimensions does not count: CloudWatch identifies a metric
by its full dimension set, so such an alarm never sees the monitor's data. Composite alarms watch
whatever their children watch, transitively. An alarm with the right dimensions on another spelling
of the namespace (leading "/", "Endpoint", "data-metric", another case) does not watch M either:
CloudWatch matches namespaces exactly. It is reported on M (``misspelt_alarms``).

The alarm join runs over the whole organization's inventory: a metric query that names another
account (``Metrics[].AccountId``, CloudWatch cross-account observability) watches the monitors of
that account in the alarm's region, so alarms kept in a central monitoring account link to the
member accounts' monitors (``Alarm.metric_accounts`` names those accounts). Then each alarm's alert
paths (``alert_paths``: actions, SNS topics, EventBridge rules) are resolved.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from auditor.inventory.alert_paths import resolve_alert_paths
from auditor.inventory.model import (
    Alarm,
    AlarmType,
    Inventory,
    JobDefinition,
    MetricRef,
    MisspeltAlarm,
    Monitor,
    MonitorType,
)
from auditor.inventory.replacements import resolve_replacements

# Documented spellings disagree (DOMAIN §2.1): leading "/", "Endpoint" vs "Endpoints",
# "data-metric" vs "data-metrics", any case. All of them are *recognized* as a Model Monitor namespace
# (to keep the alarms and report the variants); only an exact match watches a monitor.
_NAMESPACE = re.compile(
    r"^/?aws/sagemaker/(?P<scope>endpoints?|modelmonitoring)/"
    r"(?P<kind>data|model|bias|explainability)-metrics?$",
    re.IGNORECASE,
)
_KIND = {
    "data": MonitorType.DATA_QUALITY,
    "model": MonitorType.MODEL_QUALITY,
    "bias": MonitorType.MODEL_BIAS,
    "explainability": MonitorType.MODEL_EXPLAINABILITY,
}

CANONICAL_ENDPOINT_NAMESPACES = {
    MonitorType.DATA_QUALITY: "aws/sagemaker/Endpoints/data-metrics",
    MonitorType.MODEL_QUALITY: "aws/sagemaker/Endpoints/model-metrics",
    MonitorType.MODEL_BIAS: "aws/sagemaker/Endpoints/bias-metrics",
    MonitorType.MODEL_EXPLAINABILITY: "aws/sagemaker/Endpoints/explainability-metrics",
}


@dataclass(frozen=True)
class MonitorNamespace:
    """A Model Monitor metric namespace: which monitor type, and batch or real-time."""

    monitor_type: MonitorType
    batch: bool
    canonical: bool  # exactly the spelling AWS samples use


def model_monitor_namespace(namespace: str | None) -> MonitorNamespace | None:
    """Classify ``namespace`` as a Model Monitor namespace (any documented spelling), else None."""
    if not namespace:
        return None
    match = _NAMESPACE.match(namespace.strip())
    if match is None:
        return None
    kind = _KIND[match.group("kind").lower()]
    batch = match.group("scope").lower() == "modelmonitoring"
    expected = f"aws/sagemaker/ModelMonitoring/{match.group('kind').lower()}-metrics"
    if not batch:
        expected = CANONICAL_ENDPOINT_NAMESPACES[kind]
    return MonitorNamespace(monitor_type=kind, batch=batch, canonical=namespace == expected)


def canonical_namespace(monitor: Monitor) -> str | None:
    """The spelling AWS samples use for ``monitor``'s metrics (real-time, or batch without an endpoint)."""
    if monitor.monitor_type is None:
        return None
    if monitor.endpoint_name is None:
        kind = CANONICAL_ENDPOINT_NAMESPACES[monitor.monitor_type].rsplit("/", 1)[1]
        return f"aws/sagemaker/ModelMonitoring/{kind}"
    return CANONICAL_ENDPOINT_NAMESPACES[monitor.monitor_type]


def published_namespaces(monitor: Monitor) -> list[str]:
    """The namespaces ``monitor`` publishes to: those CloudWatch lists its metrics under (ListMetrics),
    else -- none listed yet, or not listed at all -- the canonical spelling alone (sorted)."""
    listed = sorted(
        {m.namespace for m in monitor.metrics or [] if namespace_family_matches(m.namespace, monitor)}
    )
    if listed:
        return listed
    canonical = canonical_namespace(monitor)
    return [canonical] if canonical is not None else []


def namespace_matches(namespace: str | None, monitor: Monitor) -> bool:
    """Whether an alarm on ``namespace`` can see ``monitor``'s metrics: exactly (CloudWatch compares
    namespaces byte for byte) one of ``published_namespaces``."""
    return namespace is not None and namespace in published_namespaces(monitor)


def namespace_family_matches(namespace: str | None, monitor: Monitor) -> bool:
    """Whether ``namespace`` is some spelling of the Model Monitor namespace of ``monitor``'s type and
    mode (real-time with an endpoint, batch without)."""
    ns = model_monitor_namespace(namespace)
    if ns is None or monitor.monitor_type is None or ns.monitor_type != monitor.monitor_type:
        return False
    return ns.batch == (monitor.endpoint_name is None)


def _dimensions_match(metric: MetricRef, monitor: Monitor) -> bool:
    if metric.dimensions.get("MonitoringSchedule") != monitor.name:
        return False
    return monitor.endpoint_name is None or metric.dimensions.get("Endpoint") == monitor.endpoint_name


def metric_watches(metric: MetricRef, monitor: Monitor) -> bool:
    """Whether ``metric`` is one of the metrics ``monitor`` publishes (exact namespace + full dimensions)."""
    return (
        namespace_family_matches(metric.namespace, monitor)
        and _dimensions_match(metric, monitor)
        and namespace_matches(metric.namespace, monitor)
    )


def metric_misspelt(metric: MetricRef, monitor: Monitor) -> bool:
    """Whether ``metric`` has ``monitor``'s dimensions on another spelling of its namespace."""
    return (
        namespace_family_matches(metric.namespace, monitor)
        and _dimensions_match(metric, monitor)
        and not namespace_matches(metric.namespace, monitor)
    )


def link(inventory: Inventory) -> Inventory:
    """Fill every relation field in place (deterministic, sorted) and return the inventory.

    Safe to call again: every relation list is recomputed from scratch.
    """
    endpoints = {(e.account_id, e.region, e.name): e for e in inventory.endpoints}
    named_defs = {
        (j.account_id, j.region, j.monitor_type, j.name): j
        for j in inventory.job_definitions
        if not j.embedded
    }
    defs_by_arn = {j.arn: j for j in inventory.job_definitions}
    for endpoint in inventory.endpoints:
        endpoint.monitor_arns = []
    for definition in inventory.job_definitions:
        definition.monitor_arns = []
    for alarm in inventory.alarms:
        alarm.monitor_arns = []

    for monitor in inventory.monitors:
        monitor.alarm_arns = []
        monitor.misspelt_alarms = []
        published = published_namespaces(monitor)
        canonical = canonical_namespace(monitor)
        monitor.published_namespace = canonical if canonical in published else next(iter(published), None)
        found = endpoints.get((monitor.account_id, monitor.region, monitor.endpoint_name or ""))
        monitor.endpoint_arn = found.arn if found is not None else None
        if found is not None:
            found.monitor_arns.append(monitor.arn)
        jd: JobDefinition | None = None
        if monitor.job_definition_embedded:
            jd = defs_by_arn.get(embedded_job_definition_arn(monitor.arn))
        elif monitor.job_definition_name is not None:
            jd = named_defs.get(
                (monitor.account_id, monitor.region, monitor.monitor_type, monitor.job_definition_name)
            )
        monitor.job_definition_arn = jd.arn if jd is not None else None
        if jd is not None:
            jd.monitor_arns.append(monitor.arn)

    _link_alarms(inventory)
    resolve_alert_paths(inventory, inventory.alarms)
    for endpoint in inventory.endpoints:
        endpoint.monitor_arns.sort()
    resolve_replacements(inventory)  # the recognisers' matches, and who watches each endpoint

    for endpoint in inventory.endpoints:
        endpoint.monitor_arns.sort()
    for jd in inventory.job_definitions:
        jd.monitor_arns.sort()
    for monitor in inventory.monitors:
        monitor.alarm_arns.sort()
        monitor.misspelt_alarms.sort(key=lambda m: (m.alarm_arn, m.namespace))
    return inventory


def embedded_job_definition_arn(schedule_arn: str) -> str:
    """The synthetic ARN of the job definition embedded in a monitoring schedule."""
    return f"{schedule_arn}/embedded-job-definition"


def metric_owner(alarm: Alarm, metric: MetricRef) -> tuple[str, str]:
    """The (account, region) whose metrics ``metric`` reads: the account its query names
    (``Metrics[].AccountId`` of a cross-account alarm), else the alarm's own; always the alarm's region."""
    return (metric.account_id or alarm.account_id, alarm.region)


def _link_alarms(inventory: Inventory) -> None:
    # A metric can only watch the monitor its MonitoringSchedule dimension names, so index monitors by
    # (account, region, name) over the whole organization: linear in alarms, instead of every alarm
    # against every monitor.
    monitors_by_name: dict[tuple[str, str, str], list[Monitor]] = defaultdict(list)
    for monitor in inventory.monitors:
        monitors_by_name[(monitor.account_id, monitor.region, monitor.name)].append(monitor)
    alarms_by_name = {(a.account_id, a.region, a.name): a for a in inventory.alarms}
    monitors_by_arn = {m.arn: m for m in inventory.monitors}

    direct: dict[str, set[str]] = {}
    for alarm in inventory.alarms:
        watched: set[str] = set()
        if alarm.alarm_type is AlarmType.METRIC:
            for metric in alarm.metrics:
                schedule = metric.dimensions.get("MonitoringSchedule")
                if schedule is None:
                    continue
                account, region = metric_owner(alarm, metric)
                for monitor in monitors_by_name.get((account, region, schedule), ()):
                    if metric_watches(metric, monitor):
                        watched.add(monitor.arn)
                    elif metric_misspelt(metric, monitor):
                        _report_misspelt(monitor, alarm, metric.namespace)
        direct[alarm.arn] = watched

    def resolve(alarm: Alarm, stack: frozenset[str]) -> set[str]:
        result = set(direct[alarm.arn])
        if alarm.alarm_type is AlarmType.COMPOSITE:
            for child_name in alarm.children:
                child = alarms_by_name.get((alarm.account_id, alarm.region, child_name))
                if child is not None and child.arn not in stack:
                    result |= resolve(child, stack | {child.arn})
        return result

    for alarm in inventory.alarms:
        alarm.monitor_arns = sorted(resolve(alarm, frozenset({alarm.arn})))
        accounts: set[str] = set()
        for arn in alarm.monitor_arns:
            monitor = monitors_by_arn[arn]
            monitor.alarm_arns.append(alarm.arn)
            if monitor.account_id != alarm.account_id:
                accounts.add(monitor.account_id)
        alarm.metric_accounts = sorted(accounts)
        alarm.display_name = alarm.name
        if accounts:
            owners = ", ".join(alarm.metric_accounts)
            alarm.display_name += f" (in monitoring account {alarm.account_id} on metrics of {owners})"


def _report_misspelt(monitor: Monitor, alarm: Alarm, namespace: str) -> None:
    expected = monitor.published_namespace or ""
    entry = MisspeltAlarm(alarm.arn, alarm.name, namespace, expected)
    if entry not in monitor.misspelt_alarms:
        monitor.misspelt_alarms.append(entry)
