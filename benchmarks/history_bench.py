"""Benchmark 5: the run history (SQLite): recording a large run, and the trend over a year of runs.

* **Record**: one run of 100,000 findings into an empty history (every finding new: 100,000 identities
  and 100,000 change rows), then the next run of the same estate with 1 % of the findings changed
  (what a nightly run writes). Both through ``auditor.history.record.record`` in one transaction,
  after ``build_view`` (the lifecycle the reports show, read before rendering) for the second run.
* **Trend**: 365 daily runs of 5,000 endpoints (6 endpoint policies each: 30,000 findings per run,
  1 % changing state per run), recorded through the same ``record``; then timed: ``build_view`` for
  run 366 (what every scan does before rendering: lifecycle of every failing finding, the 366-point
  trend, ages, mean time to remediate) and the ``auditor history trend`` data overall, per policy
  and per monitor type.

Runs in this process; wall seconds (``perf_counter``) and CPU seconds (``process_time``). Findings are
built directly as ``Finding`` objects (no AWS, no engine): the history sees only verdicts.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from auditor.history import open_history
from auditor.history.lifecycle import build_view
from auditor.history.record import RunSource, record
from auditor.history.trend import TrendBy, resolve_scope, trend
from auditor.inventory.model import ScanMetadata
from auditor.results import (
    CellState,
    CoverageCell,
    CoverageColumn,
    CoverageRow,
    EvaluationResult,
    Finding,
    ResourceKind,
    Severity,
    Verdict,
)

FULL = {"record_findings": 100_000, "trend_runs": 365, "trend_endpoints": 5_000}
SMOKE = {"record_findings": 2_000, "trend_runs": 10, "trend_endpoints": 100}
POLICIES = (
    "mm-data-capture",
    "mm-data-quality-monitor",
    "mm-model-quality-monitor",
    "mm-model-bias-monitor",
    "mm-model-explainability-monitor",
    "mm-scan-completeness",
)
CHURN = 0.01
START = datetime(2025, 1, 1, 2, 0, tzinfo=UTC)
TARGET_SECONDS = 5.0  # "a few seconds"


def _finding(index: int, policy: str, verdict: Verdict) -> Finding:
    account = f"{100000000000 + index % 50}"
    region = ("us-east-1", "eu-west-1")[index % 2]
    name = f"endpoint-{index:06d}"
    return Finding(
        policy_id=policy,
        severity=Severity.HIGH,
        verdict=verdict,
        resource_kind=ResourceKind.ENDPOINT,
        resource_arn=f"arn:aws:sagemaker:{region}:{account}:endpoint/{name}",
        resource_name=name,
        account_id=account,
        region=region,
        message="",
    )


def _result(day: int, findings: list[Finding], endpoints: int) -> EvaluationResult:
    stamp = (START + timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%SZ")
    states = {
        "data_capture": CellState.OK,
        "DataQuality": CellState.OK,
        "ModelQuality": CellState.OK,
        "ModelBias": CellState.NOT_APPLICABLE,
        "ModelExplainability": CellState.NOT_APPLICABLE,
        "drift_alarm": CellState.OK,
    }
    coverage = [
        CoverageRow(
            endpoint_arn=f"e{i}",
            endpoint_name=f"e{i}",
            account_id="a",
            region="r",
            kind="real_time",
            cells={
                column: CoverageCell(CellState.MISSING if column == "DataQuality" and not i % 10 else state)
                for column, state in states.items()
            },
        )
        for i in range(min(endpoints, 1000))
    ]
    return EvaluationResult(
        generated_at=stamp,
        tool_version="bench",
        policy_set_digest="p",
        inventory_digest=f"i{day}",
        scan=ScanMetadata(
            tool_version="bench",
            started_at=stamp,
            finished_at=stamp,
            accounts=["org"],
            regions=["all"],
            options={"org": True, "regions": "all"},
        ),
        findings=findings,
        coverage_columns=[CoverageColumn(c, c) for c in states],
        coverage=coverage,
    )


class _Estate:
    """Verdicts of endpoints x policies that drift: ``CHURN`` of them flip each run (seeded)."""

    def __init__(self, endpoints: int, seed: int = 7) -> None:
        self.random = random.Random(seed)
        self.keys = [(i, p) for i in range(endpoints) for p in POLICIES]
        self.failing = {k for k in self.keys if self.random.random() < 0.2}

    def step(self) -> None:
        for key in self.random.sample(self.keys, max(1, int(len(self.keys) * CHURN))):
            self.failing ^= {key}

    def findings(self) -> list[Finding]:
        return [
            _finding(i, p, Verdict.FAIL if (i, p) in self.failing else Verdict.PASS) for i, p in self.keys
        ]


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, round(time.perf_counter() - wall, 3), round(time.process_time() - cpu, 3)


def _record_benchmark(folder: Path, count: int) -> dict[str, Any]:
    endpoints = count // len(POLICIES)
    estate = _Estate(endpoints)
    db = open_history(folder / "record.sqlite", create=True)
    try:
        first = _result(0, estate.findings(), endpoints)
        done, wall, cpu = _timed(lambda: record(db, first, source=RunSource.SCAN))
        estate.step()
        second = _result(1, estate.findings(), endpoints)
        view, view_wall, view_cpu = _timed(lambda: build_view(db, second))
        again, wall2, cpu2 = _timed(lambda: record(db, second, source=RunSource.SCAN))
    finally:
        db.close()
    return {
        "findings": len(first.findings),
        "first_run_wall_seconds": wall,
        "first_run_cpu_seconds": cpu,
        "first_run_change_rows": done.changes,
        "next_run_view_wall_seconds": view_wall,
        "next_run_view_cpu_seconds": view_cpu,
        "next_run_wall_seconds": wall2,
        "next_run_cpu_seconds": cpu2,
        "next_run_change_rows": again.changes,
        "next_run_failing_findings": len(view.findings),
        "database_mb": round((folder / "record.sqlite").stat().st_size / 2**20, 1),
    }


def _trend_benchmark(folder: Path, runs: int, endpoints: int) -> dict[str, Any]:
    estate = _Estate(endpoints, seed=11)
    path = folder / "trend.sqlite"
    db = open_history(path, create=True)
    try:
        build_started = time.perf_counter()
        for day in range(runs):
            record(db, _result(day, estate.findings(), endpoints), source=RunSource.SCAN)
            estate.step()
        build_seconds = round(time.perf_counter() - build_started, 1)
        latest = _result(runs, estate.findings(), endpoints)
        view, view_wall, view_cpu = _timed(lambda: build_view(db, latest))
        with db.read():
            scope = resolve_scope(db, None, str(path))
        timings = {}
        for by in (TrendBy.OVERALL, TrendBy.POLICY, TrendBy.MONITOR_TYPE):
            _, wall, cpu = _timed(lambda by=by: trend(db, scope, by, 12))  # type: ignore[misc]
            timings[by.value] = {"wall_seconds": wall, "cpu_seconds": cpu}
        changes = db.scalar("SELECT COUNT(*) FROM changes")
    finally:
        db.close()
    return {
        "runs": runs,
        "endpoints": endpoints,
        "findings_per_run": endpoints * len(POLICIES),
        "churn_per_run": CHURN,
        "build_seconds": build_seconds,
        "change_rows": int(changes),
        "database_mb": round(path.stat().st_size / 2**20, 1),
        "view_wall_seconds": view_wall,
        "view_cpu_seconds": view_cpu,
        "view_trend_points": len(view.trend),
        "view_failing_findings": len(view.findings),
        "trend_command": timings,
    }


def run(smoke: bool) -> dict[str, Any]:
    """Both measurements at full or smoke size."""
    sizes = SMOKE if smoke else FULL
    with tempfile.TemporaryDirectory(prefix="mm-auditor-history-bench-") as scratch:
        folder = Path(scratch)
        return {
            "target_seconds": TARGET_SECONDS,
            "record": _record_benchmark(folder, sizes["record_findings"]),
            "trend": _trend_benchmark(folder, sizes["trend_runs"], sizes["trend_endpoints"]),
        }
