"""The processed data set: what ``survey clean`` writes and what the notebooks read.

One place knows the file names in ``data/processed/`` and how tables round-trip (tuples of
theme codes are stored as ``;``-joined text so that CSV and Parquet hold the same thing).
Notebooks call :func:`load_processed` and never type a path.

Every table is checked at the stage boundary, when ``survey clean`` writes it and when
:func:`load_processed` reads it back, against its pandera model in :mod:`survey.io.schemas`
(:func:`validate_table`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, overload

import pandas as pd

from survey.config.codebook import Codebook, load_codebook
from survey.config.study import Study
from survey.errors import SurveyError
from survey.io.manifest import Manifest

#: Tables written for the questionnaire (Parquet + CSV unless noted).
RESPONSES = "responses"
EXCLUSIONS = "exclusions"
CELL_CHANGES = "cell_changes"
CLEANING_LOG = "cleaning_log"
#: Tables written for the other instruments, when the study has them.
SESSIONS = "symposium_sessions"
STATEMENTS = "symposium_statements"
THEMES = "symposium_themes"
INDICATORS = "indicators"
SUMMARIES = "benchmark_summaries"
ROSTER = "roster"
MANIFEST = "manifest.json"

_TUPLE_COLUMNS = {STATEMENTS: ("codes_a", "codes_b"), THEMES: ("area", "synonyms")}
CODE_SEP = ";"


def to_storable(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Prepare a table for writing: tuple columns joined, ``_file``/``_row`` renamed."""
    out = df.rename(columns={"_file": "source_file", "_row": "source_row"}).copy()
    for col in _TUPLE_COLUMNS.get(name, ()):
        if col in out:
            out[col] = out[col].map(lambda t: CODE_SEP.join(t) if isinstance(t, tuple) else t)
    return out.reset_index(drop=True)


def from_storable(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`to_storable` after reading."""
    out = df.copy()
    for col in _TUPLE_COLUMNS.get(name, ()):
        if col in out:
            out[col] = out[col].map(
                lambda s: tuple(x for x in str(s).split(CODE_SEP) if x) if isinstance(s, str) else ()
            )
    return out


def validate_table(
    name: str, df: pd.DataFrame, *, file: str | Path, codebook: Codebook | None = None
) -> None:
    """Check a processed table (in its stored form) against its pandera model.

    See :func:`survey.io.schemas.validate_table` (imported on first use: pandera takes about
    half a second to import).

    Raises
    ------
    SurveyError
        Every failure at once, in Chinese, naming the file, the columns and the checks.
    """
    from survey.io import schemas

    schemas.validate_table(name, df, file=file, codebook=codebook)


@dataclass
class Processed:
    """The processed tables of a study, as the notebooks use them."""

    study: Study
    codebook: Codebook
    responses: pd.DataFrame
    exclusions: pd.DataFrame
    cell_changes: pd.DataFrame
    cleaning_log: pd.DataFrame
    manifest: Manifest
    sessions: pd.DataFrame | None = None
    statements: pd.DataFrame | None = None
    themes: pd.DataFrame | None = None
    indicators: pd.DataFrame | None = None
    summaries: pd.DataFrame | None = None
    roster: pd.DataFrame | None = None


@overload
def _read(
    folder: Path, name: str, *, required: Literal[True], codebook: Codebook | None = None
) -> pd.DataFrame: ...
@overload
def _read(
    folder: Path, name: str, *, required: bool, codebook: Codebook | None = None
) -> pd.DataFrame | None: ...
def _read(
    folder: Path, name: str, *, required: bool, codebook: Codebook | None = None
) -> pd.DataFrame | None:
    path = folder / f"{name}.parquet"
    if not path.exists():
        if required:
            raise SurveyError(
                "找不到处理后的数据文件",
                file=path,
                hint="请先运行 survey clean（或 make report）生成 data/processed/ 下的文件",
            )
        return None
    table = pd.read_parquet(path)
    validate_table(name, table, file=path, codebook=codebook)
    return from_storable(name, table)


def load_processed(study: Study, folder: Path | None = None) -> Processed:
    """Read every processed table of a study.

    Parameters
    ----------
    study
        The study (:func:`survey.load_study`).
    folder
        The processed folder; default the study's ``output_dir``.

    Returns
    -------
    Processed
        Tables for the optional instruments are ``None`` when the study has none.

    Raises
    ------
    SurveyError
        When a required table is missing or a table fails its model (:func:`validate_table`).
    """
    folder = Path(folder) if folder is not None else study.output_path
    manifest_path = folder / MANIFEST
    manifest: Manifest = (
        json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    )
    codebook = load_codebook(study.resolve(study.questionnaire.codebook))
    tables = {
        name: _read(folder, name, required=True, codebook=codebook)
        for name in (RESPONSES, EXCLUSIONS, CELL_CHANGES, CLEANING_LOG)
    }
    optional = {
        name: _read(folder, name, required=False)
        for name in (SESSIONS, STATEMENTS, THEMES, INDICATORS, SUMMARIES, ROSTER)
    }
    return Processed(
        study=study,
        codebook=codebook,
        responses=tables[RESPONSES],
        exclusions=tables[EXCLUSIONS],
        cell_changes=tables[CELL_CHANGES],
        cleaning_log=tables[CLEANING_LOG],
        manifest=manifest,
        sessions=optional[SESSIONS],
        statements=optional[STATEMENTS],
        themes=optional[THEMES],
        indicators=optional[INDICATORS],
        summaries=optional[SUMMARIES],
        roster=optional[ROSTER],
    )
