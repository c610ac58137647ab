"""Reporters: pure functions from an ``EvaluationResult`` to the bytes of one file each.

``FORMATS`` is the explicit registry, and the only list of formats: the command line, the config
schema, the run folder and the evidence bundle all read it. ``write_reports`` is the only place that
touches the disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import InputError
from auditor.fileio import write_atomic
from auditor.report import (
    asff_report,
    csv_report,
    frameworks_csv_report,
    html_report,
    json_report,
    junit_report,
    markdown_report,
    migration_report,
    ocsf_report,
    sarif_report,
)
from auditor.results import EvaluationResult


@dataclass(frozen=True)
class ReportOptions:
    """Switches of individual formats (from the config file or the command line)."""

    asff_include_passed: bool = False  # ASFF: also PASS verdicts, with Compliance.Status PASSED


@dataclass(frozen=True)
class Reporter:
    """One output format: its name (``--format``), the file it writes, its media type, its renderer."""

    name: str
    filename: str
    media_type: str
    render: Callable[[EvaluationResult], bytes]
    # For formats with switches: used instead of ``render`` when set.
    render_with: Callable[[EvaluationResult, ReportOptions], bytes] | None = None
    # Raises InputError when the format cannot be written here (an optional extra is missing).
    check_available: Callable[[], None] | None = None
    # Writes the same bytes as ``render`` straight to a file, in pieces (large formats: never held whole).
    stream: Callable[[EvaluationResult, Path], None] | None = None

    def output(self, result: EvaluationResult, options: ReportOptions) -> bytes:
        """The file's bytes for ``result``."""
        if self.render_with is not None:
            return self.render_with(result, options)
        return self.render(result)

    def write(self, result: EvaluationResult, options: ReportOptions, path: Path) -> None:
        """Write the file for ``result`` atomically at ``path``."""
        if self.stream is not None and self.render_with is None:
            self.stream(result, path)
        else:
            write_atomic(path, self.output(result, options))


FORMATS: dict[str, Reporter] = {
    r.name: r
    for r in (
        Reporter("json", "report.json", "application/json", json_report.render, stream=json_report.write),
        Reporter("html", "report.html", "text/html", html_report.render, stream=html_report.write),
        Reporter("junit", "junit.xml", "application/xml", junit_report.render),
        Reporter("sarif", "report.sarif", "application/sarif+json", sarif_report.render),
        Reporter("csv", "report.csv", "text/csv", csv_report.render),
        Reporter("markdown", "report.md", "text/markdown", markdown_report.render),
        Reporter(
            "asff",
            "report.asff.json",
            "application/json",
            asff_report.render,
            render_with=lambda result, o: asff_report.render(result, include_passed=o.asff_include_passed),
        ),
        Reporter(
            "ocsf",
            "report.ocsf.json",
            "application/json",
            ocsf_report.render,
            check_available=ocsf_report.check_available,
        ),
        Reporter("frameworks-csv", "frameworks.csv", "text/csv", frameworks_csv_report.render),
        Reporter("migration-json", "migration.json", "application/json", migration_report.render_json),
        Reporter("migration-csv", "migration.csv", "text/csv", migration_report.render_csv),
        Reporter("migration-html", "migration.html", "text/html", migration_report.render_html),
    )
}


def resolve_formats(formats: Sequence[str]) -> list[Reporter]:
    """The reporters for ``formats`` (deduplicated, in order); an unknown name, or a format whose
    optional dependency is not installed, raises InputError."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise InputError("--format", f"unknown format {unknown[0]!r} (choose from {', '.join(FORMATS)})")
    reporters = [FORMATS[name] for name in dict.fromkeys(formats)]
    for reporter in reporters:
        if reporter.check_available is not None:
            reporter.check_available()
    return reporters


def write_reports(
    result: EvaluationResult,
    formats: Sequence[str],
    output_dir: Path,
    *,
    options: ReportOptions | None = None,
) -> list[Path]:
    """Render every requested format into a temporary file each, then move them all into place.

    A rendering bug leaves no half-updated folder (the temporary files are removed), and only one
    format is in memory at a time. Returns the written paths in the order requested.
    """
    reporters = resolve_formats(formats)
    chosen = options or ReportOptions()
    staged: list[tuple[Path, Path]] = []
    try:
        for r in reporters:
            final = output_dir / r.filename
            partial = output_dir / f".{r.filename}.partial"
            r.write(result, chosen, partial)
            staged.append((partial, final))
        for partial, final in staged:
            os.replace(partial, final)
    except BaseException:
        for partial, _ in staged:
            partial.unlink(missing_ok=True)
        raise
    return [final for _, final in staged]
