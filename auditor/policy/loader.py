"""Loading policy sets: the built-in pack plus user files, enabled/disabled, with parameter overrides.

File layout: a policy file holds one policy (a mapping with ``id``) or a ``policies:`` list. A
folder is searched recursively for ``*.yaml`` / ``*.yml``; files under a ``cases/`` folder are
policy test cases, not policies. The built-in pack ships as ``policies/<id>/policy.yaml`` with
its cases in ``policies/<id>/cases/``.

Validation runs in layers, each error naming file, line and field: YAML syntax, then the JSON
Schema (``policy.schema.json``), then meaning (``model.compile_policy``). Duplicate ids are errors.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from auditor.errors import InputError, did_you_mean
from auditor.policy.model import Policy, PolicySpec, compile_policy
from auditor.policy.schemas import POLICY_SCHEMA_FILE, validate
from auditor.policy.yamlsrc import load_yaml

BUILTIN_PACKAGE = "auditor.builtin_policies"
BUILTIN_SOURCE = "builtin"
CASES_DIR = "cases"
# The built-in framework mappings live beside the pack (policies/frameworks/); they are not policies.
BUILTIN_FRAMEWORKS_DIR = "frameworks"
PolicyFile = Path | Traversable


@dataclass
class PolicySet:
    """The enabled, compiled policies of a run.

    ``policies`` is ordered by id. ``digest`` is a sha256 over the canonical policy data and the
    effective parameters, so two runs with the same digest judged with the same rules. ``files``
    lists every file loaded (label, file) for the evidence bundle. ``available`` holds every policy
    that was loaded, enabled or not (for ``policies list``).
    """

    policies: list[Policy]
    digest: str
    files: list[tuple[str, PolicyFile]] = field(default_factory=list)
    available: list[Policy] = field(default_factory=list)

    def get(self, policy_id: str) -> Policy | None:
        """An enabled policy by id."""
        return next((p for p in self.policies if p.id == policy_id), None)

    @property
    def warnings(self) -> list[str]:
        """The warnings of the enabled policies (deny-lists over enum-like fields), one line each."""
        return [w for p in self.policies for w in p.warnings]


def builtin_root() -> Traversable:
    """The folder of the built-in pack inside the installed package."""
    return resources.files(BUILTIN_PACKAGE)


def _walk(root: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    """(relative path, file) of every policy file below ``root``, skipping ``cases/`` folders."""
    for child in sorted(root.iterdir(), key=lambda c: c.name):
        if child.is_dir():
            if child.name != CASES_DIR and not child.name.startswith((".", "__")):
                yield from _walk(child, f"{prefix}{child.name}/")
        elif child.name.endswith((".yaml", ".yml")):
            yield f"{prefix}{child.name}", child


def builtin_files() -> list[tuple[str, Traversable]]:
    """(label, file) of every built-in policy file; the label is ``builtin/<relative path>``."""
    return [
        (f"{BUILTIN_SOURCE}/{rel}", f)
        for rel, f in _walk(builtin_root())
        if not rel.startswith(f"{BUILTIN_FRAMEWORKS_DIR}/")
    ]


def user_files(paths: Sequence[Path], what: str = "policy") -> list[tuple[str, Path]]:
    """(label, file) of the YAML files at ``paths`` (files, or folders searched recursively, skipping
    ``cases/``); ``what`` names them in the error for a path that does not exist."""
    out: list[tuple[str, Path]] = []
    for path in paths:
        if path.is_dir():
            out.extend((str(path / rel), path / rel) for rel, _ in _walk(path))
        elif path.is_file():
            out.append((str(path), path))
        else:
            raise InputError(str(path), f"no such {what} file or folder")
    return out


def read_policy_file(label: str, file: PolicyFile, source: str) -> list[PolicySpec]:
    """Parse and schema-validate one policy file; InputError on any problem."""
    try:
        text = file.read_text(encoding="utf-8")  # a Path, or a Traversable inside the installed package
    except OSError as exc:
        raise InputError(label, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(label, "not UTF-8 text") from None
    data, smap = load_yaml(text, label)
    if not isinstance(data, dict):
        raise InputError(label, "a policy file must be a mapping: one policy, or `policies:` with a list")
    if "policies" in data and "id" not in data:
        extra = sorted(set(data) - {"policies"})
        if extra:
            raise smap.error(
                (extra[0],), f"unknown key {extra[0]!r} (a policy list file has only `policies:`)"
            )
        items = data["policies"]
        if not isinstance(items, list) or not items:
            raise smap.error(("policies",), "policies must be a non-empty list of policies")
        specs = []
        for i, item in enumerate(items):
            validate(item, schema=POLICY_SCHEMA_FILE, definition="policy", smap=smap, base=("policies", i))
            specs.append(PolicySpec(item, smap, ("policies", i), source, label))
        return specs
    validate(data, schema=POLICY_SCHEMA_FILE, definition="policy", smap=smap)
    return [PolicySpec(data, smap, (), source, label)]


def read_specs(
    paths: Sequence[Path] = (), *, builtin: bool = True
) -> tuple[list[PolicySpec], list[tuple[str, PolicyFile]]]:
    """Read every policy file (built-in first), rejecting duplicate ids."""
    files: list[tuple[str, PolicyFile]] = []
    specs: list[PolicySpec] = []
    if builtin:
        for label, f in builtin_files():
            files.append((label, f))
            specs.extend(read_policy_file(label, f, BUILTIN_SOURCE))
    for label, p in user_files(paths):
        files.append((label, p))
        specs.extend(read_policy_file(label, p, label))
    seen: dict[str, PolicySpec] = {}
    for spec in specs:
        first = seen.get(spec.id)
        if first is not None:
            raise spec.smap.error(
                (*spec.base, "id"), f"duplicate policy id {spec.id!r} (already defined in {first.file})"
            )
        seen[spec.id] = spec
    return specs, files


def load_policy_set(
    paths: Sequence[Path] = (),
    *,
    builtin: bool = True,
    enable: Collection[str] = (),
    disable: Collection[str] = (),
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    parameters_source: str = "config",
) -> PolicySet:
    """Load, validate and compile the policies of a run.

    With ``enable`` empty, the policies enabled by default (``enabled: true``, the default) run;
    a non-empty ``enable`` runs only the policies it names by id or tag (including ones disabled by
    default). ``disable`` (ids or tags) removes policies either way. ``parameters`` overrides
    parameter values per policy id (from the config file ``parameters_source``, named in errors).
    Every loaded policy is compiled, even a disabled one, so an invalid file always stops the run.
    Raises InputError.
    """
    specs, files = read_specs(paths, builtin=builtin)
    overrides = dict(parameters or {})
    by_id = {s.id: s for s in specs}
    for policy_id in overrides:
        if policy_id not in by_id:
            raise InputError(
                parameters_source,
                f"parameters given for unknown policy {policy_id!r}{did_you_mean(policy_id, by_id)}",
                location=f"parameters.{policy_id}",
            )
    compiled = sorted(
        (compile_policy(s, overrides.get(s.id), override_source=parameters_source) for s in specs),
        key=lambda p: p.id,
    )
    _check_selectors(compiled, enable, "--enable")
    _check_selectors(compiled, disable, "--disable")
    enabled = [
        p
        for p in compiled
        if (_selected(p, enable) if enable else p.enabled_by_default) and not _selected(p, disable)
    ]
    return PolicySet(enabled, policy_set_digest(enabled), files, compiled)


def _selected(policy: Policy, selectors: Collection[str]) -> bool:
    return policy.id in selectors or any(t in selectors for t in policy.tags)


def _check_selectors(policies: Sequence[Policy], selectors: Collection[str], option: str) -> None:
    known = {p.id for p in policies} | {t for p in policies for t in p.tags}
    for s in selectors:
        if s not in known:
            raise InputError(option, f"{s!r} is neither a policy id nor a policy tag")


def policy_set_digest(policies: Sequence[Policy]) -> str:
    """sha256 over the canonical JSON of each policy's data and effective parameters."""
    canonical = [
        {"policy": p.spec.data, "parameters": p.values} for p in sorted(policies, key=lambda p: p.id)
    ]
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
