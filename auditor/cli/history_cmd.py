"""`auditor history list | show | trend | import`, and the history lines after a scan or evaluate run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from auditor.errors import printable
from auditor.history import DEFAULT_HISTORY_PATH, HistoryOptions, open_history
from auditor.history.db import Database
from auditor.history.lifecycle import whole_days
from auditor.history.record import RunSource, record
from auditor.history.timeline import observed_at, scope_of
from auditor.history.trend import TrendBy, list_runs, resolve_scope, scopes, show_run, trend
from auditor.pipeline import RunOutcome
from auditor.report.diff import load_result
from auditor.report.summary import compliance_from_counts, format_percent
from auditor.results import EvaluationResult, LifecycleStatus, Verdict


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = ()) -> str:
    """A plain terminal table: columns padded to their widest cell, numbers right-aligned."""
    cells = [[printable(str(c)) for c in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        parts = [c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(row)]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


# --------------------------------------------------------------------------- after a run


def print_history(outcome: RunOutcome, options: HistoryOptions, *, quiet: bool) -> None:
    """One line on the history, the gate's narrowing, and notification results (failures on stderr)."""
    recorded = outcome.history
    view = outcome.result.history
    if recorded is None or view is None or options.path is None:
        return
    if not quiet:
        counts = {s: 0 for s in LifecycleStatus}
        for h in view.findings:
            counts[h.status] += 1
        where = options.path.as_posix()
        if view.previous_run_at is None:
            click.echo(f"History: first run of this scope, recorded as run {recorded.run_id} in {where}")
        else:
            oldest = max((h.age_days for h in view.findings), default=None)
            regressed = counts[LifecycleStatus.REGRESSED] + counts[LifecycleStatus.REOPENED]
            gap = whole_days(view.previous_run_at, view.observed_at)
            click.echo(
                f"History: run {recorded.run_id} in {where}; since the previous run ({gap} day(s) earlier): "
                f"{counts[LifecycleStatus.NEW]} new, {regressed} regressed or reopened, "
                f"{len(view.resolved)} resolved"
                + (f"; oldest open failure {oldest} day(s)" if oldest is not None else "")
            )
        _print_gate(outcome, options)
        delivery = recorded.delivery
        if delivery.sent:
            click.echo(f"Notified: {', '.join(delivery.sent)}")
        elif delivery.skipped:
            click.echo(f"Notifications: nothing sent ({delivery.skipped})")
    for failure in recorded.delivery.failures:
        click.echo(f"auditor: warning: notification failed: {failure} (exit code unchanged)", err=True)


def _print_gate(outcome: RunOutcome, options: HistoryOptions) -> None:
    gate = options.gate(outcome.result)
    if gate is None:
        return
    failing = [f for f in outcome.result.findings if f.verdict is Verdict.FAIL]
    counted = sum(1 for f in failing if gate(f))
    rules = []
    if options.fail_on_new:
        rules.append("new since the previous run (--fail-on-new)")
    if options.fail_on_age_days is not None:
        rules.append(f"open at least {options.fail_on_age_days} day(s) (--fail-on-age)")
    click.echo(f"Gate counts only failures {' or '.join(rules)}: {counted} of {len(failing)}")


# --------------------------------------------------------------------------- auditor history


def _history_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--history",
        "history_path",
        type=click.Path(path_type=Path),
        default=DEFAULT_HISTORY_PATH,
        show_default=True,
        help="The run history database.",
    )(f)


def _scope_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--scope",
        default=None,
        metavar="KEY",
        help="Which series of runs (a scope key from `auditor history list`; default: the latest run's).",
    )(f)


def _open(path: Path) -> Database:
    return open_history(path, create=False)


@click.group("history")
def history() -> None:
    """The run history: every scan and evaluate run, its findings' lifecycle, and trends.

    Runs are grouped by scope (the accounts, regions and endpoint filters audited): each run is
    compared only with earlier runs of its own scope.
    """


