"""`auditor emulator`: run the local AWS (moto + the Model Monitor extension) as a server, seeded.

For trying the auditor or the AWS CLI without an AWS account: everything listens on 127.0.0.1 only.
moto is imported only when the command runs, so the rest of the CLI works without the demo extra.
"""

from __future__ import annotations

import importlib.util
import re
import threading

import click

from auditor.errors import InputError

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


def _parse_regions(value: str) -> tuple[str, ...]:
    regions = tuple(r.strip() for r in value.split(",") if r.strip())
    if not regions:
        raise InputError("--regions", "give at least one region, e.g. us-east-1,eu-west-1")
    for region in regions:
        if not _REGION.match(region):
            raise InputError("--regions", f"{region!r} is not a region name like us-east-1")
    if len(set(regions)) != len(regions):
        raise InputError("--regions", "a region is listed twice")
    return regions


@click.command("emulator")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=5000,
    show_default=True,
    help="Port on 127.0.0.1 (0 = any free).",
)
@click.option(
    "--seed",
    "seed_mode",
    type=click.Choice(["sample", "none"]),
    default="sample",
    show_default=True,
    help="'sample': create the sample organization; 'none': start empty.",
)
@click.option(
    "--accounts", type=click.IntRange(1, 50), default=3, show_default=True, help="Member accounts to create."
)
@click.option(
    "--regions", default="us-east-1,eu-west-1", show_default=True, metavar="R1,R2", help="Regions to seed."
)
@click.option(
    "--endpoints-per-region",
    type=click.IntRange(1, 10000),
    default=None,
    help="Build a synthetic scale estate with this many endpoints per account and region "
    "instead of the curated sample (for benchmarks).",
)
@click.option(
    "--latency", type=click.FloatRange(0, 10), default=0.0, show_default=True, help="Seconds added per call."
)
def emulator(
    port: int, seed_mode: str, accounts: int, regions: str, endpoints_per_region: int | None, latency: float
) -> int:
    """Run a local AWS with SageMaker Model Monitor support until Ctrl-C.

    Needs the demo extra: pip install 'mm-auditor[demo]'. Prints the environment to export so the
    AWS CLI, boto3 or `auditor scan --endpoint-url ...` talk to it.
    """
    region_list = _parse_regions(regions)
    if seed_mode == "none" and endpoints_per_region is not None:
        raise InputError("--endpoints-per-region", "needs --seed sample")
    if importlib.util.find_spec("moto") is None:
        raise InputError(
            "auditor emulator", "the local AWS needs the demo extra: pip install 'mm-auditor[demo]'"
        )
    from auditor.emulator import EstateSpec, LocalAws, build_estate
    from auditor.emulator.server import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY, MANAGEMENT_ACCOUNT_ID

    try:
        aws = LocalAws.start(port=port, latency=latency)
    except OSError as exc:
        raise InputError("--port", f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from exc
    with aws:
        click.echo(f"Local AWS listening on {aws.endpoint_url} (127.0.0.1 only)")
        if seed_mode == "sample":
            click.echo("Seeding the sample organization through boto3 ...")
            spec = EstateSpec(
                accounts=accounts, regions=region_list, endpoints_per_region=endpoints_per_region
            )
            estate = build_estate(aws, spec)
            endpoints = sum(1 for c in estate.cases if c.kind == "endpoint")
            click.echo(
                f"Seeded {len(estate.member_account_ids)} member accounts x {len(estate.regions)} regions, "
                f"{endpoints} endpoints."
            )
            click.echo(f"  management account: {estate.management_account_id}")
            click.echo(f"  member accounts:    {', '.join(estate.member_account_ids)}")
            click.echo(f"  auditor role:       {estate.role_name} (in every member account)")
        else:
            click.echo(f"Empty (no resources). Management account: {MANAGEMENT_ACCOUNT_ID}")
        click.echo("\nAs the management account (for `auditor scan --org`; fake credentials, local only):")
        click.echo(f"  export AWS_ENDPOINT_URL={aws.endpoint_url}")
        click.echo(f"  export AWS_ACCESS_KEY_ID={FAKE_ACCESS_KEY_ID}")
        click.echo(f"  export AWS_SECRET_ACCESS_KEY={FAKE_SECRET_ACCESS_KEY}")
        click.echo("  unset AWS_SESSION_TOKEN AWS_PROFILE")
        click.echo(f"  export AWS_DEFAULT_REGION={region_list[0]}")
        if seed_mode == "sample":
            click.echo(
                f"  auditor scan --org --role-name {estate.role_name} --regions {','.join(region_list)} "
                f"--endpoint-url {aws.endpoint_url}"
            )
            member = estate.member_account_ids[0]
            credentials = aws.session(member, region_list[0]).get_credentials()
            click.echo(f"\nAs member account {member} (to browse its resources with the AWS CLI or boto3):")
            click.echo(f"  export AWS_ENDPOINT_URL={aws.endpoint_url}")
            click.echo(f"  export AWS_ACCESS_KEY_ID={credentials.access_key}")
            click.echo(f"  export AWS_SECRET_ACCESS_KEY={credentials.secret_key}")
            click.echo(f"  export AWS_SESSION_TOKEN={credentials.token}")
            click.echo(f"  export AWS_DEFAULT_REGION={region_list[0]}")
            click.echo("  aws sagemaker list-monitoring-schedules")
        click.echo("\nServing until Ctrl-C.", nl=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("\nStopping the local AWS.")
    return 0
