"""Security Hub in the local AWS: moto's backend, with the rules of BatchImportFindings an import relies on.

moto (5.2) stores imported findings by Id per account and region, updates a re-imported one, and
serves GetFindings (filters ignored). Real Security Hub also enforces rules that decide whether an
import works, so ``install()`` wraps moto's BatchImportFindings to apply them:

* The account must have Security Hub enabled in the region (InvalidAccessException otherwise).
* At most 100 findings per call (InvalidInputException otherwise).
* With the default product ARN, the caller's account must equal each finding's ``AwsAccountId`` and
  the ProductArn must be ``arn:aws:securityhub:<region>:<account>:product/<account>/default`` of the
  caller's account and the call's region. A finding that breaks this is returned in
  ``FailedFindings`` (error code ``AccessDeniedException``; the exact code AWS uses is UNVERIFIED).
* A finding over 240 KB is returned in ``FailedFindings`` (``InvalidInput``).
* On update, the customer-owned fields (``Workflow``, ``Note``, ``UserDefinedFields``,
  ``VerificationState``) keep their stored values: BatchImportFindings cannot change them.

Per-finding faults for tests: ``finding_faults.fail(ids, code, times)`` makes the next ``times``
imports of those Ids come back in ``FailedFindings`` with ``code``. Whole-call faults (throttling,
AccessDenied) go through the ``FaultInjector`` like any other call.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.securityhub.exceptions import SecurityHubClientError
from moto.securityhub.models import securityhub_backends
from moto.securityhub.responses import SecurityHubResponse

MAX_BATCH = 100
MAX_FINDING_BYTES = 240 * 1024
CUSTOMER_FIELDS = ("Workflow", "Note", "UserDefinedFields", "VerificationState")


class FindingFaults:
    """Injected per-finding failures: Id -> (error code, remaining count). Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, list[Any]] = {}

    def fail(self, ids: Iterable[str], code: str = "InternalException", times: int = 1) -> None:
        """The next ``times`` imports of each of ``ids`` fail with ``code`` in FailedFindings."""
        with self._lock:
            for finding_id in ids:
                self._rules[finding_id] = [code, times]

    def take(self, finding_id: str) -> str | None:
        """The code to fail ``finding_id`` with on this import, or None."""
        with self._lock:
            rule = self._rules.get(finding_id)
            if rule is None or rule[1] <= 0:
                return None
            rule[1] -= 1
            return str(rule[0])

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()


finding_faults = FindingFaults()


def default_product_arn(account_id: str, region: str) -> str:
    return f"arn:aws:securityhub:{region}:{account_id}:product/{account_id}/default"


def _failure(finding: dict[str, Any], code: str, message: str) -> dict[str, str]:
    return {"Id": str(finding.get("Id", "")), "ErrorCode": code, "ErrorMessage": message}


def _wrap_batch_import_findings(original: Callable[[Any], str]) -> Callable[[Any], str]:
    def batch_import_findings(self: Any) -> str:
        backend = securityhub_backends[self.current_account][self.region]
        if not backend.enabled:
            raise SecurityHubClientError(
                "InvalidAccessException", "Account is not subscribed to AWS Security Hub"
            )
        raw = self.body.decode("utf-8") if isinstance(self.body, bytes) else self.body
        findings = json.loads(raw or "{}").get("Findings", [])
        if len(findings) > MAX_BATCH:
            raise SecurityHubClientError(
                "InvalidInputException",
                f"Findings: at most {MAX_BATCH} findings per request ({len(findings)})",
            )
        expected_arn = default_product_arn(self.current_account, self.region)
        failed: list[dict[str, str]] = []
        accepted: list[dict[str, Any]] = []
        for finding in findings:
            injected = finding_faults.take(str(finding.get("Id", "")))
            if injected is not None:
                failed.append(_failure(finding, injected, "injected by the local AWS"))
            elif (
                finding.get("AwsAccountId") != self.current_account
                or finding.get("ProductArn") != expected_arn
            ):
                failed.append(
                    _failure(
                        finding,
                        "AccessDeniedException",
                        f"with the default product, only account {self.current_account} may import its own "
                        f"findings into {expected_arn}",
                    )
                )
            elif len(json.dumps(finding, separators=(",", ":")).encode("utf-8")) > MAX_FINDING_BYTES:
                failed.append(_failure(finding, "InvalidInput", "finding larger than 240 KB"))
            else:
                accepted.append(finding)
        stored = {f.id: f.data for f in backend.findings}
        for finding in accepted:
            previous = stored.get(str(finding.get("Id", "")))
            if previous is not None:
                for key in CUSTOMER_FIELDS:
                    finding.pop(key, None)
                    if key in previous:
                        finding[key] = previous[key]
        _, success_count, moto_failed = backend.batch_import_findings(findings=accepted)
        failed += [_failure(f, f["ErrorCode"], f["ErrorMessage"]) for f in moto_failed]
        return json.dumps(
            {"FailedCount": len(failed), "SuccessCount": success_count, "FailedFindings": failed}
        )

    batch_import_findings.__wrapped__ = original  # type: ignore[attr-defined]
    return batch_import_findings


_installed = False


def install() -> None:
    """Install the Security Hub rules into moto (idempotent)."""
    global _installed
    if _installed:
        return
    original = SecurityHubResponse.batch_import_findings
    setattr(SecurityHubResponse, "batch_import_findings", _wrap_batch_import_findings(original))  # noqa: B010
    _installed = True
