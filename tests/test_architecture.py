"""The import rules of ARCHITECTURE.md, enforced: one direction of flow, no back-edges.

Every ``import auditor...`` in every module (function-level imports included) is checked against the
layer table below. A back-edge (a reporter importing the engine, the engine importing the CLI, a
scanner importing a reporter, anything but the demo/emulator commands importing the local AWS) fails
with the module and the line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import auditor

PACKAGE = Path(auditor.__file__).resolve().parent

# layer -> the layers it may import (besides itself). A module's layer is its package (the first name
# under auditor), or the layer LAYERS gives a top-level module.
LAYERS = {
    "errors": "foundation",
    "fileio": "foundation",
    "jsonstream": "foundation",
    "schemas": "foundation",
    "interrupts": "foundation",
    "secrets": "foundation",
    "findings": "results",
    "selection": "pipeline",
    "run_folder": "pipeline",
    "api": "pipeline",
    "settings": "pipeline",
    "entry": "main",
    "__main__": "main",
}
STAGES = {"foundation", "inventory", "scan", "results", "policy", "report"}
ALLOWED: dict[str, set[str]] = {
    "foundation": set(),
    "inventory": {"foundation"},
    "scan": {"foundation", "inventory"},
    "results": {"foundation", "inventory"},
    "policy": {"foundation", "inventory", "results"},
    "report": {"foundation", "inventory", "results"},
    "emulator": {"foundation"},
    # After the judgement: the run history (its SNS notifier uses the scanner's guard), and the one
    # command that writes to AWS (the Security Hub import, through the scanner's guarded clients).
    "history": {"foundation", "inventory", "results", "report", "scan"},
    "securityhub": {"foundation", "inventory", "results", "report", "scan"},
    # Templates and plans: one more source of the inventory, normalized by the scanner's own builders.
    "iac": {"foundation", "inventory", "scan"},
    # The wiring on top: it may use every stage, never the local AWS (see EMULATOR_USERS).
    "config": {"foundation", "inventory", "results", "policy", "report", "history"},
    "pipeline": STAGES | {"config", "history", "iac"},
    "generated": STAGES | {"config", "securityhub"},
    "cli": STAGES | {"config", "pipeline", "history", "securityhub", "emulator", "iac"},
    "main": {"foundation", "cli"},
}
EMULATOR_USERS = {"auditor.cli.demo_cmd", "auditor.cli.emulator_cmd"}


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "main"  # auditor/__init__.py
    first = parts[1]
    if first in LAYERS:
        return LAYERS[first]
    assert first in ALLOWED, f"{module}: a new package needs a row in the layer table (and ARCHITECTURE.md)"
    return first


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def auditor_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "auditor"]
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.split(".")[0] == "auditor"
        ):
            names = [f"{node.module}.{a.name}" for a in node.names]
            # "from auditor import x" names a submodule or a package attribute
            out += [(node.lineno, n if node.module == "auditor" else node.module) for n in names]
    return out


def test_no_back_edges() -> None:
    violations = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        source = layer_of(module)
        for line, imported in auditor_imports(path):
            if imported in ("auditor", "auditor.__version__"):
                continue  # the package root holds only the version
            target = layer_of(imported)
            if target == source:
                continue
            if target == "emulator" and module not in EMULATOR_USERS:
                violations.append(f"{module}:{line} imports the local AWS ({imported})")
            elif target not in ALLOWED[source]:
                violations.append(f"{module}:{line} ({source}) imports {imported} ({target})")
    assert violations == []


def test_the_rule_catches_a_back_edge(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from auditor.policy.engine import evaluate\n")
    ((line, imported),) = auditor_imports(bad)
    assert (line, layer_of(imported)) == (2, "policy")
    assert "policy" not in ALLOWED["report"] and "scan" not in ALLOWED["policy"]


def test_architecture_md_names_every_package_and_the_cost_of_a_kind() -> None:
    text = (PACKAGE.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    packages = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    missing = [p for p in packages if f"auditor/{p}/" not in text]
    assert missing == [], f"ARCHITECTURE.md says nothing of {missing}"
    assert "a **resource kind** | **4 files**" in text
