"""The history database: migration from schema v1, corrupt and foreign files, a newer schema, and two
processes recording at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.history import HistoryOptions, attach, check, open_history, record_run
from auditor.history.db import MIGRATIONS, SCHEMA_VERSION, open_sqlite
from auditor.history.timeline import scope_of
from auditor.results import EvaluationResult, LifecycleStatus, Verdict

from .conftest import arn, run_at

REPO = Path(__file__).resolve().parents[2]
DQ = "mm-data-quality-monitor"


def _v1_database(path: Path) -> None:
    """A history as the first schema version wrote it: one run with one failing finding."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        (first,) = [steps for version, steps in MIGRATIONS if version == 1]
        for statement in first:
            connection.execute(statement)
        scope = scope_of(run_at("2026-01-01", {}))
        connection.execute(
            "INSERT INTO runs (id, scope_key, scope, observed_at, recorded_at, generated_at, tool_version, "
            "policy_set_digest, inventory_digest, source, scan_errors, pass_count, fail_count, error_count, "
            "waived_count, na_count) VALUES (1, ?, ?, '2026-01-01T06:00:00Z', '2026-01-01T06:05:00Z', "
            "'2026-01-01T06:05:00Z', '0.0.9', 'd', 'i', 'scan', 0, 0, 1, 0, 0, 0)",
            (scope.key, scope.text),
        )
        connection.execute(
            "INSERT INTO findings (id, policy_id, resource_arn, resource_kind, resource_name, account_id, "
            "region) VALUES (1, ?, ?, 'endpoint', 'churn', '111122223333', 'eu-west-1')",
            (DQ, arn("churn")),
        )
        connection.execute(
            "INSERT INTO changes (run_id, finding_id, state, severity) VALUES (1, 1, 'FAIL', 'high')"
        )
    finally:
        connection.close()


def test_a_v1_database_is_migrated_and_its_history_continues(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    _v1_database(path)
    db = open_sqlite(path, create=False)
    try:
        assert db.check() == 1  # checking changes nothing
        assert db.migrate() == 1
        assert db.check() == SCHEMA_VERSION == 2
        assert db.rows("SELECT id, label FROM runs") == [(1, "")]  # the column v2 added, defaulted
        assert db.rows("SELECT COUNT(*) FROM run_coverage") == [(0,)]
    finally:
        db.close()
    options = HistoryOptions(path=path)
    later = run_at("2026-01-11", {(DQ, "churn"): Verdict.FAIL})
    attach(options, later)
    assert later.history is not None
    (churn,) = later.history.findings
    assert (churn.status, churn.first_seen, churn.age_days) == (
        LifecycleStatus.STILL_FAILING,
        "2026-01-01T06:00:00Z",
        10,
    )
    recorded = record_run(options, later)
    assert recorded is not None and recorded.run_id == 2 and recorded.changes == 0


def test_every_migration_step_runs_once_in_order_on_a_new_database(tmp_path: Path) -> None:
    assert [v for v, _ in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))
    db = open_history(tmp_path / "new.sqlite", create=True)
    try:
        assert db.check() == SCHEMA_VERSION
        assert db.migrate() == SCHEMA_VERSION  # nothing left to do
        assert db.rows("SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
    finally:
        db.close()


def _garbage(path: Path) -> bytes:
    data = b"this is not a database, it is a note someone saved under the wrong name\n" * 100
    path.write_bytes(data)
    return data


def _truncated(path: Path) -> bytes:
    record_run(
        HistoryOptions(path=path), run_at("2026-01-01", {(DQ, f"ep-{i}"): Verdict.FAIL for i in range(300)})
    )
    data = path.read_bytes()[: 4096 + 100]  # the header page survives, the rest is cut
    path.write_bytes(data)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return data


def _foreign(path: Path) -> bytes:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    connection.commit()
    connection.close()
    return path.read_bytes()


def _newer(path: Path) -> bytes:
    record_run(HistoryOptions(path=path), run_at("2026-01-01", {(DQ, "a"): Verdict.FAIL}))
    connection = sqlite3.connect(path)
    connection.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    connection.commit()
    connection.close()
    return path.read_bytes()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_garbage, "not a database"),
        (_truncated, "corrupt"),
        (_foreign, "not an mm-auditor history database"),
        (_newer, f"schema version {SCHEMA_VERSION + 1}, newer than this auditor's {SCHEMA_VERSION}"),
    ],
    ids=["garbage", "truncated", "foreign-sqlite", "newer-schema"],
)
def test_an_unusable_database_is_a_one_line_input_error_and_is_left_alone(
    tmp_path: Path, make: object, message: str
) -> None:
    path = tmp_path / "history.sqlite"
    before = make(path)  # type: ignore[operator]
    result = run_at("2026-02-01", {(DQ, "a"): Verdict.FAIL})
    for attempt in (
        lambda: check(HistoryOptions(path=path)),
        lambda: attach(HistoryOptions(path=path), result),
        lambda: record_run(HistoryOptions(path=path), result),
    ):
        with pytest.raises(InputError) as info:
            attempt()
        text = str(info.value)
        assert text.startswith(str(path)) and message in text and "\n" not in text
    assert path.read_bytes() == before  # never replaced or "repaired"


def test_the_cli_exits_2_on_a_corrupt_history_before_judging(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    _garbage(path)
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "evaluate", "missing-inventory.json", "--history", str(path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr.count("\n") == 1 and "history.sqlite" in proc.stderr and "not a database" in proc.stderr
    )


_WRITER = textwrap.dedent(
    """
    import sys
    import time
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    from auditor.history import HistoryOptions, record_run
    from tests.history.test_database import concurrent_run
    path, parity = Path(sys.argv[1]), int(sys.argv[2])
    # Start together: each says it is ready and waits for the other (bounded).
    Path(f"{path}.ready-{parity}").touch()
    for _ in range(600):
        if Path(f"{path}.ready-{1 - parity}").exists():
            break
        time.sleep(0.05)
    for day in range(parity, 40, 2):
        record_run(HistoryOptions(path=path), concurrent_run(day))
    """
)


def concurrent_run(day: int) -> EvaluationResult:
    """Half-day ``day`` of a 20-day series: every endpoint's verdict flips on its own rhythm."""
    verdicts = {
        (DQ, f"ep-{i}"): Verdict.FAIL if (day // (i % 5 + 1)) % 2 else Verdict.PASS for i in range(50)
    }
    return run_at(f"2026-03-{day // 2 + 1:02d}T{12 * (day % 2):02d}:00:00Z", verdicts)


def test_two_processes_recording_at_once_lose_nothing(tmp_path: Path) -> None:
    shared = tmp_path / "shared.sqlite"
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(shared), str(parity), str(REPO)], cwd=REPO)
        for parity in (0, 1)
    ]
    assert [w.wait(timeout=300) for w in writers] == [0, 0]
    # The same 40 runs recorded one after another, in time order, by one process.
    alone = tmp_path / "alone.sqlite"
    for day in range(40):
        record_run(HistoryOptions(path=alone), concurrent_run(day))
    logs = []
    for path in (shared, alone):
        db = open_history(path, create=False)
        try:
            assert db.scalar("SELECT COUNT(*) FROM runs") == 40
            logs.append(
                sorted(
                    db.rows(
                        "SELECT r.observed_at, f.resource_arn, c.state FROM changes c "
                        "JOIN runs r ON r.id = c.run_id JOIN findings f ON f.id = c.finding_id"
                    )
                )
            )
        finally:
            db.close()
    assert logs[0] == logs[1]
