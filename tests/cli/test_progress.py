"""Progress where there is no terminal (CI logs): a line every few seconds on stderr, only when something
changed, none with --quiet."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.cli.run_cmds import PROGRESS_INTERVAL_SECONDS, PeriodicProgress
from auditor.emulator import LocalAws
from auditor.emulator.server import MANAGEMENT_ACCOUNT_ID
from auditor.scan.progress import ScanProgress

LATENCY = 1.5  # seconds per call: a region's collectors overlap, but about 6 calls still follow each other


def _progress(calls: int, done: int = 0) -> ScanProgress:
    return ScanProgress(
        accounts_total=1, accounts_done=done, targets_total=1, targets_done=done, api_calls=calls, errors=0
    )


def test_a_line_at_most_every_interval_and_only_on_change(capsys: pytest.CaptureFixture[str]) -> None:
    now = [100.0]
    printer = PeriodicProgress(5.0, clock=lambda: now[0])
    printer(_progress(1))  # the start: printed
    now[0] = 101.0
    printer(_progress(7))  # changed, but too soon
    now[0] = 106.0
    printer(_progress(9))  # changed, 6 s later: printed
    now[0] = 120.0
    printer(_progress(9))  # nothing changed: nothing printed, however long it has been
    now[0] = 121.0
    printer(_progress(9, done=1))
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "auditor: scanning: accounts 0/1, regions 0/1, 1 API calls, 0 errors",
        "auditor: scanning: accounts 0/1, regions 0/1, 9 API calls, 0 errors",
        "auditor: scanning: accounts 1/1, regions 1/1, 9 API calls, 0 errors",
    ]


@pytest.fixture(scope="module")
def slow_aws() -> Iterator[LocalAws]:
    aws = LocalAws.start()
    try:
        aws.reset()
        sm = aws.session(None, "us-east-1").client("sagemaker", endpoint_url=aws.endpoint_url)
        sm.create_model(
            ModelName="m",
            ExecutionRoleArn=f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:role/x",
            PrimaryContainer={"Image": "i"},
        )
        variant = {
            "VariantName": "v",
            "ModelName": "m",
            "InstanceType": "ml.m5.large",
            "InitialInstanceCount": 1,
        }
        sm.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[variant])
        sm.create_endpoint(EndpointName="ep", EndpointConfigName="c")
        aws.faults.set_latency(LATENCY)
        yield aws
    finally:
        aws.stop()


def _scan(aws: LocalAws, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUDITOR_"))}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    args = ["scan", "--endpoint-url", aws.endpoint_url, "--regions", "us-east-1", "--format", "json"]
    return subprocess.run(  # stderr is a pipe, as in a CI runner
        [sys.executable, "-m", "auditor", *args, "--output-dir", str(tmp_path / "out"), *extra],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=180,
        check=False,
    )


@pytest.mark.e2e
def test_a_long_scan_prints_progress_lines_to_a_pipe(slow_aws: LocalAws, tmp_path: Path) -> None:
    proc = _scan(slow_aws, tmp_path)
    assert proc.returncode != 2, proc.stderr
    assert "\r" not in proc.stderr  # no in-place rewriting in a log
    lines = [line for line in proc.stderr.splitlines() if line.startswith("auditor: scanning: ")]
    assert len(lines) >= 2, proc.stderr  # the start, then at least one more after PROGRESS_INTERVAL_SECONDS
    assert PROGRESS_INTERVAL_SECONDS <= 5
    assert len(set(lines)) == len(lines)  # only when something changed
    assert lines[0].startswith("auditor: scanning: accounts 0/1, regions 0/1")


@pytest.mark.e2e
def test_quiet_prints_no_progress(slow_aws: LocalAws, tmp_path: Path) -> None:
    proc = _scan(slow_aws, tmp_path, "--quiet")
    assert proc.returncode != 2, proc.stderr
    assert "scanning" not in proc.stderr and proc.stdout == ""
