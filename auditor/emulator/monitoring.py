"""The moto extension: SageMaker monitoring schedules, plus fixes for moto gaps that would mislead an audit.

moto (tested with 5.2.1; the extra pins ``>=5.1.3,<5.3``) implements endpoints, endpoint configs, the four
job-definition types, Search, CloudWatch alarms, STS and Organizations, but none of the monitoring-schedule
operations. This module adds them and repairs a few answers, all installed by one explicit, idempotent
``install()`` call (nothing happens on import):

Added SageMaker operations (new action methods on ``SageMakerResponse``; moto dispatches each request to the
snake_case name of its action): CreateMonitoringSchedule, DescribeMonitoringSchedule, ListMonitoringSchedules,
UpdateMonitoringSchedule, DeleteMonitoringSchedule, StartMonitoringSchedule, StopMonitoringSchedule,
ListMonitoringExecutions. Schedules live in ``monitoring_backends`` (a moto ``BackendDict``, so moto's own
reset clears them), per account and region.

Added CloudWatch operation: PutCompositeAlarm (moto's PutMetricAlarm already stores an ``AlarmRule``).

Wrapped (moto's answer is kept and corrected):
* ``DescribeEndpoint`` and ``Search(Resource='Endpoint')``: ``DataCaptureConfig`` is the *summary* real AWS
  returns (EnableCapture, CaptureStatus, CurrentSamplingPercentage, DestinationS3Uri, KmsKeyId) and the key is
  omitted when capture is not configured (moto returns the endpoint config's block, or ``{}``).
* ``Search(Resource='Endpoint')``: each record also carries ``EndpointArn``, its ``MonitoringSchedules`` (full
  records, with tags) and ``Tags``; ``MaxResults``/``NextToken`` page the results (moto returns everything).
  Search is an eventually consistent index on AWS: ``LocalAws.freeze_search`` (a backend hook) makes it
  lag, answering with the records of the moment it was frozen while List and Describe see every later
  change (a deleted schedule or endpoint still found, a new one not yet, a stopped one still Scheduled).
* ``List<Type>JobDefinitions``: the real ``EndpointName`` of each definition (moto returns the literal
  string "EndpointName" for some types) and the ``EndpointName``/``NameContains``/``CreationTime*``
  filters and sorting.
* ``DescribeAlarms``: ``AlarmTypes`` is honoured (without it real AWS returns metric alarms only),
  ``StateValue`` combines with the other filters, ``ChildrenOfAlarmName``/``ParentsOfAlarmName``
  follow composite rules (moto ignores them and returns everything), and ``MaxRecords``/``NextToken``
  page the results.
* ``ListTags``/``AddTags``/``DeleteTags`` accept monitoring-schedule ARNs.
* ``ListMetrics``: each metric once, and only while it had data in the last two weeks.
* ``ListProcessingJobs``: the processing jobs of the recorded executions (``ProcessingEndTime`` =
  creation + the execution's ``_processing_seconds`` when given), ``CreationTime*`` filters, sorting, pages.

Models, inference components and Model Monitor's own alerts: ``auditor.emulator.models`` (installed with
this extension).

Recording an execution (``set_state``) also publishes the monitor's metrics when the run completed and
its job definition has publishing on (``auditor.emulator.metrics``), so ListMetrics answers what the
monitors publish.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.cloudwatch.models import CloudWatchBackend
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import InvalidToken
from moto.core.responses import ActionResult, EmptyResult
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse
from moto.utilities.paginator import paginate
from moto.utilities.utils import get_partition

from auditor.emulator.metrics import publish_execution_metrics, wrap_get_filtered_metrics

MONITORING_TYPES = ("DataQuality", "ModelQuality", "ModelBias", "ModelExplainability")
SCHEDULE_STATUSES = ("Pending", "Failed", "Scheduled", "Stopped")
EXECUTION_STATUSES = (
    "Pending",
    "Completed",
    "CompletedWithViolations",
    "InProgress",
    "Failed",
    "Stopping",
    "Stopped",
)

# moto keeps each job-definition type in its own dict on the SageMaker backend.
_JOB_DEFINITION_STORES = {
    "DataQuality": "data_quality_job_definitions",
    "ModelQuality": "model_quality_job_definitions",
    "ModelBias": "model_bias_job_definitions",
    "ModelExplainability": "model_explainability_job_definitions",
}
# The attribute holding the job input (EndpointInput | BatchTransformInput) on moto's job-definition objects.
_JOB_INPUT_ATTRS = {
    "DataQuality": "data_quality_job_input",
    "ModelQuality": "model_quality_job_input",
    "ModelBias": "model_bias_job_input",
    "ModelExplainability": "model_explainability_job_input",
}

PAGINATION_MODEL = {
    "list_monitoring_schedules": {
        "input_token": "next_token",
        "limit_key": "max_results",
        "limit_default": 10,
        "unique_attribute": "MonitoringScheduleArn",
    },
    "list_monitoring_executions": {
        "input_token": "next_token",
        "limit_key": "max_results",
        "limit_default": 10,
        "unique_attribute": "_id",
    },
}


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class MonitoringSchedule:
    """One monitoring schedule as the local AWS stores it."""

    name: str
    arn: str
    config: dict[str, Any]
    monitoring_type: str | None
    endpoint_name: str | None
    creation_time: datetime
    last_modified_time: datetime
    status: str = "Scheduled"
    failure_reason: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    last_execution: dict[str, Any] | None = None
    executions: list[dict[str, Any]] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        """The DescribeMonitoringSchedule response."""
        out: dict[str, Any] = {
            "MonitoringScheduleArn": self.arn,
            "MonitoringScheduleName": self.name,
            "MonitoringScheduleStatus": self.status,
            "CreationTime": self.creation_time,
            "LastModifiedTime": self.last_modified_time,
            "MonitoringScheduleConfig": copy.deepcopy(self.config),
        }
        if self.monitoring_type:
            out["MonitoringType"] = self.monitoring_type
        if self.failure_reason:
            out["FailureReason"] = self.failure_reason
        if self.endpoint_name:
            out["EndpointName"] = self.endpoint_name
        if self.last_execution:
            out["LastMonitoringExecutionSummary"] = _public_execution(self.last_execution)
        return out

    def record(self) -> dict[str, Any]:
        """The ``MonitoringSchedule`` shape used inside Search results (Describe plus Tags)."""
        out = self.describe()
        out["Tags"] = list(self.tags)
        return out

    def summary(self) -> dict[str, Any]:
        """The ``MonitoringScheduleSummary`` shape of ListMonitoringSchedules."""
        out: dict[str, Any] = {
            "MonitoringScheduleName": self.name,
            "MonitoringScheduleArn": self.arn,
            "CreationTime": self.creation_time,
            "LastModifiedTime": self.last_modified_time,
            "MonitoringScheduleStatus": self.status,
        }
        if self.endpoint_name:
            out["EndpointName"] = self.endpoint_name
        if self.config.get("MonitoringJobDefinitionName"):
            out["MonitoringJobDefinitionName"] = self.config["MonitoringJobDefinitionName"]
        if self.monitoring_type:
            out["MonitoringType"] = self.monitoring_type
        return out


def _public_execution(execution: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in execution.items() if not k.startswith("_")}


class MonitoringBackend(BaseBackend):
    """Monitoring schedules and their executions for one account and region."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.schedules: dict[str, MonitoringSchedule] = {}
        self._execution_seq = 0
        # The processing jobs of the recorded executions (ListProcessingJobs summaries, newest last).
        self.processing_jobs: list[dict[str, Any]] = []
        # Test hook: when set, Search(Resource='Endpoint') answers with these records (a lagging index).
        self.search_index: list[dict[str, Any]] | None = None
        # Model Monitor's own alerts per schedule name (``auditor.emulator.models.set_alert``), and the
        # inference components by name (``auditor.emulator.models``).
        self.alerts: dict[str, list[dict[str, Any]]] = {}
        self.inference_components: dict[str, dict[str, Any]] = {}

    def freeze_search(self) -> None:
        """Make Search lag from now on: it keeps answering with the endpoint records of this moment."""
        self.search_index = endpoint_search_records(self.account_id, self.region_name)

    def thaw_search(self) -> None:
        """Search answers with the live state again."""
        self.search_index = None

    # ------------------------------------------------------------------ helpers

    def _arn(self, name: str) -> str:
        partition = get_partition(self.region_name)
        return f"arn:{partition}:sagemaker:{self.region_name}:{self.account_id}:monitoring-schedule/{name}"

    def get(self, name: str) -> MonitoringSchedule:
        """The schedule called ``name``; ResourceNotFound (as AWS answers) when there is none."""
        schedule = self.schedules.get(name)
        if schedule is None:
            raise ResourceNotFound(f"Monitoring Schedule {self._arn(name)} does not exist.")
        return schedule

    def _resolve(self, config: dict[str, Any]) -> tuple[dict[str, Any], str | None, str | None]:
        """Check a MonitoringScheduleConfig; return (stored config, monitoring type, endpoint name)."""
        config = copy.deepcopy(config)
        # The expression itself is stored as given (not validated like AWS would), so tests can seed
        # malformed ones such as the doc text "Hourly: cron(0 * ? * * *)" for the auditor to catch.
        if not config.get("ScheduleConfig", {}).get("ScheduleExpression"):
            raise ValidationError("MonitoringScheduleConfig.ScheduleConfig.ScheduleExpression is required")
        definition_name = config.get("MonitoringJobDefinitionName")
        embedded = config.get("MonitoringJobDefinition")
        if definition_name and embedded:
            raise ValidationError(
                "Specify either MonitoringJobDefinitionName or MonitoringJobDefinition, not both"
            )
        if definition_name:
            monitoring_type = config.get("MonitoringType")
            if monitoring_type not in MONITORING_TYPES:
                raise ValidationError(
                    f"MonitoringType must be one of {list(MONITORING_TYPES)} when "
                    "MonitoringJobDefinitionName is given"
                )
            sagemaker = sagemaker_backends[self.account_id][self.region_name]
            definition = getattr(sagemaker, _JOB_DEFINITION_STORES[monitoring_type]).get(definition_name)
            if definition is None:
                raise ResourceNotFound(
                    f"{monitoring_type} job definition {definition_name} does not exist in "
                    f"account {self.account_id} region {self.region_name}"
                )
            job_input = getattr(definition, _JOB_INPUT_ATTRS[monitoring_type], None) or {}
            endpoint = job_input.get("EndpointInput", {}).get("EndpointName")
            return config, monitoring_type, endpoint
        if embedded:
            # AWS fills these in on inline (bring-your-own-container style) definitions.
            config.setdefault("MonitoringType", "DataQuality")
            embedded.setdefault("StoppingCondition", {"MaxRuntimeInSeconds": 3600})
            inputs = embedded.get("MonitoringInputs") or [{}]
            endpoint = inputs[0].get("EndpointInput", {}).get("EndpointName")
            return config, config["MonitoringType"], endpoint
        raise ValidationError(
            "MonitoringScheduleConfig needs MonitoringJobDefinitionName or MonitoringJobDefinition"
        )

    # ------------------------------------------------------------------ operations

    def create_monitoring_schedule(
        self, name: str, config: dict[str, Any], tags: list[dict[str, str]] | None
    ) -> MonitoringSchedule:
        """CreateMonitoringSchedule: the named job definition must exist; the endpoint comes from it."""
        if name in self.schedules:
            raise ResourceInUseException(f"Monitoring Schedule {self._arn(name)} already exists.")
        stored, monitoring_type, endpoint = self._resolve(config)
        now = _now()
        schedule = MonitoringSchedule(
            name=name,
            arn=self._arn(name),
            config=stored,
            monitoring_type=monitoring_type,
            endpoint_name=endpoint,
            creation_time=now,
            last_modified_time=now,
            tags=list(tags or []),
        )
        self.schedules[name] = schedule
        return schedule

    def update_monitoring_schedule(self, name: str, config: dict[str, Any]) -> MonitoringSchedule:
        """UpdateMonitoringSchedule: replace the config (status and executions are kept)."""
        schedule = self.get(name)
        schedule.config, schedule.monitoring_type, schedule.endpoint_name = self._resolve(config)
        schedule.last_modified_time = _now()
        return schedule

    def delete_monitoring_schedule(self, name: str) -> None:
        """DeleteMonitoringSchedule (its executions go with it)."""
        self.get(name)
        del self.schedules[name]

    def set_status(self, name: str, status: str) -> None:
        """Start/StopMonitoringSchedule."""
        schedule = self.get(name)
        schedule.status = status
        schedule.last_modified_time = _now()

    @paginate(pagination_model=PAGINATION_MODEL)
    def list_monitoring_schedules(
        self,
        *,
        endpoint_name: str | None = None,
        name_contains: str | None = None,
        status_equals: str | None = None,
        monitoring_job_definition_name: str | None = None,
        monitoring_type_equals: str | None = None,
        creation_time_before: datetime | None = None,
        creation_time_after: datetime | None = None,
        last_modified_time_before: datetime | None = None,
        last_modified_time_after: datetime | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
    ) -> list[dict[str, Any]]:
        """ListMonitoringSchedules summaries after filters and sorting (default: newest first)."""
        found = []
        for s in self.schedules.values():
            summary = s.summary()
            if endpoint_name is not None and s.endpoint_name != endpoint_name:
                continue
            if name_contains is not None and name_contains not in s.name:
                continue
            if status_equals is not None and s.status != status_equals:
                continue
            if (
                monitoring_job_definition_name is not None
                and summary.get("MonitoringJobDefinitionName") != monitoring_job_definition_name
            ):
                continue
            if monitoring_type_equals is not None and s.monitoring_type != monitoring_type_equals:
                continue
            if not _in_window(s.creation_time, creation_time_after, creation_time_before):
                continue
            if not _in_window(s.last_modified_time, last_modified_time_after, last_modified_time_before):
                continue
            found.append(summary)
        key = {"Name": "MonitoringScheduleName", "Status": "MonitoringScheduleStatus"}.get(
            sort_by or "", "CreationTime"
        )
        found.sort(key=lambda x: (x[key], x["MonitoringScheduleName"]), reverse=sort_order != "Ascending")
        return found

    def set_state(
        self,
        name: str,
        *,
        status: str | None = None,
        failure_reason: str | None = None,
        last_execution: dict[str, Any] | None = None,
    ) -> None:
        """Test hook: set a schedule's status, failure reason and/or record a last execution."""
        schedule = self.get(name)
        if status is not None:
            if status not in SCHEDULE_STATUSES:
                raise ValueError(f"schedule status must be one of {SCHEDULE_STATUSES}")
            schedule.status = status
        if failure_reason is not None:
            schedule.failure_reason = failure_reason or None
        if last_execution is not None:
            execution = self._execution(schedule, last_execution)
            schedule.executions.append(execution)
            schedule.last_execution = execution
            # A completed run of a job with publishing on puts its metrics into CloudWatch (unless the
            # caller says this run published nothing, as a BYOC container that writes no metrics).
            if last_execution.get("_publishes_metrics", True) is not False:
                publish_execution_metrics(
                    self.account_id,
                    self.region_name,
                    monitoring_type=schedule.monitoring_type,
                    schedule=schedule.name,
                    endpoint=schedule.endpoint_name,
                    config=schedule.config,
                    status=execution["MonitoringExecutionStatus"],
                    when=execution["ScheduledTime"],
                )

    def _execution(self, schedule: MonitoringSchedule, given: dict[str, Any]) -> dict[str, Any]:
        status = given.get("MonitoringExecutionStatus")
        # "_new_status": True lets a test stand in for a status AWS adds later; otherwise a typo is refused.
        if status not in EXECUTION_STATUSES and not (given.get("_new_status") and isinstance(status, str)):
            raise ValueError(f"MonitoringExecutionStatus must be one of {EXECUTION_STATUSES}")
        scheduled = given.get("ScheduledTime") or _now()
        self._execution_seq += 1
        execution: dict[str, Any] = {
            "MonitoringScheduleName": schedule.name,
            "ScheduledTime": scheduled,
            "CreationTime": given.get("CreationTime") or scheduled,
            "LastModifiedTime": given.get("LastModifiedTime") or scheduled,
            "MonitoringExecutionStatus": status,
            "_id": f"{self._execution_seq:012d}",
        }
        job_name = f"model-monitoring-{scheduled:%Y%m%d%H%M}-{self._execution_seq:06d}"
        partition = get_partition(self.region_name)
        execution["ProcessingJobArn"] = given.get(
            "ProcessingJobArn",
            f"arn:{partition}:sagemaker:{self.region_name}:{self.account_id}:processing-job/{job_name}",
        )
        self._record_processing_job(execution, job_name, given.get("_processing_seconds"))
        if schedule.endpoint_name:
            execution["EndpointName"] = schedule.endpoint_name
        if given.get("FailureReason"):
            execution["FailureReason"] = given["FailureReason"]
        if schedule.config.get("MonitoringJobDefinitionName"):
            execution["MonitoringJobDefinitionName"] = schedule.config["MonitoringJobDefinitionName"]
        if schedule.monitoring_type:
            execution["MonitoringType"] = schedule.monitoring_type
        return execution

    def _record_processing_job(self, execution: dict[str, Any], name: str, seconds: Any) -> None:
        """The processing job an execution ran: ended ``seconds`` after its creation when given (a run
        recorded without ``_processing_seconds`` has a job that has not ended)."""
        status = execution["MonitoringExecutionStatus"]
        job: dict[str, Any] = {
            "ProcessingJobName": name,
            "ProcessingJobArn": execution["ProcessingJobArn"],
            "CreationTime": execution["CreationTime"],
            "LastModifiedTime": execution["LastModifiedTime"],
            "ProcessingJobStatus": _JOB_STATUS.get(status, "InProgress"),
        }
        if seconds is not None:
            job["ProcessingEndTime"] = execution["CreationTime"] + timedelta(seconds=float(seconds))
            job["LastModifiedTime"] = job["ProcessingEndTime"]
        self.processing_jobs.append(job)

    def list_processing_jobs(
        self,
        *,
        creation_time_after: datetime | None,
        creation_time_before: datetime | None,
        sort_order: str | None,
        max_results: int | None,
        next_token: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """ListProcessingJobs over the executions' jobs, by CreationTime (newest first by default)."""
        found = [
            j
            for j in self.processing_jobs
            if _in_window(_aware(j["CreationTime"]), creation_time_after, creation_time_before)
        ]
        found.sort(key=lambda j: _aware(j["CreationTime"]), reverse=sort_order != "Ascending")
        start = int(next_token or 0)
        size = max_results or 10
        page = found[start : start + size]
        more = start + size < len(found)
        return page, str(start + size) if more else None

    @paginate(pagination_model=PAGINATION_MODEL)
    def list_monitoring_executions(
        self,
        *,
        monitoring_schedule_name: str | None = None,
        endpoint_name: str | None = None,
        status_equals: str | None = None,
        monitoring_job_definition_name: str | None = None,
        monitoring_type_equals: str | None = None,
        scheduled_time_before: datetime | None = None,
        scheduled_time_after: datetime | None = None,
        creation_time_before: datetime | None = None,
        creation_time_after: datetime | None = None,
        last_modified_time_before: datetime | None = None,
        last_modified_time_after: datetime | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
    ) -> list[dict[str, Any]]:
        """ListMonitoringExecutions records after filters and sorting (default: newest first)."""
        found = []
        for s in self.schedules.values():
            if monitoring_schedule_name is not None and s.name != monitoring_schedule_name:
                continue
            for e in s.executions:
                checks = (
                    (endpoint_name, e.get("EndpointName")),
                    (status_equals, e["MonitoringExecutionStatus"]),
                    (monitoring_job_definition_name, e.get("MonitoringJobDefinitionName")),
                    (monitoring_type_equals, e.get("MonitoringType")),
                )
                if any(wanted is not None and wanted != actual for wanted, actual in checks):
                    continue
                if not (
                    _in_window(e["ScheduledTime"], scheduled_time_after, scheduled_time_before)
                    and _in_window(e["CreationTime"], creation_time_after, creation_time_before)
                    and _in_window(e["LastModifiedTime"], last_modified_time_after, last_modified_time_before)
                ):
                    continue
                found.append(e)
        key = {"ScheduledTime": "ScheduledTime", "Status": "MonitoringExecutionStatus"}.get(
            sort_by or "", "CreationTime"
        )
        found.sort(key=lambda x: (x[key], x["_id"]), reverse=sort_order != "Ascending")
        return found


def _in_window(value: datetime, after: datetime | None, before: datetime | None) -> bool:
    value = _aware(value)
    if after is not None and not value > _aware(after):
        return False
    return not (before is not None and not value < _aware(before))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


monitoring_backends = BackendDict(MonitoringBackend, "sagemaker")


def monitoring_backend(account_id: str, region: str) -> MonitoringBackend:
    """The schedule store of one account and region."""
    backend: MonitoringBackend = monitoring_backends[account_id][region]
    return backend


# ---------------------------------------------------------------------------------------------- responses


def _backend_of(response: Any) -> MonitoringBackend:
    return monitoring_backend(response.current_account, response.region)


def _create_monitoring_schedule(self: Any) -> ActionResult:
    schedule = _backend_of(self).create_monitoring_schedule(
        self._get_param("MonitoringScheduleName"),
        self._get_param("MonitoringScheduleConfig", {}),
        self._get_param("Tags", []),
    )
    return ActionResult({"MonitoringScheduleArn": schedule.arn})


def _describe_monitoring_schedule(self: Any) -> ActionResult:
    return ActionResult(_backend_of(self).get(self._get_param("MonitoringScheduleName")).describe())


def _update_monitoring_schedule(self: Any) -> ActionResult:
    schedule = _backend_of(self).update_monitoring_schedule(
        self._get_param("MonitoringScheduleName"), self._get_param("MonitoringScheduleConfig", {})
    )
    return ActionResult({"MonitoringScheduleArn": schedule.arn})


def _delete_monitoring_schedule(self: Any) -> EmptyResult:
    _backend_of(self).delete_monitoring_schedule(self._get_param("MonitoringScheduleName"))
    return EmptyResult()


def _start_monitoring_schedule(self: Any) -> EmptyResult:
    _backend_of(self).set_status(self._get_param("MonitoringScheduleName"), "Scheduled")
    return EmptyResult()


def _stop_monitoring_schedule(self: Any) -> EmptyResult:
    _backend_of(self).set_status(self._get_param("MonitoringScheduleName"), "Stopped")
    return EmptyResult()


_LIST_SCHEDULE_PARAMS = (
    "EndpointName",
    "NameContains",
    "StatusEquals",
    "MonitoringJobDefinitionName",
    "MonitoringTypeEquals",
    "CreationTimeBefore",
    "CreationTimeAfter",
    "LastModifiedTimeBefore",
    "LastModifiedTimeAfter",
    "SortBy",
    "SortOrder",
)
_LIST_EXECUTION_PARAMS = (
    "MonitoringScheduleName",
    "EndpointName",
    "StatusEquals",
    "MonitoringJobDefinitionName",
    "MonitoringTypeEquals",
    "ScheduledTimeBefore",
    "ScheduledTimeAfter",
    "CreationTimeBefore",
    "CreationTimeAfter",
    "LastModifiedTimeBefore",
    "LastModifiedTimeAfter",
    "SortBy",
    "SortOrder",
)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _params(response: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {_snake(n): _time_param(n, response._get_param(n)) for n in names}


def _time_param(name: str, value: Any) -> Any:
    """A ``*Before``/``*After`` timestamp as the JSON protocol sends it (epoch seconds, or ISO text) as
    an aware datetime; other parameters unchanged."""
    if not name.endswith(("Before", "After")) or value is None or isinstance(value, datetime):
        return value
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _list_monitoring_schedules(self: Any) -> ActionResult:
    summaries, token = _backend_of(self).list_monitoring_schedules(
        **_params(self, _LIST_SCHEDULE_PARAMS),
        max_results=self._get_param("MaxResults"),
        next_token=self._get_param("NextToken"),
    )
    return ActionResult({"MonitoringScheduleSummaries": summaries, "NextToken": token})


def _list_monitoring_executions(self: Any) -> ActionResult:
    executions, token = _backend_of(self).list_monitoring_executions(
        **_params(self, _LIST_EXECUTION_PARAMS),
        max_results=self._get_param("MaxResults"),
        next_token=self._get_param("NextToken"),
    )
    return ActionResult(
        {"MonitoringExecutionSummaries": [_public_execution(e) for e in executions], "NextToken": token}
    )


_JOB_STATUS = {
    "Completed": "Completed",
    "CompletedWithViolations": "Completed",
    "Failed": "Failed",
    "Stopped": "Stopped",
}


def _wrap_list_processing_jobs(original: Callable[[Any], ActionResult]) -> Callable[[Any], ActionResult]:
    """ListProcessingJobs answers with the processing jobs of the recorded monitoring executions
    (filtered by CreationTimeAfter/Before, sorted by CreationTime, paged); moto's own processing jobs
    (CreateProcessingJob) are not listed: nothing in the local AWS creates them."""

    def list_processing_jobs(self: Any) -> ActionResult:
        jobs, token = _backend_of(self).list_processing_jobs(
            creation_time_after=_time_param("CreationTimeAfter", self._get_param("CreationTimeAfter")),
            creation_time_before=_time_param("CreationTimeBefore", self._get_param("CreationTimeBefore")),
            sort_order=self._get_param("SortOrder"),
            max_results=self._get_param("MaxResults"),
            next_token=self._get_param("NextToken"),
        )
        result: dict[str, Any] = {"ProcessingJobSummaries": jobs}
        if token is not None:
            result["NextToken"] = token
        return ActionResult(result)

    list_processing_jobs.__wrapped__ = original  # type: ignore[attr-defined]
    return list_processing_jobs


_ADDED_SAGEMAKER_ACTIONS: dict[str, Callable[[Any], ActionResult]] = {
    "create_monitoring_schedule": _create_monitoring_schedule,
    "describe_monitoring_schedule": _describe_monitoring_schedule,
    "update_monitoring_schedule": _update_monitoring_schedule,
    "delete_monitoring_schedule": _delete_monitoring_schedule,
    "start_monitoring_schedule": _start_monitoring_schedule,
    "stop_monitoring_schedule": _stop_monitoring_schedule,
    "list_monitoring_schedules": _list_monitoring_schedules,
    "list_monitoring_executions": _list_monitoring_executions,
}


# ---------------------------------------------------------------------------------------------- fixes


def capture_summary(capture: dict[str, Any] | None) -> dict[str, Any] | None:
    """DescribeEndpoint's ``DataCaptureConfigSummary`` from the endpoint config's ``DataCaptureConfig``;
    None when capture is not configured (real AWS then omits the key)."""
    if not capture:
        return None
    enabled = capture.get("EnableCapture", True) is not False
    summary: dict[str, Any] = {
        "EnableCapture": enabled,
        "CaptureStatus": "Started" if enabled else "Stopped",
        "CurrentSamplingPercentage": capture.get("InitialSamplingPercentage", 0),
        "DestinationS3Uri": capture.get("DestinationS3Uri", ""),
    }
    if capture.get("KmsKeyId"):
        summary["KmsKeyId"] = capture["KmsKeyId"]
    return summary


def _fix_endpoint_record(record: dict[str, Any]) -> dict[str, Any]:
    record = dict(record)
    if "Arn" in record:
        record["EndpointArn"] = record.pop("Arn")
    summary = capture_summary(record.pop("DataCaptureConfig", None))
    if summary is not None:
        record["DataCaptureConfig"] = summary
    return record


def _wrap_describe_endpoint(original: Callable[[Any], ActionResult]) -> Callable[[Any], ActionResult]:
    def describe_endpoint(self: Any) -> ActionResult:
        result = original(self)
        return ActionResult(_fix_endpoint_record(dict(result.result)))  # type: ignore[call-overload]

    describe_endpoint.__wrapped__ = original  # type: ignore[attr-defined]
    return describe_endpoint


def _search_records(results: list[dict[str, Any]], backend: MonitoringBackend) -> list[dict[str, Any]]:
    """moto's Search results for endpoints, completed as real AWS answers them, sorted by name."""
    by_endpoint: dict[str, list[MonitoringSchedule]] = {}
    for schedule in backend.schedules.values():
        by_endpoint.setdefault(schedule.endpoint_name or "", []).append(schedule)
    records = []
    for item in results:
        record = _fix_endpoint_record(item["Endpoint"])
        record["MonitoringSchedules"] = [s.record() for s in by_endpoint.get(record["EndpointName"], [])]
        record.setdefault("Tags", [])
        records.append({"Endpoint": record})
    records.sort(key=lambda r: r["Endpoint"]["EndpointName"])
    return records


def endpoint_search_records(account_id: str, region: str) -> list[dict[str, Any]]:
    """What Search(Resource='Endpoint') answers now in one account and region (deep copies)."""
    results = sagemaker_backends[account_id][region].search(resource="Endpoint")["Results"]
    return copy.deepcopy(_search_records(results, monitoring_backend(account_id, region)))


def _wrap_search(original: Callable[[Any], ActionResult]) -> Callable[[Any], ActionResult]:
    def search(self: Any) -> ActionResult:
        if self._get_param("Resource") != "Endpoint":
            return original(self)
        backend = _backend_of(self)
        if backend.search_index is not None:  # a lagging index: SearchExpression is not applied to it
            records = copy.deepcopy(backend.search_index)
        else:
            result: dict[str, Any] = dict(original(self).result)  # type: ignore[call-overload]
            records = _search_records(result.get("Results", []), backend)
        page, token = page_of(records, self._get_param("MaxResults"), self._get_param("NextToken"), 10)
        return ActionResult({"Results": page, "NextToken": token})

    search.__wrapped__ = original  # type: ignore[attr-defined]
    return search


def page_of(
    items: list[Any], max_results: int | None, token: str | None, default: int
) -> tuple[list[Any], str | None]:
    """Offset paging for wrapped operations whose moto answer is one unpaged list."""
    start = 0
    if token:
        if not token.isdigit() or int(token) > len(items):
            raise InvalidToken("Invalid NextToken")
        start = int(token)
    end = start + (max_results or default)
    return items[start:end], (str(end) if end < len(items) else None)


def _wrap_list_job_definitions(
    original: Callable[[Any], ActionResult], monitoring_type: str
) -> Callable[[Any], ActionResult]:
    def list_job_definitions(self: Any) -> ActionResult:
        sagemaker = sagemaker_backends[self.current_account][self.region]
        endpoint_filter = self._get_param("EndpointName")
        name_contains = self._get_param("NameContains")
        after, before = self._get_param("CreationTimeAfter"), self._get_param("CreationTimeBefore")
        summaries = []
        for name, definition in getattr(sagemaker, _JOB_DEFINITION_STORES[monitoring_type]).items():
            job_input = getattr(definition, _JOB_INPUT_ATTRS[monitoring_type], None) or {}
            endpoint = job_input.get("EndpointInput", {}).get("EndpointName", "")
            if endpoint_filter is not None and endpoint != endpoint_filter:
                continue
            if name_contains is not None and name_contains not in name:
                continue
            if not _in_window(definition.creation_time, after, before):
                continue
            summaries.append(
                {
                    "MonitoringJobDefinitionName": name,
                    "MonitoringJobDefinitionArn": definition.arn,
                    "CreationTime": definition.creation_time,
                    "EndpointName": endpoint,
                }
            )
        key = "MonitoringJobDefinitionName" if self._get_param("SortBy") == "Name" else "CreationTime"
        summaries.sort(
            key=lambda x: (x[key], x["MonitoringJobDefinitionName"]),
            reverse=self._get_param("SortOrder") != "Ascending",
        )
        page, token = page_of(summaries, self._get_param("MaxResults"), self._get_param("NextToken"), 10)
        return ActionResult({"JobDefinitionSummaries": page, "NextToken": token})

    list_job_definitions.__wrapped__ = original  # type: ignore[attr-defined]
    return list_job_definitions


def _wrap_get_resource_from_arn(original: Callable[[Any, str], Any]) -> Callable[[Any, str], Any]:
    def _get_resource_from_arn(self: Any, arn: str) -> Any:
        if ":monitoring-schedule/" in arn:
            name = arn.split(":monitoring-schedule/", 1)[1]
            return monitoring_backend(self.account_id, self.region_name).get(name)
        return original(self, arn)

    _get_resource_from_arn.__wrapped__ = original  # type: ignore[attr-defined]
    return _get_resource_from_arn


def _put_composite_alarm(self: Any) -> EmptyResult:
    self.cloudwatch_backend.put_metric_alarm(
        name=self._get_param("AlarmName"),
        namespace=None,
        metric_name=None,
        metric_data_queries=None,
        comparison_operator=None,
        evaluation_periods=None,
        datapoints_to_alarm=None,
        period=None,
        threshold=None,
        statistic=None,
        extended_statistic=None,
        description=self._get_param("AlarmDescription"),
        dimensions=[],
        alarm_actions=self._get_param("AlarmActions", []),
        ok_actions=self._get_param("OKActions", []),
        insufficient_data_actions=self._get_param("InsufficientDataActions", []),
        unit=None,
        actions_enabled=self._get_param("ActionsEnabled"),
        treat_missing_data=None,
        evaluate_low_sample_count_percentile=None,
        threshold_metric_id=None,
        rule=self._get_param("AlarmRule"),
        tags=self._get_param("Tags", []),
    )
    return EmptyResult()


_RULE_REFERENCE = re.compile(
    r"""\b(?:ALARM|OK|INSUFFICIENT_DATA)\(\s*(?:"([^"]*)"|'([^']*)'|([^\s)]+))\s*\)"""
)


def rule_children(rule: str) -> set[str]:
    """Alarm names an AlarmRule refers to, e.g. ``ALARM("a") OR OK(b)`` -> {"a", "b"}."""
    return {next(g for g in m.groups() if g is not None) for m in _RULE_REFERENCE.finditer(rule)}


def _related(
    alarm: Any, combined: list[tuple[str, Any]], children_of: str | None, parents_of: str | None
) -> bool:
    if children_of:
        parent = next((a for _, a in combined if a.name == children_of and a.rule), None)
        return parent is not None and alarm.name in rule_children(parent.rule)
    return bool(alarm.rule) and parents_of in rule_children(alarm.rule)


def _wrap_describe_alarms(original: Callable[[Any], ActionResult]) -> Callable[[Any], ActionResult]:
    def describe_alarms(self: Any) -> ActionResult:
        result: dict[str, Any] = dict(original(self).result)  # type: ignore[call-overload]
        types = self._get_param("AlarmTypes") or ["MetricAlarm"]
        state = self._get_param("StateValue")
        combined = [("MetricAlarm", a) for a in result.get("MetricAlarms", [])]
        combined += [("CompositeAlarm", a) for a in result.get("CompositeAlarms", [])]
        children_of, parents_of = (
            self._get_param("ChildrenOfAlarmName"),
            self._get_param("ParentsOfAlarmName"),
        )
        if children_of or parents_of:
            # Only MaxRecords/NextToken may accompany these, and both alarm types come back.
            wanted = [(kind, a) for kind, a in combined if _related(a, combined, children_of, parents_of)]
        else:
            wanted = [
                (kind, a)
                for kind, a in combined
                if kind in types and (state is None or a.state_value == state)
            ]
        wanted.sort(key=lambda pair: pair[1].name)
        page, token = page_of(wanted, self._get_param("MaxRecords"), self._get_param("NextToken"), 50)
        return ActionResult(
            {
                "MetricAlarms": [a for kind, a in page if kind == "MetricAlarm"],
                "CompositeAlarms": [a for kind, a in page if kind == "CompositeAlarm"],
                "NextToken": token,
            }
        )

    describe_alarms.__wrapped__ = original  # type: ignore[attr-defined]
    return describe_alarms


_installed = False


def install() -> None:
    """Install the extension into moto (idempotent). Call before starting the server."""
    global _installed
    if _installed:
        return
    for action, method in _ADDED_SAGEMAKER_ACTIONS.items():
        if hasattr(SageMakerResponse, action):
            raise RuntimeError(f"moto now implements SageMaker {action}; drop it from the extension")
        setattr(SageMakerResponse, action, method)
    wrapped: tuple[tuple[type, str, Callable[[Any], Any]], ...] = (
        (SageMakerResponse, "describe_endpoint", _wrap_describe_endpoint),
        (SageMakerResponse, "search", _wrap_search),
        (SageMakerResponse, "list_processing_jobs", _wrap_list_processing_jobs),
        (SageMakerModelBackend, "_get_resource_from_arn", _wrap_get_resource_from_arn),
        (CloudWatchResponse, "describe_alarms", _wrap_describe_alarms),
        (CloudWatchBackend, "get_filtered_metrics", wrap_get_filtered_metrics),
    )
    for owner, name, wrap in wrapped:
        setattr(owner, name, wrap(getattr(owner, name)))
    for monitoring_type in MONITORING_TYPES:
        action = f"list_{_snake(monitoring_type)}_job_definitions"
        original = getattr(SageMakerResponse, action)
        setattr(SageMakerResponse, action, _wrap_list_job_definitions(original, monitoring_type))
    added_cloudwatch_actions = {"put_composite_alarm": _put_composite_alarm}
    for action, method in added_cloudwatch_actions.items():
        if hasattr(CloudWatchResponse, action):
            raise RuntimeError(f"moto now implements CloudWatch {action}; drop it from the extension")
        setattr(CloudWatchResponse, action, method)
    from auditor.emulator import models  # it builds on this module's backend: imported once installed

    models.install()
    _installed = True
