"""The condition language: compiled once at load time into plain closures.

A condition is a mapping with exactly one *form* key:

=================  ===========================================================================
``all: [c, ...]``  every condition holds (``any``: at least one; ``not: c``: the negation)
``path: P``        a comparison on the value at JMESPath ``P``, with one or more operators:
                   ``equals``, ``not_equals``, ``in``, ``not_in``, ``contains``, ``regex``,
                   ``exists``, ``gt``, ``gte``, ``lt``, ``lte``; optional ``key: K`` looks up K
                   in the mapping at P (tags, environment), e.g. a key given as a parameter
``value: V``       the same comparisons on an operand (usually ``{param: name}``)
``age: P``         the age (as of the evaluation time) of the ISO timestamp at P, compared with
                   ``gt``/``gte``/``lt``/``lte`` against a duration: ``"PT6H"``, seconds, a
                   duration parameter, or ``{times: [{param: n}, {path: interval_seconds}]}``
``some: P``        at least one element of the list at P satisfies ``where`` (default: any
                   element); ``every: P`` all of them (true for an empty list); ``none: P`` no
                   element; ``count: P`` the number of matching elements, compared with
                   ``equals``/``gt``/``gte``/``lt``/``lte``
=================  ===========================================================================

Operands are literals, ``{param: name}``, ``{path: P}`` (on the current document) or
``{times: [a, b, ...]}`` (a product). Values missing from the document (null) never satisfy a
numeric, regex or age comparison: the check fails rather than passing by accident.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from auditor.errors import InputError
from auditor.inventory.model import Dataset
from auditor.policy.documents import ANY, AnyType, DocType, ListType, ScalarType
from auditor.policy.paths import CompiledPath, FieldRead, PathError, compile_path
from auditor.policy.yamlsrc import FieldPath, SourceMap

# (document, as_of epoch seconds) -> bool
Condition = Callable[[Any, float], bool]
ValueFn = Callable[[Any, float], Any]

BOOLEAN_FORMS = ("all", "any", "not")
QUANTIFIER_FORMS = ("some", "every", "none", "count")
COMPARISON_FORMS = ("path", "value", "age")
FORMS = BOOLEAN_FORMS + QUANTIFIER_FORMS + COMPARISON_FORMS
NUMERIC_OPERATORS = ("gt", "gte", "lt", "lte")
OPERATORS = ("equals", "not_equals", "in", "not_in", "contains", "regex", "exists", *NUMERIC_OPERATORS)
PARAMETER_TYPES = ("string", "number", "integer", "boolean", "duration", "string_list")

_DURATION = re.compile(
    r"^P(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> float:
    """ISO-8601 duration (weeks, days, hours, minutes, seconds) to seconds; ValueError otherwise.

    Years and months are rejected: their length varies, so a threshold in them is ambiguous.
    """
    match = _DURATION.match(text) if isinstance(text, str) else None
    if match is None or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(
            f"{text!r} is not an ISO-8601 duration such as PT6H, P1D or P1W (no years or months)"
        )
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return parts["w"] * 604800 + parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]


def parse_timestamp(value: Any) -> float | None:
    """An ISO-8601 timestamp string to epoch seconds (naive means UTC); None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


BOUNDED_TYPES = ("number", "integer", "duration")  # may declare minimum / maximum
ENUM_TYPES = ("string", "string_list")  # may declare enum


@dataclass(frozen=True)
class Parameter:
    """A policy parameter: its type, default, and the values it accepts (``minimum`` / ``maximum``
    for numbers, integers and durations -- durations as ISO-8601 text --, ``enum`` for strings and
    the items of string lists)."""

    name: str
    type: str
    default: Any
    description: str = ""
    minimum: Any = None
    maximum: Any = None
    enum: tuple[str, ...] | None = None

    def allowed(self) -> str:
        """The accepted range in words: ``0 to 100``, ``at least 1``, ``one of A, B``."""
        if self.enum is not None:
            return f"one of {', '.join(self.enum)}"
        if self.minimum is not None and self.maximum is not None:
            return f"{self.minimum} to {self.maximum}"
        if self.minimum is not None:
            return f"at least {self.minimum}"
        if self.maximum is not None:
            return f"at most {self.maximum}"
        return f"any {self.type.replace('_', ' ')}"


def _magnitude(param: Parameter, value: Any) -> float:
    return parse_duration(value) if param.type == "duration" else float(value)


