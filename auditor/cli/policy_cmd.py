"""``auditor policies``: list, show, validate and test policies (built-in pack and user files)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml

from auditor.errors import InputError
from auditor.policy.cases import discover, run_all
from auditor.policy.loader import PolicySet, load_policy_set
from auditor.policy.model import Policy
from auditor.report.text import safe_text

F = TypeVar("F", bound=Callable[..., Any])

_policies_option = click.option(
    "--policies",
    "policy_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Extra policy file or folder (repeatable).",
)
_builtin_option = click.option(
    "--builtin/--no-builtin", default=True, show_default=True, help="Include the built-in policy pack."
)


def _say(text: str, *, newlines: bool = False) -> None:
    """Print text from policy files (user-written): control and bidirectional characters escaped."""
    click.echo(safe_text(text, newlines=newlines))


def _exit_2_on_input_error(func: F) -> F:
    """Invalid policy input prints one line and exits 2, also when the command runs on its own."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            click.echo(f"auditor: error: {exc}", err=True)
            raise click.exceptions.Exit(2) from None

    return wrapper  # type: ignore[return-value]


@click.group("policies")
def policies() -> None:
    """List, show, validate and test policies."""


@policies.command("list")
@_policies_option
@_builtin_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@_exit_2_on_input_error
def list_cmd(policy_paths: tuple[Path, ...], builtin: bool, as_json: bool) -> None:
    """List every policy: id, severity, resource kind, enabled by default, title."""
    pset = load_policy_set(policy_paths, builtin=builtin)
    enabled = {p.id for p in pset.policies}
    if as_json:
        rows = [
            {
                "id": p.id,
                "severity": p.severity.value,
                "resource": p.resource_kind.value,
                "enabled": p.id in enabled,
                "title": p.title,
                "tags": p.tags,
                "source": p.spec.source,
            }
            for p in pset.available
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max((len(p.id) for p in pset.available), default=2)
    _say(f"{'ID':<{width}}  {'SEVERITY':<8}  {'RESOURCE':<14}  {'ON':<3}  TITLE")
    for p in pset.available:
        on = "yes" if p.id in enabled else "no"
        _say(f"{p.id:<{width}}  {p.severity.value:<8}  {p.resource_kind.value:<14}  {on:<3}  {p.title}")
    click.echo()
    _say(f"{len(enabled)} of {len(pset.available)} policies enabled by default; digest {pset.digest[:12]}")


@policies.command("show")
@click.argument("policy_id")
@_policies_option
@_builtin_option
@_exit_2_on_input_error
def show_cmd(policy_id: str, policy_paths: tuple[Path, ...], builtin: bool) -> None:
    """Show one policy in full: conditions, parameters, datasets it needs, remediation."""
    pset = load_policy_set(policy_paths, builtin=builtin)
    policy = next((p for p in pset.available if p.id == policy_id), None)
    if policy is None:
        raise InputError("policies show", f"no policy with id {policy_id!r} (see 'auditor policies list')")
    _say(_render_policy(policy, pset), newlines=True)


def _render_policy(policy: Policy, pset: PolicySet) -> str:
    data = policy.spec.data
    lines = [
        f"{policy.id}: {policy.title}",
        f"  severity: {policy.severity.value}    resource: {policy.resource_kind.value}    "
        f"enabled: {'yes' if pset.get(policy.id) else 'no'}    source: {policy.spec.file}",
    ]
    if policy.tags:
        lines.append(f"  tags: {', '.join(policy.tags)}")
    lines += ["", _indent(policy.description.strip())]
    if policy.parameters:
        lines += ["", "Parameters (name, type, value; default):"]
        for name, param in policy.parameters.items():
            lines.append(
                f"  {name} ({param.type}) = {policy.values[name]!r}; default {param.default!r}"
                + (f" - {param.description}" if param.description else "")
            )
    datasets = sorted(d.value for d in policy.scope_datasets | policy.check_datasets)
    lines += ["", f"Needs datasets (ERROR when not collected): {', '.join(datasets) or 'none'}"]
    rules = {k: data[k] for k in ("scope", "not_applicable", "check", "severity_when") if k in data}
    lines += ["", _indent(yaml.safe_dump(rules, sort_keys=False, allow_unicode=True, width=100).rstrip())]
    lines += [
        "",
        "Message:",
        _indent(policy.message.text.strip()),
        "",
        "Remediation:",
        _indent(policy.remediation.strip()),
        "",
        f"Fix (one line, for the report's 'Fix these first'): {policy.fix}",
    ]
    if policy.references:
        lines += ["", "References:", *(f"  {r}" for r in policy.references)]
    if policy.frameworks:
        lines += ["", "Frameworks:", *(f"  {k}: {', '.join(v)}" for k, v in policy.frameworks.items())]
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else "" for line in text.splitlines())


@policies.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_builtin_option
@_exit_2_on_input_error
def validate_cmd(paths: tuple[Path, ...], builtin: bool) -> None:
    """Validate policy files or folders (YAML syntax, schema, meaning); exit 2 on the first error.

    With the built-in pack included (the default), a user policy reusing a built-in id is an error.
    Valid but unsafe shapes -- a deny-list (not_in, not_equals, negated in/equals) over a field whose
    values come from an AWS enum that can gain values -- are warned about on stderr (exit 0).
    """
    pset = load_policy_set(paths, builtin=builtin)
    user = [p for p in pset.available if p.spec.source != "builtin"]
    for warning in (w for p in pset.available for w in p.warnings):
        click.echo(f"auditor: {safe_text(warning)}", err=True)
    _say(f"OK: {len(user)} policies in {len(paths)} path(s) are valid")


@policies.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--builtin/--no-builtin",
    default=None,
    help="Also run the built-in pack's cases (default: only when no PATH is given).",
)
@click.option("-v", "--verbose", is_flag=True, help="List every case, not only failures.")
@click.pass_context
@_exit_2_on_input_error
def test_cmd(ctx: click.Context, paths: tuple[Path, ...], builtin: bool | None, verbose: bool) -> None:
    """Run policy test cases (cases/*_pass.yaml, cases/*_fail_<why>.yaml next to each policy).

    Exit 0 when every case gives exactly the expected verdicts, 1 otherwise, 2 on invalid files.
    """
    include_builtin = builtin if builtin is not None else not paths
    found = discover(paths, builtin=include_builtin)
    results = run_all(found)
    failed = [r for r in results if not r.ok]
    for r in results:
        if r.ok and verbose:
            _say(f"PASS  {r.policy_id}  {r.case}")
        elif not r.ok:
            _say(f"FAIL  {r.policy_id}  {r.case}")
            for problem in r.problems:
                _say(f"        {problem}")
    without = [pc.spec.id for pc in found if not pc.cases]
    for policy_id in without:
        _say(f"WARN  {policy_id}  has no test cases")
    _say(
        f"{len(results)} cases, {len(results) - len(failed)} passed, {len(failed)} failed "
        f"({len(found)} policies)"
    )
    if failed:
        ctx.exit(1)
