"""Read templates and plans into one inventory: find the files, read each, convert, merge.

Paths are files or folders. A file given by name must be a CloudFormation template or a Terraform
plan (JSON of ``terraform show -json``). A folder is searched recursively for ``*.json``, ``*.yaml``,
``*.yml`` and ``*.template`` files, skipping hidden folders (``.terraform``, ``.git``), ``node_modules``
and CDK asset folders (``cdk.out/asset.*``); files that are neither templates nor plans (CDK's
``manifest.json``, ``tree.json``, a workflow file) are skipped. A file in a folder that cannot be
parsed is an error when it looks like a template or a plan (its name ends in ``.template.json``,
``.template.yaml``..., or it mentions ``AWSTemplateFormatVersion``, ``Resources`` or
``format_version``), and skipped otherwise.

Nothing here calls AWS: the account and region come from ``--account`` / ``--region``, a plan's
provider configuration or resources, the merged inventory (when it covers one account and one
region), or are "unknown".
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import auditor
from auditor.errors import InputError
from auditor.fileio import read_text
from auditor.iac.alerting import summarize
from auditor.iac.cfn_yaml import ParsedFile, parse
from auditor.iac.cloudformation import is_template, read_template, stack_name_of
from auditor.iac.convert import convert
from auditor.iac.merge import MergeInputs, merge
from auditor.iac.terraform import Deletion, is_plan, read_plan
from auditor.iac.types import BY_CFN_TYPE, Role
from auditor.iac.values import Declaration, SourceFormat
from auditor.inventory.model import Inventory

UNKNOWN = "unknown"  # the account or region of resources when nothing says which
_SUFFIXES = (".json", ".yaml", ".yml", ".template")
_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__"})
_LOOKS_LIKE = re.compile(r"AWSTemplateFormatVersion|^\s*\"?Resources\"?\s*:|\"format_version\"", re.MULTILINE)


@dataclass(frozen=True)
class IacOptions:
    """What the command line says about the templates: where they deploy, and parameter values."""

    account: str | None = None
    region: str | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InputFile:
    label: str  # the path as shown in messages and findings (relative to the working directory)
    format: SourceFormat


@dataclass
class IacResult:
    inventory: Inventory
    files: list[InputFile]
    notes: list[str]
    declared: int  # declarations of the inventory's kinds read from the files
    deleted: list[str]  # addresses a plan deletes


def label_of(path: Path) -> str:
    """``path`` relative to the working directory when it is under it, with forward slashes."""
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path.as_posix()
    return relative.as_posix()


def _looks_like(path: Path, text: str) -> bool:
    name = path.name.lower()
    return ".template." in name or name.endswith(".template") or _LOOKS_LIKE.search(text) is not None


def discover(paths: Sequence[Path]) -> list[tuple[Path, bool]]:
    """The candidate files, and whether each was named explicitly (sorted within each folder)."""
    out: list[tuple[Path, bool]] = []
    for path in paths:
        if path.is_file():
            out.append((path, True))
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(
                    d
                    for d in dirs
                    if not d.startswith(".") and d not in _SKIPPED_DIRS and not d.startswith("asset.")
                )
                out.extend((Path(root) / f, False) for f in sorted(files) if f.lower().endswith(_SUFFIXES))
        else:
            raise InputError(str(path), "no such file or folder")
    return out


@dataclass
class _Loaded:
    path: Path
    label: str
    parsed: ParsedFile
    format: SourceFormat


def _load(candidates: Sequence[tuple[Path, bool]], notes: list[str]) -> list[_Loaded]:
    loaded: list[_Loaded] = []
    skipped = 0
    for path, explicit in candidates:
        label = label_of(path)
        text = read_text(path, label)
        try:
            parsed = parse(text, label)
        except InputError:
            if explicit or _looks_like(path, text):
                raise
            skipped += 1
            continue
        if is_template(parsed.data):
            loaded.append(_Loaded(path, label, parsed, SourceFormat.CLOUDFORMATION))
        elif is_plan(parsed.data):
            loaded.append(_Loaded(path, label, parsed, SourceFormat.TERRAFORM_PLAN))
        elif explicit:
            raise InputError(
                label,
                "neither a CloudFormation template (no Resources) nor a Terraform plan "
                "(the JSON of terraform show -json PLANFILE)",
            )
        else:
            skipped += 1
    if skipped:
        notes.append(f"skipped {skipped} file(s) that are neither templates nor plans")
    return loaded


def _stack_keys(loaded: Sequence[_Loaded]) -> dict[str, str]:
    """A unique placeholder prefix per template: its stack name, or its path when stacks share a name."""
    stems: dict[str, list[str]] = {}
    for item in loaded:
        if item.format is SourceFormat.CLOUDFORMATION:
            stems.setdefault(stack_name_of(item.label), []).append(item.label)
    keys: dict[str, str] = {}
    for stem, labels in stems.items():
        for label in labels:
            keys[label] = stem if len(labels) == 1 else re.sub(r"\.(json|ya?ml|template)$", "", label)
    return keys


def _placement(
    options: IacOptions, base: Inventory | None, base_label: str | None
) -> tuple[str | None, str | None]:
    """The account and region from the flags, else from a merged inventory that covers one of each."""
    account, region = options.account, options.region
    if base is not None and (account is None or region is None):
        accounts = sorted({t.account_id for t in base.targets})
        regions = sorted({t.region for t in base.targets})
        if account is None:
            if len(accounts) > 1:
                raise InputError(
                    "--account",
                    f"the inventory {base_label} covers several accounts ({', '.join(accounts)}): "
                    "say where the templates deploy with --account",
                )
            account = accounts[0] if accounts else None
        if region is None:
            if len(regions) > 1:
                raise InputError(
                    "--region",
                    f"the inventory {base_label} covers several regions ({', '.join(regions)}): "
                    "say where the templates deploy with --region",
                )
            region = regions[0] if regions else None
    return account, region


def _check_duplicates(declarations: Sequence[Declaration]) -> None:
    """Two files declaring the same resource (same type, account, region and name) is an error."""
    seen: dict[tuple[str, str, str, str], Declaration] = {}
    for decl in declarations:
        if BY_CFN_TYPE[decl.cfn_type].role is Role.ALERTING:
            continue
        key = (decl.cfn_type, decl.account_id, decl.region, decl.name)
        other = seen.get(key)
        if other is not None:
            line = f":{other.location.line}" if other.location.line else ""
            raise InputError(
                decl.location.file,
                f"{decl.cfn_type} {decl.name!r} is also declared in {other.location.file}{line} "
                f"({other.label}): judge one deployment at a time",
                location=decl.label,
                line=decl.location.line,
            )
        seen[key] = decl


def read(
    paths: Sequence[Path],
    options: IacOptions,
    *,
    base: Inventory | None = None,
    base_label: str | None = None,
    now: datetime | None = None,
) -> IacResult:
    """The inventory the templates and plans in ``paths`` describe (over ``base``, if given)."""
    started = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    notes: list[str] = []
    loaded = _load(discover(paths), notes)
    if not loaded:
        shown = ", ".join(str(p) for p in paths)
        raise InputError(shown or "PATH", "no CloudFormation template or Terraform plan found")
    account, region = _placement(options, base, base_label)
    keys = _stack_keys(loaded)
    declarations: list[Declaration] = []
    deletions: list[Deletion] = []
    for item in loaded:
        if item.format is SourceFormat.CLOUDFORMATION:
            template = read_template(
                item.parsed,
                item.label,
                key_prefix=keys[item.label],
                account=account or UNKNOWN,
                region=region or UNKNOWN,
                parameters=options.parameters,
            )
            declarations.extend(template.declarations)
            notes.extend(template.notes)
        else:
            plan = read_plan(item.parsed, item.label, account=account or UNKNOWN, region=region)
            declarations.extend(plan.declarations)
            deletions.extend(plan.deletions)
            notes.extend(plan.notes)
    _check_duplicates(declarations)
    converted = convert(declarations)
    alerting = [d for d in declarations if BY_CFN_TYPE[d.cfn_type].role is Role.ALERTING]
    files = [InputFile(item.label, item.format) for item in loaded]
    iac_options: dict[str, Any] = {
        "files": [{"file": f.label, "format": f.format.value} for f in files],
        "account": options.account,
        "region": options.region,
        "parameters": dict(sorted(options.parameters.items())),
        "inventory": base_label,
        "deleted": sorted(d.address for d in deletions),
        "notes": notes,
        "alerting": summarize(alerting, converted.alarms),
    }
    inventory = merge(
        MergeInputs(
            converted=converted,
            deletions=deletions,
            base=base,
            started_at=started,
            finished_at=(now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            tool_version=auditor.__version__,
            options={"iac": iac_options},
        )
    )
    declared = len(declarations) - len(alerting)
    return IacResult(inventory, files, notes, declared, sorted(d.address for d in deletions))
