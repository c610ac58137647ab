"""The README's policy table is the built-in pack, exactly."""

from __future__ import annotations

from pathlib import Path

from auditor.policy.loader import load_policy_set

README = Path(__file__).resolve().parents[2] / "README.md"


def test_policy_table_matches_the_builtin_pack() -> None:
    text = README.read_text(encoding="utf-8")
    table = text.split("<!-- POLICIES -->", 1)[1].split("<!-- /POLICIES -->", 1)[0]
    rows = table.strip().splitlines()[2:]
    documented = [tuple(cell.strip().strip("`") for cell in row.strip("|").split("|")) for row in rows]
    pack = [(p.id, p.severity.value, p.resource_kind.value, p.title) for p in load_policy_set().policies]
    assert documented == pack
