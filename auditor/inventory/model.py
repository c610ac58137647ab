"""The normalized inventory: one typed, versioned snapshot between the scanners and the engine.

Everything here is plain data. Scanners fill it, ``relations.link`` resolves the links between
resources once, ``store`` saves and loads it, and the policy engine only reads it. Field names are
snake_case; the ARN is every resource's identity; ``raw`` keeps the API record the fields came from
(datetimes rendered as ISO-8601 strings) so an auditor can see exactly what AWS said.

Times are ISO-8601 strings in UTC (``2026-11-27T17:45:00Z``) so that a saved snapshot reloads and
re-saves to identical bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from auditor.inventory.raw import compact

SCHEMA_VERSION = "1.0"

JsonDict = dict[str, Any]
# An API record as kept: JSON data, held compact once its resource is made (``auditor.inventory.raw``).
RawJson = Mapping[str, Any]

# ----------------------------------------------------------------------- enum-like fields (declared once)

AWS_ENUM = "aws_enum"  # dataclass field metadata key: the AwsEnum of a field


@dataclass(frozen=True, slots=True)
class AwsEnum:
    """The values this version knows for a field that comes from an AWS enum AWS can extend.

    Such a field keeps whatever AWS sent (an unknown value is not mapped to a known one or dropped);
    the scanner lists the values it did not know in ``ScanMetadata.unknown_values``, and the policy
    loader warns on a deny-list condition over the field (an unknown value would pass it).
    ``required``: AWS always sends the field, so its absence (None) is itself an unknown value.
    """

    known: tuple[str, ...]
    required: bool = False


def aws_enum(*known: str, required: bool = False) -> dict[str, AwsEnum]:
    """Field metadata declaring an enum-like field: ``field(metadata=aws_enum("A", "B"))``."""
    return {AWS_ENUM: AwsEnum(tuple(known), required)}


ENDPOINT_STATUSES = aws_enum(
    "OutOfService",
    "Creating",
    "Updating",
    "SystemUpdating",
    "RollingBack",
    "InService",
    "Deleting",
    "Failed",
    "UpdateRollbackFailed",
    required=True,
)
CAPTURE_STATUSES = aws_enum("Started", "Stopped")
CAPTURE_MODES = aws_enum("Input", "Output", "InputAndOutput")
SCHEDULE_STATUSES = aws_enum("Pending", "Failed", "Scheduled", "Stopped", required=True)
EXECUTION_STATUSES = aws_enum(
    "Pending",
    "Completed",
    "CompletedWithViolations",
    "InProgress",
    "Failed",
    "Stopping",
    "Stopped",
    required=True,
)
MONITORING_TYPES = aws_enum("DataQuality", "ModelQuality", "ModelBias", "ModelExplainability")
PROBLEM_TYPES = aws_enum("BinaryClassification", "MulticlassClassification", "Regression")
PUBLISH_METRICS_VALUES = aws_enum("Enabled", "Disabled")  # the SDK's Environment convention
CONTAINER_MODES = aws_enum("SingleModel", "MultiModel")
ALERT_STATUSES = aws_enum("InAlert", "OK", required=True)
ALARM_STATES = aws_enum("OK", "ALARM", "INSUFFICIENT_DATA", required=True)
TREAT_MISSING_DATA = aws_enum("breaching", "notBreaching", "ignore", "missing")
SCHEDULE_STATES = aws_enum("ENABLED", "DISABLED", required=True)
RULE_STATES = aws_enum("ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", required=True)
COMPARISON_OPERATORS = aws_enum(
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
)


class MonitorType(StrEnum):
    """The four Model Monitor types (wire values of the MonitoringType enum)."""

    DATA_QUALITY = "DataQuality"
    MODEL_QUALITY = "ModelQuality"
    MODEL_BIAS = "ModelBias"
    MODEL_EXPLAINABILITY = "ModelExplainability"


class EndpointKind(StrEnum):
    """What kind of endpoint this is, as far as the scanner could tell."""

    REAL_TIME = "real_time"
    SERVERLESS = "serverless"
    ASYNC = "async"
    MULTI_MODEL = "multi_model"
    INFERENCE_COMPONENT = "inference_component"
    UNKNOWN = "unknown"


class AlarmType(StrEnum):
    METRIC = "metric"
    COMPOSITE = "composite"


class Dataset(StrEnum):
    """A kind of data the scanner collects. Collection errors are recorded per dataset, so the
    engine can tell which verdicts could not be established (fail closed)."""

    ENDPOINTS = "endpoints"
    ENDPOINT_CONFIGS = "endpoint_configs"
    MONITORS = "monitors"
    JOB_DEFINITIONS = "job_definitions"
    ALARMS = "alarms"
    TAGS = "tags"
    # Where alarm notifications go: EventBridge rules (and their targets) and SNS topics.
    ALERTING = "alerting"
    # CloudWatch ListMetrics on the Model Monitor namespaces: which metrics each monitor has.
    METRICS = "metrics"
    # ListMonitoringExecutions: the last executions of each schedule.
    EXECUTIONS = "executions"
    # S3 ListObjectsV2 under capture and ground-truth prefixes: whether data still arrives.
    S3_OBJECTS = "s3_objects"
    # What the replacement recognisers read: EventBridge Scheduler ListSchedules / GetSchedule (complete
    # by definition when no recogniser matches schedules: nothing is called). An endpoint's replacements
    # are also unknown when the alarms or, for rule matchers, the EventBridge rules were not read.
    REPLACEMENTS = "replacements"
    # What each endpoint hosts: its models (Search(Resource='Model'), DescribeModel for any Search lacks)
    # and inference components (ListInferenceComponents); and Model Monitor's own alerts on each schedule
    # (the MonitoringAlertSummaries of Search's model records).
    MODELS = "models"


# Datasets a scan may leave out by choice (--no-s3): SKIPPED, and the checks that need them are
# NOT_APPLICABLE. Any other dataset marked SKIPPED counts as not collected (ERROR).
OPTIONAL_DATASETS = frozenset({Dataset.S3_OBJECTS})


class ResourceKind(StrEnum):
    """The kinds of thing a policy can judge. Each has one descriptor in ``auditor.inventory.kinds``."""

    ENDPOINT = "endpoint"
    MONITOR = "monitor"
    JOB_DEFINITION = "job_definition"
    ALARM = "alarm"
    EVENT_RULE = "event_rule"
    TOPIC = "topic"
    SCHEDULE = "schedule"  # an EventBridge Scheduler schedule (read for the replacement recognisers)
    TARGET = "target"  # a scanned (account, region)


class InventorySource(StrEnum):
    """Where an inventory's resources came from."""

    SCAN = "scan"  # the AWS APIs (auditor scan)
    TEMPLATES = "templates"  # CloudFormation / CDK templates or Terraform plans (auditor iac)
    TEMPLATES_AND_SCAN = "templates+scan"  # templates merged over a saved scan (auditor iac --inventory)


