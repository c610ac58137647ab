"""Every policy example in docs/policy-authoring.md loads and validates with the real loader."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from auditor.policy.loader import load_policy_set

DOC = Path(__file__).resolve().parents[2] / "docs" / "policy-authoring.md"
BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def _documents() -> list[dict[str, object]]:
    return [d for block in BLOCKS for d in yaml.safe_load_all(block) if d]


def test_the_guide_has_full_policies_and_operator_examples() -> None:
    docs = _documents()
    assert sum("id" in d for d in docs) >= 4
    assert sum(set(d) == {"check"} for d in docs) >= 14


@pytest.mark.parametrize("index", range(len(_documents())))
def test_example_validates(index: int, tmp_path: Path) -> None:
    document = _documents()[index]
    if "id" not in document:
        # A bare check: wrap it in a minimal policy of the kind its paths address.
        monitor_fields = ("last_execution", "job_definition", "interval_seconds", "monitor_type", "alarms")
        text = yaml.safe_dump(document)
        kind = "monitor" if any(f in text for f in monitor_fields) else "endpoint"
        document = {
            "id": f"doc-example-{index}",
            "title": "example",
            "description": "example",
            "severity": "low",
            "resource": kind,
            "message": "example",
            "remediation": "example",
            **document,
        }
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    policy_set = load_policy_set([path], builtin=False)
    assert [p.id for p in policy_set.policies] == [document["id"]]
