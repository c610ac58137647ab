"""The published JSON Schemas are valid, and they accept what the loader accepts (editors agree with us)."""

from __future__ import annotations

import jsonschema
import pytest

from auditor.policy.loader import builtin_files
from auditor.policy.schemas import POLICY_SCHEMA_FILE, WAIVERS_SCHEMA_FILE, published_schema
from auditor.policy.yamlsrc import load_yaml


@pytest.mark.parametrize("name", [POLICY_SCHEMA_FILE, WAIVERS_SCHEMA_FILE])
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    jsonschema.Draft202012Validator.check_schema(published_schema(name))


def test_every_builtin_policy_validates_against_the_whole_published_schema() -> None:
    validator = jsonschema.Draft202012Validator(published_schema(POLICY_SCHEMA_FILE))
    documents = []
    for label, f in builtin_files():
        data, _ = load_yaml(f.read_text(encoding="utf-8"), label)
        assert list(validator.iter_errors(data)) == [], label
        documents.append(data)
    assert list(validator.iter_errors({"policies": documents})) == []  # the list form
    assert list(validator.iter_errors({"policies": documents, "extra": 1}))  # and nothing else


def test_waivers_schema_requires_expiry() -> None:
    validator = jsonschema.Draft202012Validator(published_schema(WAIVERS_SCHEMA_FILE))
    good = {
        "id": "W",
        "policy": "p",
        "resources": {"arn": "*"},
        "reason": "r",
        "owner": "o",
        "expires": "2027-01-01",
    }
    assert list(validator.iter_errors({"waivers": [good]})) == []
    bad = {k: v for k, v in good.items() if k != "expires"}
    assert list(validator.iter_errors({"waivers": [bad]}))
