"""Dataclass <-> JSON-compatible dict conversion, and the JSON Schema derived from the same types.

One generic codec for every model (inventory and results) so the saved form, the loaded form and
the published schema cannot drift apart: all three are derived from the dataclass annotations.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping, Sequence
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")


class DecodeError(ValueError):
    """The data does not fit the model; ``path`` names the field (JSON-pointer style)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path or '/'}: {message}")
        self.path = path or "/"
        self.message = message


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def to_jsonable(value: Any) -> Any:
    """Convert a model value to JSON-compatible data (dataclasses, enums, lists, dicts)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(to_jsonable(k)): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float):  # the leaves, before the slower ABC checks
        return value
    if isinstance(value, Mapping):  # a record kept compact (auditor.inventory.raw)
        return {str(to_jsonable(k)): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, bytes):  # a findings table, cell notes
        return [to_jsonable(v) for v in value]
    return value


def from_jsonable(cls: type[T], data: Any, path: str = "") -> T:
    """Build an instance of dataclass ``cls`` from JSON data, checking every field's type."""
    result: T = _decode(cls, data, path)
    return result


def _decode(tp: Any, data: Any, path: str) -> Any:
    origin = get_origin(tp)
    if tp is Any:
        return data
    if origin in (Union, types.UnionType):
        args = get_args(tp)
        if data is None:
            if type(None) in args:
                return None
            raise DecodeError(path, "must not be null")
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _decode(arg, data, path)
            except DecodeError as exc:
                errors.append(exc)
        raise errors[0]
    if origin in (list, Sequence):  # a Sequence field is read as a list
        if not isinstance(data, list):
            raise DecodeError(path, f"expected a list, got {type(data).__name__}")
        (item,) = get_args(tp)
        return [_decode(item, v, f"{path}/{i}") for i, v in enumerate(data)]
    if origin in (dict, Mapping):  # a Mapping field is read as a dict
        if not isinstance(data, dict):
            raise DecodeError(path, f"expected an object, got {type(data).__name__}")
        key_tp, val_tp = get_args(tp)
        return {_decode(key_tp, k, f"{path}/{k}"): _decode(val_tp, v, f"{path}/{k}") for k, v in data.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _decode_dataclass(tp, data, path)
    if isinstance(tp, type) and issubclass(tp, Enum):
        try:
            return tp(data)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in tp)
            raise DecodeError(path, f"{data!r} is not one of: {allowed}") from None
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise DecodeError(path, f"expected a number, got {type(data).__name__}")
        return data
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise DecodeError(path, f"expected an integer, got {type(data).__name__}")
        return data
    if tp in (str, bool):
        if not isinstance(data, tp):
            raise DecodeError(path, f"expected {tp.__name__}, got {type(data).__name__}")
        return data
    raise TypeError(f"unsupported annotation {tp!r} at {path}")  # a programming error, not bad input


def _decode_dataclass(cls: type, data: Any, path: str) -> Any:
    if not isinstance(data, dict):
        raise DecodeError(path, f"expected an object, got {type(data).__name__}")
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise DecodeError(f"{path}/{unknown[0]}", "unknown field")
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        if name in data:
            kwargs[name] = _decode(hints[name], data[name], f"{path}/{name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise DecodeError(f"{path}/{name}", "required field is missing")
    return cls(**kwargs)


# --------------------------------------------------------------------------- JSON Schema


def json_schema(root: type, *, schema_id: str, title: str) -> dict[str, Any]:
    """Derive a draft 2020-12 JSON Schema for dataclass ``root`` and everything it contains."""
    defs: dict[str, Any] = {}
    root_schema = _schema_for(root, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": title,
        **root_schema,
        "$defs": dict(sorted(defs.items())),
    }


def _schema_for(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = get_origin(tp)
    if tp is Any:
        return {}
    if origin in (Union, types.UnionType):
        options = [_schema_for(a, defs) for a in get_args(tp)]
        return {"anyOf": options}
    if tp is type(None):
        return {"type": "null"}
    if origin in (list, Sequence):
        (item,) = get_args(tp)
        return {"type": "array", "items": _schema_for(item, defs)}
    if origin in (dict, Mapping):
        key_tp, val_tp = get_args(tp)
        out: dict[str, Any] = {"type": "object", "additionalProperties": _schema_for(val_tp, defs)}
        if isinstance(key_tp, type) and issubclass(key_tp, Enum):
            out["propertyNames"] = {"enum": [m.value for m in key_tp]}
        return out
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            hints = _hints(tp)
            props = {f.name: _schema_for(hints[f.name], defs) for f in dataclasses.fields(tp)}
            required = [
                f.name
                for f in dataclasses.fields(tp)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            ]
            entry: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
            if required:
                entry["required"] = required
            doc = (tp.__doc__ or "").strip().split("\n\n")[0]
            if doc and not doc.startswith(f"{name}("):
                entry["description"] = " ".join(doc.split())
            defs[name] = entry
        return {"$ref": f"#/$defs/{name}"}
    if isinstance(tp, type) and issubclass(tp, Enum):
        return {"enum": [m.value for m in tp]}
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if tp in simple:
        return {"type": simple[tp]}
    raise TypeError(f"unsupported annotation {tp!r}")


__all__ = ["DecodeError", "from_jsonable", "json_schema", "to_jsonable"]
