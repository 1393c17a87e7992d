"""The audit manifest (``manifest.json``): which raw files produced which outputs.

For auditors (巡察、审计) who ask "which files produced these numbers, and can you reproduce
them?". The manifest lists the SHA-256 of every raw input and every output, row counts, the
codebook fingerprint, the configuration hash and the versions of the software used. It holds
**no time stamp**: rerunning on the same inputs with the same software gives a byte-identical
manifest, which is itself evidence of reproducibility. :func:`verify_manifest` re-hashes
everything and lists what is missing or changed (``survey verify`` in the CLI).
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePath
from typing import TypeAlias, TypedDict

import numpy as np

from survey.errors import SurveyError
from survey.paths import PACKAGE_DIR

MANIFEST_VERSION = 1
#: A value as the manifest stores it (plain JSON).
JSONValue: TypeAlias = "None | bool | int | float | str | list[JSONValue] | dict[str, JSONValue]"


class FileEntry(TypedDict):
    """Hash and size of one file in the manifest."""

    sha256: str
    bytes: int


class RawFileEntry(FileEntry):
    """A raw input: its name relative to the study folder, hash and size."""

    name: str


class Manifest(TypedDict, total=False):
    """``manifest.json`` as :func:`build_manifest` builds it (every key present).

    ``total=False`` because a manifest read back from disk may be absent (``{}``).
    """

    manifest_version: int
    raw_files: list[RawFileEntry]
    outputs: dict[str, FileEntry]
    row_counts: dict[str, JSONValue]
    fingerprints: dict[str, JSONValue]
    config_hash: str
    versions: dict[str, str | None]
    extra: dict[str, JSONValue]
#: Distributions whose versions are recorded (missing ones are recorded as ``null``).
RECORDED_PACKAGES = (
    "survey", "pandas", "numpy", "scipy", "pyarrow", "pyreadstat", "openpyxl", "python-calamine",
    "xlrd", "charset-normalizer", "pydantic", "PyYAML", "pingouin", "statsmodels",
    "krippendorff", "scikit-posthocs", "matplotlib", "seaborn",
)  # fmt: skip
_CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """Return the SHA-256 of a file's bytes as 64 lowercase hex digits (read in 1 MiB chunks).

    Examples
    --------
    The same as ``sha256sum FILE`` (Linux) or ``Get-FileHash FILE`` (PowerShell).
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def package_versions(packages: Iterable[str] = RECORDED_PACKAGES) -> dict[str, str | None]:
    """Installed versions of the recorded packages, plus ``python``."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _jsonable(value: object) -> JSONValue:
    """Convert numpy scalars, paths, tuples and sets to plain JSON; NaN/inf become null."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        # a set in the manifest holds scalars of one kind, which sort
        return sorted(_jsonable(v) for v in value)  # type: ignore[type-var]
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"manifest value of type {type(value).__name__} is not JSON-serialisable")


def _jsonable_mapping(value: Mapping[str, object]) -> dict[str, JSONValue]:
    return {str(k): _jsonable(v) for k, v in value.items()}


def _file_entry(path: Path) -> FileEntry:
    return {"sha256": sha256_file(path), "bytes": path.stat().st_size}


def build_manifest(
    raw_files: Iterable[tuple[str, str | Path]],
    outputs: Mapping[str, str | Path],
    row_counts: Mapping[str, int],
    fingerprints: Mapping[str, str],
    config_hash: str,
    extra: Mapping[str, object] | None = None,
) -> Manifest:
    """Describe a run: hashes of inputs and outputs, counts, fingerprints and versions.

    Parameters
    ----------
    raw_files
        ``(display_name, path)`` per raw input, in the order of ``study.yaml``; the display name
        is the path relative to the study folder (what :func:`verify_manifest` resolves).
    outputs
        ``{name: path}``; the name is the file's path relative to the folder the manifest will
        be written to (e.g. ``responses.csv``). The manifest cannot list itself.
    row_counts
        E.g. ``{"raw": 412, "excluded": 37, "kept": 375}``.
    fingerprints
        E.g. ``{"codebook": Codebook.fingerprint()}``.
    config_hash
        ``Study.config_hash()`` (or the SHA-256 of ``study.yaml``).
    extra
        Anything else worth recording (must be JSON-serialisable; numpy scalars and paths are
        converted, NaN becomes null).

    Returns
    -------
    Manifest
        Keys ``manifest_version``, ``raw_files`` (list of ``{name, sha256, bytes}``),
        ``outputs`` (``{name: {sha256, bytes}}``), ``row_counts``, ``fingerprints``,
        ``config_hash``, ``versions`` (python and packages), ``extra``. No time stamp.
    """
    return {
        "manifest_version": MANIFEST_VERSION,
        "raw_files": [{"name": str(name), **_file_entry(Path(path))} for name, path in raw_files],
        "outputs": {str(name): _file_entry(Path(path)) for name, path in outputs.items()},
        "row_counts": _jsonable_mapping(row_counts),
        "fingerprints": _jsonable_mapping(fingerprints),
        "config_hash": config_hash,
        "versions": package_versions(),
        "extra": _jsonable_mapping(extra or {}),
    }


