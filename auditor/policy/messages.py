"""Message templates: ``${JMESPath}`` and ``${param.name}`` placeholders, compiled at load time.

``"expected ≥ 1 DataQuality monitor in status Scheduled; found ${monitors[].[monitor_type, status]}"``
renders as ``... found ModelQuality/Scheduled, DataQuality/Stopped``: lists are joined with
", ", a list inside a list with "/", and a missing value or empty list reads "none".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from auditor.policy.conditions import CompileContext
from auditor.policy.documents import DocType
from auditor.policy.yamlsrc import FieldPath

_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class Template:
    text: str
    parts: tuple[str | Callable[[Any], Any], ...]

    def render(self, doc: Any) -> str:
        """The message for one resource document."""
        return "".join(p if isinstance(p, str) else render_value(p(doc)) for p in self.parts)


def compile_template(text: str, ctx: CompileContext, doc_type: DocType, where: FieldPath) -> Template:
    """Compile ``text``; unknown parameters and invalid paths are InputErrors at ``where``."""
    parts: list[str | Callable[[Any], Any]] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append(text[pos : match.start()])
        expr = match.group(1).strip()
        if expr.startswith("param."):
            _param, value = ctx.param(expr.removeprefix("param."), where)
            parts.append(render_value(value))
        else:
            # Paths in messages only explain; they do not add to the datasets (or the fields) the
            # verdict needs.
            saved, saved_reads = set(ctx.datasets), set(ctx.reads)
            compiled = ctx.path(expr, doc_type, where)
            ctx.datasets.clear()
            ctx.datasets.update(saved)
            ctx.reads.clear()
            ctx.reads.update(saved_reads)
            parts.append(compiled.get)
        pos = match.end()
    parts.append(text[pos:])
    if "${" in "".join(p for p in parts if isinstance(p, str)):
        raise ctx.error(where, "unterminated ${ placeholder in message")
    return Template(text, tuple(p for p in parts if not (isinstance(p, str) and not p)))


def render_value(value: Any) -> str:
    """A value as message text."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        if not value:
            return "none"
        return ", ".join("/".join(_item(v) for v in x) if isinstance(x, list) else _item(x) for x in value)
    if isinstance(value, dict):
        # e.g. failure classes {"no_input_data": 9, "permissions": 1} -> "no_input_data 9, permissions 1"
        if not value:
            return "none"
        return ", ".join(f"{k} {_item(v)}" for k, v in value.items())
    return str(value)


def _item(value: Any) -> str:
    return "?" if value is None else render_value(value)
