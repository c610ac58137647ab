"""Audit evidence: the run record, and a tamper-evident bundle of a report folder.

``record_run`` keeps the exact policy and waiver files and a run record (command line without
secrets, tool and library versions, identities, times) beside the reports. ``pack`` zips the
folder deterministically with a manifest of SHA-256 digests; ``verify`` recomputes them.

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
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.errors import InputError
from auditor.fileio import write_atomic

RUN_FILE = "run.json"
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sha256"
BUNDLE_FORMAT = "mm-auditor-evidence/1"
REPORT_FILES = (
    "report.json",
    "report.html",
    "junit.xml",
    "report.sarif",
    "report.csv",
    "report.md",
    "report.asff.json",
    "report.ocsf.json",
    "frameworks.csv",
)
REQUIRED_FILES = ("report.json", "inventory.json")
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


def _copy_inputs(output_dir: Path, kind: str, files: Sequence[tuple[str, bytes]]) -> list[dict[str, str]]:
    taken: set[str] = set()
    records = []
    for name, data in files:
        target = f"inputs/{kind}/{_safe_path(name, taken)}"
        write_atomic(output_dir / target, data)
        records.append({"source": name, "path": target, "sha256": hashlib.sha256(data).hexdigest()})
    return records


def _inventory_metadata(output_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((output_dir / "inventory.json").read_text(encoding="utf-8"))
        meta = data["metadata"]
        return {
            "identities": meta.get("identities", []),
            "accounts": meta.get("accounts", []),
            "regions": meta.get("regions", []),
        }
    except (OSError, ValueError, KeyError, TypeError):
        return {"identities": [], "accounts": [], "regions": []}


def record_run(
    output_dir: Path,
    *,
    policy_files: Sequence[tuple[str, bytes]],
    waiver_files: Sequence[tuple[str, bytes]],
    argv: Sequence[str],
    started_at: str,
    finished_at: str,
    config_files: Sequence[tuple[str, bytes]] = (),
    framework_files: Sequence[tuple[str, bytes]] = (),
) -> None:
    """Copy the exact inputs into ``output_dir/inputs/`` and write ``output_dir/run.json``.

    Call after inventory.json is written: the identities, accounts and regions come from it.
    In a reused output folder, the input copies the previous run.json lists are removed first (and
    only those: nothing else under the folder is touched), so two runs cannot mix.
    """
    for stale in _listed_inputs(output_dir) or []:
        (output_dir / stale).unlink(missing_ok=True)
    record = {
        "format": "mm-auditor-run/1",
        "argv": redact_argv(argv),
        "started_at": started_at,
        "finished_at": finished_at,
        "versions": library_versions(),
        "platform": platform.platform(),
        **_inventory_metadata(output_dir),
        "inputs": {
            "policies": _copy_inputs(output_dir, "policies", policy_files),
            "waivers": _copy_inputs(output_dir, "waivers", waiver_files),
            # The config file carries parameter overrides; without it a re-judgement could differ.
            "config": _copy_inputs(output_dir, "config", config_files),
            # The framework mappings behind the per-requirement rollup.
            "frameworks": _copy_inputs(output_dir, "frameworks", framework_files),
        },
    }
    write_atomic(
        output_dir / RUN_FILE, json.dumps(record, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    )


def _listed_inputs(report_dir: Path) -> list[str] | None:
    """The input copies run.json lists (safe relative paths only), or None without a readable run.json."""
    try:
        run = json.loads((report_dir / RUN_FILE).read_text(encoding="utf-8"))
        listed = [
            entry["path"]
            for kind in ("policies", "waivers", "config", "frameworks")
            for entry in run["inputs"].get(kind, [])
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return [
        p
        for p in listed
        if isinstance(p, str) and p.startswith("inputs/") and ".." not in p.split("/") and "\\" not in p
    ]


# --------------------------------------------------------------------------- bundle


def _bundle_files(report_dir: Path) -> dict[str, bytes]:
    if not report_dir.is_dir():
        raise InputError(str(report_dir), "not a report folder")
    for name in REQUIRED_FILES:
        if not (report_dir / name).is_file():
            raise InputError(
                str(report_dir), f"missing {name}: is this a folder written by scan or evaluate?"
            )
    names = [n for n in (*REQUIRED_FILES, *REPORT_FILES, RUN_FILE) if (report_dir / n).is_file()]
    listed = _listed_inputs(report_dir)
    inputs = report_dir / "inputs"
    if listed is not None:
        names += listed  # exactly the inputs of the run that wrote run.json
    elif inputs.is_dir():
        names += [
            p.relative_to(report_dir).as_posix()
            for p in inputs.rglob("*")
            if p.is_file() and not p.is_symlink() and not p.name.startswith(".")
        ]
    try:
        return {name: (report_dir / name).read_bytes() for name in sorted(set(names))}
    except OSError as exc:
        raise InputError(str(report_dir), f"cannot read: {exc}") from None


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
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in files.items()
        },
    }
    return (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()


def pack(report_dir: Path, output: Path) -> Path:
    """Zip a report folder with ``manifest.json`` (SHA-256 and size of every file) and its digest.

    Bundled: inventory.json, report.json and the other reports present, run.json, and the input
    copies run.json lists (all of inputs/** when there is no run.json).
    The zip is deterministic: sorted entries, fixed timestamps and permissions.
    """
    files = _bundle_files(report_dir)
    try:
        manifest = _manifest(files)
    except ValueError:
        raise InputError(str(report_dir / "report.json"), "not valid JSON") from None
    files[MANIFEST] = manifest
    files[MANIFEST_DIGEST] = f"{hashlib.sha256(manifest).hexdigest()}  {MANIFEST}\n".encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in sorted(files):
            zf.writestr(_zip_entry(name), files[name])
    write_atomic(output, buffer.getvalue())
    return output


MAX_MANIFEST_BYTES = 64 * 2**20


def _read_member(zf: zipfile.ZipFile, name: str) -> bytes | None:
    """The bytes of a (small) member, or None when the archive cannot produce them intact (CRC,
    inflate) or they exceed MAX_MANIFEST_BYTES once inflated (a zip bomb)."""
    try:
        with zf.open(name) as member:
            data = member.read(MAX_MANIFEST_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
        return None
    return data if len(data) <= MAX_MANIFEST_BYTES else None


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


def verify(bundle: Path) -> list[str]:
    """Names of bundled files that do not match the manifest (changed, missing or extra); [] = intact.

    Entry names that would extract outside the folder (absolute, ``..``) are always named. A change
    to ``manifest.json`` or ``manifest.sha256`` names both (they no longer agree).
    Raises InputError when ``bundle`` is not a readable zip.
    """
    if not bundle.is_file():
        raise InputError(str(bundle), "no such file")
    try:
        zf = zipfile.ZipFile(bundle)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(str(bundle), f"not a readable evidence bundle: {exc}") from None
    with zf:
        names = [i.filename for i in zf.infolist()]
        bad = {n for n in names if names.count(n) > 1}
        manifest_bytes = _read_member(zf, MANIFEST) if MANIFEST in names else None
        if manifest_bytes is None:
            return sorted({*bad, MANIFEST})
        digest_line = _read_member(zf, MANIFEST_DIGEST) if MANIFEST_DIGEST in names else None
        expected = f"{hashlib.sha256(manifest_bytes).hexdigest()}  {MANIFEST}\n".encode()
        if digest_line != expected:
            bad |= {MANIFEST, MANIFEST_DIGEST}
        try:
            listed = json.loads(manifest_bytes)["files"]
            if not isinstance(listed, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return sorted({*bad, MANIFEST})
        for name, entry in listed.items():
            got = _member_digest(zf, name) if name in names else None
            want = entry.get("sha256") if isinstance(entry, dict) else None
            if got is None or got != want:
                bad.add(name)
        bad |= {n for n in names if n not in listed and n not in (MANIFEST, MANIFEST_DIGEST)}
        # A name that would land outside the extraction folder is never legitimate, digest or not.
        bad |= {n for n in names if n.startswith(("/", "\\")) or ".." in n.replace("\\", "/").split("/")}
    return sorted(bad)
