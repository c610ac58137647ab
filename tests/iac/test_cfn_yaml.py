"""Reading template files: short-form tags, strings that look like dates, lines, and errors with the place."""

from __future__ import annotations

import pytest

from auditor.errors import InputError
from auditor.iac.cfn_yaml import parse


def test_short_forms_become_the_long_forms_cloudformation_reads() -> None:
    text = """\
Resources:
  A:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "${AWS::StackName}-alerts"
      DisplayName: !Join ["-", [!Ref Stage, !GetAtt B.TopicName]]
      Other: !GetAtt [B, TopicArn]
      Picked: !Select [0, !Split [",", "a,b"]]
      Maybe: !If [IsProd, !Ref AWS::NoValue, x]
      Check: !Not [!Equals [!Ref Stage, prod]]
      Imported: !ImportValue shared-topic
"""
    props = parse(text, "t.yaml").data["Resources"]["A"]["Properties"]
    assert props["TopicName"] == {"Fn::Sub": "${AWS::StackName}-alerts"}
    assert props["DisplayName"] == {"Fn::Join": ["-", [{"Ref": "Stage"}, {"Fn::GetAtt": ["B", "TopicName"]}]]}
    assert props["Other"] == {"Fn::GetAtt": ["B", "TopicArn"]}
    assert props["Picked"] == {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}
    assert props["Maybe"] == {"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, "x"]}
    assert props["Check"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "Stage"}, "prod"]}]}
    assert props["Imported"] == {"Fn::ImportValue": "shared-topic"}


def test_dates_stay_strings_and_resource_lines_are_recorded() -> None:
    parsed = parse(
        "AWSTemplateFormatVersion: 2010-09-09\nResources:\n  First:\n    Type: X\n\n  Second:\n    Type: Y\n",
        "t",
    )
    assert parsed.data["AWSTemplateFormatVersion"] == "2010-09-09"
    assert parsed.resource_lines == {"First": 3, "Second": 6}


def test_json_templates_get_the_lines_of_their_logical_ids() -> None:
    # B is also a key inside A's body (line 5): the logical id B is the one on line 7.
    text = (
        '{\n "Resources": {\n  "A": {\n   "Type": "T",\n   "Properties": {"B": {"Ref": "x"}}\n  },\n'
        '  "B": {\n   "Type": "T"\n  }\n }\n}\n'
    )
    parsed = parse(text, "t.json")
    assert parsed.is_json and parsed.resource_lines == {"A": 3, "B": 7}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Resources:\n  A:\n    Type: X\n  A:\n    Type: Y\n", 4, "duplicate key 'A'"),
        ("Resources:\n  A:\n    Type: !Bogus X\n", 3, "unknown tag !Bogus"),
        ("Resources:\n  A: [unclosed\n  B: 1\n", 3, "YAML syntax error"),
        ('{\n "Resources": {\n  "A": {"Type": "X",}\n }\n}\n', 3, "not valid JSON"),
    ],
)
def test_malformed_files_name_the_file_and_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(text, "infra/stack.yaml")
    assert caught.value.source == "infra/stack.yaml"
    assert caught.value.line == line
    assert message in str(caught.value)
