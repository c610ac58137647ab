"""In-process writes for the scale estate: moto's own request handlers, called without HTTP.

A scale estate of thousands of endpoints through HTTP costs ~7 ms per call (about 10 calls per
endpoint). ``InProcessClient`` takes the same keyword arguments as the boto3 client method and runs
the same moto response method (ours included) that the HTTP request would reach, with the account
and region set as the request's credentials would set them. Only writes with plain results are
supported (create/put/stop calls); everything the auditor reads still goes over HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult, BaseResponse
from moto.sagemaker.responses import SageMakerResponse
from moto.sns.responses import SNSResponse

from auditor.emulator import alerting
from auditor.emulator.monitoring import install

_RESPONSES: dict[str, type[BaseResponse]] = {
    "sagemaker": SageMakerResponse,
    "cloudwatch": CloudWatchResponse,
    "sns": SNSResponse,
}


class InProcessClient:
    """``client.create_endpoint(EndpointName=..., ...)`` without the HTTP round trip."""

    def __init__(self, service: str, account_id: str, region: str) -> None:
        install()
        alerting.install()
        self._response_class = _RESPONSES[service]
        self._account_id = account_id
        self._region = region

    def __getattr__(self, operation: str) -> Callable[..., dict[str, Any]]:
        method = getattr(self._response_class, operation, None)
        if method is None or operation.startswith("_"):
            raise AttributeError(operation)

        def call(**params: Any) -> dict[str, Any]:
            response = self._response_class()
            response.current_account = self._account_id
            response.region = self._region
            response.params = params
            # moto >= 5.2.5 reads URI parameters alongside params; these calls have none.
            setattr(response, "uri_match", {})  # noqa: B010 - typed Match | None in moto 5.2.1
            result = method(response)
            if isinstance(result, ActionResult) and isinstance(result.result, dict):
                return dict(result.result)
            return {}

        return call
