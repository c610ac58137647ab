"""The hourly prices of the processing instances the monitors run on (for the cost view).

Once per scan, after the regions are collected, with the hub's credentials (the identity that runs the
scan): one ``pricing:GetProducts`` call per (region, instance type) the job definitions use, at the Price
List API's ``us-east-1`` endpoint (read-only; through the read-only guard like every scanner call):
``ServiceCode=AmazonSageMaker`` filtered on ``regionCode`` and ``instanceName``; of the products, the
one whose ``usagetype`` is a Processing usage (``…Processing…:<instance type>``) gives the on-demand USD
price per hour.

The fallback never fails the scan: a GetProducts error (access denied, throttled, not reachable — the
first error stops asking), no Processing product, or ``price_list_api: false`` in the config → the
price comes from the price table (a file named by ``price_table`` in the config, else the bundled,
dated table), and ``Pricing.notes`` says which pairs fell back and why. A pair in no table has no price:
its schedules' cost is not estimated (the cost view says so).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from auditor.inventory.cost import table_prices
from auditor.inventory.model import InstancePrice, PriceSource, Pricing
from auditor.scan.clients import AWS_ERRORS, RegionApi, error_code_and_message
from auditor.scan.guard import Operation

OPERATIONS: tuple[Operation, ...] = (("pricing", "GetProducts"),)

PRICE_LIST_REGION = "us-east-1"  # the Price List API's endpoint (it also answers in ap-south-1, eu-central-1)


def _processing_price(products: Sequence[Any], instance_type: str) -> tuple[float, str] | None:
    """The on-demand USD/hour of the Processing product among GetProducts' PriceList entries."""
    for entry in products:
        product = json.loads(entry) if isinstance(entry, str) else entry
        attributes = product.get("product", {}).get("attributes", {})
        usage = str(attributes.get("usagetype", ""))
        if "Processing" not in usage or not usage.endswith(f":{instance_type}"):
            continue
        for term in product.get("terms", {}).get("OnDemand", {}).values():
            for dimension in term.get("priceDimensions", {}).values():
                usd = dimension.get("pricePerUnit", {}).get("USD")
                try:
                    value = float(usd)
                except (TypeError, ValueError):
                    continue
                sku = product.get("product", {}).get("sku", "")
                return (
                    value,
                    f"Price List API, {usage} (SKU {sku}, effective {term.get('effectiveDate', '?')})",
                )
    return None


def resolve_prices(
    api: RegionApi | None, wanted: Sequence[tuple[str, str]], *, price_table: Path | None = None
) -> Pricing:
    """Prices for ``wanted`` (region, instance type): the Price List API through ``api`` when given,
    else (and for whatever it could not price) the table."""
    pricing = Pricing()
    rest: list[tuple[str, str]] = []
    if api is None:
        rest = list(wanted)
        if wanted:
            pricing.notes.append("Price List API not asked (price_list_api: false): table prices used")
    else:
        for i, (region, instance_type) in enumerate(wanted):
            try:
                page = api.call(
                    "pricing",
                    "GetProducts",
                    ServiceCode="AmazonSageMaker",
                    Filters=[
                        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region},
                        {"Type": "TERM_MATCH", "Field": "instanceName", "Value": instance_type},
                    ],
                    MaxResults=100,
                )
            except AWS_ERRORS as exc:  # noted, never a scan error: prices decide no verdict
                code, _ = error_code_and_message(exc)
                rest.extend(wanted[i:])
                pricing.notes.append(f"Price List API failed ({code}): table prices used")
                break
            found = _processing_price(page.get("PriceList", []), instance_type)
            if found is None:
                rest.append((region, instance_type))
                pricing.notes.append(
                    f"Price List API: no Processing price for {instance_type} in {region}: table price used"
                )
                continue
            usd, detail = found
            pricing.prices.append(
                InstancePrice(region, instance_type, usd, PriceSource.PRICE_LIST_API, detail)
            )
    if rest:
        found_in_table, lacking = table_prices(rest, price_table)
        pricing.prices.extend(found_in_table)
        pricing.notes.extend(f"no price for {t} in {r} in the table: not estimated" for r, t in lacking)
    pricing.prices.sort(key=lambda p: (p.region, p.instance_type))
    return pricing
