"""report.json: every verdict, the run metadata and the summaries, schema-versioned and deterministic.

The document is the ``EvaluationResult`` (serialized by the inventory codec) plus a ``summary``
block computed by ``summary.summarize``. Keys are sorted and every list has a stable order, so the
same inventory, policies and waivers give identical bytes apart from ``generated_at``.
The published schema ``report.schema.json`` is derived from ``auditor/results.py`` and
``summary.Summary``; a test keeps the file equal to ``derived_schema()``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from auditor import jsonstream
from auditor.errors import InputError
from auditor.fileio import read_text
from auditor.inventory.codec import DecodeError, from_jsonable, json_schema, to_jsonable
from auditor.report.encoding import json_text
from auditor.report.summary import Summary, ordered_findings, summarize
from auditor.results import RESULTS_SCHEMA_VERSION, EvaluationResult
from auditor.schemas import packaged_schema, parse_versioned_json

SCHEMA_ID = f"https://mm-auditor.dev/schemas/report-{RESULTS_SCHEMA_VERSION}.json"
SCHEMA_FILE = "report.schema.json"


def derived_schema() -> dict[str, Any]:
    """The report.json JSON Schema, derived from ``EvaluationResult`` and ``Summary``."""
    schema = json_schema(EvaluationResult, schema_id=SCHEMA_ID, title="Model Monitor auditor report")
    summary_defs = json_schema(Summary, schema_id=SCHEMA_ID, title="summary")["$defs"]
    schema["$defs"] = dict(sorted({**schema["$defs"], **summary_defs}.items()))
    root = schema["$defs"]["EvaluationResult"]
    root["properties"]["schema_version"] = {"const": RESULTS_SCHEMA_VERSION}
    root["properties"]["summary"] = {"$ref": "#/$defs/Summary"}
    root["required"] = [*root["required"], "summary"]
    return schema


def published_schema() -> dict[str, Any]:
    """The schema file shipped in the package."""
    return packaged_schema("auditor.report", SCHEMA_FILE)


def _finding_key(f: dict[str, Any]) -> tuple[str, ...]:
    return (f["policy_id"], f["resource_arn"], f["account_id"], f["region"], f["verdict"])


def _stable_order(data: dict[str, Any]) -> None:
    """Sort every list of the serialized result in place by a natural identity."""
    data["findings"].sort(key=_finding_key)
    data["coverage"].sort(key=lambda r: (r["account_id"], r["region"], r["endpoint_arn"]))
    _order_small_lists(data)
    baseline = data.get("baseline")
    if baseline is not None:
        for key in ("new", "resolved", "still_failing", "regressed"):
            baseline[key].sort(key=_finding_key)


def _order_small_lists(data: dict[str, Any]) -> None:
    """The lists besides the findings, the coverage rows and the baseline's findings."""
    data["policies"].sort(key=lambda p: p["id"])
    data["waivers"].sort(key=lambda w: (w["waiver_id"], w["policy_id"], w["selector"]))
    data["targets"].sort(key=lambda t: (t["account_id"], t["region"]))
    data["scan_errors"].sort(key=lambda e: json.dumps(e, sort_keys=True))
    scan = data["scan"]
    scan["accounts"].sort()
    scan["regions"].sort()
    scan["identities"].sort(key=lambda i: (i["account_id"], i["arn"]))


def to_document(result: EvaluationResult) -> dict[str, Any]:
    """The report.json document as JSON-compatible data (stable order, summary included)."""
    data: dict[str, Any] = to_jsonable(result)
    _stable_order(data)
    data["summary"] = to_jsonable(summarize(result))
    return data


def render(result: EvaluationResult) -> bytes:
    """report.json bytes: sorted keys, two-space indent, UTF-8, final newline."""
    return (json_text(to_document(result)) + "\n").encode("utf-8")


# The views with a row per monitor, schedule or alert: as long as the findings at scale.
_VIEWS = ("cost", "migration", "monitoring_alerts", "history")
_LONG = 64  # a list of more records than this is converted as it is written


def _lazy(value: Any) -> Any:
    """``to_jsonable(value)``, with each long list left to be converted as it is written, and each short
    list of records written record by record (a record may hold a long list: a framework requirement's
    failing resources)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _lazy(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list) and len(value) > _LONG:
        return jsonstream.Items(value, to_jsonable)
    if isinstance(value, list) and any(dataclasses.is_dataclass(v) for v in value):
        return jsonstream.Items(value, _lazy, nested=True)
    return to_jsonable(value)


def _streamed(result: EvaluationResult) -> dict[str, Any]:
    """``to_document`` with the findings, the coverage rows and the baseline's lists converted one
    at a time as they are written (the same order: every sort key is a field of the record)."""
    data: dict[str, Any] = {}
    for f in dataclasses.fields(result):
        value = getattr(result, f.name)
        if f.name == "findings":
            data[f.name] = jsonstream.Items(ordered_findings(value), to_jsonable)
        elif f.name == "coverage":
            rows = sorted(value, key=lambda r: (r.account_id, r.region, r.endpoint_arn))
            data[f.name] = jsonstream.Items(rows, to_jsonable)
        elif f.name == "baseline" and value is not None:
            baseline = {b.name: getattr(value, b.name) for b in dataclasses.fields(value)}
            data[f.name] = {
                key: jsonstream.Items(ordered_findings(item), to_jsonable)
                if key in ("new", "resolved", "still_failing", "regressed")
                else to_jsonable(item)
                for key, item in baseline.items()
            }
        elif f.name in _VIEWS or f.name == "frameworks":  # a framework lists every failing resource
            data[f.name] = _lazy(value)
        else:
            data[f.name] = to_jsonable(value)
    _order_small_lists(data)
    data["summary"] = to_jsonable(summarize(result))
    return data


def write(result: EvaluationResult, path: Path) -> None:
    """Write report.json (the bytes of ``render``) in pieces: one finding's JSON at a time."""
    jsonstream.write(path, _streamed(result), ascii_fallback=True)


def loads_report(text: str, source: str = "<report>") -> EvaluationResult:
    """Parse and validate a report.json; any problem raises InputError naming ``source`` and the field."""
    data = parse_versioned_json(
        text, source, kind="report", version=RESULTS_SCHEMA_VERSION, schema=published_schema()
    )
    data.pop("summary")
    try:
        return from_jsonable(EvaluationResult, data)
    except DecodeError as exc:
        raise InputError(source, exc.message, location=exc.path) from None


def load_report(path: Path) -> EvaluationResult:
    """Load a report.json written by this auditor (validated against the published schema)."""
    return loads_report(read_text(path), str(path))