class DatasetStatus(StrEnum):
    COMPLETE = "complete"
    # Every resource was found, but some could not be read in full: each of those is kept with the
    # dataset in its ``missing``, so the verdicts that need it are ERROR for that resource alone.
    PARTIAL = "partial"
    FAILED = "failed"  # an error means resources may be missing altogether (e.g. a listing failed)
    NOT_SCANNED = "not_scanned"  # e.g. the account's role could not be assumed
    # Not collected by choice (e.g. --no-s3): the checks that need it are NOT_APPLICABLE, never PASS.
    SKIPPED = "skipped"

    @property
    def listed(self) -> bool:
        """Whether every resource of the dataset is in the inventory (COMPLETE or PARTIAL): the
        target's data is usable, and a resource's own ``missing`` says what could not be read."""
        return self in (DatasetStatus.COMPLETE, DatasetStatus.PARTIAL)


class _KeepsRaw:
    """A resource that keeps its API record (``raw``): the record is made compact when the resource is."""

    __slots__ = ()
    raw: RawJson

    def __post_init__(self) -> None:
        self.raw = compact(self.raw)  # type: ignore[misc]  # each subclass (a slotted dataclass) has the slot


# --------------------------------------------------------------------------- provenance


@dataclass(slots=True)
class SourceLocation:
    """Where a resource read from a template or a plan is declared (None on scanned resources).

    ``file`` is the template or plan path as given (relative to the working directory where it is
    under it); ``line`` the line of the resource's logical id (CloudFormation; None for a Terraform
    plan, which is one line of JSON); ``address`` the logical id or the Terraform resource address.
    """

    file: str
    line: int | None = None
    address: str | None = None

    def describe(self) -> str:
        """``file:line (address)``, as messages and reports show it."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where} ({self.address})" if self.address else where


# Records read from a template also carry ``unknown``: document field paths (``data_capture``,
# ``data_capture.current_sampling_percentage``, a link such as ``monitors``; "" for the resource
# itself) whose value is unknown until the template is deployed, each with the reason, naming the
# template property. A check that reads one of them is ERROR, never PASS.
Unknowns = dict[str, str]


# --------------------------------------------------------------------------- endpoints


@dataclass(slots=True)
class Variant:
    """A production or shadow variant of an endpoint."""

    name: str
    shadow: bool = False
    model_name: str | None = None
    instance_type: str | None = None
    instance_count: int | None = None
    serverless_memory_mb: int | None = None
    serverless_max_concurrency: int | None = None


@dataclass(slots=True)
class DataCapture:
    """Data capture: running state from DescribeEndpoint, options from DescribeEndpointConfig.

    DescribeEndpoint's capture block has no CaptureOptions and no content-type header; they live on
    the endpoint config. ``capture_options`` is None when the endpoint config could not be read.
    """

    enabled: bool
    capture_status: str | None = field(default=None, metadata=CAPTURE_STATUSES)
    current_sampling_percentage: int | None = None
    destination_s3_uri: str | None = None
    kms_key_id: str | None = None
    capture_options: list[str] | None = field(default=None, metadata=CAPTURE_MODES)
    csv_content_types: list[str] = field(default_factory=list)
    json_content_types: list[str] = field(default_factory=list)


@dataclass(slots=True)
class S3Arrival:
    """The newest object found under an S3 prefix whose keys continue with ``yyyy/mm/dd/hh/``.

    The scanner lists only keys after ``listed_since`` (StartAfter on the date path), so ``newest_time``
    None means no object since then, not none ever.
    """

    uri: str  # s3://bucket/prefix/ that was listed
    bucket: str
    listed_since: str  # the start of the listed window (ISO-8601)
    newest_time: str | None = None  # LastModified of the newest object found; None: none in the window
    newest_key: str | None = None
    variant: str | None = None  # the endpoint variant, for a capture prefix


@dataclass(slots=True)
class HostedModel:
    """A model a variant of an endpoint hosts, as Search(Resource='Model') or DescribeModel read it.

    ``container_modes``: the Mode of PrimaryContainer and of every entry of Containers (a container
    without a Mode is SingleModel, the API's default). MultiModel in any of them makes a multi-model
    endpoint, which Model Monitor does not support.
    """

    name: str
    variant: str
    arn: str | None = None
    container_modes: list[str] = field(default_factory=list, metadata=CONTAINER_MODES)


@dataclass(slots=True)
class Endpoint(_KeepsRaw):
    arn: str
    name: str
    account_id: str
    region: str
    status: str | None = field(metadata=ENDPOINT_STATUSES)  # None: AWS sent no status
    kind: EndpointKind = EndpointKind.UNKNOWN
    creation_time: str | None = None
    last_modified_time: str | None = None
    endpoint_config_name: str | None = None
    variants: list[Variant] = field(default_factory=list)
    data_capture: DataCapture | None = None  # None: capture is not configured at all
    config_kms_key_id: str | None = None
    # The newest captured object per variant (ListObjectsV2 under <DestinationS3Uri>/<endpoint>/<variant>/);
    # None: not listed (capture off, not scanned, --no-s3, or a template).
    capture_arrivals: list[S3Arrival] | None = None
    # The models its variants name, read to verify ``kind`` (multi-model or not); None: not read (a
    # serverless or async endpoint, its config unread, not scanned, or a template).
    models: list[HostedModel] | None = None
    # The inference components it hosts (ListInferenceComponents), read when no variant names a model;
    # None: not read.
    inference_components: list[str] | None = None
    tags: dict[str, str] = field(default_factory=dict)
    # Datasets that could not be read for this resource alone (e.g. its DescribeEndpointConfig failed).
    missing: list[Dataset] = field(default_factory=list)
    raw: RawJson = field(default_factory=dict)
    # Resolved by relations.link: ARNs of the monitoring schedules that watch this endpoint.
    monitor_arns: list[str] = field(default_factory=list)
    # Resolved by relations.link from the scan's recognisers: the replacement monitors recognised for
    # this endpoint, and per monitor type who watches it ("Model Monitor", "replacement <name>",
    # "both (...)", "neither (...)").
    replacements: list[Replacement] = field(default_factory=list)
    watched_by: dict[str, str] = field(default_factory=dict)
    # Resolved by relations.link: [replacements] when what a recogniser reads could not be read in its
    # account and region (a schedule, the alarms, the rules): its replacements are unknown (ERROR).
    replacements_missing: list[Dataset] = field(default_factory=list)
    source: SourceLocation | None = None  # set when read from a template or plan (not deployed yet)
    unknown: Unknowns = field(default_factory=dict)


@dataclass(slots=True)
class Replacement:
    """A replacement monitor recognised for one endpoint (``auditor.inventory.replacements``).

    ``actionable``: one of its alarms has an alert path that reaches someone (as ``alert_paths``
    resolved it); a replacement without one does not watch the endpoint. ``detail`` says why, for
    messages and the migration view.
    """

    recogniser: str
    monitor_type: MonitorType
    actionable: bool
    alarms: list[str] = field(default_factory=list)  # names of the matched alarms
    actionable_alarms: list[str] = field(default_factory=list)
    schedules: list[str] = field(default_factory=list)  # group/name of the matched schedules
    rules: list[str] = field(default_factory=list)  # bus/name of the matched EventBridge rules
    detail: str = ""


# --------------------------------------------------------------------------- monitors


@dataclass(slots=True)
class LastExecution:
    status: str | None = field(metadata=EXECUTION_STATUSES)  # None: AWS sent no status
    scheduled_time: str | None = None
    creation_time: str | None = None
    last_modified_time: str | None = None
    failure_reason: str | None = None
    processing_job_arn: str | None = None
    # Its processing job's ProcessingEndTime - CreationTime (ListProcessingJobs); None: not read / not ended
    processing_seconds: float | None = None


class FailureClass(StrEnum):
    """Why a monitoring execution failed, classified from its FailureReason (``executions.classify``)."""

    NO_INPUT_DATA = "no_input_data"  # e.g. "Job inputs had no data" (nothing captured in the window)
    NO_GROUND_TRUTH = "no_ground_truth"  # the ground-truth merge found no labels
    PERMISSIONS = "permissions"  # the job's role was denied something (S3, KMS, ...)
    CAPACITY = "capacity"  # instance capacity or a service quota
    OTHER = "other"  # anything else, or no reason given


@dataclass(slots=True)
class ExecutionHistory:
    """A summary of the last executions of one schedule (``Monitor.executions``, newest first)."""

    runs: int  # executions read (at most the scanner's history size)
    failed: int = 0
    completed_with_violations: int = 0
    # Failed executions per FailureClass value (only the classes seen), e.g. {"no_input_data": 9}
    failure_classes: dict[str, int] = field(default_factory=dict)
    oldest_scheduled_time: str | None = None
    newest_scheduled_time: str | None = None
    # Runs that may have reported violations: CompletedWithViolations, plus runs in a status this version
    # does not know (or none): they cannot be told apart, so mm-violations-ignored never counts them as clean.
    violations_at_most: int | None = None
    # The scheduled time of the newest run that completed (with or without violations), among the runs
    # read and the schedule's last-execution summary; None: none of them did.
    last_completed_time: str | None = None


@dataclass(slots=True)
class MonitoringAlert:
    """One of Model Monitor's own alerts on a schedule (``MonitoringAlertSummary``, read from the
    MonitoringAlertSummaries of Search(Resource='Model')).

    AWS creates them with the schedule; one goes InAlert when at least ``datapoints_to_alert`` of the
    last ``evaluation_period`` executions failed. Its only action is the Model Dashboard indicator
    (``dashboard_indicator``): it notifies nobody.
    """

    name: str
    status: str | None = field(metadata=ALERT_STATUSES)  # None: AWS sent no status
    datapoints_to_alert: int | None = None
    evaluation_period: int | None = None
    dashboard_indicator: bool | None = None  # Actions.ModelDashboardIndicator.Enabled
    last_modified_time: str | None = None


@dataclass(slots=True)
class MisspeltAlarm:
    """An alarm whose metric names this monitor's dimensions on another spelling of its namespace.

    CloudWatch matches namespaces exactly, so such an alarm never sees the monitor's data.
    """

    alarm_arn: str
    alarm_name: str
    namespace: str  # the spelling the alarm uses
    expected_namespace: str  # the namespace the monitor publishes to


@dataclass(slots=True)
class Monitor(_KeepsRaw):
    """A monitoring schedule."""

    arn: str
    name: str
    account_id: str
    region: str
    # None: a type this version does not know (kept in raw, with a ScanError saying so), or none given
    monitor_type: MonitorType | None = field(metadata=MONITORING_TYPES)
    status: str | None = field(metadata=SCHEDULE_STATUSES)  # None: AWS sent no status
    failure_reason: str | None = None
    creation_time: str | None = None
    last_modified_time: str | None = None
    schedule_expression: str | None = None
    interval_seconds: int | None = None  # parsed from schedule_expression; None for NOW or unparsable
    endpoint_name: str | None = None
    batch_transform_input_uri: str | None = None
    job_definition_name: str | None = None  # None when the definition is embedded
    job_definition_embedded: bool = False
    last_execution: LastExecution | None = None
    # The metrics CloudWatch lists for this monitor (ListMetrics on the Model Monitor namespaces, with
    # its MonitoringSchedule and, real-time, Endpoint dimensions); None: not listed (not scanned, or a
    # template).
    metrics: list[MetricRef] | None = None
    # The last executions (ListMonitoringExecutions, newest first, within the history window) and their
    # summary; None: not read (not scanned, or a template).
    executions: list[LastExecution] | None = None
    execution_history: ExecutionHistory | None = None
    # The newest ground-truth object under the job definition's GroundTruthS3Input prefix (ModelQuality,
    # ModelBias); None: not listed (no ground truth input, not scanned, --no-s3, or a template).
    ground_truth_arrival: S3Arrival | None = None
    # Model Monitor's own alerts on this schedule (Search(Resource='Model')); None: not read (--no-search,
    # Search failed, a schedule in no model record such as a batch one, or a template).
    alerts: list[MonitoringAlert] | None = None
    tags: dict[str, str] = field(default_factory=dict)
    missing: list[Dataset] = field(default_factory=list)
    raw: RawJson = field(default_factory=dict)
    # Resolved by relations.link
    endpoint_arn: str | None = None  # None when the endpoint does not exist (orphan) or batch
    job_definition_arn: str | None = None
    alarm_arns: list[str] = field(default_factory=list)
    # The namespace the monitor publishes to: where CloudWatch has its metrics, else the canonical
    # spelling for its type (None for a type this version does not know).
    published_namespace: str | None = None
    misspelt_alarms: list[MisspeltAlarm] = field(default_factory=list)
    source: SourceLocation | None = None
    unknown: Unknowns = field(default_factory=dict)


# --------------------------------------------------------------------------- job definitions


@dataclass(slots=True)
class JobDefinition(_KeepsRaw):
    """A monitoring job definition, named (Describe<Type>JobDefinition) or embedded in a schedule.

    Embedded definitions get the synthetic ARN ``<schedule ARN>/embedded-job-definition``.
    """

    arn: str
    name: str
    account_id: str
    region: str
    monitor_type: MonitorType | None = field(metadata=MONITORING_TYPES)
    embedded: bool = False
    creation_time: str | None = None
    endpoint_name: str | None = None
    batch_transform_input_uri: str | None = None  # BatchTransformInput.DataCapturedDestinationS3Uri
    baseline_constraints_uri: str | None = None
    baseline_statistics_uri: str | None = None
    ground_truth_s3_uri: str | None = None
    problem_type: str | None = field(default=None, metadata=PROBLEM_TYPES)
    environment: dict[str, str] = field(default_factory=dict)
    # None: the key is absent from the Environment
    publish_cloudwatch_metrics: str | None = field(default=None, metadata=PUBLISH_METRICS_VALUES)
    network_isolation: bool | None = None
    inter_container_traffic_encryption: bool | None = None
    vpc_subnets: list[str] = field(default_factory=list)
    vpc_security_group_ids: list[str] = field(default_factory=list)
    output_kms_key_id: str | None = None
    volume_kms_key_id: str | None = None
    max_runtime_seconds: int | None = None
    instance_type: str | None = None
    instance_count: int | None = None
    missing: list[Dataset] = field(default_factory=list)
    raw: RawJson = field(default_factory=dict)
    # Resolved by relations.link
    monitor_arns: list[str] = field(default_factory=list)
    source: SourceLocation | None = None
    unknown: Unknowns = field(default_factory=dict)


# --------------------------------------------------------------------------- alarms


@dataclass(slots=True)
class MetricRef:
    """One metric an alarm reads: the alarm's own metric, or one of its metric-math inputs.

    ``account_id``: the account that owns the metric when the alarm is a cross-account alarm
    (``Metrics[].AccountId``, CloudWatch cross-account observability); None means the alarm's own.
    """

    namespace: str
    metric_name: str | None = None
    dimensions: dict[str, str] = field(default_factory=dict)
    account_id: str | None = None


class AlertVia(StrEnum):
    """How an alarm's ALARM state can reach someone."""

    SNS = "sns"  # an SNS topic in AlarmActions (or an EventBridge rule's target)
    EVENTBRIDGE = "eventbridge"  # a rule matching the alarm's state-change event on the default bus
    LAMBDA = "lambda"
    SSM = "ssm"  # Systems Manager OpsItem or incident
    AUTOSCALING = "autoscaling"
    EC2 = "ec2"
    UNKNOWN = "unknown"  # an action ARN of a kind this version does not know


