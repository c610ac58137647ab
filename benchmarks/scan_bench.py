"""Benchmark 1: scan cost (API calls) and speed (wall time against a lower bound) at organization scale.

The local AWS runs in its own process (``localaws_proc``) with a fixed latency injected into every call;
the scanner runs here, exactly as ``auditor scan --accounts ... --regions ...`` would.

The lower bound is derived from what the scanner can overlap (auditor/scan/orchestrator.py, region.py):

* GetCallerIdentity, then AssumeRole into every account, ``max_workers`` accounts at a time;
* then ``max_workers`` (account, region) targets at a time; inside one target the phases run one after the
  other: paginated listings (Search, ListEndpoints, ListMonitoringSchedules, the four List*JobDefinitions,
  DescribeAlarms, ListEventBuses, ListRules per bus) one page at a time, and the per-resource calls with
  ``per_service_concurrency`` calls in flight (DescribeEndpoint + ListTags and DescribeMonitoringSchedule
  + ListTags are two calls in a row per resource; ListTargetsByRule per alarm rule and
  GetTopicAttributes per topic are one call each).

So one target needs at least ``L_t = sequential pages + sum over phases of ceil(items / psc) x calls per
item`` latencies, and the whole scan at least ``1 + ceil(accounts / W) + max(max_t L_t, sum_t L_t / W)``
latencies. Effective concurrency = total calls / that number. The naive bound ``calls x latency /
(min(W, targets) x psc)`` is reported beside it.
"""

from __future__ import annotations

import cProfile
import math
import os
import pstats
import threading
import time
from pathlib import Path
from typing import Any

from localaws_proc import LocalAwsProcess

LATENCY_SECONDS = 0.05

# (accounts, regions, endpoints per region)
FULL_SIZES: tuple[tuple[int, int, int], ...] = ((1, 1, 100), (10, 2, 50), (50, 2, 40))
SMOKE_SIZES: tuple[tuple[int, int, int], ...] = ((1, 1, 8), (2, 2, 4))
# One large region, counted without latency: where the fixed per-region calls stop mattering.
CALLS_ONLY_ENDPOINTS = 1000
CALLS_ONLY_SMOKE = 10
# The smallest estate again at a latency that dwarfs per-call CPU: does the scan then reach its bound?
CONTROL_LATENCY_SECONDS = 0.2
REGION_NAMES = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2")

_SEQUENTIAL_PAGES = frozenset(
    {
        "sagemaker:Search",
        "sagemaker:ListEndpoints",
        "sagemaker:ListMonitoringSchedules",
        "sagemaker:ListDataQualityJobDefinitions",
        "sagemaker:ListModelQualityJobDefinitions",
        "sagemaker:ListModelBiasJobDefinitions",
        "sagemaker:ListModelExplainabilityJobDefinitions",
        "cloudwatch:DescribeAlarms",
        "events:ListEventBuses",
        "events:ListRules",
        "cloudwatch:ListMetrics",  # one listing per Model Monitor namespace in use, one after another
        "sagemaker:ListProcessingJobs",  # the executions' job durations (cost view): pages one after another
        "pricing:GetProducts",  # once per scan per (region, instance type), one after another (hub only)
        "sagemaker:ListInferenceComponents",  # region-wide pages, only where a variant names no model
    }
)
# One call per item with per_service_concurrency in flight (rule targets, then topics; the models Search
# did not return, after the endpoint configs; the alerts of the schedules Search's model records lack).
_SINGLE_CALL_PHASES = (
    "events:ListTargetsByRule",
    "sns:GetTopicAttributes",
    "sagemaker:DescribeModel",
    "sagemaker:ListMonitoringAlerts",
)
# One per schedule with per_service_concurrency in flight, or region-wide pages one after another: at
# least ceil(n / psc) latencies either way.
_EXECUTION_LISTINGS = "sagemaker:ListMonitoringExecutions"
# The newest object under each capture / ground-truth prefix: prefixes at per_service_concurrency in flight
# (usually one call each): at least ceil(n / psc) latencies.
_S3_LISTINGS = "s3:ListObjectsV2"
_JOB_DEFINITION_DESCRIBES = frozenset(
    {
        "sagemaker:DescribeDataQualityJobDefinition",
        "sagemaker:DescribeModelQualityJobDefinition",
        "sagemaker:DescribeModelBiasJobDefinition",
        "sagemaker:DescribeModelExplainabilityJobDefinition",
    }
)
_PAIRED_WITH_LIST_TAGS = ("sagemaker:DescribeEndpoint", "sagemaker:DescribeMonitoringSchedule")
_KNOWN = (
    _SEQUENTIAL_PAGES
    | _JOB_DEFINITION_DESCRIBES
    | set(_PAIRED_WITH_LIST_TAGS)
    | {"sagemaker:ListTags", "sagemaker:DescribeEndpointConfig", _EXECUTION_LISTINGS, _S3_LISTINGS}
    | set(_SINGLE_CALL_PHASES)
)


