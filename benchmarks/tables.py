"""The Markdown table(s) printed by run.py and written into benchmarks/README.md, from the JSON results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _machine(record: dict[str, Any]) -> str:
    m = record["machine"]
    load = f"load average {m['load_average_at_start']} at start, {m.get('load_average_at_end', '?')} at end"
    took = record.get("duration_seconds", "?")
    return (
        f"{m['date_utc']}, {record['mode']} run in {took} s on {m['nproc']} CPU ({m['cpu_model']}), "
        f"{m['ram_gib']} GiB RAM, Python {m['python']}, {m['os']}; {load}"
    )


def scan_section(record: dict[str, Any]) -> str:
    res = record["results"]
    rows = []
    notes = []
    for size in res["sizes"]:
        for r in size["runs"]:
            per = r["api_calls_per_endpoint"]
            target = r["api_calls_per_endpoint_target"]
            fast = r["mode"] == "fast"
            calls_cell = (
                f"{per} (≤ {target}: {_met(per <= target)})" if fast and per is not None else str(per)
            )
            ratio = r["ratio_to_lower_bound"]
            rows.append(
                [
                    size["size"],
                    r["mode"],
                    r["endpoints"],
                    r["k_monitors_per_endpoint"],
                    r["api_calls_total"],
                    calls_cell,
                    r["wall_seconds"],
                    f"{r['lower_bound_seconds']} (×{r['effective_concurrency']})",
                    f"{ratio} ({_met(ratio is not None and ratio <= 1.5)})",
                    f"{r['scanner_cpu_seconds']} / {r['server_cpu_seconds']} "
                    f"({r['scanner_cpu_ms_per_call']} / {r['server_cpu_ms_per_call']} ms per call)",
                    f"{r['cpu_aware_bound_seconds']} / {r['ratio_to_cpu_aware_bound']}",
                    size["build_seconds"],
                ]
            )
            if fast and per is not None and per > target:
                notes.append(
                    f"{size['size']}: {per} vs ≤ {target} = describes {r['describe_calls_per_endpoint']} "
                    f"(1 + k) + listings {r['fixed_calls_per_endpoint']}"
                )
    header = [
        "estate (acct×reg×ep)",
        "path",
        "endpoints",
        "k",
        "API calls",
        "calls/endpoint (fast path target)",
        "wall s",
        "latency bound s (eff. concurrency)",
        "wall ÷ latency bound (≤ 1.5)",
        "CPU s scanner / local AWS",
        "CPU-aware bound s / wall ÷ it",
        "build s",
    ]
    out = [
        "### 1. Scan",
        "",
        f"{res['latency_seconds'] * 1000:.0f} ms injected per call; default concurrency (8 targets at a "
        "time, 4 calls in flight per service and target). Machine: " + _machine(record) + ".",
        "",
        _table(header, rows),
    ]
    if notes:
        out += ["", "Calls per endpoint on the fast path: " + "; ".join(notes) + "."]
    big = res.get("calls_only_large_region")
    if big:
        per, target = big["api_calls_per_endpoint"], big["api_calls_per_endpoint_target"]
        out += [
            "",
            f"One large region ({big['size']}, fast path, no latency, calls only): "
            f"{big['api_calls_total']} calls, {per} per endpoint vs ≤ {target} ({_met(per <= target)}; "
            f"describes {big['describe_calls_per_endpoint']}, listings {big['fixed_calls_per_endpoint']}); "
            f"scanner CPU {big['scanner_cpu_seconds']} s, of which `relations.link` "
            f"{big['relations_link_cpu_seconds']} s.",
        ]
    control = res.get("control_high_latency")
    if control:
        out += [
            "",
            f"Control: {control['size']} fast path again at 200 ms per call: wall "
            f"{control['wall_seconds']} s vs latency bound {control['lower_bound_seconds']} s "
            f"(× {control['ratio_to_lower_bound']}).",
        ]
    prof = res.get("profile")
    if prof:
        total = prof["profiled_thread_cpu_seconds"] or 1.0
        top = ", ".join(
            f"`{t['function']}` {t['own_cpu_seconds']} s" for t in prof["top_functions_by_own_cpu"][:5]
        )
        out += [
            "",
            f"Scanner CPU profile ({prof['estate']}): {prof['profiled_thread_cpu_seconds']} s profiled, "
            f"{100 * prof['in_boto3_api_calls_seconds'] / total:.0f} % inside boto3 API calls "
            f"(serialize, sign, HTTP, parse), {100 * prof['in_relations_link_seconds'] / total:.0f} % in "
            "`relations.link`; "
            f"top functions: {top}.",
        ]
    return "\n".join(out)


def custodian_section(record: dict[str, Any]) -> str:
    res = record["results"]
    head = [
        "### 2. Side by side: Cloud Custodian vs this auditor",
        "",
        f"Estate {res['size']}, {res['latency_seconds'] * 1000:.0f} ms per call. "
        f"Machine: {_machine(record)}.",
        "",
    ]
    if "custodian_error" in res:
        return "\n".join([*head, f"Cloud Custodian could not be run: {res['custodian_error']}"])
    c, a = res["custodian"], res["auditor"]
    rows = [
        [
            f"Cloud Custodian `c7n-org run` ({res['custodian_versions']})",
            c["collects"] + f"; {c['endpoints_listed']} endpoints listed, exit {c['exit_code']}",
            c["api_calls_total"],
            c["wall_seconds"],
        ],
        [
            "this auditor, full scan (fast path)",
            f"{a['endpoints']} endpoints with capture and configs, {a['monitors']} monitors, "
            f"{a['job_definitions']} job definitions, {a['alarms']} alarms",
            a["api_calls_total"],
            a["wall_seconds"],
        ],
    ]
    return "\n".join([*head, _table(["tool", "what it collects", "API calls", "wall s"], rows)])


def evaluation_section(record: dict[str, Any]) -> str:
    res = record["results"]
    target = res["target_verdicts_per_second"]
    rows = []
    for s in res["sizes"]:
        if "skipped" in s:
            rows.append([f"{s['endpoints']:,}", s["skipped"], "", "", "", "", ""])
            continue
        skipped = s.get("evaluate_skipped")
        evaluate_cell = skipped or (
            f"{s['evaluate_verdicts_per_second']:,} ({_met(s['evaluate_verdicts_per_second'] >= target)})"
        )
        rows.append(
            [
                f"{s['endpoints']:,}",
                f"{s['monitors']:,} / {s['job_definitions']:,} / {s['alarms']:,}",
                f"{s['verdicts']:,}",
                f"{s['engine_cpu_seconds']} s: {s['engine_verdicts_per_second']:,} "
                f"({_met(s['engine_verdicts_per_second'] >= target)})",
                evaluate_cell if skipped else f"{s['evaluate_cpu_seconds']} s: {evaluate_cell}",
                s.get("inventory_dumps_cpu_seconds", "not timed"),
                f"{s['rss_after_inventory_mb']:,.0f} / {s['peak_rss_engine_mb']:,.0f} / "
                f"{s.get('peak_rss_evaluate_mb') or 0:,.0f}",
            ]
        )
    header = [
        "endpoints",
        "monitors / job defs / alarms",
        "verdicts",
        f"engine (`judge_all`) CPU, verdicts/s (≥ {target:,})",
        "`evaluate()` CPU, verdicts/s",
        "`store.dumps` (digest input) CPU s",
        "RSS MB: inventory / peak engine / peak evaluate()",
    ]
    return "\n".join(
        [
            "### 3. Evaluation (built-in pack, one core)",
            "",
            "Machine: " + _machine(record) + ".",
            "",
            _table(header, rows),
        ]
    )


def reports_section(record: dict[str, Any]) -> str:
    res = record["results"]
    rows = []
    detail_rows = []
    sizes_notes = []
    for s in res["sizes"]:
        b = s["browser"]
        parts = s["page_data_bytes"]
        sizes_notes.append(
            f"{s['endpoints']:,} endpoints: findings rows {parts['findings'] / 1e6:.2f} MB "
            f"({100 * (s['pass_share_of_findings'] or 0):.0f} % of them PASS), string table "
            f"{parts['strings'] / 1e6:.2f} MB, coverage rows {parts['coverage'] / 1e6:.2f} MB"
        )
        rows.append(
            [
                f"{s['endpoints']:,}",
                f"{s['findings']:,}",
                f"{s['html_mb']} ({_met(s['size_target_met'])})",
                s["render_seconds"],
                b["first_contentful_paint_ms"],
                b["script_ready_ms"],
                b["first_frame_after_ready_ms"],
                f"{b['worst_interaction_median_ms']} ({_met(s['interaction_target_met'])}) / "
                f"{b['worst_interaction_max_ms']}",
            ]
        )
        for i in b["interactions"]:
            work = i["apply_main_thread_ms_mean"]
            detail_rows.append(
                [
                    f"{s['endpoints']:,}",
                    i["interaction"],
                    i["handler_ms_median"],
                    f"{i['apply_ms_median']} / {i['apply_ms_max']}",
                    f"{i['reset_ms_median']} / {i['reset_ms_max']}",
                    f"{work['script']} / {work['style']} / {work['layout']} / {work['all_tasks']}",
                ]
            )
    header = [
        "endpoints",
        "findings",
        "report.html MB (< 10)",
        "render s",
        "first contentful paint ms",
        "script ready ms",
        "first frame after ready ms",
        "slowest interaction ms: median (< 200) / max",
    ]
    return "\n".join(
        [
            "### 4. Reports (report.html in headless Chromium)",
            "",
            f"{res['repeats']} repeats per interaction. Machine: " + _machine(record) + ".",
            "",
            _table(header, rows),
            "",
            "What the page's embedded data is made of: " + "; ".join(sizes_notes) + ".",
            "",
            _table(
                [
                    "endpoints",
                    "interaction (the page's own filter UI)",
                    "handler ms",
                    "apply ms median / max",
                    "undo ms median / max",
                    "apply main thread ms: script / style / layout / all",
                ],
                detail_rows,
            ),
        ]
    )


SECTIONS = {
    "scan": scan_section,
    "custodian": custodian_section,
    "evaluation": evaluation_section,
    "reports": reports_section,
}


def render(results: dict[str, dict[str, Any]]) -> str:
    """Every available result as Markdown, in benchmark order; failed runs say so."""
    parts = []
    for name, section in SECTIONS.items():
        record = results.get(name)
        if record is None:
            continue
        if "results" not in record:
            parts.append(f"### {name}\n\nThe last run failed:\n\n```\n{record.get('error', '?')[-800:]}\n```")
            continue
        parts.append(section(record))
    return "\n\n".join(parts) + "\n"
