"""``auditor frameworks``: list the framework mappings, or show one with its requirements and policies."""

from __future__ import annotations

import json
from pathlib import Path

import click

from auditor.cli.policy_cmd import _exit_2_on_input_error
from auditor.errors import InputError
from auditor.policy.frameworks import Framework, FrameworkSet, load_frameworks
from auditor.policy.loader import load_policy_set

_frameworks_option = click.option(
    "--frameworks",
    "framework_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Extra framework mapping file or folder (repeatable).",
)
_policies_option = click.option(
    "--policies",
    "policy_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Extra policy file or folder (repeatable): custom mappings may name their policies.",
)
_builtin_option = click.option(
    "--builtin/--no-builtin",
    default=True,
    show_default=True,
    help="Include the built-in policy pack and its framework mappings.",
)


def _load(framework_paths: tuple[Path, ...], policy_paths: tuple[Path, ...], builtin: bool) -> FrameworkSet:
    policies = load_policy_set(policy_paths, builtin=builtin)
    return load_frameworks(
        framework_paths, builtin=builtin, known_policies={p.id for p in policies.available}
    )


@click.group("frameworks")
def frameworks() -> None:
    """List the compliance framework mappings, or show one (requirements and the policies behind them).

    Built in: SR 11-7, ISO/IEC 42001 (Annex A), EU AI Act and NIST AI RMF. Add your own with
    --frameworks PATH here and in scan/evaluate; the report rolls the verdicts up per requirement.
    """


@frameworks.command("list")
@_frameworks_option
@_policies_option
@_builtin_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@_exit_2_on_input_error
def list_cmd(
    framework_paths: tuple[Path, ...], policy_paths: tuple[Path, ...], builtin: bool, as_json: bool
) -> None:
    """List every framework: id, name, requirements, policies mapped, where it comes from."""
    fset = _load(framework_paths, policy_paths, builtin)
    rows = [
        {
            "id": fw.id,
            "name": fw.name,
            "version": fw.version,
            "requirements": len(fw.requirements),
            "policies": len({p for r in fw.requirements for p in r.policies}),
            "source": fw.origin,
        }
        for fw in fset.frameworks
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max((len(fw.id) for fw in fset.frameworks), default=2)
    click.echo(f"{'ID':<{width}}  {'NAME':<14}  {'REQS':>4}  {'POLICIES':>8}  SOURCE")
    for row in rows:
        click.echo(
            f"{row['id']:<{width}}  {row['name']:<14}  {row['requirements']:>4}  {row['policies']:>8}  "
            f"{row['source']}"
        )
    click.echo(f"\n{len(rows)} framework(s); 'auditor frameworks show ID' lists the requirements")


@frameworks.command("show")
@click.argument("framework_id")
@_frameworks_option
@_policies_option
@_builtin_option
@_exit_2_on_input_error
def show_cmd(
    framework_id: str, framework_paths: tuple[Path, ...], policy_paths: tuple[Path, ...], builtin: bool
) -> None:
    """Show one framework: each requirement with its summary, source and the policies mapped to it."""
    fset = _load(framework_paths, policy_paths, builtin)
    framework = fset.get(framework_id)
    if framework is None:
        known = ", ".join(f.id for f in fset.frameworks) or "none"
        raise InputError("frameworks show", f"no framework with id {framework_id!r} (known: {known})")
    click.echo(render_framework(framework))


def render_framework(fw: Framework) -> str:
    """The text of ``auditor frameworks show``."""
    lines = [
        f"{fw.id}: {fw.name} - {fw.title}",
        f"  version: {fw.version}    source: {fw.source}    file: {fw.file}",
    ]
    if fw.description:
        lines += ["", f"  {fw.description}"]
    if fw.notes:
        lines += ["", f"  Notes: {fw.notes}"]
    for req in fw.requirements:
        lines += [
            "",
            f"{req.id}: {req.title}",
            f"  {req.summary}",
            f"  source: {req.source}",
            f"  policies: {', '.join(req.policies)}",
        ]
    return "\n".join(lines)
