"""Packaging: every package folder is installed, and the built-in pack ships inside the package."""

from __future__ import annotations

import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "auditor").rglob("__init__.py")} | {
        "auditor.builtin_policies"
    }
    assert found == listed


def _walk(node: Traversable) -> list[str]:
    if node.is_file():
        return [node.name]
    return [name for child in node.iterdir() for name in _walk(child)]


def test_builtin_policies_are_importable_as_package_data() -> None:
    names = _walk(resources.files("auditor.builtin_policies"))
    assert sum(n.endswith((".yaml", ".yml")) for n in names) >= 19


def test_moto_is_imported_only_by_the_emulator() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "auditor").rglob("*.py")
        if "emulator" not in p.parts and ("import moto" in p.read_text() or "from moto" in p.read_text())
    ]
    assert offenders == []


def test_builtin_framework_mappings_and_their_schema_ship_in_the_package() -> None:
    frameworks = resources.files("auditor.builtin_policies").joinpath("frameworks")
    names = sorted(child.name for child in frameworks.iterdir())
    assert names == ["eu-ai-act.yaml", "iso-iec-42001.yaml", "nist-ai-rmf.yaml", "sr-11-7.yaml"]
    assert resources.files("auditor.policy").joinpath("framework.schema.json").is_file()
    assert resources.files("auditor.report").joinpath("templates", "frameworks.html.j2").is_file()
