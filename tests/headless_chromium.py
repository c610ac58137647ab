"""Headless Chromium for the tests that check the HTML report in a real browser (Debian's package).

Chromium is required: without it the tests fail (.ci/run installs it); they never skip.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def dump_dom_url(url: str, profile: Path, timeout: float = 120) -> str:
    """The DOM of ``url`` after load, as Chromium serializes it (the page's scripts have run)."""
    if not CHROMIUM.exists():
        pytest.fail(f"headless Chromium is required at {CHROMIUM}: apt-get install -y chromium")
    proc = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, f"chromium exited {proc.returncode}: {proc.stderr[-2000:]}"
    return proc.stdout


def dump_dom(page: Path, profile: Path, timeout: float = 120) -> str:
    """``dump_dom_url`` for a file."""
    return dump_dom_url(page.as_uri(), profile, timeout)
