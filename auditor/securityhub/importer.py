"""``auditor securityhub import``: send ASFF findings to Security Hub with BatchImportFindings.

The account rule: with the default product ARN, Security Hub accepts a finding only from the account
named in its ``AwsAccountId``. So each finding is imported *by its own account*: the importer uses the
caller's credentials for the caller's account and assumes an import role (default
``ModelMonitorAuditorFindingsImport``) in every other account, then calls BatchImportFindings in the
finding's region. With Security Hub's organization integration the delegated administrator sees every
member's findings, so nothing is lost by not importing into one central account, and no finding
claims an account it did not come from (docs/security-hub.md).

Per (account, region): findings are cut to 240 KB (``asff_report.fit_to_size``; one that cannot fit
is reported failed, never dropped), then sent in batches of at most 100 findings and 6 MB. A call
that fails with a transient error (throttling, 5xx, network) after botocore's own retries is retried
in the next round; so are the items of ``FailedFindings`` whose error code is transient. Everything
else is reported per finding. Re-importing is safe: the same Id updates the same finding.
"""

from __future__ import annotations

import json
import re
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from auditor.errors import InputError
from auditor.fileio import read_text
from auditor.report import asff_report
from auditor.report.diff import load_result
from auditor.scan.clients import Runtime, error_code_and_message
from auditor.scan.sessions import assume_role_session, base_session, caller_identity
from auditor.securityhub.permissions import DEFAULT_IMPORT_ROLE_NAME, allowed_operations

DEFAULT_SESSION_NAME = "mm-auditor-findings-import"
# Error codes worth another try, in a failed call or in FailedFindings (allow-list: anything else is
# reported as it is). Connection and timeout errors from botocore are retried too.
TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "LimitExceededException",
        "InternalException",
        "InternalFailure",
        "InternalServerError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
_PRODUCT_ARN = re.compile(r"^arn:([a-z-]+):securityhub:([a-z0-9-]+):([0-9]{12}):product/([0-9]{12})/default$")


@dataclass(frozen=True)
class ImportOptions:
    profile: str | None = None
    endpoint_url: str | None = None
    role_name: str = DEFAULT_IMPORT_ROLE_NAME
    role_arn_template: str | None = None  # with {account_id}
    external_id: str | None = None
    session_name: str = DEFAULT_SESSION_NAME
    max_attempts: int = 5  # per call, botocore's retries included
    rounds: int = 4  # our own tries of a batch (failed calls, transient FailedFindings)
    backoff_seconds: float = 1.0  # before round n+1: backoff * 2**(n-1)


@dataclass(frozen=True)
class Target:
    """Where a finding must be imported: its account, region and partition (from its ProductArn)."""

    account_id: str
    region: str
    partition: str


@dataclass
class FindingResult:
    finding_id: str
    account_id: str
    region: str
    imported: bool
    error_code: str = ""
    message: str = ""
    attempts: int = 0


@dataclass
class ImportReport:
    caller_account: str
    results: list[FindingResult] = field(default_factory=list)
    calls: int = 0
    retried_calls: int = 0

    @property
    def imported(self) -> list[FindingResult]:
        return [r for r in self.results if r.imported]

    @property
    def failed(self) -> list[FindingResult]:
        return [r for r in self.results if not r.imported]


# --------------------------------------------------------------------------- input


def load_findings(path: Path, *, include_passed: bool = False) -> list[dict[str, Any]]:
    """The ASFF findings of ``path``: a report.asff.json (validated against botocore's model), or a
    report.json / evidence bundle (rendered as ``--format asff`` would). InputError on anything else."""
    if not path.is_file():
        raise InputError(str(path), "no such file")
    if zipfile.is_zipfile(path):
        return asff_report.to_findings(load_result(path), include_passed=include_passed)
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"not valid JSON: {exc.msg}", line=exc.lineno) from None
    except RecursionError:
        raise InputError(str(path), "JSON nested too deeply") from None
    if isinstance(data, dict) and data.get("Findings") == []:
        return []  # a run with nothing but passes: valid, and nothing to send
    if isinstance(data, dict) and "Findings" in data:
        errors = asff_report.validation_errors(data)
        if errors:
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise InputError(str(path), f"not a valid BatchImportFindings input: {errors[0]}{more}")
        findings: list[dict[str, Any]] = data["Findings"]
        return findings
    if isinstance(data, dict) and "schema_version" in data:
        return asff_report.to_findings(load_result(path), include_passed=include_passed)
    raise InputError(str(path), "not a report.asff.json, a report.json or an evidence bundle")


def targets(findings: Sequence[dict[str, Any]], source: str) -> dict[Target, list[dict[str, Any]]]:
    """Findings grouped by the (account, region) that must import them; InputError for a finding whose
    ProductArn is not the default product of its own account, or for a duplicate Id."""
    grouped: dict[Target, list[dict[str, Any]]] = defaultdict(list)
    seen: set[str] = set()
    for i, finding in enumerate(findings):
        match = _PRODUCT_ARN.match(str(finding.get("ProductArn", "")))
        account = str(finding.get("AwsAccountId", ""))
        if match is None or match.group(3) != account or match.group(4) != account:
            who = account or "<account>"
            raise InputError(
                source,
                "only findings for the default product of their own account can be imported "
                f"(arn:aws:securityhub:<region>:{who}:product/{who}/default)",
                location=f"Findings[{i}].ProductArn",
            )
        if finding["Id"] in seen:
            raise InputError(source, f"duplicate finding Id {finding['Id']!r}", location=f"Findings[{i}].Id")
        seen.add(finding["Id"])
        grouped[Target(account, match.group(2), match.group(1))].append(finding)
    return dict(sorted(grouped.items(), key=lambda item: (item[0].account_id, item[0].region)))


