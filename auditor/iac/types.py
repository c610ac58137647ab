"""The resource types ``auditor iac`` reads: one descriptor each, for both CloudFormation and Terraform.

A descriptor says which CloudFormation type it is (Terraform resources are mapped to it), which
property holds its physical name, what ``Ref`` returns for it, which ``Fn::GetAtt`` attributes name
it, and how its ARN is built. Types of the inventory's kinds become records; the alerting types
(EventBridge rules, SNS topics and subscriptions) are kept apart (``auditor.iac.alerting``) until they
are kinds of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from auditor.inventory.model import MonitorType


class Role(StrEnum):
    """What a declared type becomes."""

    ENDPOINT = "endpoint"
    ENDPOINT_CONFIG = "endpoint_config"  # folded into its endpoints (as the scan reads it)
    MONITOR = "monitor"
    JOB_DEFINITION = "job_definition"
    ALARM = "alarm"
    ALERTING = "alerting"  # not a kind yet: kept in the alerting declarations


class RefReturns(StrEnum):
    ARN = "arn"
    NAME = "name"


@dataclass(frozen=True)
class TypeInfo:
    cfn_type: str
    role: Role
    name_property: str | None  # the property that sets the physical name (None: always generated)
    ref: RefReturns
    arn_format: str  # "{partition}", "{region}", "{account}", "{name}" are filled in
    name_attributes: frozenset[str] = frozenset()  # Fn::GetAtt attributes that return the name
    arn_attributes: frozenset[str] = frozenset()  # Fn::GetAtt attributes that return the ARN
    monitor_type: MonitorType | None = None  # job definitions: the type the resource type fixes
    terraform_types: tuple[str, ...] = field(default_factory=tuple)

    def arn(self, *, partition: str, region: str, account: str, name: str) -> str:
        """The ARN this resource will have (its name may be a placeholder)."""
        return self.arn_format.format(partition=partition, region=region, account=account, name=name)


_SAGEMAKER = "arn:{partition}:sagemaker:{region}:{account}:"


def _job_definition(monitor_type: MonitorType, arn_kind: str, terraform: tuple[str, ...]) -> TypeInfo:
    return TypeInfo(
        cfn_type=f"AWS::SageMaker::{monitor_type.value}JobDefinition",
        role=Role.JOB_DEFINITION,
        name_property="JobDefinitionName",
        ref=RefReturns.ARN,
        arn_format=_SAGEMAKER + arn_kind + "/{name}",
        name_attributes=frozenset({"JobDefinitionName"}),
        arn_attributes=frozenset({"JobDefinitionArn"}),
        monitor_type=monitor_type,
        terraform_types=terraform,
    )


# Ref returns the ARN for the SageMaker types (their primary identifier) and the name for alarms
# (CloudFormation template reference, "Return values"); either way ``values.name_of`` reads the
# name back, so a schedule naming its endpoint with !Ref or !GetAtt links the same.
TYPES: tuple[TypeInfo, ...] = (
    TypeInfo(
        "AWS::SageMaker::Endpoint",
        Role.ENDPOINT,
        "EndpointName",
        RefReturns.ARN,
        _SAGEMAKER + "endpoint/{name}",
        frozenset({"EndpointName"}),
        frozenset({"EndpointArn"}),
        terraform_types=("aws_sagemaker_endpoint", "awscc_sagemaker_endpoint"),
    ),
    TypeInfo(
        "AWS::SageMaker::EndpointConfig",
        Role.ENDPOINT_CONFIG,
        "EndpointConfigName",
        RefReturns.ARN,
        _SAGEMAKER + "endpoint-config/{name}",
        frozenset({"EndpointConfigName"}),
        frozenset({"EndpointConfigArn"}),
        terraform_types=("aws_sagemaker_endpoint_configuration", "awscc_sagemaker_endpoint_config"),
    ),
    TypeInfo(
        "AWS::SageMaker::MonitoringSchedule",
        Role.MONITOR,
        "MonitoringScheduleName",
        RefReturns.ARN,
        _SAGEMAKER + "monitoring-schedule/{name}",
        frozenset({"MonitoringScheduleName"}),
        frozenset({"MonitoringScheduleArn"}),
        terraform_types=("aws_sagemaker_monitoring_schedule", "awscc_sagemaker_monitoring_schedule"),
    ),
    _job_definition(
        MonitorType.DATA_QUALITY,
        "data-quality-job-definition",
        ("aws_sagemaker_data_quality_job_definition", "awscc_sagemaker_data_quality_job_definition"),
    ),
    # The AWS provider has no resources for the other three types (terraform-provider-aws#31378).
    _job_definition(
        MonitorType.MODEL_QUALITY,
        "model-quality-job-definition",
        ("awscc_sagemaker_model_quality_job_definition",),
    ),
    _job_definition(
        MonitorType.MODEL_BIAS, "model-bias-job-definition", ("awscc_sagemaker_model_bias_job_definition",)
    ),
    _job_definition(
        MonitorType.MODEL_EXPLAINABILITY,
        "model-explainability-job-definition",
        ("awscc_sagemaker_model_explainability_job_definition",),
    ),
    TypeInfo(
        "AWS::CloudWatch::Alarm",
        Role.ALARM,
        "AlarmName",
        RefReturns.NAME,
        "arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}",
        arn_attributes=frozenset({"Arn"}),
        terraform_types=("aws_cloudwatch_metric_alarm", "awscc_cloudwatch_alarm"),
    ),
    TypeInfo(
        "AWS::CloudWatch::CompositeAlarm",
        Role.ALARM,
        "AlarmName",
        RefReturns.NAME,
        "arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}",
        arn_attributes=frozenset({"Arn"}),
        terraform_types=("aws_cloudwatch_composite_alarm", "awscc_cloudwatch_composite_alarm"),
    ),
    TypeInfo(
        "AWS::SNS::Topic",
        Role.ALERTING,
        "TopicName",
        RefReturns.ARN,
        "arn:{partition}:sns:{region}:{account}:{name}",
        frozenset({"TopicName"}),
        frozenset({"TopicArn"}),
        terraform_types=("aws_sns_topic", "awscc_sns_topic"),
    ),
    TypeInfo(
        "AWS::SNS::Subscription",
        Role.ALERTING,
        None,
        RefReturns.ARN,
        "arn:{partition}:sns:{region}:{account}:{name}",
        arn_attributes=frozenset({"Arn"}),
        terraform_types=("aws_sns_topic_subscription", "awscc_sns_subscription"),
    ),
    TypeInfo(
        "AWS::Events::Rule",
        Role.ALERTING,
        "Name",
        RefReturns.NAME,
        "arn:{partition}:events:{region}:{account}:rule/{name}",
        arn_attributes=frozenset({"Arn"}),
        terraform_types=("aws_cloudwatch_event_rule", "awscc_events_rule"),
    ),
    # Terraform declares a rule's targets as resources of their own; CloudFormation inlines them in
    # the rule (Targets). The pseudo type keeps them apart until they are joined to their rule.
    TypeInfo(
        "Terraform::Events::Target",
        Role.ALERTING,
        None,
        RefReturns.NAME,
        "arn:{partition}:events:{region}:{account}:target/{name}",
        terraform_types=("aws_cloudwatch_event_target",),
    ),
)

BY_CFN_TYPE: dict[str, TypeInfo] = {t.cfn_type: t for t in TYPES}
BY_TERRAFORM_TYPE: dict[str, TypeInfo] = {tf: t for t in TYPES for tf in t.terraform_types}
