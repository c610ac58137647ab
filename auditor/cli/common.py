"""The click options shared by the commands that judge and report (scan, evaluate, iac, demo).

Their values are merged with the config file in one place: ``auditor.settings``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from auditor.config import DEFAULT_CONFIG_NAME
from auditor.history import DEFAULT_HISTORY_PATH
from auditor.history.notify import WebhookKind
from auditor.pipeline import DEFAULT_FORMATS
from auditor.report import FORMATS
from auditor.results import Severity
from auditor.settings import HistoryFlags, JudgeFlags, OutputFlags

F = TypeVar("F", bound=Callable[..., Any])
Flags = TypeVar("Flags", JudgeFlags, OutputFlags, HistoryFlags)


def take(params: dict[str, Any], flags: type[Flags]) -> Flags:
    """The values of one group of options (``judge_options``, ``output_options``,
    ``history_options``: their click names are the fields of the flags class), removed from
    ``params``, so the rest can be handed on (e.g. the scan options)."""
    return flags(**{f.name: params.pop(f.name) for f in dataclasses.fields(flags)})


SEVERITIES = [s.value for s in Severity]

EXIT_CODES_EPILOG = """\b
Exit codes:
  0  every check passed (or failed below --fail-on, or was waived)
  1  a non-waived FAIL at or above --fail-on (default: high); with --fail-on-new
     or --fail-on-age, only one that is new or that old (see docs/history.md)
  2  invalid input: command line, config, policy, waiver, inventory or report
     file, an output path that cannot be written, or a targeted scan that
     matched no endpoint (see --fail-on-empty)
  3  incomplete: a scan error, or an ERROR verdict at or above --fail-on (data
     could not be collected, so compliance is not established), unless
     --allow-incomplete; also when STS cannot be reached, or when scan errors
     could have hidden the endpoints of a run that found none. A FAIL (1) takes
     precedence over 3.
  130, 143  interrupted (SIGINT, SIGTERM)
"""


def config_option(f: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"Config file (default: ./{DEFAULT_CONFIG_NAME} if present; also $AUDITOR_CONFIG).",
    )(f)


def judge_options(f: F) -> F:
    """Policy, waiver and baseline options."""
    decorators = [
        click.option(
            "--policies",
            "policy_paths",
            multiple=True,
            metavar="PATH",
            help="Extra policy file or folder (repeatable), added to the built-in pack.",
        ),
        click.option(
            "--no-builtin",
            is_flag=True,
            default=None,
            help="Do not load the built-in policy pack (use only --policies).",
        ),
        click.option(
            "--enable", multiple=True, metavar="ID|TAG", help="Run only these policies (repeatable)."
        ),
        click.option("--disable", multiple=True, metavar="ID|TAG", help="Skip these policies (repeatable)."),
        click.option(
            "--waivers", "waivers_path", metavar="FILE", help="Waivers file (YAML) with expiry dates."
        ),
        click.option(
            "--baseline",
            "baseline_path",
            metavar="REPORT",
            help="A previous report.json or evidence bundle: adds a 'since last run' section.",
        ),
        click.option(
            "--frameworks",
            "framework_paths",
            multiple=True,
            metavar="PATH",
            help="Extra framework mapping file or folder (repeatable), added to the built-in "
            "SR 11-7, ISO/IEC 42001, EU AI Act and NIST AI RMF mappings.",
        ),
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def output_options(f: F) -> F:
    """Report formats, folder and the CI gate."""
    decorators = [
        click.option(
            "--format",
            "formats",
            multiple=True,
            metavar="LIST",
            help=f"Report formats, comma-separated or repeated: {', '.join(FORMATS)} "
            f"(default: {','.join(DEFAULT_FORMATS)}).",
        ),
        click.option(
            "--output-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Where to write reports (default: reports/<UTC timestamp>/).",
        ),
        click.option(
            "--fail-on",
            type=click.Choice(SEVERITIES),
            default=None,
            help="Exit 1 when a non-waived FAIL is at or above this severity (default: high).",
        ),
        click.option(
            "--fail-on-empty/--no-fail-on-empty",
            default=None,
            help="Fail the gate when no endpoint was judged: exit 2 (3 when scan errors could have hidden "
            "them). Default: on for a targeted scan (--endpoint, --endpoint-tag), off for a full one.",
        ),
        click.option(
            "--allow-incomplete",
            is_flag=True,
            default=None,
            help="Do not exit 3 when data could not be collected (ERROR verdicts are still reported).",
        ),
        click.option(
            "--asff-include-passed",
            is_flag=True,
            default=None,
            help="report.asff.json also holds PASS verdicts (Compliance.Status PASSED).",
        ),
        click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors."),
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def history_options(f: F) -> F:
    """The run history, the gate options that read it, and change notifications."""
    decorators = [
        click.option(
            "--history",
            "history_path",
            metavar="PATH|none",
            default=None,
            help=f"Run history database (default: {DEFAULT_HISTORY_PATH.as_posix()}); 'none': no history.",
        ),
        click.option(
            "--fail-on-new",
            is_flag=True,
            default=None,
            help="Exit 1 only for failures new since the previous run in the history (new, regressed, "
            "reopened).",
        ),
        click.option(
            "--fail-on-age",
            type=click.IntRange(min=0),
            default=None,
            metavar="DAYS",
            help="Exit 1 only for failures open for at least DAYS days (with --fail-on-new: either).",
        ),
        click.option(
            "--notify-webhook",
            type=click.Choice([k.value for k in WebhookKind]),
            default=None,
            help="Post what changed since the previous run to a Slack or Teams incoming webhook whose URL "
            "is in $AUDITOR_WEBHOOK_URL.",
        ),
        click.option(
            "--notify-sns-topic",
            metavar="ARN",
            default=None,
            help="Publish what changed since the previous run to this SNS topic (needs sns:Publish: "
            "auditor iam-policy --notify).",
        ),
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f
