"""Progress snapshots of a running scan (the CLI renders them on stderr)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScanProgress:
    """How far the scan is: accounts and (account, region) targets done, calls made, errors seen."""

    accounts_total: int
    accounts_done: int
    targets_total: int
    targets_done: int
    api_calls: int
    errors: int
    last_target: str | None = None  # "<account>/<region>" just finished

    def describe(self) -> str:
        """One status line, e.g. ``accounts 2/3, regions 5/6, 412 API calls, 1 error``."""
        errors = f"{self.errors} error" + ("" if self.errors == 1 else "s")
        return (
            f"accounts {self.accounts_done}/{self.accounts_total}, "
            f"regions {self.targets_done}/{self.targets_total}, {self.api_calls} API calls, {errors}"
        )
