"""SageMaker resource tags (ListTags), read for the endpoints and schedules the fast path did not
return with their tags inline."""

from __future__ import annotations

from auditor.inventory.model import Dataset
from auditor.scan.clients import RegionApi
from auditor.scan.guard import Operation
from auditor.scan.normalize import tag_dict

OPERATIONS: tuple[Operation, ...] = (("sagemaker", "ListTags"),)


def list_tags(api: RegionApi, arn: str) -> dict[str, str] | None:
    """All tags of a SageMaker resource (ListTags, pages of 100); None (error recorded) on failure."""
    tags = api.collect(
        "sagemaker", "ListTags", "Tags", dataset=Dataset.TAGS, resource=arn, ResourceArn=arn, MaxResults=100
    )
    # Partial tags are unknown tags: policies that read tags must see "missing", not a wrong answer.
    return tag_dict(tags.items) if tags.complete else None
