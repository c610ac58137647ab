"""Benchmark 6: `auditor iac` on a generated CloudFormation template of many endpoints.

The template is written like CDK output (JSON, one stack): per endpoint an endpoint config with data
capture, the endpoint, a DataQuality job definition, its schedule and a drift alarm, joined with
``Fn::GetAtt``, ``Fn::Sub`` and ``Ref`` as CDK writes them, and one SNS topic for the alarms' actions.
Three numbers per size:

* read: ``auditor.iac.reader.read`` (parse, resolve the intrinsics, build and link the records), CPU;
* judge: ``pipeline.judge`` with the digest of the serialized inventory, as ``auditor iac`` judges it
  (serialize + hash + every built-in policy), CPU;
* command: the whole ``python -m auditor iac TEMPLATE --format json,sarif`` in a fresh process, wall
  time and CPU time (interpreter start, imports, reading, judging, writing inventory.json,
  report.json and report.sarif). Target: under 5 s wall for 500 endpoints. On a shared machine the
  wall time depends on the other processes; the CPU time says what the command itself costs.
"""

from __future__ import annotations

import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FULL_SIZES = (500, 2000)
SMOKE_SIZES = (50,)
TARGET_ENDPOINTS = 500
TARGET_SECONDS = 5.0
IMAGE = "156813124566.dkr.ecr.${AWS::Region}.amazonaws.com/sagemaker-model-monitor-analyzer"


def template(endpoints: int) -> dict[str, Any]:
    """A CDK-style template of ``endpoints`` monitored endpoints."""
    resources: dict[str, Any] = {
        "AlertsTopic0A1B2C3D": {
            "Type": "AWS::SNS::Topic",
            "Metadata": {"aws:cdk:path": "Bench/Alerts/Resource"},
        }
    }
    for i in range(endpoints):
        name = f"model-{i:05d}"
        config, endpoint, definition, schedule, alarm = (
            f"Config{i:05d}",
            f"Endpoint{i:05d}",
            f"Definition{i:05d}",
            f"Schedule{i:05d}",
            f"Alarm{i:05d}",
        )
        resources[config] = {
            "Type": "AWS::SageMaker::EndpointConfig",
            "Properties": {
                "ProductionVariants": [
                    {
                        "InitialInstanceCount": 1,
                        "InstanceType": "ml.m5.large",
                        "ModelName": f"{name}-model",
                        "VariantName": "AllTraffic",
                    }
                ],
                "DataCaptureConfig": {
                    "EnableCapture": True,
                    "InitialSamplingPercentage": 20,
                    "DestinationS3Uri": {"Fn::Sub": f"s3://capture-${{AWS::AccountId}}/{name}"},
                    "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
                },
            },
        }
        resources[endpoint] = {
            "Type": "AWS::SageMaker::Endpoint",
            "Properties": {
                "EndpointName": name,
                "EndpointConfigName": {"Fn::GetAtt": [config, "EndpointConfigName"]},
                "Tags": [{"Key": "environment", "Value": "production" if i % 2 else "staging"}],
            },
        }
        resources[definition] = {
            "Type": "AWS::SageMaker::DataQualityJobDefinition",
            "Properties": {
                "JobDefinitionName": f"{name}-dq",
                "DataQualityAppSpecification": {
                    "ImageUri": {"Fn::Sub": IMAGE},
                    "Environment": {"publish_cloudwatch_metrics": "Enabled"},
                },
                "DataQualityBaselineConfig": {
                    "ConstraintsResource": {"S3Uri": f"s3://baselines/{name}/constraints.json"},
                    "StatisticsResource": {"S3Uri": f"s3://baselines/{name}/statistics.json"},
                },
                "DataQualityJobInput": {
                    "EndpointInput": {
                        "EndpointName": {"Fn::GetAtt": [endpoint, "EndpointName"]},
                        "LocalPath": "/opt/ml/processing/input",
                    }
                },
                "DataQualityJobOutputConfig": {
                    "KmsKeyId": "alias/monitoring",
                    "MonitoringOutputs": [
                        {"S3Output": {"S3Uri": f"s3://monitoring/{name}", "LocalPath": "/out"}}
                    ],
                },
                "JobResources": {
                    "ClusterConfig": {
                        "InstanceCount": 1,
                        "InstanceType": "ml.m5.xlarge",
                        "VolumeSizeInGB": 20,
                        "VolumeKmsKeyId": "alias/monitoring",
                    }
                },
                "NetworkConfig": {
                    "EnableNetworkIsolation": True,
                    "EnableInterContainerTrafficEncryption": True,
                },
                "RoleArn": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/model-monitor"},
            },
        }
        resources[schedule] = {
            "Type": "AWS::SageMaker::MonitoringSchedule",
            "Properties": {
                "MonitoringScheduleName": f"{name}-dq",
                "EndpointName": {"Fn::GetAtt": [endpoint, "EndpointName"]},
                "MonitoringScheduleConfig": {
                    "MonitoringJobDefinitionName": f"{name}-dq",
                    "MonitoringType": "DataQuality",
                    "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
                },
            },
            "DependsOn": [definition],
        }
        resources[alarm] = {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmName": f"{name}-drift",
                "Namespace": "aws/sagemaker/Endpoints/data-metrics",
                "MetricName": "feature_baseline_drift_total",
                "Dimensions": [
                    {"Name": "Endpoint", "Value": {"Fn::GetAtt": [endpoint, "EndpointName"]}},
                    {"Name": "MonitoringSchedule", "Value": f"{name}-dq"},
                ],
                "Statistic": "Maximum",
                "Period": 3600,
                "EvaluationPeriods": 1,
                "Threshold": 0.1,
                "ComparisonOperator": "GreaterThanThreshold",
                "AlarmActions": [{"Ref": "AlertsTopic0A1B2C3D"}],
            },
        }
    return {"Resources": resources}


