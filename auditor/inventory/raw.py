"""The API records an inventory keeps (``raw``), held compact: JSON text compressed with a preset dictionary.

A resource's ``raw`` record is what AWS said, kept so an auditor can see it (inventory.json) and a
policy can read a field the model does not name. As Python dicts those records were about a quarter
of a run's memory with the inventory built (100,000 synthetic endpoints: 1,834 MB, and 1,414 MB with
the records compact); compressed with a dictionary of the keys the Model Monitor APIs send, a record
takes about a tenth of its dict. A record is decoded when it is read (a policy document is built,
inventory.json is written), a fresh dict each time, so nobody can change the kept one.

The dictionary only helps compression: it is never saved (a record leaves the process as JSON data),
so it can change between versions without changing any file.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import Any

# The keys and common values of the records the scanners keep (SageMaker Describe* and Search records,
# CloudWatch MetricAlarm / CompositeAlarm, SNS topic attributes, EventBridge rules and schedules), as
# JSON writes them. zlib finds the closest matches cheapest, so the most frequent come last.
_KEYS = """
EventBusName EventPattern Description ServerlessConfig CurrentServerlessConfig
DesiredServerlessConfig AlarmRule Expression Label MaxConcurrency MemorySizeInMB State AccountId
FailureReason CreationDate FlexibleTimeWindow Mode GroupName LastModificationDate
ScheduleExpressionTimezone Target Input RetryPolicy MaximumEventAgeInSeconds MaximumRetryAttempts
DeliveryPolicy DisplayName EffectiveDeliveryPolicy Owner Policy SubscriptionsConfirmed
SubscriptionsDeleted SubscriptionsPending TopicArn Arn Id ReturnData MetricStat Metric Stat
ModelQualityAppSpecification ProblemType ModelQualityBaselineConfig ModelQualityJobInput
ModelQualityJobOutputConfig ModelBiasAppSpecification ModelBiasBaselineConfig ModelBiasJobInput
ModelBiasJobOutputConfig ModelExplainabilityAppSpecification ModelExplainabilityBaselineConfig
ModelExplainabilityJobInput ModelExplainabilityJobOutputConfig DataQualityAppSpecification
DataQualityBaselineConfig StatisticsResource DataQualityJobInput DataQualityJobOutputConfig
CaptureStatus CurrentSamplingPercentage CaptureContentTypeHeader CsvContentTypes JsonContentTypes
CaptureOptions InitialSamplingPercentage EndpointConfigArn InitialVariantWeight ModelName
CurrentInstanceCount DesiredInstanceCount InitialInstanceCount EndpointArn EndpointStatus
CurrentWeight DesiredWeight endpoint_config endpoint ConfigUri EndTimeOffset InferenceAttribute
ProbabilityAttribute ProbabilityThresholdAttribute StartTimeOffset GroundTruthS3Input
EndpointConfigName ProductionVariants VariantName DataCaptureConfig DestinationS3Uri EnableCapture
CaptureMode StoppingCondition MaxRuntimeInSeconds Statistic MonitoringScheduleArn
MonitoringScheduleConfig ScheduleConfig MonitoringScheduleStatus LastMonitoringExecutionSummary
MonitoringExecutionStatus ProcessingJobArn ScheduledTime ComparisonOperator EvaluationPeriods
MetricName Metrics Namespace Period StateReasonData Threshold TreatMissingData ActionsEnabled
AlarmActions AlarmArn AlarmConfigurationUpdatedTimestamp AlarmDescription AlarmName
InsufficientDataActions OKActions StateReason StateUpdatedTimestamp StateValue
publish_cloudwatch_metrics ScheduleExpression JobDefinitionArn JobDefinitionName JobResources
ClusterConfig InstanceCount VolumeKmsKeyId VolumeSizeInGB NetworkConfig
EnableInterContainerTrafficEncryption EnableNetworkIsolation BaseliningJobName ConstraintsResource
EndpointInput S3DataDistributionType S3InputMode MonitoringOutputs S3Output S3UploadMode Dimensions
Environment ImageUri KmsKeyId InstanceType RoleArn S3Uri LastModifiedTime LocalPath
MonitoringJobDefinitionName MonitoringScheduleName Name Value CreationTime EndpointName
MonitoringType
"""
_WORDS = _KEYS.split()
_VALUES = (
    "FullyReplicated",
    "File",
    "EndOfJob",
    "Continuous",
    "/opt/ml/processing/input",
    "/opt/ml/processing/output",
    "InService",
    "Scheduled",
    "Completed",
    "AllTraffic",
    "ml.m5.xlarge",
    "DataQuality",
    "ModelQuality",
    "GreaterThanThreshold",
    "Maximum",
    "OK",
    "ENABLED",
    "cron(0 * ? * * *)",
    "s3://",
    "arn:aws:iam::",
    "arn:aws:kms:",
    "arn:aws:sns:",
    "arn:aws:cloudwatch:",
    "arn:aws:sagemaker:",
)
_DICTIONARY = (
    ",".join(json.dumps(v) for v in _VALUES) + "," + ",".join(f"{json.dumps(k)}:" for k in _WORDS)
).encode("utf-8")
_LEVEL = 6


class RawRecord(Mapping[str, Any]):
    """One API record (JSON data), read-only: each read decodes a fresh copy."""

    __slots__ = ("_blob",)

    def __init__(self, blob: bytes) -> None:
        self._blob = blob

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> RawRecord:
        """``record`` (JSON data: what ``json.dumps`` takes, keys in their order) kept compact."""
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        packer = zlib.compressobj(_LEVEL, zdict=_DICTIONARY)
        return cls(packer.compress(text) + packer.flush())

    def data(self) -> dict[str, Any]:
        """The record as a new dict (keys in the order they were given)."""
        unpacker = zlib.decompressobj(zdict=_DICTIONARY)
        decoded: dict[str, Any] = json.loads(unpacker.decompress(self._blob) + unpacker.flush())
        return decoded

    def __getitem__(self, key: str) -> Any:
        return self.data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data())

    def __len__(self) -> int:
        return len(self.data())

    # Whole-record reads decode once (Mapping's own would decode once per key).
    def __contains__(self, key: object) -> bool:
        return key in self.data()

    def get(self, key: str, default: Any = None) -> Any:
        return self.data().get(key, default)

    def keys(self) -> KeysView[str]:
        return self.data().keys()

    def items(self) -> ItemsView[str, Any]:
        return self.data().items()

    def values(self) -> ValuesView[Any]:
        return self.data().values()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RawRecord):
            return self.data() == other.data()
        if isinstance(other, Mapping):
            return self.data() == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # a mapping, compared by value like a dict

    def __repr__(self) -> str:
        return f"RawRecord({self.data()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (RawRecord, (self._blob,))


def compact(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """A record to keep: a plain dict of JSON data becomes a RawRecord; anything else is kept as it is
    (already compact, or holding a value JSON cannot carry, which then stays visible as it was)."""
    if type(record) is not dict or not record:
        return record
    try:
        return RawRecord.of(record)
    except (TypeError, ValueError):  # not JSON data (a value json cannot encode, a circular reference)
        return record


def as_dict(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as a dict: decoded if compact, the same dict if it is one."""
    if isinstance(record, RawRecord):
        return record.data()
    return record if isinstance(record, dict) else dict(record)
