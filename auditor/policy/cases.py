"""Policy tests: small inventories with the expected verdict per resource (like ``conftest verify``).

Cases live next to the policy, in a ``cases/`` folder: ``<name>_pass.yaml`` and
``<name>_fail_<why>.yaml``. A case file::

    description: DataQuality monitor scheduled
    policy: mm-data-quality-monitor      # optional when the folder holds one policy
    parameters: {min_sampling_percent: 50}   # optional overrides
    as_of: "2026-11-27T12:00:00Z"        # optional; default: the inventory's finished_at
    inventory:                           # a fragment: defaults fill what is not given
      endpoints: [{name: churn}]
      monitors: [{name: churn-dq, monitor_type: DataQuality, endpoint: churn, job_definition: churn-dq-jd}]
      job_definitions: [{name: churn-dq-jd, monitor_type: DataQuality}]
    expect: {churn: PASS}                # resource name or ARN -> verdict; exactly the verdicts produced
    expect_messages: {churn: "found DataQuality/Scheduled"}   # optional substrings
    expect_severity: {churn: low}        # optional

Fragment defaults: account 111111111111, region us-east-1, ARNs built from names, endpoints
InService/real_time, monitors Scheduled, alarms OK metric alarms, one COMPLETE target per
(account, region) used. Links are declared on the monitor (``endpoint``, ``job_definition``,
``alarms`` by name) and completed in both directions, as ``relations.link`` would leave them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.inventory.codec import DecodeError, from_jsonable
from auditor.inventory.model import Dataset, DatasetStatus, Inventory
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
_JOB_ARN_KIND = {
    "DataQuality": "data-quality-job-definition",
    "ModelQuality": "model-quality-job-definition",
    "ModelBias": "model-bias-job-definition",
    "ModelExplainability": "model-explainability-job-definition",
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


def build_inventory(fragment: Any, smap: SourceMap) -> Inventory:
    """A full, linked Inventory from a case's fragment (see the module docstring)."""
    base = ("inventory",)
    if fragment is None:
        fragment = {}
    if not isinstance(fragment, dict):
        raise smap.error(base, "inventory must be a mapping")
    data: dict[str, Any] = {
        k: [dict(x) for x in fragment.get(k) or []]
        for k in ("endpoints", "monitors", "job_definitions", "alarms", "errors", "targets")
    }
    extra = sorted(set(fragment) - set(data) - {"finished_at"})
    if extra:
        raise smap.error((*base, extra[0]), f"unknown key {extra[0]!r} in an inventory fragment")
    for kind, items in data.items():
        for i, item in enumerate(items):
            if kind not in ("errors", "targets") and "name" not in item:
                raise smap.error((*base, kind, i), "a resource needs a name")
            if kind not in ("errors", "targets"):
                item.setdefault("account_id", DEFAULT_ACCOUNT)
                item.setdefault("region", DEFAULT_REGION)

    def arn(service: str, item: dict[str, Any], resource: str) -> str:
        return f"arn:aws:{service}:{item['region']}:{item['account_id']}:{resource}"

    endpoints = {e["name"]: e for e in data["endpoints"]}
    for e in data["endpoints"]:
        e.setdefault("arn", arn("sagemaker", e, f"endpoint/{e['name']}"))
        e.setdefault("status", "InService")
        e.setdefault("kind", "real_time")
    jds = {j["name"]: j for j in data["job_definitions"]}
    for j in data["job_definitions"]:
        j.setdefault("monitor_type", None)
        kind = _JOB_ARN_KIND.get(j["monitor_type"] or "", "data-quality-job-definition")
        j.setdefault("arn", arn("sagemaker", j, f"{kind}/{j['name']}"))
    alarms = {a["name"]: a for a in data["alarms"]}
    for a in data["alarms"]:
        a.setdefault("arn", arn("cloudwatch", a, f"alarm:{a['name']}"))
        a.setdefault("alarm_type", "metric")
        a.setdefault("state", "OK")
    for i, m in enumerate(data["monitors"]):
        m.setdefault("arn", arn("sagemaker", m, f"monitoring-schedule/{m['name']}"))
        m.setdefault("status", "Scheduled")
        m.setdefault("monitor_type", None)
        ep_name = m.pop("endpoint", None)
        if ep_name is not None:
            m.setdefault("endpoint_name", ep_name)
            if ep_name in endpoints:
                m.setdefault("endpoint_arn", endpoints[ep_name]["arn"])
                endpoints[ep_name].setdefault("monitor_arns", []).append(m["arn"])
        jd_name = m.pop("job_definition", None)
        if jd_name is not None:
            if jd_name not in jds:
                raise smap.error(
                    (*base, "monitors", i, "job_definition"), f"no job definition named {jd_name!r}"
                )
            jd = jds[jd_name]
            m.setdefault("job_definition_name", jd_name)
            m.setdefault("job_definition_embedded", bool(jd.get("embedded", False)))
            m.setdefault("job_definition_arn", jd["arn"])
            jd.setdefault("monitor_arns", []).append(m["arn"])
        for name in m.pop("alarms", None) or []:
            if name not in alarms:
                raise smap.error((*base, "monitors", i, "alarms"), f"no alarm named {name!r}")
            m.setdefault("alarm_arns", []).append(alarms[name]["arn"])
            alarms[name].setdefault("monitor_arns", []).append(m["arn"])

    used = {
        (r["account_id"], r["region"])
        for k in ("endpoints", "monitors", "job_definitions", "alarms")
        for r in data[k]
    }
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
        },
        **{k: v for k, v in data.items() if k != "targets"},
        "targets": [targets[k] for k in sorted(targets)],
    }
    try:
        return from_jsonable(Inventory, inventory)
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
