"""Waivers: time-boxed, owned exceptions that turn a FAIL into WAIVED.

A waivers file (schema ``waivers.schema.json``)::

    waivers:
      - id: W-2026-014
        policy: mm-data-quality-monitor
        resources: {arn: "arn:aws:sagemaker:*:111122223333:endpoint/legacy-*", tags: {team: risk}}
        reason: Legacy model, replaced by churn-v4 in December
        owner: ml-platform@example.com
        expires: 2026-12-31

The selector's fields (ARN glob, account, region, tags with glob values) must all match. A waiver
applies through its expiry day (UTC). Once expired, the finding is a FAIL again with the waiver
attached (``expired=True``). Waivers never turn ERROR (data not collected) into WAIVED.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path

from auditor.errors import InputError
from auditor.fileio import read_text
from auditor.policy.schemas import WAIVERS_SCHEMA_FILE, validate
from auditor.policy.yamlsrc import load_yaml


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


def parse_waivers(text: str, source: str) -> list[Waiver]:
    """Parse and validate waivers text; InputError naming ``source``, line and field on any problem."""
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
        validate(item, schema=WAIVERS_SCHEMA_FILE, definition="waiver", smap=smap, base=("waivers", i))
        try:
            expires = date.fromisoformat(item["expires"])
        except ValueError:
            raise smap.error(("waivers", i, "expires"), f"not a valid date: {item['expires']!r}") from None
        if item["id"] in seen:
            raise smap.error(("waivers", i, "id"), f"duplicate waiver id {item['id']!r}")
        seen.add(item["id"])
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


def load_waivers(path: Path) -> list[Waiver]:
    """Load a waivers file; InputError on any problem (the expiry date is required)."""
    return parse_waivers(read_text(path), str(path))
