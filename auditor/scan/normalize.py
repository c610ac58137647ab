"""Small conversions shared by the scanner modules: times, raw records, tags."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def iso(value: Any) -> str | None:
    """A botocore timestamp as an ISO-8601 UTC string (``2026-11-27T17:45:00Z``); None stays None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        text: str = value.strftime("%Y-%m-%dT%H:%M:%S")
        if value.microsecond:
            text += f".{value.microsecond:06d}"
        return text + "Z"
    return str(value)


def raw(value: Any) -> Any:
    """A response record as JSON data: datetimes become ISO strings, ResponseMetadata is dropped."""
    if isinstance(value, dict):
        return {str(k): raw(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [raw(v) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    return value


def pick(record: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The record restricted to ``keys`` (used so Search and Describe records compare equal)."""
    return {k: record[k] for k in keys if k in record}


def tag_dict(tags: list[dict[str, Any]] | None) -> dict[str, str]:
    """``[{"Key": k, "Value": v}]`` → ``{k: v}``."""
    return {str(t["Key"]): str(t.get("Value", "")) for t in tags or [] if "Key" in t}


def opt_int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def opt_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None
