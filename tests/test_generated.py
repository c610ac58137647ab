"""Every file derived from the code (schemas, policy-schema enums, deploy-template IAM actions) is
up to date: adding a kind, a format or an API call never means editing them by hand."""

from __future__ import annotations

from auditor import generated
from auditor.inventory.model import Dataset, ResourceKind
from auditor.policy.schemas import POLICY_SCHEMA_FILE, published_schema


def test_every_generated_file_equals_its_derivation() -> None:
    stale = [str(p.relative_to(generated.REPOSITORY)) for p in generated.stale()]
    assert stale == [], f"regenerate with `python -m auditor.generated`: {stale}"


def test_the_policy_schema_enums_are_the_code_enums() -> None:
    policy = published_schema(POLICY_SCHEMA_FILE)["$defs"]["policy"]["properties"]
    assert policy["resource"]["enum"] == [k.value for k in ResourceKind]
    assert policy["requires"]["items"]["enum"] == [d.value for d in Dataset]


def test_regeneration_is_idempotent_and_only_touches_what_it_owns() -> None:
    # The CloudFormation template is mostly hand-written; only its Action list is generated.
    for path, produce in generated.outputs().items():
        text = path.read_text(encoding="utf-8")
        assert produce(produce(text)) == produce(text), path
    cfn = generated.REPOSITORY / "deploy" / "cloudformation" / "auditor-role.yaml"
    text = cfn.read_text(encoding="utf-8")
    assert generated.outputs()[cfn](text.replace("sagemaker:Search", "sagemaker:Extra")) == text