class AlertStatus(StrEnum):
    """Whether one alert path reaches someone, as far as the scan can tell (allow-list: only
    DELIVERS and COUNTED count)."""

    DELIVERS = "delivers"  # read end to end: a topic with a confirmed subscription, a rule with a target
    COUNTED = "counted"  # an action whose target the auditor does not read (Lambda, SSM, ...): counted
    NO_SUBSCRIBERS = "no_subscribers"  # an SNS topic without a confirmed subscription
    NOT_FOUND = "not_found"  # the topic, or the event bus a rule forwards to, does not exist
    NO_TARGET = "no_target"  # a matching rule without a target (or forwarding to nothing that matches)
    UNVERIFIABLE = "unverifiable"  # in an account or region outside the scan
    UNREADABLE = "unreadable"  # in the scan, but could not be read (a scan error says why)
    UNSUPPORTED = "unsupported"  # an action ARN of a kind this version does not know


@dataclass(slots=True)
class AlertPath:
    """One way an alarm's state change into ALARM travels, resolved by ``relations.link``.

    ``detail`` names the path for messages ("EventBridge rule default/retrain → arn:…").
    """

    via: AlertVia
    status: AlertStatus
    arn: str  # the action, topic or rule ARN where the path starts
    detail: str


@dataclass(slots=True)
class Alarm(_KeepsRaw):
    arn: str
    name: str
    account_id: str
    region: str
    alarm_type: AlarmType
    state: str | None = field(metadata=ALARM_STATES)  # None: AWS sent no state
    state_updated: str | None = None
    actions_enabled: bool = False
    alarm_actions: list[str] = field(default_factory=list)
    ok_actions: list[str] = field(default_factory=list)
    insufficient_data_actions: list[str] = field(default_factory=list)
    description: str | None = None
    namespace: str | None = None
    metric_name: str | None = None
    dimensions: dict[str, str] = field(default_factory=dict)
    # Every metric read: the single metric, or each MetricStat of a metric-math alarm.
    metrics: list[MetricRef] = field(default_factory=list)
    expression: str | None = None  # the metric-math expression(s), joined with "; "
    statistic: str | None = None
    threshold: float | None = None
    comparison_operator: str | None = field(default=None, metadata=COMPARISON_OPERATORS)
    period: int | None = None
    evaluation_periods: int | None = None
    datapoints_to_alarm: int | None = None
    treat_missing_data: str | None = field(default=None, metadata=TREAT_MISSING_DATA)
    alarm_rule: str | None = None  # composite only
    children: list[str] = field(default_factory=list)  # composite only: child alarm names
    raw: RawJson = field(default_factory=dict)
    # Resolved by relations.link: monitors whose metrics this alarm watches, directly or via children.
    monitor_arns: list[str] = field(default_factory=list)
    # Resolved by relations.link: other accounts whose monitors this alarm watches (a monitoring account),
    # and the name messages show ("drift (in monitoring account 333… on metrics of 111…)").
    metric_accounts: list[str] = field(default_factory=list)
    display_name: str = ""
    # Resolved by relations.link: every way its ALARM state travels (actions and EventBridge rules).
    alert_paths: list[AlertPath] = field(default_factory=list)
    # Resolved by relations.link: [alerting] when one of its alert paths could not be read. It blocks the
    # alarm's own checks on its paths (ERROR), not the checks of the other alarms of its monitors.
    alert_missing: list[Dataset] = field(default_factory=list)
    source: SourceLocation | None = None
    unknown: Unknowns = field(default_factory=dict)


