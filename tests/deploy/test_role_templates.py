"""The deployable member roles grant exactly what `auditor iam-policy` prints: no more, no less."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from auditor.scan.permissions import iam_policy_document

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (!Ref, !Sub, !GetAtt) as plain values."""


def _tag(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_CfnLoader.add_multi_constructor("!", _tag)


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in s.items()} for s in document["Statement"]]


def test_cloudformation_role_grants_exactly_the_generated_policy() -> None:
    template = yaml.load((DEPLOY / "cloudformation" / "auditor-role.yaml").read_text(), Loader=_CfnLoader)
    role = template["Resources"]["AuditorRole"]["Properties"]
    (policy,) = role["Policies"]
    assert _statements(policy["PolicyDocument"]) == _statements(iam_policy_document())
    trust = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Action"] == "sts:AssumeRole"
    assert "sts:ExternalId" in trust["Condition"]["StringEquals"]


def test_terraform_module_grants_exactly_the_generated_policy() -> None:
    module = DEPLOY / "terraform" / "auditor-role"
    assert json.loads((module / "policy.json").read_text()) == iam_policy_document()
    main_tf = (module / "main.tf").read_text()
    assert re.search(r'policy\s*=\s*file\("\$\{path\.module\}/policy\.json"\)', main_tf)
    assert 'variable = "sts:ExternalId"' in main_tf


def test_generated_policy_is_read_only() -> None:
    actions = iam_policy_document()["Statement"][0]["Action"]
    verbs = ("List", "Describe", "Get", "Search")
    assert all(a.split(":", 1)[1].startswith(verbs) for a in actions), actions


def test_cloudformation_findings_import_role_grants_exactly_the_import_policy() -> None:
    from auditor.securityhub.permissions import import_policy_document

    text = (DEPLOY / "cloudformation" / "findings-import-role.yaml").read_text()
    template = yaml.load(text, Loader=_CfnLoader)
    role = template["Resources"]["FindingsImportRole"]["Properties"]
    (policy,) = role["Policies"]
    assert _statements(policy["PolicyDocument"]) == _statements(import_policy_document())
    trust = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Action"] == "sts:AssumeRole"
    assert "sts:ExternalId" in trust["Condition"]["StringEquals"]
    assert template["Parameters"]["RoleName"]["Default"] == "ModelMonitorAuditorFindingsImport"


def test_terraform_findings_import_module_grants_exactly_the_import_policy() -> None:
    from auditor.securityhub.permissions import import_policy_document

    module = DEPLOY / "terraform" / "findings-import-role"
    assert json.loads((module / "policy.json").read_text()) == import_policy_document()
    main_tf = (module / "main.tf").read_text()
    assert re.search(r'policy\s*=\s*file\("\$\{path\.module\}/policy\.json"\)', main_tf)
    assert 'variable = "sts:ExternalId"' in main_tf
    assert '"ModelMonitorAuditorFindingsImport"' in (module / "variables.tf").read_text()


def test_member_role_templates_grant_no_organizations_action() -> None:
    """Only the hub discovers the organization (`auditor iam-policy --hub`); member roles never need it."""
    template = (DEPLOY / "cloudformation" / "auditor-role.yaml").read_text()
    policy = (DEPLOY / "terraform" / "auditor-role" / "policy.json").read_text()
    assert "organizations:" not in template and "organizations:" not in policy
