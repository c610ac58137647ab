"""The empty-run decision, as a library function of the inventory (no AWS, no CLI)."""

from __future__ import annotations

import pytest

from auditor.inventory.model import Dataset, DatasetStatus, Inventory, ScanError, ScanMetadata, Target
from auditor.policy.cases import build_inventory
from auditor.policy.yamlsrc import SourceMap
from auditor.report.gate import ExitCode
from auditor.selection import empty_selection

COMPLETE = dict.fromkeys(Dataset, DatasetStatus.COMPLETE)


def _empty(
    options: dict[str, object], *, targets: list[Target] | None = None, errors: list[ScanError] | None = None
) -> Inventory:
    return Inventory(
        metadata=ScanMetadata(
            tool_version="t",
            started_at="s",
            finished_at="f",
            accounts=["111111111111"],
            regions=["us-east-1"],
            options=options,
        ),
        targets=targets if targets is not None else [Target("111111111111", "us-east-1", dict(COMPLETE))],
        errors=errors or [],
    )


def test_an_inventory_with_an_endpoint_is_not_empty() -> None:
    inventory = build_inventory({"endpoints": [{"name": "ep"}]}, SourceMap("<t>"))
    assert empty_selection(inventory, fail_on_empty=True) is None


@pytest.mark.parametrize(
    ("options", "fail_on_empty", "expected"),
    [
        ({"endpoint_names": ["churn"]}, None, ExitCode.INVALID_INPUT),  # targeted: on by default
        ({"endpoint_tags": ["team=risk"]}, False, None),
        ({}, None, None),  # full: off by default, a warning
        ({}, True, ExitCode.INVALID_INPUT),
    ],
)
def test_defaults_and_overrides(
    options: dict[str, object], fail_on_empty: bool | None, expected: ExitCode | None
) -> None:
    found = empty_selection(_empty(options), fail_on_empty=fail_on_empty)
    assert found is not None and found.exit_code is expected


def test_errors_that_could_hide_endpoints_make_it_incomplete_and_are_named() -> None:
    failed = dict(COMPLETE, **{Dataset.ENDPOINTS: DatasetStatus.FAILED})
    inventory = _empty(
        {"endpoint_names": ["churn"]},
        targets=[Target("111111111111", "us-east-1", failed)],
        errors=[ScanError("222222222222", None, "sts", "AssumeRole", "AccessDenied", "no")],
    )
    found = empty_selection(inventory, fail_on_empty=None)
    assert found is not None and found.exit_code is ExitCode.INCOMPLETE
    assert found.source == "--endpoint churn"
    assert "AssumeRole AccessDenied (222222222222)" in found.message
    assert "endpoints failed in 111111111111/us-east-1" in found.message


def test_a_partial_endpoints_dataset_hides_nothing() -> None:
    partial = dict(COMPLETE, **{Dataset.ENDPOINTS: DatasetStatus.PARTIAL})
    inventory = _empty({"endpoint_names": ["churn"]}, targets=[Target("111111111111", "us-east-1", partial)])
    found = empty_selection(inventory, fail_on_empty=None)
    assert found is not None and found.exit_code is ExitCode.INVALID_INPUT
