"""Every built-in policy says what to set in a CloudFormation template and in a Terraform configuration."""

from __future__ import annotations

import pytest

from auditor.policy.loader import load_policy_set

PACK = load_policy_set().available


@pytest.mark.parametrize("policy", PACK, ids=[p.id for p in PACK])
def test_remediation_names_the_template_property_and_the_terraform_argument(policy) -> None:  # type: ignore[no-untyped-def]
    text = policy.remediation
    assert "CloudFormation" in text or "deploy/cloudformation" in text, policy.id
    assert "Terraform" in text or "deploy/terraform" in text, policy.id
