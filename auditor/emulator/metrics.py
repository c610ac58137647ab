"""What a monitor publishes to CloudWatch in the local AWS: metrics appear when an execution completes.

On AWS a monitoring job publishes its metrics when ``publish_cloudwatch_metrics`` is ``Enabled`` in
its job definition's Environment (DOMAIN §2.2) and it completes (Completed or
CompletedWithViolations). The local AWS does the same: recording such an execution puts one data
point of the monitor's metric (``monitor_metric``: the canonical namespace of its type, Endpoint +
MonitoringSchedule dimensions) into moto's CloudWatch, at the execution's scheduled time, so
ListMetrics sees it. A failed run, or a definition with publishing off or unset, publishes nothing.
ListMetrics itself (``wrap_get_filtered_metrics``) lists each metric once, and only while it had data
in the last two weeks, as CloudWatch does (moto lists every data point, forever).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends
from moto.sagemaker.models import sagemaker_backends

FEATURE = "transaction_amount"
PUBLISHING_STATUSES = ("Completed", "CompletedWithViolations")
_NAMESPACE_KIND = {
    "DataQuality": "data",
    "ModelQuality": "model",
    "ModelBias": "bias",
    "ModelExplainability": "explainability",
}
_APP_SPECIFICATION = {
    "DataQuality": ("data_quality_job_definitions", "data_quality_app_specification"),
    "ModelQuality": ("model_quality_job_definitions", "model_quality_app_specification"),
    "ModelBias": ("model_bias_job_definitions", "model_bias_app_specification"),
    "ModelExplainability": ("model_explainability_job_definitions", "model_explainability_app_specification"),
}


def _dims(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in pairs]


def monitor_metric(
    monitoring_type: str, schedule: str, endpoint: str | None
) -> tuple[str, str, list[dict[str, str]]]:
    """(namespace, metric name, dimensions) that a monitor of this type publishes (batch: no endpoint)."""
    kind = _NAMESPACE_KIND[monitoring_type]
    scope = "Endpoints" if endpoint is not None else "ModelMonitoring"
    namespace = f"aws/sagemaker/{scope}/{kind}-metrics"
    pairs = [("Endpoint", endpoint)] if endpoint is not None else []
    dims = _dims([*pairs, ("MonitoringSchedule", schedule)])
    if monitoring_type == "DataQuality":
        return namespace, f"feature_baseline_drift_{FEATURE}", dims
    if monitoring_type == "ModelQuality":
        return namespace, "f1", dims
    if monitoring_type == "ModelBias":
        extra = [("BiasStage", "Post-Training"), ("Label", "label0"), ("LabelValue", "1"), ("Facet", "age")]
        extra.append(("FacetValue", "40"))
        return namespace, "bias_metric_DPPL", dims + _dims(extra)
    extra = [("ExplainabilityMethod", "KernelShap"), ("Label", "label0"), ("ValueType", "GlobalShapValues")]
    return namespace, f"feature_{FEATURE}", dims + _dims(extra)


def job_environment(
    account_id: str, region: str, monitoring_type: str, config: dict[str, Any]
) -> dict[str, str]:
    """The Environment of a schedule's job definition (named or embedded); {} when there is none."""
    embedded = config.get("MonitoringJobDefinition")
    if embedded:
        return dict(embedded.get("Environment") or {})
    store, attribute = _APP_SPECIFICATION[monitoring_type]
    definitions = getattr(sagemaker_backends[account_id][region], store)
    definition = definitions.get(config.get("MonitoringJobDefinitionName") or "")
    if definition is None:
        return {}
    return dict((getattr(definition, attribute, None) or {}).get("Environment") or {})


def publish_execution_metrics(
    account_id: str,
    region: str,
    *,
    monitoring_type: str | None,
    schedule: str,
    endpoint: str | None,
    config: dict[str, Any],
    status: str,
    when: datetime,
) -> bool:
    """Put the monitor's metric into CloudWatch if this execution publishes; returns whether it did."""
    if monitoring_type not in _NAMESPACE_KIND or status not in PUBLISHING_STATUSES:
        return False
    env = job_environment(account_id, region, monitoring_type, config)
    if env.get("publish_cloudwatch_metrics") != "Enabled":
        return False
    namespace, metric_name, dims = monitor_metric(monitoring_type, schedule, endpoint)
    cloudwatch_backends[account_id][region].put_metric_data(
        namespace, [{"MetricName": metric_name, "Dimensions": dims, "Value": 0.05, "Timestamp": when}]
    )
    return True


# ListMetrics lists each metric once, and only while it has had data in about the last two weeks.
LIST_METRICS_WINDOW = timedelta(days=14)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def wrap_get_filtered_metrics(original: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
    """moto's metric filter for ListMetrics, corrected: one entry per (namespace, name, dimensions),
    and none whose newest data point is older than the two-week window."""

    def get_filtered_metrics(self: Any, *args: Any, **kwargs: Any) -> list[Any]:
        newest: dict[tuple[str, str, tuple[tuple[str, str], ...]], Any] = {}
        for datum in original(self, *args, **kwargs):
            dims = tuple(sorted((d.name, d.value) for d in datum.dimensions))
            key = (datum.namespace, datum.name, dims)
            kept = newest.get(key)
            if kept is None or _aware(datum.timestamp) > _aware(kept.timestamp):
                newest[key] = datum
        cutoff = datetime.now(UTC) - LIST_METRICS_WINDOW
        return [d for d in newest.values() if _aware(d.timestamp) >= cutoff]

    return get_filtered_metrics
