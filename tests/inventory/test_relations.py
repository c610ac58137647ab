"""relations.link on hand-built inventories: every link kind, and the near-misses that must not link."""

from __future__ import annotations

from auditor.inventory.model import (
    Alarm,
    AlarmType,
    Endpoint,
    Inventory,
    JobDefinition,
    MetricRef,
    Monitor,
    MonitorType,
    ScanMetadata,
)
from auditor.inventory.relations import embedded_job_definition_arn, link, model_monitor_namespace

ACCT = "111111111111"
REGION = "us-east-1"
DQ_NS = "aws/sagemaker/Endpoints/data-metrics"


def _endpoint(name: str, account: str = ACCT) -> Endpoint:
    return Endpoint(
        arn=f"arn:aws:sagemaker:{REGION}:{account}:endpoint/{name}",
        name=name,
        account_id=account,
        region=REGION,
        status="InService",
    )


def _monitor(
    name: str,
    endpoint: str | None,
    monitor_type: MonitorType | None = MonitorType.DATA_QUALITY,
    *,
    job: str | None = None,
    embedded: bool = False,
    account: str = ACCT,
) -> Monitor:
    return Monitor(
        arn=f"arn:aws:sagemaker:{REGION}:{account}:monitoring-schedule/{name}",
        name=name,
        account_id=account,
        region=REGION,
        monitor_type=monitor_type,
        status="Scheduled",
        endpoint_name=endpoint,
        job_definition_name=job,
        job_definition_embedded=embedded,
    )


def _job(
    name: str, monitor_type: MonitorType, *, arn: str | None = None, embedded: bool = False
) -> JobDefinition:
    return JobDefinition(
        arn=arn or f"arn:aws:sagemaker:{REGION}:{ACCT}:{monitor_type.value.lower()}-job-definition/{name}",
        name=name,
        account_id=ACCT,
        region=REGION,
        monitor_type=monitor_type,
        embedded=embedded,
    )


def _alarm(name: str, metrics: list[MetricRef] | None = None, children: list[str] | None = None) -> Alarm:
    return Alarm(
        arn=f"arn:aws:cloudwatch:{REGION}:{ACCT}:alarm:{name}",
        name=name,
        account_id=ACCT,
        region=REGION,
        alarm_type=AlarmType.COMPOSITE if children is not None else AlarmType.METRIC,
        state="OK",
        metrics=metrics or [],
        children=children or [],
    )


def _inventory(**kwargs: list) -> Inventory:  # type: ignore[type-arg]
    return Inventory(metadata=ScanMetadata(tool_version="t", started_at="s", finished_at="f"), **kwargs)


def test_endpoint_monitor_and_orphan() -> None:
    inv = _inventory(
        endpoints=[_endpoint("ep")],
        monitors=[
            _monitor("m-b", "ep"),
            _monitor("m-a", "ep"),
            _monitor("orphan", "gone"),
            _monitor("batch", None),
        ],
    )
    link(inv)
    ep = inv.endpoints[0]
    assert ep.monitor_arns == sorted(m.arn for m in inv.monitors if m.name in ("m-a", "m-b"))
    by_name = {m.name: m for m in inv.monitors}
    assert by_name["m-a"].endpoint_arn == ep.arn
    assert by_name["orphan"].endpoint_arn is None
    assert by_name["batch"].endpoint_arn is None


def test_same_endpoint_name_in_other_account_does_not_link() -> None:
    inv = _inventory(endpoints=[_endpoint("ep", account="222222222222")], monitors=[_monitor("m", "ep")])
    link(inv)
    assert inv.monitors[0].endpoint_arn is None
    assert inv.endpoints[0].monitor_arns == []


