"""report.html: one self-contained page for a risk officer, safe with hostile resource names.

- Rendered by a Jinja2 template with autoescape on; CSS and JS are inlined and allowed by a
  Content-Security-Policy that lists their SHA-256 hashes (no ``unsafe-inline``, nothing fetched).
- The bulky parts (findings, coverage matrix) travel as JSON in a ``<script type="application/json">``
  block with ``<``, ``>`` and ``&`` escaped as ``\\u003c`` etc., so no value can close the element;
  the page's script renders them with ``textContent`` only, a page at a time.
- Strings are interned in one table so 100k findings over 5,000 endpoints stay a few megabytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from functools import cache, partial
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

import jinja2
from markupsafe import Markup

from auditor.fileio import write_atomic_with
from auditor.inventory.model import DatasetStatus
from auditor.report.console_links import console_link, encode_name
from auditor.report.encoding import utf8
from auditor.report.history_charts import charts as history_charts
from auditor.report.priority import places, top_to_fix
from auditor.report.summary import GroupSummary, format_percent, ordered_findings, summarize
from auditor.report.text import safe_text
from auditor.results import (
    CellState,
    CoverageCell,
    CoverageColumn,
    CoverageRow,
    EvaluationResult,
    Finding,
    FindingHistory,
    LifecycleStatus,
    PolicyInfo,
    ResourceKind,
    Severity,
    Verdict,
)

CHANGE_CAP = 500  # rows per "since last run" list; the rest is in report.json
SCAN_ERROR_CAP = 1000
ALERT_ROW_CAP = 500  # Model Monitor alert rows (InAlert first); the rest is in report.json
_FLUSH_CHARS = 1 << 18  # page data gathered before it is encoded and written
FIX_FIRST_CAP = 25  # failing resources in "Fix these first"; the findings table has them all
UNCHECKED_CAP = 10  # resources in "Could not check"
PLACES_CAP = 100  # (account, region) rows in the breakdown

STATE_SYMBOLS = {
    CellState.OK: "\u2713",  # check mark
    CellState.DEGRADED: "!",
    CellState.MISSING: "\u2717",  # ballot x
    CellState.NOT_APPLICABLE: "\u2013",  # en dash
    CellState.UNKNOWN: "?",
}
STATE_LABELS = {
    CellState.OK: "in place",
    CellState.DEGRADED: "broken",
    CellState.MISSING: "missing",
    CellState.NOT_APPLICABLE: "not applicable",
    CellState.UNKNOWN: "unknown",
}
STATE_HELP = {
    CellState.OK: "present and working",
    CellState.DEGRADED: "present but a check on it failed (stopped, failing, no metrics, no alarm action)",
    CellState.MISSING: "not set up",
    CellState.NOT_APPLICABLE: "no policy requires it here, or it cannot apply to this kind of endpoint",
    CellState.UNKNOWN: "could not be read; see scan errors",
}
VERDICT_LABELS = {
    Verdict.PASS: "Passed",
    Verdict.FAIL: "Failed",
    Verdict.ERROR: "Could not check",
    Verdict.WAIVED: "Waived",
    Verdict.NOT_APPLICABLE: "Not applicable",
}
WAIVER_CLASS = {"active": "WAIVED", "expired": "FAIL", "unused": "NOT_APPLICABLE"}
KIND_LABELS = {
    ResourceKind.ENDPOINT: "endpoint",
    ResourceKind.MONITOR: "schedule",
    ResourceKind.JOB_DEFINITION: "job definition",
    ResourceKind.ALARM: "alarm",
    ResourceKind.TARGET: "account / region",
}


def _shown(value: Any) -> Any:
    """Every ``{{ value }}`` of the template: text from the estate is shown as ``safe_text`` shows it."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return safe_text(value, newlines=True)
    return value


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("auditor.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_shown,
    )