def target_critical_path(ops: dict[str, int], psc: int) -> tuple[int, list[str]]:
    """Latencies one (account, region) needs at least, and the operations the model does not know."""
    rounds = sum(n for op, n in ops.items() if op in _SEQUENTIAL_PAGES)
    for op in _PAIRED_WITH_LIST_TAGS:
        rounds += 2 * math.ceil(ops.get(op, 0) / psc)
    rounds += math.ceil(ops.get("sagemaker:DescribeEndpointConfig", 0) / psc)
    for op in _SINGLE_CALL_PHASES:
        rounds += math.ceil(ops.get(op, 0) / psc)
    rounds += math.ceil(ops.get(_EXECUTION_LISTINGS, 0) / psc)
    rounds += math.ceil(ops.get(_S3_LISTINGS, 0) / psc)
    rounds += math.ceil(sum(ops.get(op, 0) for op in _JOB_DEFINITION_DESCRIBES) / psc)
    unknown = sorted(op for op in ops if op not in _KNOWN)
    rounds += sum(ops[op] for op in unknown)  # unmodelled: assume no overlap (and say so)
    return rounds, unknown


def scan_lower_bound(
    per_target: dict[tuple[str, str], dict[str, int]], accounts: int, workers: int, psc: int
) -> tuple[int, list[str]]:
    """Latencies the whole scan needs at least (see the module docstring)."""
    paths: list[int] = []
    unknown: set[str] = set()
    for ops in per_target.values():
        rounds, odd = target_critical_path(ops, psc)
        paths.append(rounds)
        unknown.update(odd)
    body = max(max(paths, default=0), math.ceil(sum(paths) / workers))
    return 1 + math.ceil(accounts / workers) + body, sorted(unknown)


def local_session() -> Any:
    """The management account's session of the local AWS (moto accepts any key), passed to the scan:
    the process environment is never touched."""
    import boto3

    return boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )


def _options(
    aws: LocalAwsProcess, members: tuple[str, ...], regions: tuple[str, ...], role: str, search: bool
) -> Any:
    from auditor.scan.options import ScanOptions

    return ScanOptions(
        accounts=members, role_name=role, regions=regions, endpoint_url=aws.endpoint_url, use_search=search
    )


def measure_scan(
    aws: LocalAwsProcess,
    members: tuple[str, ...],
    regions: tuple[str, ...],
    role: str,
    search: bool,
    latency: float,
    *,
    time_link: bool = False,
) -> dict[str, Any]:
    """Scan the estate once and measure calls (as the local AWS counted them), wall and CPU time.
    ``time_link`` also times ``relations.link`` on the result (it is idempotent), part of the scan's CPU."""
    from auditor.api import scan
    from auditor.inventory.relations import link

    options = _options(aws, members, regions, role, search)
    aws.reset_calls()
    server_cpu0 = aws.cpu_seconds()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    inventory = scan(options, session=local_session())
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    server_cpu = aws.cpu_seconds() - server_cpu0
    calls = aws.calls()
    per_target = aws.calls_by_target([(a, r) for a in members for r in regions])
    link_cpu = None
    if time_link:
        c0 = time.process_time()
        link(inventory)
        link_cpu = round(time.process_time() - c0, 3)
    total = sum(calls.values())
    endpoints = len(inventory.endpoints)
    monitors = len(inventory.monitors)
    k = monitors / endpoints if endpoints else 0.0
    targets = len(members) * len(regions)
    # With adaptive concurrency psc is where each (account, region, service) starts (it may grow to 16),
    # so this structural bound assumes the starting concurrency.
    workers, psc = options.targets_in_flight(len(regions)), options.per_service_concurrency
    bound_calls, unknown = scan_lower_bound(per_target, len(members), workers, psc)
    lower = bound_calls * latency
    naive_concurrency = min(workers, targets) * psc
    naive = total * latency / naive_concurrency
    # Each process is one interpreter (one GIL): it cannot use more than one core for Python code, and
    # both together cannot use more than the machine has.
    cpu_bound = max(lower, cpu, server_cpu, (cpu + server_cpu) / len(os.sched_getaffinity(0)))
    per_resource = calls.get("sagemaker:DescribeEndpointConfig", 0) + sum(
        calls.get(op, 0) for op in _JOB_DEFINITION_DESCRIBES
    )
    return {
        "mode": "fast" if search else "no-search",
        "endpoints": endpoints,
        "monitors": monitors,
        "job_definitions": len(inventory.job_definitions),
        "alarms": len(inventory.alarms),
        "scan_errors": len(inventory.errors),
        "k_monitors_per_endpoint": round(k, 3),
        "api_calls_total": total,
        "api_calls_per_endpoint": round(total / endpoints, 3) if endpoints else None,
        "api_calls_per_endpoint_target": round(1 + k + 0.05, 3),
        "api_calls_by_operation": dict(sorted(calls.items())),
        "api_calls_counted_by_scanner": sum(inventory.metadata.api_calls.values()),
        "describe_calls_per_endpoint": round(per_resource / endpoints, 3) if endpoints else None,
        "fixed_calls_per_endpoint": round((total - per_resource) / endpoints, 3) if endpoints else None,
        "wall_seconds": round(wall, 3),
        "scanner_cpu_seconds": round(cpu, 3),
        "server_cpu_seconds": round(server_cpu, 3),
        "max_workers": workers,
        "per_service_concurrency": psc,
        "targets": targets,
        "lower_bound_latencies": bound_calls,
        "effective_concurrency": round(total / bound_calls, 2) if bound_calls else None,
        "lower_bound_seconds": round(lower, 3),
        "ratio_to_lower_bound": round(wall / lower, 2) if lower else None,
        "naive_concurrency": naive_concurrency,
        "naive_lower_bound_seconds": round(naive, 3),
        "ratio_to_naive_lower_bound": round(wall / naive, 2) if naive else None,
        "scanner_cpu_ms_per_call": round(1000 * cpu / total, 2) if total else None,
        "server_cpu_ms_per_call": round(1000 * server_cpu / total, 2) if total else None,
        "cpu_aware_bound_seconds": round(cpu_bound, 3),
        "ratio_to_cpu_aware_bound": round(wall / cpu_bound, 2) if cpu_bound else None,
        "relations_link_cpu_seconds": link_cpu,
        "unmodelled_operations": unknown,
    }


