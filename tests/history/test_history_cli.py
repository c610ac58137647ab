"""`auditor history import | list | show | trend` on real report.json files and an evidence bundle."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.inventory import store

from .test_notify import _inventory


def _auditor(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITOR_")}
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def saved_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three weekly reports judged without a history, the middle one also packed as an evidence bundle."""
    folder = tmp_path_factory.mktemp("reports")
    weeks = {
        "week1": ("2026-01-01T06:00:00Z", ["churn"]),
        "week2": ("2026-01-08T06:00:00Z", ["churn", "fraud"]),
        "week3": ("2026-01-15T06:00:00Z", ["fraud"]),
    }
    for name, (when, endpoints) in weeks.items():
        store.save(_inventory(when, endpoints), folder / f"{name}.json")
        proc = _auditor(folder, "evaluate", f"{name}.json", "--output-dir", name, "--history", "none", "-q")
        assert proc.returncode == 1, proc.stderr
    packed = _auditor(folder, "evidence", "pack", "week2", "-o", "week2.zip")
    assert packed.returncode == 0, packed.stderr
    assert not (folder / "reports").exists()  # --history none recorded nothing
    return folder


def test_import_backfills_in_time_order_and_skips_what_it_already_has(
    saved_reports: Path, tmp_path: Path
) -> None:
    history = tmp_path / "h.sqlite"
    # The newest first, then the oldest, then the middle one from its evidence bundle.
    first = _auditor(saved_reports, "history", "import", "week3/report.json", "--history", str(history))
    assert first.returncode == 0, first.stderr
    second = _auditor(
        saved_reports, "history", "import", "week1/report.json", "week2.zip", "--history", str(history)
    )
    assert second.returncode == 0, second.stderr
    assert "week1/report.json: run 2, scan of 2026-01-01T06:00:00Z" in second.stdout
    assert "week2.zip: run 3, scan of 2026-01-08T06:00:00Z" in second.stdout
    again = _auditor(saved_reports, "history", "import", "week2/report.json", "--history", str(history))
    assert again.returncode == 0 and "already in the history as run 3; skipped" in again.stdout

    listed = _auditor(saved_reports, "history", "list", "--history", str(history))
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines() if line.strip()[:1].isdigit()]
    # RUN, SCAN TIME, SCOPE, SOURCE, PASS, FAIL, ERROR, WAIVED, COMPL., NEW, RESOLVED -- in time order.
    assert [(r[0], r[1][:10], r[3], r[9], r[10]) for r in rows] == [
        ("2", "2026-01-01", "import", "2", "0"),
        ("3", "2026-01-08", "import", "2", "0"),
        ("1", "2026-01-15", "import", "0", "2"),
    ]

    shown = _auditor(saved_reports, "history", "show", "1", "--history", str(history))
    assert shown.returncode == 0, shown.stderr
    assert "previous run   2026-01-08T06:00:00Z" in shown.stdout
    assert "Changes (2):" in shown.stdout
    resolved = [line for line in shown.stdout.splitlines() if line.startswith("resolved")]
    assert len(resolved) == 2 and all("churn" in line and "after 14 d" in line for line in resolved)

    trend = _auditor(saved_reports, "history", "trend", "--history", str(history))
    assert trend.returncode == 0, trend.stderr
    assert "Mean time to remediate: 14.0 day(s) over 2 resolved failure(s)" in trend.stdout
    assert "under 7 days        0" in trend.stdout and "7-29 days           2" in trend.stdout
    for by in ("account", "policy", "severity", "monitor-type"):
        grouped = _auditor(saved_reports, "history", "trend", "--by", by, "--history", str(history))
        assert grouped.returncode == 0, (by, grouped.stderr)
        assert "01-01  01-08  01-15" in grouped.stdout.replace("   ", "  "), grouped.stdout
    by_policy = _auditor(saved_reports, "history", "trend", "--by", "policy", "--history", str(history))
    assert "mm-data-quality-monitor" in by_policy.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["history", "import", "missing.json"], "missing.json: no such file"),
        (["history", "import", "week1.json"], "week1.json: /: Additional properties are not allowed"),
        (["history", "list"], "no history database here"),
        (["history", "show", "9", "--history", "{h}"], "no run 9 in the history"),
        (["history", "trend", "--scope", "zzz", "--history", "{h}"], "'zzz' matches 0 scopes"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    saved_reports: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    history = tmp_path / "h.sqlite"
    ok = _auditor(saved_reports, "history", "import", "week1/report.json", "--history", str(history))
    assert ok.returncode == 0
    before = history.read_bytes()
    proc = _auditor(saved_reports, *[a.replace("{h}", str(history)) for a in args])
    assert proc.returncode == 2, proc.stdout
    assert proc.stderr.count("\n") == 1 and message in proc.stderr, proc.stderr
    assert history.read_bytes() == before
    assert not (saved_reports / "reports").exists()


def test_fail_on_new_and_fail_on_age_from_the_command_line_and_the_config(tmp_path: Path) -> None:
    store.save(_inventory("2026-01-01T06:00:00Z", ["churn"]), tmp_path / "jan01.json")
    store.save(_inventory("2026-01-02T06:00:00Z", ["churn"]), tmp_path / "jan02.json")
    store.save(_inventory("2026-02-15T06:00:00Z", ["churn", "fraud"]), tmp_path / "feb15.json")
    # With an empty history every failure is new: the gate fails closed.
    first = _auditor(tmp_path, "evaluate", "jan01.json", "--output-dir", "a", "--fail-on-new")
    assert first.returncode == 1, first.stderr
    assert "Gate counts only failures new since the previous run (--fail-on-new): 2 of 2" in first.stdout
    same = _auditor(tmp_path, "evaluate", "jan02.json", "--output-dir", "b", "--fail-on-new")
    assert same.returncode == 0, same.stdout  # the same two failures: nothing new
    assert "Exit code 0" in same.stdout and ": 0 of 2" in same.stdout
    # The config file names another history (relative to its folder) and turns the age gate on.
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "auditor.yaml").write_text("history: ../reports/history.sqlite\nfail_on_age: 40\n")
    old = _auditor(tmp_path, "evaluate", "feb15.json", "--output-dir", "c", "--config", "conf/auditor.yaml")
    assert old.returncode == 1, old.stdout  # churn has failed for 45 days; fraud is new (age 0)
    assert "open at least 40 day(s) (--fail-on-age): 2 of 4" in old.stdout
    assert "History: run 3 in" in old.stdout
    # --history none with a gate option is invalid input.
    none = _auditor(tmp_path, "evaluate", "feb15.json", "--history", "none", "--fail-on-new")
    assert none.returncode == 2 and "--fail-on-new: needs a history" in none.stderr
