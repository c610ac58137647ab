"""Audit evidence: the run record, and a tamper-evident bundle of a report folder.

``record_run`` keeps the exact policy and waiver files (and the config file, secrets redacted) and
a run record beside the reports: command line without secrets, tool and library versions,
identities, times, and the SHA-256 of every file of the run. ``pack`` zips a folder that holds one
complete run (every file matches run.json) deterministically with a manifest of SHA-256 digests;
``check_bundle`` / ``verify`` recompute them and check that the report was judged from the bundled
inventory.

The manifest makes a bundle *tamper-evident* against accidental or casual change, not
tamper-proof: whoever can rewrite the zip can rewrite the manifest. For that, sign the bundle
(or store its digest) outside the auditor.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.errors import InputError
from auditor.fileio import write_atomic
from auditor.report import FORMATS
from auditor.secrets import redact_config

RUN_FILE = "run.json"
RUN_FORMAT = "mm-auditor-run/2"  # /2: ``files`` lists every file of the run with its SHA-256
INVENTORY_FILE = "inventory.json"
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sha256"
BUNDLE_FORMAT = "mm-auditor-evidence/1"
REPORT_FILES = tuple(r.filename for r in FORMATS.values())
REQUIRED_FILES = ("report.json", INVENTORY_FILE)
# The files a run writes at the top of its folder: a later run replaces them, and `pack` refuses a
# folder where one of them is not the file run.json records.
RUN_OWNED_FILES = (INVENTORY_FILE, *REPORT_FILES, RUN_FILE)
LIBRARIES = ("boto3", "botocore", "jsonschema", "jinja2", "click", "PyYAML", "jmespath")
REDACTED = "***REDACTED***"

# A zip entry's time is part of its bytes; a fixed one makes the bundle reproducible.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_SECRET_FLAG = re.compile(
    r"^--?[\w-]*(secret|token|password|passwd|external-id|external_id|credential|access-key)"
)
_SECRET_VALUE = re.compile(
    r"(?<![A-Za-z0-9])(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])"  # access key id
    r"|(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"  # secret access key shape
    r"|[A-Za-z0-9/+=]{100,}"  # session tokens and other long opaque blobs
    r"|(?<=://)[^/@\s:]+:[^/@\s]+(?=@)"  # user:password@ in URLs
)


def redact_argv(argv: Sequence[str]) -> list[str]:
    """``argv`` with the values of secret-bearing options and anything shaped like a credential replaced."""
    out: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            out.append(REDACTED)
            hide_next = False
            continue
        if _SECRET_FLAG.match(arg):
            if "=" in arg:
                out.append(arg.split("=", 1)[0] + "=" + REDACTED)
            else:
                out.append(arg)
                hide_next = True
            continue
        out.append(_SECRET_VALUE.sub(REDACTED, arg))
    return out


def library_versions() -> dict[str, str]:
    """Installed versions of the auditor, its libraries and Python."""
    versions = {"mm-auditor": __version__, "python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _safe_path(name: str, taken: set[str]) -> str:
    """A relative path inside inputs/ that keeps the file's folders (a policy folder loads as before).

    ``builtin:pack/policy.yaml`` becomes ``builtin/pack/policy.yaml``; absolute paths, ``..`` and
    unusual characters cannot escape or confuse the bundle; a clash gets a numbered file name.
    """
    parts = [p for p in re.split(r"[/\\:]+", name) if p not in ("", ".", "..")]
    parts = [re.sub(r"[^A-Za-z0-9._-]", "_", p).lstrip(".") or "_" for p in parts] or ["file"]
    folder, base = parts[:-1], parts[-1]
    candidate, n = "/".join([*folder, base]), 2
    while candidate in taken:
        candidate = "/".join([*folder, f"{n}-{base}"])
        n += 1
    taken.add(candidate)
    return candidate


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_digest(path: Path) -> dict[str, Any]:
    """SHA-256 and size of a file, read in blocks (a report can be hundreds of megabytes)."""
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
    return {"sha256": digest.hexdigest(), "size": path.stat().st_size}


def _copy_inputs(folder: Path, kind: str, files: Sequence[tuple[str, bytes]]) -> list[dict[str, Any]]:
    taken: set[str] = set()
    records: list[dict[str, Any]] = []
    for name, data in files:
        target = f"inputs/{kind}/{_safe_path(name, taken)}"
        record: dict[str, Any] = {"source": name, "path": target}
        if kind == "config":
            # The copy keeps every setting but the secrets (external_id): they must not travel with
            # the evidence. The record says what was redacted and which file the original was.
            copy, redacted = redact_config(data)
            if redacted:
                record |= {"redacted": redacted, "original_sha256": _digest(data)}
            data = copy
        write_atomic(folder / target, data)
        records.append({**record, "sha256": _digest(data)})
    return records


def _identity(meta: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "identities": meta.get("identities", []),
        "accounts": meta.get("accounts", []),
        "regions": meta.get("regions", []),
    }


def _inventory_metadata(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / INVENTORY_FILE).read_text(encoding="utf-8"))
        return _identity(data["metadata"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {"identities": [], "accounts": [], "regions": []}


def record_run(
    folder: Path,
    *,
    files: Sequence[str],
    policy_files: Sequence[tuple[str, bytes]],
    waiver_files: Sequence[tuple[str, bytes]],
    argv: Sequence[str],
    started_at: str,
    finished_at: str,
    config_files: Sequence[tuple[str, bytes]] = (),
    framework_files: Sequence[tuple[str, bytes]] = (),
    inventory_metadata: Mapping[str, Any] | None = None,
) -> list[str]:
    """Copy the exact inputs into ``folder/inputs/`` and write ``folder/run.json``.

    ``inventory_metadata``: the ``metadata`` of the inventory.json written (JSON data), which gives the
    identities, accounts and regions; without it they are read from the file, which parses it whole
    (at 100,000 endpoints a 1.6 GB file: several gigabytes as Python objects).

    ``files`` are the run's other files, already in ``folder`` (inventory.json first: the
    identities, accounts and regions come from it, and the reports). run.json lists each of them and
    each input copy with its SHA-256, so ``pack`` can tell whether a folder holds exactly one run.
    Config copies have their secrets redacted. Returns every file of the run (relative paths, run.json
    last). ``folder`` is a fresh staging folder (see ``auditor.run_folder``): nothing else is in it.
    """
    inputs = {
        "policies": _copy_inputs(folder, "policies", policy_files),
        "waivers": _copy_inputs(folder, "waivers", waiver_files),
        # The config file carries parameter overrides; without it a re-judgement could differ.
        "config": _copy_inputs(folder, "config", config_files),
        # The framework mappings behind the per-requirement rollup.
        "frameworks": _copy_inputs(folder, "frameworks", framework_files),
    }
    names = [*files, *(entry["path"] for kind in inputs.values() for entry in kind)]
    listed: dict[str, dict[str, Any]] = {}
    for name in names:
        listed[name] = _file_digest(folder / name)
    record = {
        "format": RUN_FORMAT,
        "argv": redact_argv(argv),
        "started_at": started_at,
        "finished_at": finished_at,
        "versions": library_versions(),
        "platform": platform.platform(),
        **(_identity(inventory_metadata) if inventory_metadata is not None else _inventory_metadata(folder)),
        "inputs": inputs,
        "files": listed,
    }
    write_atomic(folder / RUN_FILE, json.dumps(record, sort_keys=True, indent=2, ensure_ascii=False) + "\n")
    return [*names, RUN_FILE]


def _safe_relative(name: object) -> bool:
    return (
        isinstance(name, str)
        and name != ""
        and not name.startswith(("/", "\\"))
        and ".." not in name.split("/")
        and "\\" not in name
        and ":" not in name
    )


def files_of_run(folder: Path) -> list[str]:
    """The files the run.json in ``folder`` lists (safe relative paths only; [] without a readable
    run.json). A run record of format /1 listed only the input copies."""
    record = _run_record(folder)
    if record is None:
        return []
    listed: list[Any] = []
    if isinstance(record.get("files"), dict):
        listed = list(record["files"])
    inputs = record.get("inputs")
    if isinstance(inputs, dict):
        for kind in ("policies", "waivers", "config", "frameworks"):
            entries = inputs.get(kind)
            if isinstance(entries, list):
                listed += [e.get("path") for e in entries if isinstance(e, dict)]
    return sorted({n for n in listed if _safe_relative(n)})


def _run_record(folder: Path) -> dict[str, Any] | None:
    try:
        record = json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


# --------------------------------------------------------------------------- bundle


def _one_run(report_dir: Path) -> dict[str, bytes]:
    """The files of the one run ``report_dir`` holds, with run.json; InputError (naming the file)
    when the folder's files do not all belong to the run its run.json records."""
    run_path = report_dir / RUN_FILE
    record = _run_record(report_dir)
    if record is None:
        raise InputError(str(run_path), "missing or unreadable: the folder has no record of its run")
    listed = record.get("files")
    if record.get("format") != RUN_FORMAT or not isinstance(listed, dict):
        raise InputError(
            str(run_path),
            f"not a {RUN_FORMAT} run record (it does not list the run's files): re-run "
            f"`auditor evaluate {report_dir / INVENTORY_FILE} --output-dir <new folder>` to pack it",
        )
    problems: list[tuple[str, str]] = []
    files: dict[str, bytes] = {}
    for name, entry in sorted(listed.items()):
        if not _safe_relative(name) or name == RUN_FILE:
            raise InputError(str(run_path), f"lists an unsafe file name: {name!r}", location="files")
        want = entry.get("sha256") if isinstance(entry, dict) else None
        try:
            data = (report_dir / name).read_bytes()
        except FileNotFoundError:
            problems.append((name, "listed in run.json but missing"))
            continue
        except OSError as exc:
            raise InputError(str(report_dir / name), f"cannot read: {exc.strerror or exc}") from None
        if _digest(data) != want:
            problems.append((name, "SHA-256 differs from run.json (written by another run?)"))
        files[name] = data
    for name in RUN_OWNED_FILES:
        if name not in listed and name != RUN_FILE and (report_dir / name).is_file():
            problems.append((name, "not part of the run recorded in run.json (left by another run?)"))
    for name in REQUIRED_FILES:
        if name not in listed:
            problems.append((name, "not listed in run.json: is this a folder written by scan or evaluate?"))
    if problems:
        (first, why), others = problems[0], problems[1:]
        more = f" (also: {'; '.join(f'{n}: {w}' for n, w in others)})" if others else ""
        raise InputError(
            str(report_dir / first), f"{why}; refusing to pack a folder that does not hold one run{more}"
        )
    try:
        files[RUN_FILE] = run_path.read_bytes()
    except OSError as exc:
        raise InputError(str(run_path), f"cannot read: {exc.strerror or exc}") from None
    return files


