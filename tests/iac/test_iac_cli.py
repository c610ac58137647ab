"""`auditor iac`: the gate's exit codes, reports that point at the source, one-line errors, no AWS calls."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest

from .conftest import ACCOUNT, FIXTURES, REGION

SARIF_SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text())
PLACE = ("--account", ACCOUNT, "--region", REGION)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A checkout with the fixture templates and plans under infra/ (the working directory in CI)."""
    shutil.copytree(FIXTURES, tmp_path / "infra")
    return tmp_path


def test_a_compliant_template_exits_0_and_the_reports_point_at_it(repo: Path) -> None:
    proc = run(
        "iac",
        "infra/cloudformation/compliant.yaml",
        *PLACE,
        "--output-dir",
        "out",
        "--format",
        "json,sarif,junit,markdown",
        cwd=repo,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Read 1 template(s) and 0 plan(s): 11 resources declared" in proc.stdout
    report = json.loads((repo / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["scan"]["source"] == "templates"
    # The history-driven check ran (monitor-type policies judged the endpoints) and, since a planned
    # endpoint has no past to lose, gave no verdict: its policy is listed, with no finding.
    assert "mm-coverage-lost-in-migration" in {p["id"] for p in report["policies"]}
    assert not [f for f in report["findings"] if f["policy_id"] == "mm-coverage-lost-in-migration"]
    locations = {
        f["resource_name"]: f["location"] for f in report["findings"] if f["resource_kind"] == "endpoint"
    }
    assert locations["churn-production"] == {
        "file": "infra/cloudformation/compliant.yaml",
        "line": 52,
        "address": "Endpoint",
    }
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads((repo / "out" / "report.sarif").read_text()))


def test_a_noncompliant_template_exits_1_and_sarif_annotates_the_template_lines(repo: Path) -> None:
    proc = run(
        "iac",
        "infra/cloudformation/noncompliant.yaml",
        *PLACE,
        "--output-dir",
        "out",
        "--format",
        "sarif",
        cwd=repo,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "infra/cloudformation/noncompliant.yaml:" in proc.stdout  # the failures, with where they are
    sarif = json.loads((repo / "out" / "report.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    lines = (repo / "infra" / "cloudformation" / "noncompliant.yaml").read_text(encoding="utf-8").splitlines()
    results = sarif["runs"][0]["results"]
    assert results
    for result in results:
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "infra/cloudformation/noncompliant.yaml"
        address = location["logicalLocations"][1]["name"]
        assert lines[physical["region"]["startLine"] - 1] == f"  {address}:"


def test_a_plan_finding_points_at_the_plan_and_the_address(repo: Path) -> None:
    proc = run(
        "iac",
        "infra/terraform/noncompliant.plan.json",
        "--account",
        ACCOUNT,
        "--output-dir",
        "out",
        "--format",
        "sarif",
        cwd=repo,
    )
    assert proc.returncode == 1
    sarif = json.loads((repo / "out" / "report.sarif").read_text(encoding="utf-8"))
    trap = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "mm-ground-truth-input")
    (location,) = trap["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "infra/terraform/noncompliant.plan.json"},
        "region": {"startLine": 1},
    }
    assert location["logicalLocations"][1] == {
        "name": "awscc_sagemaker_monitoring_schedule.watched_mq",
        "kind": "declaration",
    }


UNKNOWN = """\
Parameters:
  Percent: {Type: Number}
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      EndpointConfigName: ep-config
      ProductionVariants: [{VariantName: v, ModelName: m, InstanceType: ml.m5.large, InitialInstanceCount: 1}]
      DataCaptureConfig:
        InitialSamplingPercentage: !Ref Percent
        DestinationS3Uri: s3://c/x
        CaptureOptions: [{CaptureMode: Input}, {CaptureMode: Output}]
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties: {EndpointName: ep, EndpointConfigName: ep-config}
  Schedule:
    Type: AWS::SageMaker::MonitoringSchedule
    Properties:
      MonitoringScheduleName: ep-dq
      MonitoringScheduleConfig:
        ScheduleConfig: {ScheduleExpression: cron(0 * ? * * *)}
        MonitoringJobDefinition:
          Environment: {publish_cloudwatch_metrics: Enabled}
          BaselineConfig:
            ConstraintsResource: {S3Uri: s3://b/c.json}
            StatisticsResource: {S3Uri: s3://b/s.json}
          MonitoringAppSpecification: {ImageUri: image}
          MonitoringInputs: [{EndpointInput: {EndpointName: ep, LocalPath: /in}}]
          MonitoringOutputConfig: {MonitoringOutputs: []}
          MonitoringResources:
            ClusterConfig: {InstanceCount: 1, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 20}
          RoleArn: arn:aws:iam::123456789012:role/r
"""


def test_a_value_unknown_until_deploy_makes_the_gate_incomplete(repo: Path) -> None:
    (repo / "stack.yaml").write_text(UNKNOWN, encoding="utf-8")
    common = ("iac", "stack.yaml", *PLACE, "--format", "json", "--disable", "mm-drift-alarm")
    unknown = run(*common, "--output-dir", "a", cwd=repo)
    assert unknown.returncode == 3, unknown.stdout + unknown.stderr
    assert run(*common, "--output-dir", "b", "--allow-incomplete", cwd=repo).returncode == 0
    assert run(*common, "--output-dir", "c", "--parameter", "Percent=20", cwd=repo).returncode == 0
    assert run(*common, "--output-dir", "d", "--parameter", "Percent=5", cwd=repo).returncode == 1


def test_the_saved_inventory_is_judged_the_same_by_evaluate(repo: Path) -> None:
    assert (
        run("iac", "infra/cdk.out", *PLACE, "--output-dir", "gate", "--format", "json", cwd=repo).returncode
        == 1
    )
    assert (
        run(
            "evaluate", "gate/inventory.json", "--output-dir", "again", "--format", "json", cwd=repo
        ).returncode
        == 1
    )
    first = json.loads((repo / "gate" / "report.json").read_text(encoding="utf-8"))
    second = json.loads((repo / "again" / "report.json").read_text(encoding="utf-8"))
    assert first["findings"] == second["findings"]


@pytest.mark.parametrize(
    ("files", "args", "expected"),
    [
        ({"bad.yaml": "Resources:\n  A: [broken\n  B: 1\n"}, ("bad.yaml",), "bad.yaml:3: YAML syntax error"),
        (
            {"plan.json": json.dumps({"format_version": "2.0", "planned_values": {}})},
            ("plan.json",),
            "plan.json: format_version: unsupported Terraform JSON format_version '2.0'",
        ),
        (
            {
                "cycle.yaml": textwrap.dedent(
                    """\
                    Resources:
                      A:
                        Type: AWS::SNS::Topic
                        Properties: {TopicName: !GetAtt B.TopicName}
                      B:
                        Type: AWS::SNS::Topic
                        Properties: {TopicName: !Sub "${A}-b"}
                    """
                )
            },
            ("cycle.yaml",),
            "cycle.yaml:2: Resources.A: circular dependency between resources: A -> B -> A",
        ),
        ({"ok.json": "{}"}, ("ok.json",), "ok.json: neither a CloudFormation template"),
        ({}, ("missing.yaml",), "missing.yaml: no such file or folder"),
        ({}, ("infra", "--parameter", "NoEquals"), "--parameter: expected KEY=VALUE, got 'NoEquals'"),
        ({}, ("infra", "--account", "12345"), "--account: expected a 12-digit AWS account id"),
        ({}, ("infra", "--inventory", "nope.json"), "nope.json: cannot read"),
    ],
)
def test_malformed_inputs_exit_2_with_one_line_naming_the_file_and_the_place(
    repo: Path, files: dict[str, str], args: tuple[str, ...], expected: str
) -> None:
    for name, text in files.items():
        (repo / name).write_text(text, encoding="utf-8")
    proc = run("iac", *args, "--output-dir", "out", cwd=repo)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert expected in proc.stderr


# Run the CLI with every way to make an AWS client (or open a socket) made to fail loudly.
NO_AWS = """\
import socket
import sys

import botocore.client
import botocore.session


def refuse(*args, **kwargs):
    raise SystemExit("NO-AWS: an AWS client or a network connection was attempted")


botocore.session.Session.create_client = refuse
botocore.client.ClientCreator.create_client = refuse
socket.socket.connect = refuse
socket.create_connection = refuse

from auditor.cli import main

main(sys.argv[1:])
"""


def test_the_command_never_makes_an_aws_client(repo: Path) -> None:
    (repo / "no_aws.py").write_text(NO_AWS, encoding="utf-8")

    def guarded(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "no_aws.py", *args], capture_output=True, text=True, cwd=repo, timeout=300
        )

    gate = guarded(
        "iac",
        "infra/cloudformation",
        "infra/terraform/compliant.plan.json",
        "infra/sam",
        "--output-dir",
        "out",
        "--format",
        "json,sarif,html,junit,csv,markdown",
    )
    assert "NO-AWS" not in gate.stderr, gate.stderr
    assert gate.returncode in (1, 3), gate.stdout + gate.stderr  # judged: failures in noncompliant.yaml
    assert (repo / "out" / "report.sarif").is_file()
    # The guard does catch a command that would call AWS.
    control = guarded("scan", "--regions", "us-east-1", "--output-dir", "scan-out")
    assert "NO-AWS" in control.stderr


def test_help_lists_the_exit_codes(repo: Path) -> None:
    proc = run("iac", "--help", cwd=repo)
    assert proc.returncode == 0
    for code in ("0", "1", "2", "3"):
        assert f"\n    {code} " in proc.stdout
