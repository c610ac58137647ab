"""The sample estate: an AWS Organization with SageMaker endpoints, monitors and alarms, seeded into the
local AWS through boto3 (over HTTP, with assumed-role credentials per member account).

Two modes (``EstateSpec.endpoints_per_region``):

* ``None``: the curated sample, 38 endpoints over 3 member accounts x 2 regions (two of them migrated
  off Model Monitor to an Evidently-style replacement, ``_seed_replacements``). Compliant endpoints
  have every link in place; every other endpoint breaks exactly one link, named by its defect id. The
  manifest (``Estate.cases``) says what was seeded on purpose and where, so a policy test can assert
  "exactly these resources fail this policy".
* an int: a synthetic estate for benchmarks, that many endpoints per account and region with a
  realistic mix (most with DataQuality + ModelQuality monitors and alarms, some unmonitored, some
  development endpoints). The organization and roles are created over HTTP; the SageMaker and
  CloudWatch resources are written by calling moto's request handlers in-process with the same
  arguments (``direct.InProcessClient``), because HTTP costs ~7 ms a call, ~70 ms an endpoint.

Alerting (curated and scale): each (account, region) has the SNS topic ``ml-monitoring-alerts`` with one
confirmed (Lambda) subscription, which the alarms' actions name. The curated sample also has an alarm
wired only through EventBridge as aws-samples/amazon-sagemaker-drift-detection wires it (no alarm
actions; a rule on its ALARM state change targets a retraining pipeline), an alarm whose topic has no
confirmed subscription, one whose topic was deleted, and a monitoring account (the last member account)
holding the drift alarms of two endpoints of two other member accounts (``Metrics[].AccountId``).

Endpoint kinds and alerts (curated only, ``_seed_model_kinds_and_alerts``): a multi-model endpoint
(``multi_model_endpoint``: its model's container is MultiModel, so Model Monitor cannot watch it), a
monitored endpoint whose capture goes to a bucket of another member account
(``capture_bucket_other_account``: the capture check is ERROR naming the bucket), and Model Monitor's own
alerts on four DataQuality schedules (the one failing 10 of its last 12 runs is InAlert).

Manifest conventions: every endpoint has exactly one case of kind ``"endpoint"`` (defect ``compliant``,
``development_endpoint``, ``serverless_endpoint``, ``multi_model_endpoint``, ``hostile_names`` or the link
it breaks). When the broken link lives on another resource, a second case with the same defect names that
resource (``monitor``: a schedule or its job definition's content; ``alarm``; ``job_definition``). Resources
with no endpoint (``orphan_schedule``, ``job_definition_without_schedule``) have only their own case.
"""

from __future__ import annotations

import json
import random
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from auditor.emulator.direct import InProcessClient
from auditor.emulator.metrics import monitor_metric
from auditor.emulator.s3data import put_object_at
from auditor.emulator.server import MANAGEMENT_ACCOUNT_ID, LocalAws

AUDITOR_ROLE_NAME = "ModelMonitorAuditor"
FEATURE = "transaction_amount"
HOURLY = "cron(0 * ? * * *)"
_TYPE_ABBREV = {
    "DataQuality": "dq",
    "ModelQuality": "mq",
    "ModelBias": "bias",
    "ModelExplainability": "explain",
}
ALL_TYPES = ("DataQuality", "ModelQuality", "ModelBias", "ModelExplainability")
MISSPELT_DQ_NAMESPACE = "/aws/sagemaker/Endpoints/data-metric"


@dataclass(frozen=True)
class EstateSpec:
    """What to build: member accounts x regions, and either the curated sample or a scale estate."""

    accounts: int = 3  # member accounts
    regions: tuple[str, ...] = ("us-east-1", "eu-west-1")
    # None = the curated sample (every broken link once); an int = a synthetic scale estate for benchmarks.
    endpoints_per_region: int | None = None
    seed: int = 7


@dataclass(frozen=True)
class EstateCase:
    """One line of the manifest: what was seeded on purpose, and where."""

    defect: str
    kind: str  # "endpoint" | "monitor" | "job_definition" | "alarm"
    account_id: str
    region: str
    name: str
    arn: str


@dataclass(frozen=True)
class Estate:
    """What ``build_estate`` created."""

    management_account_id: str
    member_account_ids: tuple[str, ...]
    regions: tuple[str, ...]
    role_name: str  # the read-only role the auditor assumes in each member account
    cases: tuple[EstateCase, ...]

    def cases_with(self, defect: str) -> list[EstateCase]:
        """Every manifest line with this defect id (the endpoint's line and the broken resource's)."""
        return [c for c in self.cases if c.defect == defect]


# ------------------------------------------------------------------------------------------ blueprint


@dataclass(frozen=True)
class _Blueprint:
    """How to build one endpoint and its monitors; the defaults are a compliant production endpoint."""

    name: str
    defect: str = "compliant"
    tags: tuple[tuple[str, str], ...] = (
        ("environment", "production"),
        ("risk-tier", "high"),
        ("team", "ml-platform"),
    )
    serverless: bool = False
    capture_modes: tuple[str, ...] | None = ("Input", "Output")
    monitors: tuple[str, ...] = ALL_TYPES
    dq_metrics_env: str | None = "Enabled"  # publish_cloudwatch_metrics on the DataQuality definition
    mq_ground_truth: bool = True
    capture_age: timedelta = timedelta(minutes=20)  # age of the newest captured object (S3 LastModified)
    ground_truth_age: timedelta = timedelta(days=1)  # age of the newest ground-truth object
    dq_status: str = "Scheduled"
    dq_failure_reason: str | None = None
    dq_last_status: str = "Completed"
    dq_last_age: timedelta = timedelta(minutes=20)
    dq_last_failure: str | None = None
    # the DataQuality schedule's earlier runs, oldest first, before its last one: (status, failure reason)
    dq_earlier: tuple[tuple[str, str | None], ...] = (("Completed", None), ("Completed", None))
    # how the DataQuality drift alarm is wired: metric | math | composite | none | actions_disabled |
    # no_actions | wrong_dimensions | insufficient_data_long | eventbridge | topic_unconfirmed |
    # topic_deleted | misspelt_namespace
    dq_alarm: str = "metric"
    alarm_name_override: str | None = None
    alarm_description: str = "Data drift on a production model"
    extra_tags: tuple[tuple[str, str], ...] = ()
    # which manifest line names the broken resource besides the endpoint: None | monitor-<type> | alarm-<type>
    defect_resource: str | None = None
    model_mode: str = "SingleModel"  # MultiModel: the model serves every artifact under one S3 prefix
    # (account, region) of the account whose central bucket the capture goes to; None: the endpoint's own
    capture_owner: tuple[str, str] | None = None