@history.command("list")
@_history_option
@_scope_option
@click.option("--limit", type=click.IntRange(min=1), default=30, show_default=True, help="Newest runs shown.")
def list_cmd(history_path: Path, scope: str | None, limit: int) -> None:
    """List the recorded runs (oldest first): verdicts, compliance, new and resolved failures."""
    db = _open(history_path)
    try:
        with db.read():
            known = scopes(db)
            key = resolve_scope(db, scope, str(history_path)).key if scope else None
        listed = list_runs(db, key, limit)
    finally:
        db.close()
    if not listed:
        click.echo("No runs recorded yet.")
        return
    click.echo("Scopes:")
    for s in known:
        click.echo(f"  {s.key}  {printable(s.text)}  ({s.runs} run(s))")
    rows = [
        [
            r.run.id,
            r.run.observed_at,
            r.scope_key,
            r.run.source,
            *(r.run.verdicts[v] for v in (Verdict.PASS, Verdict.FAIL, Verdict.ERROR, Verdict.WAIVED)),
            format_percent(r.compliance),
            r.run.newly_failing,
            r.run.resolved,
        ]
        for r in listed
    ]
    header = [
        "RUN",
        "SCAN TIME",
        "SCOPE",
        "SOURCE",
        "PASS",
        "FAIL",
        "ERROR",
        "WAIVED",
        "COMPL.",
        "NEW",
        "RESOLVED",
    ]
    click.echo(_table(header, rows, right=(0, 4, 5, 6, 7, 8, 9, 10)))


@history.command("show")
@click.argument("run_id", metavar="RUN", type=int)
@_history_option
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Changes listed.")
def show_cmd(run_id: int, history_path: Path, limit: int) -> None:
    """Show one run and what changed in it since the previous run of its scope."""
    db = _open(history_path)
    try:
        detail = show_run(db, run_id, str(history_path))
    finally:
        db.close()
    run = detail.run
    click.echo(f"Run {run.id} ({run.source}{', ' + printable(run.label) if run.label else ''})")
    click.echo(f"  scope          {detail.scope_key}  {printable(detail.scope)}")
    click.echo(f"  scan time      {run.observed_at}   recorded {run.recorded_at}")
    click.echo(f"  previous run   {detail.previous_observed_at or 'none (first run of this scope)'}")
    click.echo(f"  tool           mm-auditor {printable(detail.tool_version)}")
    click.echo(f"  policy set     {printable(detail.policy_set_digest)}")
    click.echo(f"  inventory      {printable(detail.inventory_digest)}")
    verdicts = "  ".join(f"{run.verdicts[v]} {v.value}" for v in Verdict)
    click.echo(f"  verdicts       {verdicts}   compliance {format_percent(_compliance(run.verdicts))}")
    oldest = (
        f", the oldest for {detail.oldest_open_days} day(s)" if detail.oldest_open_days is not None else ""
    )
    click.echo(f"  open failures  {detail.open_failing}{oldest}")
    if not detail.changes:
        click.echo("No finding changed its failing state in this run.")
        return
    click.echo(f"Changes ({len(detail.changes)}):")
    rows = [
        [
            c.kind,
            c.severity,
            c.policy_id,
            c.resource_name,
            f"{c.account_id}/{c.region}",
            f"{c.before} -> {c.after}",
            "" if c.open_days is None else f"after {c.open_days} d",
        ]
        for c in detail.changes[:limit]
    ]
    click.echo(_table(["CHANGE", "SEVERITY", "POLICY", "RESOURCE", "ACCOUNT/REGION", "VERDICT", ""], rows))
    if len(detail.changes) > limit:
        click.echo(f"... and {len(detail.changes) - limit} more (--limit)")


def _compliance(verdicts: dict[Verdict, int]) -> float | None:
    return compliance_from_counts(verdicts)


