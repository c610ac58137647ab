"""Replacement monitors: which alarms and schedules the config's recognisers match to which endpoint.

Model Monitor is closed to new customers; teams move to open-source stacks (Evidently AI run by an
EventBridge-triggered Lambda, SNS alerts) or CloudWatch custom metrics with anomaly-detection alarms.
A recogniser (config ``recognisers``) says how such a replacement looks in one organization:

* an **alarm matcher**: a metric alarm (static threshold, or an anomaly-detection band: a metric-math
  ``ANOMALY_DETECTION_BAND`` with ``ThresholdMetricId``) reading a metric in a custom namespace (exact
  or glob) whose dimension (named) equals the endpoint's name;
* a **schedule matcher**: an EventBridge Scheduler schedule whose name, target ARN or target Input
  names the endpoint (name and ARN: the endpoint name as a whole segment between ``: / _ . -`` or
  the ends; Input: a string value of its JSON equal to the name).

An endpoint is matched by a recogniser when every matcher it gives matches (alarm, schedule or both).
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
    Endpoint,
    Inventory,
    MonitorType,
    Recogniser,
    Replacement,
    Schedule,
    ScheduleField,
)

MODEL_MONITOR = "Model Monitor"
_REACHES = (AlertStatus.DELIVERS, AlertStatus.COUNTED)
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


def schedule_names(recogniser: Recogniser, schedule: Schedule, endpoint: str) -> str | None:
    """Where a recogniser's schedule matcher finds ``endpoint`` in ``schedule`` (for the detail), or None."""
    matcher = recogniser.schedule
    if matcher is None:
        return None
    if matcher.group is not None and not fnmatch.fnmatchcase(schedule.group_name, matcher.group):
        return None
    if matcher.target_services:
        service = (
            (schedule.target_arn or "").split(":")[2] if (schedule.target_arn or "").count(":") >= 2 else ""
        )
        if service not in matcher.target_services:
            return None
    for where in matcher.endpoint_in:
        if where is ScheduleField.NAME and names_segment(schedule.name, endpoint):
            return "its name"
        if where is ScheduleField.TARGET_ARN and names_segment(schedule.target_arn, endpoint):
            return f"its target {schedule.target_arn}"
        if where is ScheduleField.INPUT and endpoint in _input_strings(schedule.target_input):
            return "its target Input"
    return None


def _reaches(alarm: Alarm) -> bool:
    return any(p.status in _REACHES for p in alarm.alert_paths)


def _replacement(
    recogniser: Recogniser, endpoint: Endpoint, alarms: list[Alarm], schedules: list[Schedule]
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
    if recogniser.schedule is not None:
        parts.append(f"schedule(s) {', '.join(f'{s.group_name}/{s.name}' for s in schedules)}")
    if recogniser.alarm is None:
        parts.append("no alarm: a schedule alone alerts no one")
    return Replacement(
        recogniser=recogniser.name,
        monitor_type=recogniser.monitor_type,
        actionable=bool(actionable),
        alarms=[a.name for a in alarms],
        actionable_alarms=[a.name for a in actionable],
        schedules=[f"{s.group_name}/{s.name}" for s in schedules],
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
    monitors_by_arn = {m.arn: m for m in inventory.monitors}
    unreadable = {(s.account_id, s.region) for s in inventory.schedules if Dataset.SCHEDULES in s.missing}
    for endpoint in inventory.endpoints:
        scope = (endpoint.account_id, endpoint.region)
        endpoint.replacements = []
        endpoint.replacements_missing = []
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
                    if schedule_names(recogniser, s, endpoint.name) is not None
                ),
                key=lambda s: (s.group_name, s.name),
            )
            if recogniser.schedule is not None and not schedules and scope in unreadable:
                endpoint.replacements_missing = [Dataset.SCHEDULES]  # one of them may have named it
            if (recogniser.alarm is not None and not alarms) or (
                recogniser.schedule is not None and not schedules
            ):
                continue
            for schedule in schedules:
                if endpoint.arn not in schedule.endpoint_arns:
                    schedule.endpoint_arns.append(endpoint.arn)
            endpoint.replacements.append(_replacement(recogniser, endpoint, alarms, schedules))
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
