"""The benchmark runner at smoke size: it completes, writes one JSON per benchmark with the fields the
README table is built from, prints the table, and leaves the README alone. Timings are not asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))  # tests/benchmarks is not a package: find the shared helper

from headless_chromium import require_chromium  # noqa: E402

RUN = ROOT / "benchmarks" / "run.py"
README = ROOT / "benchmarks" / "README.md"

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

MACHINE_FIELDS = {
    "nproc",
    "cpu_model",
    "ram_gib",
    "python",
    "date_utc",
    "load_average_at_start",
    "load_average_at_end",
}
SCAN_RUN_FIELDS = {
    "mode",
    "endpoints",
    "k_monitors_per_endpoint",
    "api_calls_total",
    "api_calls_per_endpoint",
    "api_calls_per_endpoint_target",
    "api_calls_by_operation",
    "wall_seconds",
    "lower_bound_seconds",
    "effective_concurrency",
    "ratio_to_lower_bound",
    "naive_lower_bound_seconds",
    "scanner_cpu_seconds",
    "server_cpu_seconds",
}
EVAL_FIELDS = {
    "endpoints",
    "verdicts",
    "engine_verdicts_per_second",
    "evaluate_verdicts_per_second",
    "peak_rss_engine_mb",
    "peak_rss_evaluate_mb",
}
REPORT_FIELDS = {"endpoints", "findings", "html_bytes", "render_seconds", "browser"}
IAC_FIELDS = {
    "endpoints",
    "resources",
    "verdicts",
    "read_cpu_seconds",
    "judge_cpu_seconds",
    "command_wall_seconds",
    "command_cpu_seconds",
}
BROWSER_FIELDS = {
    "first_contentful_paint_ms",
    "script_ready_ms",
    "first_frame_after_ready_ms",
    "interactions",
    "worst_interaction_median_ms",
    "worst_interaction_max_ms",
}


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path, bytes]:
    require_chromium()  # the report benchmark loads the page in headless Chromium
    results = tmp_path_factory.mktemp("bench-results")
    before = README.read_bytes()
    done = subprocess.run(
        [sys.executable, str(RUN), "--smoke", "--results-dir", str(results)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    return done, results, before


def _load(results: Path, name: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((results / f"{name}.json").read_text(encoding="utf-8"))
    assert record["benchmark"] == name
    assert record["mode"] == "smoke"
    assert "error" not in record
    assert not MACHINE_FIELDS - record["machine"].keys()
    return record


def test_smoke_run_completes_prints_the_table_and_leaves_the_readme(smoke: Any) -> None:
    done, results, readme_before = smoke
    assert done.returncode == 0, done.stderr[-3000:]
    assert (
        "### 1. Scan" in done.stdout
        and "### 3. Evaluation" in done.stdout
        and "### 4. Reports" in done.stdout
        and "### 5. History" in done.stdout
        and "### 6. Templates" in done.stdout
        and "### 7. Organization scale" in done.stdout
        and "### 8. Memory" in done.stdout
    )
    names = sorted(p.name for p in results.iterdir())
    assert names == [
        "evaluation.json",
        "history.json",
        "iac.json",
        "memory.json",
        "org.json",
        "reports.json",
        "scan.json",
    ]
    assert README.read_bytes() == readme_before


def test_org_results_have_calls_walls_bounds_and_memory(smoke: Any) -> None:
    _, results, _ = smoke
    org = _load(results, "org")["results"]
    assert org["latency_seconds"] > 0
    for estate in org["estates"]:
        assert estate["calls_per_endpoint"] > 0
        for name in ("free", "limited"):
            run = estate[name]
            assert run["scan_errors"] == 0, run["error_codes"]
            assert run["bound_seconds"] > 0 and run["wall_seconds"] >= run["bound_seconds"] * 0.5
            assert run["wall_over_bound"] > 0 and run["peak_rss_mb"] > 0
        # the scanner's own count agrees with the server's when nothing is throttled
        assert estate["free"]["calls_counted_by_scanner"] == estate["free"]["calls"]
    assert org["organization"]["calls_extrapolated"] > 0


def test_memory_results_have_a_whole_run_and_the_extrapolation(smoke: Any) -> None:
    _, results, _ = smoke
    memory = _load(results, "memory")["results"]
    scan = memory["scan"]
    assert scan["endpoints"] > 0 and scan["findings"] > 0 and scan["scan_errors"] == 0
    assert scan["peak_rss_mb"] > 0 and "report.json" in scan["files_mb"]
    assert [s["endpoints"] for s in memory["synthetic"]] == [100, 200]
    assert [e["endpoints"] for e in memory["extrapolated"]] == [20_000, 100_000]


def test_scan_results_have_calls_times_and_bounds_for_both_paths(smoke: Any) -> None:
    _, results, _ = smoke
    scan = _load(results, "scan")["results"]
    assert scan["latency_seconds"] > 0
    assert scan["sizes"]
    for size in scan["sizes"]:
        assert [r["mode"] for r in size["runs"]] == ["fast", "no-search"]
        expected = size["accounts"] * len(size["regions"]) * size["endpoints_per_region"]
        for run in size["runs"]:
            assert not SCAN_RUN_FIELDS - run.keys()
            assert run["endpoints"] == expected
            assert run["scan_errors"] == 0
            # The server's count and the scanner's own count of the calls agree.
            assert run["api_calls_total"] == run["api_calls_counted_by_scanner"]
            assert run["unmodelled_operations"] == []
        fast, slow = size["runs"]
        assert fast["api_calls_by_operation"].get("sagemaker:Search", 0) >= 1
        assert "sagemaker:Search" not in slow["api_calls_by_operation"]
        assert fast["api_calls_total"] < slow["api_calls_total"]
    assert not SCAN_RUN_FIELDS - scan["calls_only_large_region"].keys()
    assert scan["calls_only_large_region"]["relations_link_cpu_seconds"] is not None
    assert not SCAN_RUN_FIELDS - scan["control_high_latency"].keys()
    assert scan["profile"]["top_functions_by_own_cpu"]


def test_evaluation_results_have_throughput_and_memory(smoke: Any) -> None:
    _, results, _ = smoke
    sizes = _load(results, "evaluation")["results"]["sizes"]
    assert sizes
    for size in sizes:
        assert not EVAL_FIELDS - size.keys()
        assert size["verdicts"] > size["endpoints"]
        assert size["peak_rss_evaluate_mb"] >= size["peak_rss_engine_mb"] > 0


def test_report_results_have_size_render_and_browser_timings(smoke: Any) -> None:
    _, results, _ = smoke
    sizes = _load(results, "reports")["results"]["sizes"]
    assert sizes
    for size in sizes:
        assert not REPORT_FIELDS - size.keys()
        assert not BROWSER_FIELDS - size["browser"].keys()
        assert size["browser"]["script_ready_ms"] is not None, "the page's script never marked itself ready"
        labels = [i["interaction"] for i in size["browser"]["interactions"]]
        assert any(label.startswith("findings:") for label in labels)
        assert any(label.startswith("coverage:") for label in labels)
        for interaction in size["browser"]["interactions"]:
            # The filter really ran: the page's status line reports the filtered count.
            assert interaction["status_after_apply"].startswith("Showing ")
            assert set(interaction["apply_main_thread_ms_mean"]) == {"script", "style", "layout", "all_tasks"}


def test_history_results_have_recording_and_trend_timings(smoke: Any) -> None:
    _, results, _ = smoke
    res = _load(results, "history")["results"]
    record, trend = res["record"], res["trend"]
    # Every finding of the first run is a change; the next run writes only what changed.
    assert record["first_run_change_rows"] == record["findings"] > 0
    assert 0 < record["next_run_change_rows"] < record["findings"] // 10
    assert record["first_run_wall_seconds"] > 0 and record["next_run_view_wall_seconds"] > 0
    assert trend["view_trend_points"] == trend["runs"] + 1
    assert set(trend["trend_command"]) == {"overall", "policy", "monitor-type"}


def test_iac_results_have_read_judge_and_command_times(smoke: Any) -> None:
    _, results, _ = smoke
    sizes = _load(results, "iac")["results"]["sizes"]
    assert sizes
    for size in sizes:
        assert not IAC_FIELDS - size.keys()
        assert size["resources"] == 4 * size["endpoints"]  # endpoint, monitor, job definition, alarm
        assert size["command_exit_code"] in (0, 1)
