"""A manual check that the history's SQL runs on PostgreSQL too (not a pytest module, not run by CI).

The history ships with SQLite only; this script proves the portability claim of auditor/history/db.py.
It needs a throwaway PostgreSQL and psycopg, neither of which is a dependency of this project:

    su postgres -c "initdb -D /tmp/pg/data -A trust -U postgres"
    su postgres -c "pg_ctl -D /tmp/pg/data -o '-p 54329 -k /tmp/pg' -l /tmp/pg/log start"
    python3 -m venv /tmp/pgvenv && /tmp/pgvenv/bin/pip install 'psycopg[binary]'
    PYTHONPATH=.:.venv/lib/python3.11/site-packages /tmp/pgvenv/bin/python tests/history/postgres_check.py \\
        "host=/tmp/pg port=54329 user=postgres dbname=postgres"

It runs, on a fresh PostgreSQL schema and on a SQLite file side by side: every migration from an empty
database, the migration from schema v1 with data in it, the five-run lifecycle story recorded in time
order and again out of order (backfill), two writers at once (threads, one connection each), the
lifecycle view, ``history show`` and the trend tables; and asserts that both engines give the same
answers.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import psycopg

from auditor.history import open_history
from auditor.history.db import MIGRATIONS, SCHEMA_VERSION, Database, open_sqlite, postgresql_dialect
from auditor.history.lifecycle import build_view
from auditor.history.record import RunSource, record
from auditor.history.trend import TrendBy, list_runs, resolve_scope, show_run, trend
from tests.history.test_database import concurrent_run
from tests.history.test_lifecycle import _story


def pg(dsn: str, schema: str, *, fresh: bool = True) -> Database:
    connection = psycopg.connect(dsn, autocommit=True)
    if fresh:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.execute(f"CREATE SCHEMA {schema}")
    connection.execute(f"SET search_path TO {schema}")
    return Database(connection, postgresql_dialect(psycopg.Error), f"postgresql:{schema}")


def answers(db: Database) -> dict[str, Any]:
    probe = _story()[-1]
    probe.scan.finished_at = "2026-02-08T06:00:00Z"
    view = build_view(db, probe)
    with db.read():
        scope = resolve_scope(db, None, db.source)
    runs = [(r.run.observed_at, r.run.newly_failing, r.run.resolved) for r in list_runs(db)]
    latest = db.scalar("SELECT id FROM runs ORDER BY observed_at DESC, id DESC LIMIT 1")
    shown = show_run(db, int(latest), db.source)
    tables = {by.value: trend(db, scope, by, 12) for by in TrendBy}
    return {
        "view": (
            view.findings,
            view.resolved,
            [(p.observed_at, p.newly_failing, p.resolved) for p in view.trend],
        ),
        "mttr": (view.mean_days_to_resolve, view.resolved_periods),
        "runs": runs,
        "show": [(c.kind, c.policy_id, c.before, c.after, c.open_days) for c in shown.changes],
        "trend": {
            k: (t.table.rows if t.table else None, t.age_buckets, t.mean_days_to_resolve)
            for k, t in tables.items()
        },
    }


def main(dsn: str) -> None:
    scratch = Path(tempfile.mkdtemp())
    story = _story()
    results = {}
    for engine in ("sqlite", "postgresql"):
        for order_name, order in (("in order", range(5)), ("backfilled", (4, 3, 0, 1, 2))):
            if engine == "sqlite":
                db = open_sqlite(scratch / f"{order_name}.sqlite", create=True)
            else:
                db = pg(dsn, "h_" + order_name[:2])
            try:
                assert db.migrate() == 0 and db.check() == SCHEMA_VERSION
                for index in order:
                    record(db, story[index], source=RunSource.IMPORT)
                results[(engine, order_name)] = answers(db)
            finally:
                db.close()
    first = results[("sqlite", "in order")]
    for key, value in results.items():
        different = [part for part in first if value[part] != first[part]]
        assert not different, (key, different)
    print("lifecycle, backfill, show and trend: the same on SQLite and PostgreSQL")

    # Migration from v1 with data in it.
    db = pg(dsn, "h_v1")
    for statement in MIGRATIONS[0][1]:
        db.execute(statement)
    record_v1 = (
        "INSERT INTO runs (id, scope_key, scope, observed_at, recorded_at, generated_at, tool_version, "
        "policy_set_digest, inventory_digest, source, scan_errors, pass_count, fail_count, error_count, "
        "waived_count, na_count) VALUES (1, 'k', 's', '2026-01-01T00:00:00Z', 'x', 'x', 'x', 'x', 'x', "
        "'scan', 0, 0, 0, 0, 0, 0)"
    )
    db.execute(record_v1)
    assert db.check() == 1 and db.migrate() == 1 and db.check() == SCHEMA_VERSION
    assert db.rows("SELECT id, label FROM runs") == [(1, "")]
    db.close()
    print("migration v1 -> v2 with data: ok")

    # Two writers at once, one connection each.
    pg(dsn, "h_conc").close()
    errors: list[Exception] = []

    def writer(parity: int) -> None:
        db = pg(dsn, "h_conc", fresh=False)
        try:
            db.migrate()
            for day in range(parity, 40, 2):
                record(db, concurrent_run(day), source=RunSource.SCAN)
        except Exception as exc:  # noqa: BLE001 - reported below: a thread cannot raise into main
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=writer, args=(p,)) for p in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    alone = open_history(scratch / "alone.sqlite", create=True)
    for day in range(40):
        record(alone, concurrent_run(day), source=RunSource.SCAN)
    query = (
        "SELECT r.observed_at, f.resource_arn, c.state FROM changes c "
        "JOIN runs r ON r.id = c.run_id JOIN findings f ON f.id = c.finding_id"
    )
    shared = pg(dsn, "h_conc", fresh=False)
    assert shared.scalar("SELECT COUNT(*) FROM runs") == 40
    assert sorted(shared.rows(query)) == sorted(alone.rows(query))
    shared.close()
    alone.close()
    print("two concurrent writers: 40 runs, the same change log as one writer in order")


if __name__ == "__main__":
    main(sys.argv[1])
