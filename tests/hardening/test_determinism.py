"""Two evaluations of the same inventory, in two processes with different hash seeds, write the same
bytes in every format except where a format embeds the generation time.

The run history is an input of the reports too (report.json and report.html show it), so each
evaluation gets a history of its own with the same (empty) past."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.inventory import store
from auditor.inventory.model import Inventory
from auditor.scan.orchestrator import scan

from .conftest import Local
from .support import cli_env, run_cli

pytestmark = pytest.mark.e2e

ALL_FORMATS = "json,html,junit,sarif,csv,markdown"
FILES = ("report.json", "report.html", "junit.xml", "report.sarif", "report.csv", "report.md")


@pytest.fixture(scope="module")
def incomplete_inventory(local: Local) -> Inventory:
    """A real scan with gaps, so ERROR verdicts and scan errors are in the reports too."""
    local.aws.clear_faults()
    local.aws.faults.add_rule(
        error="AccessDeniedException",
        operation="ListMonitoringSchedules",
        account_id=local.estate.members[1],
        region="eu-west-1",
    )
    try:
        inventory = scan(local.options())
    finally:
        local.aws.clear_faults()
    assert inventory.errors
    return inventory


def _evaluate(inventory_path: Path, out: Path, seed: str) -> dict[str, bytes]:
    proc = run_cli(
        [
            "evaluate",
            str(inventory_path),
            "--format",
            ALL_FORMATS,
            "--output-dir",
            str(out),
            "--history",
            str(out.parent / f"{out.name}-history.sqlite"),
        ],
        cwd=out.parent,
        env=cli_env(PYTHONHASHSEED=seed),
    )
    assert proc.returncode == 3, (proc.stdout, proc.stderr)
    return {name: (out / name).read_bytes() for name in FILES}


def _without_generated_at(files: dict[str, bytes]) -> dict[str, bytes]:
    generated_at = json.loads(files["report.json"])["generated_at"]
    assert generated_at
    return {name: data.replace(generated_at.encode(), b"<generated-at>") for name, data in files.items()}


def test_two_evaluations_write_identical_reports(incomplete_inventory: Inventory, tmp_path: Path) -> None:
    inventory_path = tmp_path / "inventory.json"
    store.save(incomplete_inventory, inventory_path)
    first = _evaluate(inventory_path, tmp_path / "first", seed="1")
    second = _evaluate(inventory_path, tmp_path / "second", seed="2")
    a, b = _without_generated_at(first), _without_generated_at(second)
    different = [name for name in FILES if a[name] != b[name]]
    assert different == []
    # report.json differs only in the generated-at field.
    one, two = json.loads(first["report.json"]), json.loads(second["report.json"])
    one.pop("generated_at"), two.pop("generated_at")
    assert one == two
