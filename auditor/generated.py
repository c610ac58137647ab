"""Files derived from the code, kept in the repository: ``python -m auditor.generated`` rewrites them.

Each published file has one derivation: the JSON Schemas of the inventory, the report and the config
(from their dataclasses and registries), the enums of the policy schema (resource kinds, datasets,
severities), and the IAM actions of the deploy templates (from the operations the scanner modules
declare). ``tests/test_generated.py`` holds every file equal to its derivation, so adding a resource
kind, a format or an API call never means editing these files by hand.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from auditor import config
from auditor.inventory import store
from auditor.policy.schemas import POLICY_SCHEMA_FILE, derived_policy_schema
from auditor.report import json_report
from auditor.scan.permissions import iam_policy_document

PACKAGE = Path(__file__).resolve().parent
REPOSITORY = PACKAGE.parent  # the deploy templates exist only in a source checkout


def _json(data: Any, *, sort_keys: bool = True) -> str:
    return json.dumps(data, indent=2, sort_keys=sort_keys, ensure_ascii=False) + "\n"


_ACTIONS = re.compile(r"(?P<head>^ *Action:\n)(?P<items>(?: *- [^\n]+\n)+)", re.MULTILINE)


def _cloudformation_role(current: str) -> str:
    """The member-role template with its Action list replaced by the generated one."""
    actions = iam_policy_document()["Statement"][0]["Action"]

    def replace(match: re.Match[str]) -> str:
        indent = re.match(r" *", match.group("items"))
        pad = indent.group(0) if indent else ""
        return match.group("head") + "".join(f"{pad}- {a}\n" for a in actions)

    updated, count = _ACTIONS.subn(replace, current, count=1)
    if count != 1:
        raise ValueError("no `Action:` list found in the CloudFormation role template")
    return updated


def outputs() -> dict[Path, Callable[[str], str]]:
    """Every generated file and how to produce its text from the current text."""
    return {
        PACKAGE / "inventory" / store.SCHEMA_FILE: lambda _: _json(store.derived_schema()),
        PACKAGE / "report" / json_report.SCHEMA_FILE: lambda _: _json(json_report.derived_schema()),
        PACKAGE / config.SCHEMA_FILE: lambda _: _json(config.derived_schema()),
        PACKAGE / "policy" / POLICY_SCHEMA_FILE: lambda _: _json(
            derived_policy_schema(),
            sort_keys=False,  # hand-ordered: the condition language reads top-down
        ),
        REPOSITORY / "deploy" / "terraform" / "auditor-role" / "policy.json": lambda _: _json(
            iam_policy_document(),
            sort_keys=False,  # IAM's conventional order: Version, then Statement
        ),
        REPOSITORY / "deploy" / "cloudformation" / "auditor-role.yaml": _cloudformation_role,
    }


def stale() -> list[Path]:
    """The generated files whose content differs from their derivation."""
    out = []
    for path, produce in outputs().items():
        current = path.read_text(encoding="utf-8")
        if produce(current) != current:
            out.append(path)
    return out


def main() -> int:
    """Rewrite every generated file; print what changed."""
    for path, produce in outputs().items():
        current = path.read_text(encoding="utf-8")
        text = produce(current)
        if text != current:
            path.write_text(text, encoding="utf-8")
            print(f"rewrote {path.relative_to(REPOSITORY)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
