"""Warnings on policies that are valid but unsafe: deny-lists over enum-like fields.

A field whose values come from an AWS enum that can gain values (declared once on the model with
``aws_enum``: statuses, monitoring types, capture modes, alarm states...) must be judged by what is
known to be good. A deny-list -- ``not_equals`` / ``not_in``, or ``equals`` / ``in`` / ``contains``
/ ``regex`` under a negation (``not``, ``none``, ``count ... equals 0``) -- lets through every value
it does not name: a status AWS adds next year, or none at all.

Where a condition holding is the lenient outcome -- ``check`` (PASS), ``not_applicable[].when``
(NOT_APPLICABLE) and ``severity_when[].when`` (a lower severity) -- such a shape is reported. ``scope``
is not: a resource it leaves out gets no verdict at all, never a PASS.
"""

from __future__ import annotations

from typing import Any

from auditor.policy.documents import ANY, AnyType, DocType, ListType, ObjectType, enum_values
from auditor.policy.paths import PathError, compile_path
from auditor.policy.yamlsrc import FieldPath, SourceMap

ALLOW_OPERATORS = ("equals", "in", "contains", "regex")  # hold for the values they name
DENY_OPERATORS = ("not_equals", "not_in")  # hold for every value they do not name

# A set of polarities: True where the condition holding leads to the lenient outcome, False where
# it is negated (its *failing* leads there); both when a count can go either way.
Polarity = frozenset[bool]
LENIENT: Polarity = frozenset({True})
_FLIP = {True: False, False: True}


def deny_list_warnings(
    data: dict[str, Any], smap: SourceMap, base: FieldPath, doc_type: ObjectType
) -> list[str]:
    """One printable line (file, line, field, what to do) per deny-list over an enum-like field."""
    walker = _Walker(smap)
    if "check" in data:
        walker.condition(data["check"], doc_type, (*base, "check"), LENIENT, "pass")
    for i, rule in enumerate(data.get("not_applicable") or ()):
        walker.condition(
            rule["when"], doc_type, (*base, "not_applicable", i, "when"), LENIENT, "be NOT_APPLICABLE"
        )
    for i, rule in enumerate(data.get("severity_when") or ()):
        walker.condition(
            rule["when"], doc_type, (*base, "severity_when", i, "when"), LENIENT, "get this severity"
        )
    return walker.found


def _flip(polarity: Polarity) -> Polarity:
    return frozenset(_FLIP[p] for p in polarity)


class _Walker:
    def __init__(self, smap: SourceMap) -> None:
        self.smap = smap
        self.found: list[str] = []

    def condition(
        self, spec: Any, doc_type: DocType, where: FieldPath, polarity: Polarity, outcome: str
    ) -> None:
        if not isinstance(spec, dict):
            return
        if "all" in spec or "any" in spec:
            form = "all" if "all" in spec else "any"
            for i, item in enumerate(spec[form] or ()):
                self.condition(item, doc_type, (*where, form, i), polarity, outcome)
        elif "not" in spec:
            self.condition(spec["not"], doc_type, (*where, "not"), _flip(polarity), outcome)
        elif any(q in spec for q in ("some", "every", "none", "count")):
            self._quantifier(spec, doc_type, where, polarity, outcome)
        elif "path" in spec or "value" in spec:
            self._comparison(spec, doc_type, where, polarity, outcome)

    def _quantifier(
        self, spec: dict[str, Any], doc_type: DocType, where: FieldPath, polarity: Polarity, outcome: str
    ) -> None:
        form = next(q for q in ("some", "every", "none", "count") if q in spec)
        if "where" not in spec:
            return
        item = _item_type(_type_of(spec[form], doc_type))
        inner = polarity
        if form == "none":
            inner = _flip(polarity)
        elif form == "count":
            inner = _count_polarity(spec, polarity)
        self.condition(spec["where"], item, (*where, "where"), inner, outcome)

    def _comparison(
        self, spec: dict[str, Any], doc_type: DocType, where: FieldPath, polarity: Polarity, outcome: str
    ) -> None:
        if "key" in spec:
            return  # a lookup in a free mapping (tags, environment): not an enum
        expression = spec.get("path")
        if expression is None and isinstance(spec.get("value"), dict):
            expression = spec["value"].get("path")
        if not isinstance(expression, str):
            return
        known = enum_values(_type_of(expression, doc_type))
        if known is None:
            return
        for op in spec:
            negated = op in ALLOW_OPERATORS and False in polarity
            if not (op in DENY_OPERATORS and True in polarity) and not negated:
                continue
            shape = f"`{op}` under a negation" if negated else f"`{op}`"
            message = (
                f"deny-list condition ({shape}) on {expression!r}, a field whose values come from an AWS "
                f"enum that can gain values (known: {', '.join(known)}): a value this version does not "
                f"know, or none at all, would {outcome}; judge the known-good values instead "
                "(an allow-list such as `in: [...]`)"
            )
            self.found.append(f"warning: {self.smap.error((*where, op), message)}")


def _count_polarity(spec: dict[str, Any], polarity: Polarity) -> Polarity:
    """``count ... gte N`` holds when enough items match (same polarity); ``lt``/``lte``/``equals 0``
    when few do (negated); any other ``equals`` either way."""
    ops = [op for op in ("equals", "gt", "gte", "lt", "lte") if op in spec]
    if ops and all(op in ("gt", "gte") for op in ops):
        return polarity
    if ops and all(op in ("lt", "lte") or (op == "equals" and spec[op] == 0) for op in ops):
        return _flip(polarity)
    return polarity | _flip(polarity)


def _type_of(expression: Any, doc_type: DocType) -> DocType:
    if not isinstance(expression, str):
        return ANY
    try:
        return compile_path(expression, doc_type).result_type
    except PathError:
        return ANY  # already reported as an error by the compiler


def _item_type(collection: DocType) -> DocType:
    if isinstance(collection, ListType):
        return collection.item
    return ANY if isinstance(collection, AnyType) else collection
