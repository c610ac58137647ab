"""Fixtures for the local AWS tests: one server per test session, reset before each test."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from typing import Any

import botocore.session
import pytest

from auditor.emulator import LocalAws

MEMBER_A = "111111111111"
MEMBER_B = "222222222222"


@pytest.fixture(scope="session")
def local_aws_server() -> Iterator[LocalAws]:
    aws = LocalAws.start()
    yield aws
    aws.stop()


@pytest.fixture
def aws(local_aws_server: LocalAws) -> Iterator[LocalAws]:
    local_aws_server.reset()
    local_aws_server.faults.clear()
    local_aws_server.faults.reset_calls()
    yield local_aws_server
    local_aws_server.faults.clear()


def _check(value: Any, shape: Any, path: str, problems: list[str]) -> None:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected object, got {type(value).__name__}")
            return
        for name in shape.required_members:
            if name not in value:
                problems.append(f"{path}: missing required {name}")
        for key, item in value.items():
            if key not in shape.members:
                problems.append(f"{path}: unknown member {key}")
            else:
                _check(item, shape.members[key], f"{path}.{key}", problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected list")
            return
        for i, item in enumerate(value):
            _check(item, shape.member, f"{path}[{i}]", problems)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected map")
            return
        for key, item in value.items():
            _check(key, shape.key, f"{path} key", problems)
            _check(item, shape.value, f"{path}[{key}]", problems)
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: expected string")
        elif shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} not in enum {shape.enum}")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: expected integer")
    elif kind in ("double", "float"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{path}: expected number")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected boolean")
    elif kind == "timestamp" and not isinstance(value, dt.datetime):
        problems.append(f"{path}: expected timestamp")


@functools.cache
def service_model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


def shape_problems(service: str, operation: str, response: dict[str, Any]) -> list[str]:
    """Every way a parsed boto3 response differs from botocore's output shape (required members,
    member names, types, enum values)."""
    model = service_model(service)
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    problems: list[str] = []
    output_shape = model.operation_model(operation).output_shape
    if output_shape is None:  # the operation returns nothing
        return [] if body == {} else [f"{operation}: expected an empty response, got {sorted(body)}"]
    _check(body, output_shape, operation, problems)
    return problems


@pytest.fixture
def assert_shape() -> Callable[[str, str, dict[str, Any]], None]:
    def check(service: str, operation: str, response: dict[str, Any]) -> None:
        problems = shape_problems(service, operation, response)
        assert problems == [], problems

    return check
