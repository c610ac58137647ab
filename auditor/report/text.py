"""Text from the estate made safe to show: no terminal escapes, no reordered text, nothing unencodable.

Resource names, tags, messages and waiver reasons are attacker-controlled. Shown raw, an ESC or OSC
sequence drives the terminal that ``cat``s a report (colours, a rewritten title, a hidden line), and a
bidirectional override (U+202E) makes a line read differently from what it holds (Trojan Source,
CVE-2021-42574). ``safe_text`` turns each such character into a visible escape, in the style of
Python's ``repr``: ``\\x1b``, ``\\u202e``.

Every text output uses it: the console, ``diff``, ``policies``, ``evidence verify``, CSV, Markdown,
JUnit, SARIF and the HTML page. report.json and inventory.json stay exact: JSON escapes control
characters by itself (``\\u001b``), and they are the record an auditor re-judges.
"""

from __future__ import annotations

import re
from typing import Any

# C0 and C1 controls (DEL included); the Unicode bidirectional formatting characters (marks ALM, LRM,
# RLM; embeddings and overrides U+202A-U+202E; isolates U+2066-U+2069); the line and paragraph
# separators; lone surrogates (a valid Python str, but not encodable and fatal to some renderers).
_BIDI_AND_SEPARATORS = "\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}\ud800-\udfff]")
_MULTI_LINE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(value: str, *, newlines: bool = False) -> str:
    """``value`` with every control, bidirectional-formatting and lone-surrogate character escaped.

    ``newlines=True`` keeps line feeds (``\\r\\n`` becomes ``\\n``; a lone ``\\r``, which would let a
    value overwrite its own line on a terminal, is escaped) for formats where a value may span lines.
    """
    if newlines:
        return _MULTI_LINE.sub(_escape, value.replace("\r\n", "\n"))
    return _ONE_LINE.sub(_escape, value)


def safe_strings(value: Any) -> Any:
    """``value`` (JSON-like data) with every string, keys included, passed through ``safe_text``:
    for JSON formats whose strings other tools show to people (SARIF, ASFF, OCSF)."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {safe_text(k) if isinstance(k, str) else k: safe_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [safe_strings(v) for v in value]
    return value
