"""junit.xml: suites per policy, cases per resource, valid XML even with hostile characters."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from auditor.report import junit_report
from auditor.results import EvaluationResult

from .conftest import HOSTILE_NAME


def test_structure_counts_and_verdict_elements(rich_result: EvaluationResult) -> None:
    root = ET.fromstring(junit_report.render(rich_result))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "8",
        "3",
        "1",
        "2",
    )
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert sorted(suites) == ["MM-ALARM-001", "MM-CAP-001", "MM-DQ-001"]
    dq = suites["MM-DQ-001"]
    assert (dq.get("tests"), dq.get("failures"), dq.get("errors"), dq.get("skipped")) == ("4", "1", "1", "1")
    cases = {c.get("name"): c for c in dq.findall("testcase")}
    failed = next(c for n, c in cases.items() if n and HOSTILE_NAME in n)
    failure = failed.find("failure")
    assert failure is not None and HOSTILE_NAME in (failure.get("message") or "")
    assert "Remediation: Fix MM-DQ-001" in (failure.text or "")
    skipped = next(c for n, c in cases.items() if n and n.endswith("legacy-ep")).find("skipped")
    assert skipped is not None and "waived by W-1" in (skipped.get("message") or "")
    error = next(c for n, c in cases.items() if n and n.endswith("fraud-prod")).find("error")
    assert error is not None and "AccessDenied" in (error.get("message") or "")
    props = {p.get("name"): p.get("value") for p in dq.iter("property")}
    assert props["severity"] == "high"


def test_control_characters_and_surrogates_are_shown_escaped(rich_result: EvaluationResult) -> None:
    data = junit_report.render(rich_result)
    root = ET.fromstring(data)  # would raise on any XML-invalid character
    names = [c.get("name") or "" for c in root.iter("testcase")]
    assert any(n.endswith("bad\\x00\\x07\\x1b[31mname\\ud800") for n in names)
    assert b"\x00" not in data and b"\x1b" not in data and b"\x0b" not in data


def test_deterministic(rich_result: EvaluationResult, copy_result) -> None:
    shuffled = copy_result(rich_result)
    shuffled.findings.reverse()
    assert junit_report.render(shuffled) == junit_report.render(rich_result)
