"""The migration report (migration.json / .csv / .html) from a hand-built inventory whose numbers are
computed by hand; the HTML page checked in headless Chromium (hostile names inert, nothing run)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from headless_chromium import dump_dom

from auditor.inventory.model import (
    Alarm,
    AlarmType,
    AlertPath,
    AlertStatus,
    AlertVia,
    Endpoint,
    InstancePrice,
    Inventory,
    JobDefinition,
    LastExecution,
    Monitor,
    MonitorType,
    PriceSource,
    Pricing,
    ScanMetadata,
)
from auditor.policy.engine import evaluate
from auditor.policy.loader import load_policy_set
from auditor.report import FORMATS
from auditor.results import EvaluationResult

from .conftest import FORMULA_NAME, HOSTILE_NAME

ACCOUNT, REGION = "111111111111", "us-east-1"
PRICE = 0.23


def _arn(kind: str, name: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{kind}/{name}"


def _inventory() -> Inventory:
    live = Endpoint(
        arn=_arn("endpoint", "churn"), name="churn", account_id=ACCOUNT, region=REGION, status="InService"
    )
    definition = JobDefinition(
        arn=_arn("data-quality-job-definition", "def"),
        name="def",
        account_id=ACCOUNT,
        region=REGION,
        monitor_type=MonitorType.DATA_QUALITY,
        instance_type="ml.m5.xlarge",
        instance_count=1,
        max_runtime_seconds=1800,
    )

    def monitor(
        name: str, endpoint: str, endpoint_arn: str | None, expression: str, interval: int | None
    ) -> Monitor:
        runs = [LastExecution(status="Completed", processing_seconds=600.0)]
        return Monitor(
            arn=_arn("monitoring-schedule", name),
            name=name,
            account_id=ACCOUNT,
            region=REGION,
            monitor_type=MonitorType.DATA_QUALITY,
            status="Scheduled",
            schedule_expression=expression,
            interval_seconds=interval,
            endpoint_name=endpoint,
            endpoint_arn=endpoint_arn,
            job_definition_arn=definition.arn,
            executions=runs,
            last_execution=runs[0],
            metrics=[],
        )

    hourly = monitor("churn-dq", "churn", live.arn, "cron(0 * ? * * *)", 3600)
    orphan = monitor(HOSTILE_NAME, FORMULA_NAME, None, "cron(0 0 ? * * *)", 86400)
    alarm = Alarm(
        arn=f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:churn-drift",
        name="churn-drift",
        account_id=ACCOUNT,
        region=REGION,
        alarm_type=AlarmType.METRIC,
        state="OK",
        actions_enabled=True,
        monitor_arns=[hourly.arn],
        alert_paths=[
            AlertPath(AlertVia.SNS, AlertStatus.DELIVERS, "arn:aws:sns:us-east-1:111111111111:t", "1 sub")
        ],
    )
    hourly.alarm_arns = [alarm.arn]
    return Inventory(
        metadata=ScanMetadata(
            tool_version="t", started_at="2026-12-02T00:00:00Z", finished_at="2026-12-02T00:00:00Z"
        ),
        endpoints=[live],
        monitors=[hourly, orphan],
        job_definitions=[definition],
        alarms=[alarm],
        pricing=Pricing(
            prices=[InstancePrice(REGION, "ml.m5.xlarge", PRICE, PriceSource.BUNDLED, "bundled table")]
        ),
    )


HOURLY = 0.23 * 730 * 600 / 3600  # 27.983333
DAILY = 0.23 * (730 / 24) * 600 / 3600  # 1.1659722


@pytest.fixture(scope="module")
def result() -> EvaluationResult:
    return evaluate(_inventory(), load_policy_set())


def test_the_engine_puts_the_views_into_the_result(result: EvaluationResult) -> None:
    assert result.cost is not None and result.migration is not None
    assert result.cost.total_usd == pytest.approx(HOURLY + DAILY)
    assert result.cost.wasted_usd == pytest.approx(DAILY)
    rows = {r.endpoint_name: r for r in result.migration.rows}
    churn, orphan = rows["churn"], rows[FORMULA_NAME]
    assert churn.monthly_saving_usd == pytest.approx(HOURLY) and churn.waste is None
    assert churn.actionable_alarms == 1
    assert churn.lost_if_deleted == [
        "DataQuality checks of churn-dq (cron(0 * ? * * *))",
        "alarm churn-drift (watches only these schedules)",
    ]
    assert orphan.endpoint_status is None and orphan.lost_if_deleted[0].startswith("nothing worth keeping")
    assert result.migration.rows_with_loss == 1
    assert result.migration.wasted_saving_usd == pytest.approx(DAILY)


def test_json_and_csv(result: EvaluationResult) -> None:
    document = json.loads(FORMATS["migration-json"].render(result))
    assert document["cost"]["total_usd"] == pytest.approx(HOURLY + DAILY)
    assert [r["endpoint_name"] for r in document["migration"]["rows"]] == [FORMULA_NAME, "churn"]
    text = FORMATS["migration-csv"].render(result).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["endpoint_name"], r["monthly_saving_usd"], r["endpoint_status"]) for r in rows] == [
        ("'" + FORMULA_NAME, "1.17", "missing"),  # the formula guard
        ("churn", "27.98", "InService"),
    ]
    assert "none recognised" in rows[1]["replacement_provides"]


def test_html_in_chromium(result: EvaluationResult, tmp_path: Path) -> None:
    page = tmp_path / "migration.html"
    page.write_bytes(FORMATS["migration-html"].render(result))
    dom = dump_dom(page, tmp_path / "profile")
    title = re.search(r"<title>(.*?)</title>", dom, flags=re.S)
    assert title is not None and title.group(1) == "Migrating off Model Monitor"  # no script ran
    assert "<img" not in dom  # the hostile schedule name is text
    assert re.search(r'id="total">([\d.]+)<', dom).group(1) == f"{HOURLY + DAILY:.2f}"  # type: ignore[union-attr]
    assert re.search(r'id="wasted">([\d.]+)<', dom).group(1) == f"{DAILY:.2f}"  # type: ignore[union-attr]
    assert re.search(r'id="losing">(\d+)<', dom).group(1) == "1"  # type: ignore[union-attr]
    rows = re.findall(r'<tr class="(waste|keep)" data-endpoint="([^"]*)" data-type="([^"]*)">', dom)
    assert rows == [
        ("waste", FORMULA_NAME.replace('"', "&quot;"), "DataQuality"),
        ("keep", "churn", "DataQuality"),
    ]
    assert 'data-schedule="churn-dq"' in dom and "27.98" in dom
