"""The browser tests' lookup: where Chromium is looked for, and skip (contributors) versus fail (CI)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from headless_chromium import browser_required, find_chromium, missing_reason

ROOT = Path(__file__).resolve().parents[1]


def _fake_browser(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def _hidden(**extra: str) -> dict[str, str]:
    """An environment with no Chromium anywhere the lookup goes: PATH holds only Python's folder."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CI", "AUDITOR_REQUIRE_BROWSER", "AUDITOR_CHROMIUM", "PATH")
    }
    env.update(PATH=str(Path(sys.executable).parent), AUDITOR_CHROMIUM_FALLBACK="")
    env.update(extra)
    return env


def test_lookup_order_explicit_then_path_then_fallback(tmp_path: Path) -> None:
    on_path = _fake_browser(tmp_path / "bin", "chromium-browser")
    fallback = _fake_browser(tmp_path / "usr", "chromium")
    explicit = _fake_browser(tmp_path / "opt", "my-chrome")
    path = str(tmp_path / "bin")
    assert find_chromium({"PATH": path, "AUDITOR_CHROMIUM": str(explicit)}) == explicit
    assert find_chromium({"PATH": path, "AUDITOR_CHROMIUM_FALLBACK": str(fallback)}) == on_path
    assert find_chromium({"PATH": "", "AUDITOR_CHROMIUM_FALLBACK": str(fallback)}) == fallback
    assert find_chromium({"PATH": "", "AUDITOR_CHROMIUM_FALLBACK": ""}) is None
    # An explicit AUDITOR_CHROMIUM that is not a browser is not silently replaced by another one.
    assert find_chromium({"PATH": path, "AUDITOR_CHROMIUM": str(tmp_path / "nope")}) is None
    assert "AUDITOR_CHROMIUM=" in missing_reason({"AUDITOR_CHROMIUM": str(tmp_path / "nope")})


def test_not_executable_files_do_not_count(tmp_path: Path) -> None:
    plain = tmp_path / "chromium"
    plain.write_text("", encoding="utf-8")
    assert find_chromium({"PATH": str(tmp_path), "AUDITOR_CHROMIUM_FALLBACK": str(plain)}) is None


@pytest.mark.parametrize(
    ("env", "required"),
    [
        ({}, False),
        ({"CI": "true"}, True),
        ({"CI": "TRUE"}, True),
        ({"CI": "false"}, False),
        ({"AUDITOR_REQUIRE_BROWSER": "1"}, True),
        ({"AUDITOR_REQUIRE_BROWSER": "0"}, False),
    ],
)
def test_where_the_browser_is_required(env: dict[str, str], required: bool) -> None:
    assert browser_required(env) is required


def test_the_reason_says_where_it_looked_and_how_to_install() -> None:
    reason = missing_reason({"PATH": ""})
    assert "chromium, chromium-browser, google-chrome on PATH or /usr/bin/chromium" in reason
    assert "apt-get install chromium" in reason and "AUDITOR_CHROMIUM" in reason


def _run_browser_tests(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rsf",
            "-p",
            "no:cacheprovider",
            "tests/report/test_html_browser.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_real_browser_tests_skip_cleanly_without_chromium() -> None:
    proc = _run_browser_tests(_hidden())
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "skipped" in proc.stdout and "passed" not in proc.stdout and "failed" not in proc.stdout
    assert "headless Chromium not found" in proc.stdout and "apt-get install chromium" in proc.stdout


@pytest.mark.parametrize("flag", [{"CI": "true"}, {"AUDITOR_REQUIRE_BROWSER": "1"}], ids=["CI", "opt-in"])
def test_real_browser_tests_fail_without_chromium_where_required(flag: dict[str, str]) -> None:
    proc = _run_browser_tests(_hidden(**flag))
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert "failed" in proc.stdout and "skipped" not in proc.stdout
    assert "required here" in proc.stdout