def manifest_bytes(manifest: Mapping[str, object]) -> bytes:
    """The exact bytes :func:`write_manifest` writes."""
    text = json.dumps(_jsonable(manifest), sort_keys=True, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def write_manifest(manifest: Mapping[str, object], path: str | Path) -> None:
    """Write the manifest as JSON: sorted keys, UTF-8 (Chinese unescaped), 2-space indent,
    ``\\n`` line ends and a trailing newline, so equal manifests are equal files."""
    from survey.io.atomic import check_writable

    check_writable(path)
    Path(path).write_bytes(manifest_bytes(manifest))


@dataclass(frozen=True)
class ManifestProblem:
    """One difference between the manifest and the files on disk."""

    #: ``raw_files`` or ``outputs``.
    section: str
    #: The name recorded in the manifest.
    name: str
    #: ``missing`` or ``changed``.
    issue: str
    #: Where the file was looked for.
    path: Path
    #: Chinese explanation.
    message: str

    def __str__(self) -> str:
        return self.message


def verify_manifest(manifest_path: str | Path, root: str | Path) -> list[ManifestProblem]:
    """Re-hash every file a manifest lists and report the missing and changed ones.

    Parameters
    ----------
    manifest_path
        The ``manifest.json``. Outputs are looked up relative to its folder.
    root
        The study folder: raw file names are resolved against it (absolute names as they are).

    Returns
    -------
    list of ManifestProblem
        Empty when every file is present with the recorded SHA-256.

    Raises
    ------
    SurveyError
        If the manifest itself is missing or is not a manifest.
    """
    manifest_path = Path(manifest_path)
    try:
        data = json.loads(manifest_path.read_text(encoding="utf-8"))
        raw = [(str(e["name"]), str(e["sha256"])) for e in data["raw_files"]]
        out = [(str(n), str(e["sha256"])) for n, e in data["outputs"].items()]
    except FileNotFoundError as err:
        raise SurveyError("找不到清单文件 manifest.json", file=manifest_path) from err
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise SurveyError(
            "清单文件格式不对，无法核对",
            file=manifest_path,
            expected="由 survey 生成的 manifest.json（含 raw_files 与 outputs）",
        ) from err
    section_zh = {"raw_files": "原始数据文件", "outputs": "输出文件"}
    problems: list[ManifestProblem] = []
    checks = [("raw_files", n, h, Path(root) / n) for n, h in raw]
    checks += [("outputs", n, h, manifest_path.parent / n) for n, h in out]
    for section, name, expected, path in checks:
        if not path.is_file():
            problems.append(ManifestProblem(
                section, name, "missing", path,
                f"{section_zh[section]} {name} 不存在（查找位置：{path}）",
            ))  # fmt: skip
        elif sha256_file(path) != expected:
            problems.append(ManifestProblem(
                section, name, "changed", path,
                f"{section_zh[section]} {name} 的内容与清单记录不一致（SHA-256 不同），"
                "文件在生成清单后被修改或替换过",
            ))  # fmt: skip
    return problems


def code_digest() -> str:
    """Return the SHA-256 over the ``survey`` package's Python sources and templates.

    Returns
    -------
    str
        Hex digest; changes whenever any ``survey/**/*.py`` file changes.
    """
    root = PACKAGE_DIR
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.py")):
        if "__pycache__" in p.parts:
            continue
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()
