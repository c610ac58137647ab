"""Text to bytes for reports, robust to lone surrogates (JSON from AWS can carry them)."""

from __future__ import annotations

import json
from typing import Any


def utf8(text: str) -> bytes:
    """UTF-8 bytes; a lone surrogate (not encodable) becomes ``?`` instead of crashing the report."""
    return text.encode("utf-8", errors="replace")


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """Deterministic JSON text (sorted keys), readable UTF-8 unless a lone surrogate forces ``\\u`` escapes.

    ``ensure_ascii`` keeps such a string exact and valid, where replacing it would lose data.
    """
    separators = (",", ":") if indent is None else None
    text = json.dumps(data, sort_keys=True, indent=indent, ensure_ascii=False, separators=separators)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, sort_keys=True, indent=indent, ensure_ascii=True, separators=separators)
    return text