# --------------------------------------------------------------------------- alerting


@dataclass(slots=True)
class RuleTarget:
    """One target of an EventBridge rule (ListTargetsByRule)."""

    id: str
    arn: str
    input: str | None = None  # the target's constant Input (JSON), read for the replacement recognisers


@dataclass(slots=True)
class EventRule(_KeepsRaw):
    """An EventBridge rule whose event pattern can match CloudWatch alarm state-change events.

    Rules that cannot (other sources, schedules) are counted on the target, not stored -- unless a
    replacement recogniser has a rule matcher: then every enabled rule is kept with its targets.
    ``targets`` is empty when the rule is disabled (its targets are not read) or has none.
    """

    arn: str
    name: str
    account_id: str
    region: str
    event_bus_name: str
    state: str | None = field(metadata=RULE_STATES)  # None: AWS sent no state
    event_pattern: str | None = None  # the pattern as AWS returns it (a JSON string)
    schedule_expression: str | None = None  # a scheduled rule's rate() / cron()
    description: str | None = None
    targets: list[RuleTarget] = field(default_factory=list)
    missing: list[Dataset] = field(default_factory=list)
    raw: RawJson = field(default_factory=dict)
    source: SourceLocation | None = None
    unknown: Unknowns = field(default_factory=dict)


