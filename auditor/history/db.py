"""The history database: its schema, its migrations, and the one place where SQL dialects differ.

The schema and every query are plain SQL that runs on SQLite (the embedded default, standard library
``sqlite3``) and on PostgreSQL: portable types only (INTEGER, TEXT), no AUTOINCREMENT or SERIAL (ids
are assigned under the write lock), no ``INSERT OR ...``, no SQLite pragmas outside ``_connect_sqlite``.
What differs per engine lives in ``Dialect``: the parameter marker, how a write transaction takes its
lock, and the driver's error class.

Versioning: ``schema_version`` holds one row. ``MIGRATIONS`` lists the steps from an empty database to
the current schema; every database, new or old, is brought up to date by running the steps it has not
had, in one transaction. A database from a newer auditor, a corrupt file, or a SQLite file that is not
a history database is refused with an InputError (exit 2), never replaced.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import InputError

BUSY_TIMEOUT_SECONDS = 60.0  # how long a writer waits for another run's transaction to finish

# The steps from an empty database to each version. Version 1 was the first draft; version 2 added
# the per-monitor-type coverage counts and a label saying where each run came from.
MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        1,
        (
            "CREATE TABLE schema_version (version INTEGER NOT NULL)",
            """CREATE TABLE runs (
                id INTEGER PRIMARY KEY,
                scope_key TEXT NOT NULL,
                scope TEXT NOT NULL,
                observed_at TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                generated_at TEXT NOT NULL,
                tool_version TEXT NOT NULL,
                policy_set_digest TEXT NOT NULL,
                inventory_digest TEXT NOT NULL,
                source TEXT NOT NULL,
                scan_errors INTEGER NOT NULL,
                pass_count INTEGER NOT NULL,
                fail_count INTEGER NOT NULL,
                error_count INTEGER NOT NULL,
                waived_count INTEGER NOT NULL,
                na_count INTEGER NOT NULL
            )""",
            "CREATE INDEX runs_by_scope ON runs (scope_key, observed_at, id)",
            """CREATE TABLE findings (
                id INTEGER PRIMARY KEY,
                policy_id TEXT NOT NULL,
                resource_arn TEXT NOT NULL,
                resource_kind TEXT NOT NULL,
                resource_name TEXT NOT NULL,
                account_id TEXT NOT NULL,
                region TEXT NOT NULL,
                UNIQUE (policy_id, resource_arn)
            )""",
            # A row only where a finding's state differs from its state in the scope's previous run:
            # storage grows with change, not with runs x findings.
            """CREATE TABLE changes (
                run_id INTEGER NOT NULL REFERENCES runs (id),
                finding_id INTEGER NOT NULL REFERENCES findings (id),
                state TEXT NOT NULL,
                severity TEXT NOT NULL,
                PRIMARY KEY (run_id, finding_id)
            )""",
            "CREATE INDEX changes_by_finding ON changes (finding_id)",
            """CREATE TABLE run_groups (
                run_id INTEGER NOT NULL REFERENCES runs (id),
                dimension TEXT NOT NULL,
                group_key TEXT NOT NULL,
                pass_count INTEGER NOT NULL,
                fail_count INTEGER NOT NULL,
                error_count INTEGER NOT NULL,
                waived_count INTEGER NOT NULL,
                na_count INTEGER NOT NULL,
                PRIMARY KEY (run_id, dimension, group_key)
            )""",
            "INSERT INTO schema_version (version) VALUES (1)",
        ),
    ),
    (
        2,
        (
            """CREATE TABLE run_coverage (
                run_id INTEGER NOT NULL REFERENCES runs (id),
                monitor_type TEXT NOT NULL,
                ok_count INTEGER NOT NULL,
                degraded_count INTEGER NOT NULL,
                missing_count INTEGER NOT NULL,
                na_count INTEGER NOT NULL,
                unknown_count INTEGER NOT NULL,
                PRIMARY KEY (run_id, monitor_type)
            )""",
            "ALTER TABLE runs ADD COLUMN label TEXT NOT NULL DEFAULT ''",
            "UPDATE schema_version SET version = 2",
        ),
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


@dataclass(frozen=True)
class Dialect:
    """What differs between the SQL engines: everything else is shared SQL written with ``?`` markers."""

    name: str
    placeholder: str  # the driver's parameter marker that replaces ``?``
    begin_read: tuple[str, ...]
    begin_write: tuple[str, ...]  # a transaction that holds the writers' lock from its first statement
    errors: tuple[type[Exception], ...]
    before_first_write: tuple[str, ...] = ()  # run outside a transaction once the file is known to be ours

    def sql(self, statement: str) -> str:
        """``statement`` with the driver's parameter marker (the shared SQL has no literal ``?``)."""
        return statement if self.placeholder == "?" else statement.replace("?", self.placeholder)


SQLITE = Dialect(
    name="sqlite",
    placeholder="?",
    begin_read=("BEGIN",),
    begin_write=("BEGIN IMMEDIATE",),
    errors=(sqlite3.Error,),
    # WAL: readers never block the writer nor the writer readers; a second writer waits for the busy
    # timeout. Set only on a file known to be a history: it rewrites the file's header.
    before_first_write=("PRAGMA journal_mode=WAL",),
)


