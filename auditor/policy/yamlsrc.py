"""YAML loading that remembers where every value came from, so errors can name file, line and field.

Policy, waiver and test-case files are read through ``load_yaml``. It returns plain data plus a
``SourceMap`` from field paths to line numbers. Timestamps are *not* converted to ``datetime``:
dates stay strings so the JSON Schema validates exactly what the user wrote. Duplicate keys in a
mapping, which PyYAML silently collapses, are an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from auditor.errors import InputError, printable

FieldPath = tuple[str | int, ...]

# Bounds on one document, so a hostile file fails fast instead of exhausting the stack or the CPU:
# nesting depth, and values visited (aliases are counted each time they are used, which stops
# "billion laughs" documents before anything expands them).
MAX_DEPTH = 64
MAX_NODES = 200_000


class _Loader(yaml.SafeLoader):
    """SafeLoader without the implicit timestamp resolver (dates stay strings)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}


@dataclass
class SourceMap:
    """Field path -> 1-based line number, for one loaded document."""

    source: str
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), None)

    def error(self, path: Sequence[str | int], message: str) -> InputError:
        """An InputError pointing at ``path`` in this file."""
        return InputError(self.source, message, location=render_path(path) or None, line=self.line(path))


def render_path(path: Sequence[str | int]) -> str:
    """Render ``("check", "all", 0, "path")`` as ``check.all[0].path`` (keys escaped: see ``printable``)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = printable(str(part))
            out += f".{key}" if out else key
    return out


def load_yaml(text: str, source: str) -> tuple[Any, SourceMap]:
    """Parse one YAML document; raise InputError (with the line) on syntax errors or duplicate keys."""
    smap = SourceMap(source)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, smap
            _index(node, (), smap, [MAX_NODES])
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(source, f"YAML syntax error: {_one_line(problem)}", line=line) from None
    except yaml.YAMLError as exc:
        # e.g. a ReaderError ("unacceptable character ...") whose text spans several lines
        raise InputError(source, f"YAML syntax error: {_one_line(str(exc).splitlines()[0])}") from None
    except RecursionError:
        raise InputError(source, f"YAML nested too deeply (the limit is {MAX_DEPTH} levels)") from None
    return data, smap


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _index(node: yaml.Node, path: FieldPath, smap: SourceMap, budget: list[int]) -> None:
    """Record the line of every value; InputError when the document is too deep or too large."""
    budget[0] -= 1
    if budget[0] < 0:
        raise InputError(
            smap.source,
            f"more than {MAX_NODES} YAML values (aliases count each time they are used)",
            line=node.start_mark.line + 1,
        )
    if len(path) > MAX_DEPTH:
        raise smap.error(path[:MAX_DEPTH], f"YAML nested too deeply (the limit is {MAX_DEPTH} levels)")
    smap.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                raise InputError(
                    smap.source,
                    f"duplicate key {key!r}",
                    location=render_path((*path, key)),
                    line=key_node.start_mark.line + 1,
                )
            seen.add(key)
            _index(value_node, (*path, key), smap, budget)
            smap.lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), smap, budget)
