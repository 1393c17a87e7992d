"""Fixtures for the demo-study tests: one generation per session, raw files parsed once."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from demo_helpers import read_strings, to_codes

from survey.demo import generate_demo
from survey.demo.world import DEFAULT_SEED


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo_a")
    generate_demo(out, seed=DEFAULT_SEED)
    return out


@pytest.fixture(scope="session")
def truth(demo_dir: Path) -> dict:
    return json.loads((demo_dir / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def codebook_data(demo_dir: Path) -> dict:
    return yaml.safe_load((demo_dir / "codebook.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def raw(demo_dir: Path, truth: dict, codebook_data: dict) -> dict[str, dict[str, pd.DataFrame]]:
    """Every respondent-level raw file: {file: {"strings": frame, "codes": frame}}."""
    out = {}
    for fname, info in truth["files"].items():
        if info["format"] == "summary":
            continue
        strings = read_strings(demo_dir / fname, info["encoding"])
        out[fname] = {"strings": strings, "codes": to_codes(strings, codebook_data, info["format"]),
                      "format": info["format"], "college": info["college"]}
    return out