def _range_problem(param: Parameter, value: Any) -> str | None:
    """None if ``value`` (of the right type) is within the declared range or enum."""
    if param.enum is not None:
        items = value if param.type == "string_list" else [value]
        outside = [v for v in items if v not in param.enum]
        if outside:
            return f"{outside[0]!r} is not allowed (allowed: {param.allowed()})"
        return None
    if param.minimum is not None and _magnitude(param, value) < _magnitude(param, param.minimum):
        return f"{value} is below the minimum {param.minimum} (allowed: {param.allowed()})"
    if param.maximum is not None and _magnitude(param, value) > _magnitude(param, param.maximum):
        return f"{value} is above the maximum {param.maximum} (allowed: {param.allowed()})"
    return None


def check_parameter_value(param: Parameter, value: Any) -> str | None:
    """None if ``value`` fits the parameter's type and declared range, else a message saying what is wrong."""
    problem = _type_problem(param, value)
    return problem if problem is not None else _range_problem(param, value)


def _type_problem(param: Parameter, value: Any) -> str | None:
    ok: bool
    if param.type == "string":
        ok = isinstance(value, str)
    elif param.type == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif param.type == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif param.type == "boolean":
        ok = isinstance(value, bool)
    elif param.type == "duration":
        try:
            parse_duration(value)
            ok = True
        except ValueError as exc:
            return str(exc)
    elif param.type == "string_list":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    else:
        return f"unknown parameter type {param.type!r}"
    return None if ok else f"expected a {param.type.replace('_', ' ')}, got {_describe(value)}"


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    return f"{type(value).__name__} {value!r}"


@dataclass
class CompileContext:
    """What compiling one policy's conditions needs, and what it collects."""

    smap: SourceMap
    params: Mapping[str, Parameter]
    values: Mapping[str, Any]
    datasets: set[Dataset] = field(default_factory=set)
    reads: set[FieldRead] = field(default_factory=set)  # record fields the conditions read
    paths: list[tuple[str, DocType]] = field(default_factory=list)  # (expression, the type it applies to)

    def error(self, where: FieldPath, message: str) -> InputError:
        return self.smap.error(where, message)

    def path(self, expression: Any, doc_type: DocType, where: FieldPath) -> CompiledPath:
        if not isinstance(expression, str):
            raise self.error(where, f"a field path must be a string, got {_describe(expression)}")
        try:
            compiled = compile_path(expression, doc_type)
        except PathError as exc:
            raise self.error(where, str(exc)) from None
        self.datasets |= compiled.datasets
        self.reads |= compiled.reads
        self.paths.append((expression, doc_type))
        return compiled

    def param(self, spec: Any, where: FieldPath) -> tuple[Parameter, Any]:
        name = spec
        if not isinstance(name, str) or name not in self.params:
            known = ", ".join(sorted(self.params)) or "none declared"
            raise self.error(where, f"unknown parameter {name!r} (parameters: {known})")
        return self.params[name], self.values[name]


# --------------------------------------------------------------------------- operands


@dataclass(frozen=True)
class Operand:
    fn: ValueFn
    const: bool
    value: Any  # the constant value when const
    type: str  # string | number | integer | boolean | duration | list | any


def _const(value: Any, type_: str) -> Operand:
    return Operand(lambda _d, _t: value, True, value, type_)


def _literal_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "any"


def compile_operand(spec: Any, ctx: CompileContext, doc_type: DocType, where: FieldPath) -> Operand:
    """A literal, ``{param: name}``, ``{path: P}`` or ``{times: [...]}``."""
    if isinstance(spec, dict):
        if len(spec) != 1:
            raise ctx.error(where, "an operand object has exactly one key: param, path or times")
        ((key, inner),) = spec.items()
        if key == "param":
            param, value = ctx.param(inner, (*where, "param"))
            type_ = "list" if param.type == "string_list" else param.type
            return _const(list(value) if isinstance(value, list) else value, type_)
        if key == "path":
            compiled = ctx.path(inner, doc_type, (*where, "path"))
            get = compiled.get
            return Operand(lambda d, _t: get(d), False, None, "any")
        if key == "times":
            if not isinstance(inner, list) or not inner:
                raise ctx.error((*where, "times"), "times takes a non-empty list of operands")
            factors = [
                _as_seconds(
                    compile_operand(f, ctx, doc_type, (*where, "times", i)), ctx, (*where, "times", i)
                )
                for i, f in enumerate(inner)
            ]
            return Operand(_product(factors), False, None, "number")
        raise ctx.error((*where, key), f"unknown operand {key!r} (use param, path or times)")
    return _const(spec, _literal_type(spec))


