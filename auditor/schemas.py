"""Published JSON Schemas shipped in the package, and versioned JSON documents validated against them.

The inventory, the report and the config each publish a schema derived from their dataclasses; this
module is the one place that reads such a schema back and turns a document that does not fit it into
an InputError naming the file and the field.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from auditor.errors import InputError


@cache
def packaged_schema(package: str, name: str) -> dict[str, Any]:
    """The JSON Schema file ``name`` shipped in ``package`` (parsed once)."""
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


def first_schema_error(data: Any, schema: dict[str, Any]) -> jsonschema.ValidationError | None:
    """The most relevant validation error of ``data`` against ``schema``, or None when it is valid."""
    validator = jsonschema.Draft202012Validator(schema)
    error: jsonschema.ValidationError | None = jsonschema.exceptions.best_match(validator.iter_errors(data))
    return error


def parse_versioned_json(
    text: str, source: str, *, kind: str, version: str, schema: dict[str, Any]
) -> dict[str, Any]:
    """Parse ``text`` as a ``kind`` JSON object of ``schema_version`` ``version`` that satisfies ``schema``.

    Every problem (syntax, not an object, another version, a schema violation) raises InputError
    naming ``source`` and, where there is one, the line or the field as a JSON pointer.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"not valid JSON: {exc.msg}", line=exc.lineno) from None
    except RecursionError:
        raise InputError(source, "JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise InputError(source, f"a {kind} file must be a JSON object")
    found = data.get("schema_version")
    if found != version:
        raise InputError(
            source,
            f"unsupported {kind} schema_version {found!r} (this auditor reads {version!r})",
            location="schema_version",
        )
    error = first_schema_error(data, schema)
    if error is not None:
        location = "/" + "/".join(str(p) for p in error.absolute_path)
        raise InputError(source, error.message[:300], location=location)
    return data
