"""The GitHub Actions example installs the auditor the way docs/ci.md says: from its git repository at a
pinned ref (the package is not on PyPI), and runs the commands the CLI has."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "examples" / "github-actions-release-gate.yml"
BRANCHES = {"main", "master", "develop", "trunk", "HEAD", "latest"}


def _workflow() -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _install_lines() -> list[str]:
    steps = [s for job in _workflow()["jobs"].values() for s in job["steps"]]
    return [
        line.strip() for s in steps for line in str(s.get("run", "")).splitlines() if "pip install" in line
    ]


def test_the_auditor_is_installed_from_its_repository_at_a_pinned_ref() -> None:
    (line,) = _install_lines()
    (requirement,) = [a for a in shlex.split(line) if "mm-auditor" in a]
    assert requirement == "mm-auditor @ git+${AUDITOR_REPO}@${AUDITOR_REF}", line  # not the index
    env = _workflow()["env"]
    assert env["AUDITOR_REPO"].startswith("https://")
    ref = str(env["AUDITOR_REF"])
    assert ref not in BRANCHES and (
        re.fullmatch(r"v\d+\.\d+\.\d+", ref) or re.fullmatch(r"[0-9a-f]{40}", ref)
    )


def test_docs_ci_shows_the_same_install_command() -> None:
    (line,) = _install_lines()
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert f"```bash\n{line}\n```" in text
    assert "pip install mm-auditor\n" not in text and "pip install mm-auditor " not in text
