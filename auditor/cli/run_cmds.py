"""`auditor scan` and `auditor evaluate`: the two ways to a judgement (live, or from a saved inventory)."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from auditor.cli.common import (
    EXIT_CODES_EPILOG,
    HistoryArgs,
    JudgeArgs,
    LoadedConfig,
    build_history_options,
    build_judge_inputs,
    build_output_options,
    config_option,
    history_options,
    judge_options,
    output_options,
    resolve_config,
)
from auditor.cli.history_cmd import print_history
from auditor.cli.scan_options import build_scan_options, scan_options
from auditor.config import Config
from auditor.history import HistoryOptions, RunSource
from auditor.history import check as check_history
from auditor.inventory import store
from auditor.inventory.model import Inventory
from auditor.pipeline import JudgeInputs, OutputOptions, RunOutcome, finish
from auditor.report.gate import ExitCode
from auditor.report.summary import compliance_percent
from auditor.results import Severity, Verdict
from auditor.scan.orchestrator import scan
from auditor.scan.progress import ScanProgress


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_EXIT_REASON = {
    ExitCode.OK: "no failure at or above the gate's severity",
    ExitCode.FAILURES: "a non-waived FAIL at or above the gate's severity",
    ExitCode.INVALID_INPUT: "invalid input",
    ExitCode.INCOMPLETE: "the scan was incomplete: some data could not be collected (see ERROR verdicts)",
}


def print_summary(outcome: RunOutcome, inventory: Inventory, *, fail_on: Severity) -> None:
    """A short human summary on stdout: what was covered, the verdicts, where the reports are."""
    result = outcome.result
    verdicts = Counter(f.verdict for f in result.findings)
    failing = [f for f in result.findings if f.verdict is Verdict.FAIL]
    by_severity = Counter(f.severity for f in failing)
    accounts = sorted({t.account_id for t in inventory.targets})
    regions = sorted({t.region for t in inventory.targets})
    calls = sum(inventory.metadata.api_calls.values())
    compliance = compliance_percent(result)
    echo = click.echo
    echo(
        f"Scanned {len(accounts)} account(s) x {len(regions)} region(s): "
        f"{len(inventory.endpoints)} endpoints, "
        f"{len(inventory.monitors)} monitors, {len(inventory.job_definitions)} job definitions, "
        f"{len(inventory.alarms)} monitoring alarms ({calls} API calls, {len(inventory.errors)} scan errors)"
    )
    echo(
        "Verdicts: "
        + "  ".join(f"{verdicts.get(v, 0)} {v.value}" for v in Verdict)
        + (f"   compliance {compliance:.1f} %" if compliance is not None else "")
    )
    echo(
        "Failures by severity: "
        + "  ".join(f"{s.value} {by_severity.get(s, 0)}" for s in Severity if s is not Severity.INFO)
    )
    top = Counter(f.policy_id for f in failing).most_common(5)
    if top:
        titles = {p.id: p.title for p in result.policies}
        echo("Top failing policies:")
        for policy_id, count in top:
            echo(f"  {count:>4}  {policy_id}  {titles.get(policy_id, '')}")
    html = outcome.output_dir / "report.html"
    echo(f"Reports: {outcome.output_dir}/")
    if html in outcome.files:
        echo(f"Open: {html}")
    echo(
        f"Exit code {int(outcome.exit_code)}: {_EXIT_REASON[outcome.exit_code]} "
        f"(gate: --fail-on {fail_on.value})"
    )


def _progress_printer(quiet: bool) -> Any:
    if quiet or not sys.stderr.isatty():
        return None

    def show(progress: ScanProgress) -> None:
        click.echo(f"\r{progress.describe()}", err=True, nl=False)

    return show


@dataclass(frozen=True)
class _Run:
    """Everything validated before the inventory exists (before any AWS call, for a scan)."""

    started_at: str
    loaded: LoadedConfig
    inputs: JudgeInputs
    output: OutputOptions
    history: HistoryOptions
    scan_kwargs: dict[str, Any]  # the scan options merged with the config (empty for evaluate)


def _prepare(
    config_path: Path | None,
    judge_args: JudgeArgs,
    *,
    formats: tuple[str, ...],
    output_dir: Path | None,
    fail_on: str | None,
    allow_incomplete: bool | None,
    history_args: HistoryArgs,
    scan_kwargs: dict[str, Any] | None = None,
) -> _Run:
    started = _now()
    loaded = resolve_config(config_path)
    merged = _merge_scan_config(loaded.config, scan_kwargs) if scan_kwargs is not None else {}
    inputs = build_judge_inputs(loaded, judge_args)
    output = build_output_options(
        loaded.config,
        formats=formats,
        output_dir=output_dir,
        fail_on=fail_on,
        allow_incomplete=allow_incomplete,
    )
    history = build_history_options(
        loaded.config,
        history_args,
        source=RunSource.SCAN if scan_kwargs is not None else RunSource.EVALUATE,
        profile=merged.get("profile"),
        endpoint_url=merged.get("endpoint_url"),
    )
    check_history(history)
    return _Run(started, loaded, inputs, output, history, merged)


def _finish(run: _Run, inventory: Inventory, *, quiet: bool) -> int:
    outcome = finish(inventory, run.inputs, run.output, started_at=run.started_at, history=run.history)
    if not quiet:
        print_summary(outcome, inventory, fail_on=run.output.fail_on)
    print_history(outcome, run.history, quiet=quiet)
    return int(outcome.exit_code)


@click.command("scan", epilog=EXIT_CODES_EPILOG)
@scan_options
@judge_options
@output_options
@history_options
@config_option
def scan_cmd(
    config_path: Path | None,
    policy_paths: tuple[str, ...],
    no_builtin: bool | None,
    enable: tuple[str, ...],
    disable: tuple[str, ...],
    waivers_path: str | None,
    baseline_path: str | None,
    formats: tuple[str, ...],
    output_dir: Path | None,
    fail_on: str | None,
    allow_incomplete: bool | None,
    quiet: bool,
    history_path: str | None,
    fail_on_new: bool | None,
    fail_on_age: int | None,
    notify_webhook: str | None,
    notify_sns_topic: str | None,
    **scan_kwargs: Any,
) -> int:
    """Scan AWS (read-only), judge with the policies, write the inventory and reports.

    Policies, waivers and the config are validated before any AWS call. The inventory is saved
    as inventory.json beside the reports, so the judgement can be re-run offline with
    `auditor evaluate`. The run is recorded in the history (see `auditor history`).
    """
    run = _prepare(
        config_path,
        JudgeArgs(policy_paths, no_builtin, enable, disable, waivers_path, baseline_path),
        formats=formats,
        output_dir=output_dir,
        fail_on=fail_on,
        allow_incomplete=allow_incomplete,
        history_args=HistoryArgs(history_path, fail_on_new, fail_on_age, notify_webhook, notify_sns_topic),
        scan_kwargs=scan_kwargs,
    )
    options = build_scan_options(**run.scan_kwargs)
    inventory = scan(options, progress=_progress_printer(quiet))
    if not quiet and sys.stderr.isatty():
        click.echo("", err=True)
    return _finish(run, inventory, quiet=quiet)


def _merge_scan_config(config: Config, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Fill scan options the command line left unset from the config file."""
    merged = dict(kwargs)
    fallbacks: dict[str, Any] = {
        "accounts": ",".join(config.accounts) if config.accounts else None,
        "org": config.org or None,
        "ous": tuple(config.ous) or None,
        "role_name": config.role_name,
        "role_arn_template": config.role_arn_template,
        "external_id": config.external_id,
        "regions": ",".join(config.regions) if config.regions else None,
        "profile": config.profile,
        "no_search": (not config.search) or None,
    }
    for key, value in fallbacks.items():
        if key in merged and not merged[key] and value is not None:
            merged[key] = value
    return merged


