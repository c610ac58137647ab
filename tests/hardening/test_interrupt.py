"""Ctrl-C (SIGINT) during a long scan: a prompt exit 130 with one clear line, and no half-written files."""

from __future__ import annotations

import copy
import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.inventory import store

from .conftest import Local
from .support import cli_command, cli_env, iter_files, scan_args, small_inventory

ALL_FORMATS = "json,html,junit,sarif,csv,markdown"

pytestmark = pytest.mark.e2e

LATENCY = 1.0  # seconds per call: the scan takes far longer than the test waits
PROMPT = 5.0  # seconds the CLI may take to stop after SIGINT


def _wait_for_calls(local: Local, service: str, minimum: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = local.aws.faults.calls()
        if sum(n for key, n in calls.items() if key.startswith(f"{service}:")) >= minimum:
            return
        time.sleep(0.05)
    raise AssertionError(f"the scan made no {service} calls within {timeout}s")


@dataclass(frozen=True)
class Interrupted:
    out: Path
    stdout: str
    stderr: str
    code: int
    took: float  # seconds from SIGINT to exit


@pytest.fixture(scope="module")
def interrupted(local: Local, tmp_path_factory: pytest.TempPathFactory) -> Interrupted:
    """One scan, interrupted once the region scans are under way (shared by the tests below)."""
    local.aws.clear_faults()
    try:
        return _interrupt_a_scan(local, tmp_path_factory.mktemp("interrupt") / "out")
    finally:
        local.aws.clear_faults()


def test_sigint_mid_scan_exits_130_leaving_no_partial_files(interrupted: Interrupted) -> None:
    stdout, stderr, code = interrupted.stdout, interrupted.stderr, interrupted.code
    assert code == 130, (code, stdout, stderr)
    assert "Traceback" not in stderr, stderr
    # Progress lines (stderr is a pipe, not a terminal) come before; the interrupt says the last word.
    lines = [
        line for line in stderr.splitlines() if line.strip() and not line.startswith("auditor: scanning: ")
    ]
    assert lines == ["auditor: error: interrupted; no partial files were left behind"], stderr
    files = [p.relative_to(interrupted.out).as_posix() for p in iter_files(interrupted.out)]
    assert files == ["notes.txt"], files  # no *.tmp, no inventory, no report, no run record


def test_sigint_stops_the_scan_promptly(interrupted: Interrupted) -> None:
    assert interrupted.code == 130
    took = interrupted.took
    assert took < PROMPT, f"took {took:.1f}s to stop after SIGINT: the scan ran on to the end"


def _interrupt_a_scan(fresh: Local, out: Path) -> Interrupted:
    """Start a full scan on a slow local AWS and SIGINT it once the region scans are under way."""
    out.mkdir()
    (out / "notes.txt").write_text("the user's own file\n", encoding="utf-8")
    fresh.aws.faults.reset_calls()
    fresh.aws.faults.set_latency(LATENCY)
    proc = subprocess.Popen(
        cli_command(
            scan_args(fresh.aws, fresh.estate, out, "--format", "json,html,junit,sarif,csv,markdown")
        ),
        cwd=out.parent,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_calls(fresh, "sagemaker", 2, timeout=60)  # inside the region scans, not before them
        proc.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        stdout, stderr = proc.communicate(timeout=120)
        took = time.monotonic() - interrupted
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        fresh.aws.faults.set_latency(0)

    return Interrupted(out, stdout, stderr, proc.returncode, took)


@pytest.fixture(scope="module")
def large_inventory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An inventory of 2,000 endpoints: judging and rendering it takes a couple of seconds."""
    inventory = small_inventory()
    template = inventory.endpoints[0]
    inventory.endpoints = []
    for i in range(2000):
        endpoint = copy.deepcopy(template)
        endpoint.name = f"endpoint-{i:05d}"
        endpoint.arn = f"{template.arn.rsplit('/', 1)[0]}/{endpoint.name}"
        inventory.endpoints.append(endpoint)
    path = tmp_path_factory.mktemp("large") / "inventory.json"
    store.save(inventory, path)
    return path


def _evaluate(inventory: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli_command(["evaluate", str(inventory), "--format", ALL_FORMATS, "--output-dir", str(out)]),
        cwd=out.parent,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _normalized(path: Path, generated_at: bytes) -> bytes:
    return path.read_bytes().replace(generated_at, b"<generated-at>")


def test_sigint_while_judging_or_writing_leaves_only_complete_files(
    large_inventory: Path, tmp_path: Path
) -> None:
    reference = tmp_path / "reference"
    started = time.monotonic()
    done = _evaluate(large_inventory, reference)
    _, stderr = done.communicate(timeout=120)
    whole_run = time.monotonic() - started
    assert done.returncode == 1, stderr
    reference_at = json.loads((reference / "report.json").read_bytes())["generated_at"].encode()
    # Signals spread over the run after start-up (a Ctrl-C while Python imports is not the CLI's to handle).
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", "import auditor.cli"], check=True)
    first = 1.5 * (time.monotonic() - started)
    delays = [first + (whole_run - first) * f for f in (0.0, 0.2, 0.4, 0.6, 0.8)]
    interrupted = 0
    for i, delay in enumerate(delays):
        out = tmp_path / f"run-{i}"
        proc = _evaluate(large_inventory, out)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
        assert "Traceback" not in stderr, stderr
        if proc.returncode == 130:
            interrupted += 1
            assert [line for line in stderr.splitlines() if line.strip()] == [
                "auditor: error: interrupted; no partial files were left behind"
            ]
        elif proc.returncode == -signal.SIGINT:
            # On a loaded machine the signal can land while the interpreter starts or shuts down,
            # outside the CLI's own code: Python's default handling ends the process. Whatever it
            # left must still be complete files only (checked below).
            pass
        else:
            assert proc.returncode == 1, stderr  # finished before the signal arrived
        if not out.exists():
            continue
        assert not [p for p in iter_files(out) if p.name.endswith(".tmp")]
        written = [p for p in iter_files(out) if p.parent == out and p.name != "run.json"]
        if not written:
            continue
        # Every file that is there is complete: byte for byte what the uninterrupted run wrote.
        report = out / "report.json"
        generated_at = (
            json.loads(report.read_bytes())["generated_at"].encode() if report.exists() else b"\x00none\x00"
        )
        for path in written:
            if path.name == "inventory.json":  # the input, saved as it was: no generation time in it
                assert path.read_bytes() == (reference / path.name).read_bytes()
                continue
            expected = _normalized(reference / path.name, reference_at)
            assert _normalized(path, generated_at) == expected, path.name
    assert interrupted, "no run was interrupted: the delays are too long for this machine"
