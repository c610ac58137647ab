"""The DevTools-protocol client the report benchmark drives Chromium with (standard library only).

It lives with the browser tests, in ``tests/headless_chromium.py``, so both find Chromium the same way
(``$AUDITOR_CHROMIUM``, then ``chromium``/``chromium-browser``/``google-chrome`` on PATH, then
``/usr/bin/chromium``) and speak the protocol the same way (``--remote-debugging-pipe``).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from headless_chromium import CdpError, Chromium

__all__ = ["CdpError", "Chromium"]