@dataclass(slots=True)
class Topic(_KeepsRaw):
    """An SNS topic named by an alarm action or a rule target (GetTopicAttributes).

    ``exists`` is False when GetTopicAttributes said NotFound (the topic was deleted).
    """

    arn: str
    name: str
    account_id: str
    region: str
    exists: bool = True
    subscriptions_confirmed: int | None = None
    subscriptions_pending: int | None = None
    missing: list[Dataset] = field(default_factory=list)
    raw: RawJson = field(default_factory=dict)
    source: SourceLocation | None = None
    unknown: Unknowns = field(default_factory=dict)


# --------------------------------------------------------------------------- replacement monitors


class ScheduleField(StrEnum):
    """Where a schedule matcher looks for the endpoint's name."""

    NAME = "name"  # the schedule's name
    TARGET_ARN = "target_arn"  # its target's ARN (a Lambda function, a SageMaker pipeline, ...)
    INPUT = "input"  # a string value of its target's Input JSON (GetSchedule)


@dataclass(slots=True)
class AlarmMatcher:
    """A CloudWatch metric alarm (static threshold or anomaly-detection band) reading a metric in
    ``namespace`` (exact, or a glob with ``*`` / ``?``) whose dimension ``dimension`` equals the
    endpoint's name."""

    namespace: str
    dimension: str = "EndpointName"


