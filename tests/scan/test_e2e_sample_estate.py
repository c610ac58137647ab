"""End-to-end on the curated sample estate (auditor.emulator.build_estate): every seeded case is
in the inventory with the links the policies rely on, and both collection paths agree."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from auditor.api import scan
from auditor.cli.demo_cmd import DEMO_RECOGNISERS
from auditor.emulator import Estate, LocalAws, build_estate
from auditor.emulator.estate import unseeded_errors
from auditor.inventory import store
from auditor.inventory.model import Dataset, DatasetStatus, EndpointKind, Inventory
from auditor.scan.options import ScanOptions

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Scanned:
    estate: Estate
    fast: Inventory
    slow: Inventory


@pytest.fixture(scope="module")
def scanned() -> Iterator[Scanned]:
    aws = LocalAws.start()
    try:
        aws.reset()
        estate = build_estate(aws)
        # with the demo's recogniser, so the replacement alarms of the migrated endpoints are kept
        options = ScanOptions(
            org=True,
            role_name=estate.role_name,
            regions=estate.regions,
            endpoint_url=aws.endpoint_url,
            recognisers=DEMO_RECOGNISERS,
        )
        fast = scan(options, session=aws.session())
        slow = scan(ScanOptions(**{**options.__dict__, "use_search": False}), session=aws.session())
        yield Scanned(estate, fast, slow)
    finally:
        aws.stop()


def _body(inventory: Inventory) -> str:
    return re.sub(r'"metadata": \{.*?\n  \},\n', "", store.dumps(inventory), flags=re.DOTALL)


def test_complete_scan_without_errors(scanned: Scanned) -> None:
    inv = scanned.fast
    assert unseeded_errors(inv.errors) == []
    (seeded,) = inv.errors  # the capture bucket of another account: its listing is refused
    assert (seeded.account_id, seeded.region, seeded.dataset) == (
        *next(
            (c.account_id, c.region)
            for c in scanned.estate.cases_with("capture_bucket_other_account")
            if c.kind == "endpoint"
        ),
        Dataset.S3_OBJECTS,
    )
    accounts = sorted([scanned.estate.management_account_id, *scanned.estate.member_account_ids])
    assert inv.metadata.accounts == accounts
    assert {(t.account_id, t.region) for t in inv.targets} == {
        (a, r) for a in accounts for r in scanned.estate.regions
    }
    assert all(
        s is DatasetStatus.COMPLETE
        for t in inv.targets
        for d, s in t.datasets.items()
        if (t.account_id, t.region, d) != (seeded.account_id, seeded.region, Dataset.S3_OBJECTS)
    )


def test_fast_path_equals_no_search(scanned: Scanned) -> None:
    assert _body(scanned.fast) == _body(scanned.slow)
    fast_calls = sum(scanned.fast.metadata.api_calls.values())
    slow_calls = sum(scanned.slow.metadata.api_calls.values())
    assert fast_calls < slow_calls


def test_every_manifest_case_is_in_the_inventory(scanned: Scanned) -> None:
    inv = scanned.fast
    by_kind = {
        "endpoint": {e.arn for e in inv.endpoints},
        "monitor": {m.arn for m in inv.monitors},
        "job_definition": {j.arn for j in inv.job_definitions},
        "alarm": {a.arn for a in inv.alarms},
    }
    missing = [(c.defect, c.kind, c.name) for c in scanned.estate.cases if c.arn not in by_kind[c.kind]]
    assert missing == []


def test_links_the_policies_rely_on(scanned: Scanned) -> None:
    inv = scanned.fast
    estate = scanned.estate
    endpoints = {e.arn: e for e in inv.endpoints}
    monitors = {m.arn: m for m in inv.monitors}
    jobs = {j.arn: j for j in inv.job_definitions}
    alarms = {a.arn: a for a in inv.alarms}

    (serverless,) = estate.cases_with("serverless_endpoint")
    assert endpoints[serverless.arn].kind is EndpointKind.SERVERLESS
    for case in estate.cases_with("orphan_schedule"):
        assert monitors[case.arn].endpoint_arn is None
    for case in estate.cases_with("alarm_wrong_dimensions"):
        if case.kind == "alarm":
            assert alarms[case.arn].monitor_arns == []
    for defect in ("math_alarm_valid", "composite_alarm_valid"):
        for case in estate.cases_with(defect):
            if case.kind == "alarm":
                assert alarms[case.arn].monitor_arns, defect
    for case in estate.cases_with("job_definition_without_schedule"):
        assert jobs[case.arn].monitor_arns == []
    for defect, value in (("metrics_disabled", "Disabled"), ("metrics_key_absent", None)):
        for case in estate.cases_with(defect):
            if case.kind == "monitor":
                jd = jobs[monitors[case.arn].job_definition_arn or ""]
                assert jd.publish_cloudwatch_metrics == value, defect
    for case in estate.cases_with("compliant"):
        endpoint = endpoints[case.arn]
        assert endpoint.data_capture is not None and endpoint.data_capture.enabled
        assert len(endpoint.monitor_arns) == 4
        assert all(monitors[m].alarm_arns for m in endpoint.monitor_arns)


def test_hostile_names_round_trip(scanned: Scanned) -> None:
    text = store.dumps(scanned.fast)
    assert store.dumps(store.loads(text)) == text
    (alarm_case,) = [c for c in scanned.estate.cases_with("hostile_names") if c.kind == "alarm"]
    assert any(a.name == alarm_case.name for a in store.loads(text).alarms)
