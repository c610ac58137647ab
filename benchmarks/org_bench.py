"""Benchmark 7: organization scale -- the scan against AWS's rate limits, measured against a lower bound.

For each estate (member accounts x regions x endpoints per region) the local AWS runs in its own process
with 50 ms injected into every call, and the scan runs in a fresh spawned process (so its peak memory is
its own: VmHWM), as ``auditor scan --accounts ... --regions ...`` would, three times:

* **free**: no rate limits (latency only) -- the calls the scan needs, per target and operation;
* **limited**: the local AWS's rate limits on (``auditor.emulator.ratelimits`` defaults: CloudWatch's
  published TPS, SageMaker 2 TPS for List/Search and 5 TPS otherwise -- assumptions --, STS and
  Organizations 20 TPS -- assumptions), with the default concurrency (AIMD per (account, region,
  service), 32 accounts in flight);
* **fixed** (not in smoke): the same limits with the concurrency this project had before issue 17 (4 calls
  per (account, region, service), 8 targets at a time, botocore's adaptive retry mode alone).

**The bound** (``lower_bound``), from the calls the free run needed, the limits and the latency L: a token
bucket of rate r and burst b serves n calls in no less than ``max(0, n - b) / r`` seconds plus one latency;
the pages of one listing follow each other (pages x L); a describe needs the listing before it (one L);
every target needs the caller's identity and its AssumeRole first (2 L), and the AssumeRole calls of all
accounts share the hub's STS bucket. So::

    target(t)  = max over operations o of t:  (o is a listing ? 0 : L) + max(pages(o) x L if listing,
                                                                       max(0, n - b_o) / r_o + L)
    bound      = L + max(L + max_t target(t),  sts(accounts) + min_t target(t))

Without rate limits the same formula with r = infinity gives the latency bound. wall / bound is the
number to judge; both processes share the machine's CPUs with whatever else runs (see the load average),
so wall times are noisy and ratios measured within one run are the comparable figures.

**1,000 accounts**: building 1,000 accounts is slow here, so a sample of the same small estate (``ORG_SAMPLE``
accounts x 1 region x 2 endpoints) is scanned and the 1,000-account figures are extrapolated from it: calls
x (1000 / sample), the bound computed for 1,000 accounts from the sample's per-target calls, and the wall
time extrapolated linearly from the sample's (accounts run ``max_accounts`` at a time) -- marked as such.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from localaws_proc import LocalAwsProcess

LATENCY_SECONDS = 0.05
FULL_SIZES: tuple[tuple[int, int, int], ...] = ((1, 1, 100), (10, 2, 50), (200, 2, 10))
SMOKE_SIZES: tuple[tuple[int, int, int], ...] = ((2, 2, 2),)
ORG_ACCOUNTS = 1000
ORG_SAMPLE = 50
ORG_SAMPLE_SMOKE = 3
REGION_NAMES = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2")
TARGET_RATIO = 1.3

LISTINGS = frozenset(
    {
        "sagemaker:Search",
        "sagemaker:ListEndpoints",
        "sagemaker:ListMonitoringSchedules",
        "sagemaker:ListDataQualityJobDefinitions",
        "sagemaker:ListModelQualityJobDefinitions",
        "sagemaker:ListModelBiasJobDefinitions",
        "sagemaker:ListModelExplainabilityJobDefinitions",
        "cloudwatch:DescribeAlarms",
    }
)
HUB_OPERATIONS = frozenset({"sts:GetCallerIdentity", "sts:AssumeRole"})


def _vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _scan_child(args: dict[str, Any]) -> dict[str, Any]:
    """Runs in a spawned process: one scan, its wall time, counts and this process's peak memory."""
    import boto3

    from auditor.api import scan
    from auditor.scan import clients
    from auditor.scan.options import ScanOptions

    args = dict(args)
    clients.PACE_PER_OPERATION = not args.pop("_pace_per_client", False)

    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    options = ScanOptions(**args)
    started, cpu = time.perf_counter(), time.process_time()
    inventory = scan(options, session=session)
    wall = time.perf_counter() - started
    return {
        "wall_seconds": round(wall, 3),
        "scanner_cpu_seconds": round(time.process_time() - cpu, 3),
        "endpoints": len(inventory.endpoints),
        "monitors": len(inventory.monitors),
        "scan_errors": len(inventory.errors),
        "error_codes": sorted({e.error_code for e in inventory.errors}),
        "calls_counted_by_scanner": sum(inventory.metadata.api_calls.values()),
        "peak_rss_mb": _vm_hwm_mb(),
    }


def _scan(aws: LocalAwsProcess, options: dict[str, Any]) -> dict[str, Any]:
    """One scan in a fresh process, with the CPU it and the local AWS used (the machine bound)."""
    print(
        f"  org: scanning {len(options['accounts'])} account(s), fixed: {'max_workers' in options}",
        file=sys.stderr,
        flush=True,
    )
    server_cpu = aws.cpu_seconds()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        run = pool.submit(_scan_child, options).result()
    run["server_cpu_seconds"] = round(aws.cpu_seconds() - server_cpu, 3)
    run["machine_bound_seconds"] = round(
        machine_bound(run["scanner_cpu_seconds"], run["server_cpu_seconds"]), 3
    )
    return run