_DEV_TAGS = (("environment", "development"), ("risk-tier", "low"), ("team", "data-science"))

# The curated sample: base blueprint for each endpoint, in the order they are spread over accounts/regions.
_CURATED: tuple[_Blueprint, ...] = (
    _Blueprint("fraud-scoring"),
    _Blueprint("credit-risk"),
    _Blueprint("churn-predict"),
    _Blueprint("dev-sandbox", defect="development_endpoint", tags=_DEV_TAGS, monitors=("DataQuality",)),
    _Blueprint("no-capture", defect="no_data_capture", capture_modes=None),
    _Blueprint("capture-input-only", defect="capture_input_only", capture_modes=("Input",)),
    _Blueprint(
        "no-dq-monitor",
        defect="no_data_quality_monitor",
        monitors=("ModelQuality", "ModelBias", "ModelExplainability"),
        dq_alarm="none",
    ),
    _Blueprint(
        "dq-stopped", defect="schedule_stopped", dq_status="Stopped", defect_resource="monitor-DataQuality"
    ),
    _Blueprint(
        "dq-schedule-failed",
        defect="schedule_failed",
        dq_status="Failed",
        dq_failure_reason="Access denied for role arn:aws:iam::ACCOUNT:role/monitor",
        defect_resource="monitor-DataQuality",
    ),
    _Blueprint(
        "dq-last-run-failed",
        defect="last_execution_failed",
        dq_last_status="Failed",
        dq_last_failure="AlgorithmError: no data captured in the analysis window",
        defect_resource="monitor-DataQuality",
    ),
    _Blueprint(
        "dq-stale",
        defect="last_execution_stale",
        dq_last_age=timedelta(days=3),
        defect_resource="monitor-DataQuality",
    ),
    _Blueprint(
        "dq-violations",
        defect="completed_with_violations",
        dq_last_status="CompletedWithViolations",
        defect_resource="monitor-DataQuality",
    ),
    _Blueprint(
        "mq-no-ground-truth",
        defect="model_quality_no_ground_truth",
        mq_ground_truth=False,
        defect_resource="monitor-ModelQuality",
    ),
    _Blueprint(
        "dq-metrics-disabled",
        defect="metrics_disabled",
        dq_metrics_env="Disabled",
        defect_resource="monitor-DataQuality",
    ),
    _Blueprint(
        "dq-metrics-key-absent",
        defect="metrics_key_absent",
        dq_metrics_env=None,
        defect_resource="monitor-DataQuality",
    ),
    _Blueprint(
        "dq-no-alarm", defect="no_drift_alarm", dq_alarm="none", defect_resource="monitor-DataQuality"
    ),
    _Blueprint(
        "alarm-actions-off",
        defect="alarm_actions_disabled",
        dq_alarm="actions_disabled",
        defect_resource="alarm-DataQuality",
    ),
    _Blueprint(
        "alarm-no-actions",
        defect="alarm_no_actions",
        dq_alarm="no_actions",
        defect_resource="alarm-DataQuality",
    ),
    _Blueprint(
        "alarm-wrong-dims",
        defect="alarm_wrong_dimensions",
        dq_alarm="wrong_dimensions",
        defect_resource="alarm-DataQuality",
    ),
    _Blueprint(
        "alarm-stuck",
        defect="alarm_insufficient_data_long",
        dq_alarm="insufficient_data_long",
        defect_resource="alarm-DataQuality",
    ),
    _Blueprint("math-alarm", defect="math_alarm_valid", dq_alarm="math", defect_resource="alarm-DataQuality"),
    _Blueprint(
        "composite-alarm",
        defect="composite_alarm_valid",
        dq_alarm="composite",
        defect_resource="alarm-composite",
    ),
    _Blueprint(
        "alarm-misspelt",
        defect="alarm_misspelt_namespace",
        dq_alarm="misspelt_namespace",
        defect_resource="alarm-DataQuality",
    ),
    _Blueprint(
        "dq-failing-runs",
        defect="repeated_failures",
        # the last run completed (mm-last-execution passes) after 10 of the 11 before it failed
        dq_earlier=(
            ("Completed", None),
            ("Failed", "AccessDenied: the role cannot read s3://ml-data-capture"),
            *(("Failed", "ClientError: Job inputs had no data"),) * 9,
        ),
        defect_resource="monitor-DataQuality",
    ),
    _Blueprint(
        "dq-violations-ignored",
        defect="violations_ignored",
        dq_last_status="CompletedWithViolations",
        dq_earlier=(("CompletedWithViolations", None),) * 11,
        defect_resource="monitor-DataQuality",
    ),
    _Blueprint("capture-stopped", defect="capture_stopped", capture_age=timedelta(days=3)),
    _Blueprint(
        "ground-truth-stale",
        defect="ground_truth_stale",
        ground_truth_age=timedelta(days=10),
        defect_resource="monitor-ModelQuality",
    ),
    _Blueprint(
        "serverless-scorer",
        defect="serverless_endpoint",
        serverless=True,
        capture_modes=None,
        monitors=(),
        dq_alarm="none",
    ),
    _Blueprint(
        "hostile-names",
        defect="hostile_names",
        extra_tags=(
            ("owner", "<img src=x onerror=alert(1)>"),
            ("description", 'Scoring for "Zürich & 東京" <b>branches</b>'),
        ),
        alarm_name_override="hostile-names drift <\"Zürich\" & '東京'>",
        alarm_description="Drift alarm for Zürich & 東京 <script>alert('x')</script>",
        defect_resource="alarm-DataQuality",
    ),
    _Blueprint(
        "drift-retrain",
        defect="eventbridge_alarm_valid",
        dq_alarm="eventbridge",
        defect_resource="alarm-DataQuality",
    ),
    _Blueprint(
        "alarm-topic-unconfirmed",
        defect="alarm_topic_unconfirmed",
        dq_alarm="topic_unconfirmed",
        defect_resource="alarm-DataQuality",
    ),
    _Blueprint(
        "alarm-topic-deleted",
        defect="alarm_topic_deleted",
        dq_alarm="topic_deleted",
        defect_resource="alarm-DataQuality",
    ),
)
# Endpoints whose DataQuality drift alarm is kept in the monitoring account (see _seed_central_alarms).
_CENTRAL = ("central-watch-a", "central-watch-b")


