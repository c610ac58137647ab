"""Output locations are checked before any work (and any AWS call): a file in the way, a folder that
cannot be created, or a write that fails is one line naming the path, exit 2, never a traceback."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.emulator import LocalAws
from auditor.inventory import store
from auditor.inventory.model import Dataset, DatasetStatus, Endpoint, Inventory, ScanMetadata, Target


def run(*args: str, cwd: Path, limit_file_size: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if limit_file_size is not None:
            # Python ignores SIGXFSZ, so a write past the limit fails with EFBIG ("File too large"),
            # as a full disk or quota would fail it.
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUDITOR_"))}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    env.update(
        AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, PYTHONDONTWRITEBYTECODE="1"
    )
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=180,
        preexec_fn=limit,
    )


def one_line_exit_2(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def _inventory() -> Inventory:
    complete = dict.fromkeys(Dataset, DatasetStatus.COMPLETE)
    return Inventory(
        metadata=ScanMetadata(
            tool_version="t", started_at="2026-11-27T10:00:00Z", finished_at="2026-11-27T10:01:00Z"
        ),
        targets=[Target("111111111111", "us-east-1", complete)],
        endpoints=[
            Endpoint(
                arn="arn:aws:sagemaker:us-east-1:111111111111:endpoint/churn",
                name="churn",
                account_id="111111111111",
                region="us-east-1",
                status="InService",
            )
        ],
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    store.save(_inventory(), tmp_path / "inventory.json")
    (tmp_path / "afile").write_text("a file where a folder is expected\n")
    return tmp_path


@pytest.fixture
def aws() -> Iterator[LocalAws]:
    with LocalAws.start() as local:
        local.reset()
        yield local


@pytest.mark.e2e
def test_scan_into_a_path_under_a_file_stops_before_any_aws_call(aws: LocalAws, workdir: Path) -> None:
    aws.faults.reset_calls()
    proc = run(
        "scan",
        "--endpoint-url",
        aws.endpoint_url,
        "--regions",
        "us-east-1",
        "--output-dir",
        "afile/sub",
        cwd=workdir,
    )
    one_line_exit_2(proc, "afile/sub", "afile is a file")
    assert aws.faults.calls() == {}, aws.faults.calls()


@pytest.mark.parametrize(
    "args",
    [
        ("evaluate", "inventory.json", "--output-dir", "afile/sub"),
        ("evaluate", "inventory.json", "--output-dir", "afile/sub/deeper"),
        ("demo", "--output-dir", "afile/sub"),
        ("evidence", "pack", ".", "-o", "afile/bundle.zip"),
        ("init", "afile/auditor.yaml"),
    ],
)
def test_a_file_in_the_way_is_one_line_exit_2(args: tuple[str, ...], workdir: Path) -> None:
    before = sorted(p.name for p in workdir.iterdir())
    one_line_exit_2(run(*args, cwd=workdir), "afile")
    assert sorted(p.name for p in workdir.iterdir()) == before  # nothing created


@pytest.mark.skipif(
    not Path("/sys/kernel").is_dir(), reason="needs Linux sysfs (no folder can be made there)"
)
@pytest.mark.parametrize("command", ["evaluate", "demo"])
def test_a_folder_that_cannot_be_created_is_one_line_exit_2(command: str, workdir: Path) -> None:
    args = ["evaluate", "inventory.json"] if command == "evaluate" else ["demo"]
    one_line_exit_2(run(*args, "--output-dir", "/sys/auditor-test/out", cwd=workdir), "/sys/auditor-test/out")


def test_a_failing_write_is_one_line_exit_2_and_leaves_the_previous_run(workdir: Path) -> None:
    first = run("evaluate", "inventory.json", "--output-dir", "out", "--format", "json", cwd=workdir)
    assert first.returncode == 1, first.stderr
    before = {
        p.relative_to(workdir / "out"): p.read_bytes() for p in (workdir / "out").rglob("*") if p.is_file()
    }
    # report.html is larger than 20 kB; the inventory and report.json are not. (No history: its
    # database would meet the limit first, which is a one-line exit 2 of its own.)
    second = run(
        "evaluate",
        "inventory.json",
        "--output-dir",
        "out",
        "--format",
        "json,html",
        "--history",
        "none",
        cwd=workdir,
        limit_file_size=20_000,
    )
    one_line_exit_2(second, "out", "cannot write", "File too large")
    after = {
        p.relative_to(workdir / "out"): p.read_bytes() for p in (workdir / "out").rglob("*") if p.is_file()
    }
    assert after == before


def test_a_folder_in_the_way_of_a_report_is_one_line_exit_2(workdir: Path) -> None:
    (workdir / "out" / "report.html").mkdir(parents=True)
    one_line_exit_2(run("evaluate", "inventory.json", "--output-dir", "out", cwd=workdir), "report.html")
    assert sorted(p.name for p in (workdir / "out").iterdir()) == ["report.html"]
