"""`auditor iac`: the release gate before deploy, on CloudFormation / CDK templates and Terraform plans.

The templates and plans are read into the same inventory a scan produces (``auditor.iac``), judged by
the same policies and written by the same reports and gate (``pipeline.finish``). This command never
creates an AWS client: the account and region come from the flags (or a saved scan merged with
``--inventory``), not from AWS.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import click

from auditor import api
from auditor.cli.common import EXIT_CODES_EPILOG, config_option, judge_options, output_options, take
from auditor.errors import InputError
from auditor.iac.reader import IacOptions, IacResult, read
from auditor.iac.values import SourceFormat
from auditor.inventory import store
from auditor.pipeline import RunOutcome
from auditor.report.gate import ExitCode
from auditor.report.summary import compliance_percent
from auditor.report.text import safe_text
from auditor.results import Severity, Verdict
from auditor.settings import HistoryFlags, JudgeFlags, OutputFlags, resolve

_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_PARAMETER = re.compile(r"^(?P<key>[A-Za-z0-9:]+)=(?P<value>.*)$", re.DOTALL)

_EXIT_REASON = {
    ExitCode.OK: "no failure at or above the gate's severity",
    ExitCode.FAILURES: "a non-waived FAIL at or above the gate's severity",
    ExitCode.INVALID_INPUT: "invalid input",
    ExitCode.INCOMPLETE: "compliance could not be established (see the ERROR verdicts: values unknown until "
    "deploy, or data the merged scan could not collect)",
}


def parse_parameters(values: tuple[str, ...]) -> dict[str, str]:
    """``--parameter KEY=VALUE`` options as a mapping (InputError on any other form)."""
    out: dict[str, str] = {}
    for value in values:
        match = _PARAMETER.match(value)
        if match is None:
            raise InputError("--parameter", f"expected KEY=VALUE, got {value!r}")
        out[match.group("key")] = match.group("value")
    return out


def _placement(account: str | None, region: str | None) -> tuple[str | None, str | None]:
    if account is not None and not _ACCOUNT.match(account):
        raise InputError("--account", f"expected a 12-digit AWS account id, got {account!r}")
    if region is not None and not _REGION.match(region):
        raise InputError("--region", f"expected an AWS region such as eu-west-1, got {region!r}")
    return account, region


def print_summary(outcome: RunOutcome, read_result: IacResult, *, fail_on: Severity) -> None:
    """What was read, the verdicts, where the reports are, and why the exit code."""
    result, inventory = outcome.result, read_result.inventory
    formats = Counter(f.format for f in read_result.files)
    verdicts = Counter(f.verdict for f in result.findings)
    failing = [f for f in result.findings if f.verdict is Verdict.FAIL]
    by_severity = Counter(f.severity for f in failing)
    echo = click.echo
    merged = inventory.metadata.options.get("iac", {}).get("inventory")
    echo(
        f"Read {formats.get(SourceFormat.CLOUDFORMATION, 0)} template(s) and "
        f"{formats.get(SourceFormat.TERRAFORM_PLAN, 0)} plan(s): {read_result.declared} resources declared"
        + (f", {len(read_result.deleted)} deleted by the plans" if read_result.deleted else "")
        + (f", merged over {merged}" if merged else "")
    )
    echo(
        f"Judged {len(inventory.endpoints)} endpoints, {len(inventory.monitors)} monitors, "
        f"{len(inventory.job_definitions)} job definitions, {len(inventory.alarms)} monitoring alarms"
    )
    compliance = compliance_percent(result)
    echo(
        "Verdicts: "
        + "  ".join(f"{verdicts.get(v, 0)} {v.value}" for v in Verdict)
        + (f"   compliance {compliance:.1f} %" if compliance is not None else "")
    )
    echo(
        "Failures by severity: "
        + "  ".join(f"{s.value} {by_severity.get(s, 0)}" for s in Severity if s is not Severity.INFO)
    )
    for f in sorted(failing, key=lambda f: (-f.severity.rank, f.policy_id, f.resource_name))[:10]:
        where = f.location.describe() if f.location is not None else ""
        echo(f"  {f.severity.value:<8} {f.policy_id}  {f.resource_name}  {where}")
    echo(f"Reports: {outcome.output_dir}/")
    reason = _EXIT_REASON[outcome.exit_code]
    echo(f"Exit code {int(outcome.exit_code)}: {reason} (gate: --fail-on {fail_on.value})")


@click.command("iac", epilog=EXIT_CODES_EPILOG)
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--account", metavar="ACCOUNT_ID", help="The account the templates deploy to (default: unknown)."
)
@click.option("--region", metavar="REGION", help="The region they deploy to (default: unknown, or a plan's).")
@click.option(
    "--parameter",
    "parameters",
    multiple=True,
    metavar="KEY=VALUE",
    help="A CloudFormation parameter value (repeatable); AWS::StackName=NAME sets the stack name.",
)
@click.option(
    "--inventory",
    "inventory_path",
    metavar="FILE",
    type=click.Path(path_type=Path),
    help="A saved inventory.json (auditor scan): judge the templates merged over the deployed estate.",
)
@judge_options
@output_options
@config_option
def iac_cmd(
    paths: tuple[Path, ...],
    account: str | None,
    region: str | None,
    parameters: tuple[str, ...],
    inventory_path: Path | None,
    config_path: Path | None,
    quiet: bool,
    **params: Any,
) -> int:
    """Judge CloudFormation / CDK templates and Terraform plans before deploy (no AWS calls).

    PATH is a template (JSON or YAML, cdk.out/*.template.json, SAM) or a plan as written by
    `terraform show -json PLANFILE`, or a folder of them. Resources get the same policies as a scan;
    run-time checks (last execution, freshness, INSUFFICIENT_DATA) are NOT_APPLICABLE until deploy, and
    a check that needs a value unknown until deploy is ERROR naming the property. Findings point at
    the file and line (CloudFormation) or the resource address (Terraform); SARIF uses them so code
    scanning annotates the pull request. A template is not a run of the estate: nothing is recorded
    in the run history.
    """
    started = api.now()
    chosen = resolve(
        config_path,
        judge=take(params, JudgeFlags),
        output=take(params, OutputFlags),
        history=HistoryFlags(history_path="none"),
    )
    account, region = _placement(account, region)
    options = IacOptions(account=account, region=region, parameters=parse_parameters(parameters))
    base = store.load(inventory_path) if inventory_path is not None else None
    result = read(
        list(paths),
        options,
        base=base,
        base_label=inventory_path.as_posix() if inventory_path is not None else None,
    )
    if not quiet:
        for note in result.notes:
            click.echo(f"note: {safe_text(note)}", err=True)
    outcome = api.run(chosen, inventory=result.inventory, started_at=started)
    if not quiet:
        print_summary(outcome, result, fail_on=chosen.output.fail_on)
    return int(outcome.exit_code)
