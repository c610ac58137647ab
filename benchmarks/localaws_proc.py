"""The local AWS in its own process, driven over a multiprocessing pipe.

The scan benchmark must not share a process (and so a GIL) with moto: on AWS the server side costs the
scanner nothing. The child owns a ``LocalAws`` and answers a handful of commands: build a scale estate,
set the injected latency, read or reset the per-operation call counters, and report its own CPU time.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class BuiltEstate:
    """What the child built: who to scan, and how long building took (not part of any scan number)."""

    member_account_ids: tuple[str, ...]
    regions: tuple[str, ...]
    role_name: str
    build_seconds: float


def _serve(conn: Connection) -> None:
    """The child's loop: one command in, one reply out, until "stop"."""
    from auditor.emulator import EstateSpec, LocalAws, build_estate

    aws = LocalAws.start()
    conn.send(aws.endpoint_url)
    try:
        while True:
            command, args = conn.recv()
            reply: Any = None
            if command == "build":
                started = time.perf_counter()
                estate = build_estate(aws, EstateSpec(**args))
                reply = BuiltEstate(
                    member_account_ids=estate.member_account_ids,
                    regions=estate.regions,
                    role_name=estate.role_name,
                    build_seconds=time.perf_counter() - started,
                )
            elif command == "latency":
                aws.faults.set_latency(float(args))
            elif command == "rate_limits":
                from auditor.emulator.ratelimits import RateLimits

                aws.faults.set_rate_limits(RateLimits(scale=float(args)) if args is not None else None)
            elif command == "throttled":
                reply = aws.faults.throttled
            elif command == "calls":
                reply = aws.faults.calls(**args)
            elif command == "calls_by_target":
                reply = {(a, r): aws.faults.calls(account_id=a, region=r) for a, r in args}
            elif command == "reset_calls":
                aws.faults.reset_calls()
            elif command == "cpu":
                reply = time.process_time()
            elif command == "stop":
                conn.send(None)
                return
            else:
                raise ValueError(f"unknown command {command!r}")
            conn.send(reply)
    finally:
        aws.stop()


class LocalAwsProcess:
    """A LocalAws running in a child process (spawned, so it inherits no threads or sockets)."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child_conn = ctx.Pipe()
        self._process = ctx.Process(target=_serve, args=(child_conn,), name="local-aws", daemon=True)
        self._process.start()
        child_conn.close()
        self.endpoint_url: str = self._conn.recv()

    def _ask(self, command: str, args: Any = None) -> Any:
        self._conn.send((command, args))
        return self._conn.recv()

    def build(self, accounts: int, regions: tuple[str, ...], endpoints_per_region: int | None) -> BuiltEstate:
        """Create the organization and a scale estate (``None`` = the curated sample)."""
        result: BuiltEstate = self._ask(
            "build",
            {"accounts": accounts, "regions": regions, "endpoints_per_region": endpoints_per_region},
        )
        return result

    def set_latency(self, seconds: float) -> None:
        self._ask("latency", seconds)

    def set_rate_limits(self, scale: float | None) -> None:
        """Turn the local AWS's rate limits on (``scale`` x the defaults of auditor.emulator.ratelimits)
        or off (None). Buckets start full."""
        self._ask("rate_limits", scale)

    def throttled(self) -> int:
        """Calls the rate limits have refused since they were turned on."""
        result: int = self._ask("throttled")
        return result

    def calls(self) -> dict[str, int]:
        """Calls received per "service:Operation" since the last reset."""
        result: dict[str, int] = self._ask("calls", {})
        return result

    def calls_by_target(self, targets: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, int]]:
        """Calls per (account, region), per "service:Operation"."""
        result: dict[tuple[str, str], dict[str, int]] = self._ask("calls_by_target", targets)
        return result

    def reset_calls(self) -> None:
        self._ask("reset_calls")

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (all its threads)."""
        result: float = self._ask("cpu")
        return result

    def stop(self) -> None:
        if self._process.is_alive():
            # The child may already be gone (it died or was stopped): then there is nobody to ask.
            with contextlib.suppress(EOFError, BrokenPipeError):
                self._ask("stop")
            self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=10)

    def __enter__(self) -> LocalAwsProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
