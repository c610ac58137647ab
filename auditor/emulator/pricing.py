"""The Price List API of the local AWS: ``pricing:GetProducts`` (moto has no Price List service).

A WSGI middleware in front of moto answers ``AWSPriceListService.GetProducts`` (JSON 1.1) from a small
catalogue of SageMaker Processing products, in the shape AWS returns (``PriceList`` entries are JSON
strings with ``product.attributes`` — ``regionCode``, ``instanceName``, ``usagetype`` — and
``terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD``), filtered by ``TERM_MATCH`` filters. Every
other request passes through. The fault middleware sits in front of it, so faults can be injected into
GetProducts like into any other call. ``CATALOGUE`` is this local AWS's own price list (its prices are
local-AWS data, not AWS's): its ``ml.m5.xlarge`` differs from the bundled table on purpose, so a test
can tell which source a price came from.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

TARGET = "AWSPriceListService.GetProducts"
EFFECTIVE = "2026-11-01T00:00:00Z"
_USAGE_PREFIX = {"us-east-1": "USE1", "us-west-2": "USW2", "eu-west-1": "EU"}
# (region, instance type) -> USD per hour of a Processing instance in the local AWS
CATALOGUE: dict[tuple[str, str], float] = {
    ("us-east-1", "ml.m5.large"): 0.115,
    ("us-east-1", "ml.m5.xlarge"): 0.24,
    ("us-east-1", "ml.m5.2xlarge"): 0.461,
    ("eu-west-1", "ml.m5.large"): 0.128,
    ("eu-west-1", "ml.m5.xlarge"): 0.268,
    ("eu-west-1", "ml.m5.2xlarge"): 0.514,
}


def _product(region: str, instance_type: str, usd: float, component: str) -> dict[str, Any]:
    sku = f"LOCAL{zlib.crc32(f'{region}/{instance_type}/{component}'.encode()):010d}"
    usage = f"{_USAGE_PREFIX.get(region, region)}-{component}:{instance_type}"
    term = f"{sku}.JRTCKXETXF"
    return {
        "product": {
            "productFamily": "ML Instance",
            "sku": sku,
            "attributes": {
                "servicecode": "AmazonSageMaker",
                "regionCode": region,
                "instanceName": instance_type,
                "usagetype": usage,
                "component": component,
            },
        },
        "serviceCode": "AmazonSageMaker",
        "terms": {
            "OnDemand": {
                term: {
                    "sku": sku,
                    "effectiveDate": EFFECTIVE,
                    "offerTermCode": "JRTCKXETXF",
                    "priceDimensions": {
                        f"{term}.6YS6EN2CT7": {
                            "unit": "Hrs",
                            "description": f"${usd} per {component} {instance_type} hour",
                            "pricePerUnit": {"USD": f"{usd:.10f}"},
                        }
                    },
                }
            }
        },
    }


def get_products(request: dict[str, Any]) -> dict[str, Any]:
    """GetProducts over the catalogue (a Hosting product beside each Processing one, as AWS lists both)."""
    products = []
    for (region, instance_type), usd in sorted(CATALOGUE.items()):
        for component, price in (("Processing", usd), ("Hosting", round(usd * 1.2, 4))):
            products.append(_product(region, instance_type, price, component))
    wanted = request.get("ServiceCode")
    for f in request.get("Filters", []):
        field, value = f.get("Field"), f.get("Value")
        products = [p for p in products if p["product"]["attributes"].get(field) == value]
    if wanted != "AmazonSageMaker":
        products = []
    return {"FormatVersion": "aws_v1", "PriceList": [json.dumps(p) for p in products]}


class PriceListMiddleware:
    """Answers GetProducts; passes everything else to ``app``."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET") != TARGET:
            return self._app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
        body = json.dumps(get_products(request)).encode()
        start_response(
            "200 OK", [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(body)))]
        )
        return [body]
