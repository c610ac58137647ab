"""The configuration file (``auditor.yaml``): what to scan, which policies, waivers, outputs and gate.

The file's keys are the fields of ``Config``; its JSON Schema is derived from the dataclass by the
same codec as the inventory, so the two cannot drift. Command-line flags override the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.fileio import read_text
from auditor.history.notify import DEFAULT_WEBHOOK_ENV, WebhookKind
from auditor.inventory.codec import DecodeError, from_jsonable, json_schema
from auditor.inventory.model import Recogniser
from auditor.policy.waivers import DEFAULT_MAX_DAYS as DEFAULT_WAIVER_MAX_DAYS
from auditor.policy.yamlsrc import load_yaml
from auditor.report import FORMATS
from auditor.results import Severity
from auditor.schemas import describe_schema_error, first_schema_error, packaged_schema
from auditor.secrets import REDACTED as REDACTED
from auditor.secrets import SECRET_KEYS as SECRET_KEYS
from auditor.secrets import redact_config as redact_config

SCHEMA_ID = "https://mm-auditor.dev/schemas/config-1.0.json"
SCHEMA_FILE = "config.schema.json"
DEFAULT_CONFIG_NAME = "auditor.yaml"
# Settings whose values are secrets: never copied into a run folder or evidence, never echoed.


@dataclass
class NotifyConfig:
    """Change notifications. The webhook URL itself is never in the file: it names the variable."""

    webhook: WebhookKind | None = None
    webhook_url_env: str = DEFAULT_WEBHOOK_ENV
    sns_topic_arn: str | None = None


@dataclass
class Config:
    """Settings from ``auditor.yaml``. Paths are relative to the file's folder."""

    # What to scan
    accounts: list[str] = field(default_factory=list)
    org: bool = False
    ous: list[str] = field(default_factory=list)
    role_name: str | None = None
    role_arn_template: str | None = None
    external_id: str | None = None
    regions: list[str] = field(default_factory=list)  # ["all"] for every enabled region
    profile: str | None = None
    search: bool = True
    s3: bool = True  # false: no ListObjectsV2 on capture / ground-truth buckets (like --no-s3)
    # A targeted scan (a release gate): endpoint names or prefixes ending in "*", and KEY=VALUE tags
    endpoints: list[str] = field(default_factory=list)
    endpoint_tags: list[str] = field(default_factory=list)
    # What to judge with
    policies: list[str] = field(default_factory=list)
    builtin_policies: bool = True
    enable: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    waivers: str | None = None
    frameworks: list[str] = field(default_factory=list)  # extra framework mapping files or folders
    waiver_max_days: int = DEFAULT_WAIVER_MAX_DAYS  # a waiver may expire at most this long after the run
    # What to produce
    formats: list[str] = field(default_factory=list)  # names of auditor.report.FORMATS
    output_dir: str | None = None
    fail_on: Severity | None = None
    allow_incomplete: bool = False
    asff_include_passed: bool = False
    fail_on_empty: bool | None = None  # None: on for a targeted scan, off for a full one
    # Run history
    history: str | None = None  # a file, or "none"; default reports/history.sqlite
    # Cost view: ask the Price List API (pricing:GetProducts); a price table file replacing the bundled one
    price_list_api: bool = True
    price_table: str | None = None
    # Replacement monitors (docs/replacements.md): how to recognise the alarms and schedules that replace
    # Model Monitor in this organization; none by default
    recognisers: list[Recogniser] = field(default_factory=list)
    fail_on_new: bool = False
    fail_on_age: int | None = None  # days
    notify: NotifyConfig | None = None


