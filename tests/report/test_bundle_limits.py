"""Bundles are user input: a zip bomb neither exhausts memory nor passes verification."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.report import diff, evidence


def _bomb(path: Path, member: str, size: int) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf, zf.open(member, "w") as out:
        chunk = b"0" * (1 << 20)
        for _ in range(size // len(chunk)):
            out.write(chunk)


def test_an_oversized_bundled_report_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diff, "MAX_BUNDLED_REPORT_BYTES", 4 << 20)
    bundle = tmp_path / "bomb.zip"
    _bomb(bundle, "report.json", 8 << 20)
    with pytest.raises(InputError, match="larger than 4 MiB"):
        diff.load_result(bundle)


def test_an_oversized_manifest_fails_verification(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evidence, "MAX_MANIFEST_BYTES", 4 << 20)
    bundle = tmp_path / "bomb.zip"
    _bomb(bundle, "manifest.json", 8 << 20)
    assert evidence.verify(bundle) == ["manifest.json"]