def _bundle_files(report_dir: Path) -> dict[str, bytes]:
    if not report_dir.is_dir():
        raise InputError(str(report_dir), "not a report folder")
    for name in REQUIRED_FILES:
        if not (report_dir / name).is_file():
            raise InputError(
                str(report_dir), f"missing {name}: is this a folder written by scan or evaluate?"
            )
    return _one_run(report_dir)


def _zip_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix, whatever the platform: part of the entry's bytes
    info.external_attr = 0o644 << 16
    return info


def _manifest(files: dict[str, bytes]) -> bytes:
    report = json.loads(files["report.json"])
    manifest = {
        "format": BUNDLE_FORMAT,
        "report": {
            k: report.get(k)
            for k in ("generated_at", "tool_version", "policy_set_digest", "inventory_digest")
        },
        "files": {name: {"sha256": _digest(data), "size": len(data)} for name, data in files.items()},
    }
    return (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()


def pack(report_dir: Path, output: Path) -> Path:
    """Zip a report folder with ``manifest.json`` (SHA-256 and size of every file) and its digest.

    The folder must hold exactly one run: every file run.json lists, with the digest it records,
    and no report or inventory that run.json does not list (InputError naming the file otherwise).
    Bundled: those files and run.json. The zip is deterministic: sorted entries, fixed timestamps
    and permissions.
    """
    files = _bundle_files(report_dir)
    try:
        manifest = _manifest(files)
    except ValueError:
        raise InputError(str(report_dir / "report.json"), "not valid JSON") from None
    files[MANIFEST] = manifest
    files[MANIFEST_DIGEST] = f"{_digest(manifest)}  {MANIFEST}\n".encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in sorted(files):
            zf.writestr(_zip_entry(name), files[name])
    try:
        write_atomic(output, buffer.getvalue())
    except OSError as exc:
        raise InputError(str(output), f"cannot write: {exc.strerror or exc}") from None
    return output


MAX_MANIFEST_BYTES = 64 * 2**20
MAX_REPORT_BYTES = 2**30  # report.json of 100,000 findings is about 56 MB


def _read_member(zf: zipfile.ZipFile, name: str, limit: int | None = None) -> bytes | None:
    """The bytes of a (small) member, or None when the archive cannot produce them intact (CRC,
    inflate) or they exceed ``limit`` (default MAX_MANIFEST_BYTES) once inflated (a zip bomb)."""
    limit = MAX_MANIFEST_BYTES if limit is None else limit
    try:
        with zf.open(name) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
        return None
    return data if len(data) <= limit else None


def _member_digest(zf: zipfile.ZipFile, name: str) -> str | None:
    """SHA-256 of a member, read in chunks so a hostile archive (a zip bomb) cannot exhaust memory;
    None when the archive cannot produce the member intact."""
    digest = hashlib.sha256()
    try:
        with zf.open(name) as member:
            while chunk := member.read(1 << 20):
                digest.update(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
        return None
    return digest.hexdigest()


@dataclass
class BundleCheck:
    """What ``check_bundle`` found; ``intact`` when every list is empty."""

    changed: list[str] = field(default_factory=list)  # listed in the manifest, other bytes now
    missing: list[str] = field(default_factory=list)  # listed in the manifest, not in the zip
    added: list[str] = field(default_factory=list)  # in the zip, not in the manifest
    unsafe: list[str] = field(default_factory=list)  # would extract outside the folder
    inconsistent: list[str] = field(default_factory=list)  # files that disagree with each other

    @property
    def intact(self) -> bool:
        return not (self.changed or self.missing or self.added or self.unsafe or self.inconsistent)

    def names(self) -> list[str]:
        """Every file named by a finding, sorted."""
        named = {*self.changed, *self.missing, *self.added, *self.unsafe}
        named |= {line.split(":", 1)[0] for line in self.inconsistent}
        return sorted(named)

    def summary(self) -> str:
        """One line: the files changed, missing and added (for an InputError)."""
        parts = [
            f"{what}: {', '.join(names)}"
            for what, names in (
                ("changed", self.changed),
                ("missing", self.missing),
                ("added", self.added),
                ("unsafe names", self.unsafe),
            )
            if names
        ]
        return "; ".join([*parts, *self.inconsistent])


def _is_directory_entry(info: zipfile.ZipInfo) -> bool:
    # `zip -r` and other tools add an entry per folder: a name ending in "/" with no data.
    return info.filename.endswith("/") and info.file_size == 0


def _cross_checks(zf: zipfile.ZipFile, manifest: dict[str, Any], present: set[str]) -> list[str]:
    """Agreement between the bundled files: the report was judged from the bundled inventory, and
    every file run.json records is bundled with the digest it records."""
    problems: list[str] = []
    report_bytes = _read_member(zf, "report.json", MAX_REPORT_BYTES) if "report.json" in present else None
    if "report.json" not in present or INVENTORY_FILE not in present:
        missing = [n for n in REQUIRED_FILES if n not in present]
        return [f"{n}: not in the bundle (every bundle has the report and its inventory)" for n in missing]
    try:
        claimed = json.loads(report_bytes or b"").get("inventory_digest")
    except (ValueError, AttributeError):
        return ["report.json: not a readable report (its inventory_digest cannot be checked)"]
    actual = _member_digest(zf, INVENTORY_FILE)
    if claimed != actual:
        problems.append(
            f"report.json: its inventory_digest {str(claimed)[:16]}... is not the SHA-256 of the bundled "
            f"inventory.json ({str(actual)[:16]}...): the report was not judged from this inventory"
        )
    run_bytes = _read_member(zf, RUN_FILE) if RUN_FILE in present else None
    try:
        record = json.loads(run_bytes) if run_bytes is not None else None
    except ValueError:
        record = None
    run_files = record.get("files") if isinstance(record, dict) else None
    if isinstance(run_files, dict):
        listed = manifest.get("files", {})
        for name, entry in sorted(run_files.items()):
            want = entry.get("sha256") if isinstance(entry, dict) else None
            got = listed.get(name, {}).get("sha256") if isinstance(listed.get(name), dict) else None
            if got != want:
                problems.append(f"{name}: not the file run.json records (another run's file?)")
        problems += [
            f"{n}: bundled but not part of the run run.json records"
            for n in sorted(present)
            if n in RUN_OWNED_FILES and n != RUN_FILE and n not in run_files
        ]
    return problems


def check_bundle(bundle: Path) -> BundleCheck:
    """Recompute every digest of ``bundle`` and check its files against each other.

    Directory entries (a re-zipped bundle has them) are ignored. Entry names that would extract
    outside the folder (absolute, ``..``) are always named. A change to ``manifest.json`` or
    ``manifest.sha256`` names both (they no longer agree). Raises InputError when ``bundle`` is not
    a readable zip.
    """
    if not bundle.is_file():
        raise InputError(str(bundle), "no such file")
    try:
        zf = zipfile.ZipFile(bundle)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(str(bundle), f"not a readable evidence bundle: {exc}") from None
    check = BundleCheck()
    with zf:
        infos = [i for i in zf.infolist() if not _is_directory_entry(i)]
        names = [i.filename for i in infos]
        present = set(names)
        check.added += sorted(n for n, count in Counter(names).items() if count > 1)  # a second copy
        check.unsafe += sorted(
            {n for n in present if n.startswith(("/", "\\")) or ".." in n.replace("\\", "/").split("/")}
        )
        manifest_bytes = _read_member(zf, MANIFEST) if MANIFEST in present else None
        if manifest_bytes is None:
            (check.changed if MANIFEST in present else check.missing).append(MANIFEST)
            return check
        digest_line = _read_member(zf, MANIFEST_DIGEST) if MANIFEST_DIGEST in present else None
        if digest_line is None and MANIFEST_DIGEST not in present:
            check.missing.append(MANIFEST_DIGEST)
        elif digest_line != f"{_digest(manifest_bytes)}  {MANIFEST}\n".encode():
            check.changed += [MANIFEST, MANIFEST_DIGEST]
        try:
            manifest = json.loads(manifest_bytes)
            listed = manifest["files"]
            if not isinstance(listed, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            check.changed = sorted({*check.changed, MANIFEST})
            return check
        for name, entry in sorted(listed.items()):
            if name not in present:
                check.missing.append(name)
                continue
            want = entry.get("sha256") if isinstance(entry, dict) else None
            if _member_digest(zf, name) != want:
                check.changed.append(name)
        check.added += sorted(n for n in present if n not in listed and n not in (MANIFEST, MANIFEST_DIGEST))
        check.inconsistent += _cross_checks(zf, manifest, present)
    check.changed = sorted(set(check.changed))
    check.added = sorted(set(check.added) - set(check.unsafe))
    return check


def verify(bundle: Path) -> list[str]:
    """Names of bundled files that do not match the manifest (changed, missing, added, unsafe or
    inconsistent with each other); [] = intact. See ``check_bundle`` for the details."""
    return check_bundle(bundle).names()
