"""pandera models of the processed tables, checked where ``survey clean`` writes them and
where :func:`survey.io.processed.load_processed` reads them back.

Each ``DataFrameModel`` fixes a table's columns, their types and simple value rules (row numbers
from 1, counts not negative, unique ids); extra columns are allowed. The responses' item columns
depend on the codebook (:func:`schema_for`). :func:`validate_table` collects every failure
(``lazy=True``) and turns them into one Chinese :class:`~survey.errors.SurveyError`, in the
manner of the configuration errors of :mod:`survey.config.yamlio`: a line per column and
check, with up to three failing rows and their values where these cannot identify anyone.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors
import pandera.pandas as pa
from pandera.typing import Series

from survey.config.codebook import Codebook
from survey.errors import SurveyError
from survey.io.processed import (
    CELL_CHANGES,
    CLEANING_LOG,
    EXCLUSIONS,
    INDICATORS,
    RESPONSES,
    ROSTER,
    SESSIONS,
    STATEMENTS,
    SUMMARIES,
    THEMES,
)


class _Table(pa.DataFrameModel):
    """Shared settings: extra columns allowed, column order free, every failure collected."""

    class Config:
        strict = False
        ordered = False


class _Sourced(_Table):
    """Tables whose rows come from a raw file: the file name and its row as Excel shows it."""

    source_file: Series[str]
    source_row: Series[np.int64] = pa.Field(ge=1)


class ResponsesModel(_Sourced):
    """``responses``: the kept, pseudonymised answers (item columns are added per codebook)."""

    response_id: Series[str] = pa.Field(unique=True, str_matches=r"^R\d{5,}$")
    respondent_key: Series[str] | None = pa.Field(nullable=True)
    submitted_at: Series[pd.Timestamp] = pa.Field(nullable=True)
    duration_s: Series[np.float64] = pa.Field(nullable=True, ge=0)


class _Ledgered(_Table):
    """Tables that name a raw row as ``file`` and ``row``."""

    file: Series[str]
    row: Series[np.int64] = pa.Field(ge=1)


class ExclusionsModel(_Ledgered):
    """``exclusions``: one row per excluded raw row with every rule that flagged it."""

    rules: Series[str]
    rule_ids: Series[str] = pa.Field(str_matches=r"^[a-z_]+(;[a-z_]+)*$")
    detail: Series[str]


class CellChangesModel(_Ledgered):
    """``cell_changes``: the cells the out-of-range rule set to missing."""

    column: Series[str]
    item: Series[str]
    value: Series[str]
    allowed: Series[str]


class CleaningLogModel(_Table):
    """``cleaning_log``: the CONSORT-style flow, one row per step."""

    step: Series[np.int64] = pa.Field(ge=0, unique=True)
    rule_id: Series[str]
    rule: Series[str]
    enabled: Series[bool]
    n_flagged: Series[np.int64] = pa.Field(ge=0)
    n_excluded: Series[np.int64] = pa.Field(ge=0)
    n_remaining: Series[np.int64] = pa.Field(ge=0)
    note: Series[str]
    #: ``ran``, ``skipped`` (switched off) or ``could_not_run``; optional so that processed
    #: folders written before the column existed still load.
    status: Series[str] | None = pa.Field(isin=["ran", "skipped", "could_not_run"])
    #: The status in Chinese: ``已运行``, ``未启用``, ``未能运行：缺少…`` (empty on raw/kept).
    status_zh: Series[str] | None


class SessionsModel(_Sourced):
    """``symposium_sessions``: one row per symposium session."""

    session: Series[str] = pa.Field(unique=True)
    date: Series[pd.Timestamp] = pa.Field(nullable=True)
    group: Series[str] = pa.Field(nullable=True)
    participants: Series[np.float64] = pa.Field(nullable=True, ge=0)


class StatementsModel(_Sourced):
    """``symposium_statements``: coded statements (codes stored as ``;``-joined text)."""

    statement_id: Series[str] = pa.Field(unique=True)
    session: Series[str]
    text: Series[str] = pa.Field(nullable=True)
    codes_a: Series[str] = pa.Field(nullable=True)
    codes_b: Series[str] = pa.Field(nullable=True)


class ThemesModel(_Table):
    """``symposium_themes``: the theme codebook."""

    code: Series[str] = pa.Field(unique=True)
    label: Series[str]


class IndicatorsModel(_Sourced):
    """``indicators``: benchmarking indicators, one value per college and indicator."""

    college: Series[str]
    indicator: Series[str]
    value: Series[np.float64] = pa.Field(nullable=True)


class SummariesModel(_Sourced):
    """``benchmark_summaries``: published means, SDs and sizes of other colleges."""

    college: Series[str]
    scale: Series[str]
    mean: Series[np.float64] = pa.Field(nullable=True)
    sd: Series[np.float64] = pa.Field(nullable=True, ge=0)
    n: Series[np.int64] = pa.Field(ge=0)


class RosterModel(_Sourced):
    """``roster``: member counts per college, branch and member type."""

    college: Series[str]
    members: Series[np.int64] = pa.Field(ge=0)


#: The model of each processed table.
MODELS: dict[str, type[_Table]] = {
    RESPONSES: ResponsesModel,
    EXCLUSIONS: ExclusionsModel,
    CELL_CHANGES: CellChangesModel,
    CLEANING_LOG: CleaningLogModel,
    SESSIONS: SessionsModel,
    STATEMENTS: StatementsModel,
    THEMES: ThemesModel,
    INDICATORS: IndicatorsModel,
    SUMMARIES: SummariesModel,
    ROSTER: RosterModel,
}

#: Item types whose answer columns hold numeric codes or values.
_NUMERIC_ITEMS = ("likert", "single", "numeric", "multiple", "ranking")
#: Text columns whose values say nothing about a person and may be quoted in an error.
_QUOTABLE = {"source_file", "file", "response_id", "rule_id", "rule_ids", "column", "item", "step"}
_ZH_TYPES = {
    "str": "文本", "string": "文本", "int64": "整数", "float64": "数字", "bool": "真/假",
    "datetime64": "日期时间",
}  # fmt: skip
_NUMERIC_CHECK = pa.Check(
    lambda s: pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype),
    name="numeric_dtype",
)


def _labels_check(labels: list[str]) -> pa.Check:
    """A single-choice column: its option labels as an ordered Categorical (categories in code
    order), or numeric codes (kept when a code has no label)."""

    def ok(s: pd.Series) -> bool:
        if isinstance(s.dtype, pd.CategoricalDtype):
            return bool(s.cat.ordered) and list(s.cat.categories) == labels
        return pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)

    return pa.Check(ok, name="labels_dtype")


def schema_for(name: str, codebook: Codebook | None = None) -> pa.DataFrameSchema:
    """The pandera schema of table ``name``; for ``responses`` with the codebook's item columns.

    Item columns are optional (an export may lack an optional item); answer columns of
    likert, numeric, multiple-choice and ranking items must be numeric, single-choice items
    a Categorical of their option labels in code order (or numeric codes), text items and
    ``<id>_other`` columns text.
    """
    schema = MODELS[name].to_schema()
    if name != RESPONSES or codebook is None:
        return schema
    columns: dict[str, pa.Column] = {}
    for item in codebook.items:
        for col in codebook.columns(item.id):
            if item.type == "single" and col == item.id:
                labels = [v for _, v in sorted(codebook.options(item.id).items())]
                columns[col] = pa.Column(checks=_labels_check(labels), nullable=True, required=False)
            elif item.type in _NUMERIC_ITEMS and col != f"{item.id}_other":
                columns[col] = pa.Column(checks=_NUMERIC_CHECK, nullable=True, required=False)
            else:
                columns[col] = pa.Column(str, nullable=True, required=False)
    return schema.add_columns(columns)


def _zh_check(check: str, actual: object | None) -> str:
    """A pandera check name (``greater_than_or_equal_to(1)``, ``dtype('int64')``) in Chinese;
    ``actual`` is the column's type when pandera reports it (never a cell value)."""
    name, _, arg = check.partition("(")
    arg = arg.removesuffix(")").strip("'")
    if name == "dtype":
        kind = next((zh for key, zh in _ZH_TYPES.items() if key in arg), arg)
        return f"类型应为{kind}" + (f"（现为 {actual}）" if actual is not None else "")
    simple = {
        "column_in_dataframe": "缺少该列",
        "not_nullable": "不应有缺失值",
        "field_uniqueness": "不应有重复值",
        "unique": "不应有重复值",
        "numeric_dtype": "应为数值（编码手册中的选择题或数值题）",
        "labels_dtype": "应为编码手册中该题的选项文字（有序分类，按编码顺序）或数字编码",
    }
    if name in simple:
        return simple[name]
    if name == "greater_than_or_equal_to":
        return f"应大于或等于 {arg}"
    if name == "str_matches":
        return f"格式应符合 {arg}"
    return check


