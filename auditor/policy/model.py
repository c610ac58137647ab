"""A policy: validated data from a file, compiled with its effective parameters into closures.

Compilation is the "meaning" layer of validation (after YAML syntax and the JSON Schema): field
paths must exist for the resource kind, operators and parameters must be known, regular
expressions must compile, and parameter values must have the declared type and lie within the
declared range. Every error names the file, line and field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from auditor.errors import InputError, did_you_mean
from auditor.inventory.model import Dataset
from auditor.policy.conditions import (
    BOUNDED_TYPES,
    ENUM_TYPES,
    CompileContext,
    Condition,
    Parameter,
    check_parameter_value,
    compile_condition,
    parse_duration,
)
from auditor.policy.documents import DocType, document_types
from auditor.policy.lint import deny_list_warnings
from auditor.policy.messages import Template, compile_template
from auditor.policy.paths import FieldRead
from auditor.policy.yamlsrc import FieldPath, SourceMap
from auditor.results import PolicyInfo, ResourceKind, Severity, Verdict


class Phase(StrEnum):
    """When a policy can be judged (``phase:`` in the policy file)."""

    ANY = "any"  # on deployed resources and on resources read from templates or plans
    RUNTIME = "runtime"  # only on deployed resources: run-time state (executions, alarm states, scans)


RUNTIME_REASON = "judged after deploy"  # the NOT_APPLICABLE reason of a runtime policy on a template


def field_closure(reads: Iterable[FieldRead]) -> frozenset[FieldRead]:
    """The fields read and every record and field containing them.

    An unknown value blocks a read when it is the field read or holds it: ``data_capture`` unknown
    blocks a read of ``data_capture.enabled``, and "" (the record itself, whose existence is unknown)
    blocks every read of that kind. Matching an unknown is then one set lookup.
    """
    out: set[FieldRead] = set()
    for kind, path in reads:
        out.add((kind, ""))
        parts = path.split(".") if path else []
        for i in range(1, len(parts) + 1):
            out.add((kind, ".".join(parts[:i])))
    return frozenset(out)


@dataclass(frozen=True)
class PolicySpec:
    """One policy as read from a file (schema-valid, not yet compiled)."""

    data: dict[str, Any]
    smap: SourceMap
    base: FieldPath  # where the policy sits in its file: () or ("policies", i)
    source: str  # "builtin" or the file path
    file: str  # the file it came from (for messages)

    @property
    def id(self) -> str:
        return str(self.data["id"])


@dataclass(frozen=True)
class NotApplicableRule:
    when: Condition
    reason: str


@dataclass(frozen=True)
class CoverageSpec:
    """Which coverage-matrix column a policy's verdicts feed (``coverage:`` in the policy file).

    ``column`` is a fixed id, or a getter naming the column from the judged resource's document
    (e.g. a monitor policy feeds the column of its monitor's type). ``missing_when`` tells a
    failure that means "absent" from one that means "present but broken".
    """

    column: str | Callable[[Any], Any]
    title: str | None = None
    order: int | None = None
    missing_when: Condition | None = None
    pass_note: bool = False  # an OK cell shows this policy's pass message on the endpoint

    def column_of(self, document: Any) -> str | None:
        """The column a verdict on ``document`` feeds (None when the field is null or not a string)."""
        if isinstance(self.column, str):
            return self.column
        value = self.column(document)
        return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class SeverityRule:
    when: Condition
    severity: Severity
    message: Template | None


@dataclass
class Policy:
    """A compiled policy, ready for the engine."""

    spec: PolicySpec
    id: str
    title: str
    description: str
    severity: Severity
    resource_kind: ResourceKind
    remediation: str
    fix: str  # one line, for the report's "Fix these first" list
    enabled_by_default: bool
    parameters: dict[str, Parameter]
    values: dict[str, Any]  # effective parameter values (defaults + overrides)
    scope: Condition | None
    scope_datasets: frozenset[Dataset]
    not_applicable: tuple[NotApplicableRule, ...]
    check: Condition
    check_datasets: frozenset[Dataset]  # for not_applicable, check and severity rules
    message: Template
    pass_message: Template | None
    severity_when: tuple[SeverityRule, ...]
    failure_verdict: Verdict = Verdict.FAIL  # ERROR for checks about data collection itself
    references: list[str] = field(default_factory=list)
    frameworks: dict[str, list[str]] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    paths: tuple[tuple[str, DocType], ...] = ()  # every field path used, with the document type it addresses
    coverage: CoverageSpec | None = None
    warnings: tuple[str, ...] = ()  # valid but unsafe shapes (deny-lists over enum-like fields), one a line
    phase: Phase = Phase.ANY
    # The record fields the scope (resp. the check, not-applicable and severity rules and the messages
    # of failures) read, closed over containing fields (``field_closure``).
    scope_reads: frozenset[FieldRead] = frozenset()
    check_reads: frozenset[FieldRead] = frozenset()

    def info(self) -> PolicyInfo:
        """The policy as the results model describes it."""
        return PolicyInfo(
            id=self.id,
            title=self.title,
            description=self.description,
            severity=self.severity,
            resource_kind=self.resource_kind,
            remediation=self.remediation,
            source=self.spec.source,
            references=list(self.references),
            frameworks={k: list(v) for k, v in self.frameworks.items()},
            tags=list(self.tags),
            fix=self.fix,
        )


def declared_parameters(spec: PolicySpec) -> dict[str, Parameter]:
    """The parameters a policy declares, with their bounds and defaults checked against their types."""
    out: dict[str, Parameter] = {}
    for name, decl in (spec.data.get("parameters") or {}).items():
        where = (*spec.base, "parameters", name)
        enum = decl.get("enum")
        param = Parameter(
            name,
            decl["type"],
            decl["default"],
            decl.get("description", ""),
            minimum=decl.get("minimum"),
            maximum=decl.get("maximum"),
            enum=tuple(enum) if enum is not None else None,
        )
        _check_bounds(spec, where, param)
        problem = check_parameter_value(param, param.default)
        if problem:
            raise spec.smap.error((*where, "default"), f"parameter {name!r}: {problem}")
        out[name] = param
    return out


def _check_bounds(spec: PolicySpec, where: FieldPath, param: Parameter) -> None:
    """The declared minimum / maximum / enum make sense for the parameter's type."""
    for key in ("minimum", "maximum"):
        bound = getattr(param, key)
        if bound is None:
            continue
        if param.type not in BOUNDED_TYPES:
            raise spec.smap.error((*where, key), f"{key} applies to {', '.join(BOUNDED_TYPES)} parameters")
        unbounded = replace(param, minimum=None, maximum=None)
        problem = check_parameter_value(unbounded, bound)
        if problem:
            raise spec.smap.error((*where, key), f"{key}: {problem}")
    if param.enum is not None and param.type not in ENUM_TYPES:
        raise spec.smap.error((*where, "enum"), f"enum applies to {', '.join(ENUM_TYPES)} parameters")
    if param.minimum is not None and param.maximum is not None:
        low = parse_duration(param.minimum) if param.type == "duration" else param.minimum
        high = parse_duration(param.maximum) if param.type == "duration" else param.maximum
        if low > high:
            message = f"maximum {param.maximum} is below minimum {param.minimum}"
            raise spec.smap.error((*where, "maximum"), message)


def compile_policy(
    spec: PolicySpec, overrides: Mapping[str, Any] | None = None, *, override_source: str = "config"
) -> Policy:
    """Compile ``spec`` with parameter ``overrides`` (checked against the declared types)."""
    data, base, smap = spec.data, spec.base, spec.smap
    params = declared_parameters(spec)
    values = {name: p.default for name, p in params.items()}
    for name, value in (overrides or {}).items():
        if name not in params:
            known = ", ".join(sorted(params)) or "none"
            raise _override_error(
                override_source,
                spec.id,
                name,
                f"unknown parameter{did_you_mean(name, params)} (parameters: {known})",
            )
        problem = check_parameter_value(params[name], value)
        if problem:
            raise _override_error(override_source, spec.id, name, problem)
        values[name] = value

    kind = ResourceKind(data["resource"])
    doc_type = document_types()[kind]

    scope_ctx = CompileContext(smap, params, values)
    scope = (
        compile_condition(data["scope"], scope_ctx, doc_type, (*base, "scope")) if "scope" in data else None
    )

    ctx = CompileContext(smap, params, values)
    not_applicable = tuple(
        NotApplicableRule(
            compile_condition(rule["when"], ctx, doc_type, (*base, "not_applicable", i, "when")),
            rule["reason"],
        )
        for i, rule in enumerate(data.get("not_applicable") or ())
    )
    check = compile_condition(data["check"], ctx, doc_type, (*base, "check"))
    severity_when = tuple(
        SeverityRule(
            compile_condition(rule["when"], ctx, doc_type, (*base, "severity_when", i, "when")),
            Severity(rule["severity"]),
            compile_template(rule["message"], ctx, doc_type, (*base, "severity_when", i, "message"))
            if "message" in rule
            else None,
        )
        for i, rule in enumerate(data.get("severity_when") or ())
    )
    message = compile_template(data["message"], ctx, doc_type, (*base, "message"))
    pass_message = (
        compile_template(data["pass_message"], ctx, doc_type, (*base, "pass_message"))
        if "pass_message" in data
        else None
    )
    # Its own context: the matrix column never adds to the datasets the verdict needs.
    coverage_ctx = CompileContext(smap, params, values)
    coverage = _compile_coverage(data.get("coverage"), coverage_ctx, doc_type, (*base, "coverage"))
    check_datasets = frozenset(ctx.datasets)
    if "requires" in data:
        check_datasets = frozenset(Dataset(d) for d in data["requires"])
    return Policy(
        spec=spec,
        id=spec.id,
        title=data["title"],
        description=data["description"],
        severity=Severity(data["severity"]),
        resource_kind=kind,
        remediation=data["remediation"],
        fix=data.get("fix") or first_sentence(data["remediation"]),
        enabled_by_default=bool(data.get("enabled", True)),
        parameters=params,
        values=values,
        scope=scope,
        scope_datasets=frozenset(scope_ctx.datasets),
        not_applicable=not_applicable,
        check=check,
        check_datasets=check_datasets,
        message=message,
        pass_message=pass_message,
        severity_when=severity_when,
        failure_verdict=Verdict(data.get("failure_verdict", "FAIL")),
        references=list(data.get("references") or []),
        frameworks={k: list(v) for k, v in (data.get("frameworks") or {}).items()},
        tags=list(data.get("tags") or []),
        paths=tuple(scope_ctx.paths + ctx.paths + coverage_ctx.paths),
        coverage=coverage,
        warnings=tuple(deny_list_warnings(data, smap, base, doc_type)),
        phase=Phase(data.get("phase", Phase.ANY.value)),
        scope_reads=field_closure(scope_ctx.reads),
        check_reads=field_closure(ctx.reads),
    )


def _compile_coverage(
    spec: Any, ctx: CompileContext, doc_type: DocType, where: FieldPath
) -> CoverageSpec | None:
    if spec is None:
        return None
    if isinstance(spec, str):
        return CoverageSpec(spec)
    column = spec["column"]
    if isinstance(column, dict):
        column = ctx.path(column["path"], doc_type, (*where, "column", "path")).get
    missing_when = None
    if "missing_when" in spec:
        missing_when = compile_condition(spec["missing_when"], ctx, doc_type, (*where, "missing_when"))
    return CoverageSpec(
        column, spec.get("title"), spec.get("order"), missing_when, bool(spec.get("pass_note"))
    )


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` on one line (the one-line fix of a policy that declares none)."""
    line = " ".join(text.split())
    # A sentence ends at "; " or at ". " before a capital (so "e.g. hourly" does not end it).
    match = re.search(r";(?=\s)|\.(?=\s+[A-Z]|$)", line)
    sentence = line[: match.start() + 1].rstrip(";") if match else line
    return sentence if len(sentence) <= 160 else sentence[:159] + "…"


def _override_error(source: str, policy_id: str, name: str, problem: str) -> InputError:
    return InputError(source, problem, location=f"parameters.{policy_id}.{name}")
