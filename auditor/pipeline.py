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

from auditor.errors import InputError
from auditor.history import HistoryOptions, HistoryOutcome, after_reports, attach
from auditor.history.migration_loss import POLICY_ID as COVERAGE_LOST_POLICY
from auditor.history.migration_loss import add_coverage_lost, coverage_lost
from auditor.inventory import store
from auditor.inventory.codec import to_jsonable
from auditor.inventory.model import Inventory
from auditor.policy.engine import evaluate, waive_more
from auditor.policy.frameworks import FrameworkSet, load_frameworks
from auditor.policy.loader import PolicySet, load_policy_set
from auditor.policy.rollup import rollup
from auditor.policy.waivers import DEFAULT_MAX_DAYS as DEFAULT_WAIVER_MAX_DAYS
from auditor.policy.waivers import Waiver, load_waivers
from auditor.report import ReportOptions, resolve_formats, write_reports
from auditor.report.diff import compare, load_result
from auditor.report.evidence import INVENTORY_FILE, record_run
from auditor.report.gate import ExitCode, exit_code
from auditor.results import EvaluationResult, Severity
from auditor.run_folder import RunFolder
from auditor.selection import EmptySelection, empty_selection

DEFAULT_FORMATS = ("json", "html")


@dataclass(frozen=True)
class JudgeInputs:
    """Everything the judgement needs besides the inventory; loaded and validated before scanning."""

    policies: PolicySet
    waivers: list[Waiver]
    waiver_files: list[tuple[str, bytes]]
    baseline: EvaluationResult | None
    config_files: list[tuple[str, bytes]] = field(default_factory=list)
    frameworks: FrameworkSet = field(default_factory=FrameworkSet)
    warnings: list[str] = field(default_factory=list)  # for the user; nothing that stops the run


@dataclass(frozen=True)
class OutputOptions:
    formats: tuple[str, ...] = DEFAULT_FORMATS
    output_dir: Path | None = None
    fail_on: Severity = Severity.HIGH
    allow_incomplete: bool = False
    asff_include_passed: bool = False
    argv: tuple[str, ...] = field(default_factory=lambda: tuple(sys.argv))
    fail_on_empty: bool | None = None  # None: on for a targeted scan, off for a full one (auditor.selection)


@dataclass(frozen=True)
class RunOutcome:
    result: EvaluationResult
    output_dir: Path
    files: list[Path]
    exit_code: ExitCode
    empty: EmptySelection | None = None  # set when no endpoint was judged: the CLI says so on stderr
    history: HistoryOutcome | None = None  # None: no history for this run
    inventory: Inventory | None = None  # what was judged (set by finish)


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
    framework_paths: Sequence[Path] = (),
    waiver_max_days: int = DEFAULT_WAIVER_MAX_DAYS,
) -> JudgeInputs:
    """Load policies, frameworks, waivers and the baseline report; any invalid input raises InputError
    (exit 2).

    With no arguments: the built-in pack with its default parameters and its framework mappings, no
    waivers, no baseline. The built-in frameworks come with the built-in pack (``builtin``); every
    framework may only name policies that were loaded. A waiver must name a loaded policy; one for
    a policy that is loaded but not enabled in this run is a warning (it has nothing to waive).
    """
    policies = load_policy_set(
        policy_paths,
        builtin=builtin,
        enable=enable,
        disable=disable,
        parameters=parameters,
        parameters_source=str(config_path) if config_path is not None else "config",
    )
    frameworks = load_frameworks(
        framework_paths, builtin=builtin, known_policies={p.id for p in policies.available}
    )
    waivers: list[Waiver] = []
    waiver_files: list[tuple[str, bytes]] = []
    warnings: list[str] = []
    if waivers_path is not None:
        waivers = load_waivers(
            waivers_path,
            # the history-driven check (auditor.history.migration_loss) is waivable too
            known_policies={p.id for p in policies.available} | {COVERAGE_LOST_POLICY},
            max_days=waiver_max_days,
        )
        waiver_files.append((waivers_path.name, waivers_path.read_bytes()))
        enabled = {p.id for p in policies.policies}
        warnings += [
            f"{w.source}: waiver {w.id}: policy {w.policy_id!r} is not enabled in this run; "
            "the waiver has nothing to waive"
            for w in waivers
            if w.policy_id not in enabled
        ]
    baseline = load_result(baseline_path) if baseline_path is not None else None
    config_files = [(config_path.name, config_path.read_bytes())] if config_path is not None else []
    return JudgeInputs(
        policies=policies,
        waivers=waivers,
        waiver_files=waiver_files,
        baseline=baseline,
        config_files=config_files,
        frameworks=frameworks,
        warnings=warnings,
    )


