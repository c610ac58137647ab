"""`auditor merge`: join the inventories of a sharded scan (``auditor scan --shard I/N``) into one."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.inventory import store
from auditor.inventory.shards import MERGED_KEY, merge
from auditor.report.text import safe_text


@click.command("merge")
@click.argument(
    "inventories", nargs=-1, required=True, metavar="SHARD_INVENTORY...", type=click.Path(path_type=Path)
)
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Where to write the merged inventory.json (judge it with `auditor evaluate`).",
)
@click.option(
    "--allow-missing",
    is_flag=True,
    default=False,
    help="Merge even when a shard is missing: its accounts are recorded as not scanned, so every "
    "check about them is ERROR and the gate says incomplete (exit 3), never PASS.",
)
def merge_cmd(inventories: tuple[Path, ...], output: Path, allow_missing: bool) -> int:
    """Union the shard inventories of one sharded scan into one inventory.

    Refuses (exit 2, naming the file) a file that is not a shard inventory, two files of the same
    shard or overlapping targets, shards scanned with another tool version, other options, regions
    or selection of accounts, and -- unless --allow-missing -- a missing shard.
    """
    parts = [(str(path), store.load(path)) for path in inventories]
    merged = merge(parts, allow_missing=allow_missing)
    store.save(merged, output)
    record = merged.metadata.options[MERGED_KEY]
    assert isinstance(record, dict)
    missing = record["missing"]
    click.echo(
        safe_text(
            f"Merged {len(parts)} of {record['count']} shard(s): {len(merged.metadata.accounts)} account(s), "
            f"{len(merged.targets)} target(s), {len(merged.endpoints)} endpoints -> {output}"
        )
    )
    if missing:
        names = ", ".join(f"{i}/{record['count']}" for i in missing)
        click.echo(
            f"auditor: warning: shard(s) {names} missing: their accounts are NOT_SCANNED (ERROR)", err=True
        )
    return 0
