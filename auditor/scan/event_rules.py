"""EventBridge rules that can carry CloudWatch alarm state changes, with their targets.

CloudWatch sends every alarm state change to the default event bus of the alarm's account and region;
a rule there (or on a custom bus a rule forwards to) turns it into a notification or a pipeline run.
Per (account, region): ListEventBuses, ListRules per bus, and ListTargetsByRule only for the ENABLED
rules whose pattern can match alarm state changes (source ``aws.cloudwatch``, detail-type "CloudWatch
Alarm State Change"); the other rules are counted on the target. The calls grow with the buses and the
alerting rules, not with the alarms: which alarm a rule matches is decided offline
(``auditor.inventory.event_patterns``), not with one TestEventPattern call per (rule, alarm).

When a replacement recogniser has a rule matcher (config ``recognisers``), every rule is kept and the
targets of every enabled one are read (their ARN and constant Input name the endpoint a replacement
watches): one more ListTargetsByRule per enabled rule that is not an alarm rule.
"""

from __future__ import annotations

from typing import Any

from auditor.inventory.event_patterns import PatternError, may_match_alarm_events, parse_pattern
from auditor.inventory.model import Dataset, EventRule, ResourceKind, RuleTarget
from auditor.scan.clients import RegionApi
from auditor.scan.context import RegionContext
from auditor.scan.guard import Operation
from auditor.scan.normalize import opt_str, raw

KIND = ResourceKind.EVENT_RULE
NEEDS: tuple[ResourceKind, ...] = ()
OPERATIONS: tuple[Operation, ...] = (
    ("events", "ListEventBuses"),
    ("events", "ListRules"),
    ("events", "ListTargetsByRule"),
)
DEFAULT_BUS = "default"
_ENABLED = frozenset({"ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"})


def alarm_rule(record: dict[str, Any]) -> bool:
    """Whether a ListRules record can match alarm state changes (an unparsable pattern cannot)."""
    try:
        pattern = parse_pattern(opt_str(record.get("EventPattern")))
    except PatternError:
        return False
    return pattern is not None and may_match_alarm_events(pattern)


def build_rule(record: dict[str, Any], bus: str, *, account_id: str, region: str) -> EventRule:
    """Normalize a ListRules record (targets are added by the collector)."""
    return EventRule(
        arn=str(record["Arn"]),
        name=str(record["Name"]),
        account_id=account_id,
        region=region,
        event_bus_name=str(record.get("EventBusName") or bus),
        state=opt_str(record.get("State")),
        event_pattern=opt_str(record.get("EventPattern")),
        schedule_expression=opt_str(record.get("ScheduleExpression")),
        description=opt_str(record.get("Description")),
        raw=raw(record),
    )


def _read_targets(api: RegionApi, rule: EventRule) -> None:
    found = api.collect(
        "events",
        "ListTargetsByRule",
        "Targets",
        dataset=Dataset.ALERTING,
        resource=rule.arn,
        Rule=rule.name,
        EventBusName=rule.event_bus_name,
    )
    rule.targets = [
        RuleTarget(id=str(t.get("Id", "")), arn=str(t["Arn"]), input=opt_str(t.get("Input")))
        for t in found.items
        if "Arn" in t
    ]
    if not found.complete:
        rule.missing = [Dataset.ALERTING]


def collect(ctx: RegionContext) -> list[EventRule]:
    """The rules of every bus of one (account, region) that can match alarm state changes."""
    api = ctx.api
    buses = api.collect("events", "ListEventBuses", "EventBuses", dataset=Dataset.ALERTING)
    if not buses.complete:
        ctx.failed(Dataset.ALERTING)
    names = sorted({str(b["Name"]) for b in buses.items if "Name" in b} | {DEFAULT_BUS})
    keep_all = any(r.rule is not None for r in ctx.options.recognisers)  # a replacement's trigger
    rules: list[EventRule] = []
    for bus in names:
        listed = api.collect("events", "ListRules", "Rules", dataset=Dataset.ALERTING, EventBusName=bus)
        if not listed.complete:
            ctx.failed(Dataset.ALERTING)  # the replacements' rules too (auditor.inventory.replacements)
        for record in listed.items:
            if keep_all or alarm_rule(record):
                rules.append(build_rule(record, bus, account_id=api.account_id, region=api.region))
            else:
                ctx.target.other_rule_count += 1
    ctx.map(lambda rule: _read_targets(api, rule), [r for r in rules if r.state in _ENABLED])
    return rules