# ------------------------------------------------------------------------------------------ builder


@dataclass
class _Target:
    """Clients and helpers for one (member account, region)."""

    aws: LocalAws
    account_id: str
    region: str
    now: datetime
    rng: random.Random
    in_process: bool = False  # scale mode: moto's handlers called directly instead of over HTTP
    cases: list[EstateCase] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sm: Any
        self.cw: Any
        self.sns: Any
        self.events: Any = None  # EventBridge: curated estate only (over HTTP)
        if self.in_process:
            self.sm = InProcessClient("sagemaker", self.account_id, self.region)
            self.cw = InProcessClient("cloudwatch", self.account_id, self.region)
            self.sns = InProcessClient("sns", self.account_id, self.region)
        else:
            session = self.aws.session(self.account_id, self.region)
            self.sm = session.client("sagemaker", endpoint_url=self.aws.endpoint_url)
            self.cw = session.client("cloudwatch", endpoint_url=self.aws.endpoint_url)
            self.sns = session.client("sns", endpoint_url=self.aws.endpoint_url)
            self.events = session.client("events", endpoint_url=self.aws.endpoint_url)

    def kms(self, purpose: str) -> str:
        return f"arn:aws:kms:{self.region}:{self.account_id}:key/{purpose}-{self.rng.getrandbits(48):012x}"

    def role(self) -> str:
        return f"arn:aws:iam::{self.account_id}:role/SageMakerModelMonitorRole"

    def topic(self, name: str = "ml-monitoring-alerts") -> str:
        return f"arn:aws:sns:{self.region}:{self.account_id}:{name}"

    def create_topic(self, name: str, *, protocol: str = "lambda") -> str:
        """An SNS topic with one subscription: ``lambda`` is confirmed at once, ``email`` stays pending."""
        arn: str = self.sns.create_topic(Name=name)["TopicArn"]
        endpoint = (
            f"arn:aws:lambda:{self.region}:{self.account_id}:function:page-on-call"
            if protocol == "lambda"
            else "ml-oncall@example.com"
        )
        self.sns.subscribe(TopicArn=arn, Protocol=protocol, Endpoint=endpoint)
        return arn

    def alarm_arn(self, name: str) -> str:
        return f"arn:aws:cloudwatch:{self.region}:{self.account_id}:alarm:{name}"

    def case(self, defect: str, kind: str, name: str, arn: str) -> None:
        self.cases.append(EstateCase(defect, kind, self.account_id, self.region, name, arn))


def build_estate(aws: LocalAws, spec: EstateSpec = EstateSpec()) -> Estate:
    """Create the organization, the auditor role in each member account and the SageMaker/CloudWatch
    resources, through boto3 against ``aws.endpoint_url`` with assumed-role credentials per member
    account (a scale estate writes its SageMaker/CloudWatch resources in-process, see the module doc).
    Call it on a fresh (or reset) LocalAws: the organization can only be created once. The member
    account ids depend only on ``spec.seed``."""
    if spec.accounts < 1 or not spec.regions:
        raise ValueError("an estate needs at least one member account and one region")
    members = _create_organization(aws, spec)
    for account_id in members:
        _create_roles(aws, account_id)
    now = datetime.now(UTC).replace(microsecond=0)
    scale = spec.endpoints_per_region
    targets = [
        _Target(
            aws,
            account_id,
            region,
            now,
            random.Random(f"{spec.seed}:{account_id}:{region}"),
            in_process=scale is not None,
        )
        for account_id in members
        for region in spec.regions
    ]
    for target in targets:
        target.create_topic("ml-monitoring-alerts")
    if scale is None:
        _build_curated(targets, spec)
    else:
        for target in targets:
            _build_scale(target, scale)
    return Estate(
        management_account_id=MANAGEMENT_ACCOUNT_ID,
        member_account_ids=tuple(members),
        regions=tuple(spec.regions),
        role_name=AUDITOR_ROLE_NAME,
        cases=tuple(case for t in targets for case in t.cases),
    )


def _create_organization(aws: LocalAws, spec: EstateSpec) -> list[str]:
    # moto draws new account ids from its own RNG; seeding it makes them the same on every run.
    request = urllib.request.Request(f"{aws.endpoint_url}/moto-api/seed?a={spec.seed}", method="POST")
    with urllib.request.urlopen(request, timeout=30):
        pass
    org = aws.session().client("organizations", endpoint_url=aws.endpoint_url)
    org.create_organization(FeatureSet="ALL")
    root_id = org.list_roots()["Roots"][0]["Id"]
    ou_id = org.create_organizational_unit(ParentId=root_id, Name="ml-workloads")["OrganizationalUnit"]["Id"]
    members = []
    for i in range(spec.accounts):
        status = org.create_account(Email=f"ml-{i + 1}@example.com", AccountName=f"ml-workloads-{i + 1}")
        account_id = status["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=account_id, SourceParentId=root_id, DestinationParentId=ou_id)
        members.append(account_id)
    return members


_READ_ONLY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*","Action":['
    '"sagemaker:Describe*","sagemaker:List*","sagemaker:Search","s3:ListBucket","cloudwatch:DescribeAlarms",'
    '"cloudwatch:ListMetrics","cloudwatch:ListTagsForResource","ec2:DescribeRegions",'
    '"events:ListEventBuses","events:ListRules","events:ListTargetsByRule","sns:GetTopicAttributes",'
    '"scheduler:ListSchedules","scheduler:GetSchedule"]}]}'
)


