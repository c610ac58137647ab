"""How an alarm's ALARM state travels: its actions and the EventBridge rules that match its state change.

Resolved once by ``relations.link`` into ``Alarm.alert_paths`` (policies only read them):

* **SNS** (an alarm action, or a rule target): DELIVERS when the topic exists and has at least one
  confirmed subscription (GetTopicAttributes ``SubscriptionsConfirmed``); NO_SUBSCRIBERS, NOT_FOUND
  (deleted), UNREADABLE (the read failed), UNVERIFIABLE (the topic's account or region is outside
  the scan, or it was not read because only topics named from their own account and region are).
* **Lambda, Systems Manager (OpsItems, incidents), Auto Scaling, EC2 actions**: COUNTED. The ARN's
  service is checked; the function, response plan, policy or instance is not read.
* **EventBridge**: CloudWatch sends every state change to the default bus of the alarm's account and
  region. An ENABLED rule there whose pattern matches the alarm's event into ALARM
  (``event_patterns.matches``) is a path; it DELIVERS when a target does: an SNS topic that delivers,
  an event bus in a scanned account where a matching rule delivers (followed up to
  ``MAX_BUS_HOPS``), or any other target (a pipeline, a function, a queue: invoked by the rule).
  A rule without targets is NO_TARGET; a bus in an account outside the scan is UNVERIFIABLE.
  EventBridge events are sent whatever the alarm's ActionsEnabled says.
* Any other action ARN: UNSUPPORTED (allow-list: never counted).

A path that could not be read marks the alarm's ``alert_missing`` with the ``alerting`` dataset, so the
verdicts that read its alert paths are ERROR, never PASS.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from auditor.inventory.event_patterns import (
    PatternError,
    alarm_state_change_event,
    matches,
    parse_pattern,
    unknown_operators,
)
from auditor.inventory.model import (
    Alarm,
    AlertPath,
    AlertStatus,
    AlertVia,
    Dataset,
    DatasetStatus,
    EventRule,
    Inventory,
    Topic,
)

MAX_BUS_HOPS = 3
DEFAULT_BUS = "default"
_ENABLED = frozenset({"ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"})
# Which target's outcome a rule takes (lower wins): one that delivers; else an unreadable one (the
# verdict must be ERROR, it might deliver), an unverifiable one, then what is plainly missing.
_RANK = {
    s: i
    for i, s in enumerate(
        (
            AlertStatus.DELIVERS,
            AlertStatus.COUNTED,
            AlertStatus.UNREADABLE,
            AlertStatus.UNVERIFIABLE,
            AlertStatus.NO_SUBSCRIBERS,
            AlertStatus.NOT_FOUND,
            AlertStatus.NO_TARGET,
            AlertStatus.UNSUPPORTED,
        )
    )
}

_COUNTED_SERVICES = {
    "lambda": (AlertVia.LAMBDA, "Lambda function"),
    "ssm": (AlertVia.SSM, "Systems Manager OpsItem"),
    "ssm-incidents": (AlertVia.SSM, "Systems Manager Incident Manager response plan"),
    "autoscaling": (AlertVia.AUTOSCALING, "Auto Scaling policy"),
    "automate": (AlertVia.EC2, "EC2 action"),
    "swf": (AlertVia.EC2, "EC2 action"),
}


def _arn_parts(arn: str) -> tuple[str, str, str, str]:
    """(service, region, account, resource) of an ARN; empty strings when it is not one."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return "", "", "", ""
    return parts[2], parts[3], parts[4], parts[5]


