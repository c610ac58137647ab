"""The run folder: locked against a second writer, written through staging, replaced as a set."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from auditor import interrupts
from auditor.errors import InputError
from auditor.inventory.model import Dataset, DatasetStatus, Endpoint, Inventory, ScanMetadata, Target
from auditor.pipeline import OutputOptions, finish, load_judge_inputs
from auditor.report.evidence import files_of_run
from auditor.run_folder import LOCK_FILE, STAGING_PREFIX, RunFolder

RUN_FILES = {"inventory.json", "report.json", "report.html", "run.json"}


def small_inventory() -> Inventory:
    return Inventory(
        metadata=ScanMetadata(
            tool_version="t", started_at="2026-11-27T10:00:00Z", finished_at="2026-11-27T10:01:00Z"
        ),
        targets=[Target("111111111111", "us-east-1", dict.fromkeys(Dataset, DatasetStatus.COMPLETE))],
        endpoints=[
            Endpoint(
                arn="arn:aws:sagemaker:us-east-1:111111111111:endpoint/churn",
                name="churn",
                account_id="111111111111",
                region="us-east-1",
                status="InService",
            )
        ],
    )


def _run(out: Path, folder: RunFolder | None = None, formats: tuple[str, ...] = ("json", "html")) -> None:
    finish(
        small_inventory(),
        load_judge_inputs(),
        OutputOptions(formats=formats, output_dir=out, argv=("auditor", "evaluate")),
        started_at="2026-11-27T18:00:00Z",
        folder=folder,
    )


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_run_lists_every_file_it_wrote_and_leaves_no_lock_or_staging(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(out)
    files = _snapshot(out)
    assert set(files) >= RUN_FILES
    listed = files_of_run(out)
    assert set(listed) == set(files) - {"run.json"}
    assert any(name.startswith("inputs/policies/") for name in listed)
    record = json.loads(files["run.json"])
    for name in listed:
        assert record["files"][name]["size"] == len(files[name])
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_second_writer_is_refused_while_the_first_holds_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with RunFolder.open(out):
        with pytest.raises(InputError, match=r"another auditor run .*pid .* is writing into"):
            RunFolder.open(out)
        with pytest.raises(InputError, match="is writing into"):
            _run(out)
    with RunFolder.open(out):  # released
        pass
    assert not (out / LOCK_FILE).exists()


def test_a_new_run_replaces_the_previous_one_and_keeps_the_users_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(out, formats=("json", "html", "csv", "junit"))
    (out / "NOTES.md").write_text("mine")
    (out / "archive").mkdir()
    (out / "archive" / "old.zip").write_bytes(b"zip")
    _run(out, formats=("json",))
    files = _snapshot(out)
    assert "report.csv" not in files and "junit.xml" not in files and "report.html" not in files
    assert files["NOTES.md"] == b"mine" and files["archive/old.zip"] == b"zip"
    assert set(files_of_run(out)) | {"run.json", "NOTES.md", "archive/old.zip"} == set(files)


def test_an_interrupt_before_the_commit_leaves_the_previous_run_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(out)
    before = _snapshot(out)
    with pytest.raises(interrupts.Interrupted) as info, RunFolder.open(out) as folder:
        (folder.staging() / "report.json").write_text("half of a new run")
        raise interrupts.Interrupted(signal.SIGTERM)
    assert info.value.exit_code == 143
    assert info.value.written == f"nothing was written; {out} still holds the previous run"
    assert _snapshot(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_an_interrupted_run_removes_the_folder_it_created(tmp_path: Path) -> None:
    out = tmp_path / "new" / "deeper" / "out"
    with pytest.raises(KeyboardInterrupt) as info, RunFolder.open(out):
        raise KeyboardInterrupt
    assert isinstance(info.value, interrupts.Interrupted) and info.value.exit_code == 130
    assert info.value.written == f"nothing was written; {out} was not created"
    assert not (tmp_path / "new").exists()


def test_a_signal_during_the_commit_waits_until_the_whole_run_is_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    _run(out, formats=("json", "html", "csv"))
    real_replace = os.replace
    moved: list[str] = []

    def replace_then_signal(src: str | Path, dst: str | Path) -> None:
        real_replace(src, dst)
        if STAGING_PREFIX in str(dst):
            return  # writing the staging folder; the commit moves files out of it
        moved.append(Path(dst).name)
        if len(moved) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C right after the commit moved its first file

    monkeypatch.setattr(os, "replace", replace_then_signal)
    with pytest.raises(interrupts.Interrupted) as info, RunFolder.open(out) as folder:
        _run(out, folder, formats=("json", "markdown"))
    monkeypatch.undo()
    assert len(moved) > 3  # the commit went on after the signal
    assert info.value.written == f"the run was already written: {out} holds its complete reports and run.json"
    files = _snapshot(out)
    assert set(files) == {*files_of_run(out), "run.json"}
    assert "report.md" in files and "report.csv" not in files


def test_leftovers_of_a_killed_run_are_cleaned_up_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / f"{STAGING_PREFIX}killed").mkdir(parents=True)
    (out / f"{STAGING_PREFIX}killed" / "report.json").write_text("{}")
    (out / LOCK_FILE).write_text("pid 1, started long ago\n")  # the lock died with its process
    _run(out)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    assert set(_snapshot(out)) >= RUN_FILES
