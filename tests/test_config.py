"""The config file: schema derived from the dataclass, errors name file and field, paths resolve."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from auditor.config import (
    EXAMPLE,
    Config,
    derived_schema,
    load_config,
    published_schema,
    redact_config,
)
from auditor.errors import InputError
from auditor.inventory.model import AlarmMatcher, MonitorType, ScheduleField, ScheduleMatcher
from auditor.results import Severity


def test_published_schema_equals_derived() -> None:
    assert published_schema() == derived_schema()


def test_example_config_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "auditor.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    config = load_config(path)
    assert config.role_name == "ModelMonitorAuditor"
    assert config.formats == ["json", "html"]
    assert config.fail_on is Severity.HIGH


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "auditor.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump({"policies": ["local"], "waivers": "w.yaml"}), encoding="utf-8")
    config = load_config(path)
    assert config.policies == [str(tmp_path / "conf" / "local")]
    assert config.waivers == str(tmp_path / "conf" / "w.yaml")


def test_recognisers_load_as_declared(tmp_path: Path) -> None:
    path = tmp_path / "auditor.yaml"
    path.write_text(
        "recognisers:\n"
        "  - name: evidently-data-drift\n"
        "    monitor_type: DataQuality\n"
        "    alarm: {namespace: 'Evidently/*'}\n"
        "    schedule: {endpoint_in: [input], target_services: [lambda]}\n",
        encoding="utf-8",
    )
    (recogniser,) = load_config(path).recognisers
    assert recogniser.name == "evidently-data-drift" and recogniser.monitor_type is MonitorType.DATA_QUALITY
    assert recogniser.alarm == AlarmMatcher(namespace="Evidently/*", dimension="EndpointName")
    assert recogniser.schedule == ScheduleMatcher(
        endpoint_in=[ScheduleField.INPUT], group=None, target_services=["lambda"]
    )


def test_empty_file_is_defaults(tmp_path: Path) -> None:
    path = tmp_path / "auditor.yaml"
    path.write_text("", encoding="utf-8")
    assert load_config(path) == Config()


@pytest.mark.parametrize(
    ("text", "location", "line"),
    [
        ("accounts: [12345]\n", "accounts.0", None),
        ("accounts: ['12345']\n", "accounts.0", None),
        ("fail_on: severe\n", "fail_on", None),
        ("formats: [pdf]\n", "formats.0", None),
        ("regions: ['mars-1']\n", "regions.0", None),
        ("unknown_key: 1\n", "(top level)", None),
        ("org: [\n", None, 2),
        # Settings that contradict each other.
        ("org: true\naccounts: ['111111111111']\n", "accounts", None),
        ("ous: [ou-ab12-cdef3456]\n", "ous", None),
        ("- a list\n", None, None),
        # Replacement recognisers (docs/replacements.md).
        (
            "recognisers: [{name: r, monitor_type: Drift, alarm: {namespace: N}}]\n",
            "recognisers.0.monitor_type",
            None,
        ),
        ("recognisers: [{name: r, monitor_type: DataQuality}]\n", "recognisers.0", None),
        ("recognisers: [{name: r, monitor_type: DataQuality, alarm: null}]\n", "recognisers.0", None),
        (
            "recognisers: [{name: r, monitor_type: DataQuality, alarm: {namespace: ''}}]\n",
            "recognisers.0.alarm.namespace",
            None,
        ),
        (
            "recognisers: [{name: r, monitor_type: DataQuality, alarm: {namespace: N, dims: x}}]\n",
            "recognisers.0.alarm",
            None,
        ),
        (
            "recognisers: [{name: r, monitor_type: DataQuality, schedule: {endpoint_in: [tags]}}]\n",
            "recognisers.0.schedule.endpoint_in.0",
            None,
        ),
        (
            "recognisers:\n  - {name: r, monitor_type: DataQuality, alarm: {namespace: N}}\n"
            "  - {name: r, monitor_type: ModelQuality, alarm: {namespace: N}}\n",
            "recognisers.1.name",
            None,
        ),
    ],
)
def test_bad_config_names_file_and_field(
    tmp_path: Path, text: str, location: str | None, line: int | None
) -> None:
    path = tmp_path / "auditor.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_config(path)
    assert info.value.source == str(path)
    if location is not None:
        assert info.value.location == location
    if line is not None:
        assert info.value.line == line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "fail_on: hgh\n",
            "'hgh' is not allowed; expected one of critical, high, medium, low, info, or null",
        ),
        (
            "formats: [json, pdf]\n",
            "'pdf' is not allowed; expected one of json, html, junit, sarif, csv, markdown, asff, ocsf, "
            "frameworks-csv, migration-json, migration-csv, migration-html",
        ),
        ("profile: 3\n", "3 is not allowed; expected a string or null"),
    ],
)
def test_a_bad_choice_names_the_allowed_values(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "auditor.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_config(path)
    assert info.value.message == expected


@pytest.mark.parametrize("value", ["12345678901", "[s3cr3t-value, x]", "{id: s3cr3t-value}"])
def test_a_bad_external_id_is_not_echoed(tmp_path: Path, value: str) -> None:
    path = tmp_path / "auditor.yaml"
    path.write_text(f"external_id: {value}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_config(path)
    assert info.value.location == "external_id"
    assert "s3cr3t" not in str(info.value) and "12345678901" not in str(info.value)
    assert "not shown: it is a secret" in str(info.value)


def test_redacted_config_copy_keeps_comments_and_settings() -> None:
    original = b"# hub\nexternal_id: s3cr3t-value  # required by the member roles\nregions: [us-east-1]\n"
    copy, redacted = redact_config(original)
    assert redacted == ["external_id"]
    assert (
        copy
        == b'# hub\nexternal_id: "***REDACTED***"  # required by the member roles\nregions: [us-east-1]\n'
    )
    assert redact_config(b"regions: [us-east-1]\n") == (b"regions: [us-east-1]\n", [])
    assert redact_config(b"external_id:\n") == (b"external_id:\n", [])


@pytest.mark.parametrize(
    "original",
    [
        "external_id: &id s3cr3t-value\nrole_name: *id\n",  # an alias repeats the secret elsewhere
        "external_id: |\n  s3cr3t-value\nregions: [us-east-1]\n",  # a block scalar
        "{external_id: 's3cr3t-value', regions: [us-east-1]}\n",  # flow style
    ],
)
def test_redacted_config_copy_never_holds_the_secret(original: str) -> None:
    copy, redacted = redact_config(original.encode())
    assert redacted == ["external_id"]
    assert b"s3cr3t" not in copy
    data = yaml.safe_load(copy)
    assert data["external_id"] == "***REDACTED***"
    assert {k: v for k, v in data.items() if k != "external_id" and v != "***REDACTED***"} == {
        k: v for k, v in yaml.safe_load(original).items() if k not in ("external_id", "role_name")
    }
