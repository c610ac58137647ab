"""Reporters: pure functions from an ``EvaluationResult`` to the bytes of one file each.

``FORMATS`` is the explicit registry; ``write_reports`` is the only place that touches the disk.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import InputError
from auditor.fileio import write_atomic
from auditor.report import (
    csv_report,
    html_report,
    json_report,
    junit_report,
    markdown_report,
    sarif_report,
)
from auditor.results import EvaluationResult


@dataclass(frozen=True)
class Reporter:
    name: str
    filename: str
    render: Callable[[EvaluationResult], bytes]


FORMATS: dict[str, Reporter] = {
    r.name: r
    for r in (
        Reporter("json", "report.json", json_report.render),
        Reporter("html", "report.html", html_report.render),
        Reporter("junit", "junit.xml", junit_report.render),
        Reporter("sarif", "report.sarif", sarif_report.render),
        Reporter("csv", "report.csv", csv_report.render),
        Reporter("markdown", "report.md", markdown_report.render),
    )
}


def resolve_formats(formats: Sequence[str]) -> list[Reporter]:
    """The reporters for ``formats`` (deduplicated, in order); an unknown name raises InputError."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise InputError("--format", f"unknown format {unknown[0]!r} (choose from {', '.join(FORMATS)})")
    return [FORMATS[name] for name in dict.fromkeys(formats)]


def write_reports(result: EvaluationResult, formats: Sequence[str], output_dir: Path) -> list[Path]:
    """Render every requested format, then write each file atomically into ``output_dir``.

    All formats are rendered before the first file is written, so a rendering bug leaves no
    half-updated folder. Returns the written paths in the order requested.
    """
    reporters = resolve_formats(formats)
    rendered = [(output_dir / r.filename, r.render(result)) for r in reporters]
    for path, data in rendered:
        write_atomic(path, data)
    return [path for path, _ in rendered]
