"""A gate never passes on nothing (issue 11 item 1): the real CLI against the local AWS.

A targeted scan that matches nothing is exit 2 naming the selector, accounts and regions; exit 3 when
scan errors could have hidden the endpoint; a full scan that finds nothing warns, and fails only with
--fail-on-empty; `evaluate` of a saved inventory answers the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.emulator import LocalAws
from auditor.emulator.server import MANAGEMENT_ACCOUNT_ID

pytestmark = pytest.mark.e2e

ACCOUNT = MANAGEMENT_ACCOUNT_ID  # the account of the base credentials: no AssumeRole needed


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    local = LocalAws.start()
    try:
        local.reset()
        sm = local.session(None, "us-east-1").client("sagemaker", endpoint_url=local.endpoint_url)
        sm.create_model(
            ModelName="m", ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/x", PrimaryContainer={"Image": "i"}
        )
        sm.create_endpoint_config(
            EndpointConfigName="c",
            ProductionVariants=[
                {
                    "VariantName": "v",
                    "ModelName": "m",
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": 1,
                }
            ],
        )
        sm.create_endpoint(
            EndpointName="no-capture", EndpointConfigName="c", Tags=[{"Key": "team", "Value": "risk"}]
        )
        yield local
    finally:
        local.stop()


@pytest.fixture
def faults(aws: LocalAws) -> Iterator[LocalAws]:
    aws.faults.clear()
    yield aws
    aws.faults.clear()


def run(aws: LocalAws, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUDITOR_"))}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def scan(aws: LocalAws, cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run(
        aws,
        cwd,
        "scan",
        "--endpoint-url",
        aws.endpoint_url,
        "--regions",
        "us-east-1",
        "--output-dir",
        str(cwd / "out"),
        "--format",
        "json",
        "--max-attempts",
        "1",
        *extra,
    )


def error_line(proc: subprocess.CompletedProcess[str]) -> str:
    (line,) = [line for line in proc.stderr.splitlines() if line.startswith("auditor: error:")]
    assert "Traceback" not in proc.stderr
    return line


@pytest.mark.parametrize(
    ("args", "selector"),
    [
        (("--endpoint", "no-captrue"), "--endpoint no-captrue"),
        (("--endpoint-tag", "team=nobody"), "--endpoint-tag team=nobody"),
        (
            ("--endpoint", "fraud-*", "--endpoint-tag", "team=nobody"),
            "--endpoint fraud-* --endpoint-tag team=nobody",
        ),
    ],
)
def test_a_targeted_scan_that_matches_nothing_is_exit_2(
    aws: LocalAws, tmp_path: Path, args: tuple[str, ...], selector: str
) -> None:
    proc = scan(aws, tmp_path, "--fail-on", "high", *args)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    line = error_line(proc)
    assert line == (
        f"auditor: error: {selector}: matched no endpoint in account(s) {ACCOUNT} x region(s) us-east-1; "
        "check the name or tag, the account and the region"
    )
    assert proc.stdout == "" and not (tmp_path / "out").exists()


def test_the_config_files_selection_counts_too(aws: LocalAws, tmp_path: Path) -> None:
    (tmp_path / "auditor.yaml").write_text("endpoints: [no-captrue]\n", encoding="utf-8")
    proc = scan(aws, tmp_path)
    assert proc.returncode == 2 and "--endpoint no-captrue: matched no endpoint" in error_line(proc)
    # A flag replaces the file's selection: the right name passes the empty check.
    assert scan(aws, tmp_path, "--endpoint", "no-capture").returncode != 2


def test_no_fail_on_empty_turns_it_into_a_warning(aws: LocalAws, tmp_path: Path) -> None:
    proc = scan(aws, tmp_path, "--endpoint", "no-captrue", "--no-fail-on-empty")
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    assert "auditor: warning: matched no endpoint in account(s)" in proc.stderr
    assert (tmp_path / "out" / "report.json").is_file()


def test_endpoints_scan_errors_could_hide_make_it_incomplete_not_input(
    faults: LocalAws, tmp_path: Path
) -> None:
    """Search finds nothing by that name, and the ListEndpoints that would confirm it is denied."""
    faults.faults.add_rule(error="AccessDeniedException", service="sagemaker", operation="ListEndpoints")
    proc = scan(faults, tmp_path, "--endpoint", "no-captrue", "--allow-incomplete")
    assert proc.returncode == 3, (proc.stdout, proc.stderr)
    line = error_line(proc)
    assert "--endpoint no-captrue: matched no endpoint" in line
    assert f"scan errors could have hidden endpoints (endpoints failed in {ACCOUNT}/us-east-1)" in line
    assert (tmp_path / "out" / "inventory.json").is_file()  # the errors are on record


def test_an_account_that_could_not_be_entered_makes_it_incomplete(faults: LocalAws, tmp_path: Path) -> None:
    faults.faults.add_rule(error="AccessDeniedException", service="sts", operation="AssumeRole")
    proc = scan(faults, tmp_path, "--accounts", "111111111111", "--endpoint", "no-capture")
    assert proc.returncode == 3, (proc.stdout, proc.stderr)
    assert "AssumeRole AccessDenied (111111111111)" in error_line(proc)


def test_a_full_scan_that_finds_nothing_warns_and_fails_only_when_told(aws: LocalAws, tmp_path: Path) -> None:
    proc = scan(aws, tmp_path, "--regions", "eu-west-1")  # nothing there
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    assert f"auditor: warning: no endpoint found in account(s) {ACCOUNT} x region(s) eu-west-1" in proc.stderr
    (tmp_path / "told").mkdir()
    told = scan(aws, tmp_path / "told", "--regions", "eu-west-1", "--fail-on-empty")
    assert told.returncode == 2
    assert error_line(told).startswith("auditor: error: --fail-on-empty: no endpoint found in account(s)")


def test_evaluate_of_a_saved_empty_targeted_inventory_answers_the_same(aws: LocalAws, tmp_path: Path) -> None:
    assert scan(aws, tmp_path, "--endpoint", "no-captrue", "--no-fail-on-empty").returncode == 0
    saved = tmp_path / "out" / "inventory.json"
    assert json.loads(saved.read_text(encoding="utf-8"))["endpoints"] == []
    proc = run(aws, tmp_path, "evaluate", str(saved), "--output-dir", str(tmp_path / "again"))
    assert proc.returncode == 2
    assert "--endpoint no-captrue: matched no endpoint in account(s)" in error_line(proc)
