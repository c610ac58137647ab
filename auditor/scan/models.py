"""What each endpoint hosts, verified rather than guessed, and Model Monitor's own alerts.

Model Monitor supports only endpoints that host a single model: not multi-model endpoints (a model whose
PrimaryContainer or any of its Containers has ``Mode: MultiModel``), and, unconfirmed, not endpoints that
host inference components (several models). The endpoint and its config do not say which: the models
and the components do.

* ``Search(Resource='Model')``: one call per 100 models per region. Each ``ModelDashboardModel`` record
  carries the model (its containers and their Mode) and the monitoring schedules of its endpoints with
  their ``MonitoringAlertSummaries``. Not called with ``--no-search``, nor where Search(Resource='Endpoint')
  already failed (the scan there is on the List / Describe path).
* ``DescribeModel``: one call for each model a variant names that Search did not return (Search is an
  eventually consistent index, or was not used).
* ``ListInferenceComponents``: region-wide, one call per 100 components, only when an endpoint's
  production variants name no model (0 calls otherwise).
* ``ListMonitoringAlerts``: one call for each schedule Search's model records did not carry (a
  batch-transform schedule, one the index lags on, or every schedule when Search is not used), so the
  List / Describe path reads the same alerts as the Search path.

A model or a component listing that could not be read leaves the endpoint's kind unverified: ``MODELS``
in its ``missing``, so the checks that read ``kind`` are ERROR, never judged as a single-model endpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from auditor.inventory.model import (
    Dataset,
    Endpoint,
    EndpointKind,
    HostedModel,
    Monitor,
    MonitoringAlert,
)
from auditor.scan.clients import AWS_ERRORS, RegionApi
from auditor.scan.context import RegionContext
from auditor.scan.guard import Operation
from auditor.scan.normalize import iso, opt_int, opt_str

OPERATIONS: tuple[Operation, ...] = (
    ("sagemaker", "Search"),
    ("sagemaker", "DescribeModel"),
    ("sagemaker", "ListInferenceComponents"),
    ("sagemaker", "ListMonitoringAlerts"),
)

PAGE_SIZE = 100  # Search and ListInferenceComponents MaxResults maximum
SEARCH_RESOURCE = "Search(Resource=Model)"  # how a failed Search of the models is named in its scan error
MULTI_MODEL = "MultiModel"
SINGLE_MODEL = "SingleModel"  # the API's default Mode


@dataclass
class ModelIndex:
    """What Search(Resource='Model') returned in one (account, region)."""

    models: dict[str, dict[str, Any]]  # ModelName -> the record's ``Model`` (DescribeModel's members)
    alerts: dict[str, list[MonitoringAlert]] | None  # by schedule name; None: Search not used or failed


def search_models(ctx: RegionContext) -> ModelIndex:
    """Every model of the region and the alerts of their schedules (Search); empty when Search is off
    here, or failed (the error is recorded: the models are then described one by one)."""
    if not ctx.options.use_search or ctx.search_fallback is not None:
        return ModelIndex({}, None)
    records: list[dict[str, Any]] = []
    try:
        for page in ctx.api.pages("sagemaker", "Search", Resource="Model", MaxResults=PAGE_SIZE):
            records.extend(r["Model"] for r in page.get("Results", []) if r.get("Model"))
    except AWS_ERRORS as exc:
        ctx.api.record(exc, "sagemaker", "Search", dataset=Dataset.MODELS, resource=SEARCH_RESOURCE)
        return ModelIndex({}, None)
    models: dict[str, dict[str, Any]] = {}
    alerts: dict[str, dict[str, MonitoringAlert]] = {}
    for record in records:
        model = record.get("Model") or {}
        if model.get("ModelName"):
            models[str(model["ModelName"])] = model
        # A schedule appears under every model its endpoint hosts: its alerts are the same each time.
        for schedule in record.get("MonitoringSchedules") or []:
            name = opt_str(schedule.get("MonitoringScheduleName"))
            if name is None:
                continue
            found = alerts.setdefault(name, {})
            for summary in schedule.get("MonitoringAlertSummaries") or []:
                alert = _alert(summary)
                found[alert.name] = alert
    return ModelIndex(models, {s: [a[n] for n in sorted(a)] for s, a in alerts.items()})


def _alert(summary: dict[str, Any]) -> MonitoringAlert:
    indicator = ((summary.get("Actions") or {}).get("ModelDashboardIndicator") or {}).get("Enabled")
    return MonitoringAlert(
        name=str(summary.get("MonitoringAlertName") or ""),
        status=opt_str(summary.get("AlertStatus")),
        datapoints_to_alert=opt_int(summary.get("DatapointsToAlert")),
        evaluation_period=opt_int(summary.get("EvaluationPeriod")),
        dashboard_indicator=indicator if isinstance(indicator, bool) else None,
        last_modified_time=iso(summary.get("LastModifiedTime")),
    )


def fill_alerts(
    ctx: RegionContext, monitors: Sequence[Monitor], alerts: dict[str, list[MonitoringAlert]] | None
) -> None:
    """Set each monitor's ``alerts``: from Search's model records, else ListMonitoringAlerts. A listing
    that fails is recorded (naming the schedule) and leaves ``alerts`` None: not read, never "none".

    No verdict reads the alerts (they count failed executions, which mm-repeated-failures judges from
    the executions themselves), so an unread one is not put in the monitor's ``missing``.
    """
    found = alerts or {}
    todo = [m for m in monitors if m.name not in found]
    read = ctx.map(lambda m: _list_alerts(ctx.api, m.name), todo)
    listed = dict(zip([m.name for m in todo], read, strict=True))
    for monitor in monitors:
        own = found.get(monitor.name, listed.get(monitor.name))
        monitor.alerts = list(own) if own is not None else None


def _list_alerts(api: RegionApi, schedule: str) -> list[MonitoringAlert] | None:
    collected = api.collect(
        "sagemaker",
        "ListMonitoringAlerts",
        "MonitoringAlertSummaries",
        dataset=Dataset.MODELS,
        resource=schedule,
        MonitoringScheduleName=schedule,
        MaxResults=PAGE_SIZE,
    )
    if not collected.complete:
        return None
    return sorted((_alert(s) for s in collected.items), key=lambda a: a.name)


def container_modes(model: dict[str, Any]) -> list[str]:
    """The Mode of PrimaryContainer and of each of Containers (SingleModel where none is given)."""
    containers = [model["PrimaryContainer"]] if model.get("PrimaryContainer") else []
    containers += list(model.get("Containers") or [])
    return [str(c.get("Mode") or SINGLE_MODEL) for c in containers]


def _describe_model(api: RegionApi, name: str) -> dict[str, Any] | Exception:
    try:
        return api.call("sagemaker", "DescribeModel", ModelName=name)
    except AWS_ERRORS as exc:
        return exc


def _list_components(api: RegionApi) -> list[dict[str, Any]] | Exception:
    found: list[dict[str, Any]] = []
    try:
        for page in api.pages("sagemaker", "ListInferenceComponents", MaxResults=PAGE_SIZE):
            found.extend(page.get("InferenceComponents", []))
    except AWS_ERRORS as exc:
        return exc
    return found


def verify_kinds(ctx: RegionContext, endpoints: Sequence[Endpoint], index: ModelIndex) -> None:
    """Verify the kind of every endpoint whose config was read and is not serverless or async.

    Multi-model: a model a variant names has MultiModel in its containers. Inference components: no
    production variant names a model and ListInferenceComponents lists components on the endpoint;
    with none listed the kind is UNKNOWN (judged, never waved through). A model or the component
    listing that could not be read: the error is recorded for the endpoint and ``MODELS`` is missing.
    """
    api = ctx.api
    judged = [e for e in endpoints if e.kind in (EndpointKind.REAL_TIME, EndpointKind.INFERENCE_COMPONENT)]
    named = sorted({v.model_name for e in judged for v in e.variants if v.model_name})
    unsearched = [n for n in named if n not in index.models]
    described = dict(zip(unsearched, ctx.map(lambda n: _describe_model(api, n), unsearched), strict=True))
    models: dict[str, dict[str, Any] | Exception] = {**index.models, **described}
    components: list[dict[str, Any]] | Exception | None = None
    if any(e.kind is EndpointKind.INFERENCE_COMPONENT for e in judged):
        components = _list_components(api)
    for endpoint in judged:
        if endpoint.kind is EndpointKind.INFERENCE_COMPONENT:
            _verify_components(api, endpoint, components)
        else:
            _verify_models(api, endpoint, models)


def _unverified(api: RegionApi, endpoint: Endpoint, exc: Exception, operation: str) -> None:
    api.record(exc, "sagemaker", operation, dataset=Dataset.MODELS, resource=endpoint.name)
    endpoint.missing = sorted({*endpoint.missing, Dataset.MODELS})


def _verify_models(api: RegionApi, endpoint: Endpoint, models: dict[str, dict[str, Any] | Exception]) -> None:
    hosted: list[HostedModel] = []
    unread = False
    for variant in endpoint.variants:
        if not variant.model_name:
            continue
        model = models.get(variant.model_name)
        if isinstance(model, Exception):
            _unverified(api, endpoint, model, "DescribeModel")
            unread = True
            continue
        record = model or {}
        hosted.append(
            HostedModel(
                name=variant.model_name,
                variant=variant.name,
                arn=opt_str(record.get("ModelArn")),
                container_modes=container_modes(record),
            )
        )
    endpoint.models = hosted
    modes = {m for h in hosted for m in h.container_modes}
    if MULTI_MODEL in modes:
        endpoint.kind = EndpointKind.MULTI_MODEL  # certain, whatever the unread models hold
    elif modes - {SINGLE_MODEL, MULTI_MODEL}:
        endpoint.kind = EndpointKind.UNKNOWN  # a Mode this version does not know: judged, never exempted
    elif unread:
        endpoint.kind = EndpointKind.UNKNOWN


def _verify_components(
    api: RegionApi, endpoint: Endpoint, components: list[dict[str, Any]] | Exception | None
) -> None:
    if components is None or isinstance(components, Exception):
        if isinstance(components, Exception):
            _unverified(api, endpoint, components, "ListInferenceComponents")
        endpoint.kind = EndpointKind.UNKNOWN
        return
    names = sorted(
        str(c["InferenceComponentName"])
        for c in components
        if c.get("EndpointName") == endpoint.name and c.get("InferenceComponentName")
    )
    endpoint.inference_components = names
    if not names:
        # No variant names a model and no component is deployed: not verified as either kind.
        endpoint.kind = EndpointKind.UNKNOWN
