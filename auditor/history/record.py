"""Recording a run: its metadata, its counts, and the change of every finding's state, in one transaction.

A run may be recorded out of time order (``auditor history import`` of older reports): the change rows
of the scope's next run are then corrected so that replaying the log gives every run its own states.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from auditor.errors import InputError
from auditor.history.db import Database
from auditor.history.timeline import ABSENT, finding_ids, observed_at, scope_of
from auditor.report.summary import verdict_counts
from auditor.results import CellState, CoverageRow, EvaluationResult, Finding, Verdict


class RunSource(StrEnum):
    """How a run reached the history."""

    SCAN = "scan"
    EVALUATE = "evaluate"
    IMPORT = "import"
    DEMO = "demo"


class GroupDimension(StrEnum):
    """The groups whose verdict counts are kept per run, for the trend tables."""

    ACCOUNT = "account"
    POLICY = "policy"
    SEVERITY = "severity"


# Every coverage-matrix column of a run is kept (the matrix is declared by the policies, custom
# columns included): the per-monitor-type trend. Histories written before the matrix became a view
# of the verdicts stored the old fixed column names; they read as the same columns.
LEGACY_COLUMNS = {
    "data_quality": "DataQuality",
    "model_quality": "ModelQuality",
    "model_bias": "ModelBias",
    "model_explainability": "ModelExplainability",
}
COLUMN_TITLES = {"data_capture": "Data capture", "drift_alarm": "Drift alarm"}
COLUMN_ORDER = (
    "data_capture",
    "DataQuality",
    "ModelQuality",
    "ModelBias",
    "ModelExplainability",
    "drift_alarm",
)


def column_label(column: str) -> str:
    """How the trend table names a stored column (an old name reads as its current column)."""
    current = LEGACY_COLUMNS.get(column, column)
    return COLUMN_TITLES.get(current, current)


@dataclass(frozen=True)
class Recorded:
    run_id: int
    new_findings: int  # identities seen for the first time
    changes: int  # change rows written for this run


def _counts(values: dict[Verdict, int]) -> list[int]:
    return [values[v] for v in Verdict]


def _latest_states(db: Database, scope_key: str, at: str, run_id: int) -> dict[int, tuple[str, str]]:
    """Each finding's (state, severity) as of the scope's last run before position (at, run_id)."""
    rows = db.rows(
        """SELECT finding_id, state, severity FROM (
               SELECT c.finding_id, c.state, c.severity,
                      ROW_NUMBER() OVER (
                          PARTITION BY c.finding_id ORDER BY r.observed_at DESC, r.id DESC
                      ) AS rn
               FROM changes c JOIN runs r ON r.id = c.run_id
               WHERE r.scope_key = ? AND (r.observed_at < ? OR (r.observed_at = ? AND r.id < ?))
           ) latest WHERE rn = 1""",
        [scope_key, at, at, run_id],
    )
    return {int(f): (str(s), str(sev)) for f, s, sev in rows}


def _current_states(
    db: Database, findings: Iterable[Finding], known: dict[tuple[str, str], int]
) -> tuple[dict[int, tuple[str, str]], int]:
    """This run's (state, severity) per finding id; unknown identities are added to ``findings``."""
    fresh: list[tuple[object, ...]] = []
    states: dict[int, tuple[str, str]] = {}
    next_id = (db.scalar("SELECT MAX(id) FROM findings") or 0) + 1
    for f in findings:
        key = (f.policy_id, f.resource_arn)
        fid = known.get(key)
        if fid is None:
            fid = known[key] = next_id
            next_id += 1
            fresh.append(
                (
                    fid,
                    f.policy_id,
                    f.resource_arn,
                    f.resource_kind.value,
                    f.resource_name,
                    f.account_id,
                    f.region,
                )
            )
        # One verdict per identity; were there two, the failing one is kept (fail closed).
        verdict = f.verdict
        if verdict is Verdict.FAIL or verdict is Verdict.ERROR or fid not in states:
            states[fid] = (verdict.value, f.severity.value)
    db.executemany(
        "INSERT INTO findings (id, policy_id, resource_arn, resource_kind, resource_name, account_id, "
        "region) VALUES (?, ?, ?, ?, ?, ?, ?)",
        fresh,
    )
    return states, len(fresh)