def postgresql_dialect(error: type[Exception]) -> Dialect:
    """The PostgreSQL dialect (psycopg); ``error`` is the driver's base error class."""
    return Dialect(
        name="postgresql",
        placeholder="%s",
        begin_read=("BEGIN ISOLATION LEVEL REPEATABLE READ",),
        # A transaction-scoped advisory lock serializes writers like SQLite's BEGIN IMMEDIATE, and
        # exists before any table does (the first migration takes it too).
        begin_write=("BEGIN", "SELECT pg_advisory_xact_lock(19019)"),
        errors=(error,),
    )


class Database:
    """One open history database: a DB-API connection in autocommit mode plus its dialect.

    Transactions are explicit (``read()``, ``write()``); every driver error inside them becomes an
    InputError naming the database, so a locked, corrupt or unwritable file is a one-line exit 2.
    """

    def __init__(self, connection: Any, dialect: Dialect, source: str) -> None:
        self.connection = connection
        self.dialect = dialect
        self.source = source

    # ----------------------------------------------------------------------------- statements
    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        cursor = self.connection.cursor()
        cursor.execute(self.dialect.sql(statement), tuple(params))
        return cursor

    def rows(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.execute(statement, params).fetchall()]

    def scalar(self, statement: str, params: Sequence[Any] = ()) -> Any:
        row = self.execute(statement, params).fetchone()
        return None if row is None else row[0]

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        batch = [tuple(r) for r in rows]
        if batch:
            self.connection.cursor().executemany(self.dialect.sql(statement), batch)

    # ----------------------------------------------------------------------------- transactions
    @contextmanager
    def read(self) -> Iterator[Database]:
        """A read-only transaction: one consistent snapshot for every query inside it."""
        with self._guard():
            for statement in self.dialect.begin_read:
                self.execute(statement)
            try:
                yield self
            finally:
                self.execute("ROLLBACK")

    @contextmanager
    def write(self) -> Iterator[Database]:
        """A write transaction holding the writers' lock: committed whole, or rolled back whole."""
        with self._guard():
            for statement in self.dialect.begin_write:
                self.execute(statement)
            try:
                yield self
            except BaseException:
                self.execute("ROLLBACK")
                raise
            self.execute("COMMIT")

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except self.dialect.errors as exc:
            raise InputError(self.source, f"history database error: {_describe(exc)}") from None

    def close(self) -> None:
        self.connection.close()

    # ----------------------------------------------------------------------------- schema
    def schema_version(self) -> int | None:
        """The version recorded in the database; None for an empty database. InputError otherwise."""
        tables = self._tables()
        if not tables:
            return None
        if "schema_version" not in tables:
            raise InputError(self.source, "not an mm-auditor history database (no schema_version table)")
        versions = self.rows("SELECT version FROM schema_version")
        if len(versions) != 1 or not isinstance(versions[0][0], int):
            raise InputError(self.source, "damaged history database: schema_version must hold one number")
        version: int = versions[0][0]
        return version

    def _tables(self) -> set[str]:
        if self.dialect.name == "sqlite":
            found = self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")
        else:
            found = self.rows(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            )
        return {str(name) for (name,) in found}

    def migrate(self) -> int:
        """Bring the schema up to ``SCHEMA_VERSION`` (in one transaction); the version it had before.

        0 means the database was empty. A newer version is refused: this auditor cannot know its
        meaning, and writing to it could lose what a newer auditor recorded.
        """
        self.check()
        with self._guard():
            for statement in self.dialect.before_first_write:
                self.execute(statement)
        with self.write():
            found = self.schema_version() or 0
            if found > SCHEMA_VERSION:
                raise _newer(self.source, found)
            for version, statements in MIGRATIONS:
                if version > found:
                    for statement in statements:
                        self.execute(statement)
        return found

    def check(self) -> int | None:
        """Read the schema version without changing anything; InputError for a newer or foreign file."""
        with self.read():
            found = self.schema_version()
        if found is not None and found > SCHEMA_VERSION:
            raise _newer(self.source, found)
        return found


def _newer(source: str, found: int) -> InputError:
    return InputError(
        source,
        f"the history database has schema version {found}, newer than this auditor's {SCHEMA_VERSION}; "
        "upgrade mm-auditor to use it",
    )


_WHITESPACE = re.compile(r"\s+")


def _describe(exc: Exception) -> str:
    text = _WHITESPACE.sub(" ", str(exc)).strip() or type(exc).__name__
    if "file is not a database" in text or "malformed" in text:
        return f"{text} (the file is corrupt or not a SQLite database; it was left untouched)"
    if "locked" in text:
        return f"{text} (another run held it for more than {BUSY_TIMEOUT_SECONDS:.0f} s)"
    return text


def _connect_sqlite(path: Path) -> Any:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    # Connection settings only (nothing is written): in WAL mode NORMAL sync is durable apart from
    # the last commit on power loss.
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


def open_sqlite(path: Path, *, create: bool) -> Database:
    """Open the SQLite history at ``path``; with ``create`` a missing file (and folder) is created.

    Without ``create``, a missing file is an InputError: reading commands never create a history.
    """
    source = str(path)
    if path.is_dir():
        raise InputError(source, "is a folder; the history is a file (e.g. reports/history.sqlite)")
    if not path.exists():
        if not create:
            raise InputError(source, "no history database here (a scan or evaluate run creates it)")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(source, f"cannot create the folder: {exc.strerror or exc}") from None
    try:
        connection = _connect_sqlite(path)
    except sqlite3.Error as exc:
        raise InputError(source, f"history database error: {_describe(exc)}") from None
    return Database(connection, SQLITE, source)
