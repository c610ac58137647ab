"""Save and load inventory snapshots, validated against the published JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.fileio import read_text, write_atomic
from auditor.inventory.codec import DecodeError, from_jsonable, json_schema, to_jsonable
from auditor.inventory.kinds import KINDS
from auditor.inventory.model import SCHEMA_VERSION, Inventory
from auditor.schemas import packaged_schema, parse_versioned_json

SCHEMA_ID = "https://mm-auditor.dev/schemas/inventory-1.0.json"
SCHEMA_FILE = "inventory.schema.json"


def derived_schema() -> dict[str, Any]:
    """The inventory JSON Schema, derived from the dataclasses in ``model``."""
    schema = json_schema(Inventory, schema_id=SCHEMA_ID, title="Model Monitor auditor inventory snapshot")
    schema["$defs"]["Inventory"]["properties"]["schema_version"] = {"const": SCHEMA_VERSION}
    return schema


def published_schema() -> dict[str, Any]:
    """The schema file shipped in the package (a test keeps it equal to ``derived_schema``)."""
    return packaged_schema("auditor.inventory", SCHEMA_FILE)


def dumps(inventory: Inventory) -> str:
    """Serialize deterministically: sorted keys, sorted resources, two-space indent, final newline."""
    data = to_jsonable(inventory)
    for spec in KINDS:
        data[spec.inventory_field].sort(key=spec.json_sort_key)
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def save(inventory: Inventory, path: Path) -> None:
    write_atomic(path, dumps(inventory))


def loads(text: str, source: str = "<inventory>") -> Inventory:
    """Parse and validate an inventory; any problem raises InputError naming ``source`` and the field."""
    data = parse_versioned_json(
        text, source, kind="inventory", version=SCHEMA_VERSION, schema=published_schema()
    )
    try:
        return from_jsonable(Inventory, data)
    except DecodeError as exc:
        raise InputError(source, exc.message, location=exc.path) from None


def load(path: Path) -> Inventory:
    return loads(read_text(path), str(path))
