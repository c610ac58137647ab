"""frameworks.csv: one row per framework requirement with its status and the verdicts behind it.

A separate file rather than rows in report.csv: report.csv has one row per verdict, and tools that
load it (spreadsheets, SIEM imports) rely on that; a requirement row has other columns. The same
rollup is in report.json (``frameworks``) and in the HTML report's Frameworks section.
"""

from __future__ import annotations

import csv
import io

from auditor.report.csv_report import guard_cell
from auditor.report.encoding import utf8
from auditor.report.text import safe_text
from auditor.results import EvaluationResult, Verdict

COLUMNS = (
    "framework_id",
    "framework",
    "framework_version",
    "requirement_id",
    "requirement_title",
    "status",
    "policies",
    "policies_not_run",
    *(f"verdicts_{v.value.lower()}" for v in Verdict),
    "failing_resource_count",
    "failing_resources",
    "source",
)


def render(result: EvaluationResult) -> bytes:
    """frameworks.csv bytes: a header row, then one row per requirement, frameworks by id (UTF-8, CRLF).

    Lists inside a cell (policies, failing resources) are separated by single spaces.
    """
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for fw in sorted(result.frameworks, key=lambda f: f.framework_id):
        for req in fw.requirements:
            row = [
                fw.framework_id,
                fw.name,
                fw.version,
                req.requirement_id,
                req.title,
                req.status.value,
                " ".join(req.policies),
                " ".join(req.policies_not_run),
                *(str(req.verdicts.get(v, 0)) for v in Verdict),
                str(len(req.failing_resources)),
                " ".join(req.failing_resources),
                req.source,
            ]
            writer.writerow([guard_cell(safe_text(cell)) for cell in row])
    return utf8(out.getvalue())
