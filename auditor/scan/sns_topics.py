"""SNS topics that alarm actions and EventBridge rule targets name, and whether anyone is subscribed.

Per (account, region): one GetTopicAttributes per topic of that account and region named by a kept
alarm's AlarmActions or by a target of a collected rule (not per alarm: alarms share their topics).
``SubscriptionsConfirmed`` says whether a notification reaches anyone; ``NotFound`` means the topic
was deleted. Topics of other accounts or regions are not read from here (cross-account reads need
the topic owner's policy): the alert paths call them unverifiable unless their own account read them.
"""

from __future__ import annotations

from auditor.inventory.model import Alarm, Dataset, EventRule, ResourceKind, Topic
from auditor.scan.clients import AWS_ERRORS, RegionApi
from auditor.scan.context import RegionContext
from auditor.scan.guard import Operation
from auditor.scan.normalize import opt_int, raw

KIND = ResourceKind.TOPIC
NEEDS: tuple[ResourceKind, ...] = (ResourceKind.ALARM, ResourceKind.EVENT_RULE)  # the topics they name
OPERATIONS: tuple[Operation, ...] = (("sns", "GetTopicAttributes"),)


def _count(value: object) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return opt_int(value)


def read_topic(api: RegionApi, arn: str) -> Topic:
    """GetTopicAttributes of one topic: a deleted topic (NotFound) is kept with ``exists`` False; any
    other error is recorded and the topic kept with ``missing`` [alerting]."""
    name = arn.rsplit(":", 1)[-1]
    try:
        attributes = api.call("sns", "GetTopicAttributes", TopicArn=arn).get("Attributes") or {}
    except AWS_ERRORS as exc:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code")
        if code == "NotFound":
            return Topic(arn, name, api.account_id, api.region, exists=False)
        api.record(exc, "sns", "GetTopicAttributes", dataset=Dataset.ALERTING, resource=arn)
        return Topic(arn, name, api.account_id, api.region, missing=[Dataset.ALERTING])
    return Topic(
        arn,
        name,
        api.account_id,
        api.region,
        subscriptions_confirmed=_count(attributes.get("SubscriptionsConfirmed")),
        subscriptions_pending=_count(attributes.get("SubscriptionsPending")),
        raw=raw(attributes),
    )


def referenced_topics(ctx: RegionContext) -> list[str]:
    """ARNs of this account's and region's topics named by the kept alarms and the collected rules."""
    arns: set[str] = set()
    alarms: list[Alarm] = ctx.of(ResourceKind.ALARM)
    rules: list[EventRule] = ctx.of(ResourceKind.EVENT_RULE)
    for alarm in alarms:
        arns.update(alarm.alarm_actions)
    for rule in rules:
        arns.update(t.arn for t in rule.targets)
    prefix = f"arn:aws:sns:{ctx.api.region}:{ctx.api.account_id}:"
    return sorted(a for a in arns if a.startswith(prefix))


def collect(ctx: RegionContext) -> list[Topic]:
    """The referenced topics of one (account, region)."""
    return ctx.map(lambda arn: read_topic(ctx.api, arn), referenced_topics(ctx))
