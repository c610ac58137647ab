"""What changed between two runs: new, resolved, still failing and regressed findings.

A finding's identity is ``(policy_id, resource_arn)``. "Failing" means a FAIL or ERROR verdict
(ERROR: compliance could not be established, which a gate treats as not passing either). Only the
(account, region) targets both runs scanned are compared; the others are named, not counted.
Evidence bundles are verified before their report is read.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from auditor.errors import InputError
from auditor.report.evidence import check_bundle
from auditor.report.json_report import load_report as _load_report
from auditor.report.json_report import loads_report
from auditor.report.summary import compliance_percent, finding_key
from auditor.results import BaselineComparison, EvaluationResult, Finding, TargetRef, Verdict

_FAILING = (Verdict.FAIL, Verdict.ERROR)

Identity = tuple[str, str]
Place = tuple[str, str]  # (account id, region)


def _index(result: EvaluationResult, scope: set[Place]) -> dict[Identity, Finding]:
    return {(f.policy_id, f.resource_arn): f for f in result.findings if (f.account_id, f.region) in scope}


def scanned(result: EvaluationResult) -> set[Place]:
    """The (account, region) targets a run covered: its targets, and the place of any finding (a
    report always has a finding per target; hand-made results may have only findings)."""
    return {(t.account_id, t.region) for t in result.targets} | {
        (f.account_id, f.region) for f in result.findings
    }


def _not_compared(result: EvaluationResult, scope: set[Place]) -> int:
    return sum(1 for f in result.findings if f.verdict in _FAILING and (f.account_id, f.region) not in scope)


def compare(old: EvaluationResult, new: EvaluationResult) -> BaselineComparison:
    """Classify every finding that is failing in either run (each lands in at most one list).

    - ``regressed``: PASS before, failing now (something that worked broke).
    - ``new``: failing now, and before it was absent (a new resource or a newly enabled policy) or
      neither PASS nor failing (WAIVED, e.g. a waiver that expired, or NOT_APPLICABLE).
    - ``still_failing``: failing before and now (FAIL→ERROR and ERROR→FAIL included).
    - ``resolved``: failing before and not failing now: PASS, WAIVED, NOT_APPLICABLE, or absent
      (the resource is gone). The list holds the *old* finding, i.e. what used to fail.

    ``new``, ``regressed`` and ``still_failing`` hold the current findings. Findings in targets
    only one of the runs scanned are not classified; the comparison names those targets.
    """
    then_scanned, now_scanned = scanned(old), scanned(new)
    scope = then_scanned & now_scanned
    before = _index(old, scope)
    after = _index(new, scope)
    comparison = BaselineComparison(
        baseline_generated_at=old.generated_at,
        compliance_before=compliance_percent(old),
        compliance_after=compliance_percent(new),
        targets_only_before=[TargetRef(a, r) for a, r in sorted(then_scanned - scope)],
        targets_only_now=[TargetRef(a, r) for a, r in sorted(now_scanned - scope)],
        not_compared_before=_not_compared(old, scope),
        not_compared_now=_not_compared(new, scope),
    )
    for key, now in after.items():
        if now.verdict not in _FAILING:
            continue
        then = before.get(key)
        if then is None:
            comparison.new.append(now)
        elif then.verdict in _FAILING:
            comparison.still_failing.append(now)
        elif then.verdict is Verdict.PASS:
            comparison.regressed.append(now)
        else:
            comparison.new.append(now)
    for key, then in before.items():
        if then.verdict not in _FAILING:
            continue
        now_f = after.get(key)
        if now_f is None or now_f.verdict not in _FAILING:
            comparison.resolved.append(then)
    comparison.new.sort(key=finding_key)
    comparison.regressed.sort(key=finding_key)
    comparison.still_failing.sort(key=finding_key)
    comparison.resolved.sort(key=finding_key)
    return comparison


MAX_BUNDLED_REPORT_BYTES = 2**30  # report.json of 100,000 findings is about 56 MB


def load_result(path: Path) -> EvaluationResult:
    """Load a report.json, or the report.json inside an evidence bundle (.zip).

    A bundle is verified first (``evidence verify``): one that was changed after it was packed is
    an InputError naming the changed, missing and added files.
    """
    if not path.is_file():
        raise InputError(str(path), "no such file")
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as bundle, bundle.open("report.json") as member:
                # Bounded read: a bundle is user input, and a zip bomb must not exhaust memory.
                data = member.read(MAX_BUNDLED_REPORT_BYTES + 1)
        except KeyError:
            raise InputError(str(path), "the evidence bundle has no report.json") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(str(path), f"cannot read the evidence bundle: {exc}") from None
        if len(data) > MAX_BUNDLED_REPORT_BYTES:
            raise InputError(
                f"{path}!report.json", f"larger than {MAX_BUNDLED_REPORT_BYTES // 2**20} MiB uncompressed"
            )
        check = check_bundle(path)
        if not check.intact:
            raise InputError(
                str(path), f"the evidence bundle fails verification, refusing to use it: {check.summary()}"
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{path}!report.json", "not UTF-8 text") from None
        return loads_report(text, f"{path}!report.json")
    return _load_report(path)
