"""Command-line entry point: the ``auditor`` group, explicit command wiring, and exit-code handling.

Exit codes (also in ``auditor --help``): 0 clean; 1 a non-waived FAIL at or above --fail-on;
2 invalid input (usage, config, policy, waiver, inventory, report files); 3 incomplete (a scan
error, or an ERROR verdict at or above --fail-on, unless --allow-incomplete; or STS could not be
reached at all, so nothing was scanned); 130 interrupted (SIGINT), 143 terminated (SIGTERM).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from auditor import __version__, interrupts
from auditor.cli.common import EXIT_CODES_EPILOG
from auditor.cli.demo_cmd import demo
from auditor.cli.emulator_cmd import emulator
from auditor.cli.frameworks_cmd import frameworks
from auditor.cli.history_cmd import history
from auditor.cli.iac_cmd import iac_cmd
from auditor.cli.iam_cmd import iam_policy
from auditor.cli.init_cmd import init
from auditor.cli.merge_cmd import merge_cmd
from auditor.cli.policy_cmd import policies
from auditor.cli.report_cmd import diff, evidence
from auditor.cli.run_cmds import evaluate_cmd, scan_cmd
from auditor.cli.securityhub_cmd import securityhub
from auditor.errors import IncompleteError, InputError


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
for command in (
    scan_cmd,
    evaluate_cmd,
    merge_cmd,
    iac_cmd,
    demo,
    policies,
    frameworks,
    iam_policy,
    evidence,
    diff,
    init,
    emulator,
    securityhub,
    history,
):
    cli.add_command(command)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; every kind of failure becomes a one-line message on stderr and its exit code."""
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None, prog_name="auditor", standalone_mode=False
        )
    except click.exceptions.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "auditor"
        return _fail(f"{exc.format_message()} (see '{where} --help')")
    except click.ClickException as exc:
        return _fail(exc.format_message(), exc.exit_code if exc.exit_code != 1 else 2)
    except InputError as exc:
        return _fail(str(exc))
    except IncompleteError as exc:
        return _fail(str(exc), 3)
    except click.Abort as exc:
        # click turns KeyboardInterrupt (SIGINT, and SIGTERM through auditor.interrupts) into Abort.
        message, code = interrupts.describe(exc.__cause__ or KeyboardInterrupt())
        return _fail(message, code)
    except KeyboardInterrupt as exc:  # raised outside click's own handling
        message, code = interrupts.describe(exc)
        return _fail(message, code)
    except RuntimeError as exc:  # an interrupt wrapped by Python while a lazy import ran
        interrupt = interrupts.behind(exc)
        if interrupt is None:
            raise
        message, code = interrupts.describe(interrupt)
        return _fail(message, code)
    return result if isinstance(result, int) else 0


def _fail(message: str, code: int = 2) -> int:
    click.echo(f"auditor: error: {message}", err=True)
    return code


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI and exit with its code (see ``run``)."""
    sys.exit(run(argv))
