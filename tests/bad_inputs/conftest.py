"""Fixtures for the bad-input corpus, and ``--bad-inputs-table`` to write docs/bad-inputs.md.

``cleaned_base`` is the small demo (the demo study with each questionnaire export cut to 60
answers, ``demo_copy.copy_small_demo``) cleaned once per test worker (``cleaned_small_demo`` in
``tests/conftest.py``); every case copies that folder (raw files, ``study.yaml`` and the previous
``data/processed``) so that it can check that a failing run left the previous outputs untouched.

``pytest tests/bad_inputs --bad-inputs-table docs/bad-inputs.md`` records each case's outcome
(also under ``-n 2``: workers write one JSON file per case, the controller assembles the table
at the end of the session).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from badinput_helpers import StudyDir, notes_of, tree_hashes


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--bad-inputs-table",
        default=None,
        metavar="PATH",
        help="write the bad-input corpus table (Markdown) to PATH, e.g. docs/bad-inputs.md",
    )


@dataclass
class Base:
    """The once-cleaned small demo: its folder and the warnings every run of it prints."""

    root: Path
    notes: frozenset[str]


@pytest.fixture(scope="session")
def cleaned_base(cleaned_small_demo: tuple[Path, str]) -> Base:
    study, stderr = cleaned_small_demo
    return Base(study.parent, frozenset(notes_of(stderr)))


@pytest.fixture
def case_dir(cleaned_base: Base, tmp_path: Path) -> tuple[StudyDir, dict[str, str]]:
    """A private copy of the cleaned study and the hashes of its processed outputs."""
    root = tmp_path / "study"
    shutil.copytree(cleaned_base.root, root)
    manifest = json.loads((root / "data" / "processed" / "manifest.json").read_text(encoding="utf-8"))
    s = StudyDir(root, manifest["row_counts"])
    before = tree_hashes(s.processed)
    assert "manifest.json" in before
    return s, before


def _parts_dir(config: pytest.Config) -> Path | None:
    target = config.getoption("--bad-inputs-table")
    if not target:
        return None
    return Path(str(target) + ".parts")


@pytest.fixture
def record_outcome(request: pytest.FixtureRequest):
    """Call with a dict describing a case's outcome; stored when ``--bad-inputs-table`` is set."""
    parts = _parts_dir(request.config)

    def record(entry: dict) -> None:
        if parts is None:
            return
        parts.mkdir(parents=True, exist_ok=True)
        (parts / f"{entry['id']}.json").write_text(
            json.dumps(entry, ensure_ascii=False), encoding="utf-8"
        )

    return record


def pytest_sessionstart(session: pytest.Session) -> None:
    parts = _parts_dir(session.config)
    if parts is not None and not hasattr(session.config, "workerinput"):
        shutil.rmtree(parts, ignore_errors=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    parts = _parts_dir(session.config)
    if parts is None or hasattr(session.config, "workerinput") or not parts.is_dir():
        return
    from badinput_table import write_table

    entries = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(parts.glob("*.json"))]
    write_table(entries, Path(session.config.getoption("--bad-inputs-table")))
    shutil.rmtree(parts, ignore_errors=True)
