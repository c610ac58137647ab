"""The demo's past: three earlier runs of the sample organization, so its trend section is not empty.

They are derived from the real scan of the local AWS, judged by the real engine, and dated in the
past (21, 14 and 7 days before the scan): three weeks ago some endpoints did not exist yet and two
healthy schedules were stopped; a week ago the schedules ran again; the newest failing endpoint
appears only in today's run. The endpoints migrated off Model Monitor (a replacement recognised,
no schedule left today) still had their DataQuality schedule in every earlier run, so today's run
shows what the migration kept (a replacement that reaches someone) and what it lost. Every seeded
run is recorded with source "demo" (``history list`` says so), never mixed into a user's history:
the demo writes its own history file.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from auditor.history.db import Database
from auditor.history.record import RunSource, record
from auditor.history.timeline import utc_stamp
from auditor.inventory.model import Inventory, Monitor, MonitorType
from auditor.inventory.relations import link
from auditor.pipeline import JudgeInputs, judge
from auditor.results import ResourceKind, Verdict

DAYS_AGO = (21, 14, 7)


@dataclass(frozen=True)
class _Past:
    days_ago: int
    absent_endpoints: frozenset[str]  # ARNs of endpoints that did not exist yet
    stopped_monitors: frozenset[str]  # ARNs of schedules that were stopped


def _plan(inventory: Inventory, inputs: JudgeInputs) -> list[_Past]:
    today = judge(inventory, inputs)
    failing = sorted(
        {
            f.resource_arn
            for f in today.findings
            if f.verdict is Verdict.FAIL and f.resource_kind is ResourceKind.ENDPOINT
        }
    )
    newest, recent = frozenset(failing[:1]), frozenset(failing[1:3])
    healthy = sorted(
        m.arn
        for m in inventory.monitors
        if m.status == "Scheduled" and m.endpoint_arn is not None and m.endpoint_arn not in newest | recent
    )
    stopped = frozenset(healthy[:2])
    return [
        _Past(21, newest | recent, stopped),
        _Past(14, newest, stopped),
        _Past(7, newest, frozenset()),
    ]


def _as_of(inventory: Inventory, past: _Past) -> Inventory:
    earlier = copy.deepcopy(inventory)
    gone_monitors = {m.arn for m in earlier.monitors if m.endpoint_arn in past.absent_endpoints}
    gone_definitions = {m.job_definition_arn for m in earlier.monitors if m.arn in gone_monitors}
    gone_alarms = {a for m in earlier.monitors if m.arn in gone_monitors for a in m.alarm_arns}
    earlier.endpoints = [e for e in earlier.endpoints if e.arn not in past.absent_endpoints]
    earlier.monitors = [m for m in earlier.monitors if m.arn not in gone_monitors]
    earlier.job_definitions = [j for j in earlier.job_definitions if j.arn not in gone_definitions]
    earlier.alarms = [a for a in earlier.alarms if a.arn not in gone_alarms]
    for monitor in earlier.monitors:
        if monitor.arn in past.stopped_monitors:
            monitor.status = "Stopped"
    earlier.monitors.extend(_deleted_schedules(earlier))
    moment = datetime.fromisoformat(utc_stamp(inventory.metadata.finished_at)) - timedelta(days=past.days_ago)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    earlier.metadata.started_at = earlier.metadata.finished_at = stamp
    return link(earlier)


def _deleted_schedules(inventory: Inventory) -> list[Monitor]:
    """The DataQuality schedules the migrated endpoints had before the migration: a copy of a healthy
    schedule of the same account and region, renamed and pointed at the endpoint."""
    migrated = [e for e in inventory.endpoints if e.replacements and not e.monitor_arns]
    templates = {
        (m.account_id, m.region): m
        for m in sorted(inventory.monitors, key=lambda m: m.arn, reverse=True)
        if m.monitor_type is MonitorType.DATA_QUALITY and m.status == "Scheduled" and m.endpoint_name
    }
    added = []
    for endpoint in migrated:
        template = templates.get((endpoint.account_id, endpoint.region))
        if template is None:
            continue
        monitor = copy.deepcopy(template)
        monitor.name = f"{endpoint.name}-dq"
        monitor.arn = f"{template.arn.rsplit('/', 1)[0]}/{monitor.name}"
        monitor.endpoint_name = endpoint.name
        monitor.raw = {}
        added.append(monitor)
    return added


def seed_history(db: Database, inventory: Inventory, inputs: JudgeInputs) -> list[int]:
    """Record the demo's three earlier runs in ``db``; their run ids, oldest first."""
    ids = []
    for past in _plan(inventory, inputs):
        result = judge(_as_of(inventory, past), inputs)
        result.generated_at = result.scan.finished_at
        ids.append(record(db, result, source=RunSource.DEMO, label=f"demo: {past.days_ago} days ago").run_id)
    return ids


def fresh_history_file(path: Path) -> None:
    """Remove the demo's previous history file (and its WAL files): each demo starts a new past."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