def test_named_and_embedded_job_definitions() -> None:
    named = _job("dq-def", MonitorType.DATA_QUALITY)
    same_name_other_type = _job("dq-def", MonitorType.MODEL_QUALITY)
    monitor_named = _monitor("m1", "ep", job="dq-def")
    monitor_embedded = _monitor("m2", "ep", embedded=True)
    embedded = _job(
        "m2", MonitorType.DATA_QUALITY, arn=embedded_job_definition_arn(monitor_embedded.arn), embedded=True
    )
    inv = _inventory(
        monitors=[monitor_named, monitor_embedded], job_definitions=[named, same_name_other_type, embedded]
    )
    link(inv)
    assert monitor_named.job_definition_arn == named.arn
    assert monitor_embedded.job_definition_arn == embedded.arn
    assert named.monitor_arns == [monitor_named.arn]
    assert same_name_other_type.monitor_arns == []
    assert embedded.monitor_arns == [monitor_embedded.arn]


def test_alarm_needs_namespace_of_the_type_and_both_dimensions() -> None:
    monitor = _monitor("sched", "ep")
    dims = {"Endpoint": "ep", "MonitoringSchedule": "sched"}
    right_pass = _alarm("right", [MetricRef(DQ_NS, "feature_baseline_drift_x", dims)])
    # CloudWatch matches namespaces exactly: another spelling never sees the metric (reported, not linked)
    variant_fail = _alarm("variant", [MetricRef("/aws/sagemaker/Endpoint/data-metric", "m", dims)])
    only_endpoint_fail = _alarm("only-ep", [MetricRef(DQ_NS, "m", {"Endpoint": "ep"})])
    wrong_type_fail = _alarm("wrong-type", [MetricRef("aws/sagemaker/Endpoints/model-metrics", "f1", dims)])
    batch_ns_fail = _alarm("batch-ns", [MetricRef("aws/sagemaker/ModelMonitoring/data-metrics", "m", dims)])
    math_pass = _alarm(
        "math", [MetricRef("AWS/EC2", "CPUUtilization", {}), MetricRef(DQ_NS, "m", dict(dims))]
    )
    inv = _inventory(
        endpoints=[_endpoint("ep")],
        monitors=[monitor],
        alarms=[right_pass, variant_fail, only_endpoint_fail, wrong_type_fail, batch_ns_fail, math_pass],
    )
    link(inv)
    linked = {a.name for a in inv.alarms if a.monitor_arns}
    assert linked == {"right", "math"}
    assert monitor.alarm_arns == sorted([right_pass.arn, math_pass.arn])
    assert monitor.published_namespace == DQ_NS
    assert [(m.alarm_name, m.namespace, m.expected_namespace) for m in monitor.misspelt_alarms] == [
        ("variant", "/aws/sagemaker/Endpoint/data-metric", DQ_NS)
    ]


def test_namespace_is_the_one_listmetrics_lists_the_monitors_metrics_under() -> None:
    """Metrics found under a variant spelling make that spelling (only) the one an alarm must use."""
    variant_ns = "/aws/sagemaker/Endpoint/data-metric"
    dims = {"Endpoint": "ep", "MonitoringSchedule": "sched"}
    monitor = _monitor("sched", "ep")
    monitor.metrics = [MetricRef(variant_ns, "feature_baseline_drift_x", dims)]
    on_variant = _alarm("on-variant", [MetricRef(variant_ns, "feature_baseline_drift_x", dims)])
    on_canonical = _alarm("on-canonical", [MetricRef(DQ_NS, "feature_baseline_drift_x", dims)])
    inv = _inventory(endpoints=[_endpoint("ep")], monitors=[monitor], alarms=[on_variant, on_canonical])
    link(inv)
    assert monitor.alarm_arns == [on_variant.arn]
    assert monitor.published_namespace == variant_ns
    assert [(m.alarm_name, m.expected_namespace) for m in monitor.misspelt_alarms] == [
        ("on-canonical", variant_ns)
    ]
    # listed, none found yet: the canonical spelling alone counts
    monitor.metrics = []
    link(inv)
    assert monitor.alarm_arns == [on_canonical.arn]
    assert [m.alarm_name for m in monitor.misspelt_alarms] == ["on-variant"]


def test_batch_monitor_links_on_batch_namespace_with_schedule_dimension() -> None:
    monitor = _monitor("batch-sched", None, MonitorType.MODEL_QUALITY)
    alarm = _alarm(
        "batch",
        [
            MetricRef(
                "aws/sagemaker/ModelMonitoring/model-metrics", "auc", {"MonitoringSchedule": "batch-sched"}
            )
        ],
    )
    inv = _inventory(monitors=[monitor], alarms=[alarm])
    link(inv)
    assert alarm.monitor_arns == [monitor.arn]


