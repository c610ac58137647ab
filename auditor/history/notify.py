"""Notifications on change (opt-in): a Slack or Microsoft Teams incoming webhook, and/or SNS Publish.

After a run is recorded, a summary of what changed since the scope's previous run (new failures,
regressions and reopened findings, resolutions) is sent. Nothing is sent when nothing changed, or
when there is no previous run to compare with. Delivery failures are returned as messages for
stderr; they never change the exit code.

Secrets: the webhook URL is a bearer secret. It comes only from an environment variable (the config
names the variable, so a config file copied into an evidence bundle carries no secret), and it is
never printed, logged or written: errors say which webhook failed, never its address.

SNS Publish is a write. It goes through its own client, created only when a topic is configured,
whose guard allows exactly ``NOTIFY_OPERATIONS``; the scanner's read-only allow-list does not
change (``auditor iam-policy --notify`` prints this permission).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from auditor.errors import InputError
from auditor.results import (
    EvaluationResult,
    Finding,
    HistoryView,
    LifecycleStatus,
    ResolvedFinding,
)
from auditor.scan.guard import Operation, install_guard

NOTIFY_OPERATIONS: tuple[Operation, ...] = (("sns", "Publish"),)
DEFAULT_WEBHOOK_ENV = "AUDITOR_WEBHOOK_URL"
WEBHOOK_TIMEOUT_SECONDS = 10
LISTED = 10  # findings listed per kind of change; the rest are counted
_TOPIC_ARN = re.compile(
    r"^arn:aws[a-z-]*:sns:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):[A-Za-z0-9_-]{1,256}(\.fifo)?$"
)


class WebhookKind(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"


@dataclass(frozen=True)
class NotifySettings:
    """Where to send change summaries. ``webhook_url`` is secret: it is kept out of ``repr``."""

    webhook: WebhookKind | None = None
    webhook_url: str | None = field(default=None, repr=False)
    webhook_url_env: str = DEFAULT_WEBHOOK_ENV
    sns_topic_arn: str | None = None
    profile: str | None = None  # the audit account's credentials (the scan's --profile)
    endpoint_url: str | None = None  # the local AWS in tests and the demo

    @property
    def enabled(self) -> bool:
        return self.webhook is not None or self.sns_topic_arn is not None


def notify_policy_document(topic_arn: str = "arn:aws:sns:*:*:*") -> dict[str, Any]:
    """The IAM policy for the identity that runs the auditor, when it publishes to SNS (audit account).

    Derived from ``NOTIFY_OPERATIONS``, the same declaration the notification client's guard uses.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ModelMonitorAuditorNotify",
                "Effect": "Allow",
                "Action": sorted(f"{service}:{operation}" for service, operation in NOTIFY_OPERATIONS),
                "Resource": topic_arn,
            }
        ],
    }


def webhook_url_from_env(variable: str) -> str:
    """The webhook URL from the environment; InputError (naming the variable, never its value)."""
    value = os.environ.get(variable, "").strip()
    if not value:
        raise InputError(f"${variable}", "is not set: it must hold the incoming webhook's URL")
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InputError(f"${variable}", "is not an http(s) URL")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise InputError(f"${variable}", "must be an https URL (a webhook URL is a secret)")
    return value


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_topic_arn(arn: str, source: str = "--notify-sns-topic") -> str:
    """``arn`` when it is an SNS topic ARN; InputError otherwise. Returns its region."""
    match = _TOPIC_ARN.match(arn)
    if match is None:
        raise InputError(source, f"not an SNS topic ARN: {arn!r}")
    return match.group(1)


# --------------------------------------------------------------------------- the summary


@dataclass(frozen=True)
class Change:
    kind: str  # "new", "regressed", "reopened", "resolved"
    policy_id: str
    severity: str
    resource_name: str
    account_id: str
    region: str


