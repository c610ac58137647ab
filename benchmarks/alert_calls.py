"""Calls per endpoint of a fast-path scan on the scale estates, counted by the local AWS (no latency).

Measures what reading the alert paths (EventBridge rules, SNS topics) adds to a scan: run it on this
checkout, and on the code before (``PYTHONPATH=<older checkout> python benchmarks/alert_calls.py``),
and compare. The estates are the small scan-benchmark estates (``scan_bench.FULL_SIZES`` without the
largest): 1x1x100 and 10x2x50 (member accounts x regions x endpoints per region).
"""

from __future__ import annotations

import sys

from auditor.api import scan
from auditor.emulator import LocalAws
from auditor.emulator.estate import EstateSpec, build_estate
from auditor.scan.options import ScanOptions

SIZES = ((1, ("us-east-1",), 100), (10, ("us-east-1", "eu-west-1"), 50))


def main() -> int:
    for accounts, regions, per_region in SIZES:
        aws = LocalAws.start()
        try:
            estate = build_estate(
                aws, EstateSpec(accounts=accounts, regions=regions, endpoints_per_region=per_region)
            )
            aws.faults.reset_calls()
            options = ScanOptions(
                accounts=estate.member_account_ids,
                regions=estate.regions,
                endpoint_url=aws.endpoint_url,
                role_name=estate.role_name,
            )
            inventory = scan(options, session=aws.session())
            calls = aws.faults.calls()
            total = sum(calls.values())
            alerting = {k: v for k, v in sorted(calls.items()) if k.startswith(("events:", "sns:"))}
            endpoints = len(inventory.endpoints)
            print(
                f"{accounts}x{len(regions)}x{per_region}: {endpoints} endpoints, {total} calls, "
                f"{total / endpoints:.3f} per endpoint; alert paths: {alerting or 'none'}; "
                f"scan errors: {len(inventory.errors)}"
            )
        finally:
            aws.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
