"""EventBridge event patterns, evaluated locally: does a rule's pattern match an alarm's state change?

Evaluated here rather than with the read-only ``TestEventPattern`` API because that costs one call per
(rule, alarm) pair, which does not scale with the estate (the benchmarks allow at most +0.1 calls per
endpoint), and because a saved inventory must be re-judged offline with the same verdicts.

The documented semantics (EventBridge user guide, "Event patterns", "Content filtering",
"Comparison operators"):

* a pattern is a JSON object; every field it names must match (AND); nested objects match nested
  objects of the event (``detail``); ``$or`` holds a list of alternative sub-patterns;
* a leaf is a list of matchers; the field matches when any matcher matches any of its values (an event
  array matches when the intersection is not empty);
* matchers: exact values (string, number compared numerically, ``null``, booleans), ``prefix``,
  ``suffix`` (each optionally ``{"equals-ignore-case": …}``), ``equals-ignore-case``, ``wildcard``
  (``*`` any run of characters, ``\\*`` a literal star), ``anything-but`` (a value, a list, or
  ``prefix`` / ``suffix`` / ``wildcard`` / ``equals-ignore-case``), ``exists`` (true / false),
  ``numeric`` (``=``, ``<``, ``<=``, ``>``, ``>=`` pairs) and ``cidr`` (IPv4 / IPv6);
* a field absent from the event matches only ``{"exists": false}``; ``anything-but`` does not match
  an absent field.

An operator this version does not know makes the pattern *not* match (fail closed: an unknown
operator never turns an alarm into an actionable one); ``unknown_operators`` names them.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from typing import Any

from auditor.inventory.model import Alarm, AlarmType

_MISSING = object()
_KNOWN_OPERATORS = frozenset(
    {"prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "exists", "numeric", "cidr"}
)

ALARM_SOURCE = "aws.cloudwatch"
ALARM_DETAIL_TYPE = "CloudWatch Alarm State Change"


class PatternError(ValueError):
    """The text is not an event pattern (not JSON, or not an object)."""


def parse_pattern(text: str | None) -> dict[str, Any] | None:
    """The pattern as data; None when the rule has none (a scheduled rule). PatternError if invalid."""
    if text is None or not text.strip():
        return None
    try:
        pattern = json.loads(text)
    except ValueError as exc:
        raise PatternError(f"not JSON: {exc}") from None
    if not isinstance(pattern, dict):
        raise PatternError("an event pattern is a JSON object")
    return pattern


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """Whether ``event`` matches ``pattern`` (the semantics in the module docstring)."""
    for key, expected in pattern.items():
        if key == "$or":
            if not isinstance(expected, list) or not any(
                isinstance(alt, dict) and matches(alt, event) for alt in expected
            ):
                return False
            continue
        value = event.get(key, _MISSING) if isinstance(event, dict) else _MISSING
        if isinstance(expected, dict):
            if not _match_object(expected, value):
                return False
        elif isinstance(expected, list):
            if not _match_leaf(expected, value):
                return False
        else:
            return False  # a scalar where a list of matchers belongs: AWS rejects such a pattern
    return True


def _match_object(pattern: dict[str, Any], value: Any) -> bool:
    if isinstance(value, dict):
        return matches(pattern, value)
    if isinstance(value, list):  # an array of objects: any element may satisfy the sub-pattern
        return any(isinstance(v, dict) and matches(pattern, v) for v in value)
    if value is _MISSING:  # absent: only a sub-pattern made of exists:false matchers can match
        return matches(pattern, {})
    return False  # a scalar where the pattern expects an object


def _leaf_values(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _match_leaf(matchers: list[Any], value: Any) -> bool:
    if value is _MISSING:
        return any(_is_exists(m, False) for m in matchers)
    values = _leaf_values(value)
    return any(_one(m, v) for m in matchers for v in values)


def _is_exists(matcher: Any, wanted: bool) -> bool:
    return isinstance(matcher, dict) and matcher.get("exists") is wanted


def _one(matcher: Any, value: Any) -> bool:
    if not isinstance(matcher, dict):
        return _equal(matcher, value)
    if len(matcher) != 1:
        return False
    ((op, arg),) = matcher.items()
    if op == "exists":
        return arg is True  # the field is present (exists:false only matches absent fields)
    if op == "anything-but":
        return _anything_but(arg, value)
    return _positive(op, arg, value)


def _positive(op: str, arg: Any, value: Any) -> bool:
    if op == "prefix":
        return _affix(arg, value, str.startswith)
    if op == "suffix":
        return _affix(arg, value, str.endswith)
    if op == "equals-ignore-case":
        return isinstance(arg, str) and isinstance(value, str) and arg.casefold() == value.casefold()
    if op == "wildcard":
        return isinstance(arg, str) and isinstance(value, str) and _wildcard(arg).fullmatch(value) is not None
    if op == "numeric":
        return _numeric(arg, value)
    if op == "cidr":
        return _cidr(arg, value)
    return False  # an operator this version does not know: never a match


def _affix(arg: Any, value: Any, test: Any) -> bool:
    if not isinstance(value, str):
        return False
    if (
        isinstance(arg, dict)
        and set(arg) == {"equals-ignore-case"}
        and isinstance(arg["equals-ignore-case"], str)
    ):
        return bool(test(value.casefold(), arg["equals-ignore-case"].casefold()))
    return isinstance(arg, str) and bool(test(value, arg))


def _anything_but(arg: Any, value: Any) -> bool:
    if isinstance(arg, dict):
        if len(arg) != 1:
            return False
        ((op, inner),) = arg.items()
        if op not in ("prefix", "suffix", "wildcard", "equals-ignore-case"):
            return False
        if op == "equals-ignore-case" and isinstance(inner, list):
            return not any(_positive(op, i, value) for i in inner)
        return isinstance(value, str) and not _positive(op, inner, value)
    excluded = arg if isinstance(arg, list) else [arg]
    return not any(_equal(e, value) for e in excluded)


def _equal(expected: Any, value: Any) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return type(expected) is type(value) and expected == value
    if isinstance(expected, int | float) and isinstance(value, int | float):
        return float(expected) == float(value)
    if expected is None or value is None:
        return expected is None and value is None
    return type(expected) is type(value) and expected == value


_WILDCARD_CACHE: dict[str, re.Pattern[str]] = {}


def _wildcard(pattern: str) -> re.Pattern[str]:
    found = _WILDCARD_CACHE.get(pattern)
    if found is None:
        parts = re.split(r"(\\\*|\*)", pattern)
        text = "".join(".*" if p == "*" else re.escape("*") if p == "\\*" else re.escape(p) for p in parts)
        found = _WILDCARD_CACHE[pattern] = re.compile(text, re.DOTALL)
    return found


_COMPARE = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _numeric(arg: Any, value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float) or not isinstance(arg, list):
        return False
    if len(arg) % 2 or not arg:
        return False
    for op, bound in zip(arg[::2], arg[1::2], strict=True):
        compare = _COMPARE.get(op) if isinstance(op, str) else None
        if compare is None or isinstance(bound, bool) or not isinstance(bound, int | float):
            return False
        if not compare(float(value), float(bound)):
            return False
    return True


def _cidr(arg: Any, value: Any) -> bool:
    if not isinstance(arg, str) or not isinstance(value, str):
        return False
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(arg, strict=False)
    except ValueError:
        return False


def unknown_operators(pattern: Any) -> list[str]:
    """The matcher operators in ``pattern`` this version does not evaluate (sorted, unique)."""
    found: set[str] = set()
    for matcher in _matchers(pattern):
        if isinstance(matcher, dict):
            found.update(op for op in matcher if op not in _KNOWN_OPERATORS)
    return sorted(found)


def _matchers(pattern: Any) -> Iterator[Any]:
    if isinstance(pattern, dict):
        for key, value in pattern.items():
            if key == "$or" and isinstance(value, list):
                for alt in value:
                    yield from _matchers(alt)
            elif isinstance(value, dict):
                yield from _matchers(value)
            elif isinstance(value, list):
                yield from value


# --------------------------------------------------------------------------- the alarm's event


def alarm_state_change_event(alarm: Alarm, *, state: str = "ALARM", previous: str = "OK") -> dict[str, Any]:
    """The event CloudWatch sends to the default bus of the alarm's account and region when the alarm
    goes into ``state`` (the documented "CloudWatch Alarm State Change" shape, with the fields a rule
    can key on: source, detail-type, account, region, resources, detail.alarmName, detail.state.value,
    detail.previousState.value and detail.configuration)."""
    configuration: dict[str, Any] = {"description": alarm.description or ""}
    if alarm.alarm_type is AlarmType.COMPOSITE:
        configuration["alarmRule"] = alarm.alarm_rule or ""
    else:
        configuration["metrics"] = [
            {
                "id": f"m{i}",
                "metricStat": {
                    "metric": {
                        "namespace": m.namespace,
                        "name": m.metric_name or "",
                        "dimensions": dict(m.dimensions),
                    }
                },
                "returnData": True,
            }
            for i, m in enumerate(alarm.metrics)
        ]
    return {
        "version": "0",
        "id": "00000000-0000-0000-0000-000000000000",
        "detail-type": ALARM_DETAIL_TYPE,
        "source": ALARM_SOURCE,
        "account": alarm.account_id,
        "time": alarm.state_updated or "1970-01-01T00:00:00Z",
        "region": alarm.region,
        "resources": [alarm.arn],
        "detail": {
            "alarmName": alarm.name,
            "state": {"value": state, "reason": "", "timestamp": alarm.state_updated or ""},
            "previousState": {"value": previous, "reason": "", "timestamp": ""},
            "configuration": configuration,
        },
    }


def may_match_alarm_events(pattern: dict[str, Any]) -> bool:
    """Whether a pattern can match some alarm state-change event: its ``source`` and ``detail-type``
    (and ``$or`` alternatives) allow them. Used by the scanner to read only these rules' targets."""
    probe = {"source": ALARM_SOURCE, "detail-type": ALARM_DETAIL_TYPE}
    return _may(pattern, probe)


def _may(pattern: dict[str, Any], probe: dict[str, Any]) -> bool:
    for key, expected in pattern.items():
        if key == "$or":
            if isinstance(expected, list) and not any(
                isinstance(a, dict) and _may(a, probe) for a in expected
            ):
                return False
        elif key in probe and isinstance(expected, list) and not _match_leaf(expected, probe[key]):
            return False
    return True
