"""Every kind of invalid policy or waiver file gives InputError naming the file, the field and the line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from auditor.errors import InputError
from auditor.policy.loader import load_policy_set
from auditor.policy.waivers import load_waivers

from .conftest import minimal_policy

GOOD_CHECK = {"some": "monitors", "where": {"path": "monitor_type", "equals": "DataQuality"}}

# (case id, policy content, expected location, expected message fragment)
INVALID_POLICIES = [
    ("yaml_syntax", "id: t-x\ntitle: [unclosed\n", None, "YAML syntax error"),
    ("duplicate_yaml_key", "id: t-x\nid: t-y\n", "id", "duplicate key 'id'"),
    ("unknown_key", minimal_policy(colour="blue"), "colour", "unknown key 'colour'"),
    (
        "missing_required",
        {k: v for k, v in minimal_policy().items() if k != "remediation"},
        None,
        "remediation",
    ),
    (
        "wrong_type",
        minimal_policy(severity=3),
        "severity",
        "3 is not allowed; expected one of critical, high",
    ),
    (
        "bad_severity",
        minimal_policy(severity="urgent"),
        "severity",
        "'urgent' is not allowed; expected one of critical, high, medium, low, info",
    ),
    (
        "unknown_operator",
        minimal_policy(check={"path": "status", "equal": "InService"}),
        "check.equal",
        "unknown operator 'equal'",
    ),
    (
        "unknown_field_path",
        minimal_policy(check={"path": "data_capture.sampling", "gte": 10}),
        "check.path",
        "unknown field 'sampling' on DataCapture",
    ),
    (
        "unknown_field_in_where",
        minimal_policy(check={"some": "monitors", "where": {"path": "kind", "equals": "x"}}),
        "check.where.path",
        "unknown field 'kind' on LinkedMonitor",
    ),
    (
        "field_of_other_kind",
        minimal_policy(resource="alarm", check={"path": "data_capture.enabled", "equals": True}),
        "check.path",
        "unknown field 'data_capture' on AlarmDocument",
    ),
    (
        "bad_regex",
        minimal_policy(check={"path": "name", "regex": "prod-(["}),
        "check.regex",
        "invalid regular expression",
    ),
    (
        "bad_jmespath",
        minimal_policy(check={"path": "monitors[?", "exists": True}),
        "check.path",
        "invalid JMESPath expression",
    ),
    (
        "unknown_parameter_reference",
        minimal_policy(check={"path": "status", "in": {"param": "statuses"}}),
        "check.in.param",
        "unknown parameter 'statuses'",
    ),
    (
        "parameter_default_wrong_type",
        minimal_policy(
            parameters={"min_pct": {"type": "number", "default": "ten"}},
            check={"path": "data_capture.current_sampling_percentage", "gte": {"param": "min_pct"}},
        ),
        "parameters.min_pct.default",
        "expected a number",
    ),
    (
        "parameter_wrong_type_for_operator",
        minimal_policy(
            parameters={"names": {"type": "string", "default": "x"}},
            check={"path": "status", "in": {"param": "names"}},
        ),
        "check.in",
        "in needs a list",
    ),
    (
        "numeric_operator_on_string",
        minimal_policy(check={"path": "status", "gt": "high"}),
        "check.gt",
        "gt needs a number",
    ),
    (
        "bad_duration",
        minimal_policy(check={"age": "creation_time", "lt": "1 day"}),
        "check.lt",
        "not an ISO-8601 duration",
    ),
    (
        "two_condition_forms",
        minimal_policy(check={"path": "status", "some": "monitors", "equals": "x"}),
        "check",
        "several condition forms",
    ),
    ("quantifier_on_scalar", minimal_policy(check={"some": "status"}), "check.some", "needs a list"),
    (
        "unknown_placeholder_path",
        minimal_policy(message="found ${monitorz}"),
        "message",
        "unknown field 'monitorz'",
    ),
    ("bad_id", minimal_policy(id="Has Spaces"), "id", "does not match"),
]


@pytest.mark.parametrize(
    ("content", "location", "fragment"),
    [c[1:] for c in INVALID_POLICIES],
    ids=[c[0] for c in INVALID_POLICIES],
)
def test_invalid_policy(write_policy, content, location, fragment) -> None:
    path = write_policy(content)
    with pytest.raises(InputError) as info:
        load_policy_set([path], builtin=False)
    err = info.value
    assert err.source == str(path)
    assert fragment in err.message
    if location is not None:
        assert err.location == location
    assert err.line is not None and err.line >= 1
    assert str(path) in str(err)


def test_line_number_points_at_the_bad_field(write_policy) -> None:
    text = yaml.safe_dump(minimal_policy(), sort_keys=False)
    text = text.replace("check:\n", "check:\n  path: monitors[].nope\n  exists: true\n  # dropped\n", 1)
    lines = text.splitlines()
    # Remove the original check body that followed.
    start = lines.index("  # dropped")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("  "))
    text = "\n".join(lines[:start] + lines[end:]) + "\n"
    path = write_policy(text)
    with pytest.raises(InputError) as info:
        load_policy_set([path], builtin=False)
    expected_line = text.splitlines().index("  path: monitors[].nope") + 1
    assert info.value.line == expected_line
    assert info.value.location == "check.path"


def test_duplicate_id_across_files(write_policy) -> None:
    first = write_policy(minimal_policy(), "a.yaml")
    second = write_policy(minimal_policy(), "b.yaml")
    with pytest.raises(InputError) as info:
        load_policy_set([first, second], builtin=False)
    assert info.value.source == str(second)
    assert info.value.location == "id"
    assert "duplicate policy id 't-dq'" in info.value.message and str(first) in info.value.message


def test_duplicate_of_a_builtin_id(write_policy) -> None:
    path = write_policy(minimal_policy(id="mm-data-quality-monitor"))
    with pytest.raises(InputError, match="duplicate policy id 'mm-data-quality-monitor'"):
        load_policy_set([path])


def test_policies_list_file_reports_the_index(write_policy) -> None:
    path = write_policy({"policies": [minimal_policy(), minimal_policy(id="t-two", severity="nope")]})
    with pytest.raises(InputError) as info:
        load_policy_set([path], builtin=False)
    assert info.value.location == "policies[1].severity"


def test_parameter_override_errors() -> None:
    with pytest.raises(InputError) as info:
        load_policy_set(parameters={"mm-data-capture": {"min_sampling_percent": "lots"}})
    assert info.value.location == "parameters.mm-data-capture.min_sampling_percent"
    assert "expected a number" in info.value.message
    with pytest.raises(InputError, match="unknown parameter"):
        load_policy_set(parameters={"mm-data-capture": {"min_sampling": 5}})
    with pytest.raises(InputError, match="unknown policy 'mm-nope'"):
        load_policy_set(parameters={"mm-nope": {}})


def test_enable_disable_unknown_selector() -> None:
    with pytest.raises(InputError, match="neither a policy id nor a policy tag"):
        load_policy_set(disable=["mm-typo"])


def test_missing_policy_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such policy file or folder"):
        load_policy_set([tmp_path / "absent.yaml"], builtin=False)


# --------------------------------------------------------------------------- waivers

WAIVER = {
    "id": "W-1",
    "policy": "mm-data-quality-monitor",
    "resources": {"arn": "arn:aws:sagemaker:*:*:endpoint/x"},
    "reason": "legacy",
    "owner": "ml-platform",
    "expires": "2027-01-31",
}

INVALID_WAIVERS = [
    ("no_expiry", {k: v for k, v in WAIVER.items() if k != "expires"}, "waivers[0]", "expires"),
    ("bad_date_format", {**WAIVER, "expires": "31/01/2027"}, "waivers[0].expires", "does not match"),
    ("impossible_date", {**WAIVER, "expires": "2027-02-30"}, "waivers[0].expires", "not a valid date"),
    ("unknown_key", {**WAIVER, "approved_by": "me"}, "waivers[0].approved_by", "unknown key 'approved_by'"),
    ("empty_selector", {**WAIVER, "resources": {}}, "waivers[0].resources", "should be non-empty"),
    (
        "bad_account",
        {**WAIVER, "resources": {"account": "12"}},
        "waivers[0].resources.account",
        "does not match",
    ),
    ("no_owner", {k: v for k, v in WAIVER.items() if k != "owner"}, "waivers[0]", "owner"),
    # Selectors that would quietly match every resource.
    (
        "empty_tags",
        {**WAIVER, "resources": {"tags": {}}},
        "waivers[0].resources.tags",
        "an empty tag map selects every resource",
    ),
    (
        "any_account",
        {**WAIVER, "resources": {"account": "*"}},
        "waivers[0].resources.account",
        "'*' selects every account",
    ),
    ("star_arn", {**WAIVER, "resources": {"arn": "*"}}, "waivers[0].resources.arn", "selects every resource"),
    (
        "every_endpoint",
        {**WAIVER, "resources": {"arn": "arn:aws:sagemaker:*:*:endpoint/*"}},
        "waivers[0].resources.arn",
        "its resource name is only wildcards",
    ),
    (
        "any_region",
        {**WAIVER, "resources": {"region": "*", "account": "111111111111"}},
        "waivers[0].resources.region",
        "selects every region",
    ),
    (
        "empty_tag_key",
        {**WAIVER, "resources": {"tags": {"": "x"}}},
        "waivers[0].resources.tags",
        "should be non-empty",
    ),
    (
        "forever",
        {**WAIVER, "expires": "9999-12-31"},
        "waivers[0].expires",
        "9999-12-31 is more than 365 days away",
    ),
]


@pytest.mark.parametrize(
    ("waiver", "location", "fragment"), [c[1:] for c in INVALID_WAIVERS], ids=[c[0] for c in INVALID_WAIVERS]
)
def test_invalid_waiver(tmp_path: Path, waiver, location, fragment) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(yaml.safe_dump({"waivers": [waiver]}), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_waivers(path)
    assert info.value.source == str(path)
    assert info.value.location == location
    assert fragment in info.value.message
    assert info.value.line is not None


def test_waiver_yaml_syntax_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("waivers:\n  - id: [\n", encoding="utf-8")
    with pytest.raises(InputError, match="YAML syntax error"):
        load_waivers(path)
    path.write_text(yaml.safe_dump({"waivers": [WAIVER, WAIVER]}), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_waivers(path)
    assert info.value.location == "waivers[1].id" and "duplicate waiver id" in info.value.message


def test_valid_waiver_dates_stay_dates(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(
        "waivers:\n  - id: W-1\n    policy: p\n    resources: {region: eu-*}\n    reason: r\n"
        "    owner: o\n    expires: 2027-01-31\n",
        encoding="utf-8",
    )
    (waiver,) = load_waivers(path)
    assert waiver.expires.isoformat() == "2027-01-31"
    assert waiver.matches("arn:x", "111111111111", "eu-west-1", {})
    assert not waiver.matches("arn:x", "111111111111", "us-east-1", {})


def test_waiver_expiry_horizon_is_configurable(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(yaml.safe_dump({"waivers": [{**WAIVER, "expires": "2028-06-30"}]}), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_waivers(path, today=date(2026, 12, 1))
    assert "a waiver may run until 2027-12-01 at the latest" in info.value.message
    assert "waiver_max_days: 365" in info.value.message
    (waiver,) = load_waivers(path, today=date(2026, 12, 1), max_days=730)
    assert waiver.expires == date(2028, 6, 30)
    # Already expired is fine: the waiver is reported as expired, the finding fails again.
    path.write_text(yaml.safe_dump({"waivers": [{**WAIVER, "expires": "2020-01-01"}]}), encoding="utf-8")
    assert load_waivers(path, today=date(2026, 12, 1))[0].expired_on(date(2026, 12, 1))


def test_a_waiver_for_an_unknown_policy_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        yaml.safe_dump({"waivers": [WAIVER, {**WAIVER, "id": "W-2", "policy": "mm-data-captur"}]})
    )
    known = {p.id for p in load_policy_set().available}
    with pytest.raises(InputError) as info:
        load_waivers(path, known_policies=known)
    assert info.value.source == str(path)
    assert info.value.location == "waivers[1].policy"
    assert info.value.message == "unknown policy 'mm-data-captur' (did you mean 'mm-data-capture'?)"
    assert info.value.line is not None


# --------------------------------------------------------------------------- parameter ranges

OUT_OF_RANGE = [
    ("mm-data-capture", "min_sampling_percent", 200, "200 is above the maximum 100 (allowed: 0 to 100)"),
    ("mm-data-capture", "min_sampling_percent", -5, "-5 is below the minimum 0 (allowed: 0 to 100)"),
    (
        "mm-execution-freshness",
        "max_staleness_multiple",
        0.5,
        "0.5 is below the minimum 1 (allowed: at least 1)",
    ),
    (
        "mm-schedule-frequency",
        "max_interval",
        "PT5M",
        "PT5M is below the minimum PT1H (allowed: at least PT1H)",
    ),
    (
        "mm-drift-alarm",
        "monitor_types",
        ["DataQuality", "DataQualty"],
        "'DataQualty' is not allowed (allowed: one of DataQuality, ModelQuality, ModelBias, "
        "ModelExplainability)",
    ),
]


@pytest.mark.parametrize(("policy", "name", "value", "message"), OUT_OF_RANGE)
def test_parameter_values_are_range_checked(policy: str, name: str, value: object, message: str) -> None:
    with pytest.raises(InputError) as info:
        load_policy_set(parameters={policy: {name: value}}, parameters_source="conf/auditor.yaml")
    assert info.value.source == "conf/auditor.yaml"
    assert info.value.location == f"parameters.{policy}.{name}"
    assert info.value.message == message


def test_unknown_policies_and_parameters_get_a_suggestion() -> None:
    with pytest.raises(InputError) as info:
        load_policy_set(parameters={"mm-data-captur": {}}, parameters_source="auditor.yaml")
    assert (info.value.source, info.value.location) == ("auditor.yaml", "parameters.mm-data-captur")
    assert "unknown policy 'mm-data-captur' (did you mean 'mm-data-capture'?)" in info.value.message
    with pytest.raises(InputError) as info:
        load_policy_set(
            parameters={"mm-data-capture": {"min_sampling_percnt": 5}}, parameters_source="a.yaml"
        )
    assert "(did you mean 'min_sampling_percent'?)" in info.value.message


@pytest.mark.parametrize(
    ("declaration", "field", "fragment"),
    [
        ({"type": "string", "default": "x", "minimum": 1}, "minimum", "minimum applies to number"),
        ({"type": "number", "default": 5, "enum": ["a"]}, "enum", "enum applies to string"),
        ({"type": "number", "default": 5, "minimum": "one"}, "minimum", "expected a number"),
        ({"type": "duration", "default": "P1D", "maximum": 5}, "maximum", "not an ISO-8601 duration"),
        ({"type": "number", "default": 5, "minimum": 10, "maximum": 1}, "maximum", "is below minimum 10"),
        ({"type": "number", "default": 500, "maximum": 100}, "default", "500 is above the maximum 100"),
        ({"type": "string_list", "default": ["b"], "enum": ["a"]}, "default", "'b' is not allowed"),
    ],
)
def test_parameter_declarations_are_checked(
    write_policy, declaration: dict, field: str, fragment: str
) -> None:
    path = write_policy(minimal_policy(parameters={"p": declaration}))
    with pytest.raises(InputError) as info:
        load_policy_set([path], builtin=False)
    assert info.value.source == str(path)
    assert info.value.location == f"parameters.p.{field}"
    assert fragment in info.value.message
