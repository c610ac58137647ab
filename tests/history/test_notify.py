"""Notifications on change: Slack and Teams payloads against a local HTTP server, nothing sent when
nothing changed, delivery failures on stderr with the exit code unchanged, the webhook URL nowhere
in any output, and SNS Publish through its own guarded client against the local AWS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from auditor.emulator import LocalAws
from auditor.errors import InputError
from auditor.history import HistoryOptions, attach, record_run
from auditor.history.notify import (
    NotifySettings,
    WebhookKind,
    notify,
    sns_client,
    summarize_changes,
    webhook_url_from_env,
)
from auditor.inventory import store
from auditor.inventory.model import Dataset, DatasetStatus, Endpoint, Inventory, ScanMetadata, Target
from auditor.results import Verdict
from auditor.scan.guard import ReadOnlyViolation
from auditor.scan.permissions import allowed_operations

from .conftest import run_at

SECRET_TOKEN = "T0SECRET/B0SECRET/xoxwebhooksecretvalue42"
F, P = Verdict.FAIL, Verdict.PASS
DQ = "mm-data-quality-monitor"


@dataclass
class Hook:
    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    status: int = 200


@pytest.fixture
def hook() -> Iterator[Hook]:
    """An incoming-webhook stand-in on 127.0.0.1 that records every POST."""
    state = Hook(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.received.append(json.loads(self.rfile.read(length)))
            state.paths.append(self.path)
            self.send_response(state.status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/services/{SECRET_TOKEN}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _two_runs(tmp_path: Path, hostile: str = "fraud") -> Any:
    options = HistoryOptions(path=tmp_path / "h.sqlite")
    first = run_at("2026-01-01", {(DQ, "churn"): F, (DQ, "old"): F, (DQ, hostile): P})
    record_run(options, first)
    second = run_at("2026-01-08", {(DQ, "churn"): F, (DQ, "old"): P, (DQ, hostile): F, (DQ, "new"): F})
    attach(options, second)
    return second


def test_slack_and_teams_payloads_list_what_changed(tmp_path: Path, hook: Hook) -> None:
    result = _two_runs(tmp_path, hostile="<!channel> *bold* [x](http://evil.example)")
    for kind in WebhookKind:
        delivery = notify(NotifySettings(webhook=kind, webhook_url=hook.url), result)
        assert delivery.sent == [f"{kind.value} webhook"] and delivery.failures == []
    slack, teams = hook.received
    text = slack["text"]
    assert text.startswith(
        "*Model Monitor audit: 1 new failure(s), 1 regression(s), 1 resolved since 2026-01-01"
    )
    assert "Compliance 33.3% -> 25.0%" in text
    assert "New failures (1):\n- [high] mm-data-quality-monitor: new (111122223333 / eu-west-1)" in text
    assert "Regressions (1):" in text and "Resolved (1):\n- [high] mm-data-quality-monitor: old" in text
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text  # no @-mention from a resource name
    card = teams["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    blocks = [b["text"] for b in card["content"]["body"]]
    assert blocks[0].startswith("Model Monitor audit: 1 new failure(s)")
    joined = "\n".join(blocks)
    assert "\\[x\\]\\(http://evil.example\\)" in joined and "\\*bold\\*" in joined  # no injected link
    assert hook.paths == [f"/services/{SECRET_TOKEN}"] * 2


def test_nothing_is_sent_when_nothing_changed_or_on_the_first_run(tmp_path: Path, hook: Hook) -> None:
    options = HistoryOptions(path=tmp_path / "h.sqlite")
    settings = NotifySettings(webhook=WebhookKind.SLACK, webhook_url=hook.url)
    first = run_at("2026-01-01", {(DQ, "churn"): F})
    attach(options, first)
    assert notify(settings, first).skipped == "no earlier run of this scope in the history to compare with"
    record_run(options, first)
    same = run_at("2026-01-02", {(DQ, "churn"): F})
    attach(options, same)
    assert summarize_changes(same) is not None
    assert notify(settings, same).skipped == "nothing changed since the previous run"
    assert hook.received == []


def test_a_failed_delivery_is_a_message_without_the_url(tmp_path: Path, hook: Hook) -> None:
    result = _two_runs(tmp_path)
    hook.status = 500
    delivery = notify(NotifySettings(webhook=WebhookKind.TEAMS, webhook_url=hook.url), result)
    assert delivery.failures == ["the teams webhook answered HTTP 500"]
    unreachable = hook.url.replace("127.0.0.1:", "127.0.0.1:1").rsplit(":", 1)[0] + ":9/" + SECRET_TOKEN
    delivery = notify(NotifySettings(webhook=WebhookKind.SLACK, webhook_url=unreachable), result)
    (failure,) = delivery.failures
    assert failure.startswith("the slack webhook could not be reached")
    assert SECRET_TOKEN not in failure and "SECRET" not in failure
    assert "SECRET" not in repr(NotifySettings(webhook=WebhookKind.SLACK, webhook_url=hook.url))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "is not set"),
        ("ftp://example.com/x", "not an http(s) URL"),
        ("http://hooks.example.com/" + SECRET_TOKEN, "must be an https URL"),
    ],
)
def test_the_webhook_variable_is_checked_without_echoing_it(
    value: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_HOOK", value)
    with pytest.raises(InputError) as info:
        webhook_url_from_env("MY_HOOK")
    assert message in str(info.value) and str(info.value).startswith("$MY_HOOK")
    assert SECRET_TOKEN not in str(info.value)


def _inventory(finished_at: str, endpoints: list[str]) -> Inventory:
    complete = dict.fromkeys(Dataset, DatasetStatus.COMPLETE)
    account, region = "111111111111", "us-east-1"
    return Inventory(
        metadata=ScanMetadata(
            tool_version="t",
            started_at=finished_at,
            finished_at=finished_at,
            accounts=[account],
            regions=[region],
        ),
        targets=[Target(account, region, complete)],
        endpoints=[
            Endpoint(
                arn=f"arn:aws:sagemaker:{region}:{account}:endpoint/{name}",
                name=name,
                account_id=account,
                region=region,
                status="InService",
            )
            for name in endpoints
        ],
    )


def _evaluate(
    tmp_path: Path, name: str, env: dict[str, str], *extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", "evaluate", f"{name}.json", "--output-dir", name, *extra],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_notifies_on_change_and_a_failed_delivery_does_not_change_the_exit_code(
    tmp_path: Path, hook: Hook
) -> None:
    store.save(_inventory("2026-01-01T06:00:00Z", ["churn"]), tmp_path / "monday.json")
    store.save(_inventory("2026-01-02T06:00:00Z", ["churn", "fraud"]), tmp_path / "tuesday.json")
    store.save(_inventory("2026-01-03T06:00:00Z", ["churn", "fraud"]), tmp_path / "wednesday.json")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITOR_")} | {
        "AUDITOR_WEBHOOK_URL": hook.url
    }
    runs = {"monday": _evaluate(tmp_path, "monday", env, "--notify-webhook", "slack")}
    assert runs["monday"].returncode == 1, runs["monday"].stderr
    assert "Notifications: nothing sent (no earlier run" in runs["monday"].stdout
    hook.status = 503
    runs["tuesday"] = _evaluate(tmp_path, "tuesday", env, "--notify-webhook", "slack")
    assert runs["tuesday"].returncode == 1  # the gate's answer, whatever the delivery did
    assert runs["tuesday"].stderr == (
        "auditor: warning: notification failed: the slack webhook answered HTTP 503 (exit code unchanged)\n"
    )
    (payload,) = hook.received
    assert "fraud" in payload["text"] and "2 new failure(s)" in payload["text"]
    hook.status = 200
    runs["wednesday"] = _evaluate(tmp_path, "wednesday", env, "--notify-webhook", "teams")
    assert runs["wednesday"].returncode == 1 and len(hook.received) == 1  # nothing changed: nothing sent
    assert "Notifications: nothing sent (nothing changed since the previous run)" in runs["wednesday"].stdout
    # The URL (or its secret path) is in no output: streams, reports, run records, the history.
    for name, proc in runs.items():
        assert SECRET_TOKEN not in proc.stdout + proc.stderr, name
    for path in sorted(p for p in tmp_path.rglob("*") if p.is_file()):
        assert SECRET_TOKEN.encode() not in path.read_bytes(), path
        assert b"B0SECRET" not in path.read_bytes(), path


def test_notifications_need_the_variable_and_a_history(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITOR_")}
    store.save(_inventory("2026-01-01T06:00:00Z", ["churn"]), tmp_path / "monday.json")
    missing = _evaluate(tmp_path, "monday", env, "--notify-webhook", "slack")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert "$AUDITOR_WEBHOOK_URL: is not set" in missing.stderr
    off = _evaluate(
        tmp_path,
        "monday",
        env,
        "--notify-sns-topic",
        "arn:aws:sns:us-east-1:123456789012:t",
        "--history",
        "none",
    )
    assert off.returncode == 2 and "need a history" in off.stderr
    bad = _evaluate(tmp_path, "monday", env, "--notify-sns-topic", "arn:aws:s3:::bucket")
    assert bad.returncode == 2 and "not an SNS topic ARN" in bad.stderr
    assert not (tmp_path / "monday").exists() and not (tmp_path / "reports").exists()  # checked first


@pytest.fixture(scope="module")
def local_aws() -> Iterator[LocalAws]:
    saved = {
        k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")
    }
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1"
    )
    try:
        with LocalAws.start() as aws:
            yield aws
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.mark.e2e
def test_sns_publish_reaches_the_topic_through_a_client_that_can_do_nothing_else(
    local_aws: LocalAws, tmp_path: Path
) -> None:
    session = boto3.Session(region_name="us-east-1")
    sns = session.client("sns", endpoint_url=local_aws.endpoint_url)
    sqs = session.client("sqs", endpoint_url=local_aws.endpoint_url)
    topic = sns.create_topic(Name="model-monitor-audit")["TopicArn"]
    queue = sqs.create_queue(QueueName="audit-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    settings = NotifySettings(sns_topic_arn=topic, endpoint_url=local_aws.endpoint_url)
    delivery = notify(settings, _two_runs(tmp_path))
    assert delivery.sent == [f"SNS topic {topic}"] and delivery.failures == []
    messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", [])
    (message,) = messages
    envelope = json.loads(message["Body"])
    assert envelope["Subject"].startswith(
        "Model Monitor audit: 1 new failure(s), 1 regression(s), 1 resolved"
    )
    assert "New failures (1):" in envelope["Message"]
    # The notification client allows sns:Publish and nothing else, refused before any request.
    client = sns_client(settings, "us-east-1")
    with pytest.raises(ReadOnlyViolation):
        client.create_topic(Name="not-allowed")
    with pytest.raises(ReadOnlyViolation):
        client.list_topics()
    # A failure to publish (no such topic) is reported, not raised.
    missing = NotifySettings(sns_topic_arn=topic + "-gone", endpoint_url=local_aws.endpoint_url)
    (failure,) = notify(missing, _two_runs(tmp_path / "again")).failures
    assert failure.startswith(f"SNS Publish to {topic}-gone failed: NotFound")


def test_the_scanner_still_cannot_publish() -> None:
    # The scanner reads topics (whether anyone is subscribed to an alarm's topic), nothing else of SNS.
    assert {op for service, op in allowed_operations() if service == "sns"} == {"GetTopicAttributes"}
    from auditor.scan.clients import Runtime

    runtime = Runtime(
        allowed=allowed_operations(), endpoint_url="http://127.0.0.1:9", per_service_concurrency=1
    )
    client = runtime.make_client(boto3.Session(region_name="us-east-1"), "sns", "us-east-1")
    with pytest.raises(ReadOnlyViolation):
        client.publish(TopicArn="arn:aws:sns:us-east-1:123456789012:t", Message="x")


def test_iam_policy_notify_prints_only_the_publish_permission() -> None:
    from click.testing import CliRunner

    from auditor.cli.iam_cmd import iam_policy

    topic = "arn:aws:sns:us-east-1:123456789012:model-monitor-audit"
    result = CliRunner().invoke(iam_policy, ["--notify", "--topic-arn", topic])
    assert result.exit_code == 0, result.output
    (statement,) = json.loads(result.output)["Statement"]
    assert statement == {
        "Sid": "ModelMonitorAuditorNotify",
        "Effect": "Allow",
        "Action": ["sns:Publish"],
        "Resource": topic,
    }
    # The member-account policy reads topics only: no publishing in it.
    plain = json.loads(CliRunner().invoke(iam_policy, []).output)
    sns = [a for s in plain["Statement"] for a in s["Action"] if a.startswith("sns:")]
    assert sns == ["sns:GetTopicAttributes"]
