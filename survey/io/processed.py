"""The processed data set: what ``survey clean`` writes and what the notebooks read.

One place knows the file names in ``data/processed/`` and how tables round-trip (tuples of
theme codes are stored as ``;``-joined text so that CSV and Parquet hold the same thing).
Notebooks call :func:`load_processed` and never type a path.

Every table is checked at the stage boundary, when ``survey clean`` writes it and when
:func:`load_processed` reads it back, against its pandera model in :mod:`survey.io.schemas`
(:func:`validate_table`).

Column types of ``responses`` (:func:`typed_responses`): single-choice items and the file
attributes (``college``) are pandas Categoricals of their labels, so that a user filters and
groups with the words of the questionnaire (``df[df["member_type"] == "学生党员"]``); the
answers of Likert, multiple-choice and ranking items are nullable integers (``Int8`` for codes
up to 127), not floats. :func:`coded_responses` turns the labels back into the codebook's codes
(the ``responses.csv`` and SPSS form).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, overload

import numpy as np
import pandas as pd

from survey.config.codebook import Codebook, Item, load_codebook
from survey.config.study import Study
from survey.errors import SurveyError, SurveyWarning
from survey.io.manifest import Manifest

#: Tables written for the questionnaire (Parquet + CSV unless noted).
RESPONSES = "responses"
#: ``responses.csv`` with option labels instead of codes, for Excel users (CSV only).
RESPONSES_LABELS = "responses_labels"
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


# -- column types of the responses ----------------------------------------------------------
#: Item types whose answers are integer codes: stored as nullable integers (single choice as
#: labels, see :func:`typed_responses`).
CODED_ITEMS = ("likert", "single", "multiple", "ranking")
_INT_DTYPES = ("Int8", "Int16", "Int32", "Int64")


def code_range(codebook: Codebook, item: Item) -> tuple[int, int]:
    """The smallest and largest valid code of a coded item's answer columns.

    Likert and single choice: the option codes; multiple choice: 0 (not chosen) and 1
    (chosen); ranking: rank 1 to the number of options.
    """
    if item.type == "multiple":
        return 0, 1
    options = codebook.options(item.id)
    if item.type == "ranking":
        return 1, max(len(options), 1)
    return (min(options), max(options)) if options else (0, 0)


def integer_dtype(lo: float, hi: float) -> str:
    """The narrowest pandas nullable integer dtype holding ``lo`` to ``hi`` (``"Int8"`` ...)."""
    for name in _INT_DTYPES:
        info = np.iinfo(name.lower())
        if info.min <= lo and hi <= info.max:
            return name
    return "Int64"


def as_integers(s: pd.Series, lo: float = 0, hi: float = 0) -> pd.Series:
    """A numeric column as nullable integers, when every present value is a whole number.

    Parameters
    ----------
    s
        The column (float codes such as ``1.0``, missing as NaN). Not modified.
    lo, hi
        Codes the dtype must hold besides the data (the codebook's range), so that the dtype
        does not depend on which answers happen to occur.

    Returns
    -------
    pandas.Series
        ``Int8``/``Int16``/``Int32``/``Int64`` (the narrowest holding ``lo``, ``hi`` and the
        data), missing as ``<NA>``; ``s`` itself when a value is not a whole number (possible
        only with the out-of-range rule switched off) or the column is not numeric.

    Examples
    --------
    >>> as_integers(pd.Series([1.0, None, 5.0]), 1, 5).tolist()
    [1, <NA>, 5]
    >>> as_integers(pd.Series([1.0, 2.5])).dtype
    dtype('float64')
    """
    if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        return s
    x = s.to_numpy(dtype=float, na_value=np.nan)
    present = x[~np.isnan(x)]
    if not np.all(np.isfinite(present) & (present == np.floor(present))):
        return s
    if len(present):
        lo, hi = min(lo, present.min()), max(hi, present.max())
    return s.astype(pd.api.types.pandas_dtype(integer_dtype(lo, hi)))


def as_labels(s: pd.Series, options: Mapping[int, str]) -> pd.Series | None:
    """Codes of a single-choice item as an ordered Categorical of its option labels.

    The categories are the labels in code order (the order of the questionnaire), all of
    them, also those nobody chose; missing stays missing. ``None`` when a present value has
    no label (a code outside the options, kept because the out-of-range rule is off) or two
    codes share a label: the codes cannot be told apart then.

    Examples
    --------
    >>> as_labels(pd.Series([2.0, None]), {1: "是", 2: "否"}).tolist()
    ['否', nan]
    """
    codes = np.array(sorted(options), dtype=float)
    labels = [options[int(c)] for c in codes]
    if len(set(labels)) < len(labels):
        return None
    x = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    pos = np.searchsorted(codes, x).clip(0, max(len(codes) - 1, 0))
    known = (codes[pos] == x) if len(codes) else np.zeros(len(x), dtype=bool)
    if (~known & s.notna().to_numpy()).any():
        return None
    positions = np.where(known, pos, -1).astype(np.int64)
    cat = pd.Categorical.from_codes(positions, categories=pd.Index(labels), ordered=True)
    return pd.Series(cat, index=s.index, name=s.name)


def typed_responses(
    df: pd.DataFrame, codebook: Codebook, attributes: Mapping[str, Sequence[str]] | None = None
) -> pd.DataFrame:
    """Give the responses their processed column types (see the module docstring).

    Parameters
    ----------
    df
        The tidy responses with float codes (as the readers and the cleaning give them). Not
        modified.
    codebook
        Says which columns hold codes and their labels.
    attributes
        ``{attribute: values}`` of the file attributes (``study.yaml``,
        ``questionnaire.files[*].attributes``) in the order of the files; each becomes a
        Categorical with these categories (values not listed are appended in order of
        appearance). Attributes that are codebook columns are typed as items.

    Returns
    -------
    pandas.DataFrame
        A copy: single-choice items as ordered Categoricals of their labels; Likert,
        multiple-choice and ranking answers as nullable integers (:func:`as_integers`);
        attributes as Categoricals; numeric, text and other columns unchanged.

    Warns
    -----
    SurveyWarning
        When a single-choice item holds a code without a label (:func:`as_labels` gives
        ``None``): that item keeps its numeric codes.
    """
    out = df.copy()
    item_columns = set()
    for item in codebook.items_of_type(*CODED_ITEMS):
        lo, hi = code_range(codebook, item)
        for col in codebook.columns(item.id):
            item_columns.add(col)
            if col not in out.columns or col == f"{item.id}_other":
                continue
            single = item.type == "single"
            labelled = as_labels(out[col], codebook.options(item.id)) if single else None
            if labelled is not None:
                out[col] = labelled
                continue
            if single:
                warnings.warn(
                    f"题目 {item.id} 中有编码手册选项之外的编码（取值越界规则 out_of_range 未启用），"
                    "或两个选项文字相同；处理结果中该题保留数字编码，不转换为选项文字。",
                    SurveyWarning,
                    stacklevel=2,
                )
            out[col] = as_integers(out[col], lo, hi)
    for name, values in (attributes or {}).items():
        if name not in out.columns or name in item_columns:
            continue
        codes, uniques = pd.factorize(out[name].astype(object).where(out[name].notna(), None).to_numpy())
        levels = list(dict.fromkeys([*values, *(str(u) for u in uniques)]))
        where = {level: i for i, level in enumerate(levels)}
        table = np.array([where[str(u)] for u in uniques] + [-1], dtype=np.int64)
        out[name] = pd.Categorical.from_codes(table.take(codes), categories=pd.Index(levels))
    return out


def coded_responses(df: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Single-choice items back from their labels to the codebook's codes (nullable integers).

    The inverse of the labelling in :func:`typed_responses`: the form of ``responses.csv``.
    Other columns (attributes such as ``college`` included) are returned as they are.

    Examples
    --------
    >>> cb = Codebook.model_validate({"title": "t", "items": [
    ...     {"id": "q", "text": "q", "type": "single", "options": {1: "是", 2: "否"}}]})
    >>> typed = typed_responses(pd.DataFrame({"q": [2.0, None]}), cb)
    >>> coded_responses(typed, cb)["q"].tolist()
    [2, <NA>]
    """
    out = df.copy()
    for item in codebook.items_of_type("single"):
        col = item.id
        if col not in out.columns or not isinstance(out[col].dtype, pd.CategoricalDtype):
            continue
        options = codebook.options(item.id)
        inverse = {label: code for code, label in options.items()}
        cats = out[col].cat.categories
        if not all(c in inverse for c in cats):
            continue
        out[col] = category_codes(out[col], [inverse[c] for c in cats], code_range(codebook, item))
    return out


def category_codes(
    s: pd.Series, table: Sequence[int], bounds: tuple[int, int] | None = None
) -> pd.Series:
    """A Categorical column as integer codes: category ``i`` becomes ``table[i]``.

    The dtype is the narrowest nullable integer (:func:`integer_dtype`) holding ``table`` and
    ``bounds``; missing stays ``<NA>``.
    """
    lo, hi = bounds if bounds is not None else (0, 0)
    if len(table):
        lo, hi = min(lo, *table), max(hi, *table)
    codes = s.cat.codes.to_numpy()
    values = pd.array(np.asarray([*table, 0], dtype="int64").take(codes), dtype="Int64")
    values[codes < 0] = pd.NA
    dtype = pd.api.types.pandas_dtype(integer_dtype(lo, hi))
    return pd.Series(values, index=s.index, name=s.name).astype(dtype)


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


def read_table(
    folder: Path, name: str, *, required: bool, codebook: Codebook | None = None
) -> pd.DataFrame | None:
    """Read one processed table (``<name>.parquet``) from ``folder``, checked against its model.

    For folders without a :class:`~survey.config.study.Study` (an earlier wave's processed
    outputs, :func:`survey.waves.load_waves`). ``None`` when the table is absent and not required.
    """
    return _read(folder, name, required=required, codebook=codebook)


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