@dataclass(frozen=True)
class ChangeSummary:
    """What changed since the previous run of the scope."""

    scope: str
    previous_run_at: str
    observed_at: str
    compliance_before: float | None
    compliance_after: float | None
    new: list[Change]
    regressed: list[Change]  # regressed and reopened
    resolved: list[Change]

    @property
    def changed(self) -> bool:
        return bool(self.new or self.regressed or self.resolved)

    def headline(self) -> str:
        return (
            f"Model Monitor audit: {len(self.new)} new failure(s), {len(self.regressed)} regression(s), "
            f"{len(self.resolved)} resolved since {self.previous_run_at}"
        )

    def compliance(self) -> str:
        def pct(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.1f}%"

        return f"Compliance {pct(self.compliance_before)} -> {pct(self.compliance_after)}"


def summarize_changes(result: EvaluationResult) -> ChangeSummary | None:
    """The changes of ``result`` against its history; None without a previous run to compare with."""
    view: HistoryView | None = result.history
    if view is None or view.previous_run_at is None:
        return None
    named = {(h.policy_id, h.resource_arn) for h in view.findings}
    by_key = {k: f for f in result.findings if (k := (f.policy_id, f.resource_arn)) in named}
    new: list[Change] = []
    regressed: list[Change] = []
    for h in view.findings:
        f = by_key.get((h.policy_id, h.resource_arn))
        if f is None or h.status is LifecycleStatus.STILL_FAILING:
            continue
        target = new if h.status is LifecycleStatus.NEW else regressed
        target.append(_change(h.status.value, f))
    resolved = [_resolved_change(r) for r in view.resolved]
    before = view.trend[-2].compliance_percent if len(view.trend) >= 2 else None
    after = view.trend[-1].compliance_percent if view.trend else None
    return ChangeSummary(
        scope=view.scope,
        previous_run_at=view.previous_run_at,
        observed_at=view.observed_at,
        compliance_before=before,
        compliance_after=after,
        new=new,
        regressed=regressed,
        resolved=resolved,
    )


def _change(kind: str, f: Finding) -> Change:
    return Change(kind, f.policy_id, f.severity.value, f.resource_name, f.account_id, f.region)


def _resolved_change(r: ResolvedFinding) -> Change:
    return Change("resolved", r.policy_id, r.severity.value, r.resource_name, r.account_id, r.region)


def _plain_lines(summary: ChangeSummary, escape: Callable[[str], str]) -> list[str]:
    lines = [f"{summary.compliance()} (scope {escape(summary.scope)}; run of {summary.observed_at})."]
    for title, items in (
        ("New failures", summary.new),
        ("Regressions", summary.regressed),
        ("Resolved", summary.resolved),
    ):
        if not items:
            continue
        lines.append(f"{title} ({len(items)}):")
        for c in items[:LISTED]:
            label = f"{c.kind}, " if c.kind == "reopened" else ""
            lines.append(
                f"- [{label}{c.severity}] {escape(c.policy_id)}: {escape(c.resource_name)} "
                f"({escape(c.account_id)} / {escape(c.region)})"
            )
        if len(items) > LISTED:
            lines.append(f"- ... and {len(items) - LISTED} more")
    return lines


def _slack_escape(text: str) -> str:
    # Slack's three control characters; with them escaped a resource name cannot @-mention or link.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MARKDOWN = re.compile(r"([\\`*_\[\]()~#])")  # what Adaptive Card markdown acts on


def _markdown_escape(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text)


def slack_payload(summary: ChangeSummary) -> dict[str, Any]:
    """A Slack incoming-webhook message (plain ``text``, mrkdwn-escaped)."""
    text = "\n".join([f"*{_slack_escape(summary.headline())}*", *_plain_lines(summary, _slack_escape)])
    return {"text": text}


