"""Links from a resource's ARN to its page in the AWS console, derived from the ARN alone.

Known pages (commercial partition ``aws`` only; anything else gets no link):

- SageMaker endpoint: ``.../sagemaker/home?region=R#/endpoints/NAME``
- monitoring schedule: ``.../sagemaker/home?region=R#/monitoring-schedules/NAME``
- the four job-definition types: the region's Model Monitor page (``#/model-monitor``); no
  per-definition page is linked
- CloudWatch alarm: ``.../cloudwatch/home?region=R#alarmsV2:alarm/NAME``

The region and account are checked against their AWS shapes (the host name is built from the region,
so a hostile ARN cannot point the link elsewhere) and the name is percent-encoded as JavaScript's
``encodeURIComponent`` does, so the report's page script builds the same URL from the same template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from auditor.report.text import safe_text

NAME = "{name}"  # where the resource's name goes in a template
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
_ACCOUNT = re.compile(r"^\d{12}$")
_SAGEMAKER = "https://{region}.console.aws.amazon.com/sagemaker/home?region={region}#/"
_JOB_DEFINITION_TYPES = frozenset(
    {
        "data-quality-job-definition",
        "model-quality-job-definition",
        "model-bias-job-definition",
        "model-explainability-job-definition",
    }
)
# (service, resource type) -> URL template; {region} is filled in here, {name} by the caller.
_PAGES: dict[tuple[str, str], str] = {
    ("sagemaker", "endpoint"): _SAGEMAKER + "endpoints/" + NAME,
    ("sagemaker", "monitoring-schedule"): _SAGEMAKER + "monitoring-schedules/" + NAME,
    **{("sagemaker", kind): _SAGEMAKER + "model-monitor" for kind in _JOB_DEFINITION_TYPES},
    ("cloudwatch", "alarm"): "https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
    "#alarmsV2:alarm/" + NAME,
}


@dataclass(frozen=True)
class ConsoleLink:
    """A console page: ``template`` with ``{name}`` standing for the resource's (unencoded) ``name``."""

    template: str
    name: str

    @property
    def url(self) -> str:
        return self.template.replace(NAME, encode_name(self.name))


def encode_name(name: str) -> str:
    """Percent-encode like JavaScript's ``encodeURIComponent`` (it leaves ``A-Za-z0-9-_.!~*'()``)."""
    return quote(name, safe="!*'()")


def _split(arn: str) -> tuple[str, str, str, str, str] | None:
    """(service, region, account, resource type, name) of a well-formed commercial-partition ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[1] != "aws":
        return None
    _, _, service, region, account, resource = parts
    if not _REGION.match(region) or not _ACCOUNT.match(account):
        return None
    separator = ":" if service == "cloudwatch" else "/"
    kind, found, name = resource.partition(separator)
    if not found or not name:
        return None
    return service, region, account, kind, name


def console_link(arn: str) -> ConsoleLink | None:
    """The console page of the resource ``arn`` names, or None when the ARN is not one we know."""
    split = _split(arn)
    if split is None:
        return None
    service, region, _, kind, name = split
    template = _PAGES.get((service, kind))
    # A name the report would show escaped (control or bidi characters) is not linked: the page
    # builds links from the shown name. SageMaker names are [a-zA-Z0-9-] anyway.
    if template is None or safe_text(name) != name or (service == "sagemaker" and "/" in name):
        return None
    return ConsoleLink(template.replace("{region}", region), name)


def console_url(arn: str) -> str | None:
    """The URL of the resource's console page, or None (see ``console_link``)."""
    link = console_link(arn)
    return link.url if link is not None else None
