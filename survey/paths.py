"""Paths defined in one place: notebooks and code never type them."""

from __future__ import annotations

import os
from pathlib import Path

#: The installed ``survey`` package folder (its sources are hashed into the manifest).
PACKAGE_DIR = Path(__file__).resolve().parent

#: Repository root (the folder holding ``pyproject.toml``) when run from a checkout.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Default study file, overridable with ``--study`` or ``SURVEY_STUDY``.
DEFAULT_STUDY = PROJECT_ROOT / "study.yaml"

RAW_DIR = PROJECT_ROOT / "data" / "raw"
DEMO_RAW_DIR = RAW_DIR / "demo"
PROCESSED_DIR = PROJECT_ROOT / "data" / "processed"
FIGURES_DIR = PROJECT_ROOT / "figures"
REPORTS_DIR = PROJECT_ROOT / "reports"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"


def default_study_path() -> Path:
    """Return the study file to use when none is given on the command line."""
    env = os.environ.get("SURVEY_STUDY")
    return Path(env) if env else DEFAULT_STUDY