def _product(factors: Sequence[ValueFn]) -> ValueFn:
    def product(doc: Any, as_of: float) -> Any:
        total = 1.0
        for f in factors:
            v = f(doc, as_of)
            if not _is_number(v):
                return None
            total *= v
        return total

    return product


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _durations_as_seconds(op: Operand) -> Operand:
    """A duration parameter compared with a number means its length in seconds."""
    if op.const and op.type == "duration":
        return _const(parse_duration(op.value), "number")
    return op


def _as_seconds(op: Operand, ctx: CompileContext, where: FieldPath) -> ValueFn:
    """An operand used as a duration: an ISO duration string, or a number of seconds."""
    if op.const:
        if isinstance(op.value, str):
            try:
                seconds = parse_duration(op.value)
            except ValueError as exc:
                raise ctx.error(where, str(exc)) from None
            return lambda _d, _t: seconds
        if not _is_number(op.value):
            raise ctx.error(where, f"expected a duration or a number, got {_describe(op.value)}")
        return op.fn

    fn = op.fn

    def seconds_of(doc: Any, as_of: float) -> Any:
        v = fn(doc, as_of)
        if isinstance(v, str):
            try:
                return parse_duration(v)
            except ValueError:
                return None
        return v if _is_number(v) else None

    return seconds_of


# --------------------------------------------------------------------------- conditions


def compile_condition(spec: Any, ctx: CompileContext, doc_type: DocType, where: FieldPath) -> Condition:
    """Compile one condition (see the module docstring); InputError on any invalid part."""
    if not isinstance(spec, dict):
        raise ctx.error(where, f"a condition must be a mapping, got {_describe(spec)}")
    forms = [k for k in spec if k in FORMS]
    if len(forms) != 1:
        unknown = [k for k in spec if k not in FORMS and k not in OPERATORS and k not in ("where", "key")]
        if unknown:
            raise ctx.error(
                (*where, unknown[0]), f"unknown operator {unknown[0]!r} (conditions: {', '.join(FORMS)})"
            )
        what = "no condition form" if not forms else f"several condition forms ({', '.join(forms)})"
        raise ctx.error(where, f"{what}: use exactly one of {', '.join(FORMS)}")
    form = forms[0]
    if form in BOOLEAN_FORMS:
        return _compile_boolean(form, spec, ctx, doc_type, where)
    if form in QUANTIFIER_FORMS:
        return _compile_quantifier(form, spec, ctx, doc_type, where)
    return _compile_comparison(form, spec, ctx, doc_type, where)


def _reject_extra(
    spec: dict[str, Any], allowed: Sequence[str], ctx: CompileContext, where: FieldPath
) -> None:
    for key in spec:
        if key not in allowed:
            what = "operator" if key not in FORMS else "condition form"
            raise ctx.error((*where, key), f"unknown {what} {key!r} here (allowed: {', '.join(allowed)})")


def _compile_boolean(
    form: str, spec: dict[str, Any], ctx: CompileContext, doc_type: DocType, where: FieldPath
) -> Condition:
    _reject_extra(spec, (form,), ctx, where)
    if form == "not":
        inner = compile_condition(spec["not"], ctx, doc_type, (*where, "not"))
        return lambda d, t: not inner(d, t)
    items = spec[form]
    if not isinstance(items, list) or not items:
        raise ctx.error((*where, form), f"{form} takes a non-empty list of conditions")
    parts = tuple(compile_condition(c, ctx, doc_type, (*where, form, i)) for i, c in enumerate(items))
    if len(parts) == 1:
        return parts[0]
    # Plain loops: measurably faster than all()/any() over a generator on the hot path.
    if form == "all":

        def all_of(d: Any, t: float) -> bool:
            for p in parts:  # noqa: SIM110
                if not p(d, t):
                    return False
            return True

        return all_of

    def any_of(d: Any, t: float) -> bool:
        for p in parts:  # noqa: SIM110
            if p(d, t):
                return True
        return False

    return any_of


