"""Save and load inventory snapshots, validated against the published JSON Schema."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from auditor.errors import InputError
from auditor.fileio import write_atomic
from auditor.inventory.codec import DecodeError, from_jsonable, json_schema, to_jsonable
from auditor.inventory.model import SCHEMA_VERSION, Inventory

SCHEMA_ID = "https://mm-auditor.dev/schemas/inventory-1.0.json"
SCHEMA_FILE = "inventory.schema.json"


def derived_schema() -> dict[str, Any]:
    """The inventory JSON Schema, derived from the dataclasses in ``model``."""
    schema = json_schema(Inventory, schema_id=SCHEMA_ID, title="Model Monitor auditor inventory snapshot")
    schema["$defs"]["Inventory"]["properties"]["schema_version"] = {"const": SCHEMA_VERSION}
    return schema


@cache
def published_schema() -> dict[str, Any]:
    """The schema file shipped in the package (a test keeps it equal to ``derived_schema``)."""
    text = resources.files("auditor.inventory").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


def dumps(inventory: Inventory) -> str:
    """Serialize deterministically: sorted keys, sorted resources, two-space indent, final newline."""
    data = to_jsonable(inventory)
    for key in ("endpoints", "monitors", "job_definitions", "alarms"):
        data[key].sort(key=lambda r: r["arn"])
    data["targets"].sort(key=lambda t: (t["account_id"], t["region"]))
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def save(inventory: Inventory, path: Path) -> None:
    write_atomic(path, dumps(inventory))


def loads(text: str, source: str = "<inventory>") -> Inventory:
    """Parse and validate an inventory; any problem raises InputError naming ``source`` and the field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"not valid JSON: {exc.msg}", line=exc.lineno) from None
    if not isinstance(data, dict):
        raise InputError(source, "an inventory must be a JSON object")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise InputError(
            source,
            f"unsupported schema_version {version!r} (this auditor reads {SCHEMA_VERSION!r})",
            location="schema_version",
        )
    validator = jsonschema.Draft202012Validator(published_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        location = "/" + "/".join(str(p) for p in error.absolute_path)
        raise InputError(source, error.message[:300], location=location)
    try:
        return from_jsonable(Inventory, data)
    except DecodeError as exc:
        raise InputError(source, exc.message, location=exc.path) from None


def load(path: Path) -> Inventory:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "not UTF-8 text") from None
    return loads(text, str(path))
