"""Headless Chromium for the tests (and benchmarks) that check the HTML report in a real browser.

Where it looks, first match wins:

1. ``$AUDITOR_CHROMIUM``, when set: that file and nothing else;
2. ``chromium``, ``chromium-browser``, ``google-chrome`` on ``PATH``;
3. ``/usr/bin/chromium`` (Debian's package). ``$AUDITOR_CHROMIUM_FALLBACK`` replaces this path; set
   it empty to look nowhere but ``PATH`` (how a test hides a system-wide Chromium).

Chromium is optional for contributors: without it a browser test is skipped, with the reason and how
to install it. Where the browser tests must run -- ``CI=true``, or ``AUDITOR_REQUIRE_BROWSER=1``, which
``.ci/run`` sets -- a missing browser is a failure instead.

Two ways to drive it, both standard library only: ``dump_dom`` (``--dump-dom``: the DOM after the
page's scripts ran) and ``Chromium`` / ``page_in_browser`` (the DevTools protocol over
``--remote-debugging-pipe``: JSON messages separated by NUL bytes on file descriptors 3 and 4, so no
websocket client is needed): run the page's own controls, read layout, take screenshots.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

NAMES = ("chromium", "chromium-browser", "google-chrome")
FALLBACK = Path("/usr/bin/chromium")
INSTALL_HINT = "install it (Debian/Ubuntu: apt-get install chromium) or point AUDITOR_CHROMIUM at one"


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_chromium(env: Mapping[str, str] | None = None) -> Path | None:
    """The Chromium to use (see the module docstring for the order), or None."""
    env = os.environ if env is None else env
    explicit = env.get("AUDITOR_CHROMIUM")
    if explicit:
        return Path(explicit) if _executable(Path(explicit)) else None
    for name in NAMES:
        found = shutil.which(name, path=env.get("PATH", ""))
        if found:
            return Path(found)
    fallback = env.get("AUDITOR_CHROMIUM_FALLBACK", str(FALLBACK))
    return Path(fallback) if fallback and _executable(Path(fallback)) else None


def browser_required(env: Mapping[str, str] | None = None) -> bool:
    """True where a missing browser must fail the browser tests: CI, or an explicit opt-in."""
    env = os.environ if env is None else env
    return env.get("CI", "").lower() == "true" or env.get("AUDITOR_REQUIRE_BROWSER", "") == "1"


def missing_reason(env: Mapping[str, str] | None = None) -> str:
    """Why no browser was found, where it was looked for, and how to get one."""
    env = os.environ if env is None else env
    explicit = env.get("AUDITOR_CHROMIUM")
    if explicit:
        return f"headless Chromium: AUDITOR_CHROMIUM={explicit} is not an executable file; {INSTALL_HINT}"
    fallback = env.get("AUDITOR_CHROMIUM_FALLBACK", str(FALLBACK))
    where = f"{', '.join(NAMES)} on PATH" + (f" or {fallback}" if fallback else "")
    return f"headless Chromium not found (looked for {where}); {INSTALL_HINT}"


def require_chromium(env: Mapping[str, str] | None = None) -> Path:
    """The browser, or the test stops here: skipped with the reason, or failed where it is required."""
    import pytest  # only the tests need pytest; the benchmarks import this module too

    found = find_chromium(env)
    if found is not None:
        return found
    reason = missing_reason(env)
    if browser_required(env):
        pytest.fail(f"{reason} (required here: CI=true or AUDITOR_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--mute-audio",
)


def dump_dom_url(url: str, profile: Path, timeout: float = 120) -> str:
    """The DOM of ``url`` after load, as Chromium serializes it (the page's scripts have run)."""
    binary = require_chromium()
    proc = subprocess.run(
        [str(binary), *_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
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


class CdpError(RuntimeError):
    """Chromium answered a command with an error, died, or did not answer in time."""


class Chromium:
    """A headless Chromium driven over the DevTools pipe: ``send`` a command, wait for ``event``s."""

    def __init__(self, binary: Path | None = None, timeout: float = 60.0) -> None:
        binary = binary or find_chromium()
        if binary is None:
            raise CdpError(missing_reason())
        self._timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="mm-auditor-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        args = [str(binary), *_FLAGS, f"--user-data-dir={self._profile}", "--remote-debugging-pipe"]
        args.append("about:blank")
        devnull = os.open(os.devnull, os.O_RDWR)
        actions = [
            (os.POSIX_SPAWN_DUP2, devnull, 1),
            (os.POSIX_SPAWN_DUP2, devnull, 2),
            (os.POSIX_SPAWN_DUP2, to_child_r, 3),
            (os.POSIX_SPAWN_DUP2, from_child_w, 4),
        ]
        self._pid = os.posix_spawn(args[0], args, dict(os.environ), file_actions=actions, setsid=True)
        for fd in (devnull, to_child_r, from_child_w):
            os.close(fd)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        self.session_id: str | None = None

    # ------------------------------------------------------------------ protocol

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CdpError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_child], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise CdpError("Chromium closed the DevTools pipe (it exited)")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, browser: bool = False
    ) -> dict[str, Any]:
        """Send one command (to the attached page unless ``browser``) and return its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if not browser and self.session_id is not None:
            message["sessionId"] = self.session_id
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self._timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                self._check_alive(reply)
                self._events.append(reply)

    def wait_event(self, method: str) -> dict[str, Any]:
        """The next event named ``method`` (events that arrived earlier count)."""
        deadline = time.monotonic() + self._timeout
        while True:
            for i, event in enumerate(self._events):
                if event["method"] == method:
                    del self._events[i]
                    return event
            message = self._read_message(deadline)
            if "method" in message:
                self._check_alive(message)
                self._events.append(message)

    def _check_alive(self, event: dict[str, Any]) -> None:
        """Fail fast when the page's renderer crashed or the page went away (no reply would ever come)."""
        if event["method"] == "Inspector.targetCrashed" or (
            event["method"] == "Target.detachedFromTarget"
            and event.get("params", {}).get("sessionId") == self.session_id
        ):
            raise CdpError(f"the page is gone: {event['method']}")

    def open_page(self) -> None:
        """Create a page target and attach to it (flattened session): later commands go to the page."""
        target = self.send("Target.createTarget", {"url": "about:blank"}, browser=True)["targetId"]
        attached = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, browser=True)
        self.session_id = str(attached["sessionId"])
        self.send("Page.enable")
        self.send("Runtime.enable")

    def evaluate(self, expression: str) -> Any:
        """Run JavaScript in the page (promises awaited) and return its JSON value."""
        result = self.send(
            "Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True}
        )
        if "exceptionDetails" in result:
            raise CdpError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    # ------------------------------------------------------------------ lifetime

    def close(self) -> None:
        """Ask Chromium to quit, then make sure its process group is gone."""
        # Already gone or not answering: the process group is killed below either way.
        with contextlib.suppress(CdpError, OSError):
            self.send("Browser.close", browser=True)
        for _ in range(50):
            done, _ = os.waitpid(self._pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.1)
        else:
            os.killpg(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
        for fd in (self._to_child, self._from_child):
            os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@contextlib.contextmanager
def page_in_browser(url: str, *, width: int = 1400, height: int = 900) -> Iterator[Chromium]:
    """``url`` loaded in a ``width`` x ``height`` viewport (the test skips or fails without Chromium)."""
    binary = require_chromium()
    with Chromium(binary) as browser:
        browser.open_page()
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        browser.send("Page.navigate", {"url": url})
        browser.wait_event("Page.loadEventFired")
        yield browser
