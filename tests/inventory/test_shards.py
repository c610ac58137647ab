"""Merging shard inventories without AWS: what `auditor merge` refuses, and what a gap becomes."""

from __future__ import annotations

import pytest

from auditor.errors import InputError
from auditor.inventory.model import (
    Dataset,
    DatasetStatus,
    InstancePrice,
    Inventory,
    PriceSource,
    Pricing,
    ScanMetadata,
    Target,
)
from auditor.inventory.shards import MISSING_SHARD_CODE, Shard, describe_shard, merge, shard_of

SELECTION = [f"{n:012d}" for n in range(100000000001, 100000000013)]
REGIONS = ["us-east-1", "eu-west-1"]
COUNT = 3


def shard_inventory(index: int, *, version: str = "0.1.0", selection: list[str] = SELECTION) -> Inventory:
    owned = [a for a in selection if shard_of(a, COUNT) == index]
    inv = Inventory(
        metadata=ScanMetadata(
            tool_version=version,
            started_at=f"2026-12-02T0{index}:00:00Z",
            finished_at=f"2026-12-02T0{index}:30:00Z",
            accounts=owned,
            regions=list(REGIONS),
            api_calls={"sagemaker:Search": len(owned)},
            options={"search": True, "shard": describe_shard(Shard(index, COUNT), selection)},
        )
    )
    inv.targets = [Target(a, r, {d: DatasetStatus.COMPLETE for d in Dataset}) for a in owned for r in REGIONS]
    return inv


def parts(*indexes: int) -> list[tuple[str, Inventory]]:
    return [(f"shard-{i}.json", shard_inventory(i)) for i in indexes]


def test_every_shard_owns_some_of_this_selection() -> None:
    assert {shard_of(a, COUNT) for a in SELECTION} == {1, 2, 3}


def test_all_shards_merge_into_the_whole_selection() -> None:
    merged = merge(parts(3, 1, 2))
    assert merged.metadata.accounts == SELECTION
    assert len(merged.targets) == len(SELECTION) * len(REGIONS)
    assert merged.metadata.api_calls == {"sagemaker:Search": len(SELECTION)}
    assert merged.metadata.started_at == "2026-12-02T01:00:00Z"
    assert merged.metadata.finished_at == "2026-12-02T03:30:00Z"
    assert merged.metadata.options["merged_shards"] == {"count": 3, "merged": [1, 2, 3], "missing": []}
    assert "shard" not in merged.metadata.options
    assert merged.errors == []


def test_a_missing_shard_is_refused() -> None:
    with pytest.raises(InputError, match=r"shard 2/3 missing \(given: shard-1.json \(1/3\), shard-3.json"):
        merge(parts(1, 3))


def test_a_missing_shard_allowed_is_not_scanned_with_an_error_per_account() -> None:
    merged = merge(parts(1, 3), allow_missing=True)
    lost = [a for a in SELECTION if shard_of(a, COUNT) == 2]
    gap = [t for t in merged.targets if t.account_id in lost]
    assert len(gap) == len(lost) * len(REGIONS)
    assert all(s is DatasetStatus.NOT_SCANNED for t in gap for s in t.datasets.values())
    assert sorted(e.account_id for e in merged.errors if e.error_code == MISSING_SHARD_CODE) == lost
    assert merged.metadata.options["merged_shards"]["missing"] == [2]


def test_a_foreign_target_is_refused() -> None:
    one, two = shard_inventory(1), shard_inventory(2)
    two.targets.append(one.targets[0])
    with pytest.raises(InputError, match=r"shard-2.json: target .* does not belong to shard 2/3"):
        merge([("shard-1.json", one), ("shard-2.json", two), ("shard-3.json", shard_inventory(3))])


def test_a_shard_that_left_out_an_account_is_refused() -> None:
    two = shard_inventory(2)
    two.metadata.accounts = two.metadata.accounts[1:]
    with pytest.raises(InputError, match=r"shard-2\.json: shard 2/3 should cover accounts"):
        merge(
            [
                ("shard-1.json", shard_inventory(1)),
                ("shard-2.json", two),
                ("shard-3.json", shard_inventory(3)),
            ]
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda inv: setattr(inv.metadata, "tool_version", "9.9.9"), "tool version differs"),
        (lambda inv: setattr(inv.metadata, "regions", ["us-east-1"]), "regions differs"),
        (
            lambda inv: inv.metadata.options.update(search=False),
            r"scan options differ from shard-1.json \(search\)",
        ),
        (lambda inv: inv.metadata.options["shard"].update(count=4), "number of shards differs"),
        (
            lambda inv: inv.metadata.options["shard"].update(selection=SELECTION[:-1]),
            "selection of accounts differs",
        ),
    ],
)
def test_shards_of_another_scan_are_refused(change: object, message: str) -> None:
    two = shard_inventory(2)
    change(two)  # type: ignore[operator]
    with pytest.raises(InputError, match=f"shard-2.json: {message}"):
        merge(
            [
                ("shard-1.json", shard_inventory(1)),
                ("shard-2.json", two),
                ("shard-3.json", shard_inventory(3)),
            ]
        )


def test_not_a_shard_inventory_is_refused() -> None:
    whole = shard_inventory(1)
    del whole.metadata.options["shard"]
    with pytest.raises(InputError, match=r"whole\.json: is not a shard inventory"):
        merge([("whole.json", whole)])


def test_the_shards_prices_are_merged_for_the_cost_view() -> None:
    given = parts(1, 2, 3)
    given[0][1].pricing = Pricing(
        prices=[InstancePrice("us-east-1", "ml.m5.xlarge", 0.24, PriceSource.PRICE_LIST_API, "api")]
    )
    given[1][1].pricing = Pricing(
        prices=[
            InstancePrice("us-east-1", "ml.m5.xlarge", 0.23, PriceSource.BUNDLED, "table"),
            InstancePrice("eu-west-1", "ml.m5.xlarge", 0.257, PriceSource.BUNDLED, "table"),
        ],
        notes=["Price List API failed (ThrottlingException): table prices used"],
    )
    merged = merge(given).pricing
    assert merged is not None
    assert [(p.region, p.usd_per_hour) for p in merged.prices] == [("eu-west-1", 0.257), ("us-east-1", 0.24)]
    assert merged.notes == ["Price List API failed (ThrottlingException): table prices used"]
    assert merge(parts(1, 2, 3)).pricing is None
