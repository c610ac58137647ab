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


_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


def _expected(schema: Any) -> list[str]:
    """What a (sub)schema accepts, in words: ``["one of critical, high", "null"]``."""
    if not isinstance(schema, dict):
        return []
    if "enum" in schema:
        return [f"one of {', '.join(json.dumps(v) if not isinstance(v, str) else v for v in schema['enum'])}"]
    if "const" in schema:
        return [json.dumps(schema["const"])]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return [words for alternative in schema[key] for words in _expected(alternative)]
    if "$ref" in schema:
        return [f"a {str(schema['$ref']).rsplit('/', 1)[-1]} mapping"]
    types = schema.get("type")
    for name in [types] if isinstance(types, str) else types if isinstance(types, list) else []:
        words = _TYPE_NAMES.get(name, name)
        if name == "array" and isinstance(schema.get("items"), dict) and _expected(schema["items"]):
            words += f" (each {' or '.join(_expected(schema['items']))})"
        return [words]
    return []


def describe_schema_error(error: jsonschema.ValidationError, *, secret: bool = False) -> str:
    """The error's message, naming what is allowed where jsonschema does not (enums, ``anyOf`` with
    null: "'hgh' is not allowed; expected one of critical, high, medium, low, info, or null").
    ``secret``: the offending value is not repeated (it may be a secret headed for a CI log)."""
    shown = "the value (not shown: it is a secret)" if secret else repr(error.instance)
    if error.validator in ("enum", "anyOf", "oneOf"):
        expected = _expected(error.schema)
        if expected:
            return f"{shown} is not allowed; expected {_either(expected)}"
    if secret:
        return f"{shown} is not allowed; expected {_either(_expected(error.schema)) or 'another value'}"
    return error.message


def _either(options: list[str]) -> str:
    """``a``, ``a or b``, ``a, b, or c`` (a comma before "or" when an option is itself a list)."""
    if len(options) <= 1:
        return "".join(options)
    comma = "," if len(options) > 2 or any("," in o for o in options) else ""
    return ", ".join(options[:-1]) + f"{comma} or {options[-1]}"


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
        raise InputError(source, describe_schema_error(error)[:300], location=location)
    return data
