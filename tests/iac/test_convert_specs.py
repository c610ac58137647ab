"""The property specs name real record fields: a typo there would silently leave a value unchecked."""

from __future__ import annotations

import pytest

from auditor.iac.convert import _JD, _SPECS, _all_fields
from auditor.iac.types import BY_CFN_TYPE, Role
from auditor.inventory.model import ResourceKind
from auditor.policy.documents import document_types
from auditor.policy.paths import compile_path

KIND = {
    Role.ENDPOINT: ResourceKind.ENDPOINT,
    Role.ENDPOINT_CONFIG: ResourceKind.ENDPOINT,  # an endpoint config's fields are its endpoints'
    Role.MONITOR: ResourceKind.MONITOR,
    Role.JOB_DEFINITION: ResourceKind.JOB_DEFINITION,
    Role.ALARM: ResourceKind.ALARM,
}


@pytest.mark.parametrize("cfn_type", sorted(_SPECS))
def test_every_field_a_property_feeds_exists_in_the_record_document(cfn_type: str) -> None:
    fields = _all_fields(_SPECS[cfn_type])
    assert fields, f"{cfn_type} feeds no field"
    kind = KIND[BY_CFN_TYPE[cfn_type].role]
    for name in fields:
        target = kind
        if name.startswith(_JD):  # a schedule's inline job definition
            target, name = ResourceKind.JOB_DEFINITION, name.removeprefix(_JD)
        compile_path(name, document_types()[target])  # PathError names an unknown field
