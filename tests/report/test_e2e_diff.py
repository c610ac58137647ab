"""Two scans of the local-AWS sample estate with one fix between them: diff reports exactly that fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli.report_cmd import diff
from auditor.emulator import LocalAws, build_estate
from auditor.pipeline import judge, load_judge_inputs
from auditor.report import json_report
from auditor.report.diff import compare, load_result
from auditor.scan.options import ScanOptions
from auditor.scan.orchestrator import scan

pytestmark = pytest.mark.e2e


def test_adding_the_missing_drift_alarm_is_the_only_resolved_finding(aws: LocalAws, tmp_path: Path) -> None:
    estate = build_estate(aws)
    options = ScanOptions(
        org=True, role_name=estate.role_name, regions=estate.regions, endpoint_url=aws.endpoint_url
    )
    inputs = load_judge_inputs()
    before_path = tmp_path / "before.json"
    before_path.write_bytes(json_report.render(judge(scan(options), inputs)))

    (monitor,) = [c for c in estate.cases_with("no_drift_alarm") if c.kind == "monitor"]
    (endpoint,) = [c for c in estate.cases_with("no_drift_alarm") if c.kind == "endpoint"]
    # The fix, applied to the local AWS only: a drift alarm on the monitor's own metric, with an action on
    # the account's alert topic (it has a confirmed subscription, so the new alarm reaches someone).
    cloudwatch = aws.session(monitor.account_id, monitor.region).client(
        "cloudwatch", endpoint_url=aws.endpoint_url
    )
    cloudwatch.put_metric_alarm(
        AlarmName=f"{monitor.name}-drift",
        Namespace="aws/sagemaker/Endpoints/data-metrics",
        MetricName="feature_baseline_drift_transaction_amount",
        Dimensions=[
            {"Name": "Endpoint", "Value": endpoint.name},
            {"Name": "MonitoringSchedule", "Value": monitor.name},
        ],
        Statistic="Maximum",
        Period=3600,
        EvaluationPeriods=1,
        Threshold=0.2,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
        ActionsEnabled=True,
        AlarmActions=[f"arn:aws:sns:{monitor.region}:{monitor.account_id}:ml-monitoring-alerts"],
    )
    after_path = tmp_path / "after.json"
    after_path.write_bytes(json_report.render(judge(scan(options), inputs)))

    comparison = compare(load_result(before_path), load_result(after_path))
    assert [(f.policy_id, f.resource_arn) for f in comparison.resolved] == [("mm-drift-alarm", monitor.arn)]
    assert comparison.new == [] and comparison.regressed == []
    assert comparison.still_failing, "the rest of the sample estate's defects are still there"
    assert (comparison.compliance_after or 0) > (comparison.compliance_before or 0)

    cli = CliRunner().invoke(diff, ["--format", "json", str(before_path), str(after_path)])
    assert cli.exit_code == 0, cli.output
    assert [f["resource_arn"] for f in json.loads(cli.stdout)["resolved"]] == [monitor.arn]
