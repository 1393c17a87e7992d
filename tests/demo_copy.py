"""Private copies of the demo study for tests that alter inputs (shared by several areas).

Test modules cannot import ``tests/conftest.py`` by name, so the helpers live here (``tests/`` is
on ``sys.path`` for every test module).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def copy_demo(dest: Path) -> Path:
    """Copy ``study.yaml`` and ``data/raw/demo`` into ``dest``; return the copied study file."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "study.yaml", dest / "study.yaml")
    shutil.copytree(ROOT / "data" / "raw" / "demo", dest / "data" / "raw" / "demo")
    return dest / "study.yaml"


def edit_yaml(path: Path, edit: Callable[[dict], None]) -> None:
    """Load a YAML file, let ``edit`` change the dict in place, write it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def tree_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (relative posix path → hex digest); {} if absent."""
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
