"""End-to-end (real boto3, real HTTP, the local AWS): endpoint kinds verified from the models, Model
Monitor's own alerts, and execution statuses judged by allow-list.

One member account, one region:
  ep-healthy  a single-model endpoint with a DataQuality monitor; its alert is OK
  ep-mme      its model's PrimaryContainer is MultiModel: a multi-model endpoint, which Model Monitor
              does not support
  ep-mcc      its model's second container (Containers) is MultiModel: multi-model too
  ep-ic       its variant names no model and an inference component is deployed on it
  ep-ic-empty its variant names no model and no component is deployed: not verified, judged
  ep-stopped  its last 5 runs were Stopped (runtime exceeded): failures, never "neither failed nor completed"
  ep-novel    its last 5 runs ended in a status this version does not know ("Abandoned", invented)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from auditor.emulator import LocalAws
from auditor.emulator.faults import TIMEOUT
from auditor.inventory.model import Dataset, EndpointKind, Inventory
from auditor.policy.engine import evaluate
from auditor.policy.loader import load_policy_set
from auditor.report import html_report, json_report
from auditor.results import Verdict
from tests.scan.one_member import (
    REGION,
    create_monitor,
    one_member_aws,
    record_history,
    scan_member,
    verdicts_of,
)

pytestmark = pytest.mark.e2e

# Execution histories, oldest first.
HISTORIES: dict[str, list[tuple[str, str | None]]] = {
    "ep-healthy": [("Completed", None)] * 5,
    "ep-stopped": [("Stopped", None)] * 5,
    "ep-novel": [("Abandoned", None)] * 5,
}


def _endpoint(sm: Any, name: str, variants: list[dict[str, Any]]) -> None:
    sm.create_endpoint_config(EndpointConfigName=f"{name}-cfg", ProductionVariants=variants)
    sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-cfg")


def _variant(model: str | None, name: str = "AllTraffic") -> dict[str, Any]:
    variant: dict[str, Any] = {"VariantName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
    if model is not None:
        variant["ModelName"] = model
    return variant


def _monitor(aws: LocalAws, sm: Any, acct: str, endpoint: str, history: list[tuple[str, str | None]]) -> None:
    schedule = create_monitor(sm, acct, endpoint)
    novel = any(status == "Abandoned" for status, _ in history)  # a stand-in for a status AWS adds later
    record_history(aws, acct, schedule, history, **({"_new_status": True} if novel else {}))


def _seed(aws: LocalAws, acct: str) -> None:
    sm = aws.session(acct, REGION).client("sagemaker", endpoint_url=aws.endpoint_url)
    role = f"arn:aws:iam::{acct}:role/x"
    sm.create_model(ModelName="single", ExecutionRoleArn=role, PrimaryContainer={"Image": "img"})
    for name, history in HISTORIES.items():
        _endpoint(sm, name, [_variant("single")])
        _monitor(aws, sm, acct, name, history)
    aws.set_monitoring_alert(acct, REGION, "ep-healthy-dq", "ep-healthy-dq-failures", status="OK")
    aws.set_monitoring_alert(
        acct, REGION, "ep-stopped-dq", "ep-stopped-dq-failures", status="InAlert", datapoints_to_alert=3
    )
    mme = {"Image": "img", "Mode": "MultiModel", "ModelDataUrl": "s3://models/mme/"}
    sm.create_model(ModelName="mme", ExecutionRoleArn=role, PrimaryContainer=mme)
    sm.create_model(
        ModelName="mcc",
        ExecutionRoleArn=role,
        Containers=[{"Image": "pre", "Mode": "SingleModel"}, mme],
        InferenceExecutionConfig={"Mode": "Serial"},
    )
    _endpoint(sm, "ep-mme", [_variant("mme")])
    _endpoint(sm, "ep-mcc", [_variant("mcc")])
    _endpoint(sm, "ep-ic", [_variant(None)])
    _endpoint(sm, "ep-ic-empty", [_variant(None)])
    sm.create_inference_component(
        InferenceComponentName="ic-one",
        EndpointName="ep-ic",
        VariantName="AllTraffic",
        Specification={"ModelName": "single", "ComputeResourceRequirements": {"MinMemoryRequiredInMb": 1024}},
        RuntimeConfig={"CopyCount": 1},
    )


@pytest.fixture(scope="module")
def models_aws() -> Iterator[tuple[LocalAws, str]]:
    with one_member_aws(_seed) as aws_and_account:
        yield aws_and_account


@pytest.fixture(scope="module")
def baseline(models_aws: tuple[LocalAws, str]) -> Inventory:
    aws, acct = models_aws
    aws.faults.clear()
    return scan_member(aws, acct)


# --------------------------------------------------------------------------- execution statuses


def test_stopped_and_unknown_execution_statuses_count_as_failures(baseline: Inventory) -> None:
    history = {m.name: m.execution_history for m in baseline.monitors}
    for name in ("ep-stopped-dq", "ep-novel-dq"):
        summary = history[name]
        assert summary is not None and (summary.runs, summary.failed) == (5, 5), name
        assert summary.failure_classes == {"other": 5}, name
    verdicts = verdicts_of(baseline, "mm-repeated-failures")
    assert verdicts["ep-stopped-dq"][0] is Verdict.FAIL
    assert "found 5 failed" in verdicts["ep-stopped-dq"][1]
    assert verdicts["ep-novel-dq"][0] is Verdict.FAIL
    assert verdicts["ep-healthy-dq"][0] is Verdict.PASS
    # runs in a status nobody knows may have reported violations: never counted as clean (no alarm fires)
    ignored = verdicts_of(baseline, "mm-violations-ignored")
    assert ignored["ep-novel-dq"][0] is Verdict.FAIL, ignored["ep-novel-dq"]
    assert "(5 counting runs in a status this version does not know)" in ignored["ep-novel-dq"][1]
    assert ignored["ep-stopped-dq"][0] is Verdict.PASS  # Stopped is known: it reported nothing


# --------------------------------------------------------------------------- endpoint kinds and alerts

KINDS = {
    "ep-healthy": EndpointKind.REAL_TIME,
    "ep-mme": EndpointKind.MULTI_MODEL,
    "ep-mcc": EndpointKind.MULTI_MODEL,
    "ep-ic": EndpointKind.INFERENCE_COMPONENT,
    "ep-ic-empty": EndpointKind.UNKNOWN,
}


def test_kinds_are_read_from_the_models_and_components(baseline: Inventory) -> None:
    assert baseline.errors == []
    endpoints = {e.name: e for e in baseline.endpoints}
    assert {n: endpoints[n].kind for n in KINDS} == KINDS
    mme = endpoints["ep-mme"].models
    assert mme is not None and [(m.name, m.variant, m.container_modes) for m in mme] == [
        ("mme", "AllTraffic", ["MultiModel"])
    ]
    assert [m.container_modes for m in endpoints["ep-mcc"].models or []] == [["SingleModel", "MultiModel"]]
    assert endpoints["ep-ic"].inference_components == ["ic-one"]
    assert endpoints["ep-ic-empty"].inference_components == []
    # one Search per 100 endpoints and one per 100 models; every model was in Search: no DescribeModel;
    # one ListInferenceComponents (two endpoints name no model)
    calls = baseline.metadata.api_calls
    assert calls["sagemaker:Search"] == 2
    assert "sagemaker:DescribeModel" not in calls
    assert calls["sagemaker:ListInferenceComponents"] == 1


def test_unsupported_kinds_are_not_applicable_and_an_unverified_one_is_judged(baseline: Inventory) -> None:
    verdicts = verdicts_of(baseline, "mm-data-quality-monitor")
    assert verdicts["ep-healthy"][0] is Verdict.PASS
    for name in ("ep-mme", "ep-mcc"):
        assert verdicts[name] == (
            Verdict.NOT_APPLICABLE,
            "Model Monitor does not support multi-model endpoints.",
        )
    assert verdicts["ep-ic"][0] is Verdict.NOT_APPLICABLE
    assert verdicts["ep-ic-empty"][0] is Verdict.FAIL  # no component, no model: not exempted


def test_model_monitor_alerts_are_recorded_per_monitor(baseline: Inventory) -> None:
    alerts = {m.name: m.alerts for m in baseline.monitors}
    assert [
        (a.name, a.status, a.datapoints_to_alert, a.dashboard_indicator)
        for a in alerts["ep-stopped-dq"] or []
    ] == [("ep-stopped-dq-failures", "InAlert", 3, True)]
    assert [(a.name, a.status) for a in alerts["ep-healthy-dq"] or []] == [("ep-healthy-dq-failures", "OK")]
    assert alerts["ep-novel-dq"] == []  # in Search's model records, with no alert


@pytest.mark.parametrize("error", ["AccessDeniedException", "ThrottlingException", TIMEOUT])
def test_search_faults_fall_back_to_describe_model_and_never_exempt_wrongly(
    models_aws: tuple[LocalAws, str], baseline: Inventory, error: str
) -> None:
    """Search fails for endpoints and models alike: the scan takes the List / Describe path, the kinds
    are verified with DescribeModel and the alerts listed with ListMonitoringAlerts: the same inventory."""
    aws, acct = models_aws
    aws.faults.clear()
    aws.faults.add_rule(error=error, service="sagemaker", operation="Search")
    try:
        inventory = scan_member(aws, acct, max_attempts=1, read_timeout=3)
    finally:
        aws.faults.clear()
    assert inventory.metadata.options["search_fallback"]
    assert {e.name: e.kind for e in inventory.endpoints if e.name in KINDS} == KINDS
    assert inventory.metadata.api_calls["sagemaker:DescribeModel"] == 3  # single, mme, mcc
    assert inventory.metadata.api_calls["sagemaker:ListMonitoringAlerts"] == len(HISTORIES)
    assert {m.name: m.alerts for m in inventory.monitors} == {m.name: m.alerts for m in baseline.monitors}
    verdicts = verdicts_of(inventory, "mm-data-quality-monitor")
    assert verdicts["ep-mme"][0] is Verdict.NOT_APPLICABLE
    assert verdicts["ep-ic-empty"][0] is Verdict.FAIL


@pytest.mark.parametrize("error", ["AccessDeniedException", "ThrottlingException", TIMEOUT])
@pytest.mark.parametrize("operation", ["DescribeModel", "ListInferenceComponents"])
def test_unreadable_models_or_components_give_error_never_pass(
    models_aws: tuple[LocalAws, str], operation: str, error: str
) -> None:
    """Without Search (--no-search) every model is described: a model or the component listing that
    cannot be read leaves the kind unverified, and the checks that read it are ERROR naming the call."""
    aws, acct = models_aws
    aws.faults.clear()
    aws.faults.add_rule(error=error, service="sagemaker", operation=operation)
    try:
        inventory = scan_member(aws, acct, max_attempts=1, read_timeout=3, use_search=False)
    finally:
        aws.faults.clear()
    affected = (
        {"ep-ic", "ep-ic-empty"}
        if operation == "ListInferenceComponents"
        else set(KINDS)
        - {
            "ep-ic",
            "ep-ic-empty",
        }
    )
    affected |= {n for n in HISTORIES if operation == "DescribeModel"}
    assert {(e.operation, e.dataset, e.resource) for e in inventory.errors} == {
        (operation, Dataset.MODELS, name) for name in affected
    }
    endpoints = {e.name: e for e in inventory.endpoints}
    assert all(Dataset.MODELS in endpoints[n].missing for n in affected)
    verdicts = verdicts_of(inventory, "mm-data-quality-monitor")
    for name in affected:
        verdict, message = verdicts[name]
        assert verdict is Verdict.ERROR, name
        assert "models" in message and operation in message, name
    for name in set(endpoints) - affected:
        assert verdicts[name][0] is not Verdict.ERROR, name


@pytest.mark.parametrize("error", ["AccessDeniedException", "ThrottlingException", TIMEOUT])
def test_unreadable_alerts_are_none_naming_the_schedule(models_aws: tuple[LocalAws, str], error: str) -> None:
    """An alert listing that fails leaves the monitor's alerts unread (None, never "no alert"), with the
    error naming the schedule; no verdict depends on the alerts."""
    aws, acct = models_aws
    aws.faults.clear()
    aws.faults.add_rule(error=error, service="sagemaker", operation="ListMonitoringAlerts")
    try:
        inventory = scan_member(aws, acct, max_attempts=1, read_timeout=3, use_search=False)
    finally:
        aws.faults.clear()
    assert {(e.operation, e.dataset, e.resource) for e in inventory.errors} == {
        ("ListMonitoringAlerts", Dataset.MODELS, f"{n}-dq") for n in HISTORIES
    }
    assert all(m.alerts is None for m in inventory.monitors)
    verdicts = verdicts_of(inventory, "mm-repeated-failures")
    assert verdicts["ep-stopped-dq"][0] is Verdict.FAIL and verdicts["ep-healthy-dq"][0] is Verdict.PASS


def test_reports_show_the_alerts_in_alert_first(baseline: Inventory) -> None:
    result = evaluate(baseline, load_policy_set())
    document = json_report.to_document(result)
    view = document["monitoring_alerts"]
    assert (view["in_alert"], view["unread"]) == (1, 0)
    first = view["rows"][0]
    assert (first["monitor_name"], first["alert_name"], first["status"], first["endpoint_name"]) == (
        "ep-stopped-dq",
        "ep-stopped-dq-failures",
        "InAlert",
        "ep-stopped",
    )
    assert {r["alert_name"] for r in view["rows"]} == {"ep-stopped-dq-failures", "ep-healthy-dq-failures"}
    html = html_report.render(result).decode("utf-8")
    section = html.split('<section id="mm-alerts">', 1)[1].split("</section>", 1)[0]
    assert "1 alert(s) InAlert." in section
    assert section.index("ep-stopped-dq-failures") < section.index("ep-healthy-dq-failures")
    assert '<span class="v v-FAIL">InAlert</span>' in section
