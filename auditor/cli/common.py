"""Options shared by the commands that judge and report (scan, evaluate, demo), and the config merge.

Precedence: command-line flag, then the config file, then the built-in default.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from auditor.config import DEFAULT_CONFIG_NAME, Config, load_config
from auditor.errors import InputError
from auditor.history import DEFAULT_HISTORY_PATH, HistoryOptions, RunSource
from auditor.history.notify import NotifySettings, WebhookKind, check_topic_arn, webhook_url_from_env
from auditor.pipeline import DEFAULT_FORMATS, JudgeInputs, OutputOptions, check_formats, load_judge_inputs
from auditor.report import FORMATS
from auditor.results import Severity

F = TypeVar("F", bound=Callable[..., Any])

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


def _existing_path(source: str, value: str) -> Path:
    path = Path(value)
    if not path.exists():
        raise InputError(source, f"no such file or folder: {value}")
    return path


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


@dataclass(frozen=True)
class LoadedConfig:
    config: Config
    path: Path | None  # None: no config file, built-in defaults


def resolve_config(config_path: Path | None) -> LoadedConfig:
    """Load the config file named by --config, $AUDITOR_CONFIG, or ./auditor.yaml if present."""
    if config_path is None and os.environ.get("AUDITOR_CONFIG"):
        config_path = Path(os.environ["AUDITOR_CONFIG"])
    if config_path is None:
        default = Path(DEFAULT_CONFIG_NAME)
        if not default.is_file():
            return LoadedConfig(Config(), None)
        config_path = default
    if not config_path.is_file():
        raise InputError(str(config_path), "config file not found")
    return LoadedConfig(load_config(config_path), config_path)


@dataclass(frozen=True)
class JudgeArgs:
    policy_paths: tuple[str, ...]
    no_builtin: bool | None
    enable: tuple[str, ...]
    disable: tuple[str, ...]
    waivers_path: str | None
    baseline_path: str | None
    framework_paths: tuple[str, ...] = ()


def build_judge_inputs(loaded: LoadedConfig, args: JudgeArgs) -> JudgeInputs:
    config = loaded.config
    policy_paths = [_existing_path("--policies", p) for p in args.policy_paths] or [
        _existing_path("config: policies", p) for p in config.policies
    ]
    waivers = args.waivers_path or config.waivers
    builtin = not args.no_builtin if args.no_builtin is not None else config.builtin_policies
    if not builtin and not policy_paths:
        raise InputError("--no-builtin", "no policies left to run: give --policies PATH")
    return load_judge_inputs(
        policy_paths=policy_paths,
        builtin=builtin,
        enable=list(args.enable) or config.enable,
        disable=list(args.disable) or config.disable,
        parameters=dict(config.parameters),
        waivers_path=_existing_path("--waivers", waivers) if waivers else None,
        baseline_path=_existing_path("--baseline", args.baseline_path) if args.baseline_path else None,
        config_path=loaded.path,
        framework_paths=[_existing_path("--frameworks", p) for p in args.framework_paths]
        or [_existing_path("config: frameworks", p) for p in config.frameworks],
        waiver_max_days=config.waiver_max_days,
    )


def build_output_options(
    config: Config,
    *,
    formats: tuple[str, ...],
    output_dir: Path | None,
    fail_on: str | None,
    allow_incomplete: bool | None,
    asff_include_passed: bool | None = None,
    fail_on_empty: bool | None = None,
) -> OutputOptions:
    names = [n.strip() for item in formats for n in item.split(",") if n.strip()]
    if not names:
        names = list(config.formats) or list(DEFAULT_FORMATS)
    severity = Severity(fail_on) if fail_on else (config.fail_on or Severity.HIGH)
    return OutputOptions(
        formats=check_formats(names),
        output_dir=output_dir or (Path(config.output_dir) if config.output_dir else None),
        fail_on=severity,
        allow_incomplete=allow_incomplete if allow_incomplete is not None else config.allow_incomplete,
        asff_include_passed=(
            asff_include_passed if asff_include_passed is not None else config.asff_include_passed
        ),
        fail_on_empty=fail_on_empty if fail_on_empty is not None else config.fail_on_empty,
    )


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


@dataclass(frozen=True)
class HistoryArgs:
    history_path: str | None = None
    fail_on_new: bool | None = None
    fail_on_age: int | None = None
    notify_webhook: str | None = None
    notify_sns_topic: str | None = None


def build_history_options(
    config: Config,
    args: HistoryArgs,
    *,
    source: RunSource,
    profile: str | None = None,
    endpoint_url: str | None = None,
) -> HistoryOptions:
    """The history options from the flags, then the config; InputError for what cannot work."""
    chosen = args.history_path or config.history
    path = None if chosen == "none" else Path(chosen) if chosen else DEFAULT_HISTORY_PATH
    notify_config = config.notify
    webhook_name = args.notify_webhook or (
        notify_config.webhook.value if notify_config and notify_config.webhook else None
    )
    topic = args.notify_sns_topic or (notify_config.sns_topic_arn if notify_config else None)
    settings = None
    if webhook_name or topic:
        variable = notify_config.webhook_url_env if notify_config else NotifySettings().webhook_url_env
        if topic:
            check_topic_arn(
                topic, "--notify-sns-topic" if args.notify_sns_topic else "config: notify.sns_topic_arn"
            )
        settings = NotifySettings(
            webhook=WebhookKind(webhook_name) if webhook_name else None,
            webhook_url=webhook_url_from_env(variable) if webhook_name else None,
            webhook_url_env=variable,
            sns_topic_arn=topic,
            profile=profile,
            endpoint_url=endpoint_url,
        )
    options = HistoryOptions(
        path=path,
        source=source,
        fail_on_new=args.fail_on_new if args.fail_on_new is not None else config.fail_on_new,
        fail_on_age_days=args.fail_on_age if args.fail_on_age is not None else config.fail_on_age,
        notify=settings,
    )
    return options