def _create_roles(aws: LocalAws, account_id: str) -> None:
    iam = aws.session(account_id).client("iam", endpoint_url=aws.endpoint_url)
    trust = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":'
        f'"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:root"}},"Action":"sts:AssumeRole"}}]}}'
    )
    # The admin role (ADMIN_ROLE_NAME) is created by Organizations' CreateAccount, as on AWS.
    iam.create_role(
        RoleName=AUDITOR_ROLE_NAME,
        AssumeRolePolicyDocument=trust,
        Description="Read-only role for the Model Monitor compliance auditor",
    )
    # moto does not load AWS managed policies, so the read-only grant is an inline policy.
    iam.put_role_policy(
        RoleName=AUDITOR_ROLE_NAME, PolicyName="model-monitor-audit-read-only", PolicyDocument=_READ_ONLY
    )


def _build_curated(targets: list[_Target], spec: EstateSpec) -> None:
    for i, blueprint in enumerate(_CURATED):
        target = targets[i % len(targets)]
        _seed_endpoint(target, blueprint)
    first = targets[0]
    second = targets[1 % len(targets)]
    _seed_orphan_schedule(second)
    _seed_unused_job_definitions(first, _CURATED[0].name)
    _seed_central_alarms(targets)
    _seed_replacements(targets)
    _seed_model_kinds_and_alerts(targets)


# ------------------------------------------------------------------------------------------ one endpoint


def _seed_endpoint(t: _Target, bp: _Blueprint) -> None:
    name = bp.name
    tags = [{"Key": k, "Value": v} for k, v in bp.tags + bp.extra_tags]
    container = {"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1.7-1", "Mode": bp.model_mode}
    if bp.model_mode == "MultiModel":
        container["ModelDataUrl"] = f"s3://ml-models-{t.account_id}-{t.region}/{name}/"
    t.sm.create_model(
        ModelName=f"{name}-model",
        ExecutionRoleArn=t.role(),
        PrimaryContainer=container,
        EnableNetworkIsolation=True,
    )
    variant: dict[str, Any] = {
        "VariantName": "AllTraffic",
        "ModelName": f"{name}-model",
        "InitialVariantWeight": 1.0,
    }
    config: dict[str, Any] = {"EndpointConfigName": f"{name}-config", "ProductionVariants": [variant]}
    if bp.serverless:
        variant["ServerlessConfig"] = {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
    else:
        variant.update(InstanceType="ml.m5.xlarge", InitialInstanceCount=2)
        config["KmsKeyId"] = t.kms("endpoint-volume")
    if bp.capture_modes is not None:
        if bp.capture_owner is None:
            owner, bucket = (t.account_id, t.region), f"ml-data-capture-{t.account_id}-{t.region}"
        else:
            owner, bucket = bp.capture_owner, f"ml-central-capture-{bp.capture_owner[0]}"
        # what capture wrote: <DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/, newest capture_age ago
        for when in (t.now - bp.capture_age - timedelta(hours=1), t.now - bp.capture_age):
            key = f"{name}/{name}/AllTraffic/{when:%Y/%m/%d/%H}/{when:%M-%S}-capture.jsonl"
            put_object_at(*owner, bucket, key, when)
        config["DataCaptureConfig"] = {
            "EnableCapture": True,
            "InitialSamplingPercentage": 100,
            "DestinationS3Uri": f"s3://{bucket}/{name}",
            "KmsKeyId": t.kms("capture"),
            "CaptureOptions": [{"CaptureMode": mode} for mode in bp.capture_modes],
            "CaptureContentTypeHeader": {
                "CsvContentTypes": ["text/csv"],
                "JsonContentTypes": ["application/json"],
            },
        }
    t.sm.create_endpoint_config(**config, Tags=tags)
    endpoint_arn = t.sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config", Tags=tags)[
        "EndpointArn"
    ]
    t.case(bp.defect, "endpoint", name, endpoint_arn)

    schedule_arns: dict[str, str] = {}
    alarm_arns: dict[str, str] = {}
    for monitoring_type in bp.monitors:
        schedule_name, schedule_arn = _seed_monitor(t, bp, monitoring_type, tags)
        schedule_arns[monitoring_type] = schedule_arn
        if monitoring_type == "DataQuality" and bp.dq_alarm != "metric":
            alarm = _seed_special_dq_alarm(t, bp, schedule_name)
        else:
            alarm = _seed_alarm(t, bp, monitoring_type, schedule_name)
        if alarm:
            alarm_arns[monitoring_type] = alarm
    if bp.dq_alarm == "composite":
        alarm_arns["composite"] = _seed_composite(t, bp)

    if bp.defect_resource:
        kind, _, which = bp.defect_resource.partition("-")
        if kind == "monitor":
            arn = schedule_arns[which]
            t.case(bp.defect, "monitor", arn.rsplit("/", 1)[1], arn)
        else:
            arn = alarm_arns[which]
            t.case(bp.defect, "alarm", arn.split(":alarm:", 1)[1], arn)


