"""Shared fixtures: the repository, a private copy of the demo study, one cleaned demo run, one
cleaned small demo (``demo_copy.copy_small_demo``) that the bad-input tests copy.

Area-specific fixtures live in ``tests/<area>/conftest.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Tests never depend on a developer's own key: the demo study carries its published demo key.
os.environ.pop("SURVEY_PSEUDONYM_KEY", None)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


def copy_demo_study(dest: Path) -> Path:
    """Copy ``study.yaml`` and ``data/raw/demo`` into ``dest``; return the copied study file."""
    from demo_copy import copy_demo

    return copy_demo(dest)


@pytest.fixture
def demo_study(tmp_path: Path) -> Path:
    """A private, writable copy of the demo study (its outputs go under ``tmp_path``)."""
    return copy_demo_study(tmp_path)


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m survey ARGS`` as a user would; return the completed process."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("SURVEY_PSEUDONYM_KEY", None) if env is None or "SURVEY_PSEUDONYM_KEY" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "survey", *args],
        cwd=cwd or ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def demo_first_clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The demo study cleaned once per test worker by the CLI, as a user would run it: from its
    own folder, relative ``--study``, ``PYTHONHASHSEED=1``. Returns the study file and the
    finished process (stdout and stderr decoded as UTF-8).

    Shared by the pipeline, command-line and crash tests: copy the folder, do not change it
    (the pipeline tests only add ``processed_inproc/`` beside ``data/``).
    """
    root = tmp_path_factory.mktemp("demo_clean")
    study = copy_demo_study(root)
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONHASHSEED="1")
    for var in ("SURVEY_PSEUDONYM_KEY", "SURVEY_STUDY"):
        env.pop(var, None)
    proc = subprocess.run([sys.executable, "-m", "survey", "clean", "--study", "study.yaml"],
                          cwd=root, env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    return study, proc


@pytest.fixture(scope="session")
def cleaned_demo(demo_first_clean: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    """The study file of :func:`demo_first_clean` (the demo cleaned once by the CLI)."""
    return demo_first_clean[0]


@pytest.fixture(scope="session")
def cleaned_small_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The small demo cleaned once by the CLI (``-q``): its study file and the run's stderr.

    Tests copy its folder (raw files, ``study.yaml`` and ``data/processed``); do not change it.
    """
    from demo_copy import copy_small_demo

    root = tmp_path_factory.mktemp("small_demo_clean")
    study = copy_small_demo(root)
    proc = run_cli("clean", "--study", str(study), "-q")
    assert proc.returncode == 0, proc.stderr
    return study, proc.stderr