def profile_scan(
    aws: LocalAwsProcess, members: tuple[str, ...], regions: tuple[str, ...], role: str
) -> dict[str, Any]:
    """Where the scanner's own CPU goes: one fast-path scan under cProfile, every thread, CPU clock."""
    from auditor.api import scan

    profiles: list[cProfile.Profile] = []

    def start_thread_profile(*_: Any) -> None:
        # Called once at the start of each new thread; the profile it enables replaces this hook.
        profile = cProfile.Profile(time.thread_time)
        profiles.append(profile)
        profile.enable()

    options = _options(aws, members, regions, role, True)
    main = cProfile.Profile(time.thread_time)
    threading.setprofile(start_thread_profile)
    try:
        session = local_session()
        main.enable()
        scan(options, session=session)
        main.disable()
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]
    for profile in profiles:
        profile.disable()
    stats = pstats.Stats(main)
    for profile in profiles:
        stats.add(profile)
    entries: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_, _, tt, _, _) in entries.values())

    def cumulative(file_part: str, function: str) -> float:
        return sum(
            ct for (f, _, fn), (_, _, _, ct, _) in entries.items() if file_part in f and fn == function
        )

    api = cumulative("botocore/client.py", "_make_api_call")
    linking = cumulative("auditor/inventory/relations.py", "link")
    top = sorted(entries.items(), key=lambda item: -item[1][2])[:12]
    return {
        "estate": f"{len(members)} account(s) x {len(regions)} region(s), fast path, cProfile, all threads",
        "profiled_thread_cpu_seconds": round(total, 3),
        "in_boto3_api_calls_seconds": round(api, 3),
        "in_relations_link_seconds": round(linking, 3),
        "top_functions_by_own_cpu": [
            {"function": f"{Path(f).name}:{line}({fn})", "own_cpu_seconds": round(tt, 3), "calls": nc}
            for (f, line, fn), (_, nc, tt, _, _) in top
        ],
    }


def run(smoke: bool, latency: float = LATENCY_SECONDS) -> dict[str, Any]:
    """Build each estate in a fresh local AWS process and scan it on the fast path and with --no-search;
    then count the calls of one large region (no latency) and profile the scanner's CPU."""
    sizes = SMOKE_SIZES if smoke else FULL_SIZES
    results: list[dict[str, Any]] = []
    profile: dict[str, Any] | None = None
    control: dict[str, Any] | None = None
    for accounts, n_regions, per_region in sizes:
        regions = REGION_NAMES[:n_regions]
        with LocalAwsProcess() as aws:
            built = aws.build(accounts, regions, per_region)
            aws.set_latency(latency)
            results.append(
                {
                    "size": f"{accounts}x{n_regions}x{per_region}",
                    "accounts": accounts,
                    "regions": list(regions),
                    "endpoints_per_region": per_region,
                    "build_seconds": round(built.build_seconds, 2),
                    "runs": [
                        measure_scan(aws, built.member_account_ids, regions, built.role_name, s, latency)
                        for s in (True, False)
                    ],
                }
            )
            if profile is None:  # the smallest estate: the profiler's overhead stays small
                aws.set_latency(CONTROL_LATENCY_SECONDS)
                control = measure_scan(
                    aws, built.member_account_ids, regions, built.role_name, True, CONTROL_LATENCY_SECONDS
                )
                control["size"] = results[-1]["size"]
                aws.set_latency(0.0)
                profile = profile_scan(aws, built.member_account_ids, regions, built.role_name)
    per_region = CALLS_ONLY_SMOKE if smoke else CALLS_ONLY_ENDPOINTS
    with LocalAwsProcess() as aws:
        built = aws.build(1, REGION_NAMES[:1], per_region)
        calls_only = measure_scan(
            aws, built.member_account_ids, built.regions, built.role_name, True, 0.0, time_link=True
        )
        calls_only["size"] = f"1x1x{per_region}"
    return {
        "latency_seconds": latency,
        "sizes": results,
        "calls_only_large_region": calls_only,
        "control_high_latency": control,
        "profile": profile,
    }
