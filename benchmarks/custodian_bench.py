"""Benchmark 2: Cloud Custodian (c7n-org) listing the endpoints vs this auditor's full scan, side by side.

Same local AWS, same estate, same injected latency. Custodian runs from its own virtual environment
under /tmp (created here on first use with ``pip install c7n c7n-org``; never part of this project's
dependencies) and reaches the local AWS through ``AWS_ENDPOINT_URL``, which botocore honours for every
client, STS included. ``c7n-org run --cache-period 0`` enters every account through the same read-only
role (its accounts file names it), in every region, with the policy ``resource: aws.sagemaker-endpoint``
and no filters: it lists the endpoints (ListEndpoints, then DescribeEndpoint and ListTags per endpoint)
and nothing else: no monitors, job definitions or alarms.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from localaws_proc import LocalAwsProcess
from scan_bench import LATENCY_SECONDS, REGION_NAMES, measure_scan

VENV = Path(tempfile.gettempdir()) / "mm-auditor-bench-c7n"
SIZE = (2, 1, 100)  # the estate of issue 17: 2 accounts x 100 endpoints (about 2 monitors each)
TARGET_SPEEDUP = 3.0  # issue 17: at least 3x faster than c7n-org without rate limits, 50 ms per call
POLICY = {"policies": [{"name": "sagemaker-endpoints", "resource": "aws.sagemaker-endpoint"}]}


def ensure_venv(venv: Path = VENV) -> tuple[Path | None, str]:
    """The c7n-org executable (installing c7n and c7n-org into ``venv`` if needed), or None and why not."""
    exe = venv / "bin" / "c7n-org"
    if not exe.exists():
        steps = (
            [sys.executable, "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "c7n", "c7n-org"],
        )
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, check=False, timeout=900)
            if done.returncode != 0:
                return None, f"{' '.join(step[:4])} failed: {(done.stderr or done.stdout)[-500:]}"
    versions = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format=json"],
        capture_output=True,
        text=True,
        check=False,
    )
    wanted = {"c7n", "c7n-org", "c7n_org", "boto3", "botocore"}
    found = {p["name"]: p["version"] for p in json.loads(versions.stdout or "[]") if p["name"] in wanted}
    return exe, ", ".join(f"{k} {v}" for k, v in sorted(found.items()))


def _run_custodian(
    exe: Path,
    aws: LocalAwsProcess,
    accounts: tuple[str, ...],
    regions: tuple[str, ...],
    role: str,
    workdir: Path,
) -> dict[str, Any]:
    config = {
        "accounts": [
            {
                "account_id": a,
                "name": f"member-{a}",
                "regions": list(regions),
                "role": f"arn:aws:iam::{a}:role/{role}",
            }
            for a in accounts
        ]
    }
    (workdir / "accounts.json").write_text(json.dumps(config), encoding="utf-8")
    (workdir / "policy.json").write_text(json.dumps(POLICY), encoding="utf-8")
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": aws.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    env.pop("AWS_PROFILE", None)
    out = workdir / "out"
    command = [
        str(exe),
        "run",
        "-c",
        str(workdir / "accounts.json"),
        "-u",
        str(workdir / "policy.json"),
        "-s",
        str(out),
        "--cache-period",
        "0",
    ]
    aws.reset_calls()
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=1800)
    wall = time.perf_counter() - started
    calls = aws.calls()
    listed = 0
    for found in out.glob("*/*/sagemaker-endpoints/resources.json"):
        listed += len(json.loads(found.read_text(encoding="utf-8")))
    return {
        "command": "c7n-org run -c accounts.json -u policy.json -s out --cache-period 0",
        "exit_code": done.returncode,
        "stderr_tail": done.stderr[-600:] if done.returncode else "",
        "wall_seconds": round(wall, 3),
        "api_calls_total": sum(calls.values()),
        "api_calls_by_operation": dict(sorted(calls.items())),
        "endpoints_listed": listed,
        "collects": "endpoints (ListEndpoints, DescribeEndpoint, ListTags)",
        "parallelism": "c7n-org default (C7N_ORG_PARALLEL unset: cpu_count x 4 worker processes)",
    }


def run(latency: float = LATENCY_SECONDS) -> dict[str, Any]:
    """Custodian and the auditor on one 2 x 1 x 100 estate; or why Custodian could not run."""
    accounts, n_regions, per_region = SIZE
    regions = REGION_NAMES[:n_regions]
    exe, versions = ensure_venv()
    record: dict[str, Any] = {
        "size": f"{accounts}x{n_regions}x{per_region}",
        "latency_seconds": latency,
        "venv": str(VENV),
    }
    if exe is None:
        record["custodian_error"] = versions
        return record
    record["custodian_versions"] = versions
    with (
        LocalAwsProcess() as aws,
        tempfile.TemporaryDirectory(prefix="bench-c7n-") as tmp,
    ):
        built = aws.build(accounts, regions, per_region)
        aws.set_latency(latency)
        record["custodian"] = _run_custodian(
            exe, aws, built.member_account_ids, regions, built.role_name, Path(tmp)
        )
        record["auditor"] = measure_scan(
            aws, built.member_account_ids, regions, built.role_name, True, latency
        )
    record["speedup"] = round(record["custodian"]["wall_seconds"] / record["auditor"]["wall_seconds"], 2)
    record["target_speedup"] = TARGET_SPEEDUP
    return record
