"""The run: inputs validated first, then scan (or a saved inventory), judge, render, gate.

This is the one place the stages meet. Each stage stays usable alone; this module only passes one
stage's output to the next and decides where files go.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from auditor.coverage import coverage_rows
from auditor.errors import InputError
from auditor.fileio import write_atomic
from auditor.history import HistoryOptions, HistoryOutcome, after_reports, attach
from auditor.inventory import store
from auditor.inventory.model import Inventory
from auditor.policy.engine import evaluate, inventory_sha256
from auditor.policy.loader import PolicySet, load_policy_set
from auditor.policy.waivers import Waiver, load_waivers
from auditor.report import resolve_formats, write_reports
from auditor.report.diff import compare, load_result
from auditor.report.evidence import record_run
from auditor.report.gate import ExitCode, exit_code
from auditor.results import EvaluationResult, Severity

DEFAULT_FORMATS = ("json", "html")


@dataclass(frozen=True)
class JudgeInputs:
    """Everything the judgement needs besides the inventory; loaded and validated before scanning."""

    policies: PolicySet
    waivers: list[Waiver]
    waiver_files: list[tuple[str, bytes]]
    baseline: EvaluationResult | None
    config_files: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass(frozen=True)
class OutputOptions:
    formats: tuple[str, ...] = DEFAULT_FORMATS
    output_dir: Path | None = None
    fail_on: Severity = Severity.HIGH
    allow_incomplete: bool = False
    argv: tuple[str, ...] = field(default_factory=lambda: tuple(sys.argv))


@dataclass(frozen=True)
class RunOutcome:
    result: EvaluationResult
    output_dir: Path
    files: list[Path]
    exit_code: ExitCode
    history: HistoryOutcome | None = None  # None: no history for this run


def default_output_dir(now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return Path("reports") / stamp


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """Validate format names before any AWS call (InputError on an unknown one)."""
    if not formats:
        raise InputError("--format", "at least one format is needed")
    return tuple(r.name for r in resolve_formats(formats))


def load_judge_inputs(
    *,
    policy_paths: Sequence[Path] = (),
    builtin: bool = True,
    enable: Sequence[str] = (),
    disable: Sequence[str] = (),
    parameters: dict[str, dict[str, object]] | None = None,
    waivers_path: Path | None = None,
    baseline_path: Path | None = None,
    config_path: Path | None = None,
) -> JudgeInputs:
    """Load policies, waivers and the baseline report; any invalid input raises InputError (exit 2).

    With no arguments: the built-in pack with its default parameters, no waivers, no baseline.
    """
    policies = load_policy_set(
        policy_paths, builtin=builtin, enable=enable, disable=disable, parameters=parameters
    )
    waivers: list[Waiver] = []
    waiver_files: list[tuple[str, bytes]] = []
    if waivers_path is not None:
        waivers = load_waivers(waivers_path)
        waiver_files.append((waivers_path.name, waivers_path.read_bytes()))
    baseline = load_result(baseline_path) if baseline_path is not None else None
    config_files = [(config_path.name, config_path.read_bytes())] if config_path is not None else []
    return JudgeInputs(
        policies=policies,
        waivers=waivers,
        waiver_files=waiver_files,
        baseline=baseline,
        config_files=config_files,
    )


def judge(
    inventory: Inventory, inputs: JudgeInputs, *, inventory_digest: str | None = None
) -> EvaluationResult:
    """Evaluate, then add the coverage matrix and the comparison with the baseline."""
    result = evaluate(inventory, inputs.policies, inputs.waivers, inventory_digest=inventory_digest)
    result.coverage = coverage_rows(inventory, result.findings)
    if inputs.baseline is not None:
        result.baseline = compare(inputs.baseline, result)
    return result


def finish(
    inventory: Inventory,
    inputs: JudgeInputs,
    output: OutputOptions,
    *,
    started_at: str,
    history: HistoryOptions | None = None,
) -> RunOutcome:
    """Judge the inventory, write the inventory, reports and run record atomically, compute the exit code.

    With ``history``: the history is read before rendering (``result.history``), the run is recorded
    after the reports are written, and the gate may count only new or old failures.
    """
    saved = store.dumps(inventory)  # serialized once: saved, and hashed for report.json
    result = judge(inventory, inputs, inventory_digest=inventory_sha256(saved))
    if history is not None:
        attach(history, result)
    out_dir = output.output_dir or default_output_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(out_dir / "inventory.json", saved)
    files = [out_dir / "inventory.json", *write_reports(result, output.formats, out_dir)]
    record_run(
        out_dir,
        policy_files=[(name, src.read_bytes()) for name, src in inputs.policies.files],
        waiver_files=inputs.waiver_files,
        config_files=inputs.config_files,
        argv=output.argv,
        started_at=started_at,
        finished_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    recorded = after_reports(history, result, label=str(out_dir)) if history is not None else None
    code = exit_code(
        result,
        fail_on=output.fail_on,
        allow_incomplete=output.allow_incomplete,
        counts=history.gate(result) if history is not None else None,
    )
    return RunOutcome(result=result, output_dir=out_dir, files=files, exit_code=code, history=recorded)