class AlertResolver:
    """Resolves the alert paths of every alarm of one inventory (built once per link)."""

    def __init__(self, inventory: Inventory) -> None:
        self.topics: dict[str, Topic] = {t.arn: t for t in inventory.topics}
        self.rules_by_bus: dict[tuple[str, str, str], list[EventRule]] = defaultdict(list)
        for rule in inventory.event_rules:
            self.rules_by_bus[(rule.account_id, rule.region, rule.event_bus_name)].append(rule)
        self.alerting: dict[tuple[str, str], DatasetStatus] = {
            (t.account_id, t.region): t.datasets.get(Dataset.ALERTING, DatasetStatus.NOT_SCANNED)
            for t in inventory.targets
        }

    def _where(self, account: str, region: str) -> str | None:
        """Why data of (account, region) cannot be judged, or None when it was read."""
        status = self.alerting.get((account, region))
        if status is None:
            return f"account {account} region {region} is outside the scan"
        if not status.listed:
            return (
                f"EventBridge rules and SNS topics of {account}/{region} could not be read ({status.value})"
            )
        return None

    # ------------------------------------------------------------------ SNS

    def topic(self, arn: str, *, planned: bool) -> tuple[AlertStatus, str]:
        _service, region, account, name = _arn_parts(arn)
        topic = self.topics.get(arn)
        if topic is not None:
            if Dataset.ALERTING in topic.missing or (topic.exists and topic.subscriptions_confirmed is None):
                return AlertStatus.UNREADABLE, f"SNS topic {name} ({account}) could not be read"
            if not topic.exists:
                return AlertStatus.NOT_FOUND, f"SNS topic {name} ({account}) does not exist"
            confirmed = topic.subscriptions_confirmed or 0
            if confirmed < 1:
                pending = topic.subscriptions_pending or 0
                return (
                    AlertStatus.NO_SUBSCRIBERS,
                    f"SNS topic {name} ({account}) has no confirmed subscription ({pending} pending)",
                )
            plural = "" if confirmed == 1 else "s"
            return (
                AlertStatus.DELIVERS,
                f"SNS topic {name} ({account}) with {confirmed} confirmed subscription{plural}",
            )
        if planned:
            return (
                AlertStatus.COUNTED,
                f"SNS topic {name} (declared; its subscriptions are read after deploy)",
            )
        why = self._where(account, region)
        if why is not None and "outside the scan" in why:
            return AlertStatus.UNVERIFIABLE, f"SNS topic {name}: unverifiable, {why}"
        if why is not None:
            return AlertStatus.UNREADABLE, f"SNS topic {name}: {why}"
        return (
            AlertStatus.UNVERIFIABLE,
            f"SNS topic {name} ({account}/{region}): unverifiable, not read (topics are read where an alarm "
            "or rule of their own account and region names them)",
        )

    # ------------------------------------------------------------------ actions

    def action(self, arn: str, *, planned: bool) -> AlertPath:
        service, _region, _account, resource = _arn_parts(arn)
        if service == "sns":
            status, detail = self.topic(arn, planned=planned)
            return AlertPath(AlertVia.SNS, status, arn, detail)
        counted = _COUNTED_SERVICES.get(service)
        if counted is not None:
            via, what = counted
            name = resource.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
            return AlertPath(
                via, AlertStatus.COUNTED, arn, f"{what} {name} (counted; its target is not read)"
            )
        return AlertPath(AlertVia.UNKNOWN, AlertStatus.UNSUPPORTED, arn, f"unsupported action {arn}")

    # ------------------------------------------------------------------ EventBridge

    def matching_rules(
        self, account: str, region: str, bus: str, event: dict[str, object]
    ) -> list[EventRule]:
        """The enabled rules of one bus whose pattern matches ``event`` (sorted by ARN)."""
        found = []
        for rule in self.rules_by_bus.get((account, region, bus), ()):
            if rule.state not in _ENABLED:
                continue
            try:
                pattern = parse_pattern(rule.event_pattern)
            except PatternError:
                continue
            if pattern is None or unknown_operators(pattern):
                continue  # an operator we do not evaluate never makes an alarm actionable
            if matches(pattern, event):
                found.append(rule)
        return sorted(found, key=lambda r: r.arn)

    def rule(self, rule: EventRule, event: dict[str, object], hops: int) -> tuple[AlertStatus, str]:
        """Whether a matching rule delivers, and the path it takes (or what is missing)."""
        label = f"EventBridge rule {rule.event_bus_name}/{rule.name}"
        if Dataset.ALERTING in rule.missing:
            return AlertStatus.UNREADABLE, f"{label}: its targets could not be read"
        if not rule.targets:
            return AlertStatus.NO_TARGET, f"{label} has no target"
        outcomes = [self._target(t.arn, event, hops) for t in sorted(rule.targets, key=lambda t: t.arn)]
        best = min(outcomes, key=lambda o: _RANK[o[0]])
        return best[0], f"{label} → {best[1]}"

    def _target(self, arn: str, event: dict[str, object], hops: int) -> tuple[AlertStatus, str]:
        service, region, account, resource = _arn_parts(arn)
        if service == "sns":
            status, detail = self.topic(arn, planned=False)
            return status, detail
        if service == "events" and resource.startswith("event-bus/"):
            bus = resource.removeprefix("event-bus/")
            where = f"event bus {bus} ({account}/{region})"
            why = self._where(account, region)
            if why is not None:
                status = AlertStatus.UNVERIFIABLE if "outside the scan" in why else AlertStatus.UNREADABLE
                return (
                    status,
                    f"{where}: {'unverifiable, ' if status is AlertStatus.UNVERIFIABLE else ''}{why}",
                )
            if hops >= MAX_BUS_HOPS:
                return AlertStatus.NO_TARGET, f"{where}: more than {MAX_BUS_HOPS} bus hops"
            rules = self.matching_rules(account, region, bus, event)
            if not rules:
                return AlertStatus.NO_TARGET, f"{where}: no enabled rule there matches the alarm's event"
            outcomes = [self.rule(r, event, hops + 1) for r in rules]
            best = min(outcomes, key=lambda o: _RANK[o[0]])
            return best[0], f"{where} → {best[1]}"
        return AlertStatus.DELIVERS, arn

    # ------------------------------------------------------------------ one alarm

    def paths(self, alarm: Alarm) -> list[AlertPath]:
        """Every alert path of ``alarm``: its AlarmActions, then the matching rules of its default bus."""
        planned = alarm.source is not None
        out = [self.action(arn, planned=planned) for arn in alarm.alarm_actions]
        event = alarm_state_change_event(alarm)
        for rule in self.matching_rules(alarm.account_id, alarm.region, DEFAULT_BUS, event):
            status, detail = self.rule(rule, event, 0)
            out.append(AlertPath(AlertVia.EVENTBRIDGE, status, rule.arn, detail))
        return out


def resolve_alert_paths(inventory: Inventory, alarms: Iterable[Alarm]) -> None:
    """Fill ``alert_paths`` (and ``alert_missing`` = [alerting] when a path is unreadable) of ``alarms``."""
    resolver = AlertResolver(inventory)
    for alarm in alarms:
        alarm.alert_paths = resolver.paths(alarm)
        unreadable = any(p.status is AlertStatus.UNREADABLE for p in alarm.alert_paths)
        alarm.alert_missing = [Dataset.ALERTING] if unreadable else []
