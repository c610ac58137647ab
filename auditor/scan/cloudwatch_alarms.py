"""CloudWatch alarms: metric, metric-math and composite alarms on the Model Monitor namespaces.

DescribeAlarms returns only metric alarms unless AlarmTypes names both types. Alarms reading a
Model Monitor namespace (any documented spelling) are kept in full, and so are the metric alarms a
replacement recogniser's alarm matcher names (its custom namespace, with its dimension) and composite
alarms whose rule references (transitively) a kept alarm; the rest are only counted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from auditor.inventory.model import Alarm, AlarmType, Dataset, MetricRef, ResourceKind
from auditor.inventory.relations import model_monitor_namespace
from auditor.inventory.replacements import alarm_endpoints, recogniser_alarm
from auditor.scan import cloudwatch_metrics
from auditor.scan.clients import AWS_ERRORS, RegionApi
from auditor.scan.context import RegionContext
from auditor.scan.guard import Operation
from auditor.scan.normalize import iso, opt_int, opt_str, raw

OPERATIONS: tuple[Operation, ...] = (
    ("cloudwatch", "DescribeAlarms"),
    # the monitors' metrics, listed on the namespaces the monitors and these alarms use
    *cloudwatch_metrics.OPERATIONS,
)

# ALARM("name"), ALARM(name), OK('name'), INSUFFICIENT_DATA(arn:...) in a composite rule.
_RULE_REF = re.compile(
    r"\b(?:ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*"
    r"(?:\"(?P<dq>(?:[^\"\\]|\\.)*)\"|'(?P<sq>[^']*)'|(?P<bare>[^()\s\"']+))\s*\)"
)
_SEARCH = re.compile(r"SEARCH\s*\(\s*'(?P<query>(?:[^'\\]|\\.)*)'", re.IGNORECASE)
_SCHEMA = re.compile(r"\{\s*(?P<schema>[^}]*)\}")
_SEARCH_DIM = re.compile(r"(?P<key>[A-Za-z][\w.-]*)\s*=\s*(?:\"(?P<dq>[^\"]*)\"|(?P<bare>[^\s\"()]+))")
_SQL_FROM = re.compile(r"\bFROM\s+(?:SCHEMA\s*\(\s*)?\"(?P<ns>[^\"]+)\"", re.IGNORECASE)
_SQL_WHERE = re.compile(r"(?P<key>[A-Za-z][\w.-]*)\s*=\s*'(?P<value>[^']*)'")


def describe_alarms(api: RegionApi) -> tuple[list[dict[str, Any]], list[dict[str, Any]], bool]:
    """Every metric and composite alarm (pages of 100). Returns (metric, composite, complete)."""
    metric: list[dict[str, Any]] = []
    composite: list[dict[str, Any]] = []
    try:
        for page in api.pages(
            "cloudwatch", "DescribeAlarms", AlarmTypes=["MetricAlarm", "CompositeAlarm"], MaxRecords=100
        ):
            metric.extend(page.get("MetricAlarms", []))
            composite.extend(page.get("CompositeAlarms", []))
    except AWS_ERRORS as exc:
        api.record(exc, "cloudwatch", "DescribeAlarms", dataset=Dataset.ALARMS)
        return metric, composite, False
    return metric, composite, True


def rule_children(rule: str | None) -> list[str]:
    """Alarm names a composite rule refers to (ARNs reduced to names), sorted and unique."""
    names: set[str] = set()
    for match in _RULE_REF.finditer(rule or ""):
        name = match.group("dq")
        if name is not None:
            name = re.sub(r"\\(.)", r"\1", name)
        else:
            name = match.group("sq") if match.group("sq") is not None else match.group("bare")
        if name.startswith("arn:") and ":alarm:" in name:
            name = name.split(":alarm:", 1)[1]
        names.add(name)
    return sorted(names)


def expression_metrics(expression: str | None) -> list[MetricRef]:
    """Metrics named inside a math expression: SEARCH('{ns,dims} k="v"') or Insights FROM "ns"."""
    result: list[MetricRef] = []
    text = expression or ""
    for match in _SEARCH.finditer(text):
        query = match.group("query")
        schema = _SCHEMA.search(query)
        if schema is None:
            continue
        parts = [p.strip().strip('"') for p in schema.group("schema").split(",")]
        rest = query[: schema.start()] + query[schema.end() :]
        dims = {
            m.group("key"): m.group("dq") if m.group("dq") is not None else m.group("bare")
            for m in _SEARCH_DIM.finditer(rest)
        }
        result.append(
            MetricRef(namespace=parts[0], metric_name=dims.pop("MetricName", None), dimensions=dims)
        )
    for match in _SQL_FROM.finditer(text):
        tail = text[match.end() :]
        dims = {m.group("key"): m.group("value") for m in _SQL_WHERE.finditer(tail)}
        result.append(MetricRef(namespace=match.group("ns"), dimensions=dims))
    return result


def _dims(items: list[dict[str, Any]] | None) -> dict[str, str]:
    return {str(d["Name"]): str(d.get("Value", "")) for d in items or [] if "Name" in d}


def _metric_refs(record: dict[str, Any]) -> tuple[list[MetricRef], str | None]:
    refs: list[MetricRef] = []
    expressions: list[str] = []
    if record.get("Namespace"):
        refs.append(
            MetricRef(
                namespace=str(record["Namespace"]),
                metric_name=opt_str(record.get("MetricName")),
                dimensions=_dims(record.get("Dimensions")),
            )
        )
    for query in record.get("Metrics") or []:
        metric = (query.get("MetricStat") or {}).get("Metric") or {}
        if metric.get("Namespace"):
            refs.append(
                MetricRef(
                    namespace=str(metric["Namespace"]),
                    metric_name=opt_str(metric.get("MetricName")),
                    dimensions=_dims(metric.get("Dimensions")),
                    # a cross-account alarm (CloudWatch cross-account observability) names the owner
                    account_id=opt_str(query.get("AccountId")),
                )
            )
        if query.get("Expression"):
            expressions.append(str(query["Expression"]))
            refs.extend(expression_metrics(str(query["Expression"])))
    return refs, "; ".join(expressions) or None


def _common(record: dict[str, Any], account_id: str, region: str) -> dict[str, Any]:
    return {
        "arn": str(record["AlarmArn"]),
        "name": str(record["AlarmName"]),
        "account_id": account_id,
        "region": region,
        "state": opt_str(record.get("StateValue")),
        "state_updated": iso(record.get("StateUpdatedTimestamp")),
        "actions_enabled": bool(record.get("ActionsEnabled", False)),
        "alarm_actions": [str(a) for a in record.get("AlarmActions") or []],
        "ok_actions": [str(a) for a in record.get("OKActions") or []],
        "insufficient_data_actions": [str(a) for a in record.get("InsufficientDataActions") or []],
        "description": opt_str(record.get("AlarmDescription")),
        "raw": raw(record),
    }


def build_metric_alarm(record: dict[str, Any], *, account_id: str, region: str) -> Alarm:
    """Normalize a MetricAlarm record (single-metric or metric math)."""
    metrics, expression = _metric_refs(record)
    threshold = record.get("Threshold")
    return Alarm(
        **_common(record, account_id, region),
        alarm_type=AlarmType.METRIC,
        namespace=opt_str(record.get("Namespace")),
        metric_name=opt_str(record.get("MetricName")),
        dimensions=_dims(record.get("Dimensions")),
        metrics=metrics,
        expression=expression,
        statistic=opt_str(record.get("Statistic") or record.get("ExtendedStatistic")),
        threshold=float(threshold) if isinstance(threshold, int | float) else None,
        comparison_operator=opt_str(record.get("ComparisonOperator")),
        period=opt_int(record.get("Period")),
        evaluation_periods=opt_int(record.get("EvaluationPeriods")),
        datapoints_to_alarm=opt_int(record.get("DatapointsToAlarm")),
        treat_missing_data=opt_str(record.get("TreatMissingData")),
    )


def build_composite_alarm(record: dict[str, Any], *, account_id: str, region: str) -> Alarm:
    """Normalize a CompositeAlarm record; ``children`` are the alarm names its rule refers to."""
    rule = opt_str(record.get("AlarmRule"))
    return Alarm(
        **_common(record, account_id, region),
        alarm_type=AlarmType.COMPOSITE,
        alarm_rule=rule,
        children=rule_children(rule),
    )


def is_model_monitor_alarm(alarm: Alarm) -> bool:
    """Whether a metric alarm reads any Model Monitor namespace (any documented spelling)."""
    return any(model_monitor_namespace(m.namespace) is not None for m in alarm.metrics)


def select_alarms(
    metric_records: list[dict[str, Any]],
    composite_records: list[dict[str, Any]],
    *,
    account_id: str,
    region: str,
    keep_metric: Callable[[Alarm], bool] = is_model_monitor_alarm,
) -> tuple[list[Alarm], int]:
    """Keep the Model Monitor alarms and composites above them; count the rest.

    ``keep_metric`` narrows the kept metric alarms (a targeted scan keeps only alarms on its
    endpoints). Returns (kept alarms, number of other alarms).
    """
    metric = [build_metric_alarm(r, account_id=account_id, region=region) for r in metric_records]
    composite = [build_composite_alarm(r, account_id=account_id, region=region) for r in composite_records]
    kept_names = {a.name for a in metric if keep_metric(a)}
    # Composites may nest: keep adding composites that reference a kept alarm until nothing changes.
    pending = list(composite)
    changed = True
    while changed:
        changed = False
        for alarm in list(pending):
            if any(child in kept_names for child in alarm.children):
                kept_names.add(alarm.name)
                pending.remove(alarm)
                changed = True
    kept = [a for a in metric + composite if a.name in kept_names]
    return kept, len(metric) + len(composite) - len(kept)


# --------------------------------------------------------------------------- the collector

KIND = ResourceKind.ALARM
# A targeted scan keeps the alarms of its endpoints and monitors; the metrics are set on the monitors
# once their definitions have filled in their endpoints.
NEEDS: tuple[ResourceKind, ...] = (ResourceKind.ENDPOINT, ResourceKind.MONITOR, ResourceKind.JOB_DEFINITION)


def collect(ctx: RegionContext) -> list[Alarm]:
    """The Model Monitor alarms of one (account, region) and the composites above them; a targeted
    scan keeps only those on its endpoints' metrics. Then the monitors' metrics (ListMetrics on the
    namespaces the monitors and the kept alarms use) are set on the monitors collected before."""
    api = ctx.api
    metric, composite, complete = describe_alarms(api)
    if not complete:
        ctx.failed(Dataset.ALARMS)
    recognisers = ctx.options.recognisers

    def keep(alarm: Alarm) -> bool:
        return is_model_monitor_alarm(alarm) or recogniser_alarm(recognisers, alarm)

    monitors = ctx.of(ResourceKind.MONITOR)
    ctx.after(ResourceKind.JOB_DEFINITION)  # it fills in the monitors' endpoints, which the metrics match
    if ctx.options.targeted:
        ctx.handed_on(ResourceKind.ENDPOINT)
        selected = ctx.selected_endpoints
        monitor_names = {m.name for m in monitors}

        def keep(alarm: Alarm) -> bool:
            replacing = {e for r in recognisers for e in alarm_endpoints(r, alarm)}
            return (
                is_model_monitor_alarm(alarm)
                and any(
                    m.dimensions.get("Endpoint") in selected
                    or m.dimensions.get("MonitoringSchedule") in monitor_names
                    for m in alarm.metrics
                )
            ) or bool(replacing & selected)

    alarms, ctx.target.other_alarm_count = select_alarms(
        metric, composite, account_id=api.account_id, region=api.region, keep_metric=keep
    )
    cloudwatch_metrics.fill_monitor_metrics(api, monitors, alarms)
    return alarms
