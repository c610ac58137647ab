"""Sharded scans end to end: `auditor scan --shard I/4` four times over real HTTP against the local AWS,
`auditor merge`, `auditor evaluate` -- the same report.json as one unsharded scan (run metadata aside),
and a missing or foreign shard is refused (exit 2) or judged ERROR (exit 3), never PASS."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import run
from auditor.emulator import Estate, LocalAws, build_estate
from auditor.errors import InputError
from auditor.inventory import store
from auditor.inventory.shards import MISSING_SHARD_CODE, SHARD_KEY, Shard, parse_shard, shard_of
from auditor.results import Verdict
from auditor.scan.options import scan_options_from_flags

pytestmark = pytest.mark.e2e

SHARDS = 4


@dataclass(frozen=True)
class Sharded:
    estate: Estate
    root: Path
    full_exit: int
    shard_exits: tuple[int, ...]

    def shard(self, index: int) -> Path:
        return self.root / f"shard-{index}" / "inventory.json"

    def all_shards(self) -> list[str]:
        return [str(self.shard(i)) for i in range(1, SHARDS + 1)]


def _scan(aws: LocalAws, estate: Estate, out: Path, *extra: str) -> int:
    args = ["scan", "--org", "--role-name", estate.role_name, "--regions", ",".join(estate.regions)]
    args += ["--endpoint-url", aws.endpoint_url, "--output-dir", str(out), "--format", "json", "--quiet"]
    args += ["--history", "none"]
    return run([*args, *extra])


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sharded]:
    root = tmp_path_factory.mktemp("sharded")
    with pytest.MonkeyPatch.context() as env, LocalAws.start() as aws:
        for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AUDITOR_CONFIG"):
            env.delenv(key, raising=False)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        env.setenv("AWS_CONFIG_FILE", "/dev/null")
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        aws.reset()
        estate = build_estate(aws)
        full = _scan(aws, estate, root / "full")
        shards = tuple(
            _scan(aws, estate, root / f"shard-{i}", "--shard", f"{i}/{SHARDS}") for i in range(1, 5)
        )
        yield Sharded(estate, root, full, shards)


def _report(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _without_run_metadata(report: dict[str, Any]) -> dict[str, Any]:
    """report.json minus what describes the run rather than the estate: times, call counts, options."""
    body = dict(report)
    for key in ("generated_at", "inventory_digest"):
        body.pop(key, None)
    scan = dict(body.pop("scan", {}))
    for key in ("started_at", "finished_at", "api_calls", "options"):
        scan.pop(key, None)
    return {**body, "scan": scan}


def test_every_shard_holds_only_its_accounts(sharded: Sharded) -> None:
    accounts = sorted([sharded.estate.management_account_id, *sharded.estate.member_account_ids])
    seen: list[str] = []
    for index in range(1, SHARDS + 1):
        inv = store.load(sharded.shard(index))
        record = inv.metadata.options[SHARD_KEY]
        assert record == {"index": index, "count": SHARDS, "selection": accounts}
        assert inv.metadata.accounts == [a for a in accounts if shard_of(a, SHARDS) == index]
        assert {t.account_id for t in inv.targets} == set(inv.metadata.accounts)
        seen += inv.metadata.accounts
    assert sorted(seen) == accounts  # no account twice, none left out
    assert len({shard_of(a, SHARDS) for a in accounts}) >= 2  # the estate really is split


def test_merged_shards_judge_exactly_like_one_scan(sharded: Sharded) -> None:
    merged = sharded.root / "merged.json"
    assert run(["merge", *sharded.all_shards(), "-o", str(merged)]) == 0
    out = sharded.root / "merged-run"
    code = run(
        [
            "evaluate",
            str(merged),
            "--output-dir",
            str(out),
            "--format",
            "json",
            "--quiet",
            "--history",
            "none",
        ]
    )
    assert code == sharded.full_exit == 1  # the sample estate has failures
    full = _report(sharded.root / "full" / "report.json")
    joined = _report(out / "report.json")
    assert len(full["findings"]) > 50
    assert _without_run_metadata(joined) == _without_run_metadata(full)
    assert (
        store.load(merged).metadata.accounts
        == store.load(sharded.root / "full" / "inventory.json").metadata.accounts
    )


def test_judging_one_shard_says_it_is_only_a_shard(
    sharded: Sharded, capsys: pytest.CaptureFixture[str]
) -> None:
    out = sharded.root / "one-shard-run"
    run(
        ["evaluate", str(sharded.shard(1)), "--output-dir", str(out), "--format", "json", "--history", "none"]
    )
    printed = capsys.readouterr().out
    assert f"Shard 1/{SHARDS} of a sharded scan: only its accounts are judged here" in printed
    assert "auditor merge" in printed


def test_a_missing_shard_is_refused_naming_it(sharded: Sharded, capsys: pytest.CaptureFixture[str]) -> None:
    given = sharded.all_shards()[:2] + sharded.all_shards()[3:]
    assert run(["merge", *given, "-o", str(sharded.root / "never.json")]) == 2
    err = capsys.readouterr().err
    assert f"shard 3/{SHARDS} missing" in err and "--allow-missing" in err
    assert not (sharded.root / "never.json").exists()


def test_a_missing_shard_allowed_is_error_never_pass(sharded: Sharded) -> None:
    accounts = sorted([sharded.estate.management_account_id, *sharded.estate.member_account_ids])
    # Leave out a shard that has accounts, so the gap is real.
    gap = next(i for i in range(1, SHARDS + 1) if any(shard_of(a, SHARDS) == i for a in accounts))
    lost = {a for a in accounts if shard_of(a, SHARDS) == gap}
    given = [p for i, p in enumerate(sharded.all_shards(), start=1) if i != gap]
    merged = sharded.root / "gap.json"
    assert run(["merge", *given, "-o", str(merged), "--allow-missing"]) == 0
    inv = store.load(merged)
    assert {e.account_id for e in inv.errors if e.error_code == MISSING_SHARD_CODE} == lost
    out = sharded.root / "gap-run"
    code = run(
        [
            "evaluate",
            str(merged),
            "--output-dir",
            str(out),
            "--format",
            "json",
            "--quiet",
            "--fail-on",
            "low",
            "--history",
            "none",
        ]
    )
    assert code in (1, 3)
    findings = _report(out / "report.json")["findings"]
    about_lost = [f for f in findings if f["account_id"] in lost]
    assert about_lost and all(f["verdict"] == Verdict.ERROR.value for f in about_lost)
    assert not any(f["verdict"] == Verdict.PASS.value for f in about_lost)


def test_the_same_shard_twice_or_a_whole_scan_is_refused(
    sharded: Sharded, capsys: pytest.CaptureFixture[str]
) -> None:
    first = sharded.all_shards()[0]
    assert run(["merge", first, first, "-o", str(sharded.root / "twice.json")]) == 2
    assert "was already given" in capsys.readouterr().err
    whole = str(sharded.root / "full" / "inventory.json")
    assert run(["merge", first, whole, "-o", str(sharded.root / "whole.json")]) == 2
    assert f"{whole}: is not a shard inventory" in capsys.readouterr().err


def test_shards_of_different_scans_are_refused(sharded: Sharded, capsys: pytest.CaptureFixture[str]) -> None:
    other = sharded.root / "other-version.json"
    inv = store.load(sharded.shard(2))
    inv.metadata.tool_version = "0.0.1"
    store.save(inv, other)
    given = [sharded.all_shards()[0], str(other), *sharded.all_shards()[2:]]
    assert run(["merge", *given, "-o", str(sharded.root / "x.json")]) == 2
    assert f"{other}: tool version differs" in capsys.readouterr().err

    options = sharded.root / "other-options.json"
    inv = store.load(sharded.shard(2))
    inv.metadata.options["search"] = False
    store.save(inv, options)
    given = [sharded.all_shards()[0], str(options), *sharded.all_shards()[2:]]
    assert run(["merge", *given, "-o", str(sharded.root / "x.json")]) == 2
    assert f"{options}: scan options differ" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "message"),
    [("1/0", "between 1 and"), ("5/4", "between 1 and 4"), ("0/4", "between 1 and 4"), ("a/b", "is not I/N")],
)
def test_a_bad_shard_is_an_input_error(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_shard(text)


def test_the_assignment_is_stable_and_spread() -> None:
    ids = [f"{n:012d}" for n in range(1000, 3000)]
    counts = Counter(shard_of(a, 8) for a in ids)
    assert set(counts) == set(range(1, 9))
    assert max(counts.values()) < 1.3 * len(ids) / 8  # about even
    assert [shard_of(a, 8) for a in ids] == [Shard(shard_of(a, 8), 8).index for a in ids]
    assert all(Shard(shard_of(a, 8), 8).owns(a) for a in ids)


def test_an_accounts_file(tmp_path: Path) -> None:
    good = tmp_path / "accounts.txt"
    good.write_text("# the payments OU\n111111111111\n\n222222222222  # data team\n111111111111\n")
    options = scan_options_from_flags(accounts_file=str(good), shard="2/3")
    assert options.accounts == ("111111111111", "222222222222")
    assert options.shard == Shard(2, 3)
    bad = tmp_path / "bad.txt"
    bad.write_text("111111111111\n12345\n")
    with pytest.raises(InputError, match=r"bad.txt:2: '12345' is not a 12-digit"):
        scan_options_from_flags(accounts_file=str(bad))
    with pytest.raises(InputError, match="cannot be combined with --accounts"):
        scan_options_from_flags(accounts_file=str(good), accounts="333333333333")
