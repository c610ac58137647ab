"""The library entry point: the stages as functions, and ``run``, which chains them as the CLI does.

    from auditor import api, settings

    chosen = settings.resolve(scan={"accounts": "111111111111", "regions": "eu-west-1"},
                              output=settings.OutputFlags(output_dir=Path("reports/nightly")))
    outcome = api.run(chosen, session=boto3.Session(profile_name="audit"))
    outcome.exit_code, outcome.result.findings

A boto3 ``Session`` can be passed to anything that calls AWS, so a caller (the demo, the benchmarks,
a test, a Lambda) never has to touch ``os.environ``. The command line is a thin layer over these
functions: it turns flags into ``Settings`` and prints.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import boto3

from auditor.inventory import store
from auditor.inventory.model import Inventory
from auditor.pipeline import JudgeInputs, RunOutcome, default_output_dir, finish, judge
from auditor.results import EvaluationResult
from auditor.run_folder import RunFolder
from auditor.scan.options import ScanOptions
from auditor.scan.orchestrator import scan as _scan
from auditor.scan.progress import ScanProgress
from auditor.settings import Settings

Progress = Callable[[ScanProgress], None]


def now() -> str:
    """The current time as the run record writes it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def scan(
    options: ScanOptions, *, session: boto3.Session | None = None, progress: Progress | None = None
) -> Inventory:
    """Scan AWS read-only and return the linked inventory (AWS errors are recorded in it, never raised).

    ``session``: the base credentials (default: the standard chain, or ``options.profile``).
    """
    return _scan(options, progress=progress, session=session)


def load_inventory(path: Path) -> Inventory:
    """A saved inventory.json, validated (InputError naming the file and field otherwise)."""
    return store.load(path)


def evaluate(inventory: Inventory, inputs: JudgeInputs) -> EvaluationResult:
    """The verdicts, the coverage matrix, the framework rollup and the baseline comparison."""
    return judge(inventory, inputs)


def write(
    inventory: Inventory,
    chosen: Settings,
    *,
    started_at: str,
    folder: RunFolder | None = None,
) -> RunOutcome:
    """Judge ``inventory``, write the run folder as one set, record the history, compute the gate."""
    return finish(
        inventory,
        chosen.inputs,
        chosen.output,
        started_at=started_at,
        folder=folder,
        history=chosen.history,
    )


def run(
    chosen: Settings,
    *,
    inventory: Inventory | None = None,
    session: boto3.Session | None = None,
    progress: Progress | None = None,
    started_at: str | None = None,
    after_scan: Callable[[], None] | None = None,
) -> RunOutcome:
    """One run: open (and lock) the output folder before any AWS call, scan (``chosen.scan``) unless
    an inventory is given, then judge, write and gate. ``after_scan`` runs between the scan and the
    judgement (the CLI ends its progress line there)."""
    started = started_at or now()
    with RunFolder.open(chosen.output.output_dir or default_output_dir()) as folder:
        if inventory is None:
            if chosen.scan is None:
                raise ValueError("run() needs scan options or an inventory")  # a programming error
            inventory = scan(chosen.scan, session=session, progress=progress)
            if after_scan is not None:
                after_scan()
        return write(inventory, chosen, started_at=started, folder=folder)
