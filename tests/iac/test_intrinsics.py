"""Intrinsic functions: resolved where knowable before deploy, Unknown (with the reason) otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.errors import InputError
from auditor.iac.intrinsics import NO_VALUE, Resolver, StackContext, check_cycles
from auditor.iac.values import Unknown

TEMPLATE: dict[str, Any] = {
    "Parameters": {
        "Stage": {"Type": "String", "Default": "prod"},
        "Percent": {"Type": "Number", "Default": 25},
        "NoDefault": {"Type": "String"},
        "Subnets": {"Type": "CommaDelimitedList", "Default": "subnet-a, subnet-b"},
        "Bootstrap": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/cdk-bootstrap/version"},
    },
    "Mappings": {
        "Images": {"us-east-1": {"Monitor": "156813124566.dkr.ecr.us-east-1.amazonaws.com/analyzer"}}
    },
    "Conditions": {
        "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
        "IsBig": {"Fn::Equals": [{"Ref": "Percent"}, 25]},
        "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "IsBig"}]},
        "Either": {"Fn::Or": [{"Fn::Not": [{"Condition": "IsProd"}]}, {"Condition": "Unknowable"}]},
        "Unknowable": {"Fn::Equals": [{"Ref": "NoDefault"}, "x"]},
        "ProdOrUnknown": {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "Unknowable"}]},
    },
    "Resources": {
        "Endpoint": {
            "Type": "AWS::SageMaker::Endpoint",
            "Properties": {"EndpointName": {"Fn::Sub": "churn-${Stage}"}},
        },
        "Generated": {"Type": "AWS::SageMaker::Endpoint", "Properties": {}},
        "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"AlarmName": "drift"}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Custom": {"Type": "Custom::Lookup"},
    },
}


def resolver(parameters: dict[str, str] | None = None, template: dict[str, Any] | None = None) -> Resolver:
    ctx = StackContext(
        source="stack.yaml",
        stack_name="stack",
        key_prefix="stack",
        account="123456789012",
        region="eu-west-1",
        partition="aws",
        parameters=parameters or {},
    )
    return Resolver(template or TEMPLATE, ctx, {"Endpoint": 30})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Ref": "Stage"}, "prod"),
        ({"Ref": "Percent"}, 25),
        ({"Ref": "Subnets"}, ["subnet-a", "subnet-b"]),
        ({"Ref": "AWS::Region"}, "eu-west-1"),
        ({"Ref": "AWS::AccountId"}, "123456789012"),
        ({"Ref": "AWS::Partition"}, "aws"),
        ({"Ref": "AWS::StackName"}, "stack"),
        ({"Ref": "Endpoint"}, "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/churn-prod"),
        ({"Ref": "Generated"}, "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/{{stack/Generated}}"),
        ({"Fn::GetAtt": ["Generated", "EndpointName"]}, "{{stack/Generated}}"),
        ({"Fn::GetAtt": "Endpoint.EndpointName"}, "churn-prod"),
        ({"Ref": "Alarm"}, "drift"),
        ({"Fn::GetAtt": ["Alarm", "Arn"]}, "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:drift"),
        ({"Ref": "Topic"}, "arn:aws:sns:eu-west-1:123456789012:{{stack/Topic}}"),
        ({"Ref": "Bucket"}, "{{stack/Bucket}}"),
        ({"Fn::Sub": "s3://${Bucket}/${Stage}/${!Literal}"}, "s3://{{stack/Bucket}}/prod/${Literal}"),
        ({"Fn::Sub": ["${Name}-${AWS::Region}", {"Name": {"Ref": "Stage"}}]}, "prod-eu-west-1"),
        ({"Fn::Sub": "${Endpoint.EndpointName}-dq"}, "churn-prod-dq"),
        ({"Fn::Join": ["-", ["a", {"Ref": "Stage"}, 3]]}, "a-prod-3"),
        ({"Fn::Select": [1, {"Ref": "Subnets"}]}, "subnet-b"),
        ({"Fn::If": ["IsProd", "yes", "no"]}, "yes"),
        ({"Fn::If": ["Both", "yes", "no"]}, "yes"),
        ({"Fn::If": ["Either", "yes", "no"]}, Unknown),
        ({"Fn::If": ["ProdOrUnknown", "yes", "no"]}, "yes"),  # Or decided by a known true
        ({"Fn::If": ["Unknowable", "same", "same"]}, "same"),  # both branches agree
        ({"Ref": "NoDefault"}, Unknown),
        ({"Ref": "Bootstrap"}, Unknown),
        ({"Fn::ImportValue": "shared"}, Unknown),
        ({"Fn::GetAZs": ""}, Unknown),
        ({"Fn::GetAtt": ["Endpoint", "CreationTime"]}, Unknown),
        ({"Ref": "Custom"}, Unknown),
        ({"Fn::Sub": "x-${NoDefault}"}, Unknown),
        ({"Ref": "AWS::NoValue"}, NO_VALUE),
    ],
)
def test_resolution(value: Any, expected: Any) -> None:
    if expected is Unknown:
        assert isinstance(resolver().resolve(value), Unknown)
    else:
        assert resolver().resolve(value) == expected


def test_find_in_map_of_a_missing_entry_is_an_error_and_of_a_present_one_a_value() -> None:
    r = resolver(template={**TEMPLATE, "Mappings": {"Images": {"eu-west-1": {"Monitor": "img"}}}})
    assert r.resolve({"Fn::FindInMap": ["Images", {"Ref": "AWS::Region"}, "Monitor"]}) == "img"
    with pytest.raises(InputError, match=r"no entry Images\.us-east-2\.Monitor"):
        r.resolve({"Fn::FindInMap": ["Images", "us-east-2", "Monitor"]})


def test_unknown_values_say_why() -> None:
    r = resolver()
    assert r.resolve({"Ref": "NoDefault"}) == Unknown(
        "parameter NoDefault has no value (give --parameter NoDefault=VALUE)"
    )
    assert "SSM Parameter Store" in r.resolve({"Ref": "Bootstrap"}).reason
    assert "Fn::ImportValue" in r.resolve({"Fn::ImportValue": "x"}).reason


def test_command_line_parameters_override_defaults_and_feed_conditions() -> None:
    r = resolver({"Stage": "staging", "NoDefault": "x"})
    assert r.resolve({"Fn::Sub": "churn-${Stage}"}) == "churn-staging"
    assert r.resolve({"Fn::If": ["IsProd", "yes", "no"]}) == "no"
    assert r.resolve({"Fn::If": ["Either", "yes", "no"]}) == "yes"


def test_no_value_removes_the_property_or_the_list_item() -> None:
    props = {"A": {"Ref": "AWS::NoValue"}, "B": ["x", {"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, "y"]}]}
    assert resolver().resolve_properties("Endpoint", props) == {"B": ["x"]}


def test_resource_conditions() -> None:
    r = resolver()
    assert r.resource_condition("Endpoint", "IsProd") is True
    assert isinstance(r.resource_condition("Endpoint", "Unknowable"), Unknown)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"Ref": "Nothing"}, "Ref to 'Nothing', which is neither a parameter nor a resource"),
        ({"Fn::Select": [5, ["a"]]}, "Fn::Select index 5 is out of range"),
        ({"Fn::Join": "a"}, "Fn::Join takes [delimiter, [values]]"),
        ({"Fn::If": ["Missing", 1, 2]}, "no condition 'Missing'"),
        ({"Fn::GetAtt": ["Nowhere", "Arn"]}, "no such resource"),
    ],
)
def test_malformed_intrinsics_name_the_file_the_line_and_the_property(value: Any, message: str) -> None:
    with pytest.raises(InputError) as caught:
        resolver().resolve_properties("Endpoint", {"EndpointConfigName": value})
    assert message in str(caught.value)
    assert (caught.value.source, caught.value.line) == ("stack.yaml", 30)
    assert caught.value.location == "Resources.Endpoint.Properties"


def test_circular_references_between_resources_are_errors_naming_them() -> None:
    resources = {
        "Schedule": {
            "Type": "AWS::SageMaker::MonitoringSchedule",
            "Properties": {"EndpointName": {"Ref": "Endpoint"}},
        },
        "Endpoint": {
            "Type": "AWS::SageMaker::Endpoint",
            "Properties": {"EndpointName": {"Fn::Sub": "${Config.EndpointConfigName}"}},
        },
        "Config": {"Type": "AWS::SageMaker::EndpointConfig", "DependsOn": ["Schedule"]},
    }
    with pytest.raises(InputError) as caught:
        check_cycles(resources, "stack.yaml", {"Schedule": 3, "Endpoint": 7, "Config": 12})
    assert "circular dependency between resources: Schedule -> Endpoint -> Config -> Schedule" in str(
        caught.value
    )
    assert caught.value.line == 3


def test_circular_conditions_are_errors() -> None:
    template = {**TEMPLATE, "Conditions": {"A": {"Condition": "B"}, "B": {"Fn::Not": [{"Condition": "A"}]}}}
    with pytest.raises(InputError, match="circular reference between conditions: A -> B -> A"):
        resolver(template=template).condition("A")