def teams_payload(summary: ChangeSummary) -> dict[str, Any]:
    """A Microsoft Teams incoming-webhook message (Workflows): one Adaptive Card of text blocks."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": summary.headline(), "weight": "Bolder", "wrap": True}
    ]
    body += [
        {"type": "TextBlock", "text": line, "wrap": True, "spacing": "None"}
        for line in _plain_lines(summary, _markdown_escape)
    ]
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    return {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
    }


def sns_message(summary: ChangeSummary) -> tuple[str, str]:
    """(Subject, Message) for SNS: the subject is ASCII and at most 100 characters, as SNS requires."""
    subject = summary.headline().encode("ascii", "replace").decode("ascii")[:100]
    return subject, "\n".join([summary.headline(), *_plain_lines(summary, lambda s: s)])


PAYLOADS: dict[WebhookKind, Callable[[ChangeSummary], dict[str, Any]]] = {
    WebhookKind.SLACK: slack_payload,
    WebhookKind.TEAMS: teams_payload,
}


# --------------------------------------------------------------------------- delivery


def _scrubbed(text: str, url: str) -> str:
    """``text`` without the URL or any recognisable part of it (host, path, query)."""
    parts = urlsplit(url)
    for secret in sorted(
        {url, parts.netloc, parts.path, parts.query, parts.hostname or ""}, key=len, reverse=True
    ):
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def post_webhook(kind: WebhookKind, url: str, summary: ChangeSummary) -> str | None:
    """POST the summary; None when delivered, else a message that does not contain the URL."""
    body = json.dumps(PAYLOADS[kind](summary), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        return f"the {kind.value} webhook answered HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        return f"the {kind.value} webhook could not be reached: {_scrubbed(str(reason), url)}"
    if not 200 <= status < 300:
        return f"the {kind.value} webhook answered HTTP {status}"
    return None


def sns_client(settings: NotifySettings, region: str) -> Any:
    """A client that can call only sns:Publish, in the audit account (the run's own credentials)."""
    import boto3

    session = boto3.Session(profile_name=settings.profile) if settings.profile else boto3.Session()
    client = session.client("sns", region_name=region, endpoint_url=settings.endpoint_url)
    install_guard(client, "sns", NOTIFY_OPERATIONS)
    return client


def publish_sns(settings: NotifySettings, summary: ChangeSummary) -> str | None:
    """Publish the summary to the topic; None when delivered, else a message for stderr."""
    from botocore.exceptions import BotoCoreError, ClientError

    if settings.sns_topic_arn is None:
        return None
    region = check_topic_arn(settings.sns_topic_arn)
    subject, message = sns_message(summary)
    try:
        extra: dict[str, str] = {}
        if settings.sns_topic_arn.endswith(".fifo"):
            # FIFO topics need a group; the content digest makes a retried run's message a duplicate.
            digest = hashlib.sha256(message.encode("utf-8")).hexdigest()
            extra = {"MessageGroupId": "mm-auditor", "MessageDeduplicationId": digest}
        sns_client(settings, region).publish(
            TopicArn=settings.sns_topic_arn, Subject=subject, Message=message, **extra
        )
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, text = error.get("Code", "error"), error.get("Message", "")
        return f"SNS Publish to {settings.sns_topic_arn} failed: {code}: {text}"
    except BotoCoreError as exc:
        return f"SNS Publish to {settings.sns_topic_arn} failed: {exc}"
    return None


@dataclass
class Delivery:
    sent: list[str] = field(default_factory=list)  # "slack webhook", "SNS topic ..."
    failures: list[str] = field(default_factory=list)
    skipped: str | None = None  # why nothing was sent


def notify(settings: NotifySettings, result: EvaluationResult) -> Delivery:
    """Send the change summary of ``result`` wherever ``settings`` say; never raises for delivery."""
    delivery = Delivery()
    if not settings.enabled:
        return delivery
    summary = summarize_changes(result)
    if summary is None:
        delivery.skipped = "no earlier run of this scope in the history to compare with"
        return delivery
    if not summary.changed:
        delivery.skipped = "nothing changed since the previous run"
        return delivery
    if settings.webhook is not None and settings.webhook_url is not None:
        failure = post_webhook(settings.webhook, settings.webhook_url, summary)
        if failure is None:
            delivery.sent.append(f"{settings.webhook.value} webhook")
        else:
            delivery.failures.append(failure)
    if settings.sns_topic_arn is not None:
        failure = publish_sns(settings, summary)
        if failure is None:
            delivery.sent.append(f"SNS topic {settings.sns_topic_arn}")
        else:
            delivery.failures.append(failure)
    return delivery
