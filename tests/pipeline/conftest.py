"""Fixtures for end-to-end tests of ``survey clean`` on the demo study."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from survey.config.study import load_study
from survey.pipeline import CleanRun, run_clean


@pytest.fixture(scope="session")
def truth(repo_root: Path) -> dict:
    return json.loads((repo_root / "data" / "raw" / "demo" / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_run(cleaned_demo: Path) -> CleanRun:
    """The demo study cleaned in-process (outputs in a session temp folder)."""
    study = load_study(cleaned_demo)
    return run_clean(study, output_dir=cleaned_demo.parent / "processed_inproc")

