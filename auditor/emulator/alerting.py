"""Fixes to moto's SNS and CloudWatch answers that alert-path checks depend on (installed by ``install()``).

* **SNS** ``GetTopicAttributes``: moto always answers ``SubscriptionsConfirmed`` = ``SubscriptionsPending``
  = 0. Here they are counted from the topic's subscriptions as AWS counts them: a subscription whose
  protocol needs the endpoint to confirm (email, email-json, http, https) is pending until confirmed;
  the others (sqs, lambda, firehose, application, sms) are confirmed when created.
* **CloudWatch** ``PutMetricAlarm``: moto drops ``Metrics[].AccountId`` (a cross-account alarm in a
  monitoring account); it is kept on the stored metric query, so ``DescribeAlarms`` returns it.

moto's EventBridge (ListEventBuses, ListRules, ListTargetsByRule, PutRule, PutTargets) needs no fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult
from moto.sns.models import Topic

NEEDS_CONFIRMATION = frozenset({"email", "email-json", "http", "https"})


def _subscriptions(topic: Any) -> list[Any]:
    return [s for s in topic.sns_backend.subscriptions.values() if s.topic is topic]


def _confirmed(sub: Any) -> bool:
    return bool(sub.confirmed) or sub.protocol not in NEEDS_CONFIRMATION


def _count_confirmed(topic: Any) -> int:
    return sum(1 for s in _subscriptions(topic) if _confirmed(s))


def _count_pending(topic: Any) -> int:
    return sum(1 for s in _subscriptions(topic) if not _confirmed(s))


def _ignore(_topic: Any, _value: Any) -> None:
    """moto's Topic.__init__ assigns 0; the counts are computed instead."""


def _wrap_put_metric_alarm(original: Callable[[Any], ActionResult]) -> Callable[[Any], ActionResult]:
    def put_metric_alarm(self: Any) -> ActionResult:
        result = original(self)
        accounts = {
            str(m.get("Id")): str(m["AccountId"])
            for m in self._get_param("Metrics", []) or []
            if m.get("AccountId")
        }
        if accounts:
            backend = cloudwatch_backends[self.current_account][self.region]
            alarm = backend.alarms[self._get_param("AlarmName")]
            queries: list[Any] = alarm.metric_data_queries
            for query in queries:
                if query.id in accounts:
                    query.account_id = accounts[query.id]  # serialized as AccountId
        return result

    put_metric_alarm.__wrapped__ = original  # type: ignore[attr-defined]
    return put_metric_alarm


_installed = False


def install() -> None:
    """Install the fixes into moto (idempotent). Call before starting the server."""
    global _installed
    if _installed:
        return
    topic: Any = Topic
    topic.subscriptions_confimed = property(_count_confirmed, _ignore)  # moto's spelling
    topic.subscriptions_pending = property(_count_pending, _ignore)
    cloudwatch: Any = CloudWatchResponse
    cloudwatch.put_metric_alarm = _wrap_put_metric_alarm(cloudwatch.put_metric_alarm)
    _installed = True