def machine_bound(scanner_cpu: float, server_cpu: float, cores: int | None = None) -> float:
    """Seconds the measured CPU needs at least on this machine: both processes' CPU spread over the
    cores, and neither process faster than its own CPU (each runs Python on one core at a time)."""
    cores = cores or os.cpu_count() or 1
    return max((scanner_cpu + server_cpu) / cores, scanner_cpu, server_cpu)


def _bucket_seconds(key: str, n: int, latency: float, scale: float | None) -> float:
    from auditor.emulator.ratelimits import RateLimits

    if scale is None or n == 0:
        return latency if n else 0.0
    service, operation = key.split(":", 1)
    limit = RateLimits(scale=scale).limit_for(service, operation)
    if limit is None:
        return latency
    return max(0.0, n - limit.burst) / limit.rate + latency


def target_seconds(ops: dict[str, int], latency: float, scale: float | None) -> float:
    """The least time one (account, region) needs once its account is entered (see the module doc)."""
    best = 0.0
    for key, n in ops.items():
        if key in HUB_OPERATIONS:
            continue
        if key in LISTINGS:
            need = max(n * latency, _bucket_seconds(key, n, latency, scale))
        else:
            need = latency + _bucket_seconds(key, n, latency, scale)
        best = max(best, need)
    return best


def lower_bound(
    per_target: list[dict[str, int]], accounts: int, latency: float, scale: float | None
) -> float:
    """Seconds the whole scan needs at least (see the module doc)."""
    times = [target_seconds(ops, latency, scale) for ops in per_target] or [0.0]
    sts = _bucket_seconds("sts:AssumeRole", accounts, latency, scale)
    return latency + max(latency + max(times), sts + min(times))


def _measure_estate(accounts: int, n_regions: int, per_region: int, smoke: bool) -> dict[str, Any]:
    regions = REGION_NAMES[:n_regions]
    out: dict[str, Any] = {"size": f"{accounts}x{n_regions}x{per_region}", "accounts": accounts}
    with LocalAwsProcess() as aws:
        built = aws.build(accounts, regions, per_region)
        out["build_seconds"] = round(built.build_seconds, 1)
        aws.set_latency(LATENCY_SECONDS)
        base = {
            "accounts": built.member_account_ids,
            "role_name": built.role_name,
            "regions": regions,
            "endpoint_url": aws.endpoint_url,
        }
        targets = [(a, r) for a in built.member_account_ids for r in regions]

        aws.reset_calls()
        free = _scan(aws, base)
        calls = aws.calls()
        per_target = list(aws.calls_by_target(targets).values())
        free["calls"] = sum(calls.values())
        free["bound_seconds"] = round(lower_bound(per_target, accounts, LATENCY_SECONDS, None), 3)
        out["free"] = free
        out["calls_by_operation"] = dict(sorted(calls.items()))
        out["calls_per_endpoint"] = round(free["calls"] / free["endpoints"], 3) if free["endpoints"] else None

        bound = lower_bound(per_target, accounts, LATENCY_SECONDS, 1.0)
        runs = [("limited", {})]
        if not smoke and accounts <= COMPARE_MAX_ACCOUNTS:
            runs += [("per_client", {"_pace_per_client": True}), ("fixed", _FIXED)]
        for name, extra in runs:
            aws.set_rate_limits(1.0)
            aws.reset_calls()
            run = _scan(aws, {**base, **extra})
            run["throttled_calls"] = aws.throttled()
            run["calls_received"] = sum(aws.calls().values())
            run["bound_seconds"] = round(bound, 3)
            aws.set_rate_limits(None)
            out[name] = run
    for name in RUNS:
        run = out.get(name)
        if run is not None:
            run["wall_over_bound"] = round(run["wall_seconds"] / run["bound_seconds"], 2)
            worst = max(run["bound_seconds"], run["machine_bound_seconds"])
            run["wall_over_max_bound"] = round(run["wall_seconds"] / worst, 2)
            calls = run.get("calls_received", run.get("calls")) or 1
            run["scanner_cpu_ms_per_call"] = round(1000 * run["scanner_cpu_seconds"] / calls, 2)
            run["server_cpu_ms_per_call"] = round(1000 * run["server_cpu_seconds"] / calls, 2)
    return out


RUNS = {
    "free": "no limits",
    "limited": "rate limits, adaptive",
    "per_client": "rate limits, adaptive, paced per client",
    "fixed": "rate limits, fixed 8x4",
}
# The comparisons (pacing per client: botocore's one rate limiter per client and AIMD per service; and
# the fixed concurrency before issue 17) run on the estates small enough to be rate-bound rather than
# CPU-bound here (200x2x10 fixed took 333 s on 2026-12-02, 2.9x the adaptive scan: see README).
COMPARE_MAX_ACCOUNTS = 10

