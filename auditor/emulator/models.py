"""Models in the local AWS: what the endpoint-kind checks read and moto does not answer.

* ``Search(Resource='Model')`` (moto rejects the resource): ``ModelDashboardModel`` records as AWS answers
  them (botocore's model): ``Model`` (DescribeModel's members plus ``Tags``), ``Endpoints`` (those whose
  endpoint config names the model in a variant), ``MonitoringSchedules`` (the schedules of those endpoints,
  each with its ``MonitoringAlertSummaries``), sorted by model name, paged by MaxResults/NextToken (default
  10). ``SearchExpression`` is not applied (the scanner sends none).
* ``CreateInferenceComponent`` / ``ListInferenceComponents`` (moto has neither): components stored per
  account and region, listed with ``EndpointNameEquals`` / ``VariantNameEquals`` and pages.
* ``ListMonitoringAlerts`` (moto has none): the alerts of one schedule, paged (default 100).
* An endpoint config whose variants name no model (an inference-component endpoint): moto's
  validation indexes ``ModelName`` unconditionally; a variant without one is accepted here.
* Model Monitor's own alerts: AWS creates a schedule's alerts itself (there is no Create API);
  ``set_alert`` (``LocalAws.set_monitoring_alert``) stands in for the service.

Installed by ``auditor.emulator.monitoring.install`` (the stores live on its per-(account, region)
backend, so moto's reset clears them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse
from moto.utilities.utils import get_partition

from auditor.emulator.monitoring import monitoring_backend, page_of

ALERT_STATUSES = ("InAlert", "OK")


def _model_record(model: Any) -> dict[str, Any]:
    """The ``Model`` member of a ``ModelDashboardModel``."""
    record: dict[str, Any] = {
        "ModelName": model.model_name,
        "ModelArn": model.arn,
        "ExecutionRoleArn": model.execution_role_arn,
        "CreationTime": model.creation_time,
        "EnableNetworkIsolation": bool(model.enable_network_isolation),
        "Tags": list(model.tags or []),
    }
    if model.primary_container:
        record["PrimaryContainer"] = dict(model.primary_container)
    if model.containers:
        record["Containers"] = [dict(c) for c in model.containers]
    return record


def model_records(account_id: str, region: str) -> list[dict[str, Any]]:
    """What Search(Resource='Model') answers now in one account and region."""
    sagemaker = sagemaker_backends[account_id][region]
    backend = monitoring_backend(account_id, region)
    endpoints_of: dict[str, list[Any]] = {}
    for endpoint in sagemaker.endpoints.values():
        config = sagemaker.endpoint_configs.get(endpoint.endpoint_config_name)
        names = {v.get("ModelName") for v in (config.production_variants if config else [])}
        for name in names - {None}:
            endpoints_of.setdefault(str(name), []).append(endpoint)
    records = []
    for name in sorted(sagemaker._models):
        endpoints = sorted(endpoints_of.get(name, []), key=lambda e: e.endpoint_name)
        hosted = {e.endpoint_name for e in endpoints}
        schedules = []
        for schedule in sorted(backend.schedules.values(), key=lambda s: s.name):
            if schedule.endpoint_name not in hosted:
                continue
            record = schedule.describe()
            record["MonitoringAlertSummaries"] = [dict(a) for a in backend.alerts.get(schedule.name, [])]
            schedules.append(record)
        records.append(
            {
                "Model": {
                    "Model": _model_record(sagemaker._models[name]),
                    "Endpoints": [
                        {
                            "EndpointName": e.endpoint_name,
                            "EndpointArn": e.arn,
                            "CreationTime": e.creation_time,
                            "LastModifiedTime": e.last_modified_time,
                            "EndpointStatus": e.endpoint_status,
                        }
                        for e in endpoints
                    ],
                    "MonitoringSchedules": schedules,
                }
            }
        )
    return records


def _wrap_search(original: Callable[[Any], ActionResult]) -> Callable[[Any], ActionResult]:
    def search(self: Any) -> ActionResult:
        if self._get_param("Resource") != "Model":
            return original(self)
        records = model_records(self.current_account, self.region)
        page, token = page_of(records, self._get_param("MaxResults"), self._get_param("NextToken"), 10)
        return ActionResult({"Results": page, "NextToken": token})

    search.__wrapped__ = original  # type: ignore[attr-defined]
    return search


def _wrap_validate_production_variants(original: Callable[..., None]) -> Callable[..., None]:
    def validate_production_variants(self: Any, production_variants: list[dict[str, Any]]) -> None:
        # A variant of an inference-component endpoint names no model: nothing to look up.
        original(self, [v for v in production_variants if v.get("ModelName")])

    validate_production_variants.__wrapped__ = original  # type: ignore[attr-defined]
    return validate_production_variants


def set_alert(
    account_id: str,
    region: str,
    schedule: str,
    name: str,
    *,
    status: str,
    datapoints_to_alert: int = 3,
    evaluation_period: int = 3,
    when: datetime | None = None,
) -> None:
    """Record (or replace) one of Model Monitor's own alerts on ``schedule``, as the service keeps it."""
    if status not in ALERT_STATUSES:
        raise ValueError(f"AlertStatus must be one of {ALERT_STATUSES}")
    backend = monitoring_backend(account_id, region)
    if schedule not in backend.schedules:
        raise ValueError(f"no monitoring schedule {schedule!r} in {account_id}/{region}")
    moment = when or datetime.now(UTC)
    alert = {
        "MonitoringAlertName": name,
        "CreationTime": moment,
        "LastModifiedTime": moment,
        "AlertStatus": status,
        "DatapointsToAlert": datapoints_to_alert,
        "EvaluationPeriod": evaluation_period,
        "Actions": {"ModelDashboardIndicator": {"Enabled": True}},
    }
    alerts = [a for a in backend.alerts.get(schedule, []) if a["MonitoringAlertName"] != name]
    backend.alerts[schedule] = sorted([*alerts, alert], key=lambda a: str(a["MonitoringAlertName"]))


