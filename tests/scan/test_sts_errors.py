"""STS errors on the base credentials, classified: rejected credentials are the user's to fix (exit 2);
STS failing, throttled or unreachable beyond the retries is "incomplete" (exit 3), never "rejected".

The real CLI in a subprocess, against the local AWS over HTTP with its fault injection.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.emulator import LocalAws

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    local = LocalAws.start()
    try:
        local.reset()
        yield local
    finally:
        local.stop()


@pytest.fixture
def faults(aws: LocalAws) -> Iterator[LocalAws]:
    aws.faults.clear()
    aws.faults.reset_calls()
    yield aws
    aws.faults.clear()


def _scan(endpoint_url: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUDITOR_"))}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    args = ["scan", "--endpoint-url", endpoint_url, "--regions", "us-east-1", "--format", "json"]
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args, "--output-dir", str(tmp_path / "out"), *extra],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )


def _one_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


@pytest.mark.parametrize("error", ["InternalFailure", "ThrottlingException"])
def test_a_persistent_transient_sts_error_is_exit_3_not_rejected_credentials(
    faults: LocalAws, tmp_path: Path, error: str
) -> None:
    faults.faults.add_rule(error=error, service="sts", operation="GetCallerIdentity")
    proc = _scan(faults.endpoint_url, tmp_path, "--max-attempts", "2")
    assert proc.returncode == 3, (proc.stdout, proc.stderr)
    line = _one_line(proc)
    assert "rejected" not in line and "GetCallerIdentity" in line and "2 attempt(s)" in line, line
    # botocore retried it: both attempts reached the server.
    assert faults.faults.calls()["sts:GetCallerIdentity"] == 2
    assert not (tmp_path / "out").exists()  # nothing was scanned, so nothing is reported


def test_a_transient_sts_error_is_retried_and_the_scan_goes_on(faults: LocalAws, tmp_path: Path) -> None:
    faults.faults.add_rule(error="InternalFailure", service="sts", operation="GetCallerIdentity", count=1)
    proc = _scan(faults.endpoint_url, tmp_path)
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    assert faults.faults.calls()["sts:GetCallerIdentity"] == 2
    assert (tmp_path / "out" / "inventory.json").is_file()


def test_rejected_credentials_are_exit_2(faults: LocalAws, tmp_path: Path) -> None:
    faults.faults.add_rule(error="InvalidClientTokenId", service="sts", operation="GetCallerIdentity")
    proc = _scan(faults.endpoint_url, tmp_path)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    line = _one_line(proc)
    assert "rejected by STS (InvalidClientTokenId)" in line, line
    assert faults.faults.calls()["sts:GetCallerIdentity"] == 1  # a rejection is not retried


def test_sts_unreachable_is_exit_3(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = _scan(f"http://127.0.0.1:{port}", tmp_path, "--max-attempts", "1")
    assert proc.returncode == 3, (proc.stdout, proc.stderr)
    line = _one_line(proc)
    assert "cannot reach STS" in line and "rejected" not in line, line
