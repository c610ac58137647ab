"""The settings of a run, and the one place where they are decided: flags, then the config file,
then the built-in defaults.

The command line (``auditor.cli``) and library callers (``auditor.api``) describe what they were given
as flags (``JudgeFlags``, ``OutputFlags``, ``HistoryFlags`` and the scan flags); ``resolve`` merges them
with the config file and returns validated ``Settings``. Everything here runs before any AWS call, so
bad input is exit 2 before a scan starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor.config import DEFAULT_CONFIG_NAME, Config, load_config
from auditor.errors import InputError
from auditor.history import DEFAULT_HISTORY_PATH, HistoryOptions, RunSource
from auditor.history import check as check_history
from auditor.history.notify import NotifySettings, WebhookKind, check_topic_arn, webhook_url_from_env
from auditor.pipeline import (
    DEFAULT_FORMATS,
    JudgeInputs,
    OutputOptions,
    check_formats,
    default_output_dir,
    load_judge_inputs,
)
from auditor.results import Severity
from auditor.scan.options import ScanOptions, scan_options_from_flags


def _existing_path(source: str, value: str) -> Path:
    path = Path(value)
    if not path.exists():
        raise InputError(source, f"no such file or folder: {value}")
    return path


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
class JudgeFlags:
    """The policy, waiver, baseline and framework flags (empty / None: not given)."""

    policy_paths: tuple[str, ...] = ()
    no_builtin: bool | None = None
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    waivers_path: str | None = None
    baseline_path: str | None = None
    framework_paths: tuple[str, ...] = ()


def build_judge_inputs(loaded: LoadedConfig, args: JudgeFlags) -> JudgeInputs:
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


@dataclass(frozen=True)
class OutputFlags:
    """The report and gate flags (empty / None: not given)."""

    formats: tuple[str, ...] = ()  # comma-separated or repeated names
    output_dir: Path | None = None
    fail_on: str | None = None
    allow_incomplete: bool | None = None
    asff_include_passed: bool | None = None
    fail_on_empty: bool | None = None


def build_output_options(config: Config, flags: OutputFlags) -> OutputOptions:
    names = [n.strip() for item in flags.formats for n in item.split(",") if n.strip()]
    if not names:
        names = list(config.formats) or list(DEFAULT_FORMATS)
    severity = Severity(flags.fail_on) if flags.fail_on else (config.fail_on or Severity.HIGH)
    return OutputOptions(
        formats=check_formats(names),
        output_dir=flags.output_dir or (Path(config.output_dir) if config.output_dir else None),
        fail_on=severity,
        allow_incomplete=_first(flags.allow_incomplete, config.allow_incomplete),
        asff_include_passed=_first(flags.asff_include_passed, config.asff_include_passed),
        fail_on_empty=_first(flags.fail_on_empty, config.fail_on_empty),
    )


def _first(flag: Any, configured: Any) -> Any:
    """The flag when given, else the config file's value (which holds the default when unset)."""
    return flag if flag is not None else configured


@dataclass(frozen=True)
class HistoryFlags:
    """The run-history, history-gate and notification flags (None: not given)."""

    history_path: str | None = None
    fail_on_new: bool | None = None
    fail_on_age: int | None = None
    notify_webhook: str | None = None
    notify_sns_topic: str | None = None


def build_history_options(
    config: Config,
    args: HistoryFlags,
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


# Settings that only make sense together: when the command line sets any of a group, the config
# file's values for the whole group are ignored (flags override the file, and never mix with it).
_SCAN_GROUPS: tuple[tuple[str, ...], ...] = (
    ("accounts", "accounts_file", "org", "ous"),
    ("role_name", "role_arn_template"),
    ("endpoint_names", "endpoint_tags"),
)


def merge_scan_flags(loaded: LoadedConfig, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Fill scan options the command line left unset from the config file.

    Precedence is per setting, and per group for settings that go together (which accounts:
    accounts / org + ous; which role: role_name / role_arn_template; which endpoints: endpoints /
    endpoint_tags): a flag of a group replaces the file's whole group. Contradicting flags are
    rejected by ``scan_options_from_flags``; a config file that contradicts itself, by ``load_config``.
    """
    config = loaded.config
    merged = dict(kwargs)
    fallbacks: dict[str, Any] = {
        "accounts": ",".join(config.accounts) if config.accounts else None,
        "accounts_file": None,  # a flag only; listed so that it replaces the file's accounts
        "org": config.org or None,
        "ous": tuple(config.ous) or None,
        "role_name": config.role_name,
        "role_arn_template": config.role_arn_template,
        "external_id": config.external_id,
        "regions": ",".join(config.regions) if config.regions else None,
        "profile": config.profile,
        "no_search": (not config.search) or None,
        "no_s3": (not config.s3) or None,
        "endpoint_names": tuple(config.endpoints) or None,
        "endpoint_tags": tuple(config.endpoint_tags) or None,
        "no_price_list_api": (not config.price_list_api) or None,
        "price_table": config.price_table,
        "recognisers": tuple(config.recognisers) or None,  # config only: no flag
    }
    from_flags = {key for key in fallbacks if merged.get(key)}
    for group in _SCAN_GROUPS:
        if from_flags & set(group):
            for key in group:
                fallbacks.pop(key)
    if fallbacks.get("role_arn_template"):
        fallbacks.pop("role_name")  # in the file, the template overrides the role name (as documented)
    for key, value in fallbacks.items():
        if not merged.get(key) and value is not None:
            merged[key] = value
            if key == "profile":
                merged["profile_source"] = f"{loaded.path or 'config'}: profile"
    return merged


@dataclass(frozen=True)
class Settings:
    """Everything a run needs, resolved and validated (before any AWS call)."""

    config: LoadedConfig
    inputs: JudgeInputs
    output: OutputOptions
    history: HistoryOptions
    scan: ScanOptions | None = None  # None: the run judges an inventory it is given
    scan_flags: dict[str, Any] = field(default_factory=dict)  # the merged scan flags, as given


def resolve(
    config_path: Path | None = None,
    *,
    judge: JudgeFlags = JudgeFlags(),
    output: OutputFlags = OutputFlags(),
    history: HistoryFlags = HistoryFlags(),
    scan: dict[str, Any] | None = None,
    source: RunSource = RunSource.EVALUATE,
) -> Settings:
    """The settings of a run: ``scan`` (the scan flags, as ``auditor.cli.scan_options`` names them)
    for a run that scans, None for one that judges a given inventory. InputError on bad input."""
    loaded = resolve_config(config_path)
    merged = merge_scan_flags(loaded, scan) if scan is not None else {}
    inputs = build_judge_inputs(loaded, judge)
    options = build_output_options(loaded.config, output)
    options = replace(options, output_dir=options.output_dir or default_output_dir())
    history_options = build_history_options(
        loaded.config,
        history,
        source=source,
        profile=merged.get("profile"),
        endpoint_url=merged.get("endpoint_url"),
    )
    check_history(history_options)
    scan_options = scan_options_from_flags(**merged) if scan is not None else None
    return Settings(loaded, inputs, options, history_options, scan_options, merged)
