"""`auditor demo`: the whole job on an embedded local AWS, no account needed.

Starts the local AWS (moto server plus the Model Monitor extension) on 127.0.0.1, seeds the sample
organization through boto3, scans it through the real scanner (AssumeRole into each member account,
over HTTP), judges it with the built-in pack, writes every report format, and exits as a gate would.
"""

from __future__ import annotations

import importlib.util
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click

from auditor import api
from auditor.cli.demo_history import DAYS_AGO, fresh_history_file, seed_history
from auditor.cli.history_cmd import print_history
from auditor.cli.run_cmds import print_summary
from auditor.config import Config
from auditor.errors import InputError
from auditor.history import HistoryOptions, open_history
from auditor.inventory.model import AlarmMatcher, MonitorType, Recogniser, ScheduleField, ScheduleMatcher
from auditor.pipeline import JudgeInputs, OutputOptions, check_formats, load_judge_inputs
from auditor.report import FORMATS
from auditor.results import Severity
from auditor.run_folder import RunFolder
from auditor.scan.options import ScanOptions
from auditor.settings import LoadedConfig, Settings


def demo_waivers(today: date) -> str:
    """Waivers for the demo, dated from today: one active, one expired, one that matches nothing."""
    return f"""\
# Demo waivers, written by `auditor demo` (dates relative to the day of the run).
waivers:
  - id: W-DEMO-1
    policy: mm-orphan-job-definition
    resources: {{arn: "arn:aws:sagemaker:*:*:*job-definition/fraud-scoring-*-def-v0"}}
    reason: v0 definitions are kept for rollback until the v1 baselines are signed off
    owner: ml-platform@example.com
    expires: {(today + timedelta(days=90)).isoformat()}
  - id: W-DEMO-2
    policy: mm-data-capture
    resources: {{arn: "arn:aws:sagemaker:*:*:endpoint/capture-input-only"}}
    reason: Output capture was off while the PII review was pending
    owner: risk-office@example.com
    expires: {(today - timedelta(days=7)).isoformat()}
  - id: W-DEMO-3
    policy: mm-data-quality-monitor
    resources: {{arn: "arn:aws:sagemaker:*:*:endpoint/legacy-*"}}
    reason: Legacy endpoints are being decommissioned
    owner: ml-platform@example.com
    expires: {(today + timedelta(days=30)).isoformat()}
"""


# The recogniser of the sample estate's Evidently-style replacement (auditor.emulator.estate,
# _seed_replacements): a drift alarm on an Evidently/* namespace with the EndpointName dimension, and a
# Scheduler schedule whose Lambda target's Input names the endpoint.
DEMO_RECOGNISERS: tuple[Recogniser, ...] = (
    Recogniser(
        name="evidently-data-drift",
        monitor_type=MonitorType.DATA_QUALITY,
        alarm=AlarmMatcher(namespace="Evidently/*", dimension="EndpointName"),
        schedule=ScheduleMatcher(endpoint_in=[ScheduleField.INPUT], target_services=["lambda"]),
    ),
)
# Mid-migration, an actionable replacement satisfies the DataQuality policy.
DEMO_PARAMETERS: dict[str, dict[str, object]] = {"mm-data-quality-monitor": {"replacement_satisfies": True}}


@click.command("demo")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports/demo"),
    show_default=True,
    help="Where to write the reports.",
)
@click.option(
    "--fail-on",
    type=click.Choice([s.value for s in Severity]),
    default=Severity.HIGH.value,
    show_default=True,
    help="Gate severity, as in `auditor scan`.",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="LIST",
    help="Report formats, comma-separated or repeated (default: every format, report.asff.json and "
    "report.ocsf.json included).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def demo(output_dir: Path, fail_on: str, formats: tuple[str, ...], quiet: bool) -> int:
    """Run the full audit on a local AWS with a sample organization (no AWS account needed).

    Needs the demo extra: pip install 'mm-auditor[demo]'. Exits with the code a real gate would
    (the sample estate has deliberate failures, so expect 1).
    """
    if importlib.util.find_spec("moto") is None:
        raise InputError("auditor demo", "the local AWS needs the demo extra: pip install 'mm-auditor[demo]'")
    from auditor.emulator import EstateSpec, LocalAws, build_estate

    started = api.now()
    severity = Severity(fail_on)

    def say(message: str) -> None:
        if not quiet:
            click.echo(message)

    with tempfile.TemporaryDirectory(prefix="auditor-demo-") as scratch:
        # Dated from today so the demo always shows an active, an expired and an unused waiver.
        waivers = Path(scratch) / "demo-waivers.yaml"
        waivers.write_text(demo_waivers(datetime.now(UTC).date()), encoding="utf-8")
        # The sample's replacement monitors are recognised, and may satisfy the DataQuality policy.
        inputs: JudgeInputs = load_judge_inputs(waivers_path=waivers, parameters=DEMO_PARAMETERS)
    names = [n.strip() for item in formats for n in item.split(",") if n.strip()] or list(FORMATS)
    # The embedded default: no config file is read, every setting is the demo's.
    chosen = Settings(
        config=LoadedConfig(Config(), None),
        inputs=inputs,
        output=OutputOptions(formats=check_formats(names), output_dir=output_dir, fail_on=severity),
        history=HistoryOptions(path=output_dir / "history.sqlite"),
    )
    with RunFolder.open(output_dir) as folder, LocalAws.start() as aws:
        say(f"Local AWS listening on {aws.endpoint_url} (127.0.0.1 only)")
        estate = build_estate(aws, EstateSpec())
        say(
            f"Seeded a sample organization: {len(estate.member_account_ids)} member accounts x "
            f"{len(estate.regions)} regions, {sum(1 for c in estate.cases if c.kind == 'endpoint')} endpoints"
        )
        options = ScanOptions(
            org=True,
            role_name=estate.role_name,
            regions=tuple(estate.regions),
            endpoint_url=aws.endpoint_url,
            recognisers=DEMO_RECOGNISERS,
        )
        say(f"Scanning every ACTIVE account through AssumeRole({estate.role_name}), read-only ...")
        # The local AWS's own credentials, passed in: the process environment is never touched.
        inventory = api.scan(options, session=aws.session())
        history = chosen.history
        assert history.path is not None
        fresh_history_file(history.path)
        db = open_history(history.path, create=True)
        try:
            seeded = seed_history(db, inventory, inputs)
        finally:
            db.close()
        days = ", ".join(str(d) for d in DAYS_AGO[:-1]) + f" and {DAYS_AGO[-1]}"
        say(f"Seeded a history of {len(seeded)} earlier runs ({days} days ago) in {history.path.as_posix()}")
        outcome = api.write(inventory, chosen, started_at=started, folder=folder)
    if not quiet:
        print_summary(outcome, inventory, fail_on=severity)
    print_history(outcome, history, quiet=quiet)
    return int(outcome.exit_code)
