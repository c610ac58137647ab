"""Every command of the README's "Using it on real AWS" section, run as written against the local AWS.

The only substitutions: the placeholder account ids become the sample organization's member accounts,
and the environment points boto3 at the local AWS (AWS_ENDPOINT_URL) with a named profile "audit".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from auditor.emulator import Estate, EstateSpec, LocalAws, build_estate

ROOT = Path(__file__).resolve().parents[1]

CUSTOM_POLICY = """\
id: acme-owner-tag
title: Every endpoint names its owner
description: Production incidents need an owner to call.
severity: low
resource: endpoint
scope: {path: status, equals: InService}
check: {path: tags, key: owner, exists: true}
message: "expected an owner tag; found tags ${keys(tags)}"
remediation: AddTags with Key=owner on the endpoint (sagemaker:AddTags).
references: [https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AddTags.html]
"""

CUSTOM_PASS = """\
inventory:
  endpoints: [{name: churn, tags: {owner: ml-team}}]
expect: {churn: PASS}
"""

CUSTOM_FAIL = """\
inventory:
  endpoints: [{name: churn, tags: {}}]
expect: {churn: FAIL}
"""

WAIVERS = """\
waivers:
  - id: W-1
    policy: acme-owner-tag
    resources: {arn: "arn:aws:sagemaker:*:*:endpoint/dev-*"}
    reason: Sandboxes have no owner on call
    owner: ml-platform@example.com
    expires: {expires}
"""


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("<!-- REAL-AWS-COMMANDS -->", 1)[1].split("<!-- /REAL-AWS-COMMANDS -->", 1)[0]
    return [line.strip() for line in section.splitlines() if line.strip().startswith("auditor ")]


@pytest.fixture(scope="module")
def local_org() -> Iterator[tuple[LocalAws, Estate]]:
    with LocalAws.start() as aws:
        yield aws, build_estate(aws, EstateSpec())


def test_the_section_has_the_commands_the_issue_asks_for() -> None:
    joined = "\n".join(readme_commands())
    for needle in (
        "--profile",
        "--org",
        "--accounts",
        "--regions",
        "--endpoint",
        "--fail-on",
        "evidence pack",
        "--waivers",
        "--policies",
        "diff",
        "iam-policy",
    ):
        assert needle in joined


@pytest.mark.e2e
def test_every_readme_command_runs_against_the_local_aws(
    local_org: tuple[LocalAws, Estate], tmp_path: Path
) -> None:
    aws, estate = local_org
    (churn,) = [c for c in estate.cases if c.kind == "endpoint" and c.name == "churn-predict"]
    assert churn.region == "us-east-1"
    others = [a for a in estate.member_account_ids if a != churn.account_id]
    substitutions = {"111111111111": churn.account_id, "222222222222": others[0]}

    (tmp_path / "my-policies" / "cases").mkdir(parents=True)
    (tmp_path / "my-policies" / "owner.yaml").write_text(CUSTOM_POLICY, encoding="utf-8")
    (tmp_path / "my-policies" / "cases" / "owner_pass.yaml").write_text(CUSTOM_PASS, encoding="utf-8")
    (tmp_path / "my-policies" / "cases" / "owner_fail_no_tag.yaml").write_text(CUSTOM_FAIL, encoding="utf-8")
    # Waivers expire at most a year ahead (waiver_max_days): this one in six months.
    expires = (datetime.now(UTC).date() + timedelta(days=180)).isoformat()
    (tmp_path / "waivers.yaml").write_text(WAIVERS.replace("{expires}", expires), encoding="utf-8")
    aws_config = tmp_path / "aws-config"
    aws_config.write_text(
        "[profile audit]\nregion = us-east-1\naws_access_key_id = testing\naws_secret_access_key = testing\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "AUDITOR_CONFIG"} | {
        "AWS_ENDPOINT_URL": aws.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(aws_config),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "AUDITOR_EXTERNAL_ID": "external-id-from-the-hub",
    }
    python_dir = str(Path(sys.executable).parent)
    env["PATH"] = python_dir + os.pathsep + env.get("PATH", "")

    for command in readme_commands():
        for placeholder, account in substitutions.items():
            command = command.replace(placeholder, account)
        proc = subprocess.run(
            ["bash", "-c", command.replace("auditor ", f"{sys.executable} -m auditor ", 1)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        allowed = {0, 1} if command.startswith(("auditor scan", "auditor evaluate")) else {0}
        assert proc.returncode in allowed, f"{command}\n{proc.stdout}\n{proc.stderr}"
        assert "Traceback" not in proc.stderr, command

    # What the commands produced is what they promised.
    gate = json.loads((tmp_path / "reports" / "org" / "report.json").read_text(encoding="utf-8"))
    assert {t["account_id"] for t in gate["targets"]} >= set(estate.member_account_ids)
    assert (tmp_path / "gate" / "junit.xml").is_file()
    assert (tmp_path / "evidence.zip").is_file()
    today = json.loads((tmp_path / "reports" / "today" / "report.json").read_text(encoding="utf-8"))
    assert today["baseline"] is not None
    rejudged = json.loads((tmp_path / "reports" / "rejudged" / "report.json").read_text(encoding="utf-8"))
    assert any(p["id"] == "acme-owner-tag" for p in rejudged["policies"])
    # Every scan and evaluate above was recorded; the --fail-on-new scan compared itself with them.
    assert (tmp_path / "reports" / "history.sqlite").is_file()
    gate_new = json.loads((tmp_path / "reports" / "gate-new" / "report.json").read_text(encoding="utf-8"))
    assert gate_new["history"]["runs_before"] >= 2
    assert {f["status"] for f in gate_new["history"]["findings"]} <= {
        "still_failing",
        "new",
        "regressed",
        "reopened",
    }
