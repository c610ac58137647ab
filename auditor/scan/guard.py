"""The read-only guard: a botocore hook that refuses any operation outside the declared allow-list.

The allow-list is derived from the OPERATIONS tuples the scanner modules declare (see
``auditor.scan.permissions``), so the guard and the IAM policy cannot drift apart. The hook runs on
``before-parameter-build``, i.e. before parameters are validated or serialized and long before a
request is signed or sent, so a refused call never reaches the server.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from botocore.exceptions import BotoCoreError

Operation = tuple[str, str]  # (boto3 service name, API operation name), e.g. ("sagemaker", "Search")


class ReadOnlyViolation(BotoCoreError):  # type: ignore[misc]
    """An operation outside the scanner's read-only allow-list was attempted."""

    fmt = (
        "Refused {service}:{operation}: the auditor is read-only and this operation is not in its allow-list"
    )


def install_guard(
    client: Any,
    service: str,
    allowed: Collection[Operation],
    on_call: Callable[[str, str], None] | None = None,
) -> None:
    """Register the guard (and the optional call counter ``on_call``) on one botocore client.

    ``service`` is the boto3 service name the client was created with (``"cloudwatch"``, not the
    endpoint prefix ``"monitoring"``).
    """
    allowed_ops = frozenset(op for svc, op in allowed if svc == service)

    def before_parameter_build(model: Any, **_: Any) -> None:
        operation = str(model.name)
        if operation not in allowed_ops:
            raise ReadOnlyViolation(service=service, operation=operation)
        if on_call is not None:
            on_call(service, operation)

    client.meta.events.register("before-parameter-build", before_parameter_build)
