"""Evidence: the run record, deterministic bundles, and tamper detection of every bundled file."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.inventory.model import Identity, Inventory, ScanMetadata
from auditor.inventory.store import save
from auditor.report import FORMATS, write_reports
from auditor.report.evidence import REDACTED, check_bundle, pack, record_run, redact_argv, verify
from auditor.results import EvaluationResult
from auditor.run_folder import RunFolder

POLICY = b"id: MM-DQ-001\nseverity: high\n"
WAIVERS = b"waivers:\n  - id: W-1\n"


def _report_dir(result: EvaluationResult, root: Path) -> Path:
    out = root / "reports" / "run1"
    inventory = Inventory(
        metadata=ScanMetadata(
            tool_version="0.1.0",
            started_at="2026-11-27T17:55:00Z",
            finished_at="2026-11-27T17:59:00Z",
            accounts=["111122223333"],
            regions=["eu-west-1"],
            identities=[Identity("111122223333", "arn:aws:sts::111122223333:assumed-role/Auditor/s")],
        )
    )
    save(inventory, out / "inventory.json")
    result.inventory_digest = hashlib.sha256((out / "inventory.json").read_bytes()).hexdigest()
    reports = write_reports(result, list(FORMATS), out)
    record_run(
        out,
        files=["inventory.json", *(p.name for p in reports)],
        policy_files=[
            ("policies/dq.yaml", POLICY),
            ("policies/dq.yaml", b"id: SAME-LABEL\n"),
            ("builtin:mm-drift-alarm/policy.yaml", b"id: BUILTIN\n"),
            ("/abs/../../etc/dq.yaml", b"id: OTHER\n"),
        ],
        waiver_files=[("waivers.yaml", WAIVERS)],
        argv=["auditor", "scan", "--external-id", "s3cr3t-value", "--role-name=Auditor", "--fail-on", "high"],
        started_at="2026-11-27T17:55:00Z",
        finished_at="2026-11-27T18:00:00Z",
    )
    return out


@pytest.fixture
def report_dir(rich_result: EvaluationResult, tmp_path: Path) -> Path:
    return _report_dir(rich_result, tmp_path)


def test_record_run_keeps_exact_inputs_and_redacts_secrets(report_dir: Path) -> None:
    assert (report_dir / "inputs/policies/policies/dq.yaml").read_bytes() == POLICY
    assert (report_dir / "inputs/policies/policies/2-dq.yaml").read_bytes() == b"id: SAME-LABEL\n"
    assert (
        report_dir / "inputs/policies/builtin/mm-drift-alarm/policy.yaml"
    ).read_bytes() == b"id: BUILTIN\n"
    assert (report_dir / "inputs/policies/abs/etc/dq.yaml").read_bytes() == b"id: OTHER\n"  # cannot escape
    assert (report_dir / "inputs/waivers/waivers.yaml").read_bytes() == WAIVERS
    run = json.loads((report_dir / "run.json").read_text())
    assert "s3cr3t-value" not in json.dumps(run)
    assert run["argv"][3] == REDACTED and run["argv"][4] == "--role-name=Auditor"
    assert {"boto3", "botocore", "jsonschema", "jinja2", "click", "PyYAML", "python"} <= set(run["versions"])
    assert run["identities"][0]["arn"].endswith("assumed-role/Auditor/s")
    assert run["started_at"] == "2026-11-27T17:55:00Z" and run["finished_at"] == "2026-11-27T18:00:00Z"
    assert run["inputs"]["policies"][0]["source"] == "policies/dq.yaml"


def test_reused_folder_keeps_only_the_latest_run_and_never_deletes_other_files(
    report_dir: Path, rich_result: EvaluationResult, tmp_path: Path
) -> None:
    stray = report_dir / "inputs" / "policies" / "my-notes.txt"
    stray.write_text("not written by the auditor")
    (report_dir / "README.txt").write_text("the user's own file")
    with RunFolder.open(report_dir) as folder:
        stage = folder.staging()
        (stage / "inventory.json").write_bytes((report_dir / "inventory.json").read_bytes())
        reports = write_reports(rich_result, ["json", "html"], stage)  # fewer formats than before
        written = record_run(
            stage,
            files=["inventory.json", *(p.name for p in reports)],
            policy_files=[("second.yaml", b"id: SECOND\n")],
            waiver_files=[],
            argv=["auditor"],
            started_at="2026-11-28T00:00:00Z",
            finished_at="2026-11-28T00:01:00Z",
        )
        folder.commit(written)
    assert not (report_dir / "inputs/policies/policies/dq.yaml").exists()  # the previous run's copy
    assert not (report_dir / "report.csv").exists()  # a format only the previous run wrote
    assert stray.read_text() == "not written by the auditor"
    assert (report_dir / "README.txt").read_text() == "the user's own file"
    assert sorted(p.name for p in report_dir.iterdir() if p.name.startswith(".")) == []
    with zipfile.ZipFile(pack(report_dir, tmp_path / "evidence.zip")) as zf:
        names = zf.namelist()
    assert sorted(n for n in names if n.startswith("inputs/")) == ["inputs/policies/second.yaml"]
    assert "report.csv" not in names and "README.txt" not in names


@pytest.mark.parametrize(
    ("argv", "leaked"),
    [
        (["--external-id=abc123secret"], "abc123secret"),
        (["--aws-secret-access-key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"], "wJalrXUtnFEMI"),
        (["AKIAIOSFODNN7EXAMPLE"], "AKIAIOSFODNN7EXAMPLE"),
        (["--note", "key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY here"], "wJalrXUtnFEMI"),
        (["--session-token", "IQoJb3JpZ2luX2VjE"], "IQoJb3JpZ2luX2VjE"),
        (["--endpoint-url", "https://user:hunter2@proxy.example"], "hunter2"),
    ],
)
def test_redact_argv(argv: list[str], leaked: str) -> None:
    assert leaked not in " ".join(redact_argv(argv))


def test_redact_argv_keeps_ordinary_arguments() -> None:
    argv = ["auditor", "scan", "--regions", "eu-west-1", "--fail-on", "high", "--output-dir", "reports/x"]
    assert redact_argv(argv) == argv


def test_pack_is_deterministic_and_complete(report_dir: Path, tmp_path: Path) -> None:
    a = pack(report_dir, tmp_path / "a.zip")
    b = pack(report_dir, tmp_path / "b.zip")
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read("manifest.json"))
    assert names == sorted(names)
    for required in (
        "inventory.json",
        "report.json",
        "report.html",
        "junit.xml",
        "report.sarif",
        "run.json",
        "inputs/policies/policies/dq.yaml",
        "inputs/waivers/waivers.yaml",
        "manifest.json",
        "manifest.sha256",
    ):
        assert required in names
    assert set(manifest["files"]) == set(names) - {"manifest.json", "manifest.sha256"}
    assert verify(a) == []


def _rewrite(
    bundle: Path, target: Path, change: dict[str, bytes | None], extra: dict[str, bytes] | None = None
) -> None:
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename in change:
                replacement = change[info.filename]
                if replacement is None:
                    continue
                data = replacement
            dst.writestr(info, data)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)


def _flip_one_byte(data: bytes) -> bytes:
    i = len(data) // 2
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]


def test_changing_one_byte_of_any_bundled_file_is_named(report_dir: Path, tmp_path: Path) -> None:
    bundle = pack(report_dir, tmp_path / "evidence.zip")
    with zipfile.ZipFile(bundle) as zf:
        members = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    assert len(members) >= 10
    for name, data in members.items():
        tampered = tmp_path / "tampered.zip"
        _rewrite(bundle, tampered, {name: _flip_one_byte(data)})
        assert name in verify(tampered), name


def test_missing_and_extra_files_are_named(report_dir: Path, tmp_path: Path) -> None:
    bundle = pack(report_dir, tmp_path / "evidence.zip")
    tampered = tmp_path / "tampered.zip"
    _rewrite(bundle, tampered, {"run.json": None}, extra={"inputs/policies/evil.yaml": b"id: X\n"})
    assert verify(tampered) == ["inputs/policies/evil.yaml", "run.json"]


def test_entries_that_would_escape_the_folder_are_named_even_when_listed(
    report_dir: Path, tmp_path: Path
) -> None:
    bundle = pack(report_dir, tmp_path / "evidence.zip")
    evil = b"overwrite me\n"
    with zipfile.ZipFile(bundle) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    manifest["files"]["../evil.sh"] = {"sha256": hashlib.sha256(evil).hexdigest(), "size": len(evil)}
    forged = (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
    digest = f"{hashlib.sha256(forged).hexdigest()}  manifest.json\n".encode()
    tampered = tmp_path / "tampered.zip"
    _rewrite(
        bundle, tampered, {"manifest.json": forged, "manifest.sha256": digest}, extra={"../evil.sh": evil}
    )
    assert verify(tampered) == ["../evil.sh"]


def test_raw_byte_flip_inside_the_archive_is_named(report_dir: Path, tmp_path: Path) -> None:
    bundle = pack(report_dir, tmp_path / "evidence.zip")
    raw = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(bundle) as zf:
        info = zf.getinfo("report.json")
    # Past the local header (30 bytes + name + extra) into the compressed data.
    offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2
    raw[offset] ^= 0xFF
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bytes(raw))
    assert "report.json" in verify(broken)


def test_bad_inputs_raise_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a report folder"):
        pack(tmp_path / "absent", tmp_path / "x.zip")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"missing report\.json"):
        pack(tmp_path / "empty", tmp_path / "x.zip")
    with pytest.raises(InputError, match="no such file"):
        verify(tmp_path / "absent.zip")
    (tmp_path / "not.zip").write_text("hello")
    with pytest.raises(InputError, match="not a readable evidence bundle"):
        verify(tmp_path / "not.zip")


def _forge(bundle: Path, target: Path, change: dict[str, bytes]) -> None:
    """Rewrite ``bundle`` with ``change`` and a manifest recomputed to match (a careful forger)."""
    with zipfile.ZipFile(bundle) as zf:
        files = {n: zf.read(n) for n in zf.namelist() if n not in ("manifest.json", "manifest.sha256")}
        manifest = json.loads(zf.read("manifest.json"))
    files.update(change)
    manifest["files"] = {
        n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for n, d in sorted(files.items())
    }
    files["manifest.json"] = (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
    files["manifest.sha256"] = (
        f"{hashlib.sha256(files['manifest.json']).hexdigest()}  manifest.json\n".encode()
    )
    with zipfile.ZipFile(target, "w") as zf:
        for name in sorted(files):
            zf.writestr(name, files[name])


def test_verify_checks_the_report_was_judged_from_the_bundled_inventory(
    report_dir: Path, tmp_path: Path
) -> None:
    bundle = pack(report_dir, tmp_path / "evidence.zip")
    assert check_bundle(bundle).intact
    other = tmp_path / "other-inventory.json"
    save(Inventory(metadata=ScanMetadata(tool_version="0.1.0", started_at="x", finished_at="y")), other)
    mixed = tmp_path / "mixed.zip"
    _forge(bundle, mixed, {"inventory.json": other.read_bytes()})
    check = check_bundle(mixed)
    assert check.changed == [] and check.missing == [] and check.added == []  # the manifest agrees
    assert any(line.startswith("report.json: its inventory_digest") for line in check.inconsistent)
    assert any(
        line.startswith("inventory.json: not the file run.json records") for line in check.inconsistent
    )
    assert verify(mixed) == ["inventory.json", "report.json"]


def test_verify_reports_changed_missing_and_added_separately(report_dir: Path, tmp_path: Path) -> None:
    bundle = pack(report_dir, tmp_path / "evidence.zip")
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as zf:
        csv = zf.read("report.csv")
    _rewrite(bundle, tampered, {"report.csv": csv + b"x", "junit.xml": None}, extra={"notes.txt": b"hi"})
    check = check_bundle(tampered)
    assert (check.changed, check.missing, check.added) == (["report.csv"], ["junit.xml"], ["notes.txt"])


def _rezip_with_folder_entries(bundle: Path, target: Path) -> None:
    """Extract and zip again as `zip -r` does: an entry for every folder, other compression."""
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as dst:
        names = src.namelist()
        parts = [n.split("/")[:-1] for n in names]
        folders = sorted({"/".join(p[:i]) + "/" for p in parts for i in range(1, len(p) + 1)})
        for folder in folders:
            dst.writestr(zipfile.ZipInfo(folder), b"")
        for name in names:
            dst.writestr(name, src.read(name))


def test_a_bundle_re_zipped_with_folder_entries_still_verifies(report_dir: Path, tmp_path: Path) -> None:
    bundle = pack(report_dir, tmp_path / "evidence.zip")
    rezipped = tmp_path / "rezipped.zip"
    _rezip_with_folder_entries(bundle, rezipped)
    with zipfile.ZipFile(rezipped) as zf:
        assert "inputs/policies/" in zf.namelist()
    assert check_bundle(rezipped).intact
    # A "folder" entry that carries data is a file, and an added one.
    with zipfile.ZipFile(rezipped, "a") as zf:
        zf.writestr("inputs/sneaky/", b"data")
    assert check_bundle(rezipped).added == ["inputs/sneaky/"]


@pytest.mark.skipif(shutil.which("zip") is None, reason="the zip command is not installed")
def test_a_bundle_re_zipped_by_the_zip_command_still_verifies(report_dir: Path, tmp_path: Path) -> None:
    bundle = pack(report_dir, tmp_path / "evidence.zip")
    extracted = tmp_path / "extracted"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(extracted)
    rezipped = tmp_path / "rezipped.zip"
    subprocess.run(["zip", "-q", "-r", str(rezipped), "."], cwd=extracted, check=True)
    with zipfile.ZipFile(rezipped) as zf:
        assert any(n.endswith("/") for n in zf.namelist())
    assert check_bundle(rezipped).intact
    (extracted / "report.md").write_text("# all green\n")
    subprocess.run(["zip", "-q", "-r", str(rezipped), "."], cwd=extracted, check=True)
    assert check_bundle(rezipped).changed == ["report.md"]


def _without(folder: Path, name: str) -> None:
    (folder / name).unlink()


@pytest.mark.parametrize(
    ("damage", "named", "why"),
    [
        (lambda d: (d / "report.csv").write_text("from another run\n"), "report.csv", "SHA-256 differs"),
        (lambda d: _without(d, "report.md"), "report.md", "listed in run.json but missing"),
        (lambda d: _without(d, "run.json"), "run.json", "no record of its run"),
        (
            lambda d: (d / "inputs/waivers/waivers.yaml").write_bytes(b"waivers: []\n"),
            "inputs/waivers/waivers.yaml",
            "SHA-256 differs",
        ),
    ],
)
def test_pack_refuses_a_folder_that_does_not_hold_one_run(
    report_dir: Path, tmp_path: Path, damage: Callable[[Path], object], named: str, why: str
) -> None:
    damage(report_dir)
    with pytest.raises(InputError, match=why) as info:
        pack(report_dir, tmp_path / "evidence.zip")
    assert info.value.source == str(report_dir / named)
    assert not (tmp_path / "evidence.zip").exists()


def test_pack_refuses_a_report_the_run_did_not_write(rich_result: EvaluationResult, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with RunFolder.open(out) as folder:
        stage = folder.staging()
        save(
            Inventory(metadata=ScanMetadata(tool_version="0.1.0", started_at="x", finished_at="y")),
            stage / "inventory.json",
        )
        reports = write_reports(rich_result, ["json"], stage)
        folder.commit(
            record_run(
                stage,
                files=["inventory.json", *(p.name for p in reports)],
                policy_files=[],
                waiver_files=[],
                argv=["auditor"],
                started_at="x",
                finished_at="y",
            )
        )
    (out / "junit.xml").write_text("<testsuites/>")  # e.g. copied in from another run's folder
    with pytest.raises(InputError, match=r"not part of the run recorded in run\.json") as info:
        pack(out, tmp_path / "evidence.zip")
    assert info.value.source == str(out / "junit.xml")


def test_the_run_record_takes_the_inventory_identity_as_given_or_reads_it_from_the_file(
    report_dir: Path, tmp_path: Path
) -> None:
    # The pipeline passes the metadata it wrote instead of parsing inventory.json again (at 100,000
    # endpoints a 1.6 GB file): the record is the same either way.
    read = json.loads((report_dir / "run.json").read_text(encoding="utf-8"))
    assert read["accounts"] == ["111122223333"] and len(read["identities"]) == 1
    given_dir = tmp_path / "given"
    shutil.copytree(report_dir, given_dir)
    (given_dir / "run.json").unlink()
    shutil.rmtree(given_dir / "inputs")
    metadata = json.loads((report_dir / "inventory.json").read_text(encoding="utf-8"))["metadata"]
    (given_dir / "inventory.json").write_text("{}", encoding="utf-8")  # not read when given
    record_run(
        given_dir,
        files=["inventory.json"],
        policy_files=[],
        waiver_files=[],
        argv=read["argv"],
        started_at=read["started_at"],
        finished_at=read["finished_at"],
        inventory_metadata=metadata,
    )
    given = json.loads((given_dir / "run.json").read_text(encoding="utf-8"))
    for key in ("identities", "accounts", "regions"):
        assert given[key] == read[key]
