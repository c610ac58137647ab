"""`auditor scan` and `auditor evaluate`: the two ways to a judgement (live, or from a saved inventory)."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, assert_never

import click

from auditor import api, interrupts
from auditor.cli.common import (
    EXIT_CODES_EPILOG,
    config_option,
    history_options,
    judge_options,
    output_options,
    take,
)
from auditor.cli.history_cmd import print_history
from auditor.cli.scan_options import scan_options
from auditor.history import RunSource
from auditor.inventory.model import Inventory
from auditor.pipeline import RunOutcome, default_output_dir
from auditor.report.gate import ExitCode
from auditor.report.priority import failing_policies
from auditor.report.summary import compliance_percent
from auditor.report.text import safe_text
from auditor.results import EvaluationResult, Finding, Severity, Verdict, WaiverStatus
from auditor.run_folder import RunFolder, already_written
from auditor.scan.progress import ScanProgress
from auditor.settings import HistoryFlags, JudgeFlags, OutputFlags, Settings, resolve

MAX_LISTED = 5  # scan errors, undecided checks and expired waivers named on the console


def print_summary(
    outcome: RunOutcome, inventory: Inventory, *, fail_on: Severity, saved_from: Path | None = None
) -> None:
    """A short human summary on stdout: what was covered, the verdicts, where the reports are, and
    why the exit code is what it is. ``saved_from``: the inventory file ``evaluate`` judged."""
    for line in summary_lines(outcome, inventory, fail_on=fail_on, saved_from=saved_from):
        click.echo(line)


def summary_lines(
    outcome: RunOutcome, inventory: Inventory, *, fail_on: Severity, saved_from: Path | None = None
) -> list[str]:
    """The lines ``print_summary`` prints; every value from the estate goes through ``safe_text``."""
    result = outcome.result
    verdicts = Counter(f.verdict for f in result.findings)
    failing = [f for f in result.findings if f.verdict is Verdict.FAIL]
    by_severity = Counter(f.severity for f in failing)
    compliance = compliance_percent(result)
    lines = _coverage_lines(inventory, saved_from)
    lines.append(
        "Verdicts: "
        + "  ".join(f"{verdicts.get(v, 0)} {v.value}" for v in Verdict)
        + (f"   compliance {compliance:.1f} %" if compliance is not None else "")
    )
    lines.append(
        "Failures by severity: "
        + "  ".join(f"{s.value} {by_severity.get(s, 0)}" for s in Severity if s is not Severity.INFO)
    )
    top = failing_policies(result)[:MAX_LISTED]
    if top:
        lines.append("Top failing policies (most severe first):")
        lines += [f"  {p.severity.value:<8} {p.failures:>4}  {p.policy_id}  {p.title}" for p in top]
    lines += _waiver_lines(result)
    lines += _scan_error_lines(result)
    lines += _undecided_lines(result, outcome.exit_code, fail_on)
    html = outcome.output_dir / "report.html"
    lines.append(f"Reports: {outcome.output_dir}/")
    if html in outcome.files:
        lines.append(f"Open: {html}")
    lines.append(
        f"Exit code {int(outcome.exit_code)}: {_exit_reason(result, outcome.exit_code, fail_on)} "
        f"(gate: --fail-on {fail_on.value})"
    )
    return [safe_text(line) for line in lines]


def _coverage_lines(inventory: Inventory, saved_from: Path | None) -> list[str]:
    accounts = {t.account_id for t in inventory.targets}
    regions = {t.region for t in inventory.targets}
    calls = sum(inventory.metadata.api_calls.values())
    what = (
        f"{len(accounts)} account(s) x {len(regions)} region(s): {len(inventory.endpoints)} endpoints, "
        f"{len(inventory.monitors)} monitors, {len(inventory.job_definitions)} job definitions, "
        f"{len(inventory.alarms)} monitoring alarms"
    )
    shard = inventory.metadata.options.get("shard")
    partial = (
        [
            f"  Shard {shard.get('index')}/{shard.get('count')} of a sharded scan: only its accounts are "
            "judged here; join every shard with `auditor merge` to judge the whole selection"
        ]
        if isinstance(shard, dict)
        else []
    )
    if saved_from is None:
        return [f"Scanned {what} ({calls} API calls, {len(inventory.errors)} scan errors)", *partial]
    # evaluate makes no AWS call: say what it judged, and what the original scan did, as such.
    return [
        f"Judged the saved inventory {saved_from} (no AWS calls): {what}",
        f"  from the scan finished {inventory.metadata.finished_at or 'at an unrecorded time'}, "
        f"which made {calls} API calls and recorded {len(inventory.errors)} scan errors",
        *partial,
    ]


def _waiver_lines(result: EvaluationResult) -> list[str]:
    if not result.waivers:
        return []
    status = Counter(w.status for w in result.waivers)
    waived = sum(f.verdict is Verdict.WAIVED for f in result.findings)
    lines = [
        f"Waivers: {status[WaiverStatus.ACTIVE]} active ({waived} finding(s) waived), "
        f"{status[WaiverStatus.EXPIRED]} expired, {status[WaiverStatus.UNUSED]} unused"
    ]
    # The expired waivers that no longer cover a failure: each turned a finding back into a FAIL.
    reverted = Counter(
        f.waiver.waiver_id
        for f in result.findings
        if f.verdict is Verdict.FAIL and f.waiver is not None and f.waiver.expired
    )
    expired = sorted((w for w in result.waivers if w.waiver_id in reverted), key=lambda w: w.waiver_id)
    for w in expired[:MAX_LISTED]:
        n = reverted[w.waiver_id]
        lines.append(
            f"  {w.waiver_id} expired {w.expires} ({w.policy_id}, owner {w.owner}): "
            f"{n} finding(s) it covered FAIL again"
        )
    if len(expired) > MAX_LISTED:
        lines.append(f"  ... and {len(expired) - MAX_LISTED} more expired waiver(s) (see report.html)")
    return lines


def _scan_error_lines(result: EvaluationResult) -> list[str]:
    errors = sorted(
        result.scan_errors, key=lambda e: (e.account_id, e.region or "", e.service, e.operation, e.message)
    )
    if not errors:
        return []
    lines = [f"Scan errors ({len(errors)}):"]
    for e in errors[:MAX_LISTED]:
        message = " ".join(e.message.split())
        if len(message) > 200:
            message = message[:199] + "…"
        lines.append(
            f"  {e.account_id} {e.region or '-'}  {e.service}:{e.operation}  {e.error_code}: {message}"
        )
    if len(errors) > MAX_LISTED:
        lines.append(f"  ... and {len(errors) - MAX_LISTED} more (see report.html, report.json)")
    return lines


def _undecided(result: EvaluationResult, fail_on: Severity) -> list[Finding]:
    """The ERROR verdicts the gate counts (at or above ``fail_on``), most severe first."""
    gated = [f for f in result.findings if f.verdict is Verdict.ERROR and f.severity.rank >= fail_on.rank]
    return sorted(gated, key=lambda f: (-f.severity.rank, f.policy_id, f.resource_arn))


def _undecided_lines(result: EvaluationResult, code: ExitCode, fail_on: Severity) -> list[str]:
    """On exit 3 without a scan error, the checks that could not be decided are the reason: name them."""
    if code is not ExitCode.INCOMPLETE or result.scan_errors:
        return []
    undecided = _undecided(result, fail_on)
    lines = [f"Could not check ({len(undecided)} at or above --fail-on {fail_on.value}):"]
    for f in undecided[:MAX_LISTED]:
        message = " ".join(f.message.split())
        lines.append(
            f"  [{f.severity.value}] {f.policy_id}  {f.resource_name} ({f.account_id}/{f.region}): {message}"
        )
    if len(undecided) > MAX_LISTED:
        lines.append(f"  ... and {len(undecided) - MAX_LISTED} more (see report.html)")
    return lines


def _exit_reason(result: EvaluationResult, code: ExitCode, fail_on: Severity) -> str:
    match code:
        case ExitCode.OK:
            return "no failure at or above the gate's severity"
        case ExitCode.FAILURES:
            return "a non-waived FAIL at or above the gate's severity"
        case ExitCode.INVALID_INPUT:
            return "invalid input"
        case ExitCode.INCOMPLETE:
            undecided = len(_undecided(result, fail_on))
            if result.scan_errors:
                also = f" and {undecided} check(s) could not be decided" if undecided else ""
                return (
                    f"incomplete: {len(result.scan_errors)} scan error(s){also}, listed above; "
                    "compliance is not established"
                )
            return f"incomplete: {undecided} check(s) could not be decided, listed above"
        case _:
            assert_never(code)


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


def _warn(chosen: Settings, *, quiet: bool) -> None:
    """Print the input warnings (to stderr: stdout is the summary)."""
    if quiet:
        return
    for warning in chosen.inputs.policies.warnings:
        click.echo(f"auditor: {safe_text(warning)}", err=True)
    for warning in chosen.inputs.warnings:
        click.echo(f"auditor: warning: {safe_text(warning)}", err=True)


def report_outcome(
    outcome: RunOutcome,
    inventory: Inventory,
    chosen: Settings,
    *,
    quiet: bool,
    saved_from: Path | None = None,
) -> int:
    """What the console says after a run (stderr for an empty selection), and the exit code.

    The run folder is complete by now: an interrupt while the summary is printed says so."""
    try:
        empty = outcome.empty
        if empty is not None and empty.exit_code is not None:
            click.echo(f"auditor: error: {safe_text(empty.source)}: {safe_text(empty.message)}", err=True)
        elif empty is not None and not quiet:
            click.echo(f"auditor: warning: {safe_text(empty.message)}", err=True)
        if not quiet:
            print_summary(outcome, inventory, fail_on=chosen.output.fail_on, saved_from=saved_from)
        print_history(outcome, chosen.history, quiet=quiet)
    except KeyboardInterrupt as exc:
        raise interrupts.Interrupted(interrupts.signal_of(exc), already_written(outcome.output_dir)) from exc
    return int(outcome.exit_code)


@click.command("scan", epilog=EXIT_CODES_EPILOG)
@scan_options
@judge_options
@output_options
@history_options
@config_option
def scan_cmd(config_path: Path | None, quiet: bool, **params: Any) -> int:
    """Scan AWS (read-only), judge with the policies, write the inventory and reports.

    Policies, waivers and the config are validated before any AWS call. The inventory is saved
    as inventory.json beside the reports, so the judgement can be re-run offline with
    `auditor evaluate`. The run is recorded in the history (see `auditor history`).
    """
    started = api.now()
    judge, output, history = take(params, JudgeFlags), take(params, OutputFlags), take(params, HistoryFlags)
    chosen = resolve(
        config_path, judge=judge, output=output, history=history, scan=params, source=RunSource.SCAN
    )
    _warn(chosen, quiet=quiet)

    def end_progress_line() -> None:
        if not quiet and sys.stderr.isatty():
            click.echo("", err=True)

    outcome = api.run(
        chosen, progress=_progress_printer(quiet), started_at=started, after_scan=end_progress_line
    )
    assert outcome.inventory is not None
    return report_outcome(outcome, outcome.inventory, chosen, quiet=quiet)


@click.command("evaluate", epilog=EXIT_CODES_EPILOG)
@click.argument("inventory_path", metavar="INVENTORY", type=click.Path(path_type=Path))
@judge_options
@output_options
@history_options
@config_option
def evaluate_cmd(inventory_path: Path, config_path: Path | None, quiet: bool, **params: Any) -> int:
    """Judge a saved inventory.json offline (no AWS calls) and write the reports.

    Ages and waiver expiry are judged as of the scan's end time, so re-evaluating a snapshot
    months later reproduces the same verdicts. The run is recorded in the history at the scan's time.
    """
    started = api.now()
    judge, output, history = take(params, JudgeFlags), take(params, OutputFlags), take(params, HistoryFlags)
    chosen = resolve(config_path, judge=judge, output=output, history=history, source=RunSource.EVALUATE)
    _warn(chosen, quiet=quiet)
    with RunFolder.open(chosen.output.output_dir or default_output_dir()) as folder:
        inventory = api.load_inventory(inventory_path)
        outcome = api.write(inventory, chosen, started_at=started, folder=folder)
    return report_outcome(outcome, inventory, chosen, quiet=quiet, saved_from=inventory_path)