def record(
    db: Database,
    result: EvaluationResult,
    *,
    source: RunSource,
    label: str = "",
    origin: str = "report",
    recorded_at: str | None = None,
) -> Recorded:
    """Record ``result`` as one run of its scope, in one write transaction; the new run's id.

    ``origin`` names where the result came from in error messages (a report file for imports).
    """
    at = observed_at(result, origin)
    scope = scope_of(result)
    now = recorded_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    counts = verdict_counts(result.findings)
    with db.write():
        run_id = int(db.scalar("SELECT MAX(id) FROM runs") or 0) + 1
        db.execute(
            "INSERT INTO runs (id, scope_key, scope, observed_at, recorded_at, generated_at, tool_version, "
            "policy_set_digest, inventory_digest, source, scan_errors, pass_count, fail_count, error_count, "
            "waived_count, na_count, label) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                scope.key,
                scope.text,
                at,
                now,
                result.generated_at,
                result.tool_version,
                result.policy_set_digest,
                result.inventory_digest,
                source.value,
                len(result.scan_errors),
                *_counts(counts),
                label,
            ],
        )
        db.executemany(
            "INSERT INTO run_groups (run_id, dimension, group_key, pass_count, fail_count, error_count, "
            "waived_count, na_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            _group_rows(run_id, result.findings),
        )
        db.executemany(
            "INSERT INTO run_coverage (run_id, monitor_type, ok_count, degraded_count, missing_count, "
            "na_count, unknown_count) VALUES (?, ?, ?, ?, ?, ?, ?)",
            _coverage_rows(run_id, [c.id for c in result.coverage_columns], result.coverage),
        )
        states, new_identities = _current_states(db, result.findings, finding_ids(db))
        changes = _write_changes(db, scope.key, at, run_id, states)
    return Recorded(run_id=run_id, new_findings=new_identities, changes=changes)


def _group_rows(run_id: int, findings: Sequence[Finding]) -> list[tuple[object, ...]]:
    # One pass over the findings; the (few) distinct combinations are then summed per dimension.
    combos = Counter((f.account_id, f.policy_id, f.severity.value, f.verdict) for f in findings)
    groups: dict[tuple[GroupDimension, str], Counter[Verdict]] = {}
    for (account, policy, severity, verdict), n in combos.items():
        for key in (
            (GroupDimension.ACCOUNT, account),
            (GroupDimension.POLICY, policy),
            (GroupDimension.SEVERITY, severity),
        ):
            counter = groups.get(key)
            if counter is None:
                counter = groups[key] = Counter()
            counter[verdict] += n
    return [
        (run_id, dimension.value, group_key, *(counter.get(v, 0) for v in Verdict))
        for (dimension, group_key), counter in sorted(groups.items())
    ]


def _coverage_rows(run_id: int, columns: list[str], coverage: list[CoverageRow]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    if not coverage:
        return rows
    for column in columns:
        counter = Counter(row.cells[column].state for row in coverage if column in row.cells)
        rows.append((run_id, column, *(counter.get(state, 0) for state in CellState)))
    return rows


def _write_changes(
    db: Database, scope_key: str, at: str, run_id: int, current: dict[int, tuple[str, str]]
) -> int:
    """Write this run's change rows, and correct the next run's when this one is inserted before it."""
    previous = _latest_states(db, scope_key, at, run_id)
    next_run = db.scalar(
        "SELECT id FROM runs WHERE scope_key = ? AND observed_at > ? ORDER BY observed_at, id LIMIT 1",
        [scope_key, at],
    )
    next_changes: dict[int, str] = {}
    if next_run is not None:
        next_changes = {
            int(f): str(s)
            for f, s in db.rows("SELECT finding_id, state FROM changes WHERE run_id = ?", [next_run])
        }
    inserts: list[tuple[object, ...]] = []
    deletes: list[tuple[object, ...]] = []
    touched = {fid for fid, (state, _) in previous.items() if state != ABSENT} | current.keys()
    written = 0
    for fid in sorted(touched):
        before_state, before_severity = previous.get(fid, (ABSENT, ""))
        state, severity = current.get(fid, (ABSENT, before_severity))
        if state != before_state:
            inserts.append((run_id, fid, state, severity))
            written += 1
        if next_run is None:
            continue
        # The next run's rows were written against ``before_state``; now they follow ``state``.
        later = next_changes.get(fid)
        if later is not None:
            if later == state:
                deletes.append((next_run, fid))
        elif state != before_state:
            inserts.append((next_run, fid, before_state, before_severity))
    db.executemany("DELETE FROM changes WHERE run_id = ? AND finding_id = ?", deletes)
    db.executemany("INSERT INTO changes (run_id, finding_id, state, severity) VALUES (?, ?, ?, ?)", inserts)
    return written


def require_history_runs(db: Database, source: str) -> None:
    """InputError when the history has no run at all (for the reading commands)."""
    if not db.scalar("SELECT COUNT(*) FROM runs"):
        raise InputError(source, "the history has no runs yet")
