"""CloudFormation, CDK and SAM templates judged by the built-in pack, before deploy."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.results import Verdict

from .conftest import BEFORE_DEPLOY, FIXTURES, finding, judge, read_paths, verdicts, write

CFN = FIXTURES / "cloudformation"

# Which resource of noncompliant.yaml fails which policy (and nothing else fails it).
NONCOMPLIANT = {
    "mm-alarm-actionable": {"watched-drift"},
    "mm-data-capture": {"bare-prod", "watched"},
    "mm-data-quality-monitor": {"bare-prod", "watched"},
    "mm-drift-alarm": {"other-dq"},
    "mm-ground-truth-input": {"watched-mq"},
    "mm-job-kms": {"watched-dq", "leftover-dq"},
    "mm-job-network-security": {"watched-dq", "leftover-dq"},
    "mm-metrics-publishing": {"watched-dq"},
    "mm-model-bias-monitor": {"bare-prod"},
    "mm-model-explainability-monitor": {"bare-prod"},
    "mm-model-quality-monitor": {"bare-prod"},
    "mm-monitor-baseline": {"watched-dq"},
    "mm-orphan-job-definition": {"leftover-dq"},
    "mm-schedule-frequency": {"watched-dq"},
    "mm-schedule-status": {"watched-dq"},
    # mm-orphan-schedule fails retired-dq only over a scan of the account: test_merge.py
}


def test_the_compliant_template_passes_every_policy_that_applies_before_deploy() -> None:
    result = judge(CFN / "compliant.yaml")
    for policy_id in BEFORE_DEPLOY:
        found = verdicts(result, policy_id)
        assert found, f"{policy_id} judged nothing"
        assert set(found.values()) == {Verdict.PASS}, (policy_id, found)
    runtime = {f.verdict for f in result.findings if f.policy_id not in BEFORE_DEPLOY}
    assert runtime == {Verdict.NOT_APPLICABLE}
    assert all(
        f.message == "judged after deploy" for f in result.findings if f.policy_id not in BEFORE_DEPLOY
    )


@pytest.mark.parametrize("policy_id", sorted(NONCOMPLIANT))
def test_the_noncompliant_template_fails_each_policy_where_expected(policy_id: str) -> None:
    found = verdicts(judge(CFN / "noncompliant.yaml"), policy_id)
    failing = {name for name, v in found.items() if v is Verdict.FAIL}
    assert failing == NONCOMPLIANT[policy_id]


def test_a_schedule_of_an_undeclared_endpoint_is_unknown_without_a_scan_not_an_orphan() -> None:
    result = judge(CFN / "noncompliant.yaml")
    orphan = finding(result, "mm-orphan-schedule", "retired-dq")
    assert orphan.verdict is Verdict.ERROR
    assert "the endpoint retired it watches is not declared" in orphan.message
    assert "--inventory" in orphan.message


def test_findings_point_at_the_line_of_the_logical_id() -> None:
    text = (CFN / "noncompliant.yaml").read_text(encoding="utf-8").splitlines()
    result = judge(CFN / "noncompliant.yaml")
    fail = finding(result, "mm-schedule-status", "watched-dq")
    assert fail.location is not None
    assert fail.location.file.endswith("tests/iac/fixtures/cloudformation/noncompliant.yaml")
    assert fail.location.address == "WatchedDataQualitySchedule"
    assert text[fail.location.line - 1] == "  WatchedDataQualitySchedule:"


def test_cdk_output_folder_is_read_and_its_generated_names_link() -> None:
    read = read_paths(FIXTURES / "cdk.out")
    assert [f.label.rsplit("/", 1)[-1] for f in read.files] == ["ChurnStack.template.json"]
    assert read.notes == ["skipped 3 file(s) that are neither templates nor plans"]  # manifest, tree, assets
    (endpoint,) = read.inventory.endpoints
    assert endpoint.name == "{{ChurnStack/Endpoint8024A810}}"
    (monitor,) = read.inventory.monitors
    assert monitor.endpoint_arn == endpoint.arn  # linked through the placeholder name
    (alarm,) = read.inventory.alarms
    assert alarm.monitor_arns == [monitor.arn]
    actions = read.inventory.metadata.options["iac"]["alerting"]["alarm_actions"]
    assert actions == [
        {
            "alarm": "{{ChurnStack/DriftAlarmC9E8D7B6}}",
            "action": "arn:aws:sns:us-east-1:123456789012:{{ChurnStack/AlertsTopicD2F3A4B5}}",
            "topic": "{{ChurnStack/AlertsTopicD2F3A4B5}}",
        }
    ]


def test_the_cdk_l2_endpoint_without_data_capture_fails() -> None:
    # aws-cdk#23150: the L2 EndpointConfig construct has no data capture.
    result = judge(FIXTURES / "cdk.out")
    assert verdicts(result, "mm-data-capture") == {"{{ChurnStack/Endpoint8024A810}}": Verdict.FAIL}
    assert verdicts(result, "mm-drift-alarm") == {"churn-cdk-data-quality": Verdict.PASS}


def test_a_sam_template_with_an_inline_job_definition() -> None:
    result = judge(FIXTURES / "sam" / "template.yaml")
    for policy_id in ("mm-data-capture", "mm-drift-alarm", "mm-metrics-publishing", "mm-monitor-baseline"):
        assert set(verdicts(result, policy_id).values()) == {Verdict.PASS}, policy_id
    assert verdicts(result, "mm-job-kms") == {"fraud-scoring-data-quality": Verdict.PASS}


INLINE = """\
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      EndpointConfigName: ep-config
      ProductionVariants: [{VariantName: v, ModelName: m, InstanceType: ml.m5.large, InitialInstanceCount: 1}]
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties: {EndpointName: ep, EndpointConfigName: ep-config}
  Schedule:
    Type: AWS::SageMaker::MonitoringSchedule
    Properties:
      MonitoringScheduleName: ep-dq
      EndpointName: ep
      MonitoringScheduleConfig:
        ScheduleConfig: {ScheduleExpression: cron(0 0 ? * 1 *)}
        MonitoringJobDefinition:
          Environment: {publish_cloudwatch_metrics: Disabled}
          BaselineConfig: {ConstraintsResource: {S3Uri: s3://b/c.json}}
          MonitoringAppSpecification: {ImageUri: image}
          MonitoringInputs: [{EndpointInput: {EndpointName: ep, LocalPath: /in}}]
          MonitoringOutputConfig: {KmsKeyId: alias/k, MonitoringOutputs: []}
          MonitoringResources:
            ClusterConfig: {InstanceCount: 1, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 20}
          RoleArn: arn:aws:iam::123456789012:role/r
"""

NAMED = """\
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      EndpointConfigName: ep-config
      ProductionVariants: [{VariantName: v, ModelName: m, InstanceType: ml.m5.large, InitialInstanceCount: 1}]
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties: {EndpointName: ep, EndpointConfigName: ep-config}
  Definition:
    Type: AWS::SageMaker::DataQualityJobDefinition
    Properties:
      JobDefinitionName: ep-dq
      DataQualityAppSpecification: {ImageUri: image, Environment: {publish_cloudwatch_metrics: Disabled}}
      DataQualityBaselineConfig: {ConstraintsResource: {S3Uri: s3://b/c.json}}
      DataQualityJobInput: {EndpointInput: {EndpointName: ep, LocalPath: /in}}
      DataQualityJobOutputConfig: {KmsKeyId: alias/k, MonitoringOutputs: []}
      JobResources: {ClusterConfig: {InstanceCount: 1, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 20}}
      RoleArn: arn:aws:iam::123456789012:role/r
  Schedule:
    Type: AWS::SageMaker::MonitoringSchedule
    Properties:
      MonitoringScheduleName: ep-dq
      MonitoringScheduleConfig:
        MonitoringJobDefinitionName: ep-dq
        MonitoringType: DataQuality
        ScheduleConfig: {ScheduleExpression: cron(0 0 ? * 1 *)}
"""


def test_an_inline_job_definition_is_judged_like_a_named_one(tmp_path: Path) -> None:
    inline = judge(write(tmp_path, INLINE, "inline.yaml"))
    named = judge(write(tmp_path, NAMED, "named.yaml"))
    judged = {
        f.policy_id
        for f in named.findings
        if f.resource_kind.value in ("monitor", "job_definition")
        and f.policy_id != "mm-orphan-job-definition"
    }
    assert {"mm-metrics-publishing", "mm-monitor-baseline", "mm-job-kms", "mm-schedule-frequency"} <= judged
    for policy_id in sorted(judged):
        assert set(verdicts(inline, policy_id).values()) == set(verdicts(named, policy_id).values()), (
            policy_id
        )
    # the named schedule takes its endpoint from its job definition's input, as the inline one does
    assert verdicts(named, "mm-data-quality-monitor") == {"ep": Verdict.PASS}
    assert verdicts(inline, "mm-data-quality-monitor") == {"ep": Verdict.PASS}
    assert verdicts(inline, "mm-monitor-baseline") == {"ep-dq": Verdict.FAIL}  # no statistics


def test_parameters_and_conditions_come_from_the_command_line() -> None:
    staging = read_paths(CFN / "compliant.yaml", parameters={"Environment": "staging"})
    assert [e.name for e in staging.inventory.endpoints] == ["churn-staging"]
    # the ModelQuality schedule has Condition: IsProduction: not created in staging
    assert sorted(m.monitor_type.value for m in staging.inventory.monitors if m.monitor_type) == [
        "DataQuality",
        "ModelBias",
        "ModelExplainability",
    ]


UNKNOWN_SAMPLING = """\
Parameters:
  SamplingPercent: {Type: Number}
  Deploy: {Type: String}
Conditions:
  WithMonitor: !Equals [!Ref Deploy, "yes"]
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants: [{VariantName: v, ModelName: m, InstanceType: ml.m5.large, InitialInstanceCount: 1}]
      DataCaptureConfig:
        InitialSamplingPercentage: !Ref SamplingPercent
        DestinationS3Uri: s3://capture/x
        CaptureOptions: [{CaptureMode: Input}, {CaptureMode: Output}]
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointName: ep
      EndpointConfigName: !GetAtt Config.EndpointConfigName
  Schedule:
    Type: AWS::SageMaker::MonitoringSchedule
    Condition: WithMonitor
    Properties:
      MonitoringScheduleName: ep-dq
      EndpointName: ep
      MonitoringScheduleConfig:
        MonitoringJobDefinitionName: shared-dq
        MonitoringType: DataQuality
"""


def test_a_value_unknown_until_deploy_is_an_error_naming_the_property(tmp_path: Path) -> None:
    result = judge(write(tmp_path, UNKNOWN_SAMPLING))
    capture = finding(result, "mm-data-capture", "ep")
    assert capture.verdict is Verdict.ERROR
    assert capture.message == (
        "Config: DataCaptureConfig.InitialSamplingPercentage is unknown until deploy "
        "(parameter SamplingPercent has no value (give --parameter SamplingPercent=VALUE))"
    )
    # whether the schedule is created depends on a parameter without a value: the monitor check is ERROR
    monitors = finding(result, "mm-data-quality-monitor", "ep")
    assert (
        monitors.verdict is Verdict.ERROR
        and "whether it is created is unknown until deploy" in monitors.message
    )
    # given on the command line, both are known
    known = judge(write(tmp_path, UNKNOWN_SAMPLING), parameters={"SamplingPercent": "20", "Deploy": "yes"})
    assert verdicts(known, "mm-data-capture") == {"ep": Verdict.PASS}
    assert verdicts(known, "mm-data-quality-monitor") == {"ep": Verdict.PASS}


@pytest.mark.parametrize(
    ("replace", "with_", "message"),
    [
        (
            "InitialSamplingPercentage: !Ref SamplingPercent",
            "InitialSamplingPercentage: lots",
            "DataCaptureConfig.InitialSamplingPercentage: expected an integer, got str 'lots'",
        ),
        (
            "CaptureOptions: [{CaptureMode: Input}, {CaptureMode: Output}]",
            "CaptureOptions: Input",
            "Config.Properties.DataCaptureConfig.CaptureOptions: expected a list, got str 'Input'",
        ),
        (
            "MonitoringType: DataQuality",
            "MonitoringType: Drift",
            "MonitoringScheduleConfig.MonitoringType: monitoring type 'Drift' is not known",
        ),
    ],
)
def test_a_property_of_the_wrong_type_is_an_input_error_naming_it(
    tmp_path: Path, replace: str, with_: str, message: str
) -> None:
    text = UNKNOWN_SAMPLING.replace(replace, with_)
    with pytest.raises(InputError) as caught:
        read_paths(write(tmp_path, text), parameters={"Deploy": "yes", "SamplingPercent": "5"})
    assert message in str(caught.value)
    assert caught.value.line is not None


def test_two_files_declaring_the_same_endpoint_are_an_error(tmp_path: Path) -> None:
    first = write(tmp_path, NAMED, "a.yaml")
    second = write(tmp_path, NAMED, "b.yaml")
    with pytest.raises(InputError, match="AWS::SageMaker::EndpointConfig 'ep-config' is also declared in"):
        read_paths(first, second)


def test_a_folder_without_templates_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "name: not a template\n", "workflow.yaml")
    with pytest.raises(InputError, match="no CloudFormation template or Terraform plan found"):
        read_paths(tmp_path)


def test_a_broken_file_that_looks_like_a_template_is_an_error_in_a_folder(tmp_path: Path) -> None:
    write(tmp_path, "{ not json", "tsconfig.json")  # not a template: skipped
    write(tmp_path, NAMED, "ok.yaml")
    assert len(read_paths(tmp_path).files) == 1
    write(tmp_path, "Resources:\n  A: [broken\n  B: 1\n", "stack.template.yaml")
    with pytest.raises(InputError) as caught:
        read_paths(tmp_path)
    assert caught.value.source.endswith("stack.template.yaml") and caught.value.line == 3
