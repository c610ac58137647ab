"""Replacement monitors: which alarms and schedules the config's recognisers match to which endpoint.

Model Monitor is closed to new customers; teams move to open-source stacks (Evidently AI run by an
EventBridge-triggered Lambda, SNS alerts) or CloudWatch custom metrics with anomaly-detection alarms.
A recogniser (config ``recognisers``) says how such a replacement looks in one organization:

* an **alarm matcher**: a metric alarm (static threshold, or an anomaly-detection band: a metric-math
  ``ANOMALY_DETECTION_BAND`` with ``ThresholdMetricId``) reading a metric in a custom namespace (exact
  or glob) whose dimension (named) equals the endpoint's name;
* a **schedule matcher**: an EventBridge Scheduler schedule whose name, target ARN or target Input
  names the endpoint (name and ARN: the endpoint name as a whole segment between ``: / _ . -`` or
  the ends; Input: a string value of its JSON equal to the name);
* a **rule matcher**: an enabled EventBridge rule (scheduled or on events) whose name, or one of whose
  targets (its ARN or constant Input), names the endpoint the same way.

An endpoint is matched by a recogniser when its alarm matcher (if any) matches it and, when it has a
schedule or rule matcher, a schedule or a rule names it.
The replacement is **actionable** only when one of its matched alarms has an alert path that reaches
someone (``AlertStatus.DELIVERS`` / ``COUNTED``, as ``alert_paths`` resolved it): a schedule alone,
or an alarm whose actions reach nobody, does not watch the endpoint. Only scanned data is used.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterable

from auditor.inventory.model import (
    Alarm,
    AlarmType,
    AlertStatus,
    Dataset,
    DatasetStatus,
    EventRule,
    Inventory,
    MonitorType,
    Recogniser,
    Replacement,
    Schedule,
    ScheduleField,
)

MODEL_MONITOR = "Model Monitor"
_REACHES = (AlertStatus.DELIVERS, AlertStatus.COUNTED)
_ENABLED = frozenset({"ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"})
_SEGMENT = r"(?:^|(?<=[:/_.\-]))"
_SEGMENT_END = r"(?=$|[:/_.\-])"


def namespace_matches(pattern: str, namespace: str | None) -> bool:
    """An alarm matcher's namespace: exact (CloudWatch matches namespaces exactly), or a glob."""
    if namespace is None:
        return False
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(namespace, pattern)
    return namespace == pattern


def recogniser_alarm(recognisers: Iterable[Recogniser], alarm: Alarm) -> bool:
    """Whether a metric alarm reads a namespace some recogniser's alarm matcher names (the scanner
    keeps such alarms in full, besides the Model Monitor ones)."""
    return alarm.alarm_type is AlarmType.METRIC and any(
        r.alarm is not None
        and any(
            namespace_matches(r.alarm.namespace, m.namespace) and r.alarm.dimension in m.dimensions
            for m in alarm.metrics
        )
        for r in recognisers
    )


def alarm_endpoints(recogniser: Recogniser, alarm: Alarm) -> set[str]:
    """The endpoint names a recogniser's alarm matcher reads from one alarm's metrics."""
    matcher = recogniser.alarm
    if matcher is None or alarm.alarm_type is not AlarmType.METRIC:
        return set()
    return {
        m.dimensions[matcher.dimension]
        for m in alarm.metrics
        if namespace_matches(matcher.namespace, m.namespace) and matcher.dimension in m.dimensions
    }


def names_segment(text: str | None, name: str) -> bool:
    """Whether ``name`` is a whole segment of ``text`` (between ``: / _ . -`` or the ends)."""
    if not text or not name:
        return False
    return re.search(_SEGMENT + re.escape(name) + _SEGMENT_END, text) is not None


def _input_strings(text: str | None) -> set[str]:
    """Every string value (not key) of a schedule target's Input JSON; nothing when it is not JSON."""
    if not text:
        return set()
    try:
        data = json.loads(text)
    except ValueError:
        return set()
    found: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _service(arn: str | None) -> str:
    parts = (arn or "").split(":")
    return parts[2] if len(parts) > 2 else ""


