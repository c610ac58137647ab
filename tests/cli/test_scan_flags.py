"""Scan flags and the config file: precedence, contradictions, and where a bad profile came from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from auditor.config import Config
from auditor.scan.options import scan_options_from_flags as build_scan_options
from auditor.settings import LoadedConfig
from auditor.settings import merge_scan_flags as _merge_scan_config

# Every scan option unset, as click passes them when no flag is given.
UNSET: dict[str, object] = {
    "profile": None,
    "regions": None,
    "accounts": None,
    "org": False,
    "ous": (),
    "role_name": None,
    "role_arn_template": None,
    "external_id": None,
    "endpoint_names": (),
    "endpoint_tags": (),
    "no_search": False,
    "max_workers": None,
    "max_attempts": None,
    "read_timeout": None,
    "endpoint_url": None,
}


def _merged(config: Config, **flags: object) -> dict[str, object]:
    return _merge_scan_config(LoadedConfig(config, Path("auditor.yaml")), {**UNSET, **flags})


def test_a_flag_for_the_accounts_replaces_the_config_files_whole_account_selection() -> None:
    org_config = Config(org=True, ous=["ou-ab12-cdef3456"])
    options = build_scan_options(**_merged(org_config, accounts="111111111111"))
    assert (options.accounts, options.org, options.ous) == (("111111111111",), False, ())
    listed = Config(accounts=["111111111111"])
    options = build_scan_options(**_merged(listed, org=True))
    assert (options.accounts, options.org) == ((), True)
    # Without a flag, the file decides.
    assert build_scan_options(**_merged(org_config)).ous == ("ou-ab12-cdef3456",)


def test_a_flag_for_the_role_replaces_the_config_files_role() -> None:
    config = Config(role_arn_template="arn:aws:iam::{account_id}:role/path/Audit")
    options = build_scan_options(**_merged(config, role_name="Other"))
    assert options.role_arn("111111111111") == "arn:aws:iam::111111111111:role/Other"
    # In the file alone, the template overrides the role name (as the example config says).
    both = Config(role_name="Ignored", role_arn_template="arn:aws:iam::{account_id}:role/path/Audit")
    assert build_scan_options(**_merged(both)).role_arn("1") == "arn:aws:iam::1:role/path/Audit"


def _scan(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUDITOR_"))}
    clean.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "auditor", "scan", "--regions", "us-east-1", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean,
        timeout=120,
        check=False,
    )


def test_a_missing_profile_from_the_environment_names_the_variable(tmp_path: Path) -> None:
    proc = _scan(tmp_path, AWS_PROFILE="audit")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "AWS_PROFILE=audit" in lines[0] and "'audit' not found" in lines[0], lines
    assert "--profile" not in lines[0] and "None" not in lines[0]


def test_a_missing_profile_from_the_config_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "auditor.yaml").write_text("profile: audit-hub\n", encoding="utf-8")
    proc = _scan(tmp_path)
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert "auditor.yaml: profile" in line and "'audit-hub' not found" in line, line


def test_org_and_accounts_together_is_exit_2_before_any_call(tmp_path: Path) -> None:
    proc = _scan(tmp_path, "--org", "--accounts", "111111111111", "--endpoint-url", "http://127.0.0.1:9")
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert "--accounts" in line and "--org" in line, line
