"""Waivers: time-boxed, owned exceptions that turn a FAIL into WAIVED.

A waivers file (schema ``waivers.schema.json``)::

    waivers:
      - id: W-2026-014
        policy: mm-data-quality-monitor
        resources: {arn: "arn:aws:sagemaker:*:111122223333:endpoint/legacy-*", tags: {team: risk}}
        reason: Legacy model, replaced by churn-v4 in December
        owner: ml-platform@example.com
        expires: 2026-12-31

The selector's fields (ARN glob, account, region, tags with glob values) must all match, and each
must select something specific: an ARN whose resource name is only wildcards, account ``*``, a
wildcard-only region or an empty tag map would quietly match every resource, and are rejected. A
waiver names a policy of the loaded policy set (a typo is an error, with a suggestion), and expires
at most ``max_days`` after the run (default a year: a waiver is renewed, not forgotten). It applies
through its expiry day (UTC). Once expired, the finding is a FAIL again with the waiver attached
(``expired=True``). Waivers never turn ERROR (data not collected) into WAIVED.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from auditor.errors import InputError, did_you_mean
from auditor.fileio import read_text
from auditor.policy.schemas import WAIVERS_SCHEMA_FILE, validate
from auditor.policy.yamlsrc import FieldPath, SourceMap, load_yaml

DEFAULT_MAX_DAYS = 365
_WILDCARDS = re.compile(r"\[[^\]]*\]|[*?]")  # fnmatch: *, ?, [...]


@dataclass(frozen=True)
class Waiver:
    id: str
    policy_id: str
    reason: str
    owner: str
    expires: date
    arn: str | None = None
    account: str | None = None
    region: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def matches(self, arn: str, account_id: str, region: str, tags: dict[str, str]) -> bool:
        """Whether the selector covers this resource."""
        if self.arn is not None and not fnmatchcase(arn, self.arn):
            return False
        if self.account is not None and self.account not in ("*", account_id):
            return False
        if self.region is not None and not fnmatchcase(region, self.region):
            return False
        return all(k in tags and fnmatchcase(tags[k], v) for k, v in self.tags.items())

    def expired_on(self, day: date) -> bool:
        """True when ``day`` is after the expiry date."""
        return day > self.expires

    def selector_text(self) -> str:
        """A readable rendering of the selector."""
        parts = []
        if self.arn is not None:
            parts.append(f"arn={self.arn}")
        if self.account is not None:
            parts.append(f"account={self.account}")
        if self.region is not None:
            parts.append(f"region={self.region}")
        parts.extend(f"tag:{k}={v}" for k, v in sorted(self.tags.items()))
        return ", ".join(parts)


def _wildcards_only(pattern: str) -> bool:
    """``*``, ``?*``, ``[a-z]*``: matches anything of any length or shape (an empty pattern does not)."""
    return pattern != "" and _WILDCARDS.sub("", pattern) == ""


def _check_selector(sel: Any, smap: SourceMap, base: FieldPath) -> None:
    """Reject selector fields that would match every resource (see the module docstring)."""
    if not isinstance(sel, dict):
        return  # the schema says what is wrong
    where = (*base, "resources")
    arn = sel.get("arn")
    if isinstance(arn, str):
        name = re.split(r"[/:]", arn)[-1]
        if _wildcards_only(name):
            raise smap.error(
                (*where, "arn"),
                f"{arn!r} selects every resource: its resource name is only wildcards. Name the resources "
                "(e.g. arn:aws:sagemaker:*:111122223333:endpoint/legacy-*), or select by account, "
                "region or tags",
            )
    if sel.get("account") == "*":
        message = "'*' selects every account: give a 12-digit account id or leave it out"
        raise smap.error((*where, "account"), message)
    region = sel.get("region")
    if isinstance(region, str) and _wildcards_only(region):
        raise smap.error((*where, "region"), f"{region!r} selects every region: name one, or leave it out")
    tags = sel.get("tags")
    if isinstance(tags, dict) and not tags:
        raise smap.error((*where, "tags"), "an empty tag map selects every resource: name at least one tag")


def _check_expiry(expires: date, today: date, max_days: int, smap: SourceMap, where: FieldPath) -> None:
    latest = today + timedelta(days=max_days)
    if expires > latest:
        raise smap.error(
            where,
            f"{expires.isoformat()} is more than {max_days} days away: a waiver may run until "
            f"{latest.isoformat()} at the latest (the horizon is waiver_max_days: {max_days}, "
            "set in auditor.yaml)",
        )


def parse_waivers(
    text: str,
    source: str,
    *,
    known_policies: Collection[str] | None = None,
    max_days: int = DEFAULT_MAX_DAYS,
    today: date | None = None,
) -> list[Waiver]:
    """Parse and validate waivers text; InputError naming ``source``, line and field on any problem.

    ``known_policies``: the ids a waiver may name (None: any). ``max_days``: how far after ``today``
    (default: the current UTC date) a waiver may expire.
    """
    today = today or datetime.now(UTC).date()
    data, smap = load_yaml(text, source)
    if data is None:
        raise InputError(source, "empty waivers file (expected `waivers:` with a list)")
    if not isinstance(data, dict):
        raise InputError(source, "a waivers file must be a mapping with `waivers:`")
    extra = sorted(set(data) - {"waivers"})
    if extra:
        raise smap.error((extra[0],), f"unknown key {extra[0]!r} (a waivers file has only `waivers:`)")
    items = data.get("waivers")
    if not isinstance(items, list):
        raise smap.error(("waivers",), "waivers must be a list")
    out: list[Waiver] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        if isinstance(item, dict):
            _check_selector(item.get("resources"), smap, ("waivers", i))
        validate(item, schema=WAIVERS_SCHEMA_FILE, definition="waiver", smap=smap, base=("waivers", i))
        try:
            expires = date.fromisoformat(item["expires"])
        except ValueError:
            raise smap.error(("waivers", i, "expires"), f"not a valid date: {item['expires']!r}") from None
        _check_expiry(expires, today, max_days, smap, ("waivers", i, "expires"))
        if item["id"] in seen:
            raise smap.error(("waivers", i, "id"), f"duplicate waiver id {item['id']!r}")
        seen.add(item["id"])
        if known_policies is not None and item["policy"] not in known_policies:
            raise smap.error(
                ("waivers", i, "policy"),
                f"unknown policy {item['policy']!r}{did_you_mean(item['policy'], known_policies)}",
            )
        sel = item["resources"]
        out.append(
            Waiver(
                id=item["id"],
                policy_id=item["policy"],
                reason=item["reason"],
                owner=item["owner"],
                expires=expires,
                arn=sel.get("arn"),
                account=sel.get("account"),
                region=sel.get("region"),
                tags=dict(sel.get("tags") or {}),
                source=source,
            )
        )
    return out


def load_waivers(
    path: Path,
    *,
    known_policies: Collection[str] | None = None,
    max_days: int = DEFAULT_MAX_DAYS,
    today: date | None = None,
) -> list[Waiver]:
    """Load a waivers file; InputError on any problem (the expiry date is required). See ``parse_waivers``."""
    return parse_waivers(
        read_text(path), str(path), known_policies=known_policies, max_days=max_days, today=today
    )