@click.command("evaluate", epilog=EXIT_CODES_EPILOG)
@click.argument("inventory_path", metavar="INVENTORY", type=click.Path(path_type=Path))
@judge_options
@output_options
@history_options
@config_option
def evaluate_cmd(
    inventory_path: Path,
    config_path: Path | None,
    policy_paths: tuple[str, ...],
    no_builtin: bool | None,
    enable: tuple[str, ...],
    disable: tuple[str, ...],
    waivers_path: str | None,
    baseline_path: str | None,
    formats: tuple[str, ...],
    output_dir: Path | None,
    fail_on: str | None,
    allow_incomplete: bool | None,
    quiet: bool,
    history_path: str | None,
    fail_on_new: bool | None,
    fail_on_age: int | None,
    notify_webhook: str | None,
    notify_sns_topic: str | None,
) -> int:
    """Judge a saved inventory.json offline (no AWS calls) and write the reports.

    Ages and waiver expiry are judged as of the scan's end time, so re-evaluating a snapshot
    months later reproduces the same verdicts. The run is recorded in the history at the scan's time.
    """
    run = _prepare(
        config_path,
        JudgeArgs(policy_paths, no_builtin, enable, disable, waivers_path, baseline_path),
        formats=formats,
        output_dir=output_dir,
        fail_on=fail_on,
        allow_incomplete=allow_incomplete,
        history_args=HistoryArgs(history_path, fail_on_new, fail_on_age, notify_webhook, notify_sns_topic),
    )
    return _finish(run, store.load(inventory_path), quiet=quiet)
