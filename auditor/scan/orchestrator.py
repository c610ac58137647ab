"""The scan: resolve accounts and regions, enter each account, collect every (account, region)
concurrently, link the result, and describe the run in ScanMetadata."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from pathlib import Path

import boto3

from auditor import __version__
from auditor.errors import InputError
from auditor.inventory.cost import wanted_prices
from auditor.inventory.enums import unknown_values
from auditor.inventory.kinds import KINDS
from auditor.inventory.model import (
    Dataset,
    DatasetStatus,
    Identity,
    Inventory,
    ScanError,
    ScanMetadata,
    Target,
)
from auditor.inventory.relations import link
from auditor.inventory.shards import SHARD_KEY, describe_shard
from auditor.scan import accounts, regions, sessions
from auditor.scan.clients import AWS_ERRORS, RegionApi, Runtime, scan_error
from auditor.scan.options import ScanOptions
from auditor.scan.permissions import allowed_operations
from auditor.scan.pricing import PRICE_LIST_REGION, resolve_prices
from auditor.scan.progress import ScanProgress
from auditor.scan.region import RegionResult, scan_region
from auditor.scan.sessions import AccountSession, CredentialsUnavailableError

__all__ = ["CredentialsUnavailableError", "ScanProgress", "scan"]

# How often a running scan reports progress when no (account, region) finishes in between: API calls
# and errors keep counting while one large region is scanned.
PROGRESS_TICK_SECONDS = 1.0


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def scan(
    options: ScanOptions,
    *,
    progress: Callable[[ScanProgress], None] | None = None,
    session: boto3.Session | None = None,
) -> Inventory:
    """Scan and return a linked Inventory.

    ``session`` holds the base credentials (the hub's); without it they come from the standard chain
    or ``options.profile``. A session and a profile together are an input error.

    Never raises for AWS errors (they become ScanError records and FAILED / NOT_SCANNED targets).
    Raises InputError for bad options, CredentialsUnavailableError when even the base credentials
    cannot be used, and StsUnavailableError (an IncompleteError) when STS cannot be asked who they
    are (failing, throttled or unreachable after every retry).
    """
    started = _now()
    options.validate()
    explicit_accounts = accounts.validate_account_ids(options.accounts)
    ous = accounts.validate_ou_ids(options.ous)
    runtime = Runtime(
        allowed=allowed_operations(),
        endpoint_url=options.endpoint_url,
        per_service_concurrency=options.per_service_concurrency,
        max_attempts=options.max_attempts,
        read_timeout=options.read_timeout,
        adaptive=options.adaptive_concurrency,
    )
    if session is not None and options.profile:
        raise InputError(options.profile_source, "a session was given: its credentials replace the profile")
    base = (
        session
        if session is not None
        else sessions.base_session(options.profile, source=options.profile_source)
    )
    wanted_regions: tuple[str, ...] | None = None
    if isinstance(options.regions, tuple):
        wanted_regions = regions.validate_regions(base, options.regions)
    elif options.regions is None:
        wanted_regions = (regions.default_region(base),)

    hub = sessions.caller_identity(runtime, base)
    errors: list[ScanError] = []

    if wanted_regions is None:  # --regions all
        try:
            wanted_regions = tuple(regions.enabled_sagemaker_regions(runtime, base))
        except AWS_ERRORS as exc:
            errors.append(scan_error(exc, hub.account_id, None, "ec2", "DescribeRegions", None))
            wanted_regions = (regions.default_region(base),) if base.region_name else ()

    account_ids = list(explicit_accounts)
    if options.org:
        try:
            org_accounts = accounts.organization_accounts(runtime, base, ous)
        except AWS_ERRORS as exc:
            operation = "ListAccountsForParent" if ous else "ListAccounts"
            errors.append(scan_error(exc, hub.account_id, None, "organizations", operation, None))
            org_accounts = []
        account_ids.extend(a for a in org_accounts if a not in account_ids)
    if not explicit_accounts and not options.org:
        account_ids = [hub.account_id]
    account_ids.sort()
    selection = list(account_ids)
    if options.shard is not None:  # this machine scans only its shard of the selection
        account_ids = [a for a in selection if options.shard.owns(a)]

    entered, not_scanned, entry_errors = _enter_accounts(runtime, base, hub, account_ids, options)
    errors.extend(entry_errors)
    targets: list[Target] = [
        Target(account_id=a, region=r, datasets={d: DatasetStatus.NOT_SCANNED for d in Dataset})
        for a in not_scanned
        for r in wanted_regions
    ]

    jobs = [(acct, region) for acct in sorted(entered) for region in wanted_regions]
    results: list[RegionResult] = []
    apis: list[RegionApi] = []
    done_accounts: dict[str, int] = {}

    def report(last: str | None) -> None:
        if progress is None:
            return
        finished = sum(1 for a, n in done_accounts.items() if n == len(wanted_regions)) + len(not_scanned)
        progress(
            ScanProgress(
                accounts_total=len(account_ids),
                accounts_done=finished,
                targets_total=len(jobs),
                targets_done=len(results),
                api_calls=runtime.counter.total(),
                errors=len(errors) + sum(len(a.errors) for a in apis),
                last_target=last,
            )
        )

    report(None)
    # Jobs are submitted account by account, so about ``max_accounts`` accounts are in flight at once.
    pool = ThreadPoolExecutor(max_workers=options.targets_in_flight(len(wanted_regions)))
    try:
        futures: dict[Future[RegionResult], tuple[str, str]] = {}
        for acct, region in jobs:
            api = RegionApi(runtime, entered[acct].session, acct, region)
            apis.append(api)
            futures[pool.submit(scan_region, api, options)] = (acct, region)
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=PROGRESS_TICK_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                acct, region = futures[future]
                results.append(future.result())
                done_accounts[acct] = done_accounts.get(acct, 0) + 1
                report(f"{acct}/{region}")
            if not done:
                report(None)  # a tick: the calls and errors so far
    except BaseException:
        # Ctrl-C (or a bug): stop promptly instead of finishing every region first. Queued regions are
        # dropped and running ones stop at their next API call.
        runtime.cancelled.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()

    for api in apis:
        errors.extend(api.errors)
    inventory = _assemble(results, targets, errors)
    # The cost view's prices: once per scan, with the hub's credentials (see auditor.scan.pricing).
    pricing_api = (
        RegionApi(runtime, base, hub.account_id, PRICE_LIST_REGION) if options.price_list_api else None
    )
    inventory.pricing = resolve_prices(
        pricing_api,
        wanted_prices(inventory),
        price_table=Path(options.price_table) if options.price_table else None,
    )
    identities = {(hub.account_id, hub.arn)} | {
        (s.identity.account_id, s.identity.arn) for s in entered.values()
    }
    fallbacks = sorted(
        f"{r.target.account_id}/{r.target.region}:{r.search_fallback}" for r in results if r.search_fallback
    )
    inventory.metadata = ScanMetadata(
        tool_version=__version__,
        started_at=started,
        finished_at=_now(),
        accounts=account_ids,
        regions=list(wanted_regions),
        identities=[Identity(account_id=a, arn=arn) for a, arn in sorted(identities)],
        api_calls=runtime.counter.snapshot(),
        options={**options.describe(), "search_fallback": fallbacks, **_shard_record(options, selection)},
        search_disagreements=sorted(
            (d for r in results for d in r.disagreements),
            key=lambda d: (d.account_id, d.region, d.dataset, d.name, d.kind),
        ),
        recognisers=list(options.recognisers),
    )
    linked = link(inventory)
    linked.metadata.unknown_values = unknown_values(linked)
    return linked


def _shard_record(options: ScanOptions, selection: list[str]) -> dict[str, object]:
    """``{"shard": ...}`` for a shard scan (what ``auditor merge`` checks), nothing otherwise."""
    if options.shard is None:
        return {}
    return {SHARD_KEY: describe_shard(options.shard, selection)}


def _enter_accounts(
    runtime: Runtime,
    base: boto3.Session,
    hub: Identity,
    account_ids: list[str],
    options: ScanOptions,
) -> tuple[dict[str, AccountSession], list[str], list[ScanError]]:
    """AssumeRole into each account (the caller's own account uses the base session)."""
    entered: dict[str, AccountSession] = {}
    failed: list[str] = []
    errors: list[ScanError] = []

    def enter(account_id: str) -> AccountSession | ScanError:
        if account_id == hub.account_id:
            return AccountSession(account_id=account_id, session=base, identity=hub)
        role_arn = options.role_arn(account_id)
        try:
            return sessions.assume_role_session(
                runtime,
                base,
                account_id,
                role_arn=role_arn,
                session_name=options.session_name,
                external_id=options.external_id,
            )
        except AWS_ERRORS as exc:
            return scan_error(exc, account_id, None, "sts", "AssumeRole", None, resource=role_arn)

    workers = options.max_workers or min(options.max_accounts, max(1, len(account_ids)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for account_id, outcome in zip(account_ids, pool.map(enter, account_ids), strict=True):
            if isinstance(outcome, ScanError):
                failed.append(account_id)
                errors.append(outcome)
            else:
                entered[account_id] = outcome
    return entered, failed, errors


def _assemble(results: list[RegionResult], targets: list[Target], errors: list[ScanError]) -> Inventory:
    inventory = Inventory(metadata=ScanMetadata(tool_version=__version__, started_at="", finished_at=""))
    inventory.targets = targets + [r.target for r in results]
    for spec in KINDS:
        if not spec.collected:
            continue
        items = spec.items(inventory)
        for r in results:
            items.extend(r.resources.get(spec.kind, ()))
        items.sort(key=spec.arn_of)
    inventory.targets.sort(key=lambda t: (t.account_id, t.region))
    inventory.errors = sorted(
        errors,
        key=lambda e: (e.account_id, e.region or "", e.service, e.operation, e.resource or "", e.error_code),
    )
    return inventory
