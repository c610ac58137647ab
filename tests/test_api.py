"""The library entry point: a whole run through ``auditor.api`` with a boto3 session passed in (no
environment variable set or read), and the precedence of flags, the config file and the defaults,
decided in one place (``auditor.settings.resolve``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditor import api
from auditor.errors import InputError
from auditor.history import RunSource
from auditor.results import Severity
from auditor.settings import HistoryFlags, JudgeFlags, OutputFlags, resolve

pytestmark = pytest.mark.e2e


def test_a_run_through_the_api_needs_no_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.emulator import LocalAws
    from auditor.emulator.estate import build_estate, unseeded_errors

    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    before = dict(os.environ)
    with LocalAws.start() as aws:
        estate = build_estate(aws)
        chosen = resolve(
            scan={
                "accounts": ",".join(estate.member_account_ids),
                "regions": ",".join(estate.regions),
                "role_name": estate.role_name,
                "endpoint_url": aws.endpoint_url,
            },
            output=OutputFlags(formats=("json",), output_dir=tmp_path / "out"),
            history=HistoryFlags(history_path="none"),
            source=RunSource.SCAN,
        )
        outcome = api.run(chosen, session=aws.session())
    assert dict(os.environ) == before  # nothing set, nothing left behind
    assert outcome.inventory is not None and unseeded_errors(outcome.inventory.errors) == []
    assert len(outcome.inventory.endpoints) == sum(1 for c in estate.cases if c.kind == "endpoint")
    assert int(outcome.exit_code) == 1  # the sample estate's deliberate failures, as the CLI gate says
    assert (tmp_path / "out" / "report.json").is_file() and (tmp_path / "out" / "run.json").is_file()


def test_a_session_and_a_profile_together_are_an_input_error(tmp_path: Path) -> None:
    import boto3

    chosen = resolve(
        scan={"profile": "audit"}, history=HistoryFlags(history_path="none"), source=RunSource.SCAN
    )
    with pytest.raises(InputError, match="a session was given"):
        api.run(chosen, session=boto3.Session(aws_access_key_id="x", aws_secret_access_key="y"))


def test_flags_then_the_config_file_then_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_CONFIG", raising=False)
    defaults = resolve(history=HistoryFlags(history_path="none"))
    assert defaults.output.fail_on is Severity.HIGH and defaults.output.formats == ("json", "html")
    assert defaults.scan is None and defaults.config.path is None

    (tmp_path / "auditor.yaml").write_text(
        "fail_on: critical\nformats: [junit]\nregions: [eu-west-1]\nparameters:\n"
        "  mm-data-capture: {min_sampling_percent: 50}\n",
        encoding="utf-8",
    )
    configured = resolve(scan={}, history=HistoryFlags(history_path="none"), source=RunSource.SCAN)
    assert configured.output.fail_on is Severity.CRITICAL and configured.output.formats == ("junit",)
    assert configured.scan is not None and configured.scan.regions == ("eu-west-1",)
    capture = configured.inputs.policies.get("mm-data-capture")
    assert capture is not None and capture.values["min_sampling_percent"] == 50

    flagged = resolve(
        scan={"regions": "us-east-1"},
        output=OutputFlags(formats=("sarif",), fail_on="low"),
        judge=JudgeFlags(disable=("mm-data-capture",)),
        history=HistoryFlags(history_path="none"),
        source=RunSource.SCAN,
    )
    assert flagged.output.fail_on is Severity.LOW and flagged.output.formats == ("sarif",)
    assert flagged.scan is not None and flagged.scan.regions == ("us-east-1",)
    assert flagged.inputs.policies.get("mm-data-capture") is None