def _compile_quantifier(
    form: str, spec: dict[str, Any], ctx: CompileContext, doc_type: DocType, where: FieldPath
) -> Condition:
    allowed = (form, "where", *(("equals", *NUMERIC_OPERATORS) if form == "count" else ()))
    _reject_extra(spec, allowed, ctx, where)
    collection = ctx.path(spec[form], doc_type, (*where, form))
    if isinstance(collection.result_type, ListType):
        item_type: DocType = collection.result_type.item
    elif isinstance(collection.result_type, AnyType):
        item_type = ANY
    else:
        raise ctx.error((*where, form), f"{form} needs a list, but {spec[form]!r} is not one")
    get = collection.get
    if "where" in spec:
        pred: Condition = compile_condition(spec["where"], ctx, item_type, (*where, "where"))
    else:
        pred = _always

    def items(doc: Any) -> list[Any]:
        value = get(doc)
        return value if isinstance(value, list) else []

    if form == "some":
        return lambda d, t: any(pred(i, t) for i in items(d))
    if form == "every":
        return lambda d, t: all(pred(i, t) for i in items(d))
    if form == "none":
        return lambda d, t: not any(pred(i, t) for i in items(d))
    checks = _numeric_checks(spec, ("equals", *NUMERIC_OPERATORS), ctx, doc_type, where)
    if not checks:
        raise ctx.error(where, "count needs a comparison: equals, gt, gte, lt or lte")

    def count(doc: Any, as_of: float) -> bool:
        n = sum(1 for i in items(doc) if pred(i, as_of))
        return all(check(n, doc, as_of) for check in checks)

    return count


def _always(_d: Any, _t: float) -> bool:
    return True


_NUMERIC: dict[str, Callable[[float, float], bool]] = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "equals": lambda a, b: a == b,
}

ValueCheck = Callable[[Any, Any, float], bool]  # (value, document, as_of) -> bool


def _numeric_checks(
    spec: dict[str, Any],
    ops: Sequence[str],
    ctx: CompileContext,
    doc_type: DocType,
    where: FieldPath,
    *,
    durations: bool = False,
) -> list[ValueCheck]:
    checks: list[ValueCheck] = []
    for op in ops:
        if op not in spec:
            continue
        operand = _durations_as_seconds(compile_operand(spec[op], ctx, doc_type, (*where, op)))
        if durations:
            bound = _as_seconds(operand, ctx, (*where, op))
        else:
            if operand.const and not _is_number(operand.value):
                raise ctx.error((*where, op), f"{op} needs a number, got {_describe(operand.value)}")
            bound = operand.fn
        checks.append(_numeric_check(_NUMERIC[op], bound))
    return checks


def _numeric_check(compare: Callable[[float, float], bool], bound: ValueFn) -> ValueCheck:
    def check(value: Any, doc: Any, as_of: float) -> bool:
        limit = bound(doc, as_of)
        return _is_number(value) and _is_number(limit) and compare(value, limit)

    return check


def _compile_comparison(
    form: str, spec: dict[str, Any], ctx: CompileContext, doc_type: DocType, where: FieldPath
) -> Condition:
    if form == "age":
        _reject_extra(spec, ("age", *NUMERIC_OPERATORS), ctx, where)
        compiled = ctx.path(spec["age"], doc_type, (*where, "age"))
        stamp = compiled.get
        checks = _numeric_checks(spec, NUMERIC_OPERATORS, ctx, doc_type, where, durations=True)
        if not checks:
            raise ctx.error(where, "age needs a comparison: gt, gte, lt or lte with a duration")

        def age(doc: Any, as_of: float) -> bool:
            when = parse_timestamp(stamp(doc))
            if when is None:
                return False
            return all(check(as_of - when, doc, as_of) for check in checks)

        return age

    _reject_extra(spec, (form, "key", *OPERATORS), ctx, where)
    get: Callable[[Any], Any] | None = None
    if form == "path":
        compiled = ctx.path(spec["path"], doc_type, (*where, "path"))
        get = compiled.get
        getter: ValueFn = _path_value(get)
        value_type = compiled.result_type
    else:
        operand = compile_operand(spec["value"], ctx, doc_type, (*where, "value"))
        getter = operand.fn
        value_type = ANY
    if "key" in spec:
        if isinstance(value_type, ListType | ScalarType):
            raise ctx.error((*where, "key"), "key looks up a mapping (tags, environment, dimensions)")
        key_op = compile_operand(spec["key"], ctx, doc_type, (*where, "key"))
        getter = _keyed(getter, key_op.fn)
        get = None
    ops = [op for op in OPERATORS if op in spec]
    if not ops:
        raise ctx.error(where, f"a comparison needs an operator: {', '.join(OPERATORS)}")
    checks = [_value_check(op, spec[op], ctx, doc_type, (*where, op)) for op in ops]
    if len(checks) == 1:
        (single,) = checks
        if get is not None:
            path_get = get
            return lambda d, t: single(path_get(d), d, t)
        return lambda d, t: single(getter(d, t), d, t)

    def compare(doc: Any, as_of: float) -> bool:
        value = getter(doc, as_of)
        return all(check(value, doc, as_of) for check in checks)

    return compare


