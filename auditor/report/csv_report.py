"""report.csv: one row per verdict, safe to open in a spreadsheet and to ``cat`` in a terminal.

Every cell goes through ``safe_text`` (control and bidirectional-formatting characters become visible
escapes; line feeds stay, inside quoted cells), then the formula guard.
"""

from __future__ import annotations

import csv
import io
import json

from auditor.report.encoding import utf8
from auditor.report.summary import ordered_findings
from auditor.report.text import safe_text
from auditor.results import EvaluationResult

COLUMNS = (
    "policy_id",
    "severity",
    "verdict",
    "resource_kind",
    "resource_arn",
    "resource_name",
    "account_id",
    "region",
    "message",
    "remediation",
    "waiver_id",
    "waiver_reason",
    "waiver_owner",
    "waiver_expires",
    "waiver_expired",
    "tags",
)

# Spreadsheets evaluate a cell starting with one of these as a formula (CSV injection, OWASP).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(value: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula; resource names are attacker-controlled."""
    if value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def render(result: EvaluationResult) -> bytes:
    """report.csv bytes: a header row, then one row per finding in report.json order (UTF-8, CRLF)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for f in ordered_findings(result.findings):
        w = f.waiver
        row = [
            f.policy_id,
            f.severity.value,
            f.verdict.value,
            f.resource_kind.value,
            f.resource_arn,
            f.resource_name,
            f.account_id,
            f.region,
            f.message,
            f.remediation,
            w.waiver_id if w else "",
            w.reason if w else "",
            w.owner if w else "",
            w.expires if w else "",
            ("true" if w.expired else "false") if w else "",
            json.dumps(f.tags, sort_keys=True, ensure_ascii=False) if f.tags else "",
        ]
        writer.writerow([guard_cell(safe_text(cell, newlines=True)) for cell in row])
    return utf8(out.getvalue())
