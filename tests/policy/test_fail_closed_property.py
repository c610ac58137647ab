"""Property: a verdict is never PASS, FAIL or NOT_APPLICABLE when the data it needs was not collected."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.inventory.model import OPTIONAL_DATASETS, Dataset, DatasetStatus
from auditor.policy.engine import evaluate
from auditor.policy.loader import load_policy_set
from auditor.results import ResourceKind, Verdict

from .conftest import inventory_from

PSET = load_policy_set()
POLICIES = {p.id: p for p in PSET.policies}
REGIONS = ("us-east-1", "eu-west-1")
TYPES = ("DataQuality", "ModelQuality", "ModelBias", "ModelExplainability")

NAMESPACES = {
    "DataQuality": "aws/sagemaker/Endpoints/data-metrics",
    "ModelQuality": "aws/sagemaker/Endpoints/model-metrics",
    "ModelBias": "aws/sagemaker/Endpoints/bias-metrics",
    "ModelExplainability": "aws/sagemaker/Endpoints/explainability-metrics",
}

statuses = st.sampled_from([s.value for s in DatasetStatus])


@st.composite
def fragments(draw: st.DrawFn) -> dict[str, Any]:
    endpoints = [
        {
            "name": f"ep{i}",
            "region": draw(st.sampled_from(REGIONS)),
            "status": draw(st.sampled_from(["InService", "OutOfService"])),
            "kind": draw(st.sampled_from(["real_time", "serverless", "multi_model"])),
            "tags": draw(st.sampled_from([{}, {"environment": "production", "risk-tier": "high"}])),
            "missing": draw(st.lists(st.sampled_from([d.value for d in Dataset]), max_size=2, unique=True)),
        }
        for i in range(draw(st.integers(0, 4)))
    ]
    job_definitions = [
        {
            "name": f"jd{i}",
            "monitor_type": draw(st.sampled_from(TYPES)),
            "region": draw(st.sampled_from(REGIONS)),
        }
        for i in range(draw(st.integers(0, 4)))
    ]
    monitors = []
    for i in range(draw(st.integers(0, 5))):
        monitor: dict[str, Any] = {
            "name": f"m{i}",
            "monitor_type": draw(st.sampled_from(TYPES)),
            "status": draw(st.sampled_from(["Scheduled", "Stopped"])),
            "region": draw(st.sampled_from(REGIONS)),
            "interval_seconds": 3600,
        }
        # Links are resolved by the scanner's linker: a name in another region links nothing.
        if endpoints and draw(st.booleans()):
            monitor["endpoint_name"] = draw(st.sampled_from([e["name"] for e in endpoints]))
        if job_definitions and draw(st.booleans()):
            monitor["job_definition_name"] = draw(st.sampled_from([j["name"] for j in job_definitions]))
        monitors.append(monitor)
    alarms = []
    for i in range(draw(st.integers(0, 3))):
        watched = draw(st.lists(st.sampled_from(monitors), max_size=2)) if monitors else []
        alarms.append(
            {
                "name": f"al{i}",
                "region": draw(st.sampled_from(REGIONS)),
                "metrics": [
                    {
                        "namespace": NAMESPACES[m["monitor_type"]],
                        "dimensions": {
                            "Endpoint": m.get("endpoint_name", ""),
                            "MonitoringSchedule": m["name"],
                        },
                    }
                    for m in watched
                ],
            }
        )
    targets = [
        {
            "region": r,
            "datasets": draw(st.dictionaries(st.sampled_from([d.value for d in Dataset]), statuses)),
        }
        for r in REGIONS
    ]
    return {
        "endpoints": endpoints,
        "job_definitions": job_definitions,
        "alarms": alarms,
        "monitors": monitors,
        "targets": targets,
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fragments())
def test_verdicts_are_fail_closed(fragment: dict[str, Any]) -> None:
    inventory = inventory_from(fragment)
    complete = {
        (t.region, d) for t in inventory.targets for d, s in t.datasets.items() if s == DatasetStatus.COMPLETE
    }
    # PARTIAL: every resource is listed, and the ones not read in full carry the dataset in `missing`
    # (checked below); only a target's own verdict needs its datasets COMPLETE.
    listed = {(t.region, d) for t in inventory.targets for d, s in t.datasets.items() if s.listed}
    missing = {
        r.arn: set(getattr(r, "missing", []))
        for r in [*inventory.endpoints, *inventory.monitors, *inventory.job_definitions, *inventory.alarms]
    }
    result = evaluate(inventory, PSET)
    keys = [(f.policy_id, f.resource_arn) for f in result.findings]
    assert len(keys) == len(set(keys))
    for f in result.findings:
        if f.verdict == Verdict.ERROR:
            continue
        policy = POLICIES[f.policy_id]
        if f.verdict == Verdict.NOT_APPLICABLE and f.message.startswith("not collected by choice"):
            # only datasets a scan may skip, and only when skipped (never a PASS)
            assert policy.resource_kind is not ResourceKind.TARGET
            assert policy.check_datasets - OPTIONAL_DATASETS <= {d for (r, d) in listed if r == f.region}
            continue
        needed = policy.scope_datasets | policy.check_datasets
        available = complete if policy.resource_kind is ResourceKind.TARGET else listed
        for d in needed:
            assert (f.region, d) in available, (f.policy_id, f.resource_name, d, f.verdict)
            assert d not in missing.get(f.resource_arn, set()), (f.policy_id, f.resource_name, d)
    # Every endpoint-level policy judged every InService endpoint (a verdict, possibly ERROR).
    for e in inventory.endpoints:
        if e.status == "InService" and not e.tags:
            judged = {f.policy_id for f in result.findings if f.resource_arn == e.arn}
            assert {"mm-data-capture", "mm-data-quality-monitor"} <= judged