@history.command("trend")
@_history_option
@_scope_option
@click.option(
    "--by",
    type=click.Choice([b.value for b in TrendBy]),
    default=TrendBy.OVERALL.value,
    show_default=True,
    help="Compliance over time overall, or per account, policy, severity or monitor type.",
)
@click.option("--last", type=click.IntRange(min=1), default=12, show_default=True, help="Newest runs shown.")
def trend_cmd(history_path: Path, scope: str | None, by: str, last: int) -> None:
    """Compliance over time, open findings by age, and mean time to remediate."""
    db = _open(history_path)
    try:
        with db.read():
            chosen = resolve_scope(db, scope, str(history_path))
        data = trend(db, chosen, TrendBy(by), last)
    finally:
        db.close()
    click.echo(f"Scope {chosen.key}: {printable(chosen.text)} ({chosen.runs} run(s), {len(data.runs)} shown)")
    if data.table is None:
        rows = [
            [
                r.id,
                r.observed_at,
                format_percent(_compliance(r.verdicts)),
                r.verdicts[Verdict.FAIL],
                r.verdicts[Verdict.ERROR],
                r.newly_failing,
                r.resolved,
            ]
            for r in data.runs
        ]
        header = ["RUN", "SCAN TIME", "COMPLIANCE", "FAIL", "ERROR", "NEW", "RESOLVED"]
        click.echo(_table(header, rows, right=(0, 2, 3, 4, 5, 6)))
    else:
        header = [TrendBy(by).value.upper(), *(r.observed_at[5:10] for r in data.runs)]
        rows = [[key, *(format_percent(v) for v in values)] for key, values in data.table.rows]
        note = (
            "% of endpoints where it is in place" if TrendBy(by) is TrendBy.MONITOR_TYPE else "compliance %"
        )
        click.echo(f"{note} per run (columns: scan dates, oldest first)")
        click.echo(_table(header, rows, right=tuple(range(1, len(header)))))
    click.echo(f"Open failures by age at the latest run ({data.open_failing} open):")
    click.echo(_table(["AGE", "OPEN"], data.age_buckets, right=(1,)))
    if data.mean_days_to_resolve is None:
        click.echo("Mean time to remediate: no failure has been resolved yet")
    else:
        click.echo(
            f"Mean time to remediate: {data.mean_days_to_resolve:.1f} day(s) "
            f"over {data.resolved_periods} resolved failure(s)"
        )


@history.command("import")
@click.argument("files", metavar="FILE...", nargs=-1, required=True, type=click.Path(path_type=Path))
@_history_option
def import_cmd(files: tuple[Path, ...], history_path: Path) -> None:
    """Backfill the history from saved report.json files or evidence bundles (any order).

    Each report becomes a run at its scan's time; a report already in the history is skipped.
    """
    results = [(path, load_result(path)) for path in files]  # every file is checked before any write
    db = open_history(history_path, create=True)
    try:
        for path, result in sorted(results, key=lambda pr: observed_at(pr[1], str(pr[0]))):
            existing = _already_recorded(db, path, result)
            if existing is not None:
                click.echo(f"{printable(str(path))}: already in the history as run {existing}; skipped")
                continue
            recorded = record(db, result, source=RunSource.IMPORT, label=path.name, origin=str(path))
            click.echo(
                f"{printable(str(path))}: run {recorded.run_id}, scan of {observed_at(result, str(path))}, "
                f"scope {scope_of(result).key}"
            )
    finally:
        db.close()


def _already_recorded(db: Database, path: Path, result: EvaluationResult) -> int | None:
    with db.read():
        found = db.scalar(
            "SELECT MIN(id) FROM runs WHERE scope_key = ? AND observed_at = ? AND generated_at = ? "
            "AND inventory_digest = ? AND policy_set_digest = ?",
            [
                scope_of(result).key,
                observed_at(result, str(path)),
                result.generated_at,
                result.inventory_digest,
                result.policy_set_digest,
            ],
        )
    return None if found is None else int(found)
