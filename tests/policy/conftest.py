"""Helpers for policy tests: inventories from compact fragments, policies from YAML text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.inventory.model import Inventory
from auditor.policy.cases import build_inventory
from auditor.policy.yamlsrc import SourceMap


def inventory_from(fragment: dict[str, Any]) -> Inventory:
    """A linked inventory from a case-style fragment (see auditor.policy.cases)."""
    return build_inventory(fragment, SourceMap("<test>"))


@pytest.fixture
def write_policy(tmp_path: Path):
    """Write a policy (dict or YAML text) to a file and return its path."""

    def write(content: dict[str, Any] | str, name: str = "policy.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


def minimal_policy(**overrides: Any) -> dict[str, Any]:
    """A small valid endpoint policy to vary in tests."""
    policy: dict[str, Any] = {
        "id": "t-dq",
        "title": "DQ monitor",
        "description": "test policy",
        "severity": "high",
        "resource": "endpoint",
        "check": {"some": "monitors", "where": {"path": "monitor_type", "equals": "DataQuality"}},
        "message": "expected DataQuality; found ${monitors[].monitor_type}",
        "remediation": "Create one with CreateMonitoringSchedule.",
    }
    policy.update(overrides)
    return policy