def _seed_monitor(
    t: _Target, bp: _Blueprint, monitoring_type: str, tags: list[dict[str, str]]
) -> tuple[str, str]:
    abbrev = _TYPE_ABBREV[monitoring_type]
    definition = f"{bp.name}-{abbrev}-def"
    _create_job_definition(t, monitoring_type, definition, bp.name, bp)
    schedule = f"{bp.name}-{abbrev}"
    arn: str = t.sm.create_monitoring_schedule(
        MonitoringScheduleName=schedule,
        MonitoringScheduleConfig={
            "ScheduleConfig": {"ScheduleExpression": HOURLY},
            "MonitoringJobDefinitionName": definition,
            "MonitoringType": monitoring_type,
        },
        Tags=tags,
    )["MonitoringScheduleArn"]
    is_dq = monitoring_type == "DataQuality"
    if is_dq and bp.dq_status == "Stopped":
        t.sm.stop_monitoring_schedule(MonitoringScheduleName=schedule)
    last: dict[str, Any] = {
        "MonitoringExecutionStatus": bp.dq_last_status if is_dq else "Completed",
        "ScheduledTime": t.now - (bp.dq_last_age if is_dq else timedelta(minutes=20)),
    }
    if is_dq and bp.dq_last_failure:
        last["FailureReason"] = bp.dq_last_failure
    last["_processing_seconds"] = _run_seconds(monitoring_type, last["MonitoringExecutionStatus"])
    # earlier runs, hourly, so ListMonitoringExecutions has history (by default two healthy ones)
    history = bp.dq_earlier if is_dq else (("Completed", None), ("Completed", None))
    for age, (status, reason) in zip(range(len(history), 0, -1), history, strict=True):
        earlier: dict[str, Any] = {
            "MonitoringExecutionStatus": status,
            "ScheduledTime": last["ScheduledTime"] - timedelta(hours=age),
        }
        if reason:
            earlier["FailureReason"] = reason
        earlier["_processing_seconds"] = _run_seconds(monitoring_type, status)
        t.aws.set_schedule_state(t.account_id, t.region, schedule, last_execution=earlier)
    t.aws.set_schedule_state(t.account_id, t.region, schedule, last_execution=last)
    if is_dq and bp.dq_status == "Failed":
        reason = (bp.dq_failure_reason or "").replace("ACCOUNT", t.account_id)
        t.aws.set_schedule_state(t.account_id, t.region, schedule, status="Failed", failure_reason=reason)
    return schedule, arn


# How long the sample's processing jobs run (for the cost view): Clarify jobs run longer than the
# data-quality analyzer; a failed run stops early. A run still in progress has not ended.
_RUN_SECONDS = {"DataQuality": 540, "ModelQuality": 660, "ModelBias": 900, "ModelExplainability": 1200}


def _run_seconds(monitoring_type: str, status: str) -> int | None:
    if status in ("InProgress", "Pending", "Stopping"):
        return None
    return 180 if status == "Failed" else _RUN_SECONDS.get(monitoring_type, 600)


def _create_job_definition(t: _Target, monitoring_type: str, name: str, endpoint: str, bp: _Blueprint) -> str:
    """One job definition of ``monitoring_type`` for ``endpoint``; returns its ARN."""
    bucket = f"s3://ml-monitoring-{t.account_id}-{t.region}/{endpoint}"
    env = {"publish_cloudwatch_metrics": "Enabled"}
    if monitoring_type == "DataQuality":
        env = {} if bp.dq_metrics_env is None else {"publish_cloudwatch_metrics": bp.dq_metrics_env}
    endpoint_input: dict[str, Any] = {
        "EndpointName": endpoint,
        "LocalPath": "/opt/ml/processing/input/endpoint",
        "S3InputMode": "File",
        "S3DataDistributionType": "FullyReplicated",
    }
    if monitoring_type in ("ModelQuality", "ModelBias"):
        endpoint_input.update(
            InferenceAttribute="0", ProbabilityAttribute="1", ProbabilityThresholdAttribute=0.5
        )
        endpoint_input.update(StartTimeOffset="-PT2H", EndTimeOffset="-PT1H")
    # one labels prefix per monitor type, so a stale one is that monitor's alone
    labels = "ground-truth" if monitoring_type == "ModelQuality" else "ground-truth-bias"
    ground_truth = (
        {"S3Uri": f"{bucket}/{labels}"} if bp.mq_ground_truth or monitoring_type != "ModelQuality" else {}
    )
    job_input: dict[str, Any] = {"EndpointInput": endpoint_input}
    if monitoring_type in ("ModelQuality", "ModelBias"):
        job_input["GroundTruthS3Input"] = ground_truth
        if ground_truth:  # labels uploaded under <S3Uri>/yyyy/mm/dd/hh/, newest ground_truth_age ago
            when = t.now - (bp.ground_truth_age if monitoring_type == "ModelQuality" else timedelta(days=1))
            key = f"{endpoint}/{labels}/{when:%Y/%m/%d/%H}/labels.jsonl"
            put_object_at(t.account_id, t.region, f"ml-monitoring-{t.account_id}-{t.region}", key, when)
    baseline: dict[str, Any] = {
        "BaseliningJobName": f"{endpoint}-{_TYPE_ABBREV[monitoring_type]}-baseline",
        "ConstraintsResource": {"S3Uri": f"{bucket}/baseline/constraints.json"},
    }
    if monitoring_type == "DataQuality":
        baseline["StatisticsResource"] = {"S3Uri": f"{bucket}/baseline/statistics.json"}
    app: dict[str, Any] = {
        "ImageUri": f"156813124566.dkr.ecr.{t.region}.amazonaws.com/sagemaker-model-monitor-analyzer",
        "Environment": env,
    }
    if monitoring_type == "ModelQuality":
        app["ProblemType"] = "BinaryClassification"
    if monitoring_type in ("ModelBias", "ModelExplainability"):
        app = {
            "ImageUri": f"205585389593.dkr.ecr.{t.region}.amazonaws.com/sagemaker-clarify-processing:1.0",
            "ConfigUri": f"{bucket}/clarify/analysis_config.json",
            "Environment": env,
        }
    runtime = 1800 if monitoring_type in ("ModelQuality", "ModelBias") else 3600
    kwargs: dict[str, Any] = {
        "JobDefinitionName": name,
        f"{monitoring_type}BaselineConfig": baseline,
        f"{monitoring_type}AppSpecification": app,
        f"{monitoring_type}JobInput": job_input,
        f"{monitoring_type}JobOutputConfig": {
            "MonitoringOutputs": [
                {
                    "S3Output": {
                        "S3Uri": f"{bucket}/reports/{_TYPE_ABBREV[monitoring_type]}",
                        "LocalPath": "/opt/ml/processing/output",
                        "S3UploadMode": "EndOfJob",
                    }
                }
            ],
            "KmsKeyId": t.kms("monitor-output"),
        },
        "JobResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
                "VolumeSizeInGB": 20,
                "VolumeKmsKeyId": t.kms("monitor-volume"),
            }
        },
        "NetworkConfig": {"EnableInterContainerTrafficEncryption": True, "EnableNetworkIsolation": True},
        "RoleArn": t.role(),
        "StoppingCondition": {"MaxRuntimeInSeconds": runtime},
        "Tags": [{"Key": k, "Value": v} for k, v in bp.tags],
    }
    create: Callable[..., dict[str, Any]] = getattr(t.sm, f"create_{_snake(monitoring_type)}_job_definition")
    arn: str = create(**kwargs)["JobDefinitionArn"]
    return arn


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