# The concurrency before issue 17: 4 calls per (account, region, service), 8 targets at a time.
_FIXED: dict[str, Any] = {
    "adaptive_concurrency": False,
    "max_workers": 8,
    "per_service_concurrency": 4,
    "_pace_per_client": True,
}


def _organization(smoke: bool) -> dict[str, Any]:
    sample = ORG_SAMPLE_SMOKE if smoke else ORG_SAMPLE
    measured = _measure_estate(sample, 1, 2, smoke=True)
    factor = ORG_ACCOUNTS / sample
    limited = measured["limited"]
    with LocalAwsProcess() as aws:  # the per-target calls of one account of the sample, for the bound
        built = aws.build(1, REGION_NAMES[:1], 2)
        aws.reset_calls()
        _scan(
            aws,
            {
                "accounts": built.member_account_ids,
                "role_name": built.role_name,
                "regions": REGION_NAMES[:1],
                "endpoint_url": aws.endpoint_url,
            },
        )
        ops = aws.calls_by_target([(built.member_account_ids[0], REGION_NAMES[0])])
    per_target = list(ops.values()) * ORG_ACCOUNTS
    bound = lower_bound(per_target, ORG_ACCOUNTS, LATENCY_SECONDS, 1.0)
    wall = limited["wall_seconds"] * factor
    return {
        "size": f"{ORG_ACCOUNTS}x1x2 (extrapolated from {sample}x1x2)",
        "sample": measured,
        "calls_extrapolated": round(measured["free"]["calls"] * factor),
        "calls_per_endpoint": measured["calls_per_endpoint"],
        "wall_seconds_extrapolated": round(wall, 1),
        "bound_seconds": round(bound, 3),
        "wall_over_bound_extrapolated": round(wall / bound, 2),
        "peak_rss_mb_sample": limited["peak_rss_mb"],
    }


def run(smoke: bool) -> dict[str, Any]:
    """Every estate free, rate-limited and (full runs) with the old fixed concurrency; then 1,000 accounts."""
    sizes = SMOKE_SIZES if smoke else FULL_SIZES
    estates = [_measure_estate(a, r, e, smoke) for a, r, e in sizes]
    return {
        "latency_seconds": LATENCY_SECONDS,
        "target_ratio": TARGET_RATIO,
        "estates": estates,
        "organization": _organization(smoke),
        "bound_note": "rate limits: auditor.emulator.ratelimits defaults (SageMaker, STS, Organizations "
        "figures assumed)",
    }


def section(record: dict[str, Any]) -> str:
    """The benchmark table (benchmarks/tables.py calls it)."""
    res = record["results"]
    rows = []
    for e in res["estates"]:
        for name in RUNS:
            r = e.get(name)
            if r is None:
                continue
            rows.append(
                [
                    e["size"],
                    RUNS[name],
                    e["calls_per_endpoint"],
                    r["wall_seconds"],
                    r["bound_seconds"],
                    r["wall_over_bound"],
                    r.get("machine_bound_seconds", "?"),
                    r.get("wall_over_max_bound", "?"),
                    f"{r.get('scanner_cpu_ms_per_call', '?')} / {r.get('server_cpu_ms_per_call', '?')}",
                    r.get("throttled_calls", 0),
                    r["scan_errors"],
                    r["peak_rss_mb"],
                ]
            )
    org = res["organization"]
    rows.append(
        [
            org["size"],
            "rate limits, adaptive",
            org["calls_per_endpoint"],
            f"~{org['wall_seconds_extrapolated']} (extrapolated)",
            org["bound_seconds"],
            f"~{org['wall_over_bound_extrapolated']} (extrapolated)",
            "",
            "",
            "",
            org["sample"]["limited"]["throttled_calls"],
            org["sample"]["limited"]["scan_errors"],
            f"{org['peak_rss_mb_sample']} (sample)",
        ]
    )
    header = [
        "estate",
        "run",
        "calls / endpoint",
        "wall s",
        "bound s",
        "wall ÷ bound",
        "machine bound s",
        "wall ÷ max(bounds)",
        "CPU ms / call: scanner / local AWS",
        "throttled",
        "scan errors",
        "peak RSS MB",
    ]
    lines = [
        "### 7. Organization scale: wall time against the bound (`org_bench.py`)",
        "",
        f"Latency {res['latency_seconds'] * 1000:.0f} ms per call; {res['bound_note']}. "
        "Noisy: the CPUs are shared; compare ratios within one run. *bound*: the rate limits and latency "
        "(an ideal scanner); *machine bound*: the CPU the scanner and the local AWS measurably spent in "
        "that run, max(sum ÷ cores, either process's own: each runs Python on one core at a time).",
        "",
    ]
    from tables import _machine, _table

    return "\n".join(lines) + _table(header, rows) + "\n\n" + _machine(record)