def derived_schema() -> dict[str, Any]:
    schema = json_schema(
        Config, schema_id=SCHEMA_ID, title="Model Monitor auditor configuration (auditor.yaml)"
    )
    props = schema["$defs"]["Config"]["properties"]
    props["accounts"]["items"] = {"type": "string", "pattern": "^[0-9]{12}$"}
    props["regions"]["items"] = {"type": "string", "pattern": "^(all|[a-z]{2}(-[a-z]+)+-[0-9]+)$"}
    props["waiver_max_days"]["minimum"] = 1
    props["formats"]["items"] = {"enum": list(FORMATS)}  # the one registry of output formats
    # A name, or a prefix ending in "*" (no other "*"); a tag as KEY=VALUE with a non-empty key.
    props["endpoints"]["items"] = {"type": "string", "pattern": "^[^*]+[*]?$"}
    props["endpoint_tags"]["items"] = {"type": "string", "pattern": "^[^=]+=.*$"}
    props["fail_on_age"]["anyOf"][0]["minimum"] = 0
    recogniser = schema["$defs"]["Recogniser"]
    recogniser["properties"]["name"]["pattern"] = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
    schema["$defs"]["AlarmMatcher"]["properties"]["namespace"]["minLength"] = 1
    schema["$defs"]["AlarmMatcher"]["properties"]["dimension"]["minLength"] = 1
    schema["$defs"]["ScheduleMatcher"]["properties"]["endpoint_in"]["minItems"] = 1
    schema["$defs"]["RuleMatcher"]["properties"]["endpoint_in"]["minItems"] = 1
    notify = schema["$defs"]["NotifyConfig"]["properties"]
    notify["webhook_url_env"]["pattern"] = "^[A-Za-z_][A-Za-z0-9_]*$"
    return schema


def published_schema() -> dict[str, Any]:
    return packaged_schema("auditor", SCHEMA_FILE)


def load_config(path: Path) -> Config:
    """Read and validate a config file; every problem raises InputError naming the file and field."""
    source = str(path)
    text = read_text(path)
    # The policy loader's YAML reader: one-line syntax errors with the line, duplicate keys rejected,
    # and bounded depth and size (no RecursionError or alias blow-up from a hostile file).
    data, _ = load_yaml(text, source)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(source, "the config file must be a mapping of settings")
    error = first_schema_error(data, published_schema())
    if error is not None:
        location = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        secret = bool(error.absolute_path) and error.absolute_path[0] in SECRET_KEYS
        raise InputError(source, describe_schema_error(error, secret=secret)[:300], location=location)
    try:
        config = from_jsonable(Config, data)
    except DecodeError as exc:
        location = exc.path.strip("/").replace("/", ".")
        secret = location.split(".")[0] in SECRET_KEYS
        raise InputError(source, "not a valid value" if secret else exc.message, location=location) from None
    _check_consistent(config, source)
    base = path.parent
    config.policies = [str((base / p).resolve()) if not Path(p).is_absolute() else p for p in config.policies]
    config.frameworks = [
        str((base / p).resolve()) if not Path(p).is_absolute() else p for p in config.frameworks
    ]
    if config.waivers is not None and not Path(config.waivers).is_absolute():
        config.waivers = str((base / config.waivers).resolve())
    if config.price_table is not None and not Path(config.price_table).is_absolute():
        config.price_table = str((base / config.price_table).resolve())
    if config.output_dir is not None and not Path(config.output_dir).is_absolute():
        config.output_dir = str((base / config.output_dir).resolve())
    if config.history is not None and config.history != "none" and not Path(config.history).is_absolute():
        config.history = str((base / config.history).resolve())
    return config


def _check_consistent(config: Config, source: str) -> None:
    """Settings that contradict each other are an error, never a silent choice."""
    if config.org and config.accounts:
        raise InputError(
            source,
            "cannot be combined with org: true (org discovery chooses the accounts; narrow it with ous)",
            location="accounts",
        )
    if config.ous and not config.org:
        raise InputError(source, "needs org: true", location="ous")
    seen: set[str] = set()
    for i, recogniser in enumerate(config.recognisers):
        if recogniser.name in seen:
            raise InputError(
                source, f"recogniser name {recogniser.name!r} is used twice", location=f"recognisers.{i}.name"
            )
        seen.add(recogniser.name)
        if recogniser.alarm is None and recogniser.schedule is None and recogniser.rule is None:
            raise InputError(
                source, "needs an alarm, a schedule or a rule matcher", location=f"recognisers.{i}"
            )