def measure(endpoints: int) -> dict[str, Any]:
    """Read, judge and run the command on a template of ``endpoints`` endpoints."""
    from auditor.iac.reader import IacOptions, read
    from auditor.inventory.store import dumps
    from auditor.pipeline import judge, load_judge_inputs

    with tempfile.TemporaryDirectory(prefix="iac-bench-") as tmp:
        path = Path(tmp) / "Bench.template.json"
        text = json.dumps(template(endpoints), indent=1)
        path.write_text(text, encoding="utf-8")
        inputs = load_judge_inputs()
        options = IacOptions(account="123456789012", region="us-east-1")

        c0, w0 = time.process_time(), time.perf_counter()
        result = read([path], options)
        read_cpu, read_wall = time.process_time() - c0, time.perf_counter() - w0

        c0 = time.process_time()
        digest = hashlib.sha256(dumps(result.inventory).encode("utf-8")).hexdigest()
        judged = judge(result.inventory, inputs, inventory_digest=digest)
        judge_cpu = time.process_time() - c0
        verdicts = {
            v: sum(1 for f in judged.findings if f.verdict.value == v) for v in ("PASS", "FAIL", "ERROR")
        }

        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        w0 = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "auditor",
                "iac",
                str(path),
                "--account",
                "123456789012",
                "--region",
                "us-east-1",
                "--format",
                "json,sarif",
                "--output-dir",
                str(Path(tmp) / "out"),
                "--quiet",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        command_wall = time.perf_counter() - w0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        command_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
        if done.returncode not in (0, 1):
            raise RuntimeError(f"auditor iac exited {done.returncode}: {done.stderr[-2000:]}")
    return {
        "endpoints": endpoints,
        "resources": len(result.inventory.endpoints)
        + len(result.inventory.monitors)
        + len(result.inventory.job_definitions)
        + len(result.inventory.alarms),
        "template_mb": round(len(text.encode("utf-8")) / 1e6, 2),
        "verdicts": len(judged.findings),
        "verdicts_by_kind": verdicts,
        "read_cpu_seconds": round(read_cpu, 3),
        "read_wall_seconds": round(read_wall, 3),
        "judge_cpu_seconds": round(judge_cpu, 3),
        "command_wall_seconds": round(command_wall, 3),
        "command_cpu_seconds": round(command_cpu, 3),
        "command_exit_code": done.returncode,
        "target_seconds": TARGET_SECONDS if endpoints == TARGET_ENDPOINTS else None,
        "target_met": command_wall < TARGET_SECONDS if endpoints == TARGET_ENDPOINTS else None,
    }


def run(smoke: bool) -> dict[str, Any]:
    """Each size once; the target applies to 500 endpoints."""
    sizes = SMOKE_SIZES if smoke else FULL_SIZES
    return {
        "target_endpoints": TARGET_ENDPOINTS,
        "target_seconds": TARGET_SECONDS,
        "sizes": [measure(n) for n in sizes],
    }