def _create_inference_component(self: Any) -> ActionResult:
    backend = monitoring_backend(self.current_account, self.region)
    sagemaker = sagemaker_backends[self.current_account][self.region]
    name = str(self._get_param("InferenceComponentName"))
    endpoint_name = str(self._get_param("EndpointName"))
    if name in backend.inference_components:
        raise ResourceInUseException(f"Inference component {name} already exists")
    endpoint = sagemaker.endpoints.get(endpoint_name)
    if endpoint is None:
        raise ValidationError(message=f"Could not find endpoint '{endpoint_name}'.")
    now = datetime.now(UTC)
    partition = get_partition(self.region)
    arn = f"arn:{partition}:sagemaker:{self.region}:{self.current_account}:inference-component/{name}"
    backend.inference_components[name] = {
        "InferenceComponentName": name,
        "InferenceComponentArn": arn,
        "EndpointName": endpoint_name,
        "EndpointArn": endpoint.arn,
        "VariantName": str(self._get_param("VariantName")),
        "InferenceComponentStatus": "InService",
        "CreationTime": now,
        "LastModifiedTime": now,
    }
    return ActionResult({"InferenceComponentArn": arn})


def _list_inference_components(self: Any) -> ActionResult:
    backend = monitoring_backend(self.current_account, self.region)
    endpoint, variant = self._get_param("EndpointNameEquals"), self._get_param("VariantNameEquals")
    found = [
        dict(c)
        for _, c in sorted(backend.inference_components.items())
        if endpoint in (None, c["EndpointName"]) and variant in (None, c["VariantName"])
    ]
    page, token = page_of(found, self._get_param("MaxResults"), self._get_param("NextToken"), 10)
    result: dict[str, Any] = {"InferenceComponents": page}
    if token is not None:
        result["NextToken"] = token
    return ActionResult(result)


def _list_monitoring_alerts(self: Any) -> ActionResult:
    backend = monitoring_backend(self.current_account, self.region)
    schedule = str(self._get_param("MonitoringScheduleName"))
    if schedule not in backend.schedules:
        raise ResourceNotFound(f"Monitoring schedule {schedule} does not exist")
    alerts = [dict(a) for a in backend.alerts.get(schedule, [])]
    page, token = page_of(alerts, self._get_param("MaxResults"), self._get_param("NextToken"), 100)
    result: dict[str, Any] = {"MonitoringAlertSummaries": page}
    if token is not None:
        result["NextToken"] = token
    return ActionResult(result)


_ADDED_ACTIONS: dict[str, Callable[[Any], ActionResult]] = {
    "list_monitoring_alerts": _list_monitoring_alerts,
    "create_inference_component": _create_inference_component,
    "list_inference_components": _list_inference_components,
}


def install() -> None:
    """Install into moto; called once by ``auditor.emulator.monitoring.install``."""
    for action, method in _ADDED_ACTIONS.items():
        if hasattr(SageMakerResponse, action):
            raise RuntimeError(f"moto now implements SageMaker {action}; drop it from the extension")
        setattr(SageMakerResponse, action, method)
    response: Any = SageMakerResponse
    response.search = _wrap_search(response.search)
    backend: Any = SageMakerModelBackend
    backend.validate_production_variants = _wrap_validate_production_variants(
        backend.validate_production_variants
    )
