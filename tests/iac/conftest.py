"""Helpers for the template and plan tests: read fixtures, judge them with the built-in pack."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from auditor.iac.reader import IacOptions, IacResult, read
from auditor.inventory.model import Inventory
from auditor.policy.engine import evaluate
from auditor.policy.loader import load_policy_set
from auditor.results import EvaluationResult, Finding, Verdict

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ACCOUNT = "123456789012"
REGION = "us-east-1"

# The built-in policies that judge resources before deploy (phase: any), and those that wait for it.
BEFORE_DEPLOY = (
    "mm-alarm-actionable",
    "mm-data-capture",
    "mm-data-quality-monitor",
    "mm-drift-alarm",
    "mm-ground-truth-input",
    "mm-job-kms",
    "mm-job-network-security",
    "mm-metrics-publishing",
    "mm-model-bias-monitor",
    "mm-model-explainability-monitor",
    "mm-model-quality-monitor",
    "mm-monitor-baseline",
    "mm-orphan-job-definition",
    "mm-orphan-schedule",
    "mm-schedule-frequency",
    "mm-schedule-status",
)


def read_paths(
    *paths: Path,
    account: str | None = ACCOUNT,
    region: str | None = REGION,
    parameters: Mapping[str, str] | None = None,
    base: Inventory | None = None,
) -> IacResult:
    options = IacOptions(account=account, region=region, parameters=dict(parameters or {}))
    return read(list(paths), options, base=base, base_label="inventory.json" if base is not None else None)


def judge(*paths: Path, **kwargs: object) -> EvaluationResult:
    result = read_paths(*paths, **kwargs)  # type: ignore[arg-type]
    return evaluate(result.inventory, load_policy_set())


def verdicts(result: EvaluationResult, policy_id: str) -> dict[str, Verdict]:
    """Resource name -> verdict of one policy."""
    return {f.resource_name: f.verdict for f in result.findings if f.policy_id == policy_id}


def finding(result: EvaluationResult, policy_id: str, name: str) -> Finding:
    (found,) = [f for f in result.findings if f.policy_id == policy_id and f.resource_name == name]
    return found


def write(tmp_path: Path, text: str, name: str = "template.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
