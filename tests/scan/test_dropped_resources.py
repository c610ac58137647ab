"""A resource that exists but cannot be described is kept (with ``missing``), never dropped.

End-to-end against the local AWS: one denied operation in one (account, region); every resource the
clean scan found there is still in the inventory, the unreadable ones carry the dataset in
``missing``, the target's dataset says PARTIAL (not COMPLETE), and no verdict that needs the missing
data is PASS -- the job definition's own KMS, network and orphan verdicts are ERROR, not gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from auditor.inventory.model import Dataset, DatasetStatus, Inventory
from auditor.pipeline import JudgeInputs, judge, load_judge_inputs
from auditor.results import Verdict
from auditor.scan.options import ScanOptions
from auditor.scan.orchestrator import scan

pytestmark = pytest.mark.e2e

REGION = "eu-west-1"


@dataclass(frozen=True)
class Denied:
    operation: str
    dataset: Dataset
    kind: str  # the inventory list that holds the resources it reads
    use_search: bool = True
    targeted: bool = False


CASES = {
    "describe-job-definition": Denied(
        "DescribeDataQualityJobDefinition", Dataset.JOB_DEFINITIONS, "job_definitions"
    ),
    "describe-job-definition-targeted": Denied(
        "DescribeDataQualityJobDefinition", Dataset.JOB_DEFINITIONS, "job_definitions", targeted=True
    ),
    "describe-endpoint": Denied("DescribeEndpoint", Dataset.ENDPOINTS, "endpoints", use_search=False),
    "describe-endpoint-config": Denied("DescribeEndpointConfig", Dataset.ENDPOINT_CONFIGS, "endpoints"),
    "describe-monitoring-schedule": Denied(
        "DescribeMonitoringSchedule", Dataset.MONITORS, "monitors", use_search=False
    ),
    "list-tags": Denied("ListTags", Dataset.TAGS, "endpoints", use_search=False),
}


def _options(estate: Any, case: Denied) -> ScanOptions:
    return ScanOptions(
        accounts=estate.members,
        regions=estate.regions,
        endpoint_url=estate.aws.endpoint_url,
        role_name="ModelMonitorAuditor",
        use_search=case.use_search,
        endpoint_names=("ep-a",) if case.targeted else (),
        max_attempts=2,
    )


@pytest.fixture(scope="module")
def inputs() -> JudgeInputs:
    return load_judge_inputs()


def _in_target(items: list[Any], account: str) -> dict[str, Any]:
    return {r.arn: r for r in items if (r.account_id, r.region) == (account, REGION)}


@pytest.mark.parametrize("name", list(CASES))
def test_an_undescribable_resource_is_kept_partial_and_never_passes(
    small_estate: Any, inputs: JudgeInputs, name: str
) -> None:
    case = CASES[name]
    second = small_estate.members[1]
    faults = small_estate.aws.faults
    faults.clear()
    clean = scan(_options(small_estate, case))
    faults.add_rule(
        error="AccessDeniedException",
        service="sagemaker",
        operation=case.operation,
        account_id=second,
        region=REGION,
    )
    try:
        inventory: Inventory = scan(_options(small_estate, case))
    finally:
        faults.clear()

    assert inventory.errors and {e.operation for e in inventory.errors} == {case.operation}
    target = next(t for t in inventory.targets if (t.account_id, t.region) == (second, REGION))
    assert target.datasets[case.dataset] is DatasetStatus.PARTIAL
    assert {d: s for d, s in target.datasets.items() if d is not case.dataset} == {
        d: DatasetStatus.COMPLETE for d in Dataset if d is not case.dataset
    }
    # Nothing dropped: the same resources as the clean scan, in every list.
    for kind in ("endpoints", "monitors", "job_definitions", "alarms"):
        assert (
            _in_target(getattr(inventory, kind), second).keys()
            == _in_target(getattr(clean, kind), second).keys()
        )
    unreadable = {
        arn
        for arn, r in _in_target(getattr(inventory, case.kind), second).items()
        if case.dataset in r.missing
    }
    assert unreadable, "the denied operation should have left resources unread"

    result = judge(inventory, inputs)
    needs = {p.id for p in inputs.policies.policies if case.dataset in p.check_datasets | p.scope_datasets}
    on_unreadable = [f for f in result.findings if f.resource_arn in unreadable and f.policy_id in needs]
    assert on_unreadable and all(f.verdict is Verdict.ERROR for f in on_unreadable), [
        (f.policy_id, f.resource_name, f.verdict) for f in on_unreadable if f.verdict is not Verdict.ERROR
    ]
    if case.dataset is Dataset.JOB_DEFINITIONS:
        # The definitions' own verdicts are there, as ERROR (they used to vanish with the definition).
        own = {(f.policy_id, f.resource_arn) for f in on_unreadable}
        for arn in unreadable:
            for policy in ("mm-job-kms", "mm-job-network-security", "mm-orphan-job-definition"):
                assert (policy, arn) in own, (policy, arn)
        # The stub keeps what the listing or the schedule gave: name, type, endpoint.
        for arn in unreadable:
            stub, full = (
                _in_target(inventory.job_definitions, second)[arn],
                _in_target(clean.job_definitions, second)[arn],
            )
            assert (stub.name, stub.monitor_type, stub.endpoint_name) == (
                full.name,
                full.monitor_type,
                full.endpoint_name,
            )
            assert stub.output_kms_key_id is None and stub.missing == [Dataset.JOB_DEFINITIONS]
