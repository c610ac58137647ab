"""`auditor emulator`: started as a real process, then used through boto3 with AWS_ENDPOINT_URL."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import boto3
import pytest
from click.testing import CliRunner

from auditor.cli.emulator_cmd import emulator
from auditor.errors import InputError

START = "from auditor.cli.emulator_cmd import emulator; emulator()"


def read_until(process: subprocess.Popen[str], marker: str, timeout: float = 120) -> list[str]:
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if marker in line:
            return lines
    raise AssertionError(f"never printed {marker!r}; got {lines}")


@pytest.fixture
def running_emulator() -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", START, "--port", "0", "--accounts", "2", "--regions", "us-east-1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        yield process, read_until(process, "Serving until Ctrl-C")
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def exported(lines: list[str], after: str) -> dict[str, str]:
    """The `export NAME=value` lines of the block that starts with a line containing ``after``."""
    start = next(i for i, line in enumerate(lines) if after in line)
    values: dict[str, str] = {}
    for line in lines[start + 1 :]:
        match = re.match(r"^\s+export (\w+)=(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2)
        elif not line.strip():
            break
    return values


def test_boto3_with_aws_endpoint_url_lists_seeded_schedules(
    running_emulator: tuple[subprocess.Popen[str], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    process, lines = running_emulator
    url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", lines[0])
    assert url is not None, lines[0]
    member = exported(lines, "As member account")
    assert member["AWS_ENDPOINT_URL"] == url.group(1)

    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", member["AWS_ENDPOINT_URL"])
    session = boto3.Session(
        aws_access_key_id=member["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=member["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=member["AWS_SESSION_TOKEN"],
        region_name=member["AWS_DEFAULT_REGION"],
    )
    sagemaker = session.client("sagemaker")  # no endpoint_url: AWS_ENDPOINT_URL must route it
    pages = sagemaker.get_paginator("list_monitoring_schedules").paginate()
    schedules = [s for page in pages for s in page["MonitoringScheduleSummaries"]]
    assert schedules, "the seeded member account has monitoring schedules"
    assert all(s["MonitoringScheduleArn"].startswith("arn:aws:sagemaker:us-east-1:") for s in schedules)

    management = exported(lines, "As the management account")
    org = boto3.Session(
        aws_access_key_id=management["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=management["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    ).client("organizations")
    assert len(org.list_accounts()["Accounts"]) == 3  # management + 2 members

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    assert process.stdout is not None
    assert "Stopping the local AWS." in process.stdout.read()


def test_bad_regions_are_input_errors() -> None:
    for regions in ("", "not a region", "us-east-1,us-east-1"):
        result = CliRunner().invoke(emulator, ["--regions", regions, "--seed", "none"])
        assert isinstance(result.exception, InputError), result.output
        assert result.exception.source == "--regions"


def test_scale_needs_the_sample_seed() -> None:
    result = CliRunner().invoke(emulator, ["--seed", "none", "--endpoints-per-region", "5"])
    assert isinstance(result.exception, InputError)
    assert result.exception.source == "--endpoints-per-region"


def test_busy_port_is_an_input_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(emulator, ["--port", str(port), "--seed", "none"])
    assert isinstance(result.exception, InputError), result.output
    assert result.exception.source == "--port"