# ------------------------------------------------------------------------------------------ alarms, metrics


def _metric(
    t: _Target, endpoint: str, monitoring_type: str, schedule: str
) -> tuple[str, str, list[dict[str, str]]]:
    """(namespace, metric name, dimensions) that a monitor of this type publishes."""
    return monitor_metric(monitoring_type, schedule, endpoint)


def _dims(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in pairs]


def _threshold(monitoring_type: str) -> tuple[float, str]:
    if monitoring_type == "ModelQuality":
        return 0.7, "LessThanThreshold"
    return 0.2, "GreaterThanThreshold"


def _seed_alarm(t: _Target, bp: _Blueprint, monitoring_type: str, schedule: str, **overrides: Any) -> str:
    """A single-metric drift alarm on the monitor's own metric; returns its ARN."""
    namespace, metric_name, dims = _metric(t, bp.name, monitoring_type, schedule)
    threshold, operator = _threshold(monitoring_type)
    name = f"{schedule}-drift"
    if monitoring_type == "DataQuality" and bp.alarm_name_override:
        name = bp.alarm_name_override
    kwargs: dict[str, Any] = {
        "AlarmName": name,
        "AlarmDescription": bp.alarm_description,
        "Namespace": namespace,
        "MetricName": metric_name,
        "Dimensions": dims,
        "Statistic": "Maximum",
        "Period": 3600,
        "EvaluationPeriods": 1,
        "Threshold": threshold,
        "ComparisonOperator": operator,
        "TreatMissingData": "notBreaching",
        "ActionsEnabled": True,
        "AlarmActions": [t.topic()],
        "Tags": [{"Key": "environment", "Value": dict(bp.tags).get("environment", "production")}],
    }
    kwargs.update(overrides)
    t.cw.put_metric_alarm(**kwargs)
    return t.alarm_arn(name)


def _seed_special_dq_alarm(t: _Target, bp: _Blueprint, schedule: str) -> str | None:
    """The DataQuality alarm of an endpoint whose defect is about that alarm."""
    mode = bp.dq_alarm
    if mode == "none":
        return None
    if mode == "actions_disabled":
        return _seed_alarm(t, bp, "DataQuality", schedule, ActionsEnabled=False)
    if mode in ("no_actions", "composite"):
        # composite: the child has no actions of its own; the composite parent carries them.
        return _seed_alarm(t, bp, "DataQuality", schedule, AlarmActions=[])
    if mode == "misspelt_namespace":
        # a documented spelling (DOMAIN §2.1) that is not the one the monitor publishes to: never fires
        return _seed_alarm(t, bp, "DataQuality", schedule, Namespace=MISSPELT_DQ_NAMESPACE)
    if mode == "wrong_dimensions":
        return _seed_alarm(
            t, bp, "DataQuality", schedule, Dimensions=[{"Name": "Endpoint", "Value": bp.name}]
        )
    if mode == "insufficient_data_long":
        arn = _seed_alarm(t, bp, "DataQuality", schedule)
        name = f"{schedule}-drift"
        t.cw.set_alarm_state(AlarmName=name, StateValue="INSUFFICIENT_DATA", StateReason="Insufficient Data")
        t.aws.set_alarm_state_time(t.account_id, t.region, name, t.now - timedelta(days=3))
        return arn
    if mode == "eventbridge":
        return _seed_eventbridge_alarm(t, bp, schedule)
    if mode == "topic_unconfirmed":
        topic = t.create_topic(f"{bp.name}-alerts", protocol="email")
        return _seed_alarm(t, bp, "DataQuality", schedule, AlarmActions=[topic])
    if mode == "topic_deleted":
        topic = t.create_topic(f"{bp.name}-alerts")
        t.sns.delete_topic(TopicArn=topic)
        return _seed_alarm(t, bp, "DataQuality", schedule, AlarmActions=[topic])
    if mode == "math":
        namespace, metric_name, dims = _metric(t, bp.name, "DataQuality", schedule)
        name = f"{schedule}-drift-math"
        t.cw.put_metric_alarm(
            AlarmName=name,
            AlarmDescription="Worst feature drift (metric math)",
            Metrics=[
                {
                    "Id": "drift",
                    "MetricStat": {
                        "Metric": {"Namespace": namespace, "MetricName": metric_name, "Dimensions": dims},
                        "Period": 3600,
                        "Stat": "Maximum",
                    },
                    "ReturnData": False,
                },
                {"Id": "worst", "Expression": "MAX([drift])", "Label": "worst drift", "ReturnData": True},
            ],
            EvaluationPeriods=1,
            Threshold=0.2,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
            ActionsEnabled=True,
            AlarmActions=[t.topic()],
        )
        return t.alarm_arn(name)
    raise ValueError(f"unknown DataQuality alarm mode {mode!r}")


