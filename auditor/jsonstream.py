"""Deterministic JSON written piece by piece: the bytes ``json.dumps(value, sort_keys=True, indent=2)``
gives, without ever holding the whole text or the whole JSON tree.

A large list is passed as ``Items(records, convert)``: each record is converted to JSON data (and
serialized) only when its turn comes, so a report of a million findings holds one finding's dict at a
time instead of a million. Dicts are walked key by key (sorted); every other value is serialized by
``json.dumps`` and re-indented to its depth, which is exact because JSON text has no raw newline
inside a string.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from auditor.fileio import write_atomic_with

INDENT = "  "
_FLUSH_CHARS = 1 << 20  # text gathered before it is encoded and written


@dataclass(frozen=True, slots=True)
class Items:
    """A JSON array whose elements are made one at a time: ``convert(record)`` for each record.

    ``nested``: what ``convert`` gives may itself hold ``Items`` (a record with a long list inside), so
    it is written piece by piece too instead of by one ``json.dumps``.
    """

    records: Iterable[Any]
    convert: Callable[[Any], Any]
    nested: bool = False


def _dumps(value: Any, ensure_ascii: bool) -> str:
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=ensure_ascii)


def chunks(value: Any, *, ensure_ascii: bool, level: int = 0) -> Iterator[str]:
    """The JSON text of ``value`` (sorted keys, two-space indent) in pieces."""
    if isinstance(value, Items):
        pad = "\n" + INDENT * (level + 1)
        empty = True
        for record in value.records:
            if value.nested:
                yield ("[" if empty else ",") + pad
                yield from chunks(value.convert(record), ensure_ascii=ensure_ascii, level=level + 1)
            else:
                text = _dumps(value.convert(record), ensure_ascii)
                yield ("[" if empty else ",") + pad + text.replace("\n", pad)
            empty = False
        yield "[]" if empty else "\n" + INDENT * level + "]"
    elif isinstance(value, dict) and value:
        pad = "\n" + INDENT * (level + 1)
        first = True
        for key in sorted(value):
            head = "{" if first else ","
            yield head + pad + json.dumps(key, ensure_ascii=ensure_ascii) + ": "
            yield from chunks(value[key], ensure_ascii=ensure_ascii, level=level + 1)
            first = False
        yield "\n" + INDENT * level + "}"
    else:
        yield _dumps(value, ensure_ascii).replace("\n", "\n" + INDENT * level)


def encode(value: Any, sink: Callable[[bytes], object], *, ensure_ascii: bool = False) -> None:
    """Send the UTF-8 bytes of ``value``'s JSON text and a final newline to ``sink``, in blocks.

    A lone surrogate (not encodable) raises UnicodeEncodeError, as ``str.encode`` does.
    """
    pending: list[str] = []
    size = 0
    for piece in chunks(value, ensure_ascii=ensure_ascii):
        pending.append(piece)
        size += len(piece)
        if size >= _FLUSH_CHARS:
            sink("".join(pending).encode("utf-8"))
            pending.clear()
            size = 0
    pending.append("\n")
    sink("".join(pending).encode("utf-8"))


def sha256(value: Any) -> str:
    """SHA-256 of the bytes ``encode`` gives (the text is never held whole)."""
    digest = hashlib.sha256()
    encode(value, digest.update)
    return digest.hexdigest()


def write(path: Path, value: Any, *, ascii_fallback: bool = False) -> str:
    """Write ``value``'s JSON text atomically to ``path``; the SHA-256 of the bytes written.

    ``ascii_fallback``: when a lone surrogate cannot be encoded, write the whole file again with
    ``\\u`` escapes (``ensure_ascii``), which keeps such a string exact; without it the error is raised.
    """
    digest = hashlib.sha256()

    def body(handle: BinaryIO) -> None:
        nonlocal digest

        def sink(block: bytes) -> None:
            digest.update(block)
            handle.write(block)

        try:
            encode(value, sink)
        except UnicodeEncodeError:
            if not ascii_fallback:
                raise
            handle.seek(0)
            handle.truncate()
            digest = hashlib.sha256()
            encode(value, sink, ensure_ascii=True)

    write_atomic_with(path, body)
    return digest.hexdigest()
