"""Fixtures for the command-line tests: one cleaned copy of the demo study per session, and a
private copy of the cleaned small demo per bad-input test (helpers in ``cli_helpers.py``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cli_helpers import StudyCopy, tree_hashes


@pytest.fixture(scope="session")
def first_clean(demo_first_clean: tuple[Path, subprocess.CompletedProcess[str]]) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The demo study cleaned once through the CLI (``PYTHONHASHSEED=1``, run from its folder,
    relative ``--study``; the shared ``demo_first_clean`` of ``tests/conftest.py``); returns the
    study file and the finished process."""
    return demo_first_clean


@pytest.fixture(scope="session")
def cleaned_study(first_clean: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    """The study file of :func:`first_clean` (do not change its folder: copy it)."""
    return first_clean[0]


@pytest.fixture
def study_copy(cleaned_small_demo: tuple[Path, str], tmp_path: Path) -> StudyCopy:
    """A private copy of the cleaned small demo (``tests/conftest.py``; raw inputs and
    ``data/processed``): the bad-input tests break it."""
    root = tmp_path / "study"
    shutil.copytree(cleaned_small_demo[0].parent, root)
    before = tree_hashes(root / "data" / "processed")
    assert "manifest.json" in before and "responses.parquet" in before
    return StudyCopy(root, before)