def _target_names(
    endpoint_in: list[ScheduleField], name: str, targets: list[tuple[str | None, str | None]], endpoint: str
) -> bool:
    """Whether ``endpoint`` is named by ``name`` or one of ``targets`` ((ARN, Input) pairs)."""
    for where in endpoint_in:
        if where is ScheduleField.NAME and names_segment(name, endpoint):
            return True
        for arn, given in targets:
            if where is ScheduleField.TARGET_ARN and names_segment(arn, endpoint):
                return True
            if where is ScheduleField.INPUT and endpoint in _input_strings(given):
                return True
    return False


def schedule_names(recogniser: Recogniser, schedule: Schedule, endpoint: str) -> bool:
    """Whether a recogniser's schedule matcher finds ``endpoint`` in ``schedule``."""
    matcher = recogniser.schedule
    if matcher is None or schedule.state != "ENABLED":
        return False  # a disabled schedule (or one whose state AWS did not say) runs nothing
    if matcher.group is not None and not fnmatch.fnmatchcase(schedule.group_name, matcher.group):
        return False
    if matcher.target_services and _service(schedule.target_arn) not in matcher.target_services:
        return False
    return _target_names(
        matcher.endpoint_in, schedule.name, [(schedule.target_arn, schedule.target_input)], endpoint
    )


def rule_names(recogniser: Recogniser, rule: EventRule, endpoint: str) -> bool:
    """Whether a recogniser's rule matcher finds ``endpoint`` in an enabled ``rule`` (its name, or a
    target of an allowed service: its ARN or its Input)."""
    matcher = recogniser.rule
    if matcher is None or rule.state not in _ENABLED:
        return False
    if matcher.event_bus is not None and not fnmatch.fnmatchcase(rule.event_bus_name, matcher.event_bus):
        return False
    targets: list[tuple[str | None, str | None]] = [
        (t.arn, t.input)
        for t in rule.targets
        if not matcher.target_services or _service(t.arn) in matcher.target_services
    ]
    if matcher.target_services and not targets:
        return False
    return _target_names(matcher.endpoint_in, rule.name, targets, endpoint)


def _reaches(alarm: Alarm) -> bool:
    return any(p.status in _REACHES for p in alarm.alert_paths)


def _replacement(
    recogniser: Recogniser, alarms: list[Alarm], schedules: list[Schedule], rules: list[EventRule]
) -> Replacement:
    actionable = [a for a in alarms if _reaches(a)]
    parts: list[str] = []
    if recogniser.alarm is not None:
        statuses = sorted({p.status.value for a in alarms for p in a.alert_paths}) or ["no alert path"]
        parts.append(
            f"alarm(s) {', '.join(a.name for a in alarms)} on {recogniser.alarm.namespace}"
            + (
                f", {len(actionable)} reaching someone"
                if actionable
                else f", none reaching anyone ({', '.join(statuses)})"
            )
        )
    if schedules:
        parts.append(f"schedule(s) {', '.join(f'{s.group_name}/{s.name}' for s in schedules)}")
    if rules:
        parts.append(f"EventBridge rule(s) {', '.join(f'{r.event_bus_name}/{r.name}' for r in rules)}")
    if recogniser.alarm is None:
        parts.append("no alarm: a schedule or rule alone alerts no one")
    return Replacement(
        recogniser=recogniser.name,
        monitor_type=recogniser.monitor_type,
        actionable=bool(actionable),
        alarms=[a.name for a in alarms],
        actionable_alarms=[a.name for a in actionable],
        schedules=[f"{s.group_name}/{s.name}" for s in schedules],
        rules=[f"{r.event_bus_name}/{r.name}" for r in rules],
        detail="; ".join(parts),
    )


