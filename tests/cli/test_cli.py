"""The command line: help for every command and option, one-line errors with exit 2."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import click
import pytest

from auditor.cli import cli, main


def _all_commands(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    found: list[tuple[tuple[str, ...], click.Command]] = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(_all_commands(command, path))
    return found


COMMANDS = _all_commands(cli)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_the_expected_commands_exist() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    expected = {
        "scan",
        "evaluate",
        "iac",
        "demo",
        "init",
        "iam-policy",
        "policies",
        "evidence",
        "diff",
        "emulator",
    }
    assert expected <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_and_option_has_help(path: tuple[str, ...], command: click.Command) -> None:
    assert command.help and command.help.strip(), f"{' '.join(path)} has no help text"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help and param.help.strip(), f"{' '.join(path)} {param.opts[0]} has no help"


@pytest.mark.parametrize("command", [(), ("scan",), ("evaluate",)])
def test_help_lists_exit_codes(command: tuple[str, ...]) -> None:
    proc = run(*command, "--help")
    assert proc.returncode == 0
    for code in ("0", "1", "2", "3"):
        assert f"\n    {code} " in proc.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("scan", "--no-such-option"),
        ("evaluate", "--bogus", "x.json"),
        ("nonsense-command",),
        ("policies", "show"),
    ],
)
def test_usage_errors_are_one_line_exit_2(args: tuple[str, ...]) -> None:
    proc = run(*args)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("auditor: error:")
    assert "Traceback" not in proc.stderr


def test_missing_inventory_file_is_one_line_exit_2(tmp_path: Path) -> None:
    proc = run("evaluate", str(tmp_path / "missing.json"), "--output-dir", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "missing.json" in proc.stderr


def test_missing_config_file_is_one_line_exit_2(tmp_path: Path) -> None:
    proc = run("evaluate", "x.json", "--config", str(tmp_path / "nope.yaml"))
    assert proc.returncode == 2
    assert "nope.yaml" in proc.stderr and proc.stderr.count("\n") == 1


def test_unknown_format_is_exit_2(tmp_path: Path) -> None:
    proc = run("evaluate", "x.json", "--format", "json,pdf", cwd=tmp_path)
    assert proc.returncode == 2
    assert "pdf" in proc.stderr


def test_init_writes_a_valid_config_and_refuses_to_overwrite(tmp_path: Path) -> None:
    first = run("init", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "auditor.yaml").is_file()
    second = run("init", cwd=tmp_path)
    assert second.returncode == 2 and "already exists" in second.stderr


def test_demo_without_the_demo_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = importlib.util.find_spec

    def without_moto(name: str, *args: object) -> object:
        return None if name == "moto" else real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", without_moto)
    with pytest.raises(SystemExit) as info:
        main(["demo"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'mm-auditor[demo]'" in err
