"""junit.xml: one testsuite per policy, one testcase per resource, for CI test views.

FAIL becomes ``<failure>`` carrying the explanation and remediation; ERROR becomes ``<error>``
(the data could not be collected); WAIVED and NOT_APPLICABLE become ``<skipped>`` with the reason.
Control and bidirectional-formatting characters become visible escapes (``safe_text``; line feeds stay)
and what XML 1.0 still cannot carry is removed, so hostile resource names or tags can neither make the
file unparseable nor drive the terminal of whoever reads it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import assert_never

from auditor.report.summary import ordered_findings
from auditor.report.text import safe_text
from auditor.results import EvaluationResult, Finding, PolicyInfo, Verdict

_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """``value`` made safe to show (``safe_text``), without the characters XML 1.0 forbids."""
    return _XML_INVALID.sub("", safe_text(value, newlines=True))


def _detail(f: Finding) -> str:
    lines = [f.message, "", f"Resource: {f.resource_arn}", f"Account: {f.account_id}  Region: {f.region}"]
    if f.location is not None:
        lines.append(f"Declared at: {f.location.describe()}")
    if f.remediation:
        lines += ["", f"Remediation: {f.remediation}"]
    if f.waiver is not None:
        state = "expired" if f.waiver.expired else "active"
        lines += ["", f"Waiver {f.waiver.waiver_id} ({state}, expires {f.waiver.expires}): {f.waiver.reason}"]
    return "\n".join(lines)


def _skip_reason(f: Finding) -> str:
    if f.verdict is Verdict.WAIVED and f.waiver is not None:
        w = f.waiver
        return f"waived by {w.waiver_id} until {w.expires} (owner {w.owner}): {w.reason}"
    if f.verdict is Verdict.WAIVED:
        return f"waived: {f.message}"
    return f"not applicable: {f.message}"


def _testcase(suite: ET.Element, f: Finding) -> None:
    case = ET.SubElement(
        suite, "testcase", {"classname": xml_text(f.policy_id), "name": xml_text(f.resource_arn), "time": "0"}
    )
    match f.verdict:
        case Verdict.PASS:
            pass
        case Verdict.FAIL:
            failure = ET.SubElement(
                case, "failure", {"message": xml_text(f.message), "type": f"severity:{f.severity.value}"}
            )
            failure.text = xml_text(_detail(f))
        case Verdict.ERROR:
            error = ET.SubElement(case, "error", {"message": xml_text(f.message), "type": "incomplete"})
            error.text = xml_text(_detail(f))
        case Verdict.WAIVED | Verdict.NOT_APPLICABLE:
            ET.SubElement(case, "skipped", {"message": xml_text(_skip_reason(f))})
        case _:
            assert_never(f.verdict)


def render(result: EvaluationResult) -> bytes:
    """junit.xml bytes (UTF-8), suites in policy-id order, cases in resource order."""
    policies: dict[str, PolicyInfo] = {p.id: p for p in result.policies}
    by_policy: dict[str, list[Finding]] = {}
    for f in ordered_findings(result.findings):
        by_policy.setdefault(f.policy_id, []).append(f)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    root = ET.Element("testsuites", {"name": "mm-auditor"})
    for policy_id, findings in sorted(by_policy.items()):
        counts = {
            "tests": len(findings),
            "failures": sum(f.verdict is Verdict.FAIL for f in findings),
            "errors": sum(f.verdict is Verdict.ERROR for f in findings),
            "skipped": sum(f.verdict in (Verdict.WAIVED, Verdict.NOT_APPLICABLE) for f in findings),
        }
        for key, value in counts.items():
            totals[key] += value
        suite = ET.SubElement(
            root,
            "testsuite",
            {"name": xml_text(policy_id), **{k: str(v) for k, v in counts.items()}, "time": "0"},
        )
        info = policies.get(policy_id)
        if info is not None:
            props = ET.SubElement(suite, "properties")
            for prop, text in (
                ("title", info.title),
                ("severity", info.severity.value),
                ("remediation", info.remediation),
            ):
                ET.SubElement(props, "property", {"name": prop, "value": xml_text(text)})
        for f in findings:
            _testcase(suite, f)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
