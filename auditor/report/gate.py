"""The CI gate: one exit code from the verdicts."""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum

from auditor.results import EvaluationResult, Finding, Severity, Verdict


class ExitCode(IntEnum):
    OK = 0
    FAILURES = 1
    INVALID_INPUT = 2
    INCOMPLETE = 3


def exit_code(
    result: EvaluationResult,
    *,
    fail_on: Severity = Severity.HIGH,
    allow_incomplete: bool = False,
    counts: Callable[[Finding], bool] | None = None,
) -> ExitCode:
    """The gate's answer for ``result``.

    - ``FAILURES`` (1): any FAIL verdict whose severity is at or above ``fail_on``. WAIVED findings
      never count; a FAIL whose waiver has expired is a FAIL and does count.
    - ``INCOMPLETE`` (3): otherwise, when compliance could not be established: any ERROR verdict at
      or above ``fail_on`` (an ERROR below the threshold could not have failed the gate had its data
      been collected), or any recorded scan error (it may have hidden resources entirely, so its
      reach cannot be bounded by severity). ``allow_incomplete`` turns this case into OK.
    - ``OK`` (0): otherwise.

    Precedence: when both failures and an incomplete scan are present the answer is FAILURES (1).
    A FAIL is a definite answer, "this release must not pass", that no amount of missing data can
    turn into a pass; exit 3 would tell a pipeline "retry, maybe it's fine", which it is not. The
    ERROR verdicts are still listed in every report.

    ``counts`` narrows which FAIL verdicts can give FAILURES (``--fail-on-new``, ``--fail-on-age``:
    see ``auditor.history.gate_selection``); it never touches INCOMPLETE, since missing data could
    hide a new failure as well as an old one.
    """
    threshold = fail_on.rank
    gated = [
        f
        for f in result.findings
        if f.severity.rank >= threshold and f.verdict in (Verdict.FAIL, Verdict.ERROR)
    ]
    if any(f.verdict is Verdict.FAIL and (counts is None or counts(f)) for f in gated):
        return ExitCode.FAILURES
    incomplete = bool(result.scan_errors) or any(f.verdict is Verdict.ERROR for f in gated)
    if incomplete and not allow_incomplete:
        return ExitCode.INCOMPLETE
    return ExitCode.OK
