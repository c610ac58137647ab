"""Organization discovery (Stubber-validated responses): ACTIVE via State or the retired Status,
empty pages that still carry a NextToken, nested OUs."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from auditor.errors import InputError
from auditor.scan import accounts
from auditor.scan.clients import Runtime
from auditor.scan.permissions import declared_operations


class _StubbedRuntime(Runtime):
    """A Runtime whose organizations client is stubbed (created once, then handed out)."""

    def __init__(self) -> None:
        super().__init__(
            allowed=declared_operations(), endpoint_url="http://127.0.0.1:9", per_service_concurrency=1
        )
        session = boto3.Session(
            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="s", region_name="us-east-1"
        )
        self.org = super().make_client(session, "organizations", "us-east-1")
        self.stub = Stubber(self.org)

    def make_client(self, session: boto3.Session, service: str, region: str | None) -> Any:
        assert service == "organizations"
        return self.org


def _account(account_id: str, **state: str) -> dict[str, Any]:
    return {
        "Id": account_id,
        "Arn": f"arn:aws:organizations::111111111111:account/o-abc/{account_id}",
        **state,
    }


def test_active_accounts_by_state_or_status_across_empty_pages() -> None:
    runtime = _StubbedRuntime()
    runtime.stub.add_response(
        "list_accounts",
        {
            "Accounts": [
                _account("333333333333", State="ACTIVE"),
                _account("444444444444", State="SUSPENDED"),
            ],
            "NextToken": "t1",
        },
        {},
    )
    runtime.stub.add_response("list_accounts", {"Accounts": [], "NextToken": "t2"}, {"NextToken": "t1"})
    runtime.stub.add_response(
        "list_accounts",
        {
            "Accounts": [
                _account("222222222222", Status="ACTIVE"),
                _account("555555555555", State="CLOSED", Status="ACTIVE"),
            ]
        },
        {"NextToken": "t2"},
    )
    with runtime.stub:
        found = accounts.organization_accounts(runtime, boto3.Session(region_name="us-east-1"))
    assert found == ["222222222222", "333333333333"]


def test_nested_ous_are_walked() -> None:
    runtime = _StubbedRuntime()
    stub = runtime.stub
    stub.add_response(
        "list_accounts_for_parent",
        {"Accounts": [_account("333333333333", State="ACTIVE")]},
        {"ParentId": "ou-ab12-parent01"},
    )
    stub.add_response(
        "list_organizational_units_for_parent",
        {"OrganizationalUnits": [{"Id": "ou-ab12-child001", "Name": "ml"}]},
        {"ParentId": "ou-ab12-parent01"},
    )
    stub.add_response(
        "list_accounts_for_parent",
        {"Accounts": [_account("444444444444", State="ACTIVE")]},
        {"ParentId": "ou-ab12-child001"},
    )
    stub.add_response(
        "list_organizational_units_for_parent", {"OrganizationalUnits": []}, {"ParentId": "ou-ab12-child001"}
    )
    with stub:
        found = accounts.organization_accounts(
            runtime, boto3.Session(region_name="us-east-1"), ("ou-ab12-parent01",)
        )
    stub.assert_no_pending_responses()
    assert found == ["333333333333", "444444444444"]


def test_account_and_ou_validation() -> None:
    assert accounts.validate_account_ids([" 111111111111", "111111111111", "222222222222"]) == (
        "111111111111",
        "222222222222",
    )
    with pytest.raises(InputError):
        accounts.validate_account_ids(["11111111111a"])
    assert accounts.validate_ou_ids(["r-ab12"]) == ("r-ab12",)
    with pytest.raises(InputError):
        accounts.validate_ou_ids(["ou-x"])
