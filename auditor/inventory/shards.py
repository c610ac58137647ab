"""Sharding a scan across machines: which shard owns an account, and the merge of shard inventories.

``auditor scan --shard I/N`` scans only the accounts whose stable hash falls in shard I of N, and
records in ``metadata.options["shard"]`` the shard, the whole selection of accounts it was cut
from and (as for every scan) the tool version and options. ``auditor merge`` unions the shard
inventories into one, refusing anything that would make the union lie: two shards overlapping, a
different tool version, options, regions or selection, an account in the wrong shard, or a shard
missing. With ``allow_missing`` the accounts of a missing shard become NOT_SCANNED targets with a
scan error each, so every check about them is ERROR and the gate says incomplete -- never PASS.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from typing import Any

from auditor.errors import InputError
from auditor.inventory.enums import unknown_values
from auditor.inventory.kinds import KINDS
from auditor.inventory.model import (
    Dataset,
    DatasetStatus,
    Identity,
    InstancePrice,
    Inventory,
    Pricing,
    ScanError,
    ScanMetadata,
    Target,
)
from auditor.inventory.relations import link

SHARD_KEY = "shard"  # in ScanMetadata.options
MERGED_KEY = "merged_shards"  # in the merged inventory's options: what each shard was
# Options that differ between the shards of one scan by design (the rest must be equal).
PER_SHARD_OPTIONS = (SHARD_KEY, "search_fallback")
MAX_SHARDS = 1000
MISSING_SHARD_CODE = "ShardMissing"

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def owns(self, account_id: str) -> bool:
        """Whether this shard scans ``account_id``."""
        return shard_of(account_id, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str, source: str = "--shard") -> Shard:
    """``"2/4"`` -> Shard(2, 4); InputError for anything else (1 <= I <= N <= MAX_SHARDS)."""
    match = _SHARD.match(text)
    if match is None:
        raise InputError(source, f"{text!r} is not I/N (e.g. 1/4: the first of four shards)")
    index, count = int(match.group(1)), int(match.group(2))
    if not 1 <= count <= MAX_SHARDS:
        raise InputError(source, f"the number of shards must be between 1 and {MAX_SHARDS}, not {count}")
    if not 1 <= index <= count:
        raise InputError(source, f"the shard must be between 1 and {count}, not {index}")
    return Shard(index, count)


def shard_of(account_id: str, count: int) -> int:
    """The shard (1-based) of ``account_id`` among ``count``: a hash of the id alone, so an account
    stays in its shard however the organization grows, and every machine computes the same answer."""
    digest = hashlib.sha256(account_id.encode("ascii")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def describe_shard(shard: Shard, selection: Sequence[str]) -> dict[str, Any]:
    """What a shard inventory records about its shard (``metadata.options["shard"]``)."""
    return {"index": shard.index, "count": shard.count, "selection": sorted(selection)}


@dataclass(frozen=True)
class _Part:
    source: str
    inventory: Inventory
    shard: Shard
    selection: tuple[str, ...]


def _part(source: str, inventory: Inventory) -> _Part:
    recorded = inventory.metadata.options.get(SHARD_KEY)
    if not isinstance(recorded, dict):
        raise InputError(source, "is not a shard inventory (it was not scanned with --shard I/N)")
    try:
        shard = Shard(int(recorded["index"]), int(recorded["count"]))
        selection = tuple(str(a) for a in recorded["selection"])
    except (KeyError, TypeError, ValueError):
        raise InputError(source, "the shard record is malformed", location="metadata.options.shard") from None
    if not 1 <= shard.index <= shard.count:
        raise InputError(source, f"shard {shard} is out of range", location="metadata.options.shard")
    return _Part(source, inventory, shard, selection)


def _comparable_options(inventory: Inventory) -> dict[str, Any]:
    return {k: v for k, v in inventory.metadata.options.items() if k not in PER_SHARD_OPTIONS}


def _check_alike(first: _Part, part: _Part) -> None:
    """Every shard must come from the same scan: version, options, regions, selection, shard count."""
    a, b = first.inventory.metadata, part.inventory.metadata
    checks: list[tuple[str, object, object]] = [
        ("number of shards", first.shard.count, part.shard.count),
        ("tool version", a.tool_version, b.tool_version),
        ("inventory schema version", first.inventory.schema_version, part.inventory.schema_version),
        ("regions", sorted(a.regions), sorted(b.regions)),
        ("selection of accounts", first.selection, part.selection),
        ("source", a.source, b.source),
    ]
    for what, expected, found in checks:
        if expected != found:
            raise InputError(
                part.source, f"{what} differs from {first.source}: {found!r} here, {expected!r} there"
            )
    ours, theirs = _comparable_options(part.inventory), _comparable_options(first.inventory)
    if ours != theirs:
        keys = sorted(k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k))
        raise InputError(
            part.source,
            f"scan options differ from {first.source} ({', '.join(keys)}): shards of one scan "
            "must be run with the same options",
        )


def _check_own_accounts(part: _Part) -> None:
    """A shard holds exactly the accounts of the selection it owns, and nothing else."""
    expected = sorted(a for a in part.selection if part.shard.owns(a))
    if sorted(part.inventory.metadata.accounts) != expected:
        raise InputError(
            part.source,
            f"shard {part.shard} should cover accounts {expected} of its selection, "
            f"but records {sorted(part.inventory.metadata.accounts)}",
        )
    for target in part.inventory.targets:
        if not part.shard.owns(target.account_id):
            raise InputError(
                part.source,
                f"target {target.account_id}/{target.region} does not belong to shard {part.shard}",
            )


def merge(parts: Sequence[tuple[str, Inventory]], *, allow_missing: bool = False) -> Inventory:
    """Union shard inventories (each with the file it came from, for messages) into one linked
    inventory of the whole selection.

    InputError (naming the file) when a part is not a shard inventory, two parts overlap or repeat a
    shard, they differ in tool version, options, regions, selection or number of shards, or a shard
    is missing. With ``allow_missing`` a missing shard's accounts are NOT_SCANNED targets with a
    ``ShardMissing`` scan error each (ERROR verdicts, exit 3), never left out silently.
    """
    if not parts:
        raise InputError("auditor merge", "give the shard inventories to merge")
    checked = [_part(source, inv) for source, inv in parts]
    first = checked[0]
    seen: dict[int, str] = {}
    owner: dict[tuple[str, str], str] = {}
    for part in checked:
        _check_alike(first, part)
        if part.shard.index in seen:
            raise InputError(part.source, f"shard {part.shard} was already given as {seen[part.shard.index]}")
        seen[part.shard.index] = part.source
        _check_own_accounts(part)
        for target in part.inventory.targets:
            key = (target.account_id, target.region)
            if key in owner:
                raise InputError(
                    part.source, f"target {key[0]}/{key[1]} is also in {owner[key]}: shards must not overlap"
                )
            owner[key] = part.source

    count = first.shard.count
    missing = [i for i in range(1, count + 1) if i not in seen]
    if missing and not allow_missing:
        given = ", ".join(f"{s} ({p.shard})" for p in checked for s in [p.source])
        names = ", ".join(f"{i}/{count}" for i in missing)
        raise InputError(
            "auditor merge",
            f"shard {names} missing (given: {given}); merge every shard, or pass --allow-missing to "
            "judge the missing accounts as not scanned (ERROR)",
        )
    return _union(checked, missing)


def _union_pricing(parts: list[Pricing | None]) -> Pricing | None:
    """The shards' prices (the first shard's price of a (region, instance type) wins) and notes."""
    given = [p for p in parts if p is not None]
    if not given:
        return None
    prices: dict[tuple[str, str], InstancePrice] = {}
    for pricing in given:
        for price in pricing.prices:
            prices.setdefault((price.region, price.instance_type), price)
    notes = list(dict.fromkeys(n for pricing in given for n in pricing.notes))
    return Pricing(prices=[prices[k] for k in sorted(prices)], notes=notes)


def _union(parts: list[_Part], missing: list[int]) -> Inventory:
    first = parts[0]
    meta = first.inventory.metadata
    regions = list(meta.regions)
    targets: list[Target] = []
    errors: list[ScanError] = []
    seen_errors: set[tuple[object, ...]] = set()
    identities: set[tuple[str, str]] = set()
    api_calls: dict[str, int] = {}
    fallbacks: list[str] = []
    inventory = Inventory(
        metadata=ScanMetadata(tool_version=meta.tool_version, started_at="", finished_at="")
    )
    for part in parts:
        inv = part.inventory
        targets.extend(inv.targets)
        for error in inv.errors:
            # Account-level errors of the hub (e.g. Organizations) are seen by every shard: keep one.
            key = astuple(error)
            if key not in seen_errors:
                seen_errors.add(key)
                errors.append(error)
        identities.update((i.account_id, i.arn) for i in inv.metadata.identities)
        for name, n in inv.metadata.api_calls.items():
            api_calls[name] = api_calls.get(name, 0) + n
        fallbacks.extend(str(f) for f in inv.metadata.options.get("search_fallback") or [])
        for spec in KINDS:
            spec.items(inventory).extend(spec.items(inv))
    for index in missing:
        for account_id in (a for a in first.selection if shard_of(a, first.shard.count) == index):
            targets.extend(
                Target(account_id, region, {d: DatasetStatus.NOT_SCANNED for d in Dataset})
                for region in regions
            )
            errors.append(
                ScanError(
                    account_id=account_id,
                    region=None,
                    service="auditor",
                    operation="Merge",
                    error_code=MISSING_SHARD_CODE,
                    message=f"shard {index}/{first.shard.count} was not merged: this account was not scanned",
                )
            )
    for spec in KINDS:
        spec.items(inventory).sort(key=spec.arn_of)
    inventory.pricing = _union_pricing([p.inventory.pricing for p in parts])
    inventory.targets = sorted(targets, key=lambda t: (t.account_id, t.region))
    inventory.errors = sorted(
        errors,
        key=lambda e: (e.account_id, e.region or "", e.service, e.operation, e.resource or "", e.error_code),
    )
    inventory.metadata = ScanMetadata(
        tool_version=meta.tool_version,
        started_at=min(p.inventory.metadata.started_at for p in parts),
        finished_at=max(p.inventory.metadata.finished_at for p in parts),
        accounts=sorted(first.selection),
        regions=regions,
        identities=[Identity(account_id=a, arn=arn) for a, arn in sorted(identities)],
        api_calls=dict(sorted(api_calls.items())),
        recognisers=list(meta.recognisers),  # the shards' options agree, recognisers included
        options={
            **_comparable_options(first.inventory),
            "search_fallback": sorted(fallbacks),
            MERGED_KEY: {
                "count": first.shard.count,
                "merged": sorted(p.shard.index for p in parts),
                "missing": missing,
            },
        },
        search_disagreements=sorted(
            (d for p in parts for d in p.inventory.metadata.search_disagreements),
            key=lambda d: (d.account_id, d.region, d.dataset, d.name, d.kind),
        ),
        source=meta.source,
    )
    linked = link(inventory)
    linked.metadata.unknown_values = unknown_values(linked)
    return linked
