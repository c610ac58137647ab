"""Policy tests: small inventories with the expected verdict per resource (like ``conftest verify``).

Cases live next to the policy, in a ``cases/`` folder: ``<name>_pass.yaml`` and
``<name>_fail_<why>.yaml``. A case file::

    description: DataQuality monitor scheduled
    policy: mm-data-quality-monitor      # optional when the folder holds one policy
    parameters: {min_sampling_percent: 50}   # optional overrides
    as_of: "2026-11-27T12:00:00Z"        # optional; default: the inventory's finished_at
    inventory:                           # a fragment: defaults fill what is not given
      endpoints: [{name: churn}]
      monitors: [{name: churn-dq, monitor_type: DataQuality, endpoint_name: churn,
                  job_definition_name: churn-dq-jd}]
      job_definitions: [{name: churn-dq-jd, monitor_type: DataQuality}]
      recognisers: []                    # optional: replacement recognisers, as in the config
    expect: {churn: PASS}                # resource name or ARN -> verdict; exactly the verdicts produced
    expect_messages: {churn: "found DataQuality/Scheduled"}   # optional substrings
    expect_severity: {churn: low}        # optional

Fragment defaults: account 111111111111, region us-east-1, ARNs built from names, and the defaults
each kind's descriptor gives (endpoints InService/real_time, monitors Scheduled, alarms OK metric
alarms); a single-metric alarm's metric is also its ``metrics`` entry, as the scanner normalizes it;
one COMPLETE target per (account, region) used. A case declares resources, never links: the
inventory is linked by ``relations.link``, the scanner's own linker (a monitor names its endpoint in
``endpoint_name`` and its job definition in ``job_definition_name``; an alarm watches a monitor when
its metric has the monitor's namespace and its Endpoint and MonitoringSchedule dimensions).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.inventory.codec import DecodeError, from_jsonable
from auditor.inventory.kinds import KINDS
from auditor.inventory.model import Dataset, DatasetStatus, Inventory, ResourceKind
from auditor.inventory.relations import embedded_job_definition_arn, link
from auditor.policy.engine import judge_all, parse_as_of
from auditor.policy.loader import BUILTIN_FRAMEWORKS_DIR, CASES_DIR, builtin_root, read_policy_file
from auditor.policy.model import PolicySpec, compile_policy
from auditor.policy.yamlsrc import SourceMap, load_yaml
from auditor.results import Verdict

DEFAULT_ACCOUNT = "111111111111"
DEFAULT_REGION = "us-east-1"
DEFAULT_FINISHED_AT = "2026-11-27T12:00:00Z"
_CASE_KEYS = {
    "description",
    "policy",
    "parameters",
    "as_of",
    "inventory",
    "expect",
    "expect_messages",
    "expect_severity",
}


@dataclass
class CaseResult:
    policy_id: str
    case: str  # the case file label
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class PolicyCases:
    """A policy and its case files."""

    spec: PolicySpec
    cases: list[tuple[str, Path | Traversable]]


# --------------------------------------------------------------------------- discovery


def discover(paths: Sequence[Path] = (), *, builtin: bool = True) -> list[PolicyCases]:
    """Policies with their cases: the built-in pack, and/or user files or folders."""
    out: list[PolicyCases] = []
    if builtin:
        out.extend(_discover_dir(builtin_root(), "builtin", "builtin"))
    for path in paths:
        if path.is_dir():
            out.extend(_discover_dir(path, str(path), None))
        elif path.is_file():
            specs = read_policy_file(str(path), path, str(path))
            out.extend(_attach(specs, path.parent / CASES_DIR, str(path.parent / CASES_DIR)))
        else:
            raise InputError(str(path), "no such policy file or folder")
    return out


def _discover_dir(root: Path | Traversable, label: str, source: str | None) -> Iterator[PolicyCases]:
    children = sorted(root.iterdir(), key=lambda c: c.name)
    specs: list[PolicySpec] = []
    cases_dir: Path | Traversable | None = None
    for child in children:
        if child.is_dir():
            if child.name == CASES_DIR:
                cases_dir = child
            elif not child.name.startswith((".", "__")) and not (
                label == "builtin" and child.name == BUILTIN_FRAMEWORKS_DIR  # mappings, not policies
            ):
                yield from _discover_dir(child, f"{label}/{child.name}", source)
        elif child.name.endswith((".yaml", ".yml")):
            file_label = f"{label}/{child.name}"
            specs.extend(read_policy_file(file_label, child, source or file_label))
    yield from _attach(specs, cases_dir, f"{label}/{CASES_DIR}")


def _attach(specs: list[PolicySpec], cases_dir: Path | Traversable | None, label: str) -> list[PolicyCases]:
    files: list[tuple[str, Path | Traversable]] = []
    if cases_dir is not None and cases_dir.is_dir():
        files = [
            (f"{label}/{c.name}", c)
            for c in sorted(cases_dir.iterdir(), key=lambda c: c.name)
            if c.name.endswith((".yaml", ".yml"))
        ]
    return [
        PolicyCases(spec, [(lbl, f) for lbl, f in files if _targets(lbl, f, spec, len(specs))])
        for spec in specs
    ]


def _targets(label: str, file: Path | Traversable, spec: PolicySpec, n_specs: int) -> bool:
    data, _ = load_yaml(file.read_text(encoding="utf-8"), label)
    named = data.get("policy") if isinstance(data, dict) else None
    if named is None:
        if n_specs > 1:
            raise InputError(
                label, "several policies share this folder: name one with `policy:`", location="policy"
            )
        return True
    return bool(named == spec.id)


# --------------------------------------------------------------------------- inventory fragments


_LINK_KEYS = {
    "endpoint": "endpoint_name",
    "job_definition": "job_definition_name",
    "alarms": "alarm metrics on the monitor's namespace with its Endpoint and MonitoringSchedule dimensions",
    "replacements": "recognisers, and the alarms and schedules they match",
    "watched_by": "recognisers, and the alarms and schedules they match",
    "replacements_missing": "a target whose schedules dataset failed",
}


def _fragment_items(fragment: dict[str, Any], smap: SourceMap) -> dict[str, list[dict[str, Any]]]:
    """The resources of each kind a fragment declares, with account and region filled in."""
    base = ("inventory",)
    kinds = {spec.inventory_field: spec for spec in KINDS if spec.case_arn is not None}
    data = {k: [dict(x) for x in fragment.get(k) or []] for k in (*kinds, "errors", "targets")}
    extra = sorted(set(fragment) - set(data) - {"finished_at", "recognisers"})
    if extra:
        raise smap.error((*base, extra[0]), f"unknown key {extra[0]!r} in an inventory fragment")
    for key, spec in kinds.items():
        for i, item in enumerate(data[key]):
            if not isinstance(item, dict) or "name" not in item:
                raise smap.error((*base, key, i), "a resource needs a name")
            for link_key, instead in _LINK_KEYS.items():
                if link_key in item:
                    raise smap.error(
                        (*base, key, i, link_key),
                        f"a case declares resources, never links: the scanner's linker resolves them "
                        f"(give {instead})",
                    )
            item.setdefault("account_id", DEFAULT_ACCOUNT)
            item.setdefault("region", DEFAULT_REGION)
            for name, value in spec.case_defaults.items():
                item.setdefault(name, value)
    return data


def _alarm_metrics(alarm: dict[str, Any]) -> None:
    # As the scanner normalizes a single-metric alarm: its metric is also the one entry of `metrics`.
    if "metrics" not in alarm and alarm.get("namespace"):
        alarm["metrics"] = [
            {
                "namespace": alarm["namespace"],
                "metric_name": alarm.get("metric_name"),
                "dimensions": dict(alarm.get("dimensions") or {}),
            }
        ]


def _embedded_arn(definition: dict[str, Any], monitors: list[dict[str, Any]]) -> None:
    # An embedded definition is named after its schedule and has the schedule's synthetic ARN.
    for m in monitors:
        if (m["account_id"], m["region"], m["name"]) == (
            definition["account_id"],
            definition["region"],
            definition["name"],
        ):
            definition.setdefault("arn", embedded_job_definition_arn(m["arn"]))


def build_inventory(fragment: Any, smap: SourceMap) -> Inventory:
    """A full Inventory from a case's fragment (see the module docstring), linked by ``relations.link``:
    the same linker as a scan, so a case cannot pass on an inventory the scanner could never produce."""
    if fragment is None:
        fragment = {}
    if not isinstance(fragment, dict):
        raise smap.error(("inventory",), "inventory must be a mapping")
    data = _fragment_items(fragment, smap)
    for spec in KINDS:  # declaration order: monitors get their ARN before their embedded definitions
        if spec.case_arn is not None:
            for item in data[spec.inventory_field]:
                if spec.kind is ResourceKind.JOB_DEFINITION and item.get("embedded"):
                    _embedded_arn(item, data["monitors"])
                item.setdefault("arn", spec.case_arn(item))
    for alarm in data["alarms"]:
        _alarm_metrics(alarm)

    kinds = [spec.inventory_field for spec in KINDS if spec.case_arn is not None]
    used = {(r["account_id"], r["region"]) for k in kinds for r in data[k]}
    targets = {
        (t.get("account_id", DEFAULT_ACCOUNT), t.get("region", DEFAULT_REGION)): t for t in data["targets"]
    }
    for key in used | ({(DEFAULT_ACCOUNT, DEFAULT_REGION)} if not used and not targets else set()):
        targets.setdefault(key, {})
    for (account, region), t in targets.items():
        t.setdefault("account_id", account)
        t.setdefault("region", region)
        statuses = {d.value: DatasetStatus.COMPLETE.value for d in Dataset}
        statuses.update(t.get("datasets") or {})
        t["datasets"] = statuses
    finished = str(fragment.get("finished_at", DEFAULT_FINISHED_AT))
    inventory = {
        "metadata": {
            "tool_version": "case",
            "started_at": finished,
            "finished_at": finished,
            "accounts": sorted({a for a, _ in targets}),
            "regions": sorted({r for _, r in targets}),
            # the replacement recognisers, as the config declares them (the linker applies them)
            "recognisers": list(fragment.get("recognisers") or []),
        },
        **{k: v for k, v in data.items() if k != "targets"},
        "targets": [targets[k] for k in sorted(targets)],
    }
    try:
        return link(from_jsonable(Inventory, inventory))
    except DecodeError as exc:
        raise smap.error(_decode_location(exc.path), exc.message) from None


def _decode_location(pointer: str) -> tuple[str | int, ...]:
    parts: list[str | int] = ["inventory"]
    for p in pointer.strip("/").split("/"):
        if p:
            parts.append(int(p) if p.isdigit() else p)
    return tuple(parts)


# --------------------------------------------------------------------------- running


def run_case(spec: PolicySpec, label: str, file: Path | Traversable) -> CaseResult:
    """Run one case file against one policy; problems describe every mismatch."""
    data, smap = load_yaml(file.read_text(encoding="utf-8"), label)
    if not isinstance(data, dict):
        raise InputError(label, "a case file must be a mapping")
    extra = sorted(set(data) - _CASE_KEYS)
    if extra:
        raise smap.error((extra[0],), f"unknown key {extra[0]!r} (allowed: {', '.join(sorted(_CASE_KEYS))})")
    expect = data.get("expect")
    if not isinstance(expect, dict) or not expect:
        raise smap.error(("expect",), "expect must map resource names (or ARNs) to verdicts")
    for key, value in expect.items():
        if value not in {v.value for v in Verdict}:
            raise smap.error(
                ("expect", key), f"{value!r} is not a verdict ({', '.join(v.value for v in Verdict)})"
            )
    policy = compile_policy(spec, data.get("parameters"), override_source=label)
    inventory = build_inventory(data.get("inventory"), smap)
    if "as_of" in data:
        as_of = parse_as_of(str(data["as_of"]), label, "as_of")
    else:
        as_of = parse_as_of(inventory.metadata.finished_at, label, "inventory.finished_at")
    findings = judge_all(inventory, [policy], as_of)
    result = CaseResult(spec.id, label)
    actual = {}
    for f in findings:
        key = f.resource_name if f.resource_name in expect or f.resource_arn not in expect else f.resource_arn
        actual[key] = f
    for key, verdict in expect.items():
        finding = actual.get(key)
        if finding is None:
            result.problems.append(
                f"{key}: expected {verdict}, got no verdict (out of scope or unknown resource)"
            )
        elif finding.verdict != verdict:
            result.problems.append(
                f"{key}: expected {verdict}, got {finding.verdict.value}: {finding.message}"
            )
    for key, finding in actual.items():
        if key not in expect:
            result.problems.append(f"{key}: unexpected verdict {finding.verdict.value} ({finding.message})")
    for key, text in (data.get("expect_messages") or {}).items():
        finding = actual.get(key)
        if finding is None or str(text) not in finding.message:
            got = finding.message if finding else "no verdict"
            result.problems.append(f"{key}: message should contain {text!r}; got {got!r}")
    for key, sev in (data.get("expect_severity") or {}).items():
        finding = actual.get(key)
        if finding is None or finding.severity.value != sev:
            got = finding.severity.value if finding else "no verdict"
            result.problems.append(f"{key}: expected severity {sev}, got {got}")
    return result


def run_all(policy_cases: Sequence[PolicyCases]) -> list[CaseResult]:
    """Run every case of every policy."""
    results = []
    for pc in policy_cases:
        for label, file in pc.cases:
            results.append(run_case(pc.spec, label, file))
    return results