@dataclass(slots=True)
class ScheduleMatcher:
    """An EventBridge Scheduler schedule that names the endpoint in one of ``endpoint_in``.

    ``group``: a glob on the schedule group (None: any group); ``target_services``: the services its
    target may call, as the target ARN's service (``lambda``, ``sagemaker``, ...; empty: any).
    """

    endpoint_in: list[ScheduleField] = field(
        default_factory=lambda: [ScheduleField.NAME, ScheduleField.TARGET_ARN, ScheduleField.INPUT]
    )
    group: str | None = None
    target_services: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RuleMatcher:
    """An EventBridge rule (scheduled, or on any event) with a target that names the endpoint in one of
    ``endpoint_in`` (``name``: the rule's name; ``target_arn``; ``input``: the target's constant Input).

    ``event_bus``: a glob on the bus name (None: any bus); ``target_services``: as for schedules.
    """

    endpoint_in: list[ScheduleField] = field(
        default_factory=lambda: [ScheduleField.NAME, ScheduleField.TARGET_ARN, ScheduleField.INPUT]
    )
    event_bus: str | None = None
    target_services: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Recogniser:
    """How to recognise a replacement monitor of one type (config ``recognisers``).

    An endpoint is matched when its alarm matcher (if given) matches it and, when a trigger matcher is
    given (a Scheduler schedule, an EventBridge rule, or both), one of them does.
    """

    name: str
    monitor_type: MonitorType
    alarm: AlarmMatcher | None = None
    schedule: ScheduleMatcher | None = None
    rule: RuleMatcher | None = None


