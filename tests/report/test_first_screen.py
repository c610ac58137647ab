"""The first screen of the demo's report.html (1400 x 900) shows every critical and high failure.

The demo estate is built in the local AWS and scanned for real (AssumeRole into each member account,
over HTTP), judged with the built-in pack and the demo's waivers, rendered, and laid out by headless
Chromium; what is on the first screen is read from the page's own layout (bounding boxes).
Set AUDITOR_FIRST_SCREEN_PNG=path to keep the screenshot (docs/images/report-first-screen.png).
"""

from __future__ import annotations

import base64
import os
import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from headless_chromium import page_in_browser

from auditor.cli.demo_cmd import DEMO_PARAMETERS, DEMO_RECOGNISERS, demo_waivers
from auditor.emulator import LocalAws, build_estate
from auditor.pipeline import judge, load_judge_inputs
from auditor.report import html_report
from auditor.results import Severity, Verdict
from auditor.scan.options import ScanOptions
from auditor.scan.orchestrator import scan

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

WIDTH, HEIGHT = 1400, 900

_LAYOUT = """(() => {
  const box = el => { const r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; };
  const fixTable = document.querySelector("#fix-first table.fix");
  return {
    scrollY: window.scrollY,
    viewport: [window.innerWidth, window.innerHeight],
    cards: Array.from(document.querySelectorAll("#headline a.card"))
      .map(a => ({href: a.getAttribute("href"), ...box(a)})),
    rows: Array.from(fixTable.querySelectorAll("tbody tr")).map(tr => ({
      name: tr.querySelector("strong").textContent,
      severity: tr.querySelector(".sev").textContent,
      problems: Array.from(tr.querySelectorAll("li")).map(li => li.textContent),
      ...box(tr),
    })),
  };
})()"""


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_the_first_screen_shows_every_critical_and_high_failure(aws: LocalAws, tmp_path: Path) -> None:
    estate = build_estate(aws)
    # As the demo scans and judges it: its waivers, its replacement recogniser and parameters.
    options = ScanOptions(
        org=True,
        role_name=estate.role_name,
        regions=estate.regions,
        endpoint_url=aws.endpoint_url,
        recognisers=DEMO_RECOGNISERS,
    )
    waivers = tmp_path / "demo-waivers.yaml"
    waivers.write_text(demo_waivers(datetime.now(UTC).date()), encoding="utf-8")
    result = judge(scan(options), load_judge_inputs(waivers_path=waivers, parameters=DEMO_PARAMETERS))
    page = tmp_path / "report.html"
    page.write_bytes(html_report.render(result))
    severe = {
        f.resource_name
        for f in result.findings
        if f.verdict is Verdict.FAIL and f.severity in (Severity.CRITICAL, Severity.HIGH)
    }
    critical = {
        f.resource_name
        for f in result.findings
        if f.verdict is Verdict.FAIL and f.severity is Severity.CRITICAL
    }
    assert critical and len(severe) > 10, "the demo estate has one critical and a dozen high failures"

    with page_in_browser(page.as_uri(), width=WIDTH, height=HEIGHT) as browser:
        layout: dict[str, Any] = browser.evaluate(_LAYOUT)
        png = base64.b64decode(browser.send("Page.captureScreenshot", {"format": "png"})["data"])

    assert layout["scrollY"] == 0 and layout["viewport"] == [WIDTH, HEIGHT]
    on_screen = [row for row in layout["rows"] if row["bottom"] <= HEIGHT]
    assert severe <= {row["name"] for row in on_screen}, (severe, layout["rows"])
    assert [row["name"] for row in on_screen[: len(critical)]] == sorted(critical)
    assert on_screen[0]["severity"] == "critical"
    assert "ground-truth S3 input" in on_screen[0]["problems"][0]  # the one-line fix, not the long text
    cards = {card["href"]: card["bottom"] for card in layout["cards"]}
    for severity in ("critical", "high"):
        assert cards[f"#view:verdict=FAIL&severity={severity}"] <= HEIGHT

    assert _png_size(png) == (WIDTH, HEIGHT)
    keep = os.environ.get("AUDITOR_FIRST_SCREEN_PNG")
    if keep:
        Path(keep).write_bytes(png)
