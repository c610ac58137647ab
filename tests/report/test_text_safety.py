"""No text output carries a raw control or bidirectional-formatting character (issue 12 item 9).

Resource names, messages, tags, scan errors and waiver reasons come from the estate or from files
(attacker-controlled). Every format people read -- CSV, Markdown, JUnit, SARIF, HTML, the console
summary, ``diff``, ``policies`` -- shows such characters as visible escapes (``\\x1b``, ``\\u202e``).
report.json and inventory.json stay exact: JSON escapes control characters itself, and they are the
record.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.cli.policy_cmd import policies
from auditor.cli.report_cmd import _text as diff_lines
from auditor.cli.run_cmds import summary_lines
from auditor.inventory.model import Inventory, ScanError
from auditor.pipeline import RunOutcome
from auditor.report import FORMATS, csv_report, json_report
from auditor.report.diff import compare
from auditor.report.gate import exit_code
from auditor.report.text import safe_text
from auditor.results import EvaluationResult, Severity, Verdict, WaiverInfo, WaiverRef, WaiverStatus

from .conftest import ACCOUNT, REGION, base_result, finding

# Written out independently of auditor/report/text.py: C0 (but the line feed), DEL and C1 controls,
# the bidi marks, embeddings, overrides and isolates, the line/paragraph separators, lone surrogates.
RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)
NASTY = [
    "\x1b[31m",
    "\x1b]0;pwned\x07",  # OSC: sets the terminal title
    "\x9b2J",  # C1 CSI
    "\u202e",
    "\u2066",
    "\u200f",
    "\u061c",
    "\ud800",
    "\r",
    "\r\n",
    "\n",
    "\t",
    "\x00",
    "\x7f",
    "=cmd|",
]
HOSTILE = st.lists(st.one_of(st.sampled_from(NASTY), st.characters()), max_size=12).map("".join)


def _raw(text: str) -> list[str]:
    return sorted({repr(m.group()) for m in RAW.finditer(text)})


def _result(name: str, message: str, tag: str, reason: str) -> EvaluationResult:
    waiver = WaiverRef(f"W-{reason}", reason, f"owner {tag}", "2027-01-31")
    expired = WaiverRef("W-old", reason, "x", "2025-01-01", expired=True)
    errors = [ScanError(ACCOUNT, REGION, "sagemaker", name, tag, message, resource=name)]
    waivers = [
        WaiverInfo("W-old", "MM-ALARM-001", f"name={name}", reason, tag, "2025-01-01", WaiverStatus.EXPIRED)
    ]
    return base_result(
        [
            finding("MM-DQ-001", Verdict.FAIL, name, message=message, tags={tag: tag, "environment": name}),
            finding("MM-DQ-001", Verdict.WAIVED, f"{name}-w", waiver=waiver, tags={"k": tag}),
            finding("MM-ALARM-001", Verdict.FAIL, name, Severity.CRITICAL, waiver=expired, message=reason),
            finding("MM-ALARM-001", Verdict.ERROR, f"e{name}", Severity.CRITICAL, message=message),
            finding("MM-CAP-001", Verdict.NOT_APPLICABLE, name, Severity.LOW, message=message),
            finding("MM-CAP-001", Verdict.PASS, f"p{name}", Severity.LOW),
        ],
        scan_errors=errors,
        waivers=waivers,
    )


def _console(result: EvaluationResult) -> str:
    inventory = Inventory(metadata=result.scan, errors=result.scan_errors)
    outcome = RunOutcome(result, Path("out"), [], exit_code(result))
    return "\n".join(summary_lines(outcome, inventory, fail_on=Severity.HIGH, saved_from=Path("inv.json")))


def test_safe_text_escapes_controls_bidi_and_surrogates_visibly() -> None:
    assert safe_text("a\x1b[31mb") == "a\\x1b[31mb"
    assert safe_text("\u202eevil") == "\\u202eevil"
    assert safe_text("x\ud800y") == "x\\ud800y"
    assert safe_text("\x9b") == "\\x9b"
    assert safe_text("one\ntwo") == "one\\x0atwo"
    assert safe_text("one\r\ntwo\rthree\n", newlines=True) == "one\ntwo\\x0dthree\n"
    assert safe_text("Zürich 東京 🚨 שלום") == "Zürich 東京 🚨 שלום"  # printable text is left alone


def test_every_format_neutralises_a_known_hostile_set() -> None:
    # The property test below samples; this fixed case covers bidi overrides in every format.
    result = _result("a\u202eb\ud800", "m\x1b[31m\u2066", "t\u202e", "r\u2066\r")
    for reporter in FORMATS.values():
        text = reporter.render(result).decode("utf-8")
        if reporter.name != "json":
            assert _raw(text.replace("\r\n", "\n")) == [], reporter.filename


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=HOSTILE, message=HOSTILE, tag=HOSTILE, reason=HOSTILE)
def test_no_text_format_carries_a_raw_control_or_bidi_character(
    name: str, message: str, tag: str, reason: str
) -> None:
    result = _result(name, message, tag, reason)
    for reporter in FORMATS.values():
        text = reporter.render(result).decode("utf-8")  # strict: no unencodable character either
        if reporter.name in ("json", "migration-json"):
            continue  # exact by design; checked below
        if reporter.name in ("csv", "frameworks-csv", "migration-csv"):
            text = text.replace("\r\n", "\n")  # the CSV dialect's own line terminator
        assert _raw(text) == [], reporter.filename
    old = _result(f"{name}-old", reason, tag, message)
    lines = diff_lines(compare(old, result), Path("old.json"), Path("new.json"))
    assert _raw("\n".join(lines)) == []
    assert _raw(_console(result)) == []


def test_json_stays_exact() -> None:
    name = "ep\x1b[31m\u202e"
    document = json.loads(json_report.render(_result(name, "m", "t", "r")))
    assert name in {f["resource_name"] for f in document["findings"]}


def test_csv_escapes_then_guards_formulas() -> None:
    rows = csv_report.render(_result("=HYPERLINK(1)\x1b[2J", "\tcmd", "t", "r")).decode()
    assert "'=HYPERLINK(1)\\x1b[2J" in rows
    assert "\\x09cmd" in rows and "\x1b" not in rows and "\t" not in rows


def test_policies_listings_escape_titles(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "id: acme-x\n"
        'title: "Evil \\e]0;pwned\\a title \\u202e"\n'
        'description: "line one\\nline \\e[2J two"\n'
        "severity: low\nresource: endpoint\n"
        "check: {path: status, equals: InService}\n"
        "message: m\nremediation: r\n",
        encoding="utf-8",
    )
    cli = click.Group("auditor", commands=[policies])
    for argv in (
        ["policies", "list", "--policies", str(policy)],
        ["policies", "show", "acme-x", "--policies", str(policy)],
    ):
        out = CliRunner().invoke(cli, argv).output
        assert "Evil \\x1b]0;pwned\\x07 title \\u202e" in out, out
        assert _raw(out) == []
