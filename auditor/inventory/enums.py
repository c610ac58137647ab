"""Which enum-like fields of an inventory hold values this version does not know.

The fields are declared once, on the model (``field(metadata=aws_enum(...))``); this walks the
resources and reports every value outside the declared set, as read (``ScanMetadata.unknown_values``).
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

from auditor.inventory.model import AWS_ENUM, AwsEnum, Inventory, UnknownValue


def unknown_values(inventory: Inventory) -> list[UnknownValue]:
    """Every enum-like field value of every resource that is not among its known values, sorted."""
    found: list[UnknownValue] = []
    for resources in (inventory.endpoints, inventory.monitors, inventory.job_definitions, inventory.alarms):
        for resource in resources:
            _walk(resource, resource.arn, "", found)
    return sorted(found, key=lambda u: (u.resource, u.field, u.value or ""))


def _walk(obj: Any, arn: str, prefix: str, found: list[UnknownValue]) -> None:
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        spec: AwsEnum | None = f.metadata.get(AWS_ENUM)
        path = f"{prefix}{f.name}"
        if spec is not None:
            found.extend(UnknownValue(arn, path, v) for v in _unknown(value, spec))
        elif dataclasses.is_dataclass(value):
            _walk(value, arn, f"{path}.", found)


def _unknown(value: Any, spec: AwsEnum) -> list[str | None]:
    if value is None:
        return [None] if spec.required else []
    items = value if isinstance(value, list) else [value]
    texts = [item.value if isinstance(item, Enum) else item for item in items]
    return [str(t) for t in texts if t not in spec.known]
