"""The published JSON Schemas for policy and waiver files, and validation with file/line/field errors."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import jsonschema

from auditor.inventory.model import Dataset, ResourceKind
from auditor.policy.model import Phase
from auditor.policy.yamlsrc import FieldPath, SourceMap
from auditor.results import Severity
from auditor.schemas import describe_schema_error, packaged_schema

POLICY_SCHEMA_FILE = "policy.schema.json"
WAIVERS_SCHEMA_FILE = "waivers.schema.json"


def published_schema(name: str) -> dict[str, Any]:
    """A schema file shipped in ``auditor.policy``."""
    return packaged_schema("auditor.policy", name)


def derived_policy_schema() -> dict[str, Any]:
    """The policy schema with every enum that names a code concept taken from the code.

    The rest of the file is written by hand (the condition language); the resource kinds, datasets
    and severities come from their enums, so a new kind cannot be forgotten there
    (``python -m auditor.generated`` rewrites the file; a test holds it equal).
    """
    schema = copy.deepcopy(published_schema(POLICY_SCHEMA_FILE))
    policy = schema["$defs"]["policy"]["properties"]
    policy["resource"]["enum"] = [k.value for k in ResourceKind]
    policy["requires"]["items"]["enum"] = [d.value for d in Dataset]
    severities = [s.value for s in Severity]
    policy["severity"]["enum"] = severities
    policy["severity_when"]["items"]["properties"]["severity"]["enum"] = severities
    policy["phase"]["enum"] = [p.value for p in Phase]
    return schema


@cache
def _validator(name: str, definition: str) -> jsonschema.protocols.Validator:
    schema = published_schema(name)
    sub = {"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]}
    return jsonschema.Draft202012Validator(sub)


def validate(data: Any, *, schema: str, definition: str, smap: SourceMap, base: FieldPath = ()) -> None:
    """Validate ``data`` against ``$defs/<definition>`` of ``schema``; raise InputError at the first error."""
    validator = _validator(schema, definition)
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is None:
        return
    path: FieldPath = (*base, *error.absolute_path)
    message = describe_schema_error(error)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        unknown = sorted(k for k in error.instance if k not in allowed)
        if unknown:
            is_condition = error.schema is published_schema(schema)["$defs"].get("condition")
            what = "unknown operator" if is_condition else "unknown key"
            path = (*path, unknown[0])
            message = f"{what} {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})"
    elif error.validator == "required":
        message = f"missing required field: {message.split(' is a required')[0]}"
    raise smap.error(path, message[:400])