def _path_value(get: Callable[[Any], Any]) -> ValueFn:
    return lambda d, _t: get(d)


def _keyed(getter: ValueFn, key_fn: ValueFn) -> ValueFn:
    def lookup(doc: Any, as_of: float) -> Any:
        mapping = getter(doc, as_of)
        return mapping.get(key_fn(doc, as_of)) if isinstance(mapping, dict) else None

    return lookup


def _value_check(op: str, spec: Any, ctx: CompileContext, doc_type: DocType, where: FieldPath) -> ValueCheck:
    if op == "regex":
        if isinstance(spec, dict) and set(spec) == {"param"}:
            param, spec = ctx.param(spec["param"], (*where, "param"))
            if param.type != "string":
                raise ctx.error(where, f"regex needs a string parameter; {param.name!r} is a {param.type}")
        if not isinstance(spec, str):
            raise ctx.error(where, f"regex needs a string pattern, got {_describe(spec)}")
        try:
            pattern = re.compile(spec)
        except re.error as exc:
            raise ctx.error(where, f"invalid regular expression {spec!r}: {exc}") from None
        return lambda v, _d, _t: isinstance(v, str) and pattern.search(v) is not None
    if op == "exists":
        if not isinstance(spec, bool):
            raise ctx.error(where, f"exists takes true or false, got {_describe(spec)}")
        return (lambda v, _d, _t: v is not None) if spec else (lambda v, _d, _t: v is None)
    operand = _durations_as_seconds(compile_operand(spec, ctx, doc_type, where))
    fn = operand.fn
    if op in NUMERIC_OPERATORS:
        if operand.const and not _is_number(operand.value):
            raise ctx.error(where, f"{op} needs a number, got {_describe(operand.value)}")
        return _numeric_check(_NUMERIC[op], fn)
    if op in ("in", "not_in"):
        if operand.const and not isinstance(operand.value, list):
            raise ctx.error(where, f"{op} needs a list, got {_describe(operand.value)}")
        if operand.const:
            allowed = tuple(operand.value)
            if op == "in":
                return lambda v, _d, _t: v in allowed
            return lambda v, _d, _t: v not in allowed
        if op == "in":
            return lambda v, d, t: _in(v, fn(d, t))
        return lambda v, d, t: not _in(v, fn(d, t))
    if op == "contains":
        return lambda v, d, t: isinstance(v, list | str) and _contains(v, fn(d, t))
    if op in ("equals", "not_equals") and operand.const:
        same = _equal_to(operand.value)
        if op == "equals":
            return lambda v, _d, _t: same(v)
        return lambda v, _d, _t: not same(v)
    if op == "equals":
        return lambda v, d, t: _equal(v, fn(d, t))
    if op == "not_equals":
        return lambda v, d, t: not _equal(v, fn(d, t))
    raise ctx.error(where, f"unknown operator {op!r}")  # unreachable: OPERATORS is closed


def _in(value: Any, collection: Any) -> bool:
    return isinstance(collection, list) and value in collection


def _contains(container: list[Any] | str, item: Any) -> bool:
    if isinstance(container, str):
        return isinstance(item, str) and item in container
    return item in container


def _equal_to(const: Any) -> Callable[[Any], bool]:
    """A fast equality test against a constant, with the same meaning as ``_equal``."""
    if isinstance(const, bool):
        return lambda v: v is const
    if isinstance(const, str):
        return lambda v: isinstance(v, str) and v == const
    if const is None:
        return lambda v: v is None
    return lambda v: _equal(v, const)


def _equal(a: Any, b: Any) -> bool:
    # 1 == True in Python; in a policy a boolean never equals a number.
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)
