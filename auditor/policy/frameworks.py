"""Compliance frameworks as data: requirements mapped to the policies whose verdicts are evidence for them.

The built-in mappings ship as ``policies/frameworks/<id>.yaml`` (inside the package, beside the
policy pack); custom ones come from ``--frameworks PATH`` (files, or folders searched for
``*.yaml``/``*.yml``). Validation runs in the same layers as for policies, each error naming file,
line and field: YAML syntax, the JSON Schema (``framework.schema.json``), then meaning (duplicate
framework or requirement ids, and policy ids that no loaded policy has).

The framework files are the source of truth for the per-requirement rollup and for the
requirements named in ASFF and OCSF. The built-in policies also carry ``frameworks:`` tags (shown
by ``auditor policies show`` and in SARIF); a test keeps the two in agreement.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path

from auditor.errors import InputError
from auditor.policy.loader import BUILTIN_FRAMEWORKS_DIR, BUILTIN_SOURCE, builtin_root, user_files
from auditor.policy.schemas import validate
from auditor.policy.yamlsrc import SourceMap, load_yaml

FRAMEWORK_SCHEMA_FILE = "framework.schema.json"
FrameworkFile = Path | Traversable


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    summary: str
    source: str
    policies: tuple[str, ...]


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    title: str
    version: str
    source: str
    description: str
    notes: str
    requirements: tuple[Requirement, ...]
    origin: str  # "builtin" or the file path
    file: str  # the label of the file it came from

    def requirements_of(self, policy_id: str) -> list[Requirement]:
        """The requirements that list ``policy_id``, in file order."""
        return [r for r in self.requirements if policy_id in r.policies]


@dataclass
class FrameworkSet:
    """The frameworks of a run, ordered by id, and the files they came from (for the evidence bundle)."""

    frameworks: list[Framework] = field(default_factory=list)
    files: list[tuple[str, FrameworkFile]] = field(default_factory=list)

    def get(self, framework_id: str) -> Framework | None:
        return next((f for f in self.frameworks if f.id == framework_id), None)


def _walk(root: FrameworkFile, prefix: str = "") -> Iterator[tuple[str, FrameworkFile]]:
    for child in sorted(root.iterdir(), key=lambda c: c.name):
        if child.is_dir():
            if not child.name.startswith((".", "__")):
                yield from _walk(child, f"{prefix}{child.name}/")
        elif child.name.endswith((".yaml", ".yml")):
            yield f"{prefix}{child.name}", child


def builtin_framework_files() -> list[tuple[str, Traversable]]:
    """(label, file) of every built-in framework file; the label is ``builtin/frameworks/<name>``."""
    root = builtin_root().joinpath(BUILTIN_FRAMEWORKS_DIR)
    if not root.is_dir():
        return []
    return [(f"{BUILTIN_SOURCE}/{BUILTIN_FRAMEWORKS_DIR}/{rel}", f) for rel, f in _walk(root)]


def user_framework_files(paths: Sequence[Path]) -> list[tuple[str, Path]]:
    """(label, file) of the framework files at ``paths`` (files, or folders searched recursively)."""
    return user_files(paths, "framework")


def _text(value: str) -> str:
    """Folded YAML text as one line (no trailing newline, single spaces)."""
    return " ".join(value.split())


def read_framework_file(label: str, file: FrameworkFile, origin: str) -> tuple[Framework, SourceMap]:
    """Parse and schema-validate one framework file; InputError (file, line, field) on any problem."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(label, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(label, "not UTF-8 text") from None
    data, smap = load_yaml(text, label)
    if not isinstance(data, dict):
        raise InputError(label, "a framework file must be a mapping with id, name, ... and requirements")
    validate(data, schema=FRAMEWORK_SCHEMA_FILE, definition="framework", smap=smap)
    seen: set[str] = set()
    requirements = []
    for i, item in enumerate(data["requirements"]):
        req_id = _text(item["id"])
        if req_id in seen:
            raise smap.error(("requirements", i, "id"), f"duplicate requirement id {req_id!r}")
        seen.add(req_id)
        requirements.append(
            Requirement(
                id=req_id,
                title=_text(item["title"]),
                summary=_text(item["summary"]),
                source=item["source"],
                policies=tuple(item["policies"]),
            )
        )
    framework = Framework(
        id=data["id"],
        name=_text(data["name"]),
        title=_text(data["title"]),
        version=_text(data["version"]),
        source=data["source"],
        description=_text(data.get("description", "")),
        notes=_text(data.get("notes", "")),
        requirements=tuple(requirements),
        origin=origin,
        file=label,
    )
    return framework, smap


def load_frameworks(
    paths: Sequence[Path] = (), *, builtin: bool = True, known_policies: Collection[str] | None = None
) -> FrameworkSet:
    """Load the built-in frameworks (with ``builtin``) and the files at ``paths``; raises InputError.

    Framework ids must be unique across all files, and names too (they label requirements in ASFF).
    With ``known_policies``, every policy id a requirement lists must be one of them: a mapping to a
    policy that does not exist would report a requirement as covered by nothing, silently.
    """
    files: list[tuple[str, FrameworkFile]] = []
    loaded: list[tuple[Framework, SourceMap]] = []
    if builtin:
        for label, f in builtin_framework_files():
            files.append((label, f))
            loaded.append(read_framework_file(label, f, BUILTIN_SOURCE))
    for label, p in user_framework_files(paths):
        files.append((label, p))
        loaded.append(read_framework_file(label, p, label))
    by_id: dict[str, Framework] = {}
    by_name: dict[str, Framework] = {}
    for framework, smap in loaded:
        for key, index, what in ((framework.id, by_id, "id"), (framework.name, by_name, "name")):
            first = index.get(key)
            if first is not None:
                raise smap.error(
                    (what,), f"duplicate framework {what} {key!r} (already defined in {first.file})"
                )
            index[key] = framework
        if known_policies is not None:
            for i, requirement in enumerate(framework.requirements):
                for j, policy_id in enumerate(requirement.policies):
                    if policy_id not in known_policies:
                        raise smap.error(
                            ("requirements", i, "policies", j),
                            f"unknown policy id {policy_id!r} (see 'auditor policies list')",
                        )
    return FrameworkSet(sorted(by_id.values(), key=lambda f: f.id), files)
