"""`auditor evidence pack|verify` and `auditor diff`: commands over finished reports.

Bad input (missing or invalid files) exits 2 with a one-line message; a tampered bundle exits 1.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import click

from auditor.errors import InputError
from auditor.fileio import check_file_target
from auditor.inventory.codec import to_jsonable
from auditor.report.diff import compare, load_result
from auditor.report.encoding import json_text
from auditor.report.evidence import check_bundle
from auditor.report.evidence import pack as pack_bundle
from auditor.report.summary import format_percent
from auditor.report.text import safe_text
from auditor.results import BaselineComparison, Finding


class BadInput(click.ClickException):
    """An InputError surfaced through click: one line, exit code 2."""

    exit_code = 2


def _plain(value: str) -> str:
    """``value`` safe to print: resource names are attacker-controlled, so control and bidirectional
    characters become visible escapes (``safe_text``) and cannot drive the terminal."""
    return safe_text(value)


@click.group("evidence")
def evidence() -> None:
    """Pack a report folder into a verifiable evidence bundle, or verify one.

    A bundle holds the inventory, the reports, the exact policy and waiver files used, the run
    record (command line without secrets, versions, identities, times) and a manifest with the
    SHA-256 of every file.
    """


@evidence.command("pack")
@click.argument("report_dir", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Bundle to write (.zip).",
)
def pack(report_dir: Path, output: Path) -> None:
    """Zip REPORT_DIR (written by scan or evaluate) into a deterministic evidence bundle."""
    try:
        check_file_target(output, "--output")
        path = pack_bundle(report_dir, output)
    except InputError as exc:
        raise BadInput(str(exc)) from None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    click.echo(f"Wrote {path} (sha256 {digest}). Check it later with: auditor evidence verify {path}")


@evidence.command("verify")
@click.argument("bundle", type=click.Path(path_type=Path))
@click.pass_context
def verify(ctx: click.Context, bundle: Path) -> None:
    """Recompute every digest in BUNDLE; exit 1 and name each file that changed, is missing or was added.

    Also checks that the report was judged from the bundled inventory (report.json's
    inventory_digest) and that the files are the ones run.json records. Folder entries of a
    re-zipped bundle are ignored.
    """
    try:
        check = check_bundle(bundle)
    except InputError as exc:
        raise BadInput(str(exc)) from None
    if not check.intact:
        count = len(check.names())
        click.echo(f"{_plain(str(bundle))}: TAMPERED: {count} file(s) do not match the manifest:")
        for title, names in (
            ("Changed", check.changed),
            ("Missing", check.missing),
            ("Added", check.added),
            ("Unsafe names (would extract outside the folder)", check.unsafe),
            ("Inconsistent", check.inconsistent),
        ):
            if names:
                click.echo(f"{title}:")
                for name in names:
                    click.echo(f"  {_plain(name)}")
        ctx.exit(1)
    click.echo(f"{_plain(str(bundle))}: OK: every file matches the manifest.")


def _line(sign: str, f: Finding) -> str:
    where = f"({f.account_id}/{f.region})"
    return _plain(
        f"  {sign} [{f.severity.value}] {f.verdict.value:<6} {f.policy_id}  {f.resource_arn}  {where}"
    )


def _delta(c: BaselineComparison) -> str:
    if c.compliance_before is None or c.compliance_after is None:
        return ""
    return f" ({c.compliance_after - c.compliance_before:+.1f} points)"


MAX_TARGETS_SHOWN = 10


def _scope(c: BaselineComparison) -> list[str]:
    """The targets only one run scanned: their findings are not in the counts."""
    lines = []
    for when, targets, skipped in (
        ("before", c.targets_only_before, c.not_compared_before),
        ("now", c.targets_only_now, c.not_compared_now),
    ):
        if targets:
            shown = ", ".join(f"{t.account_id}/{t.region}" for t in targets[:MAX_TARGETS_SHOWN])
            more = f" and {len(targets) - MAX_TARGETS_SHOWN} more" if len(targets) > MAX_TARGETS_SHOWN else ""
            lines.append(
                f"  scanned only {when}: {len(targets)} target(s), {skipped} failing finding(s) not "
                f"compared: {_plain(shown)}{more}"
            )
    if lines:
        lines.insert(0, "Warning: the runs scanned different targets; only those both scanned are compared:")
    return lines


def _text(comparison: BaselineComparison, old: Path, new: Path) -> list[str]:
    c = comparison
    lines = [
        f"Comparing {old} -> {new}",
        *_scope(c),
        f"Compliance: {format_percent(c.compliance_before)} -> {format_percent(c.compliance_after)}"
        + _delta(c),
        f"New: {len(c.new)}  Regressed: {len(c.regressed)}  Still failing: {len(c.still_failing)}  "
        f"Resolved: {len(c.resolved)}",
    ]
    for title, sign, items in (
        ("Regressed (passed before, failing now)", "!", c.regressed),
        ("New failures", "+", c.new),
        ("Resolved (failing before, not now)", "-", c.resolved),
        ("Still failing", "=", c.still_failing),
    ):
        if items:
            lines += ["", f"{title}:", *(_line(sign, f) for f in items)]
    return lines


@click.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts.",
)
def diff(old: Path, new: Path, output_format: str) -> None:
    """Show what changed between two runs: OLD and NEW are report.json files or evidence bundles.

    A finding is identified by (policy, resource ARN). New: failing now, absent or not passing
    before. Regressed: passed before, failing now. Resolved: failing before, not now. Only the
    (account, region) targets both runs scanned are compared; the others are listed. A bundle is
    verified first: a tampered one is refused (exit 2).
    """
    try:
        before, after = load_result(old), load_result(new)
    except InputError as exc:
        raise BadInput(str(exc)) from None
    comparison = compare(before, after)
    if output_format == "json":
        data: Any = to_jsonable(comparison)
        click.echo(json_text(data))
        return
    for line in _text(comparison, old, new):
        click.echo(line)
