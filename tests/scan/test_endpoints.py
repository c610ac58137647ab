"""Endpoint normalization: capture state from the endpoint, options from the config, kind detection."""

from __future__ import annotations

from typing import Any

from auditor.inventory.model import Dataset, EndpointKind
from auditor.scan.endpoints import build_endpoint, endpoint_kind

ARN = "arn:aws:sagemaker:us-east-1:111111111111:endpoint/ep"


def _record(**extra: Any) -> dict[str, Any]:
    return {
        "EndpointName": "ep",
        "EndpointArn": ARN,
        "EndpointConfigName": "cfg",
        "EndpointStatus": "InService",
        "ProductionVariants": [{"VariantName": "AllTraffic", "CurrentInstanceCount": 2}],
        **extra,
    }


def _config(**extra: Any) -> dict[str, Any]:
    return {
        "EndpointConfigName": "cfg",
        "ProductionVariants": [
            {
                "VariantName": "AllTraffic",
                "ModelName": "m",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
        **extra,
    }


def test_capture_merges_running_state_and_configured_options() -> None:
    record = _record(
        DataCaptureConfig={
            "EnableCapture": True,
            "CaptureStatus": "Started",
            "CurrentSamplingPercentage": 100,
            "DestinationS3Uri": "s3://cap/",
            "KmsKeyId": "cap-key",
        }
    )
    config = _config(
        KmsKeyId="vol-key",
        DataCaptureConfig={
            "InitialSamplingPercentage": 50,
            "DestinationS3Uri": "s3://cap/",
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
        },
    )
    ep = build_endpoint(
        record, account_id="111111111111", region="us-east-1", tags={}, config=config, missing=[]
    )
    assert ep.kind is EndpointKind.REAL_TIME
    assert ep.config_kms_key_id == "vol-key"
    capture = ep.data_capture
    assert capture is not None
    assert (capture.enabled, capture.capture_status, capture.current_sampling_percentage) == (
        True,
        "Started",
        100,
    )
    assert capture.capture_options == ["Input", "Output"]
    assert capture.csv_content_types == ["text/csv"] and capture.json_content_types == []
    assert ep.variants[0].instance_type == "ml.m5.large" and ep.variants[0].instance_count == 2
    assert ep.missing == []
    assert set(ep.raw) == {"endpoint", "endpoint_config"}


def test_unreadable_config_leaves_options_unknown_and_marks_missing() -> None:
    record = _record(
        DataCaptureConfig={
            "EnableCapture": True,
            "CaptureStatus": "Started",
            "CurrentSamplingPercentage": 20,
            "DestinationS3Uri": "s3://cap/",
            "KmsKeyId": "k",
        }
    )
    ep = build_endpoint(
        record, account_id="111111111111", region="us-east-1", tags=None, config=None, missing=[]
    )
    assert ep.data_capture is not None and ep.data_capture.capture_options is None
    assert ep.missing == [Dataset.ENDPOINT_CONFIGS, Dataset.TAGS]
    assert ep.kind is EndpointKind.UNKNOWN


def test_no_capture_anywhere_is_none() -> None:
    ep = build_endpoint(_record(), account_id="1", region="r", tags={}, config=_config(), missing=[])
    assert ep.data_capture is None


def test_kinds() -> None:
    serverless_rec = _record(
        ProductionVariants=[
            {"VariantName": "v", "CurrentServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}
        ]
    )
    assert endpoint_kind(serverless_rec, None) is EndpointKind.SERVERLESS
    assert endpoint_kind(_record(), _config(AsyncInferenceConfig={"OutputConfig": {}})) is EndpointKind.ASYNC
    ic_config = {"ProductionVariants": [{"VariantName": "v", "InstanceType": "ml.g5.xlarge"}]}
    assert endpoint_kind(_record(), ic_config) is EndpointKind.INFERENCE_COMPONENT
    assert endpoint_kind(_record(), _config()) is EndpointKind.REAL_TIME
    ep = build_endpoint(serverless_rec, account_id="1", region="r", tags={}, config=None, missing=[])
    assert ep.variants[0].serverless_memory_mb == 2048 and ep.variants[0].instance_count is None
