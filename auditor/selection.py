"""A gate never passes on nothing: what a run that judged no endpoint at all means.

A targeted scan (``--endpoint``, ``--endpoint-tag``, or ``endpoints`` / ``endpoint_tags`` in the config
file) that matches nothing is usually a typo, or the wrong account or region: an input error (exit 2)
naming the selector and where it was looked for. When scan errors could have hidden the endpoint (the
listing failed, an account could not be entered), the answer is "incomplete" (exit 3) instead, naming
those errors. A full scan that finds no endpoint at all is only warned about, unless told to fail
(``--fail-on-empty``; the default is on for targeted scans, off for full ones).

The decision is one function of the inventory (``empty_selection``): ``scan`` and ``evaluate`` of a
saved inventory reach the same answer, and a library caller can reuse it.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.inventory.model import Dataset, DatasetStatus, Inventory
from auditor.report.gate import ExitCode

MAX_REASONS = 3


@dataclass(frozen=True)
class EmptySelection:
    """A run that judged no endpoint: what to say, and the exit code it forces (None: a warning only)."""

    source: str  # the selector ("--endpoint churn --endpoint-tag team=risk"), or --fail-on-empty
    message: str
    exit_code: ExitCode | None


def selector_text(inventory: Inventory) -> str:
    """The endpoint selection the inventory was scanned with, as command-line flags ("" for a full scan)."""
    options = inventory.metadata.options
    names = [str(n) for n in options.get("endpoint_names") or []]
    tags = [str(t) for t in options.get("endpoint_tags") or []]
    return " ".join([*(f"--endpoint {n}" for n in names), *(f"--endpoint-tag {t}" for t in tags)])


def hiding_errors(inventory: Inventory) -> list[str]:
    """Why endpoints could exist that the scan did not see: listings that failed, accounts not entered,
    account or region discovery that failed (one short phrase each)."""
    reasons: list[str] = []
    for error in inventory.errors:
        if error.region is None:  # account-level: AssumeRole, Organizations, DescribeRegions
            reasons.append(f"{error.operation} {error.error_code} ({error.account_id})")
    for target in inventory.targets:
        status = target.datasets.get(Dataset.ENDPOINTS, DatasetStatus.NOT_SCANNED)
        if not status.listed:
            reasons.append(f"endpoints {status.value} in {target.account_id}/{target.region}")
    return list(dict.fromkeys(reasons))


def empty_selection(inventory: Inventory, *, fail_on_empty: bool | None) -> EmptySelection | None:
    """None when the inventory has an endpoint; otherwise what the empty run means (see the module).

    ``fail_on_empty`` None takes the default: on for a targeted scan, off for a full one.
    """
    if inventory.endpoints:
        return None
    selector = selector_text(inventory)
    targeted = bool(selector)
    fail = fail_on_empty if fail_on_empty is not None else targeted
    metadata = inventory.metadata
    accounts, regions = ", ".join(metadata.accounts) or "none", ", ".join(metadata.regions) or "none"
    where = f"account(s) {accounts} x region(s) {regions}"
    found = f"matched no endpoint in {where}" if targeted else f"no endpoint found in {where}"
    hidden = hiding_errors(inventory)
    if hidden:
        more = len(hidden) - MAX_REASONS
        shown = "; ".join(hidden[:MAX_REASONS]) + (f"; and {more} more" if more > 0 else "")
        return EmptySelection(
            selector or "--fail-on-empty",
            f"{found}, but scan errors could have hidden endpoints ({shown}): incomplete, not a pass",
            ExitCode.INCOMPLETE if fail else None,
        )
    if targeted:
        message = f"{found}; check the name or tag, the account and the region"
    else:
        message = f"{found}: nothing was judged"
    return EmptySelection(selector or "--fail-on-empty", message, ExitCode.INVALID_INPUT if fail else None)
