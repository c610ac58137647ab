"""`auditor init`: write a commented example config file."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.config import DEFAULT_CONFIG_NAME, EXAMPLE
from auditor.errors import InputError
from auditor.fileio import check_file_target, write_atomic


@click.command("init")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_CONFIG_NAME)
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
def init(path: Path, force: bool) -> int:
    """Write a commented example config file (default: ./auditor.yaml)."""
    check_file_target(path, "init PATH")
    if path.exists() and not force:
        raise InputError(str(path), "already exists; use --force to overwrite it")
    try:
        write_atomic(path, EXAMPLE)
    except OSError as exc:
        raise InputError(str(path), f"cannot write: {exc.strerror or exc}") from None
    click.echo(f"Wrote {path}. Edit it, then run: auditor scan --config {path}")
    return 0