def resolve_replacements(inventory: Inventory) -> None:
    """Fill each endpoint's ``replacements`` and ``watched_by``, and each schedule's ``endpoint_arns``,
    from ``inventory.metadata.recognisers`` (alert paths must be resolved first)."""
    recognisers = inventory.metadata.recognisers
    alarms_by_scope: dict[tuple[str, str], list[Alarm]] = {}
    for alarm in inventory.alarms:
        alarms_by_scope.setdefault((alarm.account_id, alarm.region), []).append(alarm)
    schedules_by_scope: dict[tuple[str, str], list[Schedule]] = {}
    for schedule in inventory.schedules:
        schedule.endpoint_arns = []
        schedules_by_scope.setdefault((schedule.account_id, schedule.region), []).append(schedule)
    rules_by_scope: dict[tuple[str, str], list[EventRule]] = {}
    for rule in inventory.event_rules:
        rules_by_scope.setdefault((rule.account_id, rule.region), []).append(rule)
    monitors_by_arn = {m.arn: m for m in inventory.monitors}
    unreadable = {(s.account_id, s.region) for s in inventory.schedules if Dataset.REPLACEMENTS in s.missing}
    # Where the alarms (for alarm matchers) or the rules (for rule matchers) were not read in full, no
    # endpoint's replacements can be told: a missing one might have matched.
    needed = {Dataset.ALARMS} if any(r.alarm for r in recognisers) else set()
    needed |= {Dataset.ALERTING} if any(r.rule for r in recognisers) else set()
    unread = {
        (t.account_id, t.region)
        for t in inventory.targets
        if any(not t.datasets.get(d, DatasetStatus.NOT_SCANNED).listed for d in needed)
    }
    if Dataset.ALERTING in needed:  # a rule whose targets could not be read
        unread |= {(r.account_id, r.region) for r in inventory.event_rules if Dataset.ALERTING in r.missing}
    for endpoint in inventory.endpoints:
        scope = (endpoint.account_id, endpoint.region)
        endpoint.replacements = []
        endpoint.replacements_missing = [Dataset.REPLACEMENTS] if scope in unread else []
        for recogniser in recognisers:
            alarms = sorted(
                (
                    a
                    for a in alarms_by_scope.get(scope, [])
                    if endpoint.name in alarm_endpoints(recogniser, a)
                ),
                key=lambda a: a.name,
            )
            schedules = sorted(
                (
                    s
                    for s in schedules_by_scope.get(scope, [])
                    if schedule_names(recogniser, s, endpoint.name)
                ),
                key=lambda s: (s.group_name, s.name),
            )
            rules = sorted(
                (r for r in rules_by_scope.get(scope, []) if rule_names(recogniser, r, endpoint.name)),
                key=lambda r: (r.event_bus_name, r.name),
            )
            if recogniser.schedule is not None and not schedules and scope in unreadable:
                endpoint.replacements_missing = [Dataset.REPLACEMENTS]  # one of them may have named it
            triggered = recogniser.schedule is None and recogniser.rule is None
            if (recogniser.alarm is not None and not alarms) or not (triggered or schedules or rules):
                continue
            for schedule in schedules:
                if endpoint.arn not in schedule.endpoint_arns:
                    schedule.endpoint_arns.append(endpoint.arn)
            endpoint.replacements.append(_replacement(recogniser, alarms, schedules, rules))
        monitors = [monitors_by_arn[a] for a in endpoint.monitor_arns if a in monitors_by_arn]
        endpoint.watched_by = {
            t.value: watched_by(
                any(m.monitor_type is t and m.status == "Scheduled" for m in monitors),
                [r for r in endpoint.replacements if r.monitor_type is t],
            )
            for t in MonitorType
        }
    for schedule in inventory.schedules:
        schedule.endpoint_arns.sort()


def watched_by(model_monitor: bool, replacements: list[Replacement]) -> str:
    """Who watches one (endpoint, monitor type): "Model Monitor", "replacement <name>", "both (...)" or
    "neither (...)"; a replacement that is not actionable is named in the "neither" reason."""
    working = [r.recogniser for r in replacements if r.actionable]
    idle = [r for r in replacements if not r.actionable]
    if model_monitor and working:
        return f"both ({MODEL_MONITOR} and replacement {', '.join(working)})"
    if model_monitor:
        return MODEL_MONITOR
    if working:
        return f"replacement {', '.join(working)}"
    if idle:
        reasons = "; ".join(f"replacement {r.recogniser} is not actionable: {r.detail}" for r in idle)
        return f"neither ({reasons})"
    return "neither"
