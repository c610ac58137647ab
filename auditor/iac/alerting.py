"""EventBridge rules and SNS topics declared beside the monitors: read, kept apart, not judged yet.

A scan reads rules and topics as the ``event_rule`` and ``topic`` kinds; templates do not fill those
kinds yet, so no policy reads what is declared here (before deploy, ``mm-alarm-actionable`` counts a
declared alarm's SNS action, see ``auditor.inventory.alert_paths``). What is read is kept in
``metadata.options["iac"]["alerting"]`` of the inventory, as plain JSON, so the judgement is
reproducible and filling the kinds can start from it:

* ``topics``: each SNS topic (name, ARN, where it is declared) with its declared subscriptions
  (protocol, endpoint);
* ``rules``: each EventBridge rule (name, state, event pattern, target ARNs, where it is declared);
  Terraform's ``aws_cloudwatch_event_target`` resources are joined to their rule;
* ``alarm_actions``: for each declared alarm, each action and the declared topic it names (by ARN),
  or null when it names none of them (a topic deployed elsewhere, or a typo).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from auditor.iac.types import BY_CFN_TYPE
from auditor.iac.values import Declaration, first_unknown, name_of
from auditor.inventory.model import Alarm

JsonDict = dict[str, Any]


def _where(decl: Declaration) -> JsonDict:
    return {"file": decl.location.file, "line": decl.location.line, "address": decl.location.address}


def _text(value: Any) -> str | None:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _pattern(value: Any) -> Any:
    """An event pattern as data (Terraform writes it as a JSON string, CloudFormation as an object)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _arn(decl: Declaration) -> str:
    info = BY_CFN_TYPE[decl.cfn_type]
    return info.arn(partition=decl.partition, region=decl.region, account=decl.account_id, name=decl.name)


def summarize(declarations: Sequence[Declaration], alarms: Sequence[Alarm]) -> JsonDict:
    """The alerting declarations of a run, and how the declared alarms' actions reach them."""
    topics: dict[str, JsonDict] = {}
    rules: dict[str, JsonDict] = {}
    subscriptions: list[tuple[Declaration, JsonDict]] = []
    targets: list[Declaration] = []
    for decl in declarations:
        props = decl.properties
        match decl.cfn_type:
            case "AWS::SNS::Topic":
                inline = props.get("Subscription")
                topics[_arn(decl)] = {
                    "name": decl.name,
                    "arn": _arn(decl),
                    "source": _where(decl),
                    "subscriptions": [
                        {"protocol": _text(s.get("Protocol")), "endpoint": _text(s.get("Endpoint"))}
                        for s in (inline if isinstance(inline, list) else [])
                        if isinstance(s, dict)
                    ],
                }
            case "AWS::SNS::Subscription":
                subscriptions.append(
                    (
                        decl,
                        {"protocol": _text(props.get("Protocol")), "endpoint": _text(props.get("Endpoint"))},
                    )
                )
            case "AWS::Events::Rule":
                inline_targets = props.get("Targets")
                pattern = _pattern(props.get("EventPattern"))
                rules[decl.name] = {
                    "name": decl.name,
                    "arn": _arn(decl),
                    "state": _text(props.get("State")),
                    "event_pattern": pattern if first_unknown(pattern) is None else None,
                    "targets": [
                        _text(t.get("Arn"))
                        for t in (inline_targets if isinstance(inline_targets, list) else [])
                        if isinstance(t, dict)
                    ],
                    "source": _where(decl),
                }
            case "Terraform::Events::Target":
                targets.append(decl)
            case _:
                pass
    for decl, subscription in subscriptions:
        topic = topics.get(_text(decl.properties.get("TopicArn")) or "")
        if topic is not None:
            topic["subscriptions"].append(subscription)
    for decl in targets:
        rule = rules.get(name_of(decl.properties.get("Rule")) or "")
        if rule is not None:
            rule["targets"].append(_text(decl.properties.get("Arn")))
    actions = [
        {"alarm": alarm.name, "action": action, "topic": topics[action]["name"] if action in topics else None}
        for alarm in alarms
        for action in alarm.alarm_actions
    ]
    return {
        "topics": [topics[k] for k in sorted(topics)],
        "rules": [rules[k] for k in sorted(rules)],
        "alarm_actions": actions,
    }