def judge(
    inventory: Inventory, inputs: JudgeInputs, *, inventory_digest: str | None = None
) -> EvaluationResult:
    """Evaluate (verdicts and the coverage matrix they make), then add the framework rollup and the
    comparison with the baseline."""
    result = evaluate(inventory, inputs.policies, inputs.waivers, inventory_digest=inventory_digest)
    result.frameworks = rollup(inputs.frameworks.frameworks, result)
    if inputs.baseline is not None:
        result.baseline = compare(inputs.baseline, result)
    return result


def finish(
    inventory: Inventory,
    inputs: JudgeInputs,
    output: OutputOptions,
    *,
    started_at: str,
    folder: RunFolder | None = None,
    history: HistoryOptions | None = None,
) -> RunOutcome:
    """Judge the inventory, write the inventory, reports and run record as one set, compute the exit code.

    ``folder`` is the output folder the caller opened (and locked) before scanning; without it, the
    folder of ``output`` is opened here. Everything is written into the folder's staging area first
    and moved into place together (see ``auditor.run_folder``). A file that cannot be written is an
    InputError naming it; the folder then still holds the previous run.

    A run that judged no endpoint never passes the gate (``auditor.selection``): a targeted one that
    matched nothing raises InputError before anything is written; one whose endpoints scan errors
    could have hidden exits 3.

    With ``history``: the history is read before rendering (``result.history``), the run is recorded
    after its files are in place, and the gate may count only new or old failures.
    """
    empty = empty_selection(inventory, fail_on_empty=output.fail_on_empty)
    if empty is not None and empty.exit_code is ExitCode.INVALID_INPUT:
        raise InputError(empty.source, empty.message)
    if folder is None:
        with RunFolder.open(output.output_dir or default_output_dir()) as opened:
            return finish(inventory, inputs, output, started_at=started_at, folder=opened, history=history)
    staging = folder.staging()
    try:
        # Written first, in pieces (never held whole), and hashed as written for report.json.
        digest = store.write(inventory, staging / INVENTORY_FILE)
    except OSError as exc:
        raise InputError(str(folder.path), f"cannot write the run: {exc.strerror or exc}") from None
    result = judge(inventory, inputs, inventory_digest=digest)
    # History-driven: a monitor type watched in the previous run of this scope and lost since. The run's
    # waivers cover its failures like any other.
    lost = coverage_lost(result, inventory, history)
    waive_more(result, lost or [], inputs.waivers)
    add_coverage_lost(result, lost)
    if history is not None:
        attach(history, result)
    try:
        options = ReportOptions(asff_include_passed=output.asff_include_passed)
        reports = [p.name for p in write_reports(result, output.formats, staging, options=options)]
        written = record_run(
            staging,
            files=[INVENTORY_FILE, *reports],
            policy_files=[(name, src.read_bytes()) for name, src in inputs.policies.files],
            framework_files=[(name, src.read_bytes()) for name, src in inputs.frameworks.files],
            waiver_files=inputs.waiver_files,
            config_files=inputs.config_files,
            argv=output.argv,
            started_at=started_at,
            finished_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            inventory_metadata=to_jsonable(inventory.metadata),
        )
    except OSError as exc:
        raise InputError(str(folder.path), f"cannot write the run: {exc.strerror or exc}") from None
    folder.commit(written)
    files = [folder.path / name for name in (INVENTORY_FILE, *reports)]
    recorded = after_reports(history, result, label=str(folder.path)) if history is not None else None
    code = exit_code(
        result,
        fail_on=output.fail_on,
        allow_incomplete=output.allow_incomplete,
        counts=history.gate(result) if history is not None else None,
    )
    if empty is not None and empty.exit_code is ExitCode.INCOMPLETE and code is not ExitCode.FAILURES:
        code = ExitCode.INCOMPLETE  # even with --allow-incomplete: nothing was judged
    return RunOutcome(
        result=result,
        output_dir=folder.path,
        files=files,
        exit_code=code,
        empty=empty,
        history=recorded,
        inventory=inventory,
    )