def _seed_eventbridge_alarm(t: _Target, bp: _Blueprint, schedule: str) -> str:
    """As aws-samples/amazon-sagemaker-drift-detection wires its drift alarm: no alarm actions, and an
    EventBridge rule on the alarm's ALARM state change whose target starts a retraining pipeline."""
    arn = _seed_alarm(t, bp, "DataQuality", schedule, AlarmActions=[])
    name = f"{schedule}-drift"
    pattern = {
        "source": ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        "detail": {"alarmName": [name], "state": {"value": ["ALARM"]}},
    }
    t.events.put_rule(
        Name=f"{bp.name}-retrain-on-drift",
        EventPattern=json.dumps(pattern),
        State="ENABLED",
        Description="Start the retraining pipeline when the drift alarm fires",
    )
    t.events.put_targets(
        Rule=f"{bp.name}-retrain-on-drift",
        Targets=[
            {
                "Id": "retrain-pipeline",
                "Arn": f"arn:aws:sagemaker:{t.region}:{t.account_id}:pipeline/{bp.name}-retrain",
                "RoleArn": f"arn:aws:iam::{t.account_id}:role/EventBridgeStartPipeline",
            }
        ],
    )
    return arn


def _seed_central_alarms(targets: list[_Target]) -> None:
    """A monitoring account (the last member account, first region) holding the drift alarms of one
    endpoint in each of two other member accounts: cross-account alarms (``Metrics[].AccountId``)."""
    region = targets[0].region
    in_region = [t for t in targets if t.region == region]
    accounts = sorted({t.account_id for t in in_region}, key=[t.account_id for t in in_region].index)
    if len(accounts) < 3:
        return
    monitoring = next(t for t in in_region if t.account_id == accounts[-1])
    for name, member in zip(_CENTRAL, accounts[:2], strict=True):
        t = next(x for x in in_region if x.account_id == member)
        bp = _Blueprint(name, defect="central_monitoring_alarm", dq_alarm="none", defect_resource=None)
        _seed_endpoint(t, bp)
        schedule = f"{name}-dq"
        namespace, metric_name, dims = _metric(t, name, "DataQuality", schedule)
        alarm = f"{member}-{schedule}-drift"
        monitoring.cw.put_metric_alarm(
            AlarmName=alarm,
            AlarmDescription=f"Data drift on {name} in account {member} (cross-account observability)",
            Metrics=[
                {
                    "Id": "drift",
                    "AccountId": member,
                    "MetricStat": {
                        "Metric": {"Namespace": namespace, "MetricName": metric_name, "Dimensions": dims},
                        "Period": 3600,
                        "Stat": "Maximum",
                    },
                    "ReturnData": True,
                }
            ],
            EvaluationPeriods=1,
            Threshold=0.2,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
            ActionsEnabled=True,
            AlarmActions=[monitoring.topic()],
        )
        monitoring.case("central_monitoring_alarm", "alarm", alarm, monitoring.alarm_arn(alarm))


def _seed_composite(t: _Target, bp: _Blueprint) -> str:
    name = f"{bp.name}-any-drift"
    children = [f"{bp.name}-{_TYPE_ABBREV[m]}-drift" for m in bp.monitors]
    t.cw.put_composite_alarm(
        AlarmName=name,
        AlarmDescription="Any drift on the endpoint",
        AlarmRule=" OR ".join(f'ALARM("{child}")' for child in children),
        ActionsEnabled=True,
        AlarmActions=[t.topic()],
    )
    return t.alarm_arn(name)


# ------------------------------------------------------------------------------------------ no endpoint


def _seed_orphan_schedule(t: _Target) -> None:
    """A DataQuality schedule (and its job definition) whose endpoint has been deleted."""
    bp = _Blueprint("retired-model", defect="orphan_schedule", monitors=("DataQuality",))
    tags = [{"Key": k, "Value": v} for k, v in bp.tags]
    t.sm.create_model(
        ModelName="retired-model-model", ExecutionRoleArn=t.role(), PrimaryContainer={"Image": "img"}
    )
    variant = {
        "VariantName": "AllTraffic",
        "ModelName": "retired-model-model",
        "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1,
    }
    t.sm.create_endpoint_config(EndpointConfigName="retired-model-config", ProductionVariants=[variant])
    t.sm.create_endpoint(EndpointName="retired-model", EndpointConfigName="retired-model-config")
    schedule, arn = _seed_monitor(t, bp, "DataQuality", tags)
    t.sm.delete_endpoint(EndpointName="retired-model")
    t.sm.delete_endpoint_config(EndpointConfigName="retired-model-config")
    t.case("orphan_schedule", "monitor", schedule, arn)


def _seed_unused_job_definitions(t: _Target, endpoint: str) -> None:
    """Job definitions that no schedule uses (left over from an earlier iteration)."""
    bp = _Blueprint(endpoint)
    for monitoring_type in ("DataQuality", "ModelExplainability"):
        name = f"{endpoint}-{_TYPE_ABBREV[monitoring_type]}-def-v0"
        arn = _create_job_definition(t, monitoring_type, name, endpoint, bp)
        t.case("job_definition_without_schedule", "job_definition", name, arn)


# ------------------------------------------------------------------------------------------ scale


def _build_scale(t: _Target, count: int) -> None:
    """``count`` endpoints in one account and region with a realistic mix of monitoring."""
    for i in range(count):
        roll = t.rng.random()
        name = f"model-{t.rng.getrandbits(24):06x}-{i:05d}"
        if roll < 0.70:
            bp = _Blueprint(name, monitors=("DataQuality", "ModelQuality"))
        elif roll < 0.80:
            bp = _Blueprint(
                name,
                defect="development_endpoint",
                tags=_DEV_TAGS,
                monitors=("DataQuality",),
            )
        elif roll < 0.90:
            bp = _Blueprint(name, defect="no_data_quality_monitor", monitors=(), dq_alarm="none")
        elif roll < 0.95:
            bp = _Blueprint(
                name,
                defect="no_drift_alarm",
                monitors=("DataQuality", "ModelQuality"),
                dq_alarm="none",
            )
        else:
            bp = _Blueprint(
                name,
                defect="schedule_stopped",
                monitors=("DataQuality", "ModelQuality"),
                dq_status="Stopped",
            )
        _seed_endpoint(t, replace(bp, defect_resource=None))