@cache
def _asset(name: str) -> str:
    return resources.files("auditor.report").joinpath("templates", name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def content_security_policy(css: str, js: str) -> str:
    """The page's CSP: nothing but the inline style and script with exactly these contents."""
    return (
        f"default-src 'none'; script-src {_csp_hash(js)}; style-src {_csp_hash(css)}; "
        "img-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )


def _script_safe(text: str) -> str:
    # A lone surrogate (valid in a Python str, possible in AWS JSON) crashes Chromium's renderer
    # when shown as text; page strings arrive escaped by safe_text, and "?" covers anything else.
    # Every replacement is of one character, so pieces of a text give the pieces of its result.
    text = utf8(text).decode("utf-8")
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _script_json_pieces(data: dict[str, Any]) -> Iterator[str]:
    """``data`` as JSON safe inside a ``<script>`` element (no ``<``, ``>`` or ``&`` can end or confuse
    it), in pieces: the long lists of ``page_data`` one element at a time."""
    dump = partial(json.dumps, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for i, key in enumerate(sorted(data)):
        value = data[key]
        yield ("{" if i == 0 else ",") + dump(key) + ":"
        if isinstance(value, list | _Rows):
            for j, item in enumerate(value):
                yield _script_safe(("[" if j == 0 else ",") + dump(item))
            yield "]" if len(value) else "[]"
        else:
            yield _script_safe(dump(value))
    yield "}" if data else "{}"


class _Rows:
    """A long list of page data made on demand each time it is iterated (``page_data``'s findings and
    its string table)."""

    def __init__(self, make: Callable[[], Iterator[Any]], count: Callable[[], int]) -> None:
        self._make = make
        self._count = count  # asked when needed: the string table still grows after it is handed out

    def __iter__(self) -> Iterator[Any]:
        return self._make()

    def __len__(self) -> int:
        return self._count()

    def __eq__(self, other: object) -> bool:
        return list(self) == other

    __hash__ = None  # type: ignore[assignment]


class _Strings:
    """A string table: each distinct string is stored once (as ``safe_text`` shows it) and referred to
    by index. A long text made from other data (a coverage row's joined notes) is held as a digest and
    made again when the table is written (``later``)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        # Digests of the texts of ``later`` (apart: a bytes key would turn ``index`` into a general dict,
        # half as large again).
        self.digests: dict[bytes, int] = {}
        self.values: list[str | Callable[[], str]] = []

    def __call__(self, value: str) -> int:
        found = self.index.get(value)
        if found is None:
            shown = safe_text(value, newlines=True)
            found = self.index.get(shown)
            if found is None:
                found = len(self.values)
                self.values.append(shown)
                self.index[shown] = found
            self.index[value] = found
        return found

    def optional(self, value: str) -> int:
        return self(value) if value else -1

    def later(self, make: Callable[[], str]) -> int:
        """``optional(make())`` without keeping the text: at 100,000 endpoints the coverage rows' joined
        notes alone were hundreds of megabytes while the page was written. Texts are told apart by a
        digest (a later plain string equal to one of these gets an entry of its own: same page)."""
        text = make()
        if not text:
            return -1
        shown = safe_text(text, newlines=True)
        found = self.index.get(text, self.index.get(shown))
        if found is None:
            key = hashlib.blake2b(shown.encode("utf-8", "surrogatepass"), digest_size=16).digest()
            found = self.digests.get(key)
            if found is None:
                found = self.digests[key] = len(self.values)
                self.values.append(lambda: safe_text(make(), newlines=True))
        return found

    def table(self) -> _Rows:
        """The strings in index order, the deferred ones made as they are reached."""
        values = self.values
        return _Rows(lambda: (v if isinstance(v, str) else v() for v in values), values.__len__)


def _waiver_text(f: Finding) -> str:
    if f.waiver is None:
        return ""
    w = f.waiver
    state = "expired" if w.expired else "active"
    return f"{w.waiver_id} ({state}, owner {w.owner}, expires {w.expires}): {w.reason}"


def _tags_text(tags: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(tags.items()))


def _console_template(strings: _Strings, arn: str, name: str) -> int:
    """The string index of the resource's console URL template, or -1 (no link; see console_links).

    The page fills ``{name}`` with the shown name, so only a link whose name is that name is given.
    """
    link = console_link(arn)
    return strings(link.template) if link is not None and link.name == name else -1


def page_data(result: EvaluationResult) -> dict[str, Any]:
    """The data the page's script renders: findings and coverage rows as index arrays.

    A finding row is ``[policy, verdict, resource, message]`` plus ``[severity, waiver]`` only where
    the severity is not the policy's or a waiver applies; a resource row is
    ``[arn, name, account, region, tags, kind, console]``; a coverage row is ``[name, arn, account,
    region, kind, cells, notes, console, chain]`` where ``chain`` lists the resource rows of the
    endpoint and of the monitors, job definitions and alarms linked to it; ``console`` is a console
    URL template (``{name}`` stands for the encoded resource name) or -1; strings are indexes into
    ``strings``.
    """
    strings = _Strings()
    severities = [s.value for s in sorted(Severity, key=lambda s: -s.rank)]
    verdicts = [v.value for v in Verdict]
    states = [c.value for c in CellState]
    kinds = [k.value for k in ResourceKind]
    findings = ordered_findings(result.findings)
    policy_ids = sorted({p.id for p in result.policies} | {f.policy_id for f in findings})
    known = {p.id: p for p in result.policies}
    policies = []
    for pid in policy_ids:
        p = known.get(pid)
        policies.append(
            {
                "id": pid,
                "title": p.title if p else pid,
                "severity": p.severity.value if p else "info",
                "remediation": p.remediation if p else "",
            }
        )
    policy_index = {pid: i for i, pid in enumerate(policy_ids)}
    sev_index = {s: i for i, s in enumerate(severities)}
    verdict_index = {v: i for i, v in enumerate(verdicts)}
    # A resource is described once and findings refer to it: most findings share their resource with
    # a dozen others, so this keeps the page small at 5,000 endpoints (benchmarks/README.md).
    resource_index: dict[str, int] = {}
    resources: list[list[int]] = []

    def finding_rows() -> Iterator[list[int]]:
        """The finding rows, one at a time (never all held: at 100,000 endpoints they are millions).
        The first pass below interns every string and resource; a later pass (while writing) makes
        the same rows again from the tables, so the indexes are those of the first pass."""
        for f in findings:
            res = resource_index.get(f.resource_arn)
            if res is None:
                res = resource_index[f.resource_arn] = len(resources)
                resources.append(
                    [
                        strings(f.resource_arn),
                        strings(f.resource_name),
                        strings(f.account_id),
                        strings(f.region),
                        strings.optional(_tags_text(f.tags)),
                        kinds.index(f.resource_kind.value),
                        _console_template(strings, f.resource_arn, f.resource_name),
                    ]
                )
            row = [policy_index[f.policy_id], verdict_index[f.verdict.value], res, strings(f.message)]
            # Optional tail, only where it differs from the common case: the severity (when a rule
            # lowered the policy's) and the waiver.
            waiver = strings.optional(_waiver_text(f))
            default_severity = known[f.policy_id].severity if f.policy_id in known else None
            if waiver >= 0 or f.severity is not default_severity:
                row += [sev_index[f.severity.value], waiver]
            yield row

    for _ in finding_rows():
        pass
    columns = result.coverage_columns
    coverage = [
        [
            strings(c.endpoint_name),
            strings(c.endpoint_arn),
            strings(c.account_id),
            strings(c.region),
            strings(c.kind),
            [states.index(_cell(c, col.id).state.value) for col in columns],
            strings.later(partial(_joined_notes, c, columns)),
            _console_template(strings, c.endpoint_arn, c.endpoint_name),
            [resource_index[a] for a in (c.endpoint_arn, *c.chain_arns) if a in resource_index],
        ]
        for c in sorted(
            result.coverage, key=lambda c: (c.account_id, c.region, c.endpoint_name, c.endpoint_arn)
        )
    ]
    lifecycle = _lifecycle_texts(result)
    return {
        "strings": strings.table(),
        # Per finding row: the index of its history text ("failing for 23 days"), -1 for none.
        "lifecycle": [strings.optional(lifecycle.get((f.policy_id, f.resource_arn), "")) for f in findings]
        if lifecycle
        else [],
        "severities": severities,
        "verdicts": verdicts,
        "states": states,
        "kinds": kinds,
        "state_symbols": {s.value: STATE_SYMBOLS[s] for s in CellState},
        "state_labels": {s.value: STATE_LABELS[s] for s in CellState},
        "policies": policies,
        "resources": resources,
        "findings": _Rows(finding_rows, findings.__len__),
        "coverage": coverage,
    }


_EMPTY_CELL = CoverageCell(CellState.NOT_APPLICABLE)


def _joined_notes(row: CoverageRow, columns: Sequence[CoverageColumn]) -> str:
    return "; ".join(f"{col.title}: {note}" for col in columns for note in _cell(row, col.id).notes)


def _cell(row: CoverageRow, column: str) -> CoverageCell:
    return row.cells.get(column, _EMPTY_CELL)


def view_link(**filters: str) -> str:
    """A link that opens the findings table filtered: ``#view:verdict=FAIL&severity=high`` (the page's
    script applies it, as it does a shared address). Values are as the page shows them, percent-encoded."""
    return "#view:" + "&".join(f"{key}={encode_name(safe_text(value))}" for key, value in filters.items())


def _policy_row_key(group: GroupSummary, policies: dict[str, PolicyInfo]) -> tuple[object, ...]:
    """Policies with failures first, the most severe first; then those that could not be checked."""
    info = policies.get(group.key)
    rank = info.severity.rank if info else 0
    errors = group.verdicts[Verdict.ERROR]
    return (0 if group.failures else 1 if errors else 2, -rank, -group.failures, -errors, group.key)


LIFECYCLE_LABELS = {
    LifecycleStatus.NEW: "new since the last run",
    LifecycleStatus.REGRESSED: "regressed since the last run (it passed)",
    LifecycleStatus.REOPENED: "reopened (it failed before and was resolved)",
    LifecycleStatus.STILL_FAILING: "still failing",
}


def lifecycle_text(h: FindingHistory) -> str:
    """ "failing for 23 days (since 2026-01-05)", "new since the last run", ..."""
    if h.status is LifecycleStatus.STILL_FAILING:
        return f"failing for {h.age_days} day(s) (since {h.open_since[:10]})"
    return LIFECYCLE_LABELS[h.status]


def _lifecycle_texts(result: EvaluationResult) -> dict[tuple[str, str], str]:
    if result.history is None:
        return {}
    return {(h.policy_id, h.resource_arn): lifecycle_text(h) for h in result.history.findings}


def history_context(result: EvaluationResult) -> dict[str, Any] | None:
    """What the history section shows: charts, counts and the changed / resolved / oldest rows."""
    view = result.history
    if view is None:
        return None
    named = {(h.policy_id, h.resource_arn) for h in view.findings}
    by_key = {k: f for f in result.findings if (k := (f.policy_id, f.resource_arn)) in named}
    counts = {s: 0 for s in LifecycleStatus}
    changed: list[dict[str, object]] = []
    still: list[dict[str, object]] = []
    for h in view.findings:
        counts[h.status] += 1
        f = by_key.get((h.policy_id, h.resource_arn))
        if f is None:
            continue
        row: dict[str, object] = {
            "status": LIFECYCLE_LABELS[h.status],
            "severity": f.severity.value,
            "policy_id": f.policy_id,
            "name": f.resource_name,
            "arn": f.resource_arn,
            "account": f.account_id,
            "region": f.region,
            "age": f"{h.age_days} day(s), since {h.open_since[:10]}",
            "days": h.age_days,
        }
        (still if h.status is LifecycleStatus.STILL_FAILING else changed).append(row)
    resolved = [
        {
            "status": f"resolved ({r.now.replace('_', ' ').lower()} now)",
            "severity": r.severity.value,
            "policy_id": r.policy_id,
            "name": r.resource_name,
            "arn": r.resource_arn,
            "account": r.account_id,
            "region": r.region,
            "age": f"had failed {r.open_days} day(s), since {r.open_since[:10]}",
        }
        for r in view.resolved
    ]
    still.sort(key=lambda row: (-int(str(row["days"])), str(row["policy_id"]), str(row["arn"])))
    return {
        "view": view,
        "charts": history_charts(view),
        "counts": {
            "new": counts[LifecycleStatus.NEW],
            "regressed": counts[LifecycleStatus.REGRESSED] + counts[LifecycleStatus.REOPENED],
            "still": counts[LifecycleStatus.STILL_FAILING],
        },
        "oldest": max((h.age_days for h in view.findings), default=None),
        "changed": changed,
        "resolved": resolved,
        "oldest_rows": still[:OLDEST_SHOWN],
    }


OLDEST_SHOWN = 20


def _gaps(result: EvaluationResult) -> list[tuple[str, str, str, str]]:
    return [
        (t.account_id, t.region, dataset.value, status.value.replace("_", " "))
        for t in sorted(result.targets, key=lambda t: (t.account_id, t.region))
        for dataset, status in sorted(t.datasets.items())
        if status is not DatasetStatus.COMPLETE
    ]


def render_text(result: EvaluationResult) -> str:
    """The page as text."""
    return "".join(_template(result, Markup("".join(_script_json_pieces(page_data(result))))))


# Stands for the page data while the page is streamed: autoescape turns every ``<`` of a value into
# ``&lt;``, so no resource name can spell it.
_DATA_MARK = "<page-data/>"


def _template(result: EvaluationResult, data_json: Markup) -> jinja2.environment.TemplateStream:
    """The page's template bound to its context (``data_json`` as given)."""
    css, js = _asset("report.css"), _asset("report.js")
    summary = summarize(result)
    template = _environment().get_template("report.html.j2")
    api_calls = sum(result.scan.api_calls.values())
    policies = {p.id: p for p in result.policies}
    fixes, fix_count = top_to_fix(result, Verdict.FAIL, FIX_FIRST_CAP)
    unchecked, unchecked_count = top_to_fix(result, Verdict.ERROR, UNCHECKED_CAP)
    all_places = places(result)
    return template.stream(
        r=result,
        s=summary,
        compliance=format_percent(summary.compliance_percent),
        pct=format_percent,
        csp=content_security_policy(css, js),
        css=Markup(css),
        js=Markup(js),
        data_json=data_json,
        verdicts=list(Verdict),
        verdict_labels=VERDICT_LABELS,
        states=[s.value for s in CellState],
        state_symbols={s.value: STATE_SYMBOLS[s] for s in CellState},
        state_labels={s.value: STATE_LABELS[s] for s in CellState},
        state_help={s.value: STATE_HELP[s] for s in CellState},
        policies=policies,
        policy_rows=sorted(summary.by_policy, key=lambda g: _policy_row_key(g, policies)),
        fix_items=fixes,
        fix_more=fix_count - FIX_FIRST_CAP,
        error_items=unchecked,
        error_more=unchecked_count - UNCHECKED_CAP,
        places=all_places[:PLACES_CAP],
        places_more=all_places[PLACES_CAP:],
        severities=sorted(Severity, key=lambda s: -s.rank),
        place_verdicts=(Verdict.ERROR, Verdict.WAIVED, Verdict.PASS),
        kind_labels=KIND_LABELS,
        view=view_link,
        waivers=sorted(result.waivers, key=lambda w: (w.status.value, w.waiver_id, w.policy_id)),
        waiver_class=WAIVER_CLASS,
        gaps=_gaps(result),
        alert_rows=result.monitoring_alerts.rows[:ALERT_ROW_CAP] if result.monitoring_alerts else [],
        scan_errors=sorted(
            result.scan_errors,
            key=lambda e: (e.account_id, e.region or "", e.service, e.operation, e.message),
        )[:SCAN_ERROR_CAP],
        api_calls=f"{api_calls} in total" if api_calls else "not recorded",
        change_cap=CHANGE_CAP,
        history=history_context(result),
    )


def render(result: EvaluationResult) -> bytes:
    """report.html bytes (UTF-8)."""
    return utf8(render_text(result))


def write(result: EvaluationResult, path: Path) -> None:
    """Write report.html (the bytes of ``render``) in pieces: the page data one row at a time."""
    data = page_data(result)

    def body(handle: BinaryIO) -> None:
        for piece in _template(result, Markup(_DATA_MARK)):
            before, mark, after = piece.partition(_DATA_MARK)
            handle.write(utf8(before))
            if mark:
                # Gathered up to a size, not a count: a string of the table can be kilobytes long.
                pending: list[str] = []
                size = 0
                for part in _script_json_pieces(data):
                    pending.append(part)
                    size += len(part)
                    if size >= _FLUSH_CHARS:
                        handle.write(utf8("".join(pending)))
                        pending.clear()
                        size = 0
                handle.write(utf8("".join(pending)))
                handle.write(utf8(after))

    write_atomic_with(path, body)