def test_composite_alarms_watch_their_children_transitively_and_survive_cycles() -> None:
    monitor = _monitor("sched", "ep")
    child = _alarm("child", [MetricRef(DQ_NS, "m", {"Endpoint": "ep", "MonitoringSchedule": "sched"})])
    middle = _alarm("middle", children=["child"])
    top = _alarm("top", children=["middle", "top"])  # self-reference must not loop
    unrelated = _alarm("unrelated", children=["nothing-here"])
    inv = _inventory(endpoints=[_endpoint("ep")], monitors=[monitor], alarms=[child, middle, top, unrelated])
    link(inv)
    assert middle.monitor_arns == [monitor.arn]
    assert top.monitor_arns == [monitor.arn]
    assert unrelated.monitor_arns == []
    assert monitor.alarm_arns == sorted([child.arn, middle.arn, top.arn])


def test_link_is_idempotent() -> None:
    monitor = _monitor("sched", "ep")
    alarm = _alarm("a", [MetricRef(DQ_NS, "m", {"Endpoint": "ep", "MonitoringSchedule": "sched"})])
    inv = _inventory(endpoints=[_endpoint("ep")], monitors=[monitor], alarms=[alarm])
    link(inv)
    link(inv)
    assert monitor.alarm_arns == [alarm.arn]
    assert inv.endpoints[0].monitor_arns == [monitor.arn]


def test_namespace_spellings() -> None:
    canonical = model_monitor_namespace("aws/sagemaker/Endpoints/data-metrics")
    assert canonical is not None and canonical.canonical and not canonical.batch
    variant = model_monitor_namespace("/AWS/SageMaker/Endpoint/data-metric")
    assert variant is not None and variant.monitor_type is MonitorType.DATA_QUALITY and not variant.canonical
    batch = model_monitor_namespace("aws/sagemaker/ModelMonitoring/explainability-metrics")
    assert batch is not None and batch.batch and batch.canonical
    assert model_monitor_namespace("AWS/SageMaker") is None
    assert model_monitor_namespace("aws/sagemaker/Endpoints/latency-metrics") is None


MONITORING = "333333333333"


def test_org_wide_join_follows_metrics_account_id_and_composites_keep_working() -> None:
    """A monitoring account's alarms watch member monitors through Metrics[].AccountId, over the whole
    inventory; a composite there over such an alarm watches the same monitor; a query without the
    account (or naming another account) reads other metrics and links to nothing."""
    dims = {"Endpoint": "ep", "MonitoringSchedule": "m"}

    def central(name: str, account: str | None) -> Alarm:
        alarm = _alarm(name, [MetricRef(DQ_NS, "drift", dims, account_id=account)])
        alarm.account_id = MONITORING
        alarm.arn = f"arn:aws:cloudwatch:{REGION}:{MONITORING}:alarm:{name}"
        return alarm

    parent = _alarm("any-drift", children=["central"])
    parent.account_id = MONITORING
    parent.arn = f"arn:aws:cloudwatch:{REGION}:{MONITORING}:alarm:any-drift"
    alarms = [central("central", ACCT), central("no-account", None), central("wrong", "444444444444"), parent]
    inv = _inventory(endpoints=[_endpoint("ep")], monitors=[_monitor("m", "ep")], alarms=alarms)
    link(inv)
    link(inv)  # idempotent over the org-wide join too
    monitor = inv.monitors[0]
    by_name = {a.name: a for a in inv.alarms}
    assert monitor.alarm_arns == sorted([by_name["central"].arn, by_name["any-drift"].arn])
    assert by_name["central"].metric_accounts == [ACCT]
    assert (
        by_name["central"].display_name
        == f"central (in monitoring account {MONITORING} on metrics of {ACCT})"
    )
    assert by_name["any-drift"].monitor_arns == [monitor.arn]
    assert by_name["no-account"].monitor_arns == [] and by_name["wrong"].monitor_arns == []
    assert by_name["no-account"].display_name == "no-account"
