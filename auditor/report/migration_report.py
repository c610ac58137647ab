"""The migration report (docs/migration.md) in three formats: ``migration.json``, ``migration.csv`` and
``migration.html``.

Per endpoint and monitor type: what Model Monitor provides today, what the replacement provides, what
deleting the schedules now would lose, and the monthly cost deleting them would save; then the cost of
every schedule with the factors of its estimate, the totals per account, endpoint and monitor type, and
the wasted cost, with where the prices came from. Pure functions of the ``EvaluationResult`` (its
``cost`` and ``migration`` views, computed by the engine from the inventory). The HTML page runs no
script and loads nothing; its one inline style is allowed by its SHA-256 in the Content-Security-Policy.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from html import escape
from typing import Any

from auditor.inventory.codec import to_jsonable
from auditor.inventory.cost import CostView
from auditor.inventory.migration import MigrationView
from auditor.report.csv_report import guard_cell
from auditor.report.encoding import json_text, utf8
from auditor.report.text import safe_text
from auditor.results import EvaluationResult

CSV_COLUMNS = (
    "account_id",
    "region",
    "endpoint_name",
    "endpoint_status",
    "monitor_type",
    "schedules",
    "model_monitor_provides",
    "actionable_alarms",
    "replacement_provides",
    "lost_if_deleted_now",
    "monthly_saving_usd",
    "saving_note",
    "waste",
)


def _views(result: EvaluationResult) -> tuple[CostView, MigrationView]:
    return result.cost or CostView(notes=["no cost view in this result"]), result.migration or MigrationView()


def render_json(result: EvaluationResult) -> bytes:
    """migration.json: the migration rows and the cost view, keys sorted."""
    cost, migration = _views(result)
    document: dict[str, Any] = {
        "generated_at": result.generated_at,
        "tool_version": result.tool_version,
        "inventory_digest": result.inventory_digest,
        "migration": to_jsonable(migration),
        "cost": to_jsonable(cost),
    }
    return utf8(json_text(document))


def _usd(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def render_csv(result: EvaluationResult) -> bytes:
    """migration.csv: one row per (endpoint, monitor type); list cells joined with `` | ``."""
    _, migration = _views(result)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in migration.rows:
        cells = (
            row.account_id,
            row.region,
            row.endpoint_name,
            row.endpoint_status or "missing",
            row.monitor_type,
            " | ".join(row.schedules),
            " | ".join(row.model_monitor),
            str(row.actionable_alarms),
            row.replacement,
            " | ".join(row.lost_if_deleted),
            _usd(row.monthly_saving_usd),
            row.saving_note,
            row.waste or "",
        )
        writer.writerow([guard_cell(safe_text(c)) for c in cells])
    return utf8(out.getvalue())


_CSS = (
    "body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1b1b}"
    "table{border-collapse:collapse;margin:.5rem 0 1.5rem}"
    "th,td{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;text-align:left}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "tr.waste{background:#fff4e5}ul{margin:0;padding-left:1.1rem}"
)


def _t(value: object) -> str:
    return escape(safe_text(str(value)), quote=True)


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{_t(i)}</li>" for i in items) + "</ul>"


def _totals(title: str, totals: dict[str, float], key: str) -> str:
    rows = "".join(
        f'<tr data-{key}="{_t(k)}"><td>{_t(k)}</td><td class="num">{_usd(v)}</td></tr>'
        for k, v in sorted(totals.items())
    )
    return f"<h3>{_t(title)}</h3><table><tr><th>{_t(key)}</th><th>USD / month</th></tr>{rows}</table>"


def render_text(result: EvaluationResult) -> str:
    """migration.html as text."""
    cost, migration = _views(result)
    style_hash = base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()
    csp = f"default-src 'none'; style-src 'sha256-{style_hash}'"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        "<title>Migrating off Model Monitor</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Migrating off Model Monitor</h1>",
        f"<p>Generated {_t(result.generated_at)} by mm-auditor {_t(result.tool_version)}.</p>",
        '<section id="summary"><h2>Summary</h2><table>',
        "<tr><th>Monthly cost of every estimated schedule (USD)</th>",
        f'<td class="num" id="total">{_usd(cost.total_usd)}</td></tr>',
        f'<tr><th>of which wasted (USD)</th><td class="num" id="wasted">{_usd(cost.wasted_usd)}</td></tr>',
        f'<tr><th>Saving if every schedule were deleted (USD / month)</th><td class="num" id="saving">'
        f"{_usd(migration.total_saving_usd)}</td></tr>",
        f'<tr><th>Endpoint / type pairs that would lose monitoring</th><td class="num" id="losing">'
        f"{migration.rows_with_loss}</td></tr>",
        f'<tr><th>Schedules not estimated</th><td class="num" id="unestimated">{cost.unestimated}</td></tr>',
        f"<tr><th>Prices from</th><td>{_t(', '.join(cost.price_sources) or 'none')}</td></tr>",
        "</table>",
    ]
    if cost.notes:
        parts.append(
            '<h3>Notes</h3><ul id="notes">' + "".join(f"<li>{_t(n)}</li>" for n in cost.notes) + "</ul>"
        )
    parts.append("</section>")
    parts.append(
        '<section id="migration"><h2>Per endpoint and monitor type</h2><table>'
        "<tr><th>Endpoint</th><th>Type</th><th>Model Monitor provides</th><th>Replacement provides</th>"
        "<th>Lost if deleted now</th><th>Saving USD / month</th></tr>"
    )
    for row in migration.rows:
        where = f"{row.account_id} / {row.region} / {row.endpoint_name}"
        status = row.endpoint_status or "endpoint missing"
        parts.append(
            f'<tr class="{"waste" if row.waste else "keep"}" data-endpoint="{_t(row.endpoint_name)}" '
            f'data-type="{_t(row.monitor_type)}">'
            f"<td>{_t(where)}<br>({_t(status)})</td><td>{_t(row.monitor_type)}</td>"
            f"<td>{_list(row.model_monitor)}</td><td>{_t(row.replacement)}</td>"
            f"<td>{_list(row.lost_if_deleted)}</td>"
            f'<td class="num">{_usd(row.monthly_saving_usd) or "not estimated"}'
            f"{'<br>' + _t(row.saving_note) if row.saving_note else ''}</td></tr>"
        )
    parts.append("</table></section>")
    parts.append(
        '<section id="cost"><h2>Cost of each schedule</h2><p>USD per month = price per instance-hour × '
        "instances × runs per 730-hour month × mean run hours.</p><table>"
        "<tr><th>Schedule</th><th>Runs / month</th><th>Mean run (s)</th><th>Instances</th>"
        "<th>USD / hour</th><th>USD / month</th><th>Wasted</th></tr>"
    )
    for c in cost.monitors:
        runs = f"{c.runs_per_month:.2f}" if c.runs_per_month is not None else "?"
        seconds = f"{c.mean_run_seconds:.0f}" if c.mean_run_seconds is not None else "?"
        monthly = _usd(c.monthly_usd) or f"not estimated: {c.note}"
        parts.append(
            f'<tr data-schedule="{_t(c.monitor_name)}"><td>{_t(c.monitor_name)}<br>{_t(c.account_id)} / '
            f"{_t(c.region)}</td><td>{runs}<br>{_t(c.runs_basis)}</td><td>{seconds}<br>{_t(c.duration_basis)}"
            f"</td><td>{_t(c.instance_count or '?')} × {_t(c.instance_type or '?')}</td>"
            f'<td class="num">{_usd(c.usd_per_hour) or "?"}<br>{_t(c.price_source or "")}</td>'
            f'<td class="num">{_t(monthly)}{" (upper bound)" if c.upper_bound else ""}</td>'
            f"<td>{_t(c.waste or '')}</td></tr>"
        )
    parts.append("</table>")
    parts.append(_totals("Per account", cost.by_account, "account"))
    parts.append(_totals("Per endpoint", cost.by_endpoint, "endpoint"))
    parts.append(_totals("Per monitor type", cost.by_monitor_type, "type"))
    parts.append(_totals("Wasted, by reason", cost.wasted_by_reason, "reason"))
    parts.append("</section></body></html>\n")
    return "\n".join(parts)


def render_html(result: EvaluationResult) -> bytes:
    """migration.html bytes."""
    return utf8(render_text(result))
