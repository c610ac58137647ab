"""Benchmark 8: peak memory of a whole run -- scan, evaluate and the reports -- as endpoints grow.

Each measurement runs in a fresh spawned process; memory is its peak RSS (VmHWM, as in eval_bench.py).
The reports are the default formats (report.json and report.html, with inventory.json and run.json:
what ``auditor scan`` writes without ``--format``).

* **scan + evaluate + reports** (``api.run``: the scan against the local AWS in its own process, no
  latency, then the judgement and the reports written to a temporary folder, no history): the whole of
  ``auditor scan`` at ``SCAN_ESTATE`` (2 accounts x 2 regions x 5,000: 20,000 endpoints).
* **evaluate + reports** of a synthetic inventory (``synthetic.build_inventory``: the records a scan of
  the local AWS produces, built directly) at each of ``SYNTHETIC_SIZES`` -- ``api.write``, i.e. ``auditor
  evaluate`` without reading the file. Sizes in ``EXTRAPOLATED`` beyond the largest measured one are
  extrapolated linearly from the two largest measured ones, and marked so.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from localaws_proc import LocalAwsProcess

SCAN_ESTATE = (2, 2, 5000)  # accounts x regions x endpoints per region: 20,000 endpoints
# A smaller scan estate for a machine where the local AWS cannot serve 5,000 endpoints per region in time
# (its listings grow faster than linearly there): e.g. MM_BENCH_SCAN_ESTATE=1x1x2000.
_OVERRIDE = os.environ.get("MM_BENCH_SCAN_ESTATE", "")
if _OVERRIDE:
    _a, _r, _e = (int(x) for x in _OVERRIDE.lower().split("x"))
    SCAN_ESTATE = (_a, _r, _e)
SCAN_ESTATE_SMOKE = (1, 1, 20)
SYNTHETIC_SIZES = (5_000, 20_000, 100_000)
SYNTHETIC_SIZES_SMOKE = (100, 200)
EXTRAPOLATED = (20_000, 100_000)
LIMIT_MB = 2048
REGION_NAMES = ("us-east-1", "eu-west-1")


def _vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _settings(out: Path, scan: dict[str, Any] | None) -> Any:
    from auditor.history import RunSource
    from auditor.settings import HistoryFlags, OutputFlags, resolve

    return resolve(
        None,
        output=OutputFlags(output_dir=out),
        history=HistoryFlags(history_path="none"),
        scan=scan,
        source=RunSource.SCAN if scan is not None else RunSource.EVALUATE,
    )


def _child(args: dict[str, Any]) -> dict[str, Any]:
    """Runs in a spawned process: one whole run, and its peak memory."""
    import boto3

    from auditor import api

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        started = time.perf_counter()
        if args.get("scan") is not None:
            session = boto3.Session(
                aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
            )
            outcome = api.run(_settings(out, args["scan"]), session=session)
            inventory = outcome.inventory
            assert inventory is not None
            after_build = None
        else:
            from synthetic import build_inventory

            inventory = build_inventory(int(args["endpoints"]))
            after_build = _vm_hwm_mb()
            outcome = api.write(inventory, _settings(out, None), started_at=api.now())
        wall = time.perf_counter() - started
        sizes = {p.name: p.stat().st_size for p in out.iterdir() if p.is_file()}
        return {
            "endpoints": len(inventory.endpoints),
            "monitors": len(inventory.monitors),
            "findings": len(outcome.result.findings),
            "scan_errors": len(inventory.errors),
            "wall_seconds": round(wall, 1),
            "peak_rss_after_inventory_mb": after_build,
            "peak_rss_mb": _vm_hwm_mb(),
            "files_mb": {name: round(n / 1e6, 1) for name, n in sorted(sizes.items())},
        }


def _in_child(args: dict[str, Any]) -> dict[str, Any]:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_child, args).result()


def _scan_run(smoke: bool) -> dict[str, Any]:
    accounts, n_regions, per_region = SCAN_ESTATE_SMOKE if smoke else SCAN_ESTATE
    regions = REGION_NAMES[:n_regions]
    with LocalAwsProcess() as aws:
        built = aws.build(accounts, regions, per_region)
        flags = {
            "accounts": ",".join(built.member_account_ids),
            "regions": ",".join(regions),
            "role_name": built.role_name,
            "endpoint_url": aws.endpoint_url,
        }
        result = _in_child({"scan": flags})
    result["what"] = f"scan + evaluate + reports, {accounts}x{n_regions}x{per_region}"
    result["build_seconds"] = round(built.build_seconds, 1)
    return result


def run(smoke: bool) -> dict[str, Any]:
    """The whole run at the scan size, then evaluate + reports of synthetic inventories, extrapolated."""
    scan = _scan_run(smoke)
    synthetic = []
    for n in SYNTHETIC_SIZES_SMOKE if smoke else SYNTHETIC_SIZES:
        measured = _in_child({"endpoints": n})
        measured["what"] = f"evaluate + reports, synthetic {n}"
        synthetic.append(measured)
    (n1, m1), (n2, m2) = [(s["endpoints"], s["peak_rss_mb"]) for s in synthetic[-2:]]
    slope = (m2 - m1) / (n2 - n1)
    extrapolated = [
        {"endpoints": n, "peak_rss_mb": round(m2 + slope * (n - n2), 0), "extrapolated_from": [n1, n2]}
        for n in EXTRAPOLATED
        if n > n2
    ]
    return {
        "limit_mb": LIMIT_MB,
        "scan": scan,
        "synthetic": synthetic,
        "mb_per_1000_endpoints": round(slope * 1000, 1),
        "extrapolated": extrapolated,
    }


def section(record: dict[str, Any]) -> str:
    """The benchmark table (benchmarks/tables.py calls it)."""
    from tables import _machine, _table

    res = record["results"]
    rows: list[list[object]] = []
    for r in [res["scan"], *res["synthetic"]]:
        rows.append(
            [r["what"], r["endpoints"], r["findings"], r["wall_seconds"], r["peak_rss_mb"], "measured"]
        )
    for r in res["extrapolated"]:
        lo, hi = r["extrapolated_from"]
        ok = r["peak_rss_mb"] <= res["limit_mb"]
        rows.append(
            [
                "evaluate + reports",
                r["endpoints"],
                "",
                "",
                r["peak_rss_mb"],
                f"extrapolated from {lo} and {hi} ({'under' if ok else '**over**'} {res['limit_mb']} MB)",
            ]
        )
    header = ["run", "endpoints", "findings", "wall s", "peak RSS MB", "how"]
    intro = (
        "### 8. Memory: scan + evaluate + reports (`memory_bench.py`)\n\n"
        f"Peak RSS of one process; {res['mb_per_1000_endpoints']} MB per 1,000 endpoints between the two "
        "largest synthetic sizes.\n\n"
    )
    return intro + _table(header, rows) + "\n\n" + _machine(record)
