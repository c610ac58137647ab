"""Secrets in the settings: which keys hold one, and a copy of a config file with them redacted.

Kept below every stage (it needs only YAML) so the evidence writer and the config loader share it.
"""

from __future__ import annotations

from typing import Any

import yaml

SECRET_KEYS = ("external_id",)
REDACTED = "***REDACTED***"


def _without_secrets(data: Any, secrets: set[str]) -> Any:
    if isinstance(data, dict):
        return {k: REDACTED if k in SECRET_KEYS else _without_secrets(v, secrets) for k, v in data.items()}
    if isinstance(data, list):
        return [_without_secrets(v, secrets) for v in data]
    return REDACTED if isinstance(data, str) and data in secrets else data


def _secret_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the value of each top-level secret key that has one."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    spans = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if (
                isinstance(key, yaml.ScalarNode)
                and key.value in SECRET_KEYS
                and isinstance(value, yaml.ScalarNode)
                and value.tag != "tag:yaml.org,2002:null"
            ):
                spans.append((value.start_mark.index, value.end_mark.index))
    return spans


def redact_config(data: bytes) -> tuple[bytes, list[str]]:
    """A copy of a config file with the value of every secret key replaced by ``REDACTED``, and the
    keys that were redacted.

    The value is rewritten in place, so the copy keeps its comments and layout and stays valid
    YAML that loads to the same settings but the secrets. When an in-place edit cannot be proven
    to do that (anchors, odd quoting), the copy is the settings re-serialized without comments.
    """
    try:
        text = data.decode("utf-8")
        original = yaml.safe_load(text)
        spans = _secret_spans(text)
    except (UnicodeDecodeError, yaml.YAMLError, RecursionError):
        # Not a config file this auditor could read; copy nothing that might hold a secret.
        return b"# (not copied: the file could not be parsed to redact its secrets)\n", ["(whole file)"]
    if not isinstance(original, dict):
        return data, []
    values = {k: v for k, v in original.items() if k in SECRET_KEYS and v is not None}
    if not values:
        return data, []
    secrets = {str(v) for v in values.values()}
    expected = _without_secrets(original, secrets)
    copy = text
    for start, end in sorted(spans, reverse=True):
        # A block scalar's span ends with its line break; the quoted marker must keep it.
        tail = "\n" if copy[start:end].endswith("\n") else ""
        copy = copy[:start] + f'"{REDACTED}"' + tail + copy[end:]
    try:
        proven = yaml.safe_load(copy) == expected and not any(s in copy for s in secrets)
    except yaml.YAMLError:
        proven = False
    if not proven:
        copy = "# Copied by the auditor with secrets redacted (re-serialized: comments dropped).\n"
        copy += yaml.safe_dump(expected, sort_keys=False, allow_unicode=True)
    return copy.encode("utf-8"), sorted(values)
