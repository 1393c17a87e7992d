"""Fixtures for end-to-end tests of ``survey clean`` on the demo study."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from survey.config import load_study
from survey.pipeline import CleanRun, run_clean


@pytest.fixture(scope="session")
def truth(repo_root: Path) -> dict:
    return json.loads((repo_root / "data" / "raw" / "demo" / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_run(cleaned_demo: Path) -> CleanRun:
    """The demo study cleaned in-process (outputs in a session temp folder)."""
    study = load_study(cleaned_demo)
    return run_clean(study, output_dir=cleaned_demo.parent / "processed_inproc")


def edit_study(study_path: Path, edit) -> None:
    """Load ``study.yaml``, let ``edit(dict)`` change it, write it back."""
    data = yaml.safe_load(study_path.read_text(encoding="utf-8"))
    edit(data)
    study_path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def questionnaire_file(study_path: Path, college: str) -> Path:
    """The raw questionnaire file of one college in a copied demo study."""
    data = yaml.safe_load(study_path.read_text(encoding="utf-8"))
    for f in data["questionnaire"]["files"]:
        if f["attributes"].get("college") == college:
            return study_path.parent / f["path"]
    raise KeyError(college)
