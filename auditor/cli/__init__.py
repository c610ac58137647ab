"""Command-line entry point: the ``auditor`` group, explicit command wiring, and exit-code handling.

Exit codes (also in ``auditor --help``): 0 clean; 1 a non-waived FAIL at or above --fail-on;
2 invalid input (usage, config, policy, waiver, inventory, report files); 3 incomplete (a scan
error, or an ERROR verdict at or above --fail-on), unless --allow-incomplete; 130 interrupted.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from auditor import __version__
from auditor.cli.common import EXIT_CODES_EPILOG
from auditor.cli.demo_cmd import demo
from auditor.cli.emulator_cmd import emulator
from auditor.cli.iac_cmd import iac_cmd
from auditor.cli.iam_cmd import iam_policy
from auditor.cli.init_cmd import init
from auditor.cli.policy_cmd import policies
from auditor.cli.report_cmd import diff, evidence
from auditor.cli.run_cmds import evaluate_cmd, scan_cmd
from auditor.errors import InputError


@click.group(
    epilog=EXIT_CODES_EPILOG,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="auditor")
def cli() -> None:
    """Audit Amazon SageMaker Model Monitor coverage against declarative policies.

    Scans endpoints, monitoring schedules, job definitions and CloudWatch alarms across the
    accounts and regions of an organization (read-only), judges them with policies, and writes
    JSON, HTML, JUnit, SARIF, CSV and Markdown reports.

    Start with `auditor demo` (no AWS account needed).
    """


# Explicit registry: every command the tool has, in one place.
for command in (scan_cmd, evaluate_cmd, iac_cmd, demo, policies, iam_policy, evidence, diff, init, emulator):
    cli.add_command(command)


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"auditor: error: {message}", err=True)
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI and turn every kind of failure into a one-line message and its exit code."""
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None, prog_name="auditor", standalone_mode=False
        )
    except click.exceptions.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "auditor"
        _fail(f"{exc.format_message()} (see '{where} --help')")
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code if exc.exit_code != 1 else 2)
    except InputError as exc:
        _fail(str(exc))
    except click.Abort:
        _fail("interrupted; no partial files were left behind", 130)
    sys.exit(result if isinstance(result, int) else 0)
