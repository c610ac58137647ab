"""Save and load inventory snapshots, validated against the published JSON Schema."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from auditor import jsonstream
from auditor.errors import InputError
from auditor.fileio import read_text
from auditor.inventory.codec import DecodeError, from_jsonable, json_schema, to_jsonable
from auditor.inventory.kinds import KINDS, KindSpec
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


class _Fields(Mapping[str, Any]):
    """A record's fields by name, for ``json_sort_key`` without converting the whole record."""

    __slots__ = ("_record",)

    def __init__(self, record: Any) -> None:
        self._record = record

    def __getitem__(self, name: str) -> Any:
        return getattr(self._record, name)

    def __iter__(self) -> Iterator[str]:
        raise NotImplementedError  # never needed: json_sort_key reads named fields

    def __len__(self) -> int:
        raise NotImplementedError


def _sort_key(spec: KindSpec) -> Callable[[Any], tuple[str, ...]]:
    return lambda record: spec.json_sort_key(_Fields(record))


def _streamed(inventory: Inventory) -> dict[str, Any]:
    """The document ``dumps`` writes, with each kind's records converted one at a time."""
    fields = {spec.inventory_field: spec for spec in KINDS}
    data: dict[str, Any] = {}
    for f in dataclasses.fields(inventory):
        value = getattr(inventory, f.name)
        spec = fields.get(f.name)
        if spec is None:
            data[f.name] = to_jsonable(value)
        else:
            ordered = sorted(value, key=_sort_key(spec))
            data[f.name] = jsonstream.Items(ordered, to_jsonable)
    return data


def write(inventory: Inventory, path: Path) -> str:
    """Save ``inventory`` (the bytes of ``dumps``, written in pieces); the SHA-256 of the file."""
    return jsonstream.write(path, _streamed(inventory))


def sha256(inventory: Inventory) -> str:
    """The SHA-256 of the bytes ``dumps`` gives, without holding them."""
    return jsonstream.sha256(_streamed(inventory))


def save(inventory: Inventory, path: Path) -> None:
    write(inventory, path)


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
