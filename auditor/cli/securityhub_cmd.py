"""``auditor securityhub import``: the only command that writes to AWS (opt-in, never part of ``scan``).

Exit codes: 0 every finding imported; 2 invalid input (file, options, unusable credentials), nothing
sent; 3 incomplete: at least one finding was not imported (each is listed; re-running the same
command is safe, a re-import updates instead of duplicating).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from auditor.cli.report_cmd import BadInput
from auditor.errors import InputError, printable
from auditor.securityhub.importer import ImportOptions, ImportReport, import_findings, load_findings, targets
from auditor.securityhub.permissions import DEFAULT_IMPORT_ROLE_NAME

IMPORT_EXIT_CODES = """\b
Exit codes:
  0  every finding was imported
  2  invalid input (report file, options) or unusable credentials: nothing was sent
  3  incomplete: some findings were not imported (each is listed); re-run the same
     command to retry them: a re-import updates findings, it never duplicates them
"""


@click.group("securityhub")
def securityhub() -> None:
    """Send findings to AWS Security Hub (the only commands that write to AWS).

    Nothing here runs as part of `auditor scan`, which stays read-only.
    """


@securityhub.command("import", epilog=IMPORT_EXIT_CODES)
@click.argument("report", type=click.Path(path_type=Path))
@click.option(
    "--profile", default=None, metavar="NAME", help="AWS named profile of the identity that imports."
)
@click.option(
    "--role-name",
    default=DEFAULT_IMPORT_ROLE_NAME,
    show_default=True,
    metavar="NAME",
    help="Import role assumed in every account other than the caller's "
    "(see `auditor iam-policy --securityhub`).",
)
@click.option(
    "--role-arn-template",
    default=None,
    metavar="TEMPLATE",
    help="Import role ARN with {account_id} as placeholder. Overrides --role-name.",
)
@click.option(
    "--external-id", default=None, metavar="ID", help="ExternalId for AssumeRole, if the roles need one."
)
@click.option(
    "--include-passed",
    is_flag=True,
    help="For a report.json or evidence bundle: also import PASS verdicts (Compliance.Status PASSED).",
)
@click.option(
    "--max-attempts",
    type=click.IntRange(1, 20),
    default=5,
    show_default=True,
    help="Attempts per BatchImportFindings call (botocore's retries of throttling included).",
)
@click.option("--dry-run", is_flag=True, help="Validate and show what would be imported; call nothing.")
@click.option(
    "--endpoint-url",
    default=None,
    metavar="URL",
    help="Send every AWS call to this URL (the local AWS from `auditor emulator`).",
)
@click.pass_context
def import_cmd(
    ctx: click.Context,
    report: Path,
    profile: str | None,
    role_name: str,
    role_arn_template: str | None,
    external_id: str | None,
    include_passed: bool,
    max_attempts: int,
    dry_run: bool,
    endpoint_url: str | None,
) -> None:
    """Import REPORT into Security Hub with BatchImportFindings (writes to AWS: opt-in).

    REPORT is a report.asff.json, a report.json or an evidence bundle (.zip). Each finding is imported
    by its own account (the default product ARN requires it): with the caller's credentials for the
    caller's account, through the import role (--role-name) in every other account, in the finding's
    region. Batches of at most 100 findings; throttled calls and transient failures are retried.
    """
    if role_arn_template is not None and "{account_id}" not in role_arn_template:
        raise BadInput("--role-arn-template: must contain the placeholder {account_id}")
    try:
        findings = load_findings(report, include_passed=include_passed)
        if not findings:
            click.echo(f"No findings to import in {report}.")
            return
        grouped = targets(findings, str(report))
        where = {(t.account_id, t.region) for t in grouped}
        click.echo(
            f"{'Would import' if dry_run else 'Importing'} {len(findings)} finding(s) from {report} into "
            f"Security Hub: {len({a for a, _ in where})} account(s), {len(where)} account/region pair(s)"
        )
        if dry_run:
            for t, items in grouped.items():
                click.echo(f"  {t.account_id}/{t.region}: {len(items)} finding(s)")
            return
        outcome = import_findings(
            grouped,
            ImportOptions(
                profile=profile,
                endpoint_url=endpoint_url,
                role_name=role_name,
                role_arn_template=role_arn_template,
                external_id=external_id,
                max_attempts=max_attempts,
            ),
        )
    except InputError as exc:
        raise BadInput(str(exc)) from None
    _print(outcome)
    if outcome.failed:
        ctx.exit(3)


def _print(outcome: ImportReport) -> None:
    per_target: Counter[tuple[str, str, bool]] = Counter(
        (r.account_id, r.region, r.imported) for r in outcome.results
    )
    for account, region in sorted({(a, r) for a, r, _ in per_target}):
        ok, bad = per_target[(account, region, True)], per_target[(account, region, False)]
        via = "caller" if account == outcome.caller_account else "import role"
        click.echo(f"  {account}/{region} ({via}): {ok} imported, {bad} failed")
    total = len(outcome.results)
    click.echo(
        f"Imported {len(outcome.imported)} of {total} finding(s); {len(outcome.failed)} failed "
        f"({outcome.calls} BatchImportFindings call(s), {outcome.retried_calls} retried)"
    )
    if outcome.failed:
        click.echo("Not imported:")
        for r in sorted(outcome.failed, key=lambda r: (r.account_id, r.region, r.finding_id)):
            click.echo(printable(f"  {r.finding_id}  {r.account_id}/{r.region}  {r.error_code}: {r.message}"))
        click.echo("Exit code 3: incomplete import; re-run the same command to retry (re-imports update).")
