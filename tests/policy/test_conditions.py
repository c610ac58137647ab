"""The condition language's semantics, operator by operator."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.errors import InputError
from auditor.inventory.model import Dataset
from auditor.policy.conditions import (
    CompileContext,
    Parameter,
    compile_condition,
    parse_duration,
    parse_timestamp,
)
from auditor.policy.documents import document_types
from auditor.policy.messages import compile_template
from auditor.policy.paths import PathError, compile_path
from auditor.policy.yamlsrc import SourceMap
from auditor.results import ResourceKind

AS_OF = parse_timestamp("2026-11-27T12:00:00Z") or 0.0
ENDPOINT = document_types()[ResourceKind.ENDPOINT]


def _ctx(params: dict[str, Parameter] | None = None) -> CompileContext:
    params = params or {}
    return CompileContext(SourceMap("<t>"), params, {n: p.default for n, p in params.items()})


def holds(condition: dict[str, Any], doc: dict[str, Any], params: dict[str, Parameter] | None = None) -> bool:
    return compile_condition(condition, _ctx(params), ENDPOINT, ("check",))(doc, AS_OF)


DOC = {
    "name": "churn",
    "status": "InService",
    "tags": {"environment": "production"},
    "creation_time": "2026-11-27T06:00:00Z",
    "data_capture": {
        "enabled": True,
        "current_sampling_percentage": 20,
        "capture_options": ["Input", "Output"],
    },
    "monitors": [
        {"monitor_type": "DataQuality", "status": "Stopped", "alarms": []},
        {"monitor_type": "ModelQuality", "status": "Scheduled", "alarms": [{"actions_enabled": True}]},
    ],
}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"path": "status", "equals": "InService"}, True),
        ({"path": "status", "not_equals": "InService"}, False),
        ({"path": "status", "in": ["InService", "Updating"]}, True),
        ({"path": "status", "not_in": ["InService"]}, False),
        ({"path": "name", "regex": "^chu"}, True),
        ({"path": "data_capture.kms_key_id", "exists": False}, True),
        ({"path": "data_capture.kms_key_id", "exists": True}, False),
        ({"path": "data_capture.current_sampling_percentage", "gte": 20, "lt": 21}, True),
        ({"path": "data_capture.current_sampling_percentage", "gt": 20}, False),
        ({"path": "data_capture.kms_key_id", "gt": 0}, False),  # null never satisfies a numeric comparison
        ({"path": "data_capture.kms_key_id", "lte": 0}, False),
        ({"path": "data_capture.enabled", "equals": 1}, False),  # a boolean never equals a number
        ({"path": "data_capture.capture_options", "contains": "Output"}, True),
        ({"path": "tags", "key": "environment", "equals": "production"}, True),
        ({"path": "tags", "key": "owner", "exists": True}, False),
        ({"some": "monitors", "where": {"path": "status", "equals": "Scheduled"}}, True),
        ({"every": "monitors", "where": {"path": "status", "equals": "Scheduled"}}, False),
        ({"none": "monitors", "where": {"path": "monitor_type", "equals": "ModelBias"}}, True),
        ({"every": "monitors[?monitor_type=='ModelBias']", "where": {"path": "status", "equals": "x"}}, True),
        ({"some": "monitors[].alarms[]", "where": {"path": "actions_enabled", "equals": True}}, True),
        ({"count": "monitors", "equals": 2}, True),
        ({"count": "monitors", "where": {"path": "status", "equals": "Scheduled"}, "gte": 2}, False),
        (
            {"all": [{"path": "status", "equals": "InService"}, {"not": {"path": "name", "equals": "x"}}]},
            True,
        ),
        ({"any": [{"path": "status", "equals": "x"}, {"path": "name", "equals": "x"}]}, False),
        ({"age": "creation_time", "gt": "PT5H", "lt": "PT7H"}, True),
        ({"age": "creation_time", "lt": 3600}, False),
        ({"age": "last_modified_time", "lt": "P1D"}, False),  # missing timestamp: the age check fails
        ({"path": "length(monitors)", "equals": 2}, True),
    ],
)
def test_operator(condition: dict[str, Any], expected: bool) -> None:
    assert holds(condition, DOC) is expected


def test_parameters_and_products() -> None:
    params = {
        "multiple": Parameter("multiple", "number", 2),
        "tag_key": Parameter("tag_key", "string", "environment"),
        "values": Parameter("values", "string_list", ["production"]),
        "window": Parameter("window", "duration", "PT7H"),
    }
    doc = {**DOC, "interval_seconds": 3600 * 3}
    assert holds({"path": "tags", "key": {"param": "tag_key"}, "in": {"param": "values"}}, doc, params)
    assert holds({"age": "creation_time", "lt": {"param": "window"}}, doc, params)
    # A factor that is not a number (here a name) leaves the bound unknown: the check fails, never passes.
    assert not holds(
        {"age": "creation_time", "lt": {"times": [{"param": "multiple"}, {"path": "name"}]}}, doc, params
    )
    monitor_type = document_types()[ResourceKind.MONITOR]
    cond = compile_condition(
        {"age": "creation_time", "lte": {"times": [{"param": "multiple"}, {"path": "interval_seconds"}]}},
        _ctx(params),
        monitor_type,
        ("check",),
    )
    assert cond({"creation_time": "2026-11-27T06:00:00Z", "interval_seconds": 3 * 3600}, AS_OF)
    assert not cond({"creation_time": "2026-11-27T06:00:00Z", "interval_seconds": 3600}, AS_OF)
    assert not cond({"creation_time": "2026-11-27T06:00:00Z", "interval_seconds": None}, AS_OF)


def test_durations() -> None:
    assert parse_duration("PT6H") == 21600
    assert parse_duration("P1DT30M") == 86400 + 1800
    assert parse_duration("P2W") == 14 * 86400
    for bad in ("P1Y", "P1M", "PT", "6h", "P"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_datasets_are_derived_from_paths() -> None:
    def datasets(expr: str, kind: ResourceKind = ResourceKind.ENDPOINT) -> set[Dataset]:
        return set(compile_path(expr, document_types()[kind]).datasets)

    assert datasets("status") == {Dataset.ENDPOINTS}
    assert datasets("tags") == {Dataset.ENDPOINTS, Dataset.TAGS}
    assert Dataset.ENDPOINT_CONFIGS in datasets("data_capture.capture_options")
    assert Dataset.ENDPOINT_CONFIGS not in datasets("data_capture.capture_status")
    assert datasets("monitors[].job_definition.ground_truth_s3_uri") == {
        Dataset.ENDPOINTS,
        Dataset.MONITORS,
        Dataset.JOB_DEFINITIONS,
    }
    assert Dataset.ALARMS in datasets("monitors[].alarms[].state")
    assert datasets("endpoint.status", ResourceKind.MONITOR) == {Dataset.MONITORS, Dataset.ENDPOINTS}
    assert datasets("raw.Anything.Goes", ResourceKind.MONITOR) == {Dataset.MONITORS}


def test_paths_of_three_or_more_fields_are_walked_to_the_end() -> None:
    """jmespath 1.1 parses ``a.b.c`` as one subexpression with three children: every level counts, for
    the value, the type check and the datasets (only the first two did)."""
    monitor = document_types()[ResourceKind.MONITOR]
    path = compile_path("endpoint.data_capture.capture_options", monitor)
    doc = {"endpoint": {"data_capture": {"capture_options": ["Input"], "enabled": True}}}
    assert path.get(doc) == ["Input"]
    assert Dataset.ENDPOINT_CONFIGS in path.datasets
    with pytest.raises(PathError, match="unknown field 'nonexistent' on DataCapture"):
        compile_path("endpoint.data_capture.nonexistent", monitor)
    holds = compile_condition(
        {"path": "endpoint.data_capture.enabled", "not_equals": True}, _ctx(), monitor, ("check",)
    )
    assert holds({"endpoint": {"data_capture": {"enabled": False}}}, AS_OF)
    assert not holds({"endpoint": {"data_capture": {"enabled": True}}}, AS_OF)


def test_quantifier_where_datasets_count() -> None:
    ctx = _ctx()
    compile_condition(
        {"some": "monitors", "where": {"path": "job_definition.problem_type", "exists": True}},
        ctx,
        ENDPOINT,
        ("check",),
    )
    assert ctx.datasets == {Dataset.ENDPOINTS, Dataset.MONITORS, Dataset.JOB_DEFINITIONS}


def test_template_rendering() -> None:
    ctx = _ctx({"pct": Parameter("pct", "number", 20)})
    template = compile_template(
        "need ≥ ${param.pct}%; found ${monitors[].[monitor_type, status]} "
        "kms=${data_capture.kms_key_id} on=${data_capture.enabled}",
        ctx,
        ENDPOINT,
        ("message",),
    )
    assert (
        template.render(DOC)
        == "need ≥ 20%; found DataQuality/Stopped, ModelQuality/Scheduled kms=none on=true"
    )
    with pytest.raises(InputError, match="unknown parameter 'nope'"):
        compile_template("${param.nope}", ctx, ENDPOINT, ("message",))
