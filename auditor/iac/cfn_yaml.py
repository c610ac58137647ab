"""Read a template or plan file: JSON, or YAML with CloudFormation's short-form tags, with line numbers.

YAML templates may write intrinsic functions in short form (``!Ref X``, ``!GetAtt A.B``, ``!Sub ...``);
each becomes its long form (``{"Ref": "X"}``, ``{"Fn::GetAtt": ["A", "B"]}``, ``{"Fn::Sub": ...}``),
as CloudFormation reads them. Dates stay strings (``AWSTemplateFormatVersion: 2010-09-09`` is not a
date), duplicate keys and unknown tags are errors naming the line. Every problem is an InputError
with the file and the line.

What the readers need to point at a resource is the line of each logical id under ``Resources``:
``ParsedFile.resource_lines``. JSON files (CDK output, Terraform plans) are parsed by ``json`` (fast)
and the lines of the logical ids are found by scanning the text in document order.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from auditor.errors import InputError

# Bounds on one document, so a hostile file fails fast instead of exhausting the stack or the CPU.
MAX_DEPTH = 128
MAX_NODES = 2_000_000

# Short-form tags (CloudFormation User Guide, "Intrinsic function reference"): !Ref, !Condition and
# !GetAtt have their own long forms; every other tag T is Fn::T.
_FN_TAGS = frozenset(
    {
        "Base64",
        "Cidr",
        "FindInMap",
        "GetAZs",
        "ImportValue",
        "Join",
        "Select",
        "Split",
        "Sub",
        "Transform",
        "And",
        "Equals",
        "If",
        "Not",
        "Or",
        "ToJsonString",
        "Length",
    }
)
_TAGS = _FN_TAGS | {"Ref", "Condition", "GetAtt"}


@dataclass
class ParsedFile:
    """A parsed file: its data, and the line of each logical id under ``Resources`` (1-based)."""

    data: Any
    resource_lines: dict[str, int] = field(default_factory=dict)
    is_json: bool = False


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader (libyaml's parser when available) without the implicit timestamp resolver."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [resource, attribute]}
    return {f"Fn::{suffix}": value}


_Loader.add_multi_constructor("!", _short_form)


def parse(text: str, source: str) -> ParsedFile:
    """Parse a template or plan: JSON when it starts with ``{``, YAML otherwise."""
    if text.lstrip().startswith("{"):
        return _parse_json(text, source)
    return _parse_yaml(text, source)


def _parse_json(text: str, source: str) -> ParsedFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"not valid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno) from None
    except RecursionError:
        raise InputError(source, "JSON nested too deeply") from None
    _check_depth(data, source)
    lines: dict[str, int] = {}
    if isinstance(data, dict) and isinstance(data.get("Resources"), dict):
        lines = _json_key_lines(text, list(data["Resources"]))
    return ParsedFile(data, lines, is_json=True)


def _check_depth(data: Any, source: str) -> None:
    """InputError when JSON nests deeper than the YAML limit (the readers recurse through values)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(source, f"JSON nested too deeply (the limit is {MAX_DEPTH} levels)")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


_RESOURCES_KEY = re.compile(r'"Resources"\s*:\s*\{')


def _json_key_lines(text: str, keys: list[str]) -> dict[str, int]:
    """The line of each key of the ``Resources`` object, found in document order after its opening.

    Logical ids are alphanumeric (CloudFormation rejects others), so they need no unescaping. After a
    key is found its value is skipped (decoded again from there), so a resource's id used as a key
    inside an earlier resource's body cannot be mistaken for it. A key not found (unusual escaping)
    gets the line of ``Resources``.
    """
    match = _RESOURCES_KEY.search(text)
    if match is None:
        return {}
    decoder = json.JSONDecoder()
    pos = match.end()
    base_line = text.count("\n", 0, match.start()) + 1
    lines: dict[str, int] = {}
    line, counted_to = base_line, match.start()
    for key in keys:
        start = _find_key(text, f'"{key}"', pos)
        if start < 0:
            lines[key] = base_line
            continue
        line += text.count("\n", counted_to, start)
        counted_to = start
        lines[key] = line
        value = _VALUE_START.match(text, start + len(key) + 2)
        value_at = value.end() if value else start + len(key) + 2
        try:
            _, pos = decoder.raw_decode(text, value_at)
        except ValueError:
            pos = value_at
    return lines


_VALUE_START = re.compile(r"\s*:\s*")


def _find_key(text: str, quoted: str, pos: int) -> int:
    """The position of ``quoted`` used as a key (followed by a colon) at or after ``pos``; -1 if none."""
    while True:
        at = text.find(quoted, pos)
        if at < 0:
            return -1
        after = at + len(quoted)
        while after < len(text) and text[after] in " \t\r\n":
            after += 1
        if after < len(text) and text[after] == ":":
            return at
        pos = after


def _parse_yaml(text: str, source: str) -> ParsedFile:
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return ParsedFile(None)
            lines = _check(node, source)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(source, f"YAML syntax error: {' '.join(problem.split())}", line=line) from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(source, f"YAML syntax error: {' '.join(first.split())}") from None
    except RecursionError:
        raise InputError(source, f"YAML nested too deeply (the limit is {MAX_DEPTH} levels)") from None
    return ParsedFile(data, lines)


def _check(root: yaml.Node, source: str) -> dict[str, int]:
    """Walk the node tree: bounds, duplicate keys, known tags; return the lines of the logical ids."""
    budget = MAX_NODES
    resource_lines: dict[str, int] = {}
    stack: list[tuple[yaml.Node, int, str | None]] = [(root, 0, None)]
    while stack:
        node, depth, parent_key = stack.pop()
        budget -= 1
        line = node.start_mark.line + 1
        if budget < 0:
            raise InputError(source, f"more than {MAX_NODES} YAML values", line=line)
        if depth > MAX_DEPTH:
            raise InputError(source, f"YAML nested too deeply (the limit is {MAX_DEPTH} levels)", line=line)
        tag = node.tag or ""
        if tag.startswith("!") and not tag.startswith("!!") and tag[1:] not in _TAGS:
            raise InputError(
                source, f"unknown tag {tag} (CloudFormation short forms: !Ref, !Sub, ...)", line=line
            )
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    raise InputError(source, f"duplicate key {key!r}", line=key_node.start_mark.line + 1)
                seen.add(key)
                if depth == 1 and parent_key == "Resources":
                    resource_lines[key] = key_node.start_mark.line + 1
                stack.append((value_node, depth + 1, key if depth == 0 else None))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1, None) for item in node.value)
    return resource_lines
