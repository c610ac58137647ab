"""The config file: schema derived from the dataclass, errors name file and field, paths resolve."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from auditor.config import EXAMPLE, Config, OutputFormat, derived_schema, load_config, published_schema
from auditor.errors import InputError
from auditor.results import Severity


def test_published_schema_equals_derived() -> None:
    assert published_schema() == derived_schema()


def test_example_config_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "auditor.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    config = load_config(path)
    assert config.role_name == "ModelMonitorAuditor"
    assert config.formats == [OutputFormat.JSON, OutputFormat.HTML]
    assert config.fail_on is Severity.HIGH


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "auditor.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump({"policies": ["local"], "waivers": "w.yaml"}), encoding="utf-8")
    config = load_config(path)
    assert config.policies == [str(tmp_path / "conf" / "local")]
    assert config.waivers == str(tmp_path / "conf" / "w.yaml")


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
