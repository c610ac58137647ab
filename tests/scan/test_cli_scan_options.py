"""The click scan options and their conversion into a validated ScanOptions."""

from __future__ import annotations

from typing import Any

import click
import pytest
from click.testing import CliRunner

from auditor.cli.iam_cmd import iam_policy
from auditor.cli.scan_options import scan_options
from auditor.errors import InputError
from auditor.scan.clients import Runtime
from auditor.scan.options import ScanOptions
from auditor.scan.options import scan_options_from_flags as build_scan_options


def _parse(args: list[str]) -> ScanOptions:
    captured: dict[str, Any] = {}

    @click.command()
    @scan_options
    def cmd(**kwargs: Any) -> None:
        captured.update(kwargs)

    result = CliRunner().invoke(cmd, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return build_scan_options(**captured)


def test_defaults_pass() -> None:
    options = _parse([])
    assert options == ScanOptions()


def test_every_option_pass() -> None:
    options = _parse(
        [
            "--profile", "audit",
            "--regions", "us-east-1, eu-west-1",
            "--accounts", "111111111111,222222222222,111111111111",
            "--role-arn-template", "arn:aws:iam::{account_id}:role/path/Audit",
            "--external-id", "xyz-123",
            "--endpoint", "churn-*", "--endpoint", "fraud",
            "--endpoint-tag", "environment=production",
            "--no-search", "--max-workers", "4",
            "--endpoint-url", "http://127.0.0.1:5000",
        ]
    )  # fmt: skip
    assert options.profile == "audit"
    assert options.regions == ("us-east-1", "eu-west-1")
    assert options.accounts == ("111111111111", "222222222222")
    assert not options.org
    assert options.role_arn("333333333333") == "arn:aws:iam::333333333333:role/path/Audit"
    assert options.endpoint_names == ("churn-*", "fraud")
    assert options.endpoint_tags == (("environment", "production"),)
    assert not options.use_search and options.max_workers == 4
    assert options.matches_endpoint("churn-v2", {}) and not options.matches_endpoint("churn", {})
    assert options.matches_endpoint("x", {"environment": "production"})


def test_org_with_ous_pass() -> None:
    options = _parse(["--org", "--ou", "ou-ab12-cdef3456"])
    assert options.org and options.ous == ("ou-ab12-cdef3456",) and options.accounts == ()


def test_regions_all_pass() -> None:
    assert _parse(["--regions", "all"]).regions == "all"


@pytest.mark.parametrize(
    ("args", "source"),
    [
        (["--accounts", "12345"], "--accounts"),
        (["--regions", "all,us-east-1"], "--regions"),
        (["--ou", "ou-ab12-cdef3456"], "--ou"),
        (["--org", "--ou", "not-an-ou"], "--ou"),
        (["--role-arn-template", "arn:aws:iam::123:role/x"], "--role-arn-template"),
        (["--endpoint-tag", "novalue"], "--endpoint-tag"),
        (["--endpoint", "*"], "--endpoint"),
        (["--max-workers", "0"], "--max-workers"),
        (["--max-accounts", "0"], "--max-accounts"),
        (["--shard", "5/4"], "--shard"),
        (["--accounts-file", "/nonexistent/accounts.txt"], "/nonexistent/accounts.txt"),
        (["--external-id", "x"], "--external-id"),
        (["--role-name", "bad name"], "--role-name"),
        (["--max-attempts", "0"], "--max-attempts"),
        (["--read-timeout", "0"], "--read-timeout"),
        # Contradicting flags: an error, never a silent choice of one of them.
        (["--org", "--accounts", "111111111111"], "--accounts"),
        (
            ["--role-name", "Audit", "--role-arn-template", "arn:aws:iam::{account_id}:role/A"],
            "--role-arn-template",
        ),
    ],
)
def test_bad_values_fail_with_input_error(args: list[str], source: str) -> None:
    with pytest.raises(InputError) as info:
        _parse(args)
    assert info.value.source == source


def test_org_with_accounts_is_refused_by_the_options_too() -> None:
    """Library callers get the same answer as the command line."""
    with pytest.raises(InputError) as info:
        ScanOptions(org=True, accounts=("111111111111",)).validate()
    assert info.value.source == "--accounts"


def test_retry_and_timeout_options_reach_every_client() -> None:
    options = _parse(["--max-attempts", "3", "--read-timeout", "5"])
    runtime = Runtime(
        allowed=(),
        endpoint_url=None,
        per_service_concurrency=1,
        max_attempts=options.max_attempts,
        read_timeout=options.read_timeout,
    )
    assert runtime.config.retries["total_max_attempts"] == 3
    assert runtime.config.read_timeout == 5
    default = Runtime(allowed=(), endpoint_url=None, per_service_concurrency=1).config
    assert (default.retries["total_max_attempts"], default.read_timeout) == (10, 60)


def test_iam_policy_command_prints_the_derived_policy() -> None:
    result = CliRunner().invoke(iam_policy, ["--hub", "--role-name", "Audit"])
    assert result.exit_code == 0
    assert '"sagemaker:Search"' in result.output
    assert '"arn:aws:iam::*:role/Audit"' in result.output
