"""What proving the signal costs: API calls per endpoint and per (account, region) of a full scan.

Runs one scan (fast path) of small synthetic estates (``EstateSpec(endpoints_per_region=...)``, the mix
of ``scan_bench.py``) against an in-process local AWS, and prints the calls by operation as JSON. Run it
on two checkouts to compare them, e.g. before and after a change::

    PYTHONPATH=/path/to/other/checkout python benchmarks/signal_bench.py --label before
    python benchmarks/signal_bench.py --label after
    python benchmarks/signal_bench.py --label after-no-s3 --no-s3     (when the checkout has --no-s3)
    python benchmarks/signal_bench.py --label after-no-search --no-search   (the List / Describe path)

Calls are the scanner's own count (``ScanMetadata.api_calls``), STS included.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from typing import Any

# (member accounts, regions, endpoints per region)
SIZES: tuple[tuple[int, int, int], ...] = ((1, 1, 20), (2, 2, 10), (1, 1, 100))
REGION_NAMES = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2")


def measure(
    accounts: int, regions: int, per_region: int, *, no_s3: bool, no_search: bool = False
) -> dict[str, Any]:
    from auditor.emulator import LocalAws
    from auditor.emulator.estate import EstateSpec, build_estate
    from auditor.scan.options import ScanOptions
    from auditor.scan.orchestrator import scan

    aws = LocalAws.start()
    try:
        aws.reset()
        spec = EstateSpec(accounts=accounts, regions=REGION_NAMES[:regions], endpoints_per_region=per_region)
        estate = build_estate(aws, spec)
        values: dict[str, Any] = {
            "accounts": estate.member_account_ids,
            "regions": estate.regions,
            "endpoint_url": aws.endpoint_url,
            "role_name": estate.role_name,
        }
        if no_s3:
            if "use_s3" not in {f.name for f in dataclasses.fields(ScanOptions)}:
                raise SystemExit("this checkout has no --no-s3")
            values["use_s3"] = False
        if no_search:
            values["use_search"] = False
        inventory = scan(ScanOptions(**values))
    finally:
        aws.stop()
    calls = inventory.metadata.api_calls
    endpoints = len(inventory.endpoints)
    targets = accounts * regions
    return {
        "size": f"{accounts}x{regions}x{per_region}",
        "endpoints": endpoints,
        "monitors": len(inventory.monitors),
        "targets": targets,
        "calls": sum(calls.values()),
        "calls_per_endpoint": round(sum(calls.values()) / endpoints, 3),
        "by_operation": calls,
        "errors": len(inventory.errors),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--label", default="this checkout")
    parser.add_argument("--no-s3", action="store_true")
    parser.add_argument("--no-search", action="store_true")
    args = parser.parse_args(argv)
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1"
    )
    os.environ.pop("AWS_PROFILE", None)
    rows = [measure(a, r, n, no_s3=args.no_s3, no_search=args.no_search) for a, r, n in SIZES]
    print(
        json.dumps(
            {"label": args.label, "no_s3": args.no_s3, "no_search": args.no_search, "rows": rows},
            indent=2,
            sort_keys=True,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
