"""Benchmark 3: evaluation throughput and peak memory of the built-in pack on synthetic inventories.

Each size runs in a fresh child process pinned to one CPU (``sched_setaffinity``), so the numbers are
one core's: CPU time is ``time.process_time()`` of that process, peak memory its VmHWM (peak RSS).

Two numbers per size, because ``evaluate()`` does more than judging:

* engine: ``judge_all`` (documents built from the linked inventory, every policy on every resource in
  its scope, messages rendered), the work that grows with policies x resources;
* evaluate(): the public call, which also applies waivers, sorts the findings and hashes the inventory
  (``sha256(store.dumps(inventory))``, the digest report.json carries).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from machine import available_memory_gib

FULL_SIZES = (10_000, 100_000)
SMOKE_SIZES = (200,)
TARGET_VERDICTS_PER_SECOND = 50_000
ENGINE_MB_PER_ENDPOINT = 0.05
EVALUATE_MB_PER_ENDPOINT = 0.1
DUMPS_TIMED_UP_TO = 20_000


def _rss_mb() -> float:
    """This process's peak resident memory so far, in MB.

    VmHWM, not ru_maxrss: Linux carries ru_maxrss across fork and exec, so a spawned child would report
    its parent's peak as its own.
    """
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass  # not Linux: ru_maxrss below
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _measure(endpoints: int) -> dict[str, Any]:
    """Runs in the child: build, judge, evaluate, and report CPU seconds and memory."""
    from synthetic import FINISHED, build_inventory

    from auditor.inventory.store import dumps
    from auditor.policy import evaluate, load_policy_set
    from auditor.policy.engine import judge_all

    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[-1]})
    # The inventory plus the engine's documents and findings peak at about 0.05 MB per endpoint.
    needed_gib = endpoints * ENGINE_MB_PER_ENDPOINT / 1024
    available = available_memory_gib()
    if available is not None and available < needed_gib:
        return {
            "endpoints": endpoints,
            "skipped": f"skipped: {available} GiB available, about {needed_gib:.0f} GiB needed",
        }
    baseline_mb = _rss_mb()
    policies = load_policy_set()
    c0 = time.process_time()
    inventory = build_inventory(endpoints)
    build_cpu = time.process_time() - c0
    inventory_mb = _rss_mb()

    c0 = time.process_time()
    findings = judge_all(inventory, policies.policies, FINISHED)
    judge_cpu = time.process_time() - c0
    judged_mb = _rss_mb()
    verdicts = len(findings)
    by_verdict = Counter(f.verdict.value for f in findings)
    del findings
    common: dict[str, Any] = {
        "endpoints": endpoints,
        "monitors": len(inventory.monitors),
        "job_definitions": len(inventory.job_definitions),
        "alarms": len(inventory.alarms),
        "targets": len(inventory.targets),
        "policies": len(policies.policies),
        "verdicts": verdicts,
        "verdicts_by_kind": dict(sorted(by_verdict.items())),
        "cpu": f"pinned to CPU {cpus[-1]}",
        "inventory_build_cpu_seconds": round(build_cpu, 2),
        "engine_cpu_seconds": round(judge_cpu, 3),
        "engine_verdicts_per_second": round(verdicts / judge_cpu) if judge_cpu else None,
        "rss_baseline_mb": baseline_mb,
        "rss_after_inventory_mb": inventory_mb,
        "peak_rss_engine_mb": judged_mb,
        "target_verdicts_per_second": TARGET_VERDICTS_PER_SECOND,
        "engine_target_met": bool(judge_cpu) and verdicts / judge_cpu >= TARGET_VERDICTS_PER_SECOND,
    }

    # evaluate() serializes the whole inventory to hash it: about 0.1 MB per endpoint on top of the
    # engine's own memory. On a shared machine, skip it (and say so) rather than push others into swap.
    needed_gib = endpoints * EVALUATE_MB_PER_ENDPOINT / 1024
    available = available_memory_gib()
    if available is not None and available < needed_gib:
        return {
            **common,
            "evaluate_skipped": f"skipped: {available} GiB available, about {needed_gib:.0f} GiB needed",
        }
    c0 = time.process_time()
    result = evaluate(inventory, policies, as_of=datetime(2026, 11, 27, 18, 0, tzinfo=UTC))
    evaluate_cpu = time.process_time() - c0
    evaluated_mb = _rss_mb()
    if len(result.findings) != verdicts:
        raise RuntimeError("evaluate() and judge_all() disagree on the number of verdicts")
    del result

    # As the pipeline calls it since it hashes the inventory.json it writes: digest given, not recomputed.
    c0 = time.process_time()
    given = evaluate(inventory, policies, as_of=FINISHED, inventory_digest="0" * 64)
    given_cpu = time.process_time() - c0
    del given
    record = {
        **common,
        "evaluate_with_digest_cpu_seconds": round(given_cpu, 3),
        "evaluate_with_digest_verdicts_per_second": round(verdicts / given_cpu) if given_cpu else None,
        "evaluate_cpu_seconds": round(evaluate_cpu, 3),
        "evaluate_verdicts_per_second": round(verdicts / evaluate_cpu) if evaluate_cpu else None,
        "evaluate_minus_engine_cpu_seconds": round(evaluate_cpu - judge_cpu, 3),
        "peak_rss_evaluate_mb": evaluated_mb,
        "evaluate_target_met": bool(evaluate_cpu) and verdicts / evaluate_cpu >= TARGET_VERDICTS_PER_SECOND,
    }
    if endpoints <= DUMPS_TIMED_UP_TO:  # what the inventory digest costs on its own (slow at 100k: skipped)
        c0 = time.process_time()
        text = dumps(inventory)
        record["inventory_dumps_cpu_seconds"] = round(time.process_time() - c0, 3)
        record["inventory_json_mb"] = round(len(text.encode("utf-8")) / 1e6, 1)
    return record


def _child(conn: Any, endpoints: int) -> None:
    conn.send(_measure(endpoints))
    conn.close()


def measure_in_child(endpoints: int) -> dict[str, Any]:
    """``_measure`` in a fresh spawned process (clean heap, its own maxrss)."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, endpoints), name=f"eval-{endpoints}")
    process.start()
    child.close()
    try:
        result: dict[str, Any] = parent.recv()
    except EOFError:
        process.join()
        raise RuntimeError(f"the evaluation benchmark process died (exit code {process.exitcode})") from None
    process.join()
    return result


def run(smoke: bool) -> dict[str, Any]:
    """Throughput and memory at each size; target >= 50,000 verdicts per second on one core."""
    sizes = SMOKE_SIZES if smoke else FULL_SIZES
    return {
        "target_verdicts_per_second": TARGET_VERDICTS_PER_SECOND,
        "sizes": [measure_in_child(n) for n in sizes],
    }