# ------------------------------------------------------------------------------------------ replacements

# The Evidently-style replacement the sample organization migrates to (docs/replacements.md): drift
# metrics in a custom namespace with the endpoint as a dimension, an alarm on them with an SNS action,
# and an EventBridge Scheduler schedule running the Evidently Lambda with the endpoint in its Input
# (the demo's recogniser for it: ``auditor.cli.demo_cmd.DEMO_RECOGNISERS``).
EVIDENTLY_NAMESPACE = "Evidently/DataDrift"
# Staging endpoints: only the DataQuality policy asks for a monitor (ModelQuality needs production,
# bias and explainability a high risk tier), so each breaks (or keeps) exactly one link.
_STAGING_TAGS = (("environment", "staging"), ("risk-tier", "low"), ("team", "ml-platform"))
REPLACEMENT_BLUEPRINTS = (
    # Model Monitor schedules deleted; the Evidently replacement alarm reaches a confirmed subscription.
    _Blueprint("evidently-migrated", defect="migrated_to_replacement", tags=_STAGING_TAGS, monitors=()),
    # Model Monitor schedules deleted; the replacement alarm has no action (reaches no one).
    _Blueprint("half-migrated", defect="replacement_not_actionable", tags=_STAGING_TAGS, monitors=()),
)


def _seed_replacements(targets: list[_Target]) -> None:
    """The two migrated endpoints of the sample (kept apart from the curated blueprints)."""
    t = targets[0]
    scheduler = t.aws.session(t.account_id, t.region).client("scheduler", endpoint_url=t.aws.endpoint_url)
    for bp in REPLACEMENT_BLUEPRINTS:
        _seed_endpoint(t, bp)
        actionable = bp.defect == "migrated_to_replacement"
        name = f"{bp.name}-evidently-drift"
        t.cw.put_metric_alarm(
            AlarmName=name,
            AlarmDescription="Evidently data drift (share of drifted columns), from the Evidently Lambda",
            Namespace=EVIDENTLY_NAMESPACE,
            MetricName="share_of_drifted_columns",
            Dimensions=[{"Name": "EndpointName", "Value": bp.name}],
            Statistic="Maximum",
            Period=3600,
            EvaluationPeriods=1,
            Threshold=0.3,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="breaching",
            ActionsEnabled=actionable,
            AlarmActions=[t.topic()] if actionable else [],
        )
        t.case(bp.defect, "alarm", name, t.alarm_arn(name))
        function = f"arn:aws:lambda:{t.region}:{t.account_id}:function:evidently-drift-{bp.name}"
        scheduler.create_schedule(
            Name=f"{bp.name}-drift-hourly",
            ScheduleExpression="rate(1 hour)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={
                "Arn": function,
                "RoleArn": f"arn:aws:iam::{t.account_id}:role/EvidentlySchedulerRole",
                "Input": json.dumps({"endpoint_name": bp.name, "reference": f"s3://ml-reference/{bp.name}/"}),
            },
        )


# ------------------------------------------------ endpoint kinds, capture in another account, alerts
# Issue 15 item 5 and its sample rows, kept apart from the blueprints above: a multi-model endpoint, an
# endpoint whose capture goes to a bucket of another member account, and Model Monitor's own alerts.

MULTI_MODEL_ENDPOINT = "mme-recommender"
OTHER_ACCOUNT_CAPTURE_ENDPOINT = "capture-central-bucket"
# Model Monitor's own alerts (AWS creates them with the schedules; the sample sets a few): the schedule
# failing 10 of its last 12 runs is InAlert (4 of its last 5 failed, 3 make an alert), three healthy
# ones are OK.
_ALERTS: tuple[tuple[str, str], ...] = (
    ("dq-failing-runs-dq", "InAlert"),
    ("fraud-scoring-dq", "OK"),
    ("credit-risk-dq", "OK"),
    ("churn-predict-dq", "OK"),
)


def _seed_model_kinds_and_alerts(targets: list[_Target]) -> None:
    _seed_multi_model_endpoint(targets[2 % len(targets)])
    _seed_capture_in_other_account(targets[3 % len(targets)], targets[4 % len(targets)])
    for t in targets:
        endpoints = {c.name for c in t.cases if c.kind == "endpoint"}
        for schedule, status in _ALERTS:
            if schedule.rsplit("-", 1)[0] in endpoints:
                t.aws.set_monitoring_alert(
                    t.account_id,
                    t.region,
                    schedule,
                    f"{schedule}-execution-failures",
                    status=status,
                    datapoints_to_alert=3,
                    evaluation_period=5,
                )


def _seed_multi_model_endpoint(t: _Target) -> None:
    """An endpoint hosting many models from one S3 prefix (Mode MultiModel): Model Monitor cannot watch it."""
    bp = _Blueprint(
        MULTI_MODEL_ENDPOINT,
        defect="multi_model_endpoint",
        model_mode="MultiModel",
        capture_modes=None,
        monitors=(),
    )
    _seed_endpoint(t, bp)


def _seed_capture_in_other_account(t: _Target, owner: _Target) -> None:
    """A fully monitored endpoint whose capture is written to a central bucket of another member account:
    the scanner lists it with ExpectedBucketOwner (the endpoint's account), S3 refuses, and the capture
    check is ERROR naming the bucket, never PASS."""
    bp = _Blueprint(
        OTHER_ACCOUNT_CAPTURE_ENDPOINT,
        defect="capture_bucket_other_account",
        capture_owner=(owner.account_id, owner.region),
    )
    _seed_endpoint(t, bp)


def unseeded_errors(errors: Iterable[Any]) -> list[Any]:
    """The scan errors of a curated-sample scan that the sample did not seed on purpose: all but the
    refused listing of the capture bucket in another account (``capture_bucket_other_account``)."""
    return [
        e
        for e in errors
        if (e.service, e.operation, e.resource) != ("s3", "ListObjectsV2", OTHER_ACCOUNT_CAPTURE_ENDPOINT)
    ]