@dataclass(slots=True)
class Schedule(_KeepsRaw):
    """An EventBridge Scheduler schedule (ListSchedules; its target's Input from GetSchedule)."""

    arn: str
    name: str
    account_id: str
    region: str
    group_name: str
    state: str | None = field(metadata=SCHEDULE_STATES)  # None: AWS sent no state
    schedule_expression: str | None = None
    target_arn: str | None = None
    target_input: str | None = None  # None: not read (no recogniser looks at it) or no Input
    missing: list[Dataset] = field(default_factory=list)
    raw: RawJson = field(default_factory=dict)
    # Resolved by relations.link: the endpoints a recogniser matched this schedule to.
    endpoint_arns: list[str] = field(default_factory=list)
    source: SourceLocation | None = None
    unknown: Unknowns = field(default_factory=dict)


# --------------------------------------------------------------------------- scan metadata


@dataclass(slots=True)
class ScanError:
    """A collection failure. It is data: the engine turns it into ERROR verdicts, never PASS."""

    account_id: str
    region: str | None  # None for account-level steps such as AssumeRole
    service: str
    operation: str
    error_code: str
    message: str
    dataset: Dataset | None = None  # which data is missing or partial because of it
    resource: str | None = None  # a resource name or ARN when the failure concerns one resource