def batches(
    findings: Sequence[dict[str, Any]],
    *,
    max_findings: int = asff_report.MAX_BATCH_FINDINGS,
    max_bytes: int = asff_report.MAX_BATCH_BYTES,
    max_finding_bytes: int = asff_report.MAX_FINDING_BYTES,
) -> tuple[list[list[dict[str, Any]]], list[dict[str, Any]]]:
    """(batches, too large): findings fitted to ``max_finding_bytes`` and packed, in order, into batches
    of at most ``max_findings`` findings and ``max_bytes``; those that cannot fit come back apart."""
    out: list[list[dict[str, Any]]] = []
    too_large: list[dict[str, Any]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for finding in findings:
        fitted = asff_report.fit_to_size(finding, max_finding_bytes)
        if fitted is None:
            too_large.append(finding)
            continue
        n = asff_report.finding_size(fitted)
        if current and (len(current) >= max_findings or size + n > max_bytes):
            out.append(current)
            current, size = [], 0
        current.append(fitted)
        size += n
    if current:
        out.append(current)
    return out, too_large


# --------------------------------------------------------------------------- import


def _transient(exc: Exception) -> bool:
    if isinstance(exc, ClientError):
        code, _ = error_code_and_message(exc)
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return code in TRANSIENT_CODES or status >= 500
    # Connection refused or reset, timeouts: worth another round. Other botocore errors (parameter
    # validation, the guard) would fail the same way again.
    return isinstance(exc, HTTPClientError | BotoConnectionError)


class _Importer:
    def __init__(self, options: ImportOptions, sleep: Callable[[float], None]) -> None:
        self.options = options
        self.sleep = sleep
        self.runtime = Runtime(
            allowed=allowed_operations(),
            endpoint_url=options.endpoint_url,
            per_service_concurrency=1,
            max_attempts=options.max_attempts,
        )
        self.base = base_session(options.profile)
        self.caller = caller_identity(self.runtime, self.base)
        self.report = ImportReport(caller_account=self.caller.account_id)

    def role_arn(self, target: Target) -> str:
        if self.options.role_arn_template:
            return self.options.role_arn_template.format(account_id=target.account_id)
        return f"arn:{target.partition}:iam::{target.account_id}:role/{self.options.role_name}"

    def session_for(self, target: Target, cache: dict[str, Any]) -> Any:
        """The caller's session for its own account, else the import role's (AssumeRole, cached)."""
        if target.account_id == self.caller.account_id:
            return self.base
        if target.account_id not in cache:
            cache[target.account_id] = assume_role_session(
                self.runtime,
                self.base,
                target.account_id,
                role_arn=self.role_arn(target),
                session_name=self.options.session_name,
                external_id=self.options.external_id,
            ).session
        return cache[target.account_id]

    def fail(
        self, target: Target, findings: Sequence[dict[str, Any]], code: str, message: str, tries: int
    ) -> None:
        self.report.results += [
            FindingResult(f["Id"], target.account_id, target.region, False, code, message, tries)
            for f in findings
        ]

    def send(self, client: Any, target: Target, batch: list[dict[str, Any]]) -> None:
        pending = batch
        rounds = max(1, self.options.rounds)
        for round_no in range(1, rounds + 1):
            last_round = round_no == rounds
            if round_no > 1:
                self.report.retried_calls += 1
                self.sleep(self.options.backoff_seconds * 2 ** (round_no - 2))
            self.report.calls += 1
            try:
                response = client.batch_import_findings(Findings=pending)
            except (ClientError, BotoCoreError) as exc:
                code, message = error_code_and_message(exc)
                if _transient(exc) and not last_round:
                    continue
                self.fail(target, pending, code, message, round_no)
                return
            failures = {str(f.get("Id")): f for f in response.get("FailedFindings") or []}
            retry: list[dict[str, Any]] = []
            for finding in pending:
                failure = failures.get(finding["Id"])
                if failure is None:
                    self.report.results.append(
                        FindingResult(
                            finding["Id"], target.account_id, target.region, True, attempts=round_no
                        )
                    )
                elif str(failure.get("ErrorCode")) in TRANSIENT_CODES and not last_round:
                    retry.append(finding)
                else:
                    code = str(failure.get("ErrorCode") or "Unknown")
                    self.fail(target, [finding], code, str(failure.get("ErrorMessage") or ""), round_no)
            pending = retry
            if not pending:
                return

    def run(self, grouped: dict[Target, list[dict[str, Any]]]) -> ImportReport:
        sessions: dict[str, Any] = {}
        for target, findings in grouped.items():
            try:
                session = self.session_for(target, sessions)
            except (ClientError, BotoCoreError) as exc:
                code, message = error_code_and_message(exc)
                self.fail(target, findings, f"AssumeRole:{code}", f"{self.role_arn(target)}: {message}", 1)
                continue
            client = self.runtime.make_client(session, "securityhub", target.region)
            packed, too_large = batches(findings)
            self.fail(target, too_large, "FindingTooLarge", "larger than 240 KB even with long texts cut", 0)
            for batch in packed:
                self.send(client, target, batch)
        return self.report


def import_findings(
    grouped: dict[Target, list[dict[str, Any]]],
    options: ImportOptions,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> ImportReport:
    """Import every finding into its own account's Security Hub; the report has one result per finding.

    Raises InputError (exit 2) when even the caller's credentials are unusable; every AWS error after
    that is a per-finding result.
    """
    return _Importer(options, sleep).run(grouped)
