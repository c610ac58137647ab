"""Ctrl-C (SIGINT) and SIGTERM at any moment: a prompt exit 130 / 143 with one line saying exactly what
was written, never a traceback, and an output folder that holds either the previous run or the new one."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.inventory import store

from .conftest import Local
from .support import cli_command, cli_env, iter_files, run_cli, scan_args, small_inventory

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
    took: float  # seconds from the signal to exit
    signum: int


SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM}


@pytest.fixture(scope="module", params=list(SIGNALS))
def interrupted(
    request: pytest.FixtureRequest, local: Local, tmp_path_factory: pytest.TempPathFactory
) -> Interrupted:
    """One scan, interrupted once the region scans are under way (shared by the tests below)."""
    local.aws.clear_faults()
    try:
        out = tmp_path_factory.mktemp("interrupt") / "out"
        out.mkdir()
        (out / "notes.txt").write_text("the user's own file\n", encoding="utf-8")
        return _interrupt_a_scan(local, out, SIGNALS[request.param])
    finally:
        local.aws.clear_faults()


def test_signal_mid_scan_exits_128_plus_signal_leaving_no_partial_files(interrupted: Interrupted) -> None:
    stdout, stderr, code = interrupted.stdout, interrupted.stderr, interrupted.code
    assert code == 128 + interrupted.signum, (code, stdout, stderr)
    assert "Traceback" not in stderr, stderr
    # Progress lines (stderr is a pipe, not a terminal) come before; the interrupt says the last word.
    lines = [
        line for line in stderr.splitlines() if line.strip() and not line.startswith("auditor: scanning: ")
    ]
    name = signal.Signals(interrupted.signum).name
    assert lines == [f"auditor: error: interrupted ({name}): nothing was written to {interrupted.out}"], (
        stderr
    )
    files = [p.relative_to(interrupted.out).as_posix() for p in iter_files(interrupted.out)]
    assert files == ["notes.txt"], files  # no *.tmp, no lock, no staging, no inventory, report or run record


def test_signal_stops_the_scan_promptly(interrupted: Interrupted) -> None:
    assert interrupted.code == 128 + interrupted.signum
    took = interrupted.took
    assert took < PROMPT, f"took {took:.1f}s to stop after the signal: the scan ran on to the end"


def test_an_interrupted_scan_leaves_the_previous_run_untouched(fresh: Local, tmp_path: Path) -> None:
    out = tmp_path / "nightly"
    inventory = tmp_path / "inventory.json"
    store.save(small_inventory(), inventory)
    first = run_cli(
        ["evaluate", str(inventory), "--format", ALL_FORMATS, "--output-dir", str(out)], cwd=tmp_path
    )
    assert first.returncode == 1, first.stderr
    before = {p: p.read_bytes() for p in iter_files(out)}
    result = _interrupt_a_scan(fresh, out, signal.SIGTERM)
    assert result.code == 143, (result.stdout, result.stderr)
    assert [
        line
        for line in result.stderr.splitlines()
        if line.strip() and not line.startswith("auditor: scanning: ")
    ] == [f"auditor: error: interrupted (SIGTERM): nothing was written; {out} still holds the previous run"]
    assert {p: p.read_bytes() for p in iter_files(out)} == before


def _interrupt_a_scan(fresh: Local, out: Path, signum: int) -> Interrupted:
    """Start a full scan on a slow local AWS and signal it once the region scans are under way."""
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
        proc.send_signal(signum)
        interrupted = time.monotonic()
        stdout, stderr = proc.communicate(timeout=120)
        took = time.monotonic() - interrupted
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        fresh.aws.faults.set_latency(0)

    return Interrupted(out, stdout, stderr, proc.returncode, took, signum)


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
        # No history: each run would record into it, and the reports show the history they read.
        cli_command(
            [
                "evaluate",
                str(inventory),
                "--format",
                ALL_FORMATS,
                "--output-dir",
                str(out),
                "--history",
                "none",
            ]
        ),
        cwd=out.parent,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _normalized(path: Path, generated_at: bytes) -> bytes:
    return path.read_bytes().replace(generated_at, b"<generated-at>")


def _holds_one_complete_run(out: Path, reference: Path) -> None:
    """``out`` holds exactly the files of one run, each complete: what the uninterrupted run wrote."""
    record = json.loads((out / "run.json").read_bytes())
    files = {p.relative_to(out).as_posix() for p in iter_files(out)}
    assert files == {*record["files"], "run.json"}, files
    for name, entry in record["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == entry["sha256"], name
    reference_at = json.loads((reference / "report.json").read_bytes())["generated_at"].encode()
    generated_at = json.loads((out / "report.json").read_bytes())["generated_at"].encode()
    for path in iter_files(reference):
        name = path.relative_to(reference).as_posix()
        if name == "run.json":  # times, argv: differ by nature
            continue
        if name == "inventory.json":  # the input, saved as it was: no generation time in it
            assert (out / name).read_bytes() == path.read_bytes()
            continue
        assert _normalized(out / name, generated_at) == _normalized(path, reference_at), name


def test_a_signal_while_judging_or_writing_leaves_nothing_or_the_whole_run(
    large_inventory: Path, tmp_path: Path
) -> None:
    reference = tmp_path / "reference"
    started = time.monotonic()
    done = _evaluate(large_inventory, reference)
    _, stderr = done.communicate(timeout=120)
    whole_run = time.monotonic() - started
    assert done.returncode == 1, stderr
    # Signals spread over the run after start-up (start-up has its own test below).
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", "import auditor.cli"], check=True)
    first = 1.5 * (time.monotonic() - started)
    delays = [first + (whole_run - first) * f for f in (0.0, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9)]
    interrupted = 0
    for i, delay in enumerate(delays):
        signum = (signal.SIGINT, signal.SIGTERM)[i % 2]
        name = signal.Signals(signum).name
        out = tmp_path / f"run-{i}"
        proc = _evaluate(large_inventory, out)
        time.sleep(delay)
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=120)
        assert "Traceback" not in stderr, stderr
        lines = [line for line in stderr.splitlines() if line.strip()]
        if proc.returncode == 128 + signum:
            interrupted += 1
            nothing = (
                f"auditor: error: interrupted ({name}): nothing was written; {out} was not created",
                f"auditor: error: interrupted ({name}); no partial files were left behind",  # still loading
            )
            if len(lines) == 1 and lines[0] in nothing:
                assert not out.exists()
                continue
            assert lines == [
                f"auditor: error: interrupted ({name}): the run was already written: {out} holds its "
                "complete reports and run.json"
            ], stderr
        else:
            assert proc.returncode == 1, stderr  # finished before the signal arrived
        _holds_one_complete_run(out, reference)
    assert interrupted, "no run was interrupted: the delays are too long for this machine"


# ------------------------------------------------------------------------------------ start-up

_SIG_CAUGHT = re.compile(r"^SigCgt:\s*([0-9a-f]+)$", re.MULTILINE)


def _catches(pid: int, signum: int) -> bool:
    """Whether process ``pid`` has its own handler for ``signum`` (Linux: /proc/PID/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    match = _SIG_CAUGHT.search(status)
    return match is not None and bool(int(match.group(1), 16) & (1 << (signum - 1)))


@pytest.mark.skipif(
    not Path("/proc/self/status").is_file(), reason="needs Linux /proc to see signal handlers"
)
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_at_any_moment_of_start_up_is_one_line_never_a_traceback(
    signum: int, tmp_path: Path
) -> None:
    """From the moment the entry point has installed its handlers (Python only hands over after its
    own start-up), through the imports of click, boto3 and the policy pack, to the end."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", "import auditor.cli"], check=True)
    imports = time.monotonic() - started
    name = signal.Signals(signum).name
    codes = []
    for i in range(10):
        proc = subprocess.Popen(
            [sys.executable, "-m", "auditor", "policies", "list"],
            cwd=tmp_path,
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while not _catches(proc.pid, signal.SIGTERM) and proc.poll() is None:
            assert time.monotonic() < deadline, "the entry point never installed its SIGTERM handler"
            time.sleep(0.0005)
        time.sleep(imports * i / 8)  # from the first instant to past the end of the imports
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=60)
        assert "Traceback" not in stderr, stderr
        codes.append(proc.returncode)
        if proc.returncode == 128 + signum:
            assert [line for line in stderr.splitlines() if line.strip()] == [
                f"auditor: error: interrupted ({name}); no partial files were left behind"
            ], stderr
        else:
            assert proc.returncode == 0, (proc.returncode, stderr)  # the command had finished
    assert codes[0] == 128 + signum, codes  # the very first instant is handled, not only later ones


@pytest.mark.parametrize("signum", [signal.SIGTERM], ids=["SIGTERM"])
def test_sigterm_before_the_handlers_ends_the_process_silently(signum: int, tmp_path: Path) -> None:
    """Before the entry point runs, SIGTERM has its default action: the process ends, printing nothing."""
    for _ in range(5):
        proc = subprocess.Popen(
            [sys.executable, "-m", "auditor", "policies", "list"],
            cwd=tmp_path,
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode in (-signum, 128 + signum), (proc.returncode, stderr)
        assert "Traceback" not in stderr, stderr


def test_an_interrupt_wrapped_by_python_while_a_class_is_created_is_still_an_interrupt() -> None:
    """The signal can land inside a dataclass field's ``__set_name__``; Python 3.11 then raises a
    RuntimeError caused by the interrupt (the CI failure that found this). The entry point and the
    CLI look through the wrapping; anything else that is not an interrupt is not mistaken for one."""
    from auditor import interrupts

    class Landing:
        def __set_name__(self, owner: type, name: str) -> None:
            raise interrupts.Interrupted(signal.SIGTERM)

    with pytest.raises(BaseException) as caught:
        type("Model", (), {"field": Landing()})
    found = interrupts.behind(caught.value)
    assert isinstance(found, interrupts.Interrupted) and found.signum == signal.SIGTERM
    assert interrupts.describe(found)[1] == 143
    assert interrupts.behind(RuntimeError("unrelated")) is None
    chained = RuntimeError("outer")
    chained.__cause__ = ValueError("inner")
    assert interrupts.behind(chained) is None


def test_an_interrupt_while_the_summary_is_printed_says_the_run_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Deterministic form of the last delays above: the run folder is committed, then the console
    # summary is interrupted. The message must say the run is there, not "no partial files".
    from auditor import api
    from auditor.cli import run_cmds
    from auditor.interrupts import Interrupted, describe
    from auditor.settings import HistoryFlags, OutputFlags, resolve

    out = tmp_path / "run"
    chosen = resolve(None, output=OutputFlags(output_dir=out), history=HistoryFlags(history_path="none"))
    outcome = api.write(small_inventory(), chosen, started_at=api.now())

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(run_cmds, "print_summary", interrupted)
    with pytest.raises(Interrupted) as raised:
        run_cmds.report_outcome(outcome, small_inventory(), chosen, quiet=False)
    message, code = describe(raised.value)
    assert message == (
        f"interrupted (SIGINT): the run was already written: {out} holds its complete reports and run.json"
    )
    assert code == 130 and (out / "run.json").is_file()