@dataclass(slots=True)
class Target:
    """One (account, region) the scan was asked to cover, and what it managed to collect."""

    account_id: str
    region: str
    datasets: dict[Dataset, DatasetStatus] = field(default_factory=dict)
    other_alarm_count: int = 0  # alarms outside the Model Monitor namespaces: counted, not stored
    other_rule_count: int = 0  # EventBridge rules that cannot match alarm state changes: counted
    # What the cost view could not read here (never a scan error: costs decide no verdict)
    cost_notes: list[str] = field(default_factory=list)
    # Set when only templates put resources here (no scan covered it): the first file that did.
    source: SourceLocation | None = None


@dataclass(slots=True)
class Identity:
    account_id: str
    arn: str


class Disagreement(StrEnum):
    """How Search (an eventually consistent index) disagreed with the List / Describe calls of the same
    scan. The List and Describe answers are authoritative and win."""

    NOT_LISTED = "not_listed"  # Search returned it, the listing did not: deleted since; dropped
    NOT_IN_SEARCH = "not_in_search"  # listed, but not (yet) in Search: read with Describe instead
    STALE = "stale"  # in both, with a different status or modification time: read again with Describe


@dataclass(slots=True)
class SearchDisagreement:
    """One resource on which Search and the authoritative calls disagreed (``detail`` says how)."""

    account_id: str
    region: str
    dataset: Dataset  # endpoints or monitors
    name: str
    kind: Disagreement
    detail: str = ""


@dataclass(slots=True)
class UnknownValue:
    """An enum-like field (see ``AwsEnum``) whose value this version does not know, kept as read."""

    resource: str  # the resource's ARN
    field: str  # its path in the resource, e.g. "last_execution.status" or "data_capture.capture_options"
    value: str | None  # None: AWS always sends this field, and did not


@dataclass(slots=True)
class ScanMetadata:
    tool_version: str
    started_at: str
    finished_at: str
    accounts: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    identities: list[Identity] = field(default_factory=list)
    api_calls: dict[str, int] = field(default_factory=dict)  # "sagemaker:Search" -> count
    options: JsonDict = field(default_factory=dict)  # e.g. {"search": true, "endpoint_filter": [...]}
    unknown_values: list[UnknownValue] = field(default_factory=list)
    search_disagreements: list[SearchDisagreement] = field(default_factory=list)
    source: InventorySource = InventorySource.SCAN  # templates: details in options["iac"]
    # The replacement recognisers the scan read for (config ``recognisers``); relations.link applies them.
    recognisers: list[Recogniser] = field(default_factory=list)


class PriceSource(StrEnum):
    """Where an instance price came from (the cost view says which)."""

    PRICE_LIST_API = "price-list-api"  # pricing:GetProducts, read during the scan
    BUNDLED = "bundled"  # the table shipped with the tool (auditor/inventory/data/processing_prices.json)
    FILE = "file"  # a price table named in the config (price_table)


@dataclass(slots=True)
class InstancePrice:
    """The on-demand hourly price of one SageMaker processing instance type in one region."""

    region: str
    instance_type: str
    usd_per_hour: float
    source: PriceSource
    detail: str = ""  # the table's date and origin, or the Price List API's SKU


@dataclass(slots=True)
class Pricing:
    """The prices the scan resolved for the processing instances it found, and how."""

    prices: list[InstancePrice] = field(default_factory=list)
    notes: list[str] = field(
        default_factory=list
    )  # e.g. "Price List API unreachable (...): bundled table used"


@dataclass(slots=True)
class Inventory:
    metadata: ScanMetadata
    targets: list[Target] = field(default_factory=list)
    endpoints: list[Endpoint] = field(default_factory=list)
    monitors: list[Monitor] = field(default_factory=list)
    job_definitions: list[JobDefinition] = field(default_factory=list)
    alarms: list[Alarm] = field(default_factory=list)
    event_rules: list[EventRule] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    pricing: Pricing | None = None  # None: prices not resolved (e.g. an inventory read from templates)
    schema_version: str = SCHEMA_VERSION
