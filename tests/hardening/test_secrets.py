"""A scan with realistic-looking credentials: no output (inventory, every report format, run.json, the
evidence bundle's contents, the run history database, stdout/stderr) contains the access key id, the
secret or the session token, and neither the external id (whether it came from --external-id or from
auditor.yaml) nor the notification webhook's URL is anywhere either."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from .conftest import Local
from .support import ROLE_NAME, cli_env, iter_files, run_cli, scan_args

pytestmark = pytest.mark.e2e

ACCESS_KEY_ID = "AKIAZ7QXJ3HKLM4NPQRS"
SECRET_ACCESS_KEY = "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"
SESSION_TOKEN = (
    "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDv3sKJ8v1F6ZgYx2xQmH7w0K9v1a2lGzK4y8sZ"
    "3m0LwIgX8bT4q5uNwR2c7y1dVhJzPq8mKxT6a0LbF9eYhS4oCkqnAIIk///////////ARAAGgw5ODc2NTQzMjEwOTgiDK"
    "s0Fq2l7Jx3Yx8vZyrwAV1kH2o3pQn6XbW8m5r4s7tU0vY1wZ2x3y4z5A6B7C8D9E0F1G2H3I4J5K6L7M8N9O0P1Q2R3S"
)
EXTERNAL_ID = "ext-8c1f2e9a-Tr0ub4dor-3-secret"
CONFIG_EXTERNAL_ID = "cfg-51d0c7e2-Horse-Battery-Staple"
CONFIG = f"""\
# The audit hub's settings (this comment stays in the copy).
role_name: {ROLE_NAME}
external_id: "{CONFIG_EXTERNAL_ID}"   # the member roles require it
formats: [json, html, junit, sarif, csv, markdown]
"""
WEBHOOK_TOKEN = "T04SECRETX/B05SECRETY/pQ7webhookTokenZ9"
SECRETS = {
    "access key id": ACCESS_KEY_ID,
    "secret access key": SECRET_ACCESS_KEY,
    "session token": SESSION_TOKEN,
    "external id": EXTERNAL_ID,
    "external id from the config file": CONFIG_EXTERNAL_ID,
    "webhook URL": WEBHOOK_TOKEN,
}
# Any access key id at all (the assumed-role keys the local AWS hands out included).
ANY_KEY_ID = re.compile(rb"(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")


@dataclass(frozen=True)
class Outputs:
    files: dict[str, bytes]  # every file written, and every member of the evidence bundle
    streams: dict[str, str]  # stdout and stderr of every command
    posted: list[str]  # the bodies the webhook received


@pytest.fixture(scope="module")
def webhook() -> Iterator[tuple[str, list[str]]]:
    """A local incoming webhook; its URL carries the secret token, as Slack's and Teams' do."""
    posted: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            posted.append(self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode())
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/services/{WEBHOOK_TOKEN}", posted
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def outputs(
    local: Local, tmp_path_factory: pytest.TempPathFactory, webhook: tuple[str, list[str]]
) -> Outputs:
    folder = tmp_path_factory.mktemp("secrets")
    out = folder / "out"
    url, posted = webhook
    env = cli_env(
        AWS_ACCESS_KEY_ID=ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY=SECRET_ACCESS_KEY,
        AWS_SESSION_TOKEN=SESSION_TOKEN,
        AUDITOR_WEBHOOK_URL=url,
    )
    notify = ("--notify-webhook", "slack")
    local.aws.clear_faults()
    # A clean first run, so the second has changes to notify about (the first has nothing to compare).
    first = run_cli(scan_args(local.aws, local.estate, folder / "first", *notify), cwd=folder, env=env)
    assert first.returncode == 0, (first.stdout, first.stderr)
    # One operation denied, so error paths (ScanError messages, ERROR verdicts) are in the outputs too.
    local.aws.faults.add_rule(
        error="AccessDeniedException",
        operation="DescribeAlarms",
        account_id=local.estate.members[0],
        region="us-east-1",
    )
    try:
        scan = run_cli(
            scan_args(
                local.aws,
                local.estate,
                out,
                "--format",
                "json,html,junit,sarif,csv,markdown",
                "--external-id",
                EXTERNAL_ID,
                *notify,
            ),
            cwd=folder,
            env=env,
        )
    finally:
        local.aws.clear_faults()
    assert scan.returncode == 3, (scan.stdout, scan.stderr)
    # The same scan with the external id in auditor.yaml instead of on the command line.
    (folder / "auditor.yaml").write_text(CONFIG, encoding="utf-8")
    configured = run_cli(
        [
            "scan",
            "--endpoint-url",
            local.aws.endpoint_url,
            "--accounts",
            ",".join(local.estate.members),
            "--regions",
            ",".join(local.estate.regions),
            "--config",
            "auditor.yaml",
            "--output-dir",
            "configured",
            *notify,
        ],
        cwd=folder,
        env=env,
    )
    assert configured.returncode == 0, (configured.stdout, configured.stderr)
    streams = {
        "first scan stdout": first.stdout,
        "first scan stderr": first.stderr,
        "scan stdout": scan.stdout,
        "scan stderr": scan.stderr,
        "config scan stdout": configured.stdout,
        "config scan stderr": configured.stderr,
    }
    files: dict[str, bytes] = {}
    for run_dir, bundle_name in ((out, "evidence.zip"), (folder / "configured", "configured.zip")):
        bundle = folder / bundle_name
        pack = run_cli(["evidence", "pack", str(run_dir), "--output", str(bundle)], cwd=folder, env=env)
        assert pack.returncode == 0, (pack.stdout, pack.stderr)
        streams |= {f"pack {bundle_name} stdout": pack.stdout, f"pack {bundle_name} stderr": pack.stderr}
        with zipfile.ZipFile(bundle) as zf:
            files.update({f"{bundle_name}!{name}": zf.read(name) for name in zf.namelist()})
    files.update(
        {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in iter_files(folder)
            if p != folder / "auditor.yaml"  # the user's own config: the one place the secret belongs
        }
    )
    return Outputs(files, streams, list(posted))


def test_every_output_was_searched(outputs: Outputs) -> None:
    names = set(outputs.files)
    for expected in (
        "out/inventory.json",
        "out/run.json",
        "out/report.json",
        "out/report.html",
        "out/junit.xml",
        "out/report.sarif",
        "out/report.csv",
        "out/report.md",
        "evidence.zip!run.json",
        "evidence.zip!inventory.json",
        "evidence.zip!manifest.json",
        "configured/run.json",
        "configured/report.md",
        "configured/inputs/config/auditor.yaml",
        "configured.zip!run.json",
        "configured.zip!inputs/config/auditor.yaml",
    ):
        assert expected in names, sorted(names)
    assert any(name.startswith("evidence.zip!inputs/policies/") for name in names)
    assert "Exit code 3" in outputs.streams["scan stdout"]
    # The history recorded both runs, and the second one's changes were posted to the webhook.
    assert "reports/history.sqlite" in names
    assert "Notified: slack webhook" in outputs.streams["scan stdout"]
    # One post per run that had changes to tell (the config-file scan is the same scope's next run).
    assert outputs.posted
    assert "Regressions" in json.loads(outputs.posted[0])["text"]


@pytest.mark.parametrize("what", list(SECRETS))
def test_no_credential_in_any_output(outputs: Outputs, what: str) -> None:
    secret = SECRETS[what]
    found = [name for name, data in outputs.files.items() if secret.encode() in data]
    found += [name for name, text in outputs.streams.items() if secret in text]
    assert found == [], f"the {what} is in {found}"


def test_no_access_key_id_of_any_session(outputs: Outputs) -> None:
    found = [name for name, data in outputs.files.items() if ANY_KEY_ID.search(data)]
    found += [name for name, text in outputs.streams.items() if ANY_KEY_ID.search(text.encode())]
    assert found == []


def test_the_run_record_says_an_external_id_was_used(outputs: Outputs) -> None:
    run = outputs.files["out/run.json"].decode()
    assert "--external-id" in run and "***REDACTED***" in run
    inventory = outputs.files["out/inventory.json"].decode()
    assert '"external_id_set": true' in inventory


def test_the_config_copy_keeps_every_setting_but_the_external_id(outputs: Outputs) -> None:
    run = json.loads(outputs.files["configured/run.json"])
    (entry,) = run["inputs"]["config"]
    assert entry["redacted"] == ["external_id"]
    assert entry["original_sha256"] == hashlib.sha256(CONFIG.encode()).hexdigest()
    copy = outputs.files[f"configured/{entry['path']}"]
    assert entry["sha256"] == hashlib.sha256(copy).hexdigest()
    assert outputs.files[f"configured.zip!{entry['path']}"] == copy
    text = copy.decode()
    assert "# The audit hub's settings (this comment stays in the copy)." in text
    assert yaml.safe_load(text) == {**yaml.safe_load(CONFIG), "external_id": "***REDACTED***"}