EXAMPLE = """\
# auditor.yaml — configuration for the SageMaker Model Monitor auditor.
# Every key is optional; command-line flags override what is set here (a flag for the accounts --
# --accounts, --org, --ou -- or for the role replaces the file's whole group of settings).
# Schema: auditor/config.schema.json (point your editor's YAML language server at it).

# --- What to scan -------------------------------------------------------------
# Member accounts, entered through STS AssumeRole with role_name (or role_arn_template).
accounts: []            # e.g. ["111111111111", "222222222222"]
org: false              # true: every ACTIVE account of the AWS Organization (run from the
                        # management account or a delegated administrator)
ous: []                 # with org: only these OUs (nested OUs included), e.g. ["ou-ab12-cdef3456"]
role_name: ModelMonitorAuditor
# role_arn_template: "arn:aws:iam::{account_id}:role/security/ModelMonitorAuditor"  # overrides role_name
# external_id: "set-me"  # if the member roles require one
regions: []             # [] = the profile's default region; ["all"] = every enabled region
# profile: audit-hub
search: true            # false = skip the sagemaker:Search fast path (List/Describe only)
s3: true                # false = do not list capture / ground-truth buckets (like --no-s3; no s3:ListBucket)
endpoints: []           # a targeted scan (release gate): names, or prefixes ending in "*", e.g. [churn-*]
endpoint_tags: []       # ... and/or KEY=VALUE tags, e.g. ["environment=production"]; an endpoint
                        # matching any of them is scanned. A targeted scan that matches nothing is exit 2.

# --- What to judge with -------------------------------------------------------
policies: []            # extra policy files or folders, e.g. ["./policies-local"]
builtin_policies: true
enable: []              # policy ids or tags; when set, only these run
disable: []             # policy ids or tags to skip
parameters: {}          # per-policy parameter overrides, e.g.:
#  mm-data-capture:
#    min_sampling_percent: 50
#  mm-model-quality-monitor:
#    production_tag_values: [production, prod, live]
# waivers: waivers.yaml
frameworks: []          # extra framework mapping files or folders (the built-in SR 11-7, ISO/IEC
                        # 42001, EU AI Act and NIST AI RMF mappings come with the built-in pack)
waiver_max_days: 365    # a waiver may expire at most this many days after the run

# --- What to produce ----------------------------------------------------------
formats: [json, html]   # any of {formats}
# output_dir: reports/nightly
fail_on: high           # exit 1 when a non-waived FAIL is at or above this severity
allow_incomplete: false # true: do not exit 3 when data could not be collected
asff_include_passed: false  # true: report.asff.json also holds PASS verdicts (Compliance.Status PASSED)
# fail_on_empty: true   # fail the gate when no endpoint was judged (default: true for a targeted
                        # scan, false for a full one)

# --- Run history (docs/history.md) ---------------------------------------------
# history: reports/history.sqlite   # every run is recorded here; "none" turns it off
fail_on_new: false      # true: exit 1 only for failures new since the previous run
# fail_on_age: 30       # exit 1 only for failures open at least this many days (with
                        # fail_on_new: either)
# notify:               # after each run, what changed since the previous one (opt-in)
#   webhook: slack      # or teams; the URL is read from the variable below, never from here
#   webhook_url_env: AUDITOR_WEBHOOK_URL
#   sns_topic_arn: arn:aws:sns:us-east-1:123456789012:model-monitor-audit

# --- Replacement monitors (docs/replacements.md) -------------------------------
recognisers: []         # how this organization's replacements for Model Monitor look, e.g.:
#  - name: evidently-data-quality
#    monitor_type: DataQuality          # or ModelQuality, ModelBias, ModelExplainability
#    alarm: {namespace: "Evidently/*", dimension: EndpointName}
#    schedule: {endpoint_in: [input], target_services: [lambda]}   # or rule: {...} (EventBridge)
# (and parameters: {mm-data-quality-monitor: {replacement_satisfies: true}} to let one satisfy the policy)

# --- Cost view (docs/migration.md) ---------------------------------------------
price_list_api: true    # false = do not call pricing:GetProducts; price from the table only
# price_table: prices.json  # replaces the bundled, dated table ({"date", "source", "prices": {region:
                        # {instance type: USD per hour}}})
""".replace("{formats}", ", ".join(FORMATS))
