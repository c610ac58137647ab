"""Policy discovery: files and folders, the `policies:` list form, cases folders, the built-in pack."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from auditor.errors import InputError
from auditor.policy.loader import builtin_files, load_policy_set

from .conftest import minimal_policy


def test_folder_is_searched_recursively_and_cases_are_not_policies(tmp_path: Path) -> None:
    (tmp_path / "team" / "a" / "cases").mkdir(parents=True)
    (tmp_path / "team" / "a" / "policy.yml").write_text(
        yaml.safe_dump(minimal_policy(id="t-a")), encoding="utf-8"
    )
    (tmp_path / "team" / "a" / "cases" / "x_pass.yaml").write_text("expect: {e: PASS}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text(
        yaml.safe_dump({"policies": [minimal_policy(id="t-b1"), minimal_policy(id="t-b2")]}), encoding="utf-8"
    )
    (tmp_path / "notes.txt").write_text("not a policy", encoding="utf-8")
    pset = load_policy_set([tmp_path], builtin=False)
    assert [p.id for p in pset.policies] == ["t-a", "t-b1", "t-b2"]
    assert sorted(label for label, _ in pset.files) == [
        str(tmp_path / "b.yaml"),
        str(tmp_path / "team/a/policy.yml"),
    ]


def test_builtin_pack_is_loaded_from_the_installed_package() -> None:
    labels = [label for label, _ in builtin_files()]
    assert len(labels) == 25
    assert all(label.startswith("builtin/mm-") and label.endswith("/policy.yaml") for label in labels)
    pset = load_policy_set()
    assert {p.info().source for p in pset.policies} == {"builtin"}


def test_digest_is_stable_and_tracks_content(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(minimal_policy()), encoding="utf-8")
    first = load_policy_set([path], builtin=False).digest
    assert load_policy_set([path], builtin=False).digest == first
    path.write_text(yaml.safe_dump(minimal_policy(severity="low")), encoding="utf-8")
    assert load_policy_set([path], builtin=False).digest != first


def test_fix_is_the_declared_line_or_the_first_sentence_of_the_remediation(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    remediation = (
        "Create one with CreateMonitoringSchedule (e.g. hourly); the SDK: create_monitoring_schedule()."
    )
    path.write_text(
        yaml.safe_dump(
            {
                "policies": [
                    minimal_policy(id="t-declared", fix="Add the monitor."),
                    minimal_policy(id="t-derived", remediation=remediation),
                ]
            }
        ),
        encoding="utf-8",
    )
    infos = {p.id: p.info() for p in load_policy_set([path], builtin=False).policies}
    assert infos["t-declared"].fix == "Add the monitor."
    assert infos["t-derived"].fix == "Create one with CreateMonitoringSchedule (e.g. hourly)"


def test_fix_must_be_one_line(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(minimal_policy(fix="one\ntwo")), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_policy_set([path], builtin=False)
    assert "fix" in str(caught.value)