def _example(column: str, value: object) -> str:
    """A failing value as it may be shown: numbers and times, never text that could be personal."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "缺失"
    if isinstance(value, str) and column not in _QUOTABLE:
        return "文本不显示"
    return repr(value) if isinstance(value, str) else str(value)


def validate_table(
    name: str, df: pd.DataFrame, *, file: str | Path, codebook: Codebook | None = None
) -> None:
    """Check a processed table (in its stored form) against its model; raise on any failure.

    Parameters
    ----------
    name
        The table name (:data:`RESPONSES`, :data:`EXCLUSIONS`, ...); tables without a model
        pass unchecked.
    df
        The table as written to / read from Parquet (:func:`to_storable` form). Not modified.
    file
        The file named in the message.
    codebook
        For ``responses``: checks the item columns' types.

    Raises
    ------
    SurveyError
        Listing, per failing column and check, what was expected and up to three failing rows
        (numbered as Excel shows the ``.csv``) with their values where these cannot identify
        anyone. All failures are collected (``lazy=True``) before raising.
    """
    if name not in MODELS:
        return
    schema = schema_for(name, codebook)
    if len(df) == 0:  # an empty text column is stored as untyped: only the columns count
        schema = copy.deepcopy(schema)
        schema.coerce = True
    try:
        schema.validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        raise _table_error(name, exc.failure_cases, file) from None


def _table_error(name: str, cases: pd.DataFrame, file: str | Path) -> SurveyError:
    lines: list[str] = []
    first_column: str | None = None
    missing = cases["check"].astype(str) == "column_in_dataframe"
    cases = cases.assign(column=cases["column"].where(~missing, cases["failure_case"]))
    for (column, check), group in cases.groupby(["column", "check"], sort=False, dropna=False):
        column = str(column) if column is not None else "（整表）"
        first_column = first_column or column
        rows = group["index"].dropna()
        where = ""
        if len(rows):
            shown = [
                f"第 {int(i) + 2} 行（{_example(column, v)}）"
                for i, v in zip(rows[:3], group.loc[rows.index[:3], "failure_case"], strict=True)
            ]
            more = f" 等 {len(rows)} 行" if len(rows) > 3 else ""
            where = "：" + "、".join(shown) + more
        # Without a row, the failure case is the column's type (``object``) or a check result.
        actual = None if len(rows) else group["failure_case"].iloc[0]
        lines.append(f"列 {column}：{_zh_check(str(check), actual)}{where}")
    return SurveyError(
        f"处理后的数据表 {name} 有 {len(lines)} 处问题：\n    " + "\n    ".join(lines),
        file=file,
        column=first_column,
        expected=f"survey clean 写出的 {name} 表（行号按 Excel 打开对应 .csv 时显示）",
        hint="请重新运行 survey clean 生成处理结果；不要手工修改 data/processed/ 中的文件",
    )
