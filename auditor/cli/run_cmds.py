"""`auditor scan` and `auditor evaluate`: the two ways to a judgement (live, or from a saved inventory)."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from auditor.cli.common import (
    EXIT_CODES_EPILOG,
    JudgeArgs,
    LoadedConfig,
    build_judge_inputs,
    build_output_options,
    config_option,
    judge_options,
    output_options,
    resolve_config,
)
from auditor.cli.scan_options import build_scan_options, scan_options
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


PROGRESS_INTERVAL_SECONDS = 5.0  # on a non-terminal (CI logs): at most one progress line this often


class PeriodicProgress:
    """Progress for a non-terminal (a CI log): a line on stderr at most every ``interval`` seconds,
    and only when something changed, instead of a line rewritten in place."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._clock = clock
        self._last_time: float | None = None
        self._last_text: str | None = None

    def __call__(self, progress: ScanProgress) -> None:
        text = progress.describe()
        now = self._clock()
        if text == self._last_text:
            return
        if self._last_time is not None and now - self._last_time < self._interval:
            return
        click.echo(f"auditor: scanning: {text}", err=True)
        self._last_time, self._last_text = now, text


def _progress_printer(quiet: bool) -> Callable[[ScanProgress], None] | None:
    """Progress on stderr: rewritten in place on a terminal, a periodic line elsewhere; none if quiet."""
    if quiet:
        return None
    if not sys.stderr.isatty():
        return PeriodicProgress(PROGRESS_INTERVAL_SECONDS)

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


def _prepare(
    config_path: Path | None,
    judge_args: JudgeArgs,
    *,
    formats: tuple[str, ...],
    output_dir: Path | None,
    fail_on: str | None,
    allow_incomplete: bool | None,
    fail_on_empty: bool | None,
    quiet: bool,
) -> _Run:
    started = _now()
    loaded = resolve_config(config_path)
    inputs = build_judge_inputs(loaded, judge_args)
    if not quiet:
        for warning in inputs.policies.warnings:
            click.echo(f"auditor: {warning}", err=True)
    output = build_output_options(
        loaded.config,
        formats=formats,
        output_dir=output_dir,
        fail_on=fail_on,
        allow_incomplete=allow_incomplete,
        fail_on_empty=fail_on_empty,
    )
    return _Run(started, loaded, inputs, output)


def _finish(run: _Run, inventory: Inventory, *, quiet: bool) -> int:
    outcome = finish(inventory, run.inputs, run.output, started_at=run.started_at)
    empty = outcome.empty
    if empty is not None and empty.exit_code is not None:
        click.echo(f"auditor: error: {empty.source}: {empty.message}", err=True)
    elif empty is not None and not quiet:
        click.echo(f"auditor: warning: {empty.message}", err=True)
    if not quiet:
        print_summary(outcome, inventory, fail_on=run.output.fail_on)
    return int(outcome.exit_code)


@click.command("scan", epilog=EXIT_CODES_EPILOG)
@scan_options
@judge_options
@output_options
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
    fail_on_empty: bool | None,
    quiet: bool,
    **scan_kwargs: Any,
) -> int:
    """Scan AWS (read-only), judge with the policies, write the inventory and reports.

    Policies, waivers and the config are validated before any AWS call. The inventory is saved
    as inventory.json beside the reports, so the judgement can be re-run offline with
    `auditor evaluate`.
    """
    run = _prepare(
        config_path,
        JudgeArgs(policy_paths, no_builtin, enable, disable, waivers_path, baseline_path),
        formats=formats,
        output_dir=output_dir,
        fail_on=fail_on,
        allow_incomplete=allow_incomplete,
        fail_on_empty=fail_on_empty,
        quiet=quiet,
    )
    options = build_scan_options(**_merge_scan_config(run.loaded, scan_kwargs))
    inventory = scan(options, progress=_progress_printer(quiet))
    if not quiet and sys.stderr.isatty():
        click.echo("", err=True)
    return _finish(run, inventory, quiet=quiet)


# Settings that only make sense together: when the command line sets any of a group, the config
# file's values for the whole group are ignored (flags override the file, and never mix with it).
_SCAN_GROUPS: tuple[tuple[str, ...], ...] = (
    ("accounts", "org", "ous"),
    ("role_name", "role_arn_template"),
    ("endpoint_names", "endpoint_tags"),
)


def _merge_scan_config(loaded: LoadedConfig, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Fill scan options the command line left unset from the config file.

    Precedence is per setting, and per group for settings that go together (which accounts:
    accounts / org + ous; which role: role_name / role_arn_template; which endpoints: endpoints /
    endpoint_tags): a flag of a group replaces the file's whole group. Contradicting flags are
    rejected by ``build_scan_options``; a config file that contradicts itself, by ``load_config``.
    """
    config = loaded.config
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
        "endpoint_names": tuple(config.endpoints) or None,
        "endpoint_tags": tuple(config.endpoint_tags) or None,
    }
    from_flags = {key for key in fallbacks if merged.get(key)}
    for group in _SCAN_GROUPS:
        if from_flags & set(group):
            for key in group:
                fallbacks.pop(key)
    if fallbacks.get("role_arn_template"):
        fallbacks.pop("role_name")  # in the file, the template overrides the role name (as documented)
    for key, value in fallbacks.items():
        if key in merged and not merged[key] and value is not None:
            merged[key] = value
            if key == "profile":
                merged["profile_source"] = f"{loaded.path or 'config'}: profile"
    return merged


@click.command("evaluate", epilog=EXIT_CODES_EPILOG)
@click.argument("inventory_path", metavar="INVENTORY", type=click.Path(path_type=Path))
@judge_options
@output_options
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
    fail_on_empty: bool | None,
    quiet: bool,
) -> int:
    """Judge a saved inventory.json offline (no AWS calls) and write the reports.

    Ages and waiver expiry are judged as of the scan's end time, so re-evaluating a snapshot
    months later reproduces the same verdicts.
    """
    run = _prepare(
        config_path,
        JudgeArgs(policy_paths, no_builtin, enable, disable, waivers_path, baseline_path),
        formats=formats,
        output_dir=output_dir,
        fail_on=fail_on,
        allow_incomplete=allow_incomplete,
        fail_on_empty=fail_on_empty,
        quiet=quiet,
    )
    return _finish(run, store.load(inventory_path), quiet=quiet)
