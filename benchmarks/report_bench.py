"""Benchmark 4: report.html size and render time, and how it behaves in a real headless Chromium.

The result is judged exactly as ``auditor evaluate`` judges it (built-in pack, coverage matrix), from a
synthetic inventory. In Chromium (DevTools protocol over a pipe, see ``cdp``) the page is loaded from a
file and timed with the page's own clock (``performance.now()``, 0 = navigation start):

* first contentful paint (the server-rendered headline), the moment the page's script marks itself
  ready (``<body data-ready="1">``: findings and coverage tables built), and the first frame after that;
* each interaction is the page's real filter UI (auditor/report/templates/report.js): a control's value
  is set and its ``change`` event dispatched, and the time runs until the next frame after the handler
  (requestAnimationFrame, then a task), i.e. filtered, sorted, re-rendered and laid out. The free-text
  search is debounced by the page (150 ms after the last keystroke); its number excludes that wait.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from cdp import CdpError, Chromium
from synthetic import build_inventory

FULL_SIZES = (1000, 5000)
SMOKE_SIZES = (50,)
REPEATS = 3
SIZE_TARGET_BYTES = 10 * 1000 * 1000
INTERACTION_TARGET_MS = 200.0
DEBOUNCE_MS = 150.0

_READY_PROBE = """
(() => {
  const mark = () => {
    if (window.__benchReady !== undefined) { return; }
    window.__benchReady = performance.now();
    requestAnimationFrame(() => setTimeout(() => { window.__benchFrame = performance.now(); }, 0));
  };
  new MutationObserver(() => {
    if (document.body && document.body.getAttribute("data-ready") === "1") { mark(); }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-ready"]});
})();
"""

_PAGE_TIMES = """
(async () => {
  for (let i = 0; i < 600 && window.__benchFrame === undefined; i++) {
    await new Promise(r => setTimeout(r, 50));
  }
  const nav = performance.getEntriesByType("navigation")[0];
  const paint = {};
  performance.getEntriesByType("paint").forEach(p => { paint[p.name] = p.startTime; });
  return {
    first_contentful_paint_ms: paint["first-contentful-paint"] ?? null,
    dom_content_loaded_ms: nav ? nav.domContentLoadedEventEnd : null,
    load_event_ms: nav ? nav.loadEventEnd : null,
    script_ready_ms: window.__benchReady ?? null,
    first_frame_after_ready_ms: window.__benchFrame ?? null,
    findings_rows: document.querySelectorAll("#findings-body tr").length,
    coverage_rows: document.querySelectorAll("#coverage-body tr").length,
  };
})()
"""

# Chromium's Performance.getMetrics counters (seconds of main-thread work) -> our names.
_WORK_METRICS = {
    "ScriptDuration": "script",
    "RecalcStyleDuration": "style",
    "LayoutDuration": "layout",
    "TaskDuration": "all_tasks",
}

# What waiting for the next frame costs when nothing changed (part of every interaction's number).
_IDLE_FRAME = """
(async () => {
  const t0 = performance.now();
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  return performance.now() - t0;
})()
"""

# One interaction: set a control, fire its event, wait for the next frame. Returns ms and the status line.
_INTERACT = """
(async (id, value, eventName, statusId, debounced) => {
  const control = document.getElementById(id);
  const status = document.getElementById(statusId);
  const before = status.textContent;
  const t0 = performance.now();
  control.value = value;
  control.dispatchEvent(new Event(eventName));
  if (debounced) {
    for (let i = 0; i < 400 && status.textContent === before; i++) {
      await new Promise(r => setTimeout(r, 2));
    }
  }
  const handled = performance.now();
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  return {ms: performance.now() - t0, handler_ms: handled - t0, status: status.textContent};
})(%s)
"""

# (label, control id, value to apply, default value, event, status element, debounced)
_INTERACTIONS: tuple[tuple[str, str, str, str, str, str, bool], ...] = (
    ("findings: verdict = all verdicts", "f-verdict", "", "_problems", "change", "findings-status", False),
    ("findings: severity = high", "f-severity", "high", "", "change", "findings-status", False),
    ("findings: policy = first", "f-policy", "0", "", "change", "findings-status", False),
    ("findings: sort by resource name", "f-sort", "name", "verdict", "change", "findings-status", False),
    ("findings: free-text search", "f-text", "model-00", "", "input", "findings-status", True),
    ("coverage: endpoints with any gap", "c-state", "_gaps", "", "change", "coverage-status", False),
    ("coverage: free-text search", "c-text", "model-00", "", "input", "coverage-status", True),
)


def _interact(
    browser: Chromium, spec: tuple[str, str, str, str, str, str, bool], value: str
) -> dict[str, Any]:
    _, control, _, _, event, status, debounced = spec
    args = ", ".join(
        [repr(control), repr(value), repr(event), repr(status), "true" if debounced else "false"]
    )
    result: dict[str, Any] = browser.evaluate(_INTERACT % args)
    if debounced:
        result["ms"] = max(0.0, result["ms"] - DEBOUNCE_MS)
        result["handler_ms"] = max(0.0, result["handler_ms"] - DEBOUNCE_MS)
    return result


def measure_in_browser(page: Path) -> dict[str, Any]:
    """Load ``page`` in headless Chromium, time the first render and every filter interaction."""
    with Chromium() as browser:
        browser.open_page()
        browser.send("Page.addScriptToEvaluateOnNewDocument", {"source": _READY_PROBE})
        browser.send("Page.navigate", {"url": page.resolve().as_uri()})
        browser.wait_event("Page.loadEventFired")
        load: dict[str, Any] = browser.evaluate(_PAGE_TIMES)
        idle_frames = [float(browser.evaluate(_IDLE_FRAME)) for _ in range(5)]
        load["idle_frame_wait_ms_median"] = round(statistics.median(idle_frames), 1)
        browser.send("Performance.enable")
        interactions = [_measure_interaction(browser, spec) for spec in _INTERACTIONS]
    worst_median = max(max(i["apply_ms_median"], i["reset_ms_median"]) for i in interactions)
    worst_max = max(max(i["apply_ms_max"], i["reset_ms_max"]) for i in interactions)
    return {
        **{k: (round(v, 1) if isinstance(v, float) else v) for k, v in load.items()},
        "interactions": interactions,
        "worst_interaction_median_ms": worst_median,
        "worst_interaction_max_ms": worst_max,
    }


def _main_thread_ms(browser: Chromium) -> dict[str, float]:
    """Chromium's cumulative main-thread time per kind of work (Performance.getMetrics), in ms."""
    metrics = browser.send("Performance.getMetrics")["metrics"]
    return {m["name"]: float(m["value"]) * 1000 for m in metrics if m["name"] in _WORK_METRICS}


def _measure_interaction(
    browser: Chromium, spec: tuple[str, str, str, str, str, str, bool]
) -> dict[str, Any]:
    """Apply and undo one filter ``REPEATS`` times: times, and where the main thread spent them."""
    label, _, value, default, *_ = spec
    applied, handlers, reset = [], [], []
    status = ""
    work = dict.fromkeys(_WORK_METRICS, 0.0)
    for _ in range(REPEATS):
        before = _main_thread_ms(browser)
        first = _interact(browser, spec, value)
        after = _main_thread_ms(browser)
        for name in _WORK_METRICS:
            work[name] += (after.get(name, 0.0) - before.get(name, 0.0)) / REPEATS
        status = first["status"]
        applied.append(first["ms"])
        handlers.append(first["handler_ms"])
        reset.append(_interact(browser, spec, default)["ms"])
    return {
        "interaction": label,
        "handler_ms_median": round(statistics.median(handlers), 1),
        "apply_ms_median": round(statistics.median(applied), 1),
        "apply_ms_max": round(max(applied), 1),
        "reset_ms_median": round(statistics.median(reset), 1),
        "reset_ms_max": round(max(reset), 1),
        "apply_main_thread_ms_mean": {_WORK_METRICS[k]: round(v, 1) for k, v in work.items()},
        "status_after_apply": status,
    }


def measure_size(endpoints: int, workdir: Path) -> dict[str, Any]:
    """Judge a synthetic inventory, render report.html, and measure it (file and browser)."""
    from auditor.pipeline import JudgeInputs, judge
    from auditor.policy import load_policy_set
    from auditor.report import html_report
    from auditor.results import Verdict

    inventory = build_inventory(endpoints)
    inputs = JudgeInputs(policies=load_policy_set(), waivers=[], waiver_files=[], baseline=None)
    result = judge(inventory, inputs)
    t0, c0 = time.perf_counter(), time.process_time()
    html = html_report.render(result)
    render_wall, render_cpu = time.perf_counter() - t0, time.process_time() - c0
    data = html_report.page_data(result)
    part_bytes = {
        key: len(json.dumps(list(data[key]), separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        for key in ("findings", "resources", "strings", "coverage")
        if key in data
    }
    passed = sum(1 for f in result.findings if f.verdict is Verdict.PASS)
    page = workdir / f"report-{endpoints}.html"
    page.write_bytes(html)
    try:
        browser = measure_in_browser(page)
    except CdpError as first_failure:
        # A renderer can die under memory pressure on a shared machine: one fresh retry, and say so.
        browser = measure_in_browser(page)
        browser["retried_after"] = str(first_failure)
    return {
        "endpoints": endpoints,
        "findings": len(result.findings),
        "coverage_rows": len(result.coverage),
        "html_bytes": len(html),
        "html_mb": round(len(html) / 1e6, 2),
        "page_data_bytes": part_bytes,
        "pass_share_of_findings": round(passed / len(result.findings), 3) if result.findings else None,
        "render_seconds": round(render_wall, 3),
        "render_cpu_seconds": round(render_cpu, 3),
        "browser": browser,
        "size_target_met": len(html) < SIZE_TARGET_BYTES,
        "interaction_target_met": browser["worst_interaction_median_ms"] < INTERACTION_TARGET_MS,
    }


def run(smoke: bool) -> dict[str, Any]:
    """report.html at each size; targets: < 10 MB and interactions < 200 ms at 5,000 endpoints."""
    sizes = SMOKE_SIZES if smoke else FULL_SIZES
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        results = [measure_size(n, Path(tmp)) for n in sizes]
    return {
        "size_target_bytes": SIZE_TARGET_BYTES,
        "interaction_target_ms": INTERACTION_TARGET_MS,
        "debounce_ms_excluded": DEBOUNCE_MS,
        "repeats": REPEATS,
        "sizes": results,
    }
