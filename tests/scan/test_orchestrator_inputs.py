"""scan() refuses bad options and unusable base credentials before any AWS call."""

from __future__ import annotations

import pytest

from auditor.errors import InputError
from auditor.scan.options import ScanOptions
from auditor.scan.orchestrator import scan
from auditor.scan.sessions import CredentialsUnavailableError


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for key in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_ROLE_ARN",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)


def test_no_credentials_raise_the_dedicated_error(no_credentials: None) -> None:
    with pytest.raises(CredentialsUnavailableError) as info:
        scan(ScanOptions(regions=("us-east-1",), endpoint_url="http://127.0.0.1:9"))
    # An InputError subclass: the CLI prints it in one line and exits 2.
    assert isinstance(info.value, InputError) and info.value.source == "AWS credentials"


@pytest.mark.parametrize(
    ("options", "source"),
    [
        (ScanOptions(regions=("mars-north-1",)), "--regions"),
        (ScanOptions(regions=("us-east-1",), accounts=("1234",)), "--accounts"),
        (ScanOptions(regions=("us-east-1",), profile="no-such-profile-here"), "--profile"),
        (ScanOptions(regions=("us-east-1",), session_name="x"), "session name"),
        (ScanOptions(regions=("us-east-1",), ous=("ou-ab12-cdef3456",)), "--ou"),
    ],
)
def test_bad_options_raise_input_error(no_credentials: None, options: ScanOptions, source: str) -> None:
    with pytest.raises(InputError) as info:
        scan(options)
    assert info.value.source == source


def test_missing_default_region_is_an_input_error(
    no_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    with pytest.raises(InputError) as info:
        scan(ScanOptions())
    assert info.value.source == "--regions"
